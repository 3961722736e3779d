"""The named things of the annex: load the glossary, hold it to its sources, and look a term up.

The glossary is `data/glossary.toml`: `annex = PATH` (the annex's text, relative to the file) and a list
of `[[terms]]`, each with `term`, `expansion`, `description`, `source` and what that source needs
(`query.glossary_sources`). Comparisons ignore case, accents, the kind of quote or dash, runs of
whitespace (`text.match_form`), and a hyphen between two words ("offender-centric" is "offender centric").
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jnap_cli.errors import InputUnreadable, NoMatch, UsageError
from jnap_cli.query.glossary_sources import key as _key
from jnap_cli.query.glossary_sources import problems
from jnap_cli.register import tomlfile
from jnap_cli.register.paths import bundled
from jnap_cli.register.sourcemap import scan

if TYPE_CHECKING:
    from jnap_cli.model.terms import Glossary, Term


def default_path() -> Path:
    """The bundled glossary (a copy of the repository's `data/glossary.toml`)."""
    return bundled("glossary.toml")


def load_glossary(path: Path | None = None, *, cache: bool = True) -> Glossary:
    """Read and validate a glossary (the bundled one by default), or take it from its cache while the file
    is unchanged (`register.cache`); any failure is a one-line `InputUnreadable`."""
    from jnap_cli.register import cache as cached

    path = default_path() if path is None else path
    if not (cache and cached.enabled()):
        return _checked(path, _read_bytes(path))
    document = cached.read_document(path, "glossary")
    if document is not None:
        with contextlib.suppress(*cached.damage()):
            return _from_document(document)
    data, source = cached.read(path, _read_bytes)
    glossary = _checked(path, data)
    cached.store_document(path, source, "glossary", asdict(glossary))
    return glossary


def _from_document(document: dict[str, Any]) -> Glossary:
    from jnap_cli.model.terms import Glossary, Term
    from jnap_cli.model.vocab import TermSource

    return Glossary(
        tuple(
            Term(
                entry["term"],
                entry["expansion"],
                entry["description"],
                tuple(entry["aliases"]),
                TermSource(entry["source"]),
                tuple(entry["other_forms"]),
                tuple(entry["quotes"]),
                entry["cited_title"],
                entry["cited_url"],
            )
            for entry in document["terms"]
        ),
        document["annex"],
    )


def _read_bytes(path: Path) -> bytes:
    return tomlfile.read_bytes(path, kind="glossary", hint="reinstall jnap, or pass the path of a glossary")


def _checked(path: Path, data: bytes) -> Glossary:
    """The glossary read from `data`, the bytes of the file at `path`, checked."""
    from pydantic import ValidationError

    from jnap_cli.model import validation

    text = tomlfile.decode(data, str(path))
    raw = tomlfile.parse(text, str(path))
    try:
        glossary = validation.glossary(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        where, what = _locate(errors[0], path, text)
        raise InputUnreadable(f"{where}: invalid glossary: {what}{more}", "fix the glossary file") from None
    found = problems(glossary, _annex_text(path, glossary.annex, text))
    if found:
        first = found[0]
        line = scan(text).line("terms", first.index, first.key.partition("[")[0])
        where = f"{path}:{line}" if line else str(path)
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        name = f"terms[{first.index + 1}].{first.key}"
        raise InputUnreadable(f"{where}: invalid glossary: {name}: {first.message}{more}", "fix the glossary file")
    return glossary


def _annex_text(path: Path, annex: str, text: str) -> str | None:
    """The text of the annex the glossary at `path` names (relative to it), or None when it names none."""
    if not annex:
        return None
    try:
        data = tomlfile.read_bytes(path.parent / annex, kind="annex", hint="fix `annex` in the glossary")
    except InputUnreadable as exc:
        line = scan(text).line("", None, "annex")
        where = f"{path}:{line}" if line else str(path)
        raise InputUnreadable(f"{where}: invalid glossary: annex: {exc.message}", exc.hint) from None
    return tomlfile.decode(data, str(path.parent / annex))


def entries(glossary: Glossary, term: str | None) -> list[Term]:
    """`jnap glossary [TERM]`: every entry, or those `lookup` finds; `NoMatch` when there are none."""
    if term is None:
        return list(glossary.terms)
    found = lookup(glossary, term)
    if not found:
        raise NoMatch(f"no glossary entry for {term!r}")
    return found


def lookup(glossary: Glossary, term: str) -> list[Term]:
    """Entries for `term`: those it names exactly (term, expansion or an alias), then those containing it.

    Case, accents and whitespace are ignored; "isva", "Independent Sexual Violence Advisor" and
    "violence" all find ISVA. Raises `UsageError` for a blank term.
    """
    key = _key(term)
    if not key:
        raise UsageError("empty glossary term", "give a term to look up, such as ISVA")
    exact: list[Term] = []
    partial: list[Term] = []
    for entry in glossary.terms:
        forms = [_key(form) for form in entry.forms]
        if key in forms:
            exact.append(entry)
        elif any(key in form for form in forms):
            partial.append(entry)
    return exact + partial


def _locate(error: Any, path: Path, text: str) -> tuple[str, str]:
    """`path:line` and `terms[N].key: problem` for one pydantic error."""
    loc: tuple[int | str, ...] = tuple(error["loc"])
    index = loc[1] if len(loc) >= 2 and loc[0] == "terms" and isinstance(loc[1], int) else None
    key = str(loc[2]) if index is not None and len(loc) >= 3 else None
    line = scan(text).line("terms", index, key) if index is not None else scan(text).line("", None, str(loc[0]))
    name = ".".join(str(part) for part in loc)
    if index is not None:
        name = f"terms[{index + 1}]" + "".join(f"[{p + 1}]" if isinstance(p, int) else f".{p}" for p in loc[2:])
    kind = error["type"]
    if kind == "missing":
        problem = "required key is missing"
    elif kind == "extra_forbidden":
        problem = "unknown key (misspelt?)"
    elif kind == "string_pattern_mismatch":
        problem = "must be an https:// address" if key == "cited_url" else "must not be blank"
    else:
        message = str(error["msg"]).replace("valid tuple", "valid array")
        problem = f"{message[:1].lower()}{message[1:].rstrip('.')}"
    where = f"{path}:{line}" if line else str(path)
    return where, f"{name}: {problem}" if name else problem
