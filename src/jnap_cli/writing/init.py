"""A new register for another action plan (`jnap init`): its TOML text, checked, then written atomically.

The register has its plans and no actions yet, with a commented example `[[actions]]` table to copy:
an action needs its commentary, status and evidence, which only its author can supply. It passes
`jnap check` from the first write. The write is all or nothing: a failure leaves no file and no
temporary file behind, and never touches an existing one.

Its first line is taplo's `#:schema` directive, naming the JSON Schema (`model.json_schema`) that
`write_schema` puts beside it, so that editors check and complete the register as it is typed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from jnap_cli.errors import UsageError, WriteRefused
from jnap_cli.model.json_schema import FILE_NAME as SCHEMA_FILE
from jnap_cli.model.vocab import ID_MAX_LENGTH, ID_PATTERN, Severity, Status

PLAN_FORMAT = "ID:TITLE:YEAR"
_ID = re.compile(ID_PATTERN)
_YEAR = re.compile(r"[0-9]{4}")


@dataclass(frozen=True)
class NewPlan:
    """A plan of the new register, as `--plan ID:TITLE:YEAR` gives it."""

    id: str
    title: str
    year: int


def parse_plan(spec: str) -> NewPlan:
    """`ID:TITLE:YEAR` → a `NewPlan`; the title may contain colons (the id ends at the first, the year
    starts after the last). Raise `UsageError` (exit 2) saying what is wrong."""
    from jnap_cli.writing.edits import text_argument

    plan_id, sep, rest = text_argument("--plan", spec).partition(":")
    title, sep2, year = rest.rpartition(":")
    if not sep or not sep2:
        raise UsageError(f"--plan {spec!r} is not {PLAN_FORMAT}", "e.g. --plan vawg:'VAWG Action Plan':2025")
    plan_id, title, year = plan_id.strip(), title.strip(), year.strip()
    if not _ID.match(plan_id) or len(plan_id) > ID_MAX_LENGTH:
        raise UsageError(
            f"--plan {spec!r}: {plan_id!r} is not a valid id",
            f"use letters, digits, '_', '.', '-', starting with a letter (at most {ID_MAX_LENGTH})",
        )
    if not title:
        raise UsageError(f"--plan {spec!r}: the title is empty", f"give it as {PLAN_FORMAT}")
    if not _YEAR.fullmatch(year):
        raise UsageError(f"--plan {spec!r}: {year!r} is not a year", "give the year the plan was published, e.g. 2025")
    return NewPlan(plan_id, title, int(year))


def parse_plans(specs: list[str]) -> list[NewPlan]:
    """Every `--plan`, in order; at least one, and no id twice (ids are compared ignoring case)."""
    if not specs:
        raise UsageError("a register needs at least one plan", f"give --plan {PLAN_FORMAT}")
    plans = [parse_plan(spec) for spec in specs]
    seen: set[str] = set()
    for plan in plans:
        if plan.id.casefold() in seen:
            raise UsageError(f"plan id {plan.id!r} is given twice (ids ignore case)", "give each plan its own id")
        seen.add(plan.id.casefold())
    return plans


# taplo's header directive; a relative path is read from the register's folder.
SCHEMA_DIRECTIVE = f"#:schema ./{SCHEMA_FILE}\n"

_HEADER = """\
# A register of an action plan's actions, in the format of the JNAP register
# (jnap's docs/keeping.md, "The register format", describes every key). Started by `jnap init`.
#
# Text and commentary are copied word for word from the published plan and its progress updates.
# `status` is a judgement from the commentary, and `status_evidence` quotes the commentary word for
# word to justify it. After each edit, check the file with `jnap check -r` and its path.
"""


# The commented example action: (key = value, why), the value filled in from the first plan.
_EXAMPLE: tuple[tuple[str, str], ...] = (
    ('id = "{example_id}"', "unique: letters, digits, _ . -, starting with a letter"),
    ('plan = "{plan}"', "the id of one of the [[plans]] above"),
    ("number = 1", "the plan's own numbering: 1, 2, 3… with no gaps"),
    ('theme = "The heading the plan puts the action under"', ""),
    ('text = "The action, word for word from the plan."', ""),
    ('commentary = "The published progress update, word for word."', ""),
    ('status = "in-progress"', "{statuses}"),
    ('status_basis = "stated"', 'the commentary\'s own words say the status; or "inferred"'),
    ('status_evidence = "progress update"', "words quoted from the commentary"),
    ('waits_on = "progress update"', "optional: what it waits on, quoted; handed_to: where its work went"),
    ("continues = []", "ids of another plan's actions that this one carries on"),
)


def register_text(plans: list[NewPlan], title: str | None = None, source: str = "", *, schema: bool = True) -> str:
    """The new register's text: with `schema`, the `#:schema` line; a header, `title` (else the plans'
    titles), `source`, the plans, and a commented example action. `title` and `source` are held to the
    rule of every writer (`text_argument`)."""
    import tomli_w

    from jnap_cli.writing.edits import text_argument

    title = text_argument("--title", title) if title is not None else None
    source = text_argument("--source", source)

    title = title if title is not None else "; ".join(plan.title for plan in plans)
    # Nothing the user gives goes into a comment: a newline in it would end the comment.
    parts = [SCHEMA_DIRECTIVE if schema else "", _HEADER, "\n", tomli_w.dumps({"title": title, "source": source})]
    for plan in plans:
        parts.append("\n[[plans]]\n")
        parts.append(tomli_w.dumps({"id": plan.id, "title": plan.title, "year": plan.year}))
    first = plans[0].id
    values = {"example_id": f"{first[0].upper()}1", "plan": first, "statuses": ", ".join(Status)}
    lines = [(line.format(**values), why.format(**values)) for line, why in _EXAMPLE]
    width = max(len(line) for line, why in lines if why)
    parts.append(
        '\n# Add each action as an [[actions]] table, for example (remove the leading "# "):\n#\n# [[actions]]\n'
    )
    parts.extend(f"# {line:<{width}}  # {why}\n" if why else f"# {line}\n" for line, why in lines)
    return "".join(parts)


def checked(text: str, origin: str) -> None:
    """Refuse (`UsageError`) text that would not pass `jnap check`: it is loaded as any register is,
    then every rule is run (a control character in a title is an error there)."""
    from jnap_cli.checks.rules import run_checks
    from jnap_cli.register.load import load_text

    errors = [finding for finding in run_checks(load_text(text, origin)) if finding.severity == Severity.ERROR]
    if errors:
        first = errors[0]
        where = f"{first.field}: " if first.field else ""
        raise UsageError(f"{where}{first.message}", "remove it from --title, --source or --plan")


def refuse_unwritable(path: Path, force: bool = False) -> None:
    """Raise `WriteRefused` when `path` cannot be written as a new register: it exists (and not `force`,
    or it is not a regular file), or its directory is missing or not writable."""
    if os.path.lexists(path):
        if not force:
            raise WriteRefused(f"{path}: already exists", "give --force to replace it, or choose another path")
        if path.is_symlink() or not path.is_file():
            raise WriteRefused(f"{path}: not a regular file", "choose another path")
    directory = path.parent
    if not directory.is_dir():
        if os.path.lexists(directory):
            raise WriteRefused(f"{directory}: not a directory", "choose a path in a directory")
        raise WriteRefused(f"{directory}: no such directory", "create it first")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise WriteRefused(f"{directory}: directory is not writable", "choose a directory you can write to")


def write_atomically(path: Path, text: str, force: bool = False) -> list[str]:
    """Write `text` to `path` all at once (`files.atomic`): a temporary file beside it, synced, then
    renamed onto it; without `force`, never onto a file that appeared meanwhile. Any failure raises
    `WriteRefused`, leaves `path` as it was and removes the temporary file. Returns warnings."""
    from jnap_cli.files import atomic

    refuse_unwritable(path, force)
    return atomic.replace(path, text.encode("utf-8"), WriteRefused, new=not os.path.lexists(path))


def schema_path(register: Path) -> Path:
    """Where the register's `#:schema` line points: the schema file in the register's folder."""
    return register.with_name(SCHEMA_FILE)


def refuse_schema_name(register: Path) -> None:
    """A register named as its own schema file would be overwritten by it: refuse (`UsageError`)."""
    if register.name == SCHEMA_FILE:
        raise UsageError(
            f"{register}: that is the name of the schema file jnap init writes", "name the register *.toml"
        )


def write_schema(register: Path) -> tuple[Path, bool, list[str]]:
    """Write the JSON Schema beside `register` (`schema_path`), replacing an older one all at once;
    a current copy is left alone. Returns its path, whether it was written, and warnings. Raises
    `WriteRefused` when it cannot be written."""
    from jnap_cli.files import atomic
    from jnap_cli.model.json_schema import register_schema_text

    path = schema_path(register)
    data = register_schema_text().encode("utf-8")
    try:
        if path.is_file() and path.read_bytes() == data:
            return path, False, []
    except OSError:
        pass  # unreadable: written anew, or refused with the writer's reason
    return path, True, atomic.write_output(path, data, WriteRefused)
