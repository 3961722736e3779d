"""Every closed vocabulary of jnap, once: help, completion, validation and the docs all read these.

Plain `StrEnum`s with no pydantic, so that the command line can use them as choices at start-up.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where an action stands, judged from its commentary (see the README's status table)."""

    COMPLETE = "complete"
    IN_PROGRESS = "in-progress"
    ONGOING = "ongoing"
    TRANSFERRED = "transferred"
    DEFERRED = "deferred"
    NOT_STARTED = "not-started"


class ActionField(StrEnum):
    """The fields of an action record: the JSON keys, in display order."""

    ID = "id"
    PLAN = "plan"
    NUMBER = "number"
    THEME = "theme"
    TEXT = "text"
    COMMENTARY = "commentary"
    STATUS = "status"
    STATUS_EVIDENCE = "status_evidence"
    CONTINUES = "continues"
    CONTINUED_BY = "continued_by"
    REFERENCES = "references"
    ANNEX_MARKER = "annex_marker"


class SearchField(StrEnum):
    """The fields that `jnap search` looks in."""

    TEXT = "text"
    COMMENTARY = "commentary"
    THEME = "theme"


class RecordFormat(StrEnum):
    """How records are printed: every command that prints records takes every one of these."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    TSV = "tsv"
    MARKDOWN = "markdown"
    IDS = "ids"


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


class Severity(StrEnum):
    """How serious a finding is: errors fail `jnap check`, warnings only with `--strict`."""

    ERROR = "error"
    WARNING = "warning"


STATUSES: tuple[str, ...] = tuple(status.value for status in Status)
