"""Findings of `jnap check` → compiler-style lines, GitHub Actions annotations, or any record format.

Compiler-style lines are one line per finding wherever they go. On a terminal they are coloured
(the severity: errors red, warnings yellow; the location bold) unless NO_COLOR or `--no-color`
says not, and a line wider than the terminal wraps between words under its message, so that a
`path:line:` location is never cut in two. Piped, they are written as they are, unwrapped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from jnap_cli.model.finding import Finding
from jnap_cli.model.vocab import FindingFormat, RecordFormat, Severity
from jnap_cli.render.cells import to_json
from jnap_cli.render.records import Output, choose_fields, emit
from jnap_cli.render.terminal import console_width, isatty
from jnap_cli.render.views import FINDING
from jnap_cli.text import defuse_ci, escape_unsafe, one_line

SEVERITY_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow"}  # as compilers colour them
LOCATION = "bold"


def emit_findings(findings: Sequence[Finding], fmt: FindingFormat, output: Output) -> None:
    """One compiler-style line each (`text`), annotations (`github`), the document with its counts (`json`),
    or one record per finding in any other record format; `output` gives the fields, colour, stream and
    `--empty` (its format is `fmt`'s)."""
    stream = output.stream
    if fmt is FindingFormat.TEXT and (output.color or isatty(stream)):
        _terminal_lines(findings, stream, output.color)
    elif fmt is FindingFormat.TEXT:
        stream.writelines(compiler_line(f) + "\n" for f in findings)
    elif fmt is FindingFormat.GITHUB:
        stream.writelines(github_annotation(f) + "\n" for f in findings)
    elif fmt is FindingFormat.JSON:
        chosen = choose_fields(FINDING, output.fields, RecordFormat.JSON)
        document = {
            "findings": [{name: f.record()[name] for name in chosen} for f in findings],
            "errors": sum(f.severity == "error" for f in findings),
            "warnings": sum(f.severity == "warning" for f in findings),
        }
        stream.write(to_json(document, indent=2) + "\n")
    else:
        emit([f.record() for f in findings], FINDING, output.using(RecordFormat(fmt.value)))


def compiler_line(finding: Finding) -> str:
    """`path:line: action ID: field: severity: message [code]` on one line, whatever the path or message hold:
    newlines and tabs as `\\n` and `\\t`, unsafe characters as escapes, no word a CI log would run (`defuse_ci`)."""
    return "".join(text for text, _ in _parts(finding))


def _parts(finding: Finding) -> list[tuple[str, str]]:
    """The pieces of a compiler-style line, each with its style on a terminal: the location, the severity
    and the rest. Each piece is escaped on its own, as the whole line would be (each starts a word)."""
    location = defuse_ci(one_line(finding.location()))
    rest = defuse_ci(one_line(f"{finding.message} [{finding.code}]"))
    severity = (finding.severity.value, SEVERITY_STYLES.get(finding.severity, ""))
    head = [(location, LOCATION), (": ", "")] if location else []
    return [*head, severity, (": ", ""), (rest, "")]


def _terminal_lines(findings: Sequence[Finding], stream: IO[str], color: bool) -> None:
    """Compiler-style lines, coloured when `color`; on a terminal, wrapped between words after the location."""
    from rich.text import Text

    from jnap_cli.render.diff_text import Line, print_lines

    lines = []
    for finding in findings:
        parts = _parts(finding)
        line = Text()
        for text, style in parts:
            line.append(text, style if color else "")
        location = parts[0][0] if len(parts) == 5 else ""
        lines.append(Line(line, len(location) + 2 if location else 0))
    print_lines(lines, stream, color, console_width(stream) if isatty(stream) else None)


# GitHub's own escaping for workflow commands (actions/toolkit, packages/core/src/command.ts: escapeData and
# escapeProperty); the runner decodes exactly these (actions/runner, src/Runner.Common/ActionCommand.cs).
_DATA = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A"})
_PROPERTY = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"})


def _escape_data(text: str) -> str:
    # The runner decodes no escape for ESC or U+202E: they (and CR) are shown as `\x1b`, `<U+202E>` instead.
    return escape_unsafe(text).translate(_DATA)


def _escape_property(text: str) -> str:
    return escape_unsafe(text).translate(_PROPERTY)


def github_annotation(finding: Finding) -> str:
    """`::error file=…,line=…,title=…::message`, escaped as GitHub's workflow commands require, with control,
    bidi and zero-width characters shown as escapes (a path that holds them names no file GitHub could find)."""
    properties = {"file": finding.path, "line": finding.line, "title": finding.code}
    listed = ",".join(f"{key}={_escape_property(str(value))}" for key, value in properties.items() if value)
    subject = ": ".join(p for p in (f"action {finding.action_id}" if finding.action_id else "", finding.where()) if p)
    message = f"{subject}: {finding.message}" if subject else finding.message
    return f"::{finding.severity} {listed}::{_escape_data(message)}"
