"""The register's schema as pydantic models: pure data, no I/O.

Strings and integers are strict (TOML `number = "4"` is an error, never coerced) and unknown keys are
rejected, so that a misspelt key is reported instead of silently dropped.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr


class Status(StrEnum):
    """Where an action stands, judged from its commentary (see the domain notes)."""

    COMPLETE = "complete"
    IN_PROGRESS = "in-progress"
    ONGOING = "ongoing"
    TRANSFERRED = "transferred"
    DEFERRED = "deferred"
    NOT_STARTED = "not-started"


STATUSES: tuple[str, ...] = tuple(s.value for s in Status)

_STRICT = ConfigDict(extra="forbid", frozen=True)

Identifier = Annotated[StrictStr, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=64)]


class Plan(BaseModel):
    """One of the plans the register covers (the original JNAP, the JNAP Refresh)."""

    model_config = _STRICT

    id: Identifier
    title: StrictStr
    year: StrictInt


class Action(BaseModel):
    """One action (original JNAP) or activity (JNAP Refresh), with its commentary and status."""

    model_config = _STRICT

    id: Identifier
    plan: Identifier
    number: Annotated[StrictInt, Field(ge=1)]
    theme: StrictStr
    text: StrictStr
    # Optional in the schema so that `jnap check` can report a missing commentary as a finding.
    commentary: StrictStr = ""
    status: Status
    status_evidence: StrictStr = ""
    continues: tuple[Identifier, ...] = ()
    references: tuple[StrictStr, ...] = ()
    annex_marker: StrictStr | None = None


class Register(BaseModel):
    """The whole register: metadata, plans and actions in the order the file gives them."""

    model_config = _STRICT

    title: StrictStr
    source: StrictStr
    plans: tuple[Plan, ...]
    actions: tuple[Action, ...]
