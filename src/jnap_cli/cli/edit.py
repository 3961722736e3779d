"""The writing commands: set-status, comment, link. Each prints a one-line summary on stderr and
`--dry-run` prints the unified diff of the file instead of writing it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jnap_cli.cli.boundary import note
from jnap_cli.cli.options import BasisOpt, RegisterOpt, complete_from_register
from jnap_cli.cli.settings import Settings, settings
from jnap_cli.errors import InputUnreadable, UsageError, WriteRefused
from jnap_cli.model.vocab import Status

if TYPE_CHECKING:
    from jnap_cli.model.schema import Register
    from jnap_cli.register.edits import Planned

IdArg = Annotated[
    str,
    typer.Argument(metavar="ID", help="The action to change (R4, o23).", autocompletion=complete_from_register("id")),
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the unified diff of the file; write nothing.")]
EvidenceOpt = Annotated[
    str | None, typer.Option("--evidence", metavar="QUOTE", help="Words of the commentary that justify the status.")
]
StatusOpt = Annotated[
    Status | None, typer.Option("--status", metavar="STATUS", case_sensitive=False, help="New status.")
]


def set_status(
    ctx: typer.Context,
    action_id: IdArg,
    status: Annotated[Status, typer.Argument(metavar="STATUS", case_sensitive=False, help="The new status.")],
    evidence: Annotated[
        str, typer.Option("--evidence", metavar="QUOTE", help="Words of the commentary that justify it (required).")
    ],
    basis: BasisOpt = None,
    register: RegisterOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Set an action's status, with the words of its commentary that justify it."""
    from jnap_cli.register import edits

    chosen = settings(ctx, register=register)
    _write(chosen, dry_run, lambda r: edits.set_status(r, action_id, status.value, evidence, _value(basis)))


def comment(
    ctx: typer.Context,
    action_id: IdArg,
    text: Annotated[str | None, typer.Option("--text", metavar="TEXT", help="The new commentary.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", metavar="PATH", help="Read the commentary from PATH ('-': stdin).")
    ] = None,
    append: Annotated[bool, typer.Option("--append", help="Add a paragraph instead of replacing.")] = False,
    status: StatusOpt = None,
    evidence: EvidenceOpt = None,
    register: RegisterOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Replace an action's commentary (or --append a paragraph) from --text, --file, stdin or $EDITOR."""
    from jnap_cli.register import edits

    chosen = settings(ctx, register=register)

    def planned(loaded: Register) -> Planned:
        words = _commentary(loaded, action_id, text, file, append)
        value = status.value if status is not None else None
        return edits.set_commentary(loaded, action_id, words, append=append, status=value, evidence=evidence)

    _write(chosen, dry_run, planned)


def link(
    ctx: typer.Context,
    action_id: IdArg,
    continues: Annotated[
        str | None, typer.Option("--continues", metavar="ID", help="The action whose work this one carries on.")
    ] = None,
    builds_on: Annotated[
        str | None, typer.Option("--builds-on", metavar="ID", help="The action whose deliverable this one uses.")
    ] = None,
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="Why (for --builds-on).")] = "",
    remove: Annotated[bool, typer.Option("--remove", help="Remove the link instead of adding it.")] = False,
    register: RegisterOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Add (or --remove) a continues or builds-on link between two actions."""
    from jnap_cli.register import edits

    if (continues is None) == (builds_on is None):
        raise UsageError("give one of --continues ID or --builds-on ID")
    if builds_on is not None and not remove and not reason.strip():
        raise UsageError("a builds-on link needs its --reason", "say which deliverable of the other action is used")
    chosen = settings(ctx, register=register)
    relation, target = ("continues", continues) if continues is not None else ("builds_on", builds_on or "")
    _write(chosen, dry_run, lambda r: edits.set_link(r, action_id, target, relation, reason, remove=remove))


def _write(chosen: Settings, dry_run: bool, plan_for: Callable[[Register], Planned]) -> None:
    """Load, plan the edits, check them, then print the diff (--dry-run) or write the file."""
    from jnap_cli.register import writer
    from jnap_cli.register.load import load
    from jnap_cli.register.paths import default_path, shown

    path = chosen.register_path()
    if path.resolve() == default_path().resolve() and "site-packages" in str(path.resolve()):
        raise WriteRefused(f"{path}: the register bundled with jnap is not to be edited", "pass --register PATH")
    planned = plan_for(load(path))
    change = writer.plan(path, planned.edits)
    if dry_run:
        chosen.out.write(change.diff())
        note(f"{planned.summary} (dry run: {shown(path)} unchanged)")
        return
    writer.write(change)
    note(f"{planned.summary} ({shown(path)})")


def _commentary(loaded: Register, action_id: str, text: str | None, file: Path | None, append: bool) -> str:
    """The new commentary from --text, --file (or '-' for stdin), or $EDITOR on a terminal."""
    if text is not None and file is not None:
        raise UsageError("give --text or --file, not both")
    if text is not None:
        return text
    if file is not None:
        try:
            return sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputUnreadable(f"{file}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if not sys.stdin.isatty():
        raise UsageError("no commentary given", "use --text TEXT, --file PATH, or --file - for stdin")
    from jnap_cli.query.select import resolve

    current = "" if append else resolve(loaded, [action_id])[0].commentary
    edited = _in_editor(current)
    if not edited.strip():
        raise WriteRefused("the editor was closed without a commentary", "the register is unchanged")
    return edited


def _value(member: object) -> str | None:
    return None if member is None else str(getattr(member, "value", member))


def _in_editor(text: str) -> str:
    """`text` as the user left it in $VISUAL or $EDITOR (vi when neither is set), as `git commit` does."""
    import os
    import shlex
    import subprocess
    import tempfile

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    handle, name = tempfile.mkstemp(prefix="jnap-commentary-", suffix=".txt")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        try:
            done = subprocess.run([*shlex.split(editor), name], check=False)
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot run the editor {editor!r}: {getattr(exc, 'strerror', None) or exc}") from None
        if done.returncode != 0:
            raise WriteRefused(
                f"the editor {editor!r} exited with status {done.returncode}", "the register is unchanged"
            )
        return Path(name).read_text(encoding="utf-8")
    finally:
        Path(name).unlink(missing_ok=True)
