"""Findings of `jnap check` → compiler-style lines, GitHub Actions annotations, or any record format."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO

from jnap_cli.model.finding import Finding
from jnap_cli.model.vocab import FindingFormat, RecordFormat
from jnap_cli.render.cells import to_json
from jnap_cli.render.records import choose_fields, emit
from jnap_cli.render.views import FINDING
from jnap_cli.text import escape_unsafe


def emit_findings(
    findings: Sequence[Finding],
    fmt: FindingFormat,
    *,
    fields: str | None = None,
    color: bool = False,
    out: IO[str] | None = None,
    empty: str | None = None,
) -> None:
    """One compiler-style line each (`text`), annotations (`github`), the document with its counts (`json`),
    or one record per finding in any other record format."""
    stream = out if out is not None else sys.stdout
    if fmt is FindingFormat.TEXT:
        stream.writelines(escape_unsafe(f.describe()) + "\n" for f in findings)
    elif fmt is FindingFormat.GITHUB:
        stream.writelines(github_annotation(f) + "\n" for f in findings)
    elif fmt is FindingFormat.JSON:
        chosen = choose_fields(FINDING, fields, RecordFormat.JSON)
        document = {
            "findings": [{name: f.record()[name] for name in chosen} for f in findings],
            "errors": sum(f.severity == "error" for f in findings),
            "warnings": sum(f.severity == "warning" for f in findings),
        }
        stream.write(to_json(document, indent=2) + "\n")
    else:
        emit(
            [f.record() for f in findings],
            FINDING,
            fmt=RecordFormat(fmt.value),
            fields=fields,
            color=color,
            out=stream,
            empty=empty,
        )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(finding: Finding) -> str:
    """`::error file=…,line=…,title=…::message`, escaped as GitHub's workflow commands require."""
    properties = []
    if finding.path:
        properties.append(f"file={_escape_property(finding.path)}")
    if finding.line:
        properties.append(f"line={finding.line}")
    properties.append(f"title={_escape_property(finding.code)}")
    subject = ": ".join(p for p in (f"action {finding.action_id}" if finding.action_id else "", finding.field) if p)
    message = f"{subject}: {finding.message}" if subject else finding.message
    return f"::{finding.severity} {','.join(properties)}::{_escape_data(escape_unsafe(message))}"
