"""Every closed vocabulary of jnap, once: help, completion, validation and the docs all read these.

Plain `StrEnum`s with no pydantic, so that the command line can use them as choices at start-up.
"""

from __future__ import annotations

from enum import StrEnum

# What an id (of an action or a plan) may be: the schema validates it, `jnap init` checks `--plan` with it.
ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]*$"
ID_MAX_LENGTH = 64


class Status(StrEnum):
    """Where an action stands, judged from its commentary (see docs/keeping.md, "Status vocabulary")."""

    COMPLETE = "complete"
    IN_PROGRESS = "in-progress"
    ONGOING = "ongoing"
    TRANSFERRED = "transferred"
    DEFERRED = "deferred"
    NOT_STARTED = "not-started"


class StatusBasis(StrEnum):
    """Whether the commentary's own words say the status (the annex prints no status column), or the register
    concludes it from them (`docs/status-rubric.md`)."""

    STATED = "stated"
    INFERRED = "inferred"


class Origin(StrEnum):
    """Where a plan's title or year comes from: printed in the annex, or supplied by the register."""

    ANNEX = "annex"
    REGISTER = "register"


class ActionField(StrEnum):
    """The fields of an action record: the JSON keys, in display order."""

    ID = "id"
    PLAN = "plan"
    NUMBER = "number"
    THEME = "theme"
    TEXT = "text"
    COMMENTARY = "commentary"
    STATUS = "status"
    STATUS_BASIS = "status_basis"
    STATUS_EVIDENCE = "status_evidence"
    HANDED_TO = "handed_to"
    WAITS_ON = "waits_on"
    AS_OF = "as_of"
    CONTINUES = "continues"
    CONTINUED_BY = "continued_by"
    BUILDS_ON = "builds_on"
    BUILT_ON_BY = "built_on_by"
    REFERENCES = "references"
    ANNEX_MARKER = "annex_marker"
    PROVENANCE = "provenance"


# Which fields of an action are the annex's words and which the register's judgement (docs/keeping.md, "Provenance").
FROM_ANNEX: tuple[str, ...] = ("theme", "number", "text", "commentary", "references", "annex_marker")
JUDGED: tuple[str, ...] = (
    "status", "status_basis", "status_evidence", "handed_to", "waits_on", "continues", "builds_on",
)  # fmt: skip
# Worked out from other fields or other actions, not stored.
DERIVED: tuple[str, ...] = ("as_of", "continued_by", "built_on_by")


class RelationKind(StrEnum):
    """How one action relates to another: it carries it forward (`continues`), or uses what it delivered."""

    CONTINUES = "continues"
    BUILDS_ON = "builds_on"


class SearchField(StrEnum):
    """The fields that `jnap search` looks in."""

    TEXT = "text"
    COMMENTARY = "commentary"
    THEME = "theme"


class RecordFormat(StrEnum):
    """How records are printed: every command that prints records takes every one of these. `xlsx` is an
    Excel workbook, a binary file (`-o FILE`, or standard output when it is not a terminal)."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    TSV = "tsv"
    MARKDOWN = "markdown"
    IDS = "ids"
    XLSX = "xlsx"


class FindingFormat(StrEnum):
    """How `jnap check` prints findings: compiler-style text, GitHub annotations, or any record format.

    `json` is the findings document with its counts; the other record formats print one record per finding.
    """

    TEXT = "text"
    GITHUB = "github"
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    TSV = "tsv"
    MARKDOWN = "markdown"
    IDS = "ids"
    XLSX = "xlsx"


class DiffFormat(StrEnum):
    """How `jnap diff` prints a diff: text for people, or any record format.

    `json` is the whole diff document; the other record formats print one record per difference.
    """

    TEXT = "text"
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    TSV = "tsv"
    MARKDOWN = "markdown"
    IDS = "ids"
    XLSX = "xlsx"


class GraphFormat(StrEnum):
    """How `jnap graph` prints the relations: a Mermaid or Graphviz graph, or any record format (an edge list)."""

    MERMAID = "mermaid"
    DOT = "dot"
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    TSV = "tsv"
    MARKDOWN = "markdown"
    IDS = "ids"
    XLSX = "xlsx"


class Severity(StrEnum):
    """How serious a finding is: errors fail `jnap check`, warnings only with `--strict`."""

    ERROR = "error"
    WARNING = "warning"


STATUSES: tuple[str, ...] = tuple(status.value for status in Status)

# The record format a file's name asks for (`-o actions.xlsx`), where `--format` does not say.
SUFFIXES: dict[str, RecordFormat] = {
    ".xlsx": RecordFormat.XLSX,
    ".csv": RecordFormat.CSV,
    ".tsv": RecordFormat.TSV,
    ".json": RecordFormat.JSON,
    ".jsonl": RecordFormat.JSONL,
    ".ndjson": RecordFormat.JSONL,
    ".md": RecordFormat.MARKDOWN,
}


class ReportFormat(StrEnum):
    """How `jnap report` writes the register: one self-contained HTML page, or Markdown for a wiki or a pull request."""

    HTML = "html"
    MARKDOWN = "markdown"


class TermSource(StrEnum):
    """Where a glossary entry's expansion and description come from (`data/glossary.toml`)."""

    ANNEX = "annex"  # the annex's own words, quoted in `quotes`
    CITED = "cited"  # a named public source, `cited_title` at `cited_url`
