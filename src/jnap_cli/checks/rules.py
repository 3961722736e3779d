"""The rules `jnap check` reports for CI (errors exit 1, warnings only with `--strict`): findings over a
register. Never prints, never exits.

Each rule is registered once, on the function that finds it (`model.integrity.rule`), after the
integrity rules there (which make a register invalid for every command); `RULES` is the whole registry.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

from jnap_cli.errors import UsageError
from jnap_cli.model.finding import Finding
from jnap_cli.model.integrity import RULES, Rule, finders, links, rule
from jnap_cli.model.integrity import finding as _finding
from jnap_cli.model.schema import Action, Register
from jnap_cli.model.vocab import Severity, Status
from jnap_cli.text import squash, unsafe_characters

__all__ = ["RULES", "Rule", "is_placeholder", "missing_ranges", "parse_codes", "quoted", "run_checks", "select"]

# What `commentary-placeholder` catches (the rule's description, and so the rules table of docs/ci.md, lists them all).
# Whole forms are compared after folding case and dropping everything but letters and digits, so
# "TBC!", "(t.b.c.)", "[TODO]" and "N/A" all match; commentary with no letter or digit at all ("-",
# "…", "??") is a placeholder too.
PLACEHOLDER_WHOLE: tuple[str, ...] = (
    "TBC", "TBD", "TBA", "TODO", "FIXME", "XXX", "n/a", "none", "nil", "null", "pending", "placeholder",
    "lorem ipsum", "to be confirmed", "to be added", "to be decided",
)  # fmt: skip
# Words that begin a placeholder whatever follows them: "TODO: write", "TBC - awaiting figures".
PLACEHOLDER_LABELS: tuple[str, ...] = ("TODO", "TBC", "TBD", "TBA", "FIXME", "XXX")
# Phrases that begin a placeholder when punctuation or the end follows them: "Update to follow.",
# "To follow: figures"; real commentary such as "To follow up the review, …" does not match.
PLACEHOLDER_LEADS: tuple[str, ...] = (
    "to follow", "update to follow", "updates to follow", "details to follow", "more to follow",
    "commentary to follow",
)  # fmt: skip


def _fold(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


_WHOLE = frozenset(_fold(form) for form in PLACEHOLDER_WHOLE) | {""}
_LEADING = re.compile(
    r"[\W_]*(?:(?:"
    + "|".join(re.escape(label) for label in PLACEHOLDER_LABELS)
    + r")\b|(?:"
    + "|".join(r"\s+".join(re.escape(word) for word in lead.split()) for lead in PLACEHOLDER_LEADS)
    + r")(?=\s*(?:$|[^\w\s-]|-(?!\w))))",  # then punctuation or the end, but not "-up"
    re.IGNORECASE,
)


def is_placeholder(commentary: str) -> bool:
    """True for commentary that says nothing: TBC, "TODO: write", n/a, "-", "…", "Update to follow." and the like."""
    return _fold(commentary) in _WHOLE or _LEADING.match(commentary.strip()) is not None


def _either(words: Iterable[str]) -> str:
    """'a, b or c'."""
    *rest, last = words
    return f"{', '.join(rest)} or {last}" if rest else last


_QUOTED_LEADS = [f'"{lead}"' for lead in PLACEHOLDER_LEADS]
_PLACEHOLDER_RULE = (
    f"commentary is a placeholder: all of it is {_either(PLACEHOLDER_WHOLE)} (case and punctuation ignored), "
    f'or it has no letter or digit ("-", "…"); or it begins with the word {_either(PLACEHOLDER_LABELS)}, or '
    f"with {_either(_QUOTED_LEADS)} then punctuation or its end"
)


_TEXT_FIELDS = ("theme", "text", "commentary", "status_evidence", "handed_to", "waits_on", "references", "annex_marker")
# The judgements that quote the commentary besides `status_evidence`: where work went, what it waits on.
QUOTES = ("handed_to", "waits_on")
WAITING_STATUSES = frozenset({Status.DEFERRED, Status.IN_PROGRESS})  # what `waits_on` is for


def quoted(quote: str, action: Action) -> bool:
    """Whether `quote` is word for word in the action's commentary (runs of whitespace count as one space):
    how every quote of the register is found."""
    return squash(quote) in squash(action.commentary)


def _real_commentary(action: Action) -> bool:
    """False when `commentary-missing` or `commentary-placeholder` reports the commentary."""
    stripped = action.commentary.strip()
    return bool(stripped) and not is_placeholder(stripped)


MAX_GAPS_SHOWN = 20  # a finding is one line: a register with gaps everywhere gets a count of the rest


@rule("commentary-missing", Severity.ERROR, "commentary missing, empty or whitespace-only")
@rule("commentary-placeholder", Severity.ERROR, _PLACEHOLDER_RULE)
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


@rule(
    "evidence-not-found",
    Severity.ERROR,
    "`status_evidence` is empty or not word for word in the commentary (checked only when the "
    "commentary is real: a missing or placeholder commentary is reported as that alone)",
)
def evidence(register: Register) -> Iterator[Finding]:
    for index, action in enumerate(register.actions):
        if not _real_commentary(action):
            continue  # the root cause is the commentary: reported once, by `commentary`
        quote = action.status_evidence
        if not quote.strip():
            yield _finding(
                "evidence-not-found",
                f"status {action.status.value!r} has no status_evidence",
                action,
                index,
                "status_evidence",
            )
        elif not quoted(quote, action):
            yield _finding(
                "evidence-not-found",
                f"status_evidence {quote!r} is not in the commentary",
                action,
                index,
                "status_evidence",
            )


@rule(
    "status-basis-missing",
    Severity.WARNING,
    "a status says neither `stated` nor `inferred` in `status_basis` (see docs/status-rubric.md)",
)
def status_basis(register: Register) -> Iterator[Finding]:
    for index, action in enumerate(register.actions):
        if action.status_basis is None:
            message = f"status {action.status.value!r} has no status_basis (stated or inferred)"
            yield _finding("status-basis-missing", message, action, index, "status_basis")


@rule(
    "quote-not-found",
    Severity.ERROR,
    "`handed_to` or `waits_on` is not word for word in the commentary (matched as `evidence-not-found` "
    "matches, and checked only when the commentary is real)",
)
def quotes(register: Register) -> Iterator[Finding]:
    for index, action in enumerate(register.actions):
        if not _real_commentary(action):
            continue  # the root cause is the commentary: reported once, by `commentary`
        for name in QUOTES:
            quote = getattr(action, name)
            if quote is not None and not quoted(quote, action):
                yield _finding("quote-not-found", f"{name} {quote!r} is not in the commentary", action, index, name)


@rule(
    "handed-to-missing",
    Severity.WARNING,
    "a `transferred` action does not quote in `handed_to` the body or group its work went to",
)
@rule("waits-on-status", Severity.WARNING, "`waits_on` on an action that is neither `deferred` nor `in-progress`")
def hand_offs(register: Register) -> Iterator[Finding]:
    for index, action in enumerate(register.actions):
        if action.status is Status.TRANSFERRED and action.handed_to is None:
            message = "status 'transferred' does not say where the work went (handed_to)"
            yield _finding("handed-to-missing", message, action, index, "handed_to")
        if action.waits_on is not None and action.status not in WAITING_STATUSES:
            message = f"waits_on on a {action.status.value!r} action: only a deferred or in-progress one waits"
            yield _finding("waits-on-status", message, action, index, "waits_on")


@rule(
    "missing-number",
    Severity.ERROR,
    "a plan's numbers have a gap (1, 2, 4), shown as ranges (3, 5–9); at most "
    f"{MAX_GAPS_SHOWN} gaps are listed, then how many more",
)
def number_gaps(register: Register) -> Iterator[Finding]:
    numbers: dict[str, set[int]] = defaultdict(set)
    for action in register.actions:
        numbers[action.plan].add(action.number)
    for plan, present in numbers.items():
        gaps = missing_ranges(present)
        if gaps:
            shown = ", ".join(_range_text(first, last) for first, last in gaps[:MAX_GAPS_SHOWN])
            more = len(gaps) - MAX_GAPS_SHOWN
            if more > 0:
                shown += f" and {more} more gap{'s' if more > 1 else ''}"
            yield _finding("missing-number", f"plan {plan!r} has no action numbered {shown}", field="number")


def missing_ranges(present: Iterable[int]) -> list[tuple[int, int]]:
    """The runs of numbers from 1 to the largest that are not in `present`, as (first, last) pairs.

    Computed from the sorted numbers, so the cost is that of sorting them, whatever their values.
    """
    gaps = []
    expected = 1
    for number in sorted(set(present)):
        if number > expected:
            gaps.append((expected, number - 1))
        expected = max(expected, number + 1)
    return gaps


def _range_text(first: int, last: int) -> str:
    """3; 3, 4; 3–9."""
    if first == last:
        return str(first)
    return f"{first}, {last}" if last == first + 1 else f"{first}–{last}"


@rule("link-same-plan", Severity.ERROR, "`continues` links an action to one of its own plan")
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


@rule("link-self", Severity.ERROR, "`continues` or `builds_on` links an action to itself")
def self_links(register: Register) -> Iterator[Finding]:
    for index, action in enumerate(register.actions):
        for field, target in links(action):
            if target == action.id:
                yield _finding("link-self", f"{field} names the action itself", action, index, field)


@rule("control-character", Severity.ERROR, "control, bidirectional-override or zero-width characters in a text")
def control_characters(register: Register) -> Iterator[Finding]:
    for index, action in enumerate(register.actions):
        for name in _TEXT_FIELDS:
            value = getattr(action, name) or ""
            values = value if isinstance(value, tuple) else (value,)
            found = unsafe_characters("".join(values))
            if found:
                yield _finding("control-character", f"contains {', '.join(found)}", action, index, name)
        found = unsafe_characters("".join(link.reason for link in action.builds_on))
        if found:
            yield _finding("control-character", f"contains {', '.join(found)}", action, index, "builds_on")
    for number, plan in enumerate(register.plans, start=1):
        for name in ("title", "commentary_source"):
            found = unsafe_characters(getattr(plan, name) or "")
            if found:
                yield _finding("control-character", f"contains {', '.join(found)}", field=name, plan=number - 1)
    texts = {"title": register.title, "source": register.source}
    if register.publication is not None:
        texts |= {"publication.title": register.publication.title, "publication.text": register.publication.text}
        for number, sentence in enumerate(register.publication.introductions):
            texts[f"publication.introductions.{number}.text"] = sentence.text
    for name, text in texts.items():
        found = unsafe_characters(text)
        if found:
            yield _finding("control-character", f"contains {', '.join(found)}", field=name)


_REFERENCE = re.compile(r"\baction\s+(?P<number>\d{1,18})(?!\d)(?:\s+under\s+(?P<theme>[^)]+?))?\s*$", re.IGNORECASE)


@rule("reference-not-in-text", Severity.ERROR, "a `references` entry does not appear in the action's text")
@rule(
    "unresolved-reference", Severity.WARNING, "a cross-reference does not resolve to an action of its plan (and theme)"
)
def references(register: Register) -> Iterator[Finding]:
    by_number: dict[tuple[str, int], Action] = {}
    for action in register.actions:
        by_number.setdefault((action.plan, action.number), action)
    for index, action in enumerate(register.actions):
        for reference in action.references:
            if squash(reference) not in squash(action.text + " " + action.commentary):
                yield _finding(
                    "reference-not-in-text",
                    f"reference {reference!r} is not in the text",
                    action,
                    index,
                    "references",
                )
                continue
            problem = _resolve(by_number, action, reference)
            if problem:
                yield _finding(
                    "unresolved-reference",
                    f"{reference!r} does not resolve: {problem}",
                    action,
                    index,
                    "references",
                )


def _resolve(by_number: dict[tuple[str, int], Action], source: Action, reference: str) -> str | None:
    """None when `reference` names an action of the same plan (and theme), else why it does not.

    `by_number` maps (plan, number) to the first action with them.
    """
    match = _REFERENCE.search(reference)
    if not match:
        return "it does not read 'action N' or 'action N under THEME'"
    number = int(match["number"])
    target = by_number.get((source.plan, number))
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


def run_checks(register: Register) -> list[Finding]:
    """Every non-integrity finding, in rule order, then action order."""
    return [found for function in finders(fatal=False) for found in function(register)]


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
