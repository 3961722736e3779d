"""Options shared by the commands, declared once as `Annotated` aliases, with their shell completion; the
values of the filter options, bundled once per command (`Filters`).

Closed vocabularies are the `StrEnum`s of `model.vocab`, used directly as choices: help, completion
and validation all come from them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from jnap_cli.model.vocab import RecordFormat, Status, StatusBasis
from jnap_cli.render.views import View
from jnap_cli.text import escape_unsafe

if TYPE_CHECKING:
    from jnap_cli.model.schema import Action, Register

RegisterOpt = Annotated[
    Path | None,
    typer.Option(
        "--register",
        "-r",
        metavar="PATH",
        help="Register file (or directory of *.toml files) to read [default: $JNAP_REGISTER, else the git work "
        "tree's register (jnap.toml, [tool.jnap] or data/actions.toml), else the bundled one].",
        show_default=False,
    ),
]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="Never colour the output (as NO_COLOR=1).")]


def complete_from_register(kind: str) -> Any:
    """A completion callback offering the register's ids, plans or themes (of `-r` when given); silent on failure."""

    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        try:
            from jnap_cli.register.source import load

            register = load(_register_of(ctx))
        except Exception:  # noqa: BLE001 - completion must never print a traceback into the shell
            return []
        values = {
            "id": [a.id for a in register.actions],
            "plan": [p.id for p in register.plans],
            "theme": list(dict.fromkeys(a.theme for a in register.actions)),
        }[kind]
        return _matching(values, incomplete)

    return complete


def complete_glossary(incomplete: str) -> list[str]:
    """The glossary's terms."""
    try:
        from jnap_cli.query.glossary import load_glossary

        terms = [entry.term for entry in load_glossary().terms]
    except Exception:  # noqa: BLE001 - completion must never print a traceback into the shell
        return []
    return _matching(terms, incomplete)


def complete_versions(ctx: typer.Context, incomplete: str) -> list[str]:
    """`jnap diff`: the register's plan ids and the git branches and tags; files come from the shell."""
    plans: list[str] = complete_from_register("plan")(ctx, incomplete)
    return plans + _matching(_git_refs(), incomplete)


def _git_refs() -> list[str]:
    """The branches and tags of the repository here; nothing when git is absent, fails or is slow.

    git runs as every jnap git call does (`diff.git.git_command`): no program the repository names."""
    import subprocess

    from jnap_cli.diff.git import git_command

    command = git_command(["for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/tags"])
    if command is None:
        return []
    argv, environment = command
    try:
        done = subprocess.run(
            argv, env=environment, stdin=subprocess.DEVNULL, capture_output=True, timeout=2, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    if done.returncode != 0:
        return []
    return ["HEAD", "HEAD~1", *done.stdout.decode("utf-8", "replace").split()]


def _register_of(ctx: typer.Context) -> Path | None:
    """The `-r` given so far, after the command or before it."""
    for context in (ctx, ctx.find_root()):
        value = context.params.get("register")
        if value:
            return Path(value)
    return None


def _matching(values: list[str], incomplete: str) -> list[str]:
    """The values that start with `incomplete`, ignoring case, ready for the shell.

    The user's own letters are kept so that the shell, which filters by exact prefix, shows them.
    """
    n = len(incomplete)
    return [escape_unsafe(incomplete + v[n:]) for v in values if v.casefold().startswith(incomplete.casefold())]


def complete_words(words: tuple[str, ...]) -> Any:
    """Completion of a comma-separated list of `words` (`--fields id,te<Tab>`), each word offered once."""

    def complete(incomplete: str) -> list[str]:
        head, _, last = incomplete.rpartition(",")
        prefix = f"{head}," if head else ""
        chosen = set(head.split(",")) if head else set()
        return [prefix + w for w in words if w.startswith(last) and w not in chosen]

    return complete


def choices(vocabulary: type[StrEnum]) -> str:
    """`a | b | c`: the values of a vocabulary, for help texts."""
    return " | ".join(member.value for member in vocabulary)


FormatOpt = Annotated[
    RecordFormat | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        case_sensitive=False,
        help=f"{choices(RecordFormat)} [default: table on a terminal, else tsv].",
        show_default=False,
    ),
]


OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write to FILE ('-': stdout), in the format its name ends with (.xlsx, .csv, .json, ...) unless "
        "--format says; a file is replaced at once, a FIFO written into.",
        dir_okay=False,
    ),
]


EmptyOpt = Annotated[
    str | None,
    typer.Option(
        "--empty",
        metavar="TEXT",
        help="Show empty cells as TEXT (tsv, csv, table, markdown), e.g. --empty - for 'while IFS=$'\\t' read'.",
    ),
]


def fields_option(view: View) -> Any:
    """`--fields a,b` for the records of `view`, completing its field names."""
    return typer.Option(
        "--fields",
        metavar="FIELDS",
        help="Comma-separated fields to show, in order (every format).",
        autocompletion=complete_words(view.fields),
    )


PlanOpt = Annotated[
    str | None,
    typer.Option(
        "--plan",
        "-p",
        metavar="PLAN",
        help="Only this plan (original, refresh).",
        autocompletion=complete_from_register("plan"),
    ),
]
ThemeOpt = Annotated[
    str | None,
    typer.Option(
        "--theme",
        "-t",
        metavar="TEXT",
        help="Only themes containing this text (case-insensitive).",
        autocompletion=complete_from_register("theme"),
    ),
]
StatusOpt = Annotated[
    list[Status] | None,
    typer.Option(
        "--status",
        "-s",
        metavar="STATUS",
        case_sensitive=False,
        help=f"Only this status (repeatable: any of them): {choices(Status)}.",
    ),
]
NotStatusOpt = Annotated[
    list[Status] | None,
    typer.Option(
        "--not-status",
        "-S",
        metavar="STATUS",
        case_sensitive=False,
        help="Leave out this status (repeatable): --not-status complete is everything not finished.",
    ),
]
BasisOpt = Annotated[
    StatusBasis | None,
    typer.Option(
        "--basis",
        metavar="BASIS",
        case_sensitive=False,
        help="Only statuses that are stated (the commentary's own words say the status) or inferred (the "
        "register concludes it).",
    ),
]
HandedOffOpt = Annotated[
    bool, typer.Option("--handed-off", help="Only actions whose work (or a part of it) went elsewhere: handed_to.")
]
WaitingOpt = Annotated[bool, typer.Option("--waiting", help="Only actions that wait on something: waits_on.")]
SortOpt = Annotated[
    str | None, typer.Option("--sort", metavar="FIELD[:desc]", help="Sort by FIELD or FIELD:desc (natural order).")
]
LimitOpt = Annotated[int | None, typer.Option("--limit", "-n", metavar="N", min=1, help="Show at most N records.")]


@dataclass(frozen=True)
class Filters:
    """The filters of `list`, `filter`, `stats` and `graph` (`--plan`, `--theme`, `--status`, `--not-status`,
    `--basis`; `--handed-off`, `--waiting`), built once per command: each left out (None, empty or
    False) keeps every action."""

    plan: str | None = None
    theme: str | None = None
    statuses: Sequence[Status] | None = None
    not_statuses: Sequence[Status] | None = None
    basis: StatusBasis | None = None
    handed_off: bool = False
    waiting: bool = False

    def given(self) -> bool:
        """Whether any filter was given."""
        return any((self.plan, self.theme, self.statuses, self.not_statuses, self.basis, self.handed_off, self.waiting))

    def select(self, register: Register) -> list[Action]:
        """The actions of `register` that pass every filter, in register order (`query.select`)."""
        from jnap_cli.query.select import select

        return select(register, **self._given())

    def matcher(self, register: Register) -> Callable[[Action], bool]:
        """Whether an action passes every filter but the theme's check (`query.select.matcher`): for a
        register read one action at a time, of which `register` gives the plans."""
        from jnap_cli.query.select import matcher

        return matcher(register, **self._given())

    def _given(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "theme": self.theme,
            "statuses": self.statuses,
            "not_statuses": self.not_statuses,
            "basis": self.basis,
            "handed_off": self.handed_off,
            "waiting": self.waiting,
        }
