"""Rules over a register → findings. Never prints, never exits.

Integrity rules (`fatal`) make a register invalid: every command refuses it (exit 2). The other
rules are what `jnap check` reports for CI (errors exit 1, warnings only with `--strict`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from jnap_cli.errors import UsageError
from jnap_cli.model.finding import Finding
from jnap_cli.model.schema import Action, Register
from jnap_cli.model.vocab import Severity
from jnap_cli.text import unsafe_characters


@dataclass(frozen=True)
class Rule:
    """A check rule: its stable code, severity, whether it invalidates the register, and what it means."""

    code: str
    severity: Severity
    fatal: bool
    description: str


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule("schema", Severity.ERROR, True, "the file breaks the schema: wrong type, unknown or missing key, bad id"),
        Rule("unknown-status", Severity.ERROR, True, "a status outside the vocabulary"),
        Rule("duplicate-id", Severity.ERROR, True, "two actions (or two plans) share an id"),
        Rule("duplicate-number", Severity.ERROR, True, "two actions of one plan share a number"),
        Rule("unknown-plan", Severity.ERROR, True, "an action names a plan the register does not define"),
        Rule("link-unknown", Severity.ERROR, True, "`continues` names an id that is not in the register"),
        Rule("commentary-missing", Severity.ERROR, False, "commentary missing, empty or whitespace-only"),
        Rule(
            "commentary-placeholder",
            Severity.ERROR,
            False,
            'commentary is a placeholder (TBC, TBD, TODO, n/a, -, …, "to follow")',
        ),
        Rule(
            "evidence-not-found",
            Severity.ERROR,
            False,
            "`status_evidence` is empty or not word for word in the commentary",
        ),
        Rule("missing-number", Severity.ERROR, False, "a plan's numbers have a gap (1, 2, 4)"),
        Rule("link-same-plan", Severity.ERROR, False, "`continues` links an action to one of its own plan"),
        Rule(
            "control-character",
            Severity.ERROR,
            False,
            "control, bidirectional-override or zero-width characters in a text",
        ),
        Rule(
            "reference-not-in-text", Severity.ERROR, False, "a `references` entry does not appear in the action's text"
        ),
        Rule(
            "unresolved-reference",
            Severity.WARNING,
            False,
            "a cross-reference does not resolve to an action of its plan (and theme)",
        ),
    )
}

# Compared after folding case and dropping everything but letters and digits, so that "TBC!",
# "(t.b.c.)", "[TODO]" and "N/A" all match; commentary with no letter or digit at all ("-", "…",
# "??") is a placeholder too.
PLACEHOLDERS = frozenset(
    {
        "tbc", "tbd", "tba", "todo", "fixme", "xxx", "na", "none", "nil", "null", "tofollow",
        "tobeconfirmed", "tobeadded", "tobedecided", "placeholder", "pending", "loremipsum",
    }
)  # fmt: skip


def is_placeholder(commentary: str) -> bool:
    """True for commentary that says nothing: TBC, TODO, n/a, "-", "…" and the like."""
    return re.sub(r"[\W_]+", "", commentary.casefold()) in PLACEHOLDERS | {""}


_TEXT_FIELDS = ("theme", "text", "commentary", "status_evidence", "references", "annex_marker")


def _finding(
    code: str, message: str, action: Action | None = None, index: int | None = None, field: str | None = None
) -> Finding:
    rule = RULES[code]
    return Finding(code, rule.severity, message, action.id if action else None, index, field)


def duplicate_ids(register: Register) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for index, action in enumerate(register.actions):
        if action.id.casefold() in seen:
            yield _finding(
                "duplicate-id",
                f"id {action.id!r} is already used by an earlier action",
                action,
                index,
                "id",
            )
        else:
            seen[action.id.casefold()] = index
    first_plan: dict[str, int] = {}
    for number, plan in enumerate(register.plans, start=1):
        if plan.id in first_plan:
            message = f"plan id {plan.id!r} is already used by plans[{first_plan[plan.id]}]"
            yield _finding("duplicate-id", message, field=f"plans[{number}].id")
        else:
            first_plan[plan.id] = number


def plans_and_numbers(register: Register) -> Iterator[Finding]:
    plan_ids = {plan.id for plan in register.plans}
    seen: dict[tuple[str, int], str] = {}
    for index, action in enumerate(register.actions):
        if action.plan not in plan_ids:
            known = ", ".join(sorted(plan_ids)) or "none"
            yield _finding(
                "unknown-plan", f"plan {action.plan!r} is not defined (plans: {known})", action, index, "plan"
            )
        key = (action.plan, action.number)
        if key in seen:
            yield _finding(
                "duplicate-number",
                f"number {action.number} of plan {action.plan!r} is already used by {seen[key]}",
                action,
                index,
                "number",
            )
        else:
            seen[key] = action.id


def unknown_links(register: Register) -> Iterator[Finding]:
    ids = {action.id for action in register.actions}
    for index, action in enumerate(register.actions):
        for target in action.continues:
            if target not in ids:
                yield _finding(
                    "link-unknown",
                    f"continues {target!r}, which is not in the register",
                    action,
                    index,
                    "continues",
                )


INTEGRITY: tuple[Callable[[Register], Iterable[Finding]], ...] = (
    duplicate_ids,
    plans_and_numbers,
    unknown_links,
)


def integrity(register: Register) -> list[Finding]:
    """Findings that make the register invalid for every command."""
    return [finding for rule in INTEGRITY for finding in rule(register)]


def commentary(register: Register) -> Iterator[Finding]:
    for index, action in enumerate(register.actions):
        stripped = action.commentary.strip()
        if not stripped:
            state = "empty" if action.commentary == "" else "whitespace only"
            yield _finding("commentary-missing", f"commentary is missing or {state}", action, index, "commentary")
        elif is_placeholder(stripped):
            yield _finding(
                "commentary-placeholder",
                f"commentary is a placeholder: {stripped!r}",
                action,
                index,
                "commentary",
            )


def evidence(register: Register) -> Iterator[Finding]:
    for index, action in enumerate(register.actions):
        quote = action.status_evidence
        if not quote.strip():
            yield _finding(
                "evidence-not-found",
                f"status {action.status.value!r} has no status_evidence",
                action,
                index,
                "status_evidence",
            )
        elif _squash(quote) not in _squash(action.commentary):
            yield _finding(
                "evidence-not-found",
                f"status_evidence {quote!r} is not in the commentary",
                action,
                index,
                "status_evidence",
            )


def number_gaps(register: Register) -> Iterator[Finding]:
    numbers: dict[str, set[int]] = defaultdict(set)
    for action in register.actions:
        numbers[action.plan].add(action.number)
    for plan, present in numbers.items():
        missing = sorted(set(range(1, max(present) + 1)) - present)
        if missing:
            shown = ", ".join(str(n) for n in missing)
            yield _finding("missing-number", f"plan {plan!r} has no action numbered {shown}", field="number")


def same_plan_links(register: Register) -> Iterator[Finding]:
    plan_of = {action.id: action.plan for action in register.actions}
    for index, action in enumerate(register.actions):
        for target in action.continues:
            if plan_of.get(target) == action.plan:
                yield _finding(
                    "link-same-plan",
                    f"continues {target}, which is in the same plan ({action.plan!r})",
                    action,
                    index,
                    "continues",
                )


def control_characters(register: Register) -> Iterator[Finding]:
    for index, action in enumerate(register.actions):
        for name in _TEXT_FIELDS:
            value = getattr(action, name) or ""
            values = value if isinstance(value, tuple) else (value,)
            found = unsafe_characters("".join(values))
            if found:
                yield _finding("control-character", f"contains {', '.join(found)}", action, index, name)
    for number, plan in enumerate(register.plans, start=1):
        found = unsafe_characters(plan.title)
        if found:
            yield _finding("control-character", f"contains {', '.join(found)}", field=f"plans[{number}].title")
    for name in ("title", "source"):
        found = unsafe_characters(getattr(register, name))
        if found:
            yield _finding("control-character", f"contains {', '.join(found)}", field=name)


_REFERENCE = re.compile(r"\baction\s+(?P<number>\d+)(?:\s+under\s+(?P<theme>[^)]+?))?\s*$", re.IGNORECASE)


def references(register: Register) -> Iterator[Finding]:
    for index, action in enumerate(register.actions):
        for reference in action.references:
            if _squash(reference) not in _squash(action.text + " " + action.commentary):
                yield _finding(
                    "reference-not-in-text",
                    f"reference {reference!r} is not in the text",
                    action,
                    index,
                    "references",
                )
                continue
            problem = _resolve(register, action, reference)
            if problem:
                yield _finding(
                    "unresolved-reference",
                    f"{reference!r} does not resolve: {problem}",
                    action,
                    index,
                    "references",
                )


def _resolve(register: Register, source: Action, reference: str) -> str | None:
    """None when `reference` names an action of the same plan (and theme), else why it does not."""
    match = _REFERENCE.search(reference)
    if not match:
        return "it does not read 'action N' or 'action N under THEME'"
    number = int(match["number"])
    target = next((a for a in register.actions if a.plan == source.plan and a.number == number), None)
    if target is None:
        return f"plan {source.plan!r} has no action {number}"
    theme = match["theme"]
    if theme and not _theme_matches(theme, target.theme):
        return f"action {target.id} is under {target.theme!r}"
    return None


def _theme_matches(written: str, theme: str) -> bool:
    """'Supp Victims' matches 'Supporting Victims': each written word begins the theme's word."""
    words = [w for w in re.split(r"\W+", written.casefold().replace("&", "and")) if w]
    target = [w for w in re.split(r"\W+", theme.casefold().replace("&", "and")) if w]
    return len(words) == len(target) and all(t.startswith(w) for w, t in zip(words, target, strict=True))


def _squash(text: str) -> str:
    return " ".join(text.split())


CHECKS: tuple[Callable[[Register], Iterable[Finding]], ...] = (
    commentary,
    evidence,
    number_gaps,
    same_plan_links,
    control_characters,
    references,
)


def run_checks(register: Register) -> list[Finding]:
    """Every non-integrity finding, in rule order, then action order."""
    return [finding for rule in CHECKS for finding in rule(register)]


def select(findings: list[Finding], include: set[str] | None, exclude: set[str]) -> list[Finding]:
    """Keep the findings whose code is in `include` (all when None) and not in `exclude`."""
    return [f for f in findings if (include is None or f.code in include) and f.code not in exclude]


def parse_codes(values: list[str] | None) -> set[str] | None:
    """`--select a,b --select c` → {a, b, c}; unknown codes are a usage error listing the known ones."""
    if values is None:
        return None
    codes = {code.strip() for value in values for code in value.split(",") if code.strip()}
    if not codes:  # an empty $CODES in CI must not switch every rule off
        raise UsageError("no rule code given", f"known codes: {', '.join(RULES)}")
    unknown = sorted(codes - RULES.keys())
    if unknown:
        raise UsageError(f"unknown rule code {', '.join(unknown)}", f"known codes: {', '.join(RULES)}")
    return codes
