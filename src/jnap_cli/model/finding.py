"""A finding: one problem in a register, located. Plain data, shared by the loader, checks and renderer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jnap_cli.model.vocab import Severity


@dataclass(frozen=True)
class Finding:
    """A problem in a register: which rule, where (file, line, action or plan, field) and what.

    `index` is the action's position in the file, so duplicated ids can still be located; `plan` the
    plan's position (from 0) when the finding is about one of its keys (`field`), shown `plans[N].field`.
    """

    code: str
    severity: Severity
    message: str
    action_id: str | None = None
    index: int | None = None
    field: str | None = None
    path: str | None = None
    line: int | None = None
    plan: int | None = None

    def where(self) -> str | None:
        """The field as messages name it: `status`, `plans[2].title` (plans counted from 1), `plans[2]`."""
        if self.plan is None:
            return self.field
        return f"plans[{self.plan + 1}]" + (f".{self.field}" if self.field else "")

    def location(self) -> str:
        """`path:line: action ID: field` — the prefix of a compiler-style message."""
        where = f"{self.path}:{self.line}" if self.path and self.line else (self.path or "")
        parts = [where] if where else []
        if self.action_id:
            parts.append(f"action {self.action_id}")
        if self.where():
            parts.append(str(self.where()))
        return ": ".join(parts)

    def describe(self) -> str:
        """One compiler-style line: `path:line: action ID: field: error: message [code]`."""
        prefix = self.location()
        body = f"{self.severity}: {self.message} [{self.code}]"
        return f"{prefix}: {body}" if prefix else body

    def record(self) -> dict[str, Any]:
        """The finding's stable JSON shape (`jnap check --format json`)."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "action": self.action_id,
            "field": self.where(),
            "file": self.path,
            "line": self.line,
        }
