"""The writing commands: set-status, comment, link, add, edit. Each prints a one-line summary on stderr
and `--dry-run` prints the unified diff of the file instead of writing it."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from jnap_cli.cli.boundary import note
from jnap_cli.cli.options import RegisterOpt, complete_from_register
from jnap_cli.cli.settings import Settings, settings
from jnap_cli.errors import InputUnreadable, UsageError, WriteRefused
from jnap_cli.model.vocab import Status, StatusBasis

if TYPE_CHECKING:
    from jnap_cli.model.schema import Register
    from jnap_cli.writing.edits import Planned
    from jnap_cli.writing.splice import Change, FileText

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
_BASIS = "stated (the commentary's own words say the status) or inferred (the register concludes it)"
HandedToOpt = Annotated[
    str | None,
    typer.Option(
        "--handed-to",
        metavar="QUOTE",
        help='Words of the commentary naming the body the work went to ("" removes them) [default: unchanged].',
    ),
]
WaitsOnOpt = Annotated[
    str | None,
    typer.Option(
        "--waits-on",
        metavar="QUOTE",
        help='Words of the commentary saying what the work waits on ("" removes them) [default: unchanged].',
    ),
]
NewBasisOpt = Annotated[
    StatusBasis | None,
    typer.Option("--basis", metavar="BASIS", case_sensitive=False, help=f"{_BASIS} [default: unchanged]."),
]


def set_status(
    ctx: typer.Context,
    action_id: IdArg,
    status: Annotated[Status, typer.Argument(metavar="STATUS", case_sensitive=False, help="The new status.")],
    evidence: Annotated[
        str, typer.Option("--evidence", metavar="QUOTE", help="Words of the commentary that justify it (required).")
    ],
    basis: NewBasisOpt = None,
    handed_to: HandedToOpt = None,
    waits_on: WaitsOnOpt = None,
    register: RegisterOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    r"""Set an action's status, with the words of its commentary that justify it (and, quoted from it too,
    where its work went or what it waits on).

    Examples:
      # Mark R4 complete, quoting its commentary; see the change first
      $ jnap set-status R4 complete --evidence "Regular meetings" --dry-run
      # Only the basis: the commentary itself says the plans are in place
      $ jnap set-status O8 complete --evidence "plans in place" --basis stated
      # Where O7's work went, in the commentary's words
      $ jnap set-status O7 transferred --evidence "has passed to the Joint" \
          --handed-to "the Joint Case Progression working group" --dry-run
    """
    from jnap_cli.writing import edits

    chosen = settings(ctx, register=register)
    quotes = _quotes(handed_to, waits_on)
    _write(chosen, dry_run, lambda r: edits.set_status(r, action_id, status.value, evidence, _value(basis), quotes))


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
    handed_to: HandedToOpt = None,
    waits_on: WaitsOnOpt = None,
    register: RegisterOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    r"""Replace an action's commentary (or --append a paragraph) from --text, --file, stdin or $EDITOR.

    Examples:
      # Add a paragraph to R19's commentary
      $ jnap comment R19 --append --text "Findings are due in Spring 2025."
      # New words, with the status they now justify; it waits on nothing now
      $ jnap comment R14 --text "The work was completed in 2025." \
          --status complete --evidence "The work was completed" --waits-on ""
    """
    from jnap_cli.writing import edits

    chosen = settings(ctx, register=register)
    path = _writable(chosen)
    # $EDITOR is opened before the lock is taken: a person typing never holds other writers up. What
    # they replace must still be what they saw when the write comes.
    words, seen = _commentary(path, action_id, text, file, append)
    quotes = _quotes(handed_to, waits_on)

    def planned(loaded: Register) -> Planned:
        from jnap_cli.query.select import resolve

        if seen is not None and resolve(loaded, [action_id])[0].commentary != seen:
            _changed_meanwhile(action_id, "commentary", words, ".txt", f"jnap comment {action_id} --file")
        value = status.value if status is not None else None
        return edits.set_commentary(
            loaded, action_id, words, append=append, status=value, evidence=evidence, quotes=quotes
        )

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
    """Add (or --remove) a continues or builds-on link between two actions.

    Examples:
      # R19 carries on the work of O18
      $ jnap link R19 --continues O18
      # O15 uses what O4 delivered, and says why
      $ jnap link O15 --builds-on O4 --reason "the guide for victims O4 published"
      # Take a link away
      $ jnap link R4 --continues O23 --remove
    """
    from jnap_cli.writing import edits

    if (continues is None) == (builds_on is None):
        raise UsageError("give one of --continues ID or --builds-on ID")
    if builds_on is not None and not remove and not reason.strip():
        raise UsageError("a builds-on link needs its --reason", "say which deliverable of the other action is used")
    chosen = settings(ctx, register=register)
    relation, target = ("continues", continues) if continues is not None else ("builds_on", builds_on or "")
    _write(chosen, dry_run, lambda r: edits.set_link(r, action_id, target, relation, reason, remove=remove))


def add(
    ctx: typer.Context,
    plan: Annotated[str, typer.Option("--plan", "-p", metavar="PLAN", help="The plan the action belongs to.")],
    theme: Annotated[str, typer.Option("--theme", metavar="TEXT", help="Its theme, as the plan heads it.")],
    text: Annotated[str, typer.Option("--text", metavar="TEXT", help="The action's words, as the plan has them.")],
    number: Annotated[
        int | None, typer.Option("--number", metavar="N", min=1, help="Its number [default: the next free one].")
    ] = None,
    commentary: Annotated[
        str, typer.Option("--commentary", metavar="TEXT", help="What has been done (`jnap check` needs it).")
    ] = "",
    status: Annotated[Status, typer.Option("--status", metavar="STATUS", case_sensitive=False)] = Status.NOT_STARTED,
    evidence: Annotated[str, typer.Option("--evidence", metavar="QUOTE", help="Words of the commentary.")] = "",
    basis: Annotated[
        StatusBasis,
        typer.Option("--basis", metavar="BASIS", case_sensitive=False, help=f"{_BASIS}."),
    ] = StatusBasis.INFERRED,
    handed_to: Annotated[
        str, typer.Option("--handed-to", metavar="QUOTE", help="Words of the commentary: the body the work went to.")
    ] = "",
    waits_on: Annotated[
        str, typer.Option("--waits-on", metavar="QUOTE", help="Words of the commentary: what the work waits on.")
    ] = "",
    file: Annotated[
        str | None,
        typer.Option(
            "--file",
            metavar="NAME",
            help="In a directory register, the file to add it to [default: docs/keeping.md says which].",
        ),
    ] = None,
    register: RegisterOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    r"""Add an action to a plan, after its last one, with the next free number and id.

    Examples:
      # The next action of the refresh plan; its commentary comes later
      $ jnap add --plan refresh --theme "Our People" --text "Train new joiners."
      # With its commentary and status
      $ jnap add --plan original --theme "Our People" --text "Publish a guide." \
          --commentary "A guide was published." --status complete \
          --evidence "A guide was published"
    """
    from jnap_cli.query.select import check_plan
    from jnap_cli.writing import edits, splice
    from jnap_cli.writing.opened import open_for_edit

    chosen = settings(ctx, register=register)
    path = _writable(chosen)
    warnings: list[str] = []

    def make() -> tuple[Change, str]:
        opened = open_for_edit(path)
        made = edits.new_action(
            opened.register, plan, theme, text, number=number, commentary=commentary, status=status.value,
            evidence=evidence, basis=basis.value, quotes=_quotes(handed_to or None, waits_on or None),
        )  # fmt: skip
        target, after = opened.home_of(check_plan(opened.register, plan) or plan, file, made.after)
        _writable_file(target.path)
        warnings[:] = made.warnings  # of the plan that was written
        return splice.plan_insert(target, after, made.block), made.summary

    _finish(chosen, path, make, dry_run)
    for warning in warnings:
        note(f"warning: {warning}")


def edit(
    ctx: typer.Context,
    action_id: IdArg,
    file: Annotated[
        Path | None,
        typer.Option("--file", metavar="PATH", help="Take the edited table from PATH ('-': stdin) instead of $EDITOR."),
    ] = None,
    register: RegisterOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Open one action's TOML table in $EDITOR (or take it from --file); write it back when it is valid.

    Examples:
      # R4's table in $VISUAL or $EDITOR
      $ jnap edit R4
      # The same, showing the diff instead of writing it
      $ jnap edit R4 --dry-run
    """
    from jnap_cli.query.select import resolve
    from jnap_cli.writing import splice
    from jnap_cli.writing.opened import open_for_edit

    chosen = settings(ctx, register=register)
    path = _writable(chosen)
    if file is None and not _on_terminal() and _chosen_editor() is None:
        raise UsageError(
            "jnap edit needs a terminal for vi (neither $VISUAL nor $EDITOR is set)",
            "set $EDITOR, give --file PATH, or use set-status, comment or link",
        )
    opened = open_for_edit(path)
    action = resolve(opened.register, [action_id])[0]
    base = opened.holding(action.id)
    _writable_file(base.path)
    original = splice.block(base, action.id)
    text, planned = _edited_table(base, action.id, original, file)

    def make() -> tuple[Change, str]:
        # Under the lock, against the file as it is now: another writer's change since `base` was read
        # is kept when it touched other keys; a clash keeps the user's text in a file and refuses.
        edited = f"{action.id}: table edited"
        if dry_run or (opened.directory is None and _unchanged(base)):  # as planned, with no second parse
            return planned, edited
        current = open_for_edit(path).holding(action.id)  # a directory's other files are checked again too
        if current.text == base.text:
            return splice.plan_block(current, action.id, text), edited
        try:
            kept = "another writer's change made meanwhile kept"
            return splice.merge_block(base, current, action.id, text), f"{action.id}: table edited ({kept})"
        except splice.Conflict as conflict:
            again = f"jnap edit {action.id} --file"
            _changed_meanwhile(action.id, ", ".join(conflict.keys), text, ".toml", again, given=file)

    _finish(chosen, path, make, dry_run)


def _unchanged(file: FileText) -> bool:
    """Whether the file still holds the text it was read with (one read, no parse)."""
    from jnap_cli.register import tomlfile

    return tomlfile.read_bytes(file.path) == file.text.encode("utf-8")


def _edited_table(base: FileText, action_id: str, original: str, file: Path | None) -> tuple[str, Change]:
    """The table as the user edited it, and its change to the file as `base` has it: from --file, or
    from $EDITOR, re-opened with the problem at its top while the user at the terminal wants to go on
    (an unchanged or emptied table changes nothing: exit 3). Without a terminal, or when the user gives
    up, the first invalid table is refused and kept in a file (exit 3)."""
    from jnap_cli.writing import splice

    if file is not None:
        text = _read_input(file).replace("\r\n", "\n")
        if text == original:
            raise WriteRefused(f"{action_id}: nothing changed", "the register is unchanged")
        return text, splice.plan_block(base, action_id, text)  # a problem is a refusal here: no one to ask
    text, problem = original, ""
    while True:
        shown_text = f"# jnap: error: {problem}\n# Fix it, or empty the file to give up.\n{text}" if problem else text
        text = _strip_notes(_in_editor(shown_text))
        if not text.strip() or text == original:
            raise WriteRefused(f"{action_id}: nothing changed", "the register is unchanged")
        try:
            return text, splice.plan_block(base, action_id, text)
        except WriteRefused as refused:
            problem = refused.lines()[0].removeprefix("error: ")
            if not (_on_terminal() and _edit_again(problem)):
                name = _kept(action_id, text, ".toml")
                raise WriteRefused(
                    f"{problem}; your table is kept in {name}", f"fix it, then `jnap edit {action_id} --file {name}`"
                ) from None


def _changed_meanwhile(
    action_id: str, what: str, text: str, suffix: str, again: str, *, given: Path | None = None
) -> NoReturn:
    """Refuse a write whose action another writer changed while the user was editing it, keeping the
    user's text in a file they are told about (the file it came from, when it came from one)."""
    name = str(given) if given is not None and str(given) != "-" else _kept(action_id, text, suffix)
    raise WriteRefused(
        f"{action_id}: {what} changed by another writer while you were editing it; your text is kept in {name}",
        f"compare with `jnap show {action_id}`, then `{again} {name}`",
    )


def _kept(action_id: str, text: str, suffix: str) -> str:
    """The name of a new temporary file that holds `text`, the user's work on `action_id` that was not
    written, for them to take up again."""
    import os
    import tempfile

    handle, name = tempfile.mkstemp(prefix=f"jnap-{action_id}-", suffix=suffix)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    return name


def _edit_again(problem: str) -> bool:
    """Whether the user at the terminal wants the editor again after `problem` (Enter, y or yes), or
    gives up (n, no, or the end of input), as `git rebase -i` asks."""
    note(f"error: {problem}")
    try:
        sys.stderr.write("Edit again? [Y/n] ")
        sys.stderr.flush()
        answer = sys.stdin.readline()
    except (OSError, ValueError):
        return False
    return bool(answer) and answer.strip().casefold() in ("", "y", "yes")


def _strip_notes(text: str) -> str:
    """The text without the `# jnap:` lines (and their follow-up) that jnap put at its top."""
    lines = text.split("\n")
    while lines and (lines[0].startswith("# jnap: ") or lines[0].startswith("# Fix it, or empty")):
        lines.pop(0)
    return "\n".join(lines)


def _writable(chosen: Settings) -> Path:
    """The register to edit: a writable file, or a directory (whose file is checked by `_writable_file`
    once the edit names it); never the copy bundled with jnap."""
    from jnap_cli.register.source import is_directory

    path = chosen.register_path()
    if _bundled(path):
        raise WriteRefused(f"{path}: the register bundled with jnap is not to be edited", "pass --register PATH")
    return path if is_directory(path) else _writable_file(path)


def _bundled(path: Path) -> bool:
    """Whether `path` is the register installed with jnap: its resource path, inside the installed package
    (wherever the system keeps packages). An editable install's is the checkout's own, which may be edited."""
    from importlib import resources

    from jnap_cli.register.paths import default_path

    bundled = default_path().resolve()
    return path.resolve() == bundled and bundled.is_relative_to(Path(str(resources.files("jnap_cli"))).resolve())


def _writable_file(path: Path) -> Path:
    """`path`, when it is a regular file this user may write."""
    import stat

    try:
        info = path.stat()
    except FileNotFoundError:  # a register that cannot be read: exit 2, as for every command
        raise InputUnreadable(f"{path}: no such file", "give the path of an existing register file") from None
    except OSError as exc:  # not a directory, no permission to look: it cannot be read either
        raise InputUnreadable(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise WriteRefused(f"{path}: not a regular file; only a register file can be edited")
    if not _may_write(path):
        raise WriteRefused(f"{path}: is read-only", "make it writable to edit it")
    return path


def _may_write(path: Path) -> bool:
    """Whether this user may write the file (root may write anything)."""
    import os

    return os.access(path, os.W_OK)


def _finish(chosen: Settings, path: Path, make: Callable[[], tuple[Change, str]], dry_run: bool) -> None:
    """Plan the change and print its diff (--dry-run), or plan and write it holding the register's lock,
    so that concurrent jnap writers take turns; then say what happened in one line."""
    from jnap_cli.register.paths import shown
    from jnap_cli.writing import writer

    if dry_run:
        change, summary = make()
        chosen.out.write(change.diff())
        note(f"{summary} (dry run: {shown(change.path)} unchanged)")
        return
    # The schema's models take longer to build than an edit takes to plan: built before the lock is
    # taken, not while other writers wait for it.
    import jnap_cli.model.validation  # noqa: F401

    change, summary, warnings = writer.apply(path, make)
    for warning in warnings:
        note(f"warning: {warning}")
    note(f"{summary} ({shown(change.path)})")


def _write(chosen: Settings, dry_run: bool, plan_for: Callable[[Register], Planned]) -> None:
    """Load, plan the edits and check them, under the lock; then print the diff or write the file (in a
    directory register, the one file that holds the action)."""
    from jnap_cli.writing import splice
    from jnap_cli.writing.opened import open_for_edit

    path = _writable(chosen)

    def make() -> tuple[Change, str]:
        opened = open_for_edit(path)
        planned = plan_for(opened.register)
        target = opened.holding(planned.edits[0].action_id)
        _writable_file(target.path)
        return splice.plan(target, planned.edits), planned.summary

    _finish(chosen, path, make, dry_run)


def _commentary(
    path: Path, action_id: str, text: str | None, file: Path | None, append: bool
) -> tuple[str, str | None]:
    """The new commentary from --text, --file (or '-' for stdin), or $EDITOR on a terminal; and, when it
    was edited in $EDITOR, the commentary the editor started from (None otherwise)."""
    if text is not None and file is not None:
        raise UsageError("give --text or --file, not both")
    if text is not None:
        return text, None
    if file is not None:
        return _read_input(file), None
    if not _on_terminal() and _chosen_editor() is None:
        raise UsageError("no commentary given", "use --text TEXT, --file PATH, --file - for stdin, or set $EDITOR")
    from jnap_cli.query.select import resolve
    from jnap_cli.register.source import load

    current = "" if append else resolve(load(path), [action_id])[0].commentary
    edited = _in_editor(current)
    if not edited.strip():
        raise WriteRefused("the editor was closed without a commentary", "the register is unchanged")
    return edited, None if append else current


def _read_input(file: Path) -> str:
    """The UTF-8 text of --file PATH, or of stdin for '-' (a pipe or a FIFO is fine), up to the size
    guard (`JNAP_MAX_BYTES`)."""
    from jnap_cli.register.tomlfile import max_bytes, shown_size

    limit = max_bytes()
    try:
        if str(file) == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with file.open("rb") as stream:
                data = stream.read(limit + 1)
    except (OSError, ValueError) as exc:
        raise InputUnreadable(f"{file}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if len(data) > limit:
        raise InputUnreadable(f"{file}: larger than {shown_size(limit)}", "set JNAP_MAX_BYTES higher to read it")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputUnreadable(f"{file}: not valid UTF-8 (byte 0x{data[exc.start]:02x})", "save it as UTF-8") from None


def _quotes(handed_to: str | None, waits_on: str | None) -> dict[str, str]:
    """The `--handed-to` and `--waits-on` given, by field ("" removes one; one left out is kept)."""
    given = {"handed_to": handed_to, "waits_on": waits_on}
    return {name: value for name, value in given.items() if value is not None}


def _value(member: object) -> str | None:
    return None if member is None else str(getattr(member, "value", member))


def _in_editor(text: str) -> str:
    """`text` as the user left it in $VISUAL or $EDITOR (vi when neither is set), as `git commit` does."""
    import os
    import shlex
    import subprocess
    import tempfile

    editor = _chosen_editor() or "vi"
    handle, name = tempfile.mkstemp(prefix="jnap-commentary-", suffix=".txt")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        try:
            with _keys_for_the_editor():
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


@contextlib.contextmanager
def _keys_for_the_editor() -> Iterator[None]:
    """Ctrl-C and Ctrl-\\ belong to the editor while it runs (vim users press Ctrl-C to leave insert
    mode), as git's `launch_editor` has it: jnap lets them pass. Its handlers are no-ops rather than
    ignored signals, so that the editor starts with the default ones."""
    import signal

    def let_pass(_signum: int, _frame: object) -> None:
        return None

    previous: dict[signal.Signals, Any] = {}
    with contextlib.suppress(ValueError):  # not the main thread: signals are not ours to set
        for signum in (signal.SIGINT, signal.SIGQUIT):
            previous[signum] = signal.signal(signum, let_pass)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _chosen_editor() -> str | None:
    """The editor the user chose, `$VISUAL` or else `$EDITOR`: run even without a terminal, as git runs
    it (a GUI editor, a script); None when neither is set, and jnap would fall back to vi."""
    import os

    return os.environ.get("VISUAL") or os.environ.get("EDITOR") or None


def _on_terminal() -> bool:
    """Whether a person is at the keyboard (stdin is a terminal), so that $EDITOR can be opened."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False
