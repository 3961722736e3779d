"""The rules of a register, registered in one place, and those that make it valid (`integrity`).

Each rule is declared once, where it is found: `@rule(code, severity, description)` on the function that
finds it (a function may find several), or `declare(...)` for what the loaders report while reading
(a schema problem, an unreadable file). `RULES` lists them in that order, which is the order of the
rules table in the docs. Integrity rules (`fatal`) make a register invalid: every command refuses it
(exit 2). The other rules (`checks.rules`) are what `jnap check` reports for CI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jnap_cli.model.finding import Finding
from jnap_cli.model.vocab import Severity

if TYPE_CHECKING:
    from jnap_cli.model.schema import Action, Register

Check = Callable[["Register"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A check rule: its stable code, severity, whether it invalidates the register, and what it means."""

    code: str
    severity: Severity
    fatal: bool
    description: str


RULES: dict[str, Rule] = {}
_FINDERS: dict[bool, list[Check]] = {True: [], False: []}  # fatal or not → the functions, in order


def declare(code: str, severity: Severity, description: str, *, fatal: bool = False) -> Rule:
    """Register the rule `code` (once): its severity, whether it is fatal, and what it finds."""
    if code in RULES:
        raise ValueError(f"rule {code!r} is registered twice")
    RULES[code] = Rule(code, severity, fatal, description)
    return RULES[code]


def rule(code: str, severity: Severity, description: str, *, fatal: bool = False) -> Callable[[Check], Check]:
    """Register the rule `code` and the function that finds it (stack it for a function with several)."""
    declare(code, severity, description, fatal=fatal)

    def register(function: Check) -> Check:
        if function not in _FINDERS[fatal]:
            _FINDERS[fatal].append(function)
        return function

    return register


def finders(*, fatal: bool) -> tuple[Check, ...]:
    """The registered functions of the fatal rules, or of the others, in the order they were registered."""
    return tuple(_FINDERS[fatal])


def finding(
    code: str,
    message: str,
    action: Action | None = None,
    index: int | None = None,
    field: str | None = None,
    *,
    plan: int | None = None,
) -> Finding:
    """A finding of rule `code` (its severity from the registry), about an action or a plan's field."""
    return Finding(code, RULES[code].severity, message, action.id if action else None, index, field, plan=plan)


def links(action: Action) -> Iterator[tuple[str, str]]:
    """Every link of an action: (field, target id)."""
    yield from (("continues", target) for target in action.continues)
    yield from (("builds_on", link.id) for link in action.builds_on)


# --- what the loaders report while reading ----------------------------------------------------------

declare("schema", Severity.ERROR, "the file breaks the schema: wrong type, unknown or missing key, bad id", fatal=True)
declare("unknown-status", Severity.ERROR, "a status outside the vocabulary", fatal=True)


# --- integrity --------------------------------------------------------------------------------------


@rule("duplicate-id", Severity.ERROR, "two actions (or two plans) share an id", fatal=True)
def duplicate_ids(register: Register) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for index, action in enumerate(register.actions):
        if action.id.casefold() in seen:
            yield finding("duplicate-id", f"id {action.id!r} is already used by an earlier action", action, index, "id")
        else:
            seen[action.id.casefold()] = index
    first_plan: dict[str, int] = {}
    for number, plan in enumerate(register.plans, start=1):
        if plan.id.casefold() in first_plan:  # plans are named case-insensitively on the command line
            message = f"plan id {plan.id!r} is already used by plans[{first_plan[plan.id.casefold()]}]"
            yield finding("duplicate-id", message, field="id", plan=number - 1)
        else:
            first_plan[plan.id.casefold()] = number


@rule("duplicate-number", Severity.ERROR, "two actions of one plan share a number", fatal=True)
@rule(
    "unknown-plan",
    Severity.ERROR,
    "an action, or the publication's introduction to a plan, names a plan the register does not define",
    fatal=True,
)
def plans_and_numbers(register: Register) -> Iterator[Finding]:
    plan_ids = {plan.id for plan in register.plans}
    known = ", ".join(sorted(plan_ids)) or "none"
    for number, introduction in enumerate(register.publication.introductions if register.publication else ()):
        if introduction.plan not in plan_ids:
            message = f"introduces plan {introduction.plan!r}, which is not defined (plans: {known})"
            yield finding("unknown-plan", message, field=f"publication.introductions.{number}.plan")
    seen: dict[tuple[str, int], str] = {}
    for index, action in enumerate(register.actions):
        if action.plan not in plan_ids:
            yield finding(
                "unknown-plan", f"plan {action.plan!r} is not defined (plans: {known})", action, index, "plan"
            )
        key = (action.plan, action.number)
        if key in seen:
            yield finding(
                "duplicate-number",
                f"number {action.number} of plan {action.plan!r} is already used by {seen[key]}",
                action,
                index,
                "number",
            )
        else:
            seen[key] = action.id


declare(
    "metadata-conflict",
    Severity.ERROR,
    "two files of a directory register give a different `title`, `source` or `[publication]`",
    fatal=True,
)


@rule(
    "link-unknown",
    Severity.ERROR,
    "`continues` or `builds_on` names an id that is not in the register",
    fatal=True,
)
def unknown_links(register: Register) -> Iterator[Finding]:
    ids = {action.id for action in register.actions}
    for index, action in enumerate(register.actions):
        for field, target in links(action):
            if target not in ids:
                verb = "continues" if field == "continues" else "builds on"
                yield finding("link-unknown", f"{verb} {target!r}, which is not in the register", action, index, field)


declare(
    "unreadable",
    Severity.ERROR,
    "the file cannot be read or parsed: missing, not a regular file, too large, not UTF-8, invalid TOML "
    "(with its line and column), or neither `[[plans]]` nor `[[actions]]`",
    fatal=True,
)


def integrity(register: Register) -> list[Finding]:
    """Findings that make the register invalid for every command."""
    return [found for function in finders(fatal=True) for found in function(register)]
