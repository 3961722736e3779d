"""The plan's acronyms and terms of art: load the glossary, look a term up, list a term's other forms.

The glossary is `data/glossary.toml`, a list of `[[terms]]` with `term`, `expansion`, `description`
and optional `aliases` (other spellings that occur in the register). Comparisons ignore case, accents,
the kind of quote or dash, and runs of whitespace (`search.match_form`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from jnap_cli.errors import RegisterUnreadable, UsageError
from jnap_cli.register import bundled, parse_toml, scan
from jnap_cli.search import match_form

_STRICT = ConfigDict(extra="forbid", frozen=True)

# Strict (no coercion) and not blank.
Text = Annotated[StrictStr, Field(pattern=r"\S")]


class Term(BaseModel):
    """One glossary entry: an acronym or term of art, what it stands for, and what it means."""

    model_config = _STRICT

    term: Text
    expansion: Text
    description: Text
    aliases: tuple[Text, ...] = ()

    @property
    def forms(self) -> tuple[str, ...]:
        """The term, its expansion and its aliases: every way the register may write it."""
        return (self.term, self.expansion, *self.aliases)


class Glossary(BaseModel):
    """The whole glossary, in file order."""

    model_config = _STRICT

    terms: tuple[Term, ...]


def default_path() -> Path:
    """The bundled glossary (a copy of the repository's `data/glossary.toml`)."""
    return bundled("glossary.toml")


def load_glossary(path: Path | None = None) -> Glossary:
    """Read and validate a glossary (the bundled one by default); any failure is a one-line `RegisterUnreadable`."""
    path = default_path() if path is None else path
    text = _read(path)
    raw = parse_toml(path, text)
    try:
        glossary = Glossary.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        where, what = _locate(errors[0], path, text)
        raise RegisterUnreadable(f"{where}: invalid glossary: {what}{more}", "fix the glossary file") from None
    seen: dict[str, int] = {}
    for index, entry in enumerate(glossary.terms):
        key = match_form(entry.term)
        if key in seen:
            line = scan(text).line("terms", index, "term")
            where = f"{path}:{line}" if line else str(path)
            raise RegisterUnreadable(
                f"{where}: invalid glossary: term {entry.term!r} is already defined in entry {seen[key] + 1}",
                "merge the two entries",
            )
        seen[key] = index
    return glossary


def lookup(glossary: Glossary, term: str) -> list[Term]:
    """Entries for `term`: those it names exactly (term, expansion or an alias), then those containing it.

    Case, accents and whitespace are ignored; "isva", "Independent Sexual Violence Advisor" and
    "violence" all find ISVA. Raises `UsageError` for a blank term.
    """
    key = match_form(term)
    if not key:
        raise UsageError("empty glossary term", "give a term to look up, such as ISVA")
    exact: list[Term] = []
    partial: list[Term] = []
    for entry in glossary.terms:
        forms = [match_form(form) for form in entry.forms]
        if key in forms:
            exact.append(entry)
        elif any(key in form for form in forms):
            partial.append(entry)
    return exact + partial


def synonyms(glossary: Glossary, word_or_phrase: str) -> list[str]:
    """Every form (term, expansion, aliases) of the entries that `word_or_phrase` names exactly; else [].

    The query's own form is included. "PRFI" → ["PRFI", "pending response further investigation"].
    """
    key = match_form(word_or_phrase)
    found: dict[str, str] = {}
    if not key:
        return []
    for entry in glossary.terms:
        if any(match_form(form) == key for form in entry.forms):
            for form in entry.forms:
                found.setdefault(match_form(form), form)
    return list(found.values())


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegisterUnreadable(f"{path}: no such file", "reinstall jnap, or pass the path of a glossary") from None
    except IsADirectoryError:
        raise RegisterUnreadable(f"{path}: is a directory", "pass the path of a glossary .toml file") from None
    except UnicodeDecodeError as exc:
        raise RegisterUnreadable(f"{path}: not valid UTF-8 (byte {exc.start})", "save the file as UTF-8") from None
    except OSError as exc:
        raise RegisterUnreadable(f"{path}: cannot read: {exc.strerror or exc}") from None


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
        problem = "must not be blank"
    else:
        message = str(error["msg"]).replace("valid tuple", "valid array")
        problem = f"{message[:1].lower()}{message[1:].rstrip('.')}"
    where = f"{path}:{line}" if line else str(path)
    return where, f"{name}: {problem}" if name else problem
