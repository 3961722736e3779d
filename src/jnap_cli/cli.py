"""Typer wiring only: shared options, the single error boundary, one short function per command."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from jnap_cli import __version__
from jnap_cli.errors import ExitCode, JnapError, NoMatch, RegisterInvalid, UsageError
from jnap_cli.findings import Finding
from jnap_cli.text import escape_unsafe

_state = {"debug": False, "no_color": False}


class JnapGroup(TyperGroup):
    """The error boundary: every failure becomes one line on stderr and a named exit code."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        _tolerate_unencodable_output()
        if sys.stdout is None:  # started with stdout closed (jnap list >&-)
            _error("standard output is closed; redirect it to a file or /dev/null")
            sys.exit(ExitCode.USAGE)
        try:
            code = super().main(*args, **kwargs)
            sys.stdout.flush()  # a closed pipe shows here for output smaller than the buffer
        except (_PipeClosed, BrokenPipeError):
            code = _closed_pipe()
        except typer.TyperException as exc:
            code = _usage_failure(exc)
        except (typer.Abort, KeyboardInterrupt):
            code = ExitCode.INTERRUPTED
        except JnapError as exc:
            for line in exc.lines():
                _note(line)
            code = exc.exit_code
        except OSError as exc:  # writing the output failed: a full disk, a vanished terminal
            _error(f"cannot write output: {exc.strerror or exc}")
            code = ExitCode.USAGE
        except Exception as exc:  # noqa: BLE001 - the boundary: anything else is our bug
            code = _internal(exc)
        sys.exit(int(code or 0))

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        # --help and --version write while the command line is parsed, before invoke().
        try:
            return super().make_context(*args, **kwargs)
        except BrokenPipeError as exc:
            raise _PipeClosed from exc

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:  # Typer would turn it into exit 1; we stop quietly instead
            raise _PipeClosed from exc


class _PipeClosed(Exception):
    """The reader of stdout went away."""


def _usage_failure(exc: typer.TyperException) -> int:
    """A command-line mistake (unknown option, missing argument): one line and a pointer to --help."""
    ctx = getattr(exc, "ctx", None)
    hint = f"; see '{ctx.command_path} --help'" if ctx is not None else ""
    message = exc.format_message().rstrip(".")
    _error(f"{message[:1].lower()}{message[1:]}{hint}")
    return ExitCode.USAGE if exc.exit_code == 2 else int(exc.exit_code)


def _error(line: str) -> None:
    _note(f"error: {line}")


def _note(line: str) -> None:
    """A line for people on stderr, after the data already written to stdout.

    Messages quote register text and arguments, so they are escaped like any other output. A closed
    stdout or stderr must not turn the note into a traceback or change the exit code.
    """
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stdout.flush()
    shown = escape_unsafe(line).replace("\n", "\\n")  # one line, whatever an argument contained
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(f"jnap: {shown}\n")
        sys.stderr.flush()


def _closed_pipe() -> int:
    """The reader went away (`jnap list | head -1`): stop quietly, as `cat` would."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # no file descriptor: nothing to silence
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the exit-time flush goes nowhere
    return ExitCode.OK


def _internal(exc: BaseException) -> int:
    if _state["debug"] or os.environ.get("JNAP_DEBUG"):
        import traceback

        with contextlib.suppress(OSError, ValueError, AttributeError):
            traceback.print_exception(exc, file=sys.stderr)
    message = str(exc).splitlines()[0] if str(exc) else ""
    _error(f"internal error: {type(exc).__name__}: {message} (run with --debug for the traceback)")
    return ExitCode.INTERNAL


def _tolerate_unencodable_output() -> None:
    """On a non-UTF-8 stdout, print `\\u2019` for characters it cannot encode instead of crashing."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


app = typer.Typer(
    cls=JnapGroup,
    name="jnap",
    help="The register of the Police–CPS Joint National Action Plan (JNAP) on rape.",
    invoke_without_command=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

RegisterOpt = Annotated[
    Path | None,
    typer.Option(
        "--register",
        "-r",
        metavar="PATH",
        envvar="JNAP_REGISTER",
        show_envvar=True,
        help="Register file to read [default: the bundled register].",
    ),
]


def _complete_from_register(kind: str) -> Any:
    """A completion callback that offers the register's ids, plans or themes; silent on any failure."""

    def complete(incomplete: str) -> list[str]:
        try:
            from jnap_cli.register import load

            register = load(None)
        except Exception:  # noqa: BLE001 - completion must never print a traceback into the shell
            return []
        values = {
            "id": [a.id for a in register.actions],
            "plan": [p.id for p in register.plans],
            "theme": list(dict.fromkeys(a.theme for a in register.actions)),
        }[kind]
        # Matching ignores case, as the commands do; the user's own letters are kept so that the shell,
        # which filters by exact prefix, shows the completion.
        n = len(incomplete)
        return [escape_unsafe(incomplete + v[n:]) for v in values if v.casefold().startswith(incomplete.casefold())]

    return complete


def _complete_words(words: tuple[str, ...]) -> Any:
    def complete(incomplete: str) -> list[str]:
        head, _, last = incomplete.rpartition(",")
        prefix = f"{head}," if head else ""
        return [prefix + w for w in words if w.startswith(last)]

    return complete


# Spelt out here, not imported, so that start-up need not import pydantic (a test keeps them equal).
FIELD_NAMES = (
    "id", "plan", "number", "theme", "text", "commentary", "status", "status_evidence",
    "continues", "continued_by", "references", "annex_marker",
)  # fmt: skip
STATUS_NAMES = ("complete", "in-progress", "ongoing", "transferred", "deferred", "not-started")
FORMAT_NAMES = ("table", "json", "jsonl", "csv", "tsv", "markdown", "ids")

FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="table | json | jsonl | csv | tsv | markdown | ids [default: table on a terminal, else tsv].",
        autocompletion=_complete_words(FORMAT_NAMES),
        show_default=False,
    ),
]
FieldsOpt = Annotated[
    str | None,
    typer.Option(
        "--fields",
        metavar="FIELDS",
        help="Comma-separated fields to show, in order (every format).",
        autocompletion=_complete_words(FIELD_NAMES),
    ),
]
PlanOpt = Annotated[
    str | None,
    typer.Option(
        "--plan",
        "-p",
        metavar="PLAN",
        help="Only this plan (original, refresh).",
        autocompletion=_complete_from_register("plan"),
    ),
]
ThemeOpt = Annotated[
    str | None,
    typer.Option(
        "--theme", "-t", metavar="TEXT", help="Only themes containing this text (case-insensitive).",
        autocompletion=_complete_from_register("theme"),
    ),
]  # fmt: skip
StatusOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        "-s",
        metavar="STATUS",
        help="Only this status (repeatable: any of them).",
        autocompletion=_complete_words(STATUS_NAMES),
    ),
]
SortOpt = Annotated[
    str | None, typer.Option("--sort", metavar="FIELD[:desc]", help="Sort by FIELD or FIELD:desc (natural order).")
]
LimitOpt = Annotated[int | None, typer.Option("--limit", "-n", metavar="N", min=0, help="Show at most N actions.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"jnap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    no_color: Annotated[bool, typer.Option("--no-color", help="Never colour the output (as NO_COLOR=1).")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an internal error.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """The register of the Police–CPS Joint National Action Plan (JNAP) on rape."""
    _state["debug"], _state["no_color"] = debug, no_color
    if ctx.invoked_subcommand is None:  # bare `jnap`: the help, as data on stdout
        typer.echo(ctx.get_help())


def _codes(values: list[str] | None) -> set[str] | None:
    """`--select a,b --select c` → {a, b, c}; unknown codes are a usage error listing the known ones."""
    if values is None:
        return None
    from jnap_cli.checks import RULES

    codes = {code.strip() for value in values for code in value.split(",") if code.strip()}
    if not codes:  # an empty $CODES in CI must not switch every rule off
        raise UsageError("no rule code given", f"known codes: {', '.join(RULES)}")
    unknown = sorted(codes - RULES.keys())
    if unknown:
        raise UsageError(f"unknown rule code {', '.join(unknown)}", f"known codes: {', '.join(RULES)}")
    return codes


@app.command()
def check(
    register: RegisterOpt = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="text | json | github (GitHub Actions annotations).")
    ] = "text",
    select: Annotated[
        list[str] | None, typer.Option(metavar="CODES", help="Only these rule codes (comma-separated).")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(metavar="CODES", help="Skip these rule codes (comma-separated).")
    ] = None,
    strict: Annotated[bool, typer.Option(help="Fail on warnings too.")] = False,
) -> None:
    """Check the register for CI: commentary, evidence, links and numbering. Exit 1 on errors."""
    from jnap_cli import checks
    from jnap_cli import register as registers
    from jnap_cli.output import CHECK_FORMATS, render_findings

    if fmt not in CHECK_FORMATS:
        raise UsageError(f"unknown format {fmt!r}", f"use one of {', '.join(CHECK_FORMATS)}")
    include, exclude = _codes(select), _codes(ignore) or set()
    path = registers.resolve_path(register)
    try:
        loaded, source = registers.load_located(path)
    except RegisterInvalid as invalid:
        # Integrity findings cannot be selected away: nothing else can be checked until they are fixed.
        render_findings(sorted(invalid.findings, key=_by_line), fmt)  # type: ignore[arg-type]
        raise JnapError(f"{path}: invalid register: {len(invalid.findings)} problem(s) shown above") from None
    findings = registers.locate(checks.select(checks.run_checks(loaded), include, exclude), str(path), source)
    render_findings(sorted(findings, key=_by_line), fmt)  # type: ignore[arg-type]
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    _note(f"{len(loaded.actions)} actions checked: {errors} error(s), {warnings} warning(s)")
    if errors or (strict and warnings):
        raise typer.Exit(ExitCode.FINDINGS)


def _list_actions(
    register: Path | None,
    *,
    plan: str | None,
    theme: str | None,
    statuses: list[str],
    sort: str | None,
    limit: int | None,
    fmt: str | None,
    fields: str | None,
) -> None:
    """Shared by `list` and `filter`: select, sort, limit, render; exit 1 when nothing matches."""
    from jnap_cli import query
    from jnap_cli.output import emit
    from jnap_cli.register import load

    loaded = load(register)
    rows = query.records(loaded, query.select(loaded, plan=plan, theme=theme, statuses=statuses))
    rows = query.sort_records(rows, sort, query.FIELDS)[:limit]
    if not rows:
        raise NoMatch("no actions match")
    emit(rows, fmt=fmt, fields=fields, available=query.FIELDS, summary=query.SUMMARY_FIELDS, no_color=_no_color())


@app.command("list")
def list_(
    register: RegisterOpt = None,
    plan: PlanOpt = None,
    theme: ThemeOpt = None,
    status: StatusOpt = None,
    sort: SortOpt = None,
    limit: LimitOpt = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """List actions in register order; filters combine (AND)."""
    _list_actions(
        register, plan=plan, theme=theme, statuses=status or [], sort=sort, limit=limit, fmt=fmt, fields=fields
    )


@app.command("filter")
def filter_(
    statuses: Annotated[
        list[str],
        typer.Argument(
            metavar="STATUS", help="Statuses to keep (any of them).", autocompletion=_complete_words(STATUS_NAMES)
        ),
    ],
    register: RegisterOpt = None,
    plan: PlanOpt = None,
    theme: ThemeOpt = None,
    sort: SortOpt = None,
    limit: LimitOpt = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """List the actions in any of STATUSES (complete, in-progress, ongoing, transferred, deferred, not-started)."""
    _list_actions(register, plan=plan, theme=theme, statuses=statuses, sort=sort, limit=limit, fmt=fmt, fields=fields)


@app.command()
def show(
    ids: Annotated[
        list[str],
        typer.Argument(
            metavar="ID",
            help="Action ids (R4, o23) or numbers; '-' reads ids from stdin, one per line.",
            autocompletion=_complete_from_register("id"),
        ),
    ],
    register: RegisterOpt = None,
    plan: PlanOpt = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """Show the whole record of one or more actions."""
    from jnap_cli import query
    from jnap_cli.output import emit
    from jnap_cli.register import load

    loaded = load(register)
    actions = query.resolve(loaded, _expand_stdin(ids), plan=plan)
    if not actions:
        raise NoMatch("no ids given" + (" on stdin" if "-" in ids else ""))
    rows = query.records(loaded, actions)
    emit(rows, fmt=fmt, fields=fields, available=query.FIELDS, summary=query.FIELDS, no_color=_no_color(), blocks=True)


def _expand_stdin(ids: list[str]) -> list[str]:
    """Replace `-` with the ids read from stdin: one per line, first column of TSV lines."""
    expanded: list[str] = []
    for item in ids:
        if item == "-":
            if sys.stdin is None:
                raise UsageError("standard input is closed", "pipe ids into 'jnap show -', one per line")
            expanded.extend(line.split("\t", 1)[0].strip() for line in sys.stdin if line.strip())
        else:
            expanded.append(item)
    return expanded


@app.command()
def plans(register: RegisterOpt = None, fmt: FormatOpt = None, fields: FieldsOpt = None) -> None:
    """The plans, with their action counts by status."""
    from jnap_cli import query
    from jnap_cli.models import STATUSES
    from jnap_cli.output import emit
    from jnap_cli.register import load

    available = ("id", "title", "year", "actions", "by_status", *STATUSES)
    rows = query.plan_records(load(register))
    summary = ("id", "title", "year", "actions", "by_status")
    emit(rows, fmt=fmt, fields=fields, available=available, summary=summary, no_color=_no_color())


@app.command()
def themes(register: RegisterOpt = None, plan: PlanOpt = None, fmt: FormatOpt = None, fields: FieldsOpt = None) -> None:
    """The themes of each plan, with their action counts."""
    from jnap_cli import query
    from jnap_cli.output import emit
    from jnap_cli.register import load

    available = ("plan", "theme", "actions", "ids")
    rows = query.theme_records(load(register), plan)
    emit(rows, fmt=fmt, fields=fields, available=available, summary=("plan", "theme", "actions"), no_color=_no_color())


SEARCH_FIELDS = ("text", "commentary", "theme")


@app.command()
def search(
    query: Annotated[
        list[str], typer.Argument(metavar="QUERY", help='Words (all must match); "quoted phrases"; or a --regex.')
    ],
    register: RegisterOpt = None,
    field: Annotated[
        str | None,
        typer.Option(
            "--field",
            metavar="FIELD",
            help="Search only text, commentary or theme.",
            autocompletion=_complete_words(SEARCH_FIELDS),
        ),
    ] = None,
    regex: Annotated[bool, typer.Option("--regex", "-E", help="QUERY is a regular expression.")] = False,
    expand: Annotated[bool, typer.Option(help="Match acronyms and their expansions (ISVA ⇄ Independent…).")] = True,
    plan: PlanOpt = None,
    limit: LimitOpt = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """Full-text search over text, commentary and theme, best match first."""
    from jnap_cli import query as queries
    from jnap_cli import search as searching
    from jnap_cli.glossary import load_glossary
    from jnap_cli.output import emit
    from jnap_cli.register import load

    loaded = load(register)
    glossary = load_glossary() if expand else None
    text = " ".join(query)
    plan_id = queries.check_plan(loaded, plan)
    hits = searching.search(
        loaded, text, fields=SEARCH_FIELDS if field is None else (field,), regex=regex, glossary=glossary
    )
    hits = [hit for hit in hits if plan_id is None or hit.action.plan == plan_id][:limit]
    if not hits:
        close = [] if regex else searching.suggest(loaded, text, glossary=glossary)
        raise NoMatch(f"no actions match {text!r}" + (f"; did you mean {', '.join(close)}?" if close else ""))
    rows = queries.records(loaded, [hit.action for hit in hits])
    for row, hit in zip(rows, hits, strict=True):
        row.update({"score": hit.score, "matched": hit.field, "snippet": hit.snippet})
    available = (*queries.FIELDS, "score", "matched", "snippet")
    marks = [{"snippet": list(hit.spans)} for hit in hits]
    summary = ("id", "score", "matched", "snippet")
    emit(rows, fmt=fmt, fields=fields, available=available, summary=summary, no_color=_no_color(), highlights=marks)


@app.command()
def glossary(
    term: Annotated[
        str | None, typer.Argument(metavar="TERM", help="Look up one term, expansion or word (case-insensitive).")
    ] = None,
    fmt: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """The plan's acronyms and terms of art with their expansions."""
    from jnap_cli.glossary import load_glossary, lookup
    from jnap_cli.output import emit

    loaded = load_glossary()
    terms = list(loaded.terms) if term is None else lookup(loaded, term)
    if not terms:
        raise NoMatch(
            f"no glossary entry for {term!r}",
        )
    rows = [entry.model_dump() for entry in terms]
    available = ("term", "expansion", "description", "aliases")
    summary = ("term", "expansion", "description")
    emit(rows, fmt=fmt, fields=fields, available=available, summary=summary, no_color=_no_color())


@app.command()
def diff(
    versions: Annotated[
        list[str],
        typer.Argument(
            help="Two plan ids (original refresh), or OLD [NEW]: register files or git revisions "
            "(HEAD~1, a tag, REV:path/to/actions.toml). One version compares with the current register.",
            metavar="VERSION",
        ),
    ],
    register: RegisterOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="text | json.")] = "text",
    stat: Annotated[bool, typer.Option("--stat", help="Only the summary counts.")] = False,
    exit_code: Annotated[bool, typer.Option("--exit-code", help="Exit 1 when there are differences.")] = False,
    fail_on_regression: Annotated[
        bool, typer.Option("--fail-on-regression", help="Exit 1 when a status moves out of complete.")
    ] = False,
    suggest: Annotated[bool, typer.Option("--suggest", help="Plans: add candidate links by text similarity.")] = False,
) -> None:
    """Compare two plans of the register, or two versions of it (files or git revisions)."""
    from jnap_cli import diff as diffs
    from jnap_cli import diff_render, revisions
    from jnap_cli.output import use_color
    from jnap_cli.register import exists, load, resolve_path

    path = resolve_path(register)
    color = use_color(sys.stdout, _no_color())
    current = load(path) if exists(path) or len(versions) != 2 else None
    if current is not None:
        versions = [_plan_id(current, arg) for arg in versions]
    if current is not None and revisions.classify(versions, current) == "plans":
        if exit_code or fail_on_regression:
            raise UsageError("--exit-code and --fail-on-regression compare versions, not plans")
        plan_diff = diffs.diff_plans(current, versions[0], versions[1], suggest=suggest)
        diff_render.render_plan_diff(plan_diff, fmt, out=sys.stdout, color=color, stat=stat)
        return
    if suggest:
        raise UsageError("--suggest compares plans, not versions", "give two plan ids: jnap diff original refresh")
    (old, _), (new, _) = revisions.read_versions(versions, path, current)
    version_diff = diffs.diff_versions(old, new)
    diff_render.render_version_diff(version_diff, fmt, out=sys.stdout, color=color, stat=stat)
    if (exit_code and diffs.has_differences(version_diff)) or (
        fail_on_regression and diffs.has_regression(version_diff)
    ):
        raise typer.Exit(ExitCode.FINDINGS)


def _plan_id(register: Any, arg: str) -> str:
    """A plan id as the register spells it when `arg` names one in another case (and is no file)."""
    from jnap_cli.register import exists

    for plan in register.plans:
        if plan.id.casefold() == arg.casefold() and not exists(Path(arg)):
            return str(plan.id)
    return arg


def _no_color() -> bool:
    return bool(_state["no_color"])


def _by_line(finding: Finding) -> int:
    return finding.line or 0


def main() -> None:
    """Entry point of the `jnap` script."""
    app()
