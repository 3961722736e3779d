"""The routine changes to a register, as edits the writer can make: a status, a commentary, a link.

Each function checks the change against the register as it stands (an unknown id is a usage error,
exit 2; a change that would break the register's own rules is refused, exit 3) and returns the
`Edit`s and a one-line summary of them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from jnap_cli.errors import UsageError, WriteRefused
from jnap_cli.model.schema import Action, Register
from jnap_cli.model.vocab import Severity, Status, StatusBasis
from jnap_cli.text import squash, unsafe_characters
from jnap_cli.writing.splice import Edit


@dataclass(frozen=True)
class Planned:
    """The edits of one command and what they do, in words."""

    edits: tuple[Edit, ...]
    summary: str


def text_argument(label: str, value: str) -> str:
    """`value` (given as `label`: `--evidence`, "the commentary") as it may go into the register: UTF-8,
    lines ended by LF, and no character that `jnap check` refuses in a register; else a usage error.

    One rule for every writer: `writing.splice` applies the same to whatever an edit adds."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8, as Python keeps them from the command line
        raise UsageError(f"{label} is not valid UTF-8", "give the text in UTF-8") from None
    value = value.replace("\r\n", "\n")  # a Windows line end: the register's own line ends are kept
    found = unsafe_characters(value)
    if found:
        raise UsageError(
            f"{label} contains {found[0]}",
            "the register's text may not hold control, bidirectional or zero-width characters",
        )
    return value


def set_status(
    register: Register,
    action_id: str,
    status: str,
    evidence: str,
    basis: str | None,
    quotes: dict[str, str] | None = None,
) -> Planned:
    """`status` with its `evidence`, which must be words of the commentary; and the `quotes` given
    (`handed_to`, `waits_on`: words of the commentary too; "" removes one, a field left out is kept)."""
    evidence = text_argument("--evidence", evidence)
    action = _action(register, action_id)
    _check_evidence(action.commentary, evidence, action.id)
    given = _quotes(action.id, action.commentary, quotes or {})
    edits = [Edit(action.id, "status", status), Edit(action.id, "status_evidence", evidence)]
    if basis is not None:
        edits.append(Edit(action.id, "status_basis", basis))
    edits += [Edit(action.id, name, value or None) for name, value in given.items()]
    changes = _status_change(action, status, evidence, basis) + _quote_changes(action, given)
    summary = ", ".join(changes) if changes else f"unchanged: already {status}, with that evidence"
    return Planned(tuple(edits), f"{action.id}: {summary}")


# The judgements that quote the commentary besides the status evidence, with the option that sets each.
QUOTE_OPTIONS = {"handed_to": "--handed-to", "waits_on": "--waits-on"}


def _quotes(action_id: str, commentary: str, quotes: dict[str, str]) -> dict[str, str]:
    """The `handed_to`/`waits_on` quotes given, checked: "" (remove it) or words of `commentary`."""
    checked = {}
    for name, given in quotes.items():
        option = QUOTE_OPTIONS[name]
        value = text_argument(option, given)
        if value and not value.strip():
            raise UsageError(f"blank {option}", f'quote the commentary, or give {option} "" to remove it')
        if value and squash(value) not in squash(commentary):
            raise WriteRefused(
                f"{action_id}: {option} {value!r} is not in the commentary", "quote the commentary word for word"
            )
        checked[name] = value
    return checked


def _quote_changes(action: Action, given: dict[str, str]) -> list[str]:
    """`handed to set`, `waits on replaced`, `handed to removed` for each quote that changes."""
    changed = []
    for name, value in given.items():
        old, words = getattr(action, name), name.replace("_", " ")
        if (value or None) == old:
            continue
        changed.append(f"{words} removed" if not value else f"{words} {'replaced' if old else 'set'}")
    return changed


def _status_change(action: Action, status: str, evidence: str, basis: str | None) -> list[str]:
    """What `set-status` changes in the status, in words: `status ongoing → complete`, `basis inferred →
    stated`, `status evidence replaced` (each that applies; none when it changes none of them)."""
    old_basis = action.status_basis.value if action.status_basis is not None else "unset"
    changed = [f"status {action.status.value} → {status}"] if status != action.status.value else []
    changed += [f"basis {old_basis} → {basis}"] if basis is not None and basis != old_basis else []
    if evidence != action.status_evidence:
        changed.append("status evidence replaced" if changed else f"status evidence replaced, status still {status}")
    return changed


def set_commentary(
    register: Register,
    action_id: str,
    text: str,
    *,
    append: bool = False,
    status: str | None = None,
    evidence: str | None = None,
    quotes: dict[str, str] | None = None,
) -> Planned:
    """The commentary replaced by `text`, or `text` added as a new paragraph; the status evidence must
    still be in it, unless a new `status`/`evidence` comes with it, and so must `handed_to` and `waits_on`,
    unless `quotes` gives them anew ("" removes one)."""
    text = text_argument("the commentary", text)
    evidence = text_argument("--evidence", evidence) if evidence is not None else None
    action = _action(register, action_id)
    if not text.strip():
        raise UsageError("the new commentary is empty", "give the words of the commentary")
    if evidence is None and not action.status_evidence.strip():
        raise UsageError(
            f"{action.id} has no status evidence to keep",
            "give --evidence QUOTE: the words of the new commentary that justify its status",
        )
    new = f"{action.commentary.rstrip()}\n\n{text.strip()}" if append and action.commentary.strip() else text.strip()
    quote = evidence if evidence is not None else action.status_evidence
    if evidence is None and status is None and squash(quote) not in squash(new):
        raise WriteRefused(
            f"{action.id}: the new commentary no longer contains the status evidence {quote!r}",
            "give a new --evidence (and --status) with it",
        )
    _check_evidence(new, quote, action.id)
    for name, option in QUOTE_OPTIONS.items():
        kept = getattr(action, name)
        if name not in (quotes or {}) and kept is not None and squash(kept) not in squash(new):
            raise WriteRefused(
                f"{action.id}: the new commentary no longer contains the {name} quote {kept!r}",
                f'give a new {option} with it, or {option} "" to remove it',
            )
    given = _quotes(action.id, new, quotes or {})
    edits = [Edit(action.id, "commentary", new)]
    if evidence is not None:
        edits.append(Edit(action.id, "status_evidence", evidence))
    if status is not None:
        edits.append(Edit(action.id, "status", status))
    edits += [Edit(action.id, name, value or None) for name, value in given.items()]
    what = ["a paragraph added to the commentary" if append else "commentary replaced"]
    return Planned(tuple(edits), f"{action.id}: {', '.join(what + _quote_changes(action, given))}")


def set_link(
    register: Register, action_id: str, target_id: str, relation: str, reason: str, *, remove: bool = False
) -> Planned:
    """A `continues` or `builds_on` link from `action_id` to `target_id` added, or removed."""
    reason = text_argument("--reason", reason)
    action = _action(register, action_id)
    target = _action(register, target_id)
    if relation == "continues":
        links: list[object] = [link for link in action.continues if link != target.id]
        value = links if remove else [*links, target.id]
        present = target.id in action.continues
    else:
        kept: list[object] = [
            {"id": link.id, "reason": link.reason} for link in action.builds_on if link.id != target.id
        ]
        value = kept if remove else [*kept, {"id": target.id, "reason": reason}]
        present = any(link.id == target.id for link in action.builds_on)
    if remove and not present:
        raise UsageError(f"{action.id} has no {relation} link to {target.id}")
    if not remove and present and relation == "continues":
        raise UsageError(f"{action.id} already continues {target.id}")
    verb = "removed" if remove else "added"
    return Planned((Edit(action.id, relation, value),), f"{action.id}: {relation} {target.id} {verb}")


def _action(register: Register, action_id: str) -> Action:
    from jnap_cli.query.select import resolve

    if not action_id.strip():
        raise UsageError("an empty id names no action", "give an id such as R4")
    return resolve(register, [action_id])[0]


def _check_evidence(commentary: str, evidence: str, action_id: str) -> None:
    if not evidence.strip():
        raise UsageError("empty --evidence", "quote the words of the commentary that justify the status")
    if squash(evidence) not in squash(commentary):
        raise WriteRefused(
            f"{action_id}: the evidence {evidence!r} is not in the commentary",
            "quote the commentary word for word",
        )


@dataclass(frozen=True)
class NewAction:
    """An action to add: its `[[actions]]` text, the action it goes after, and what it is, in words."""

    block: str
    after: str | None
    summary: str
    warnings: tuple[str, ...] = ()


def new_action(
    register: Register,
    plan: str,
    theme: str,
    text: str,
    *,
    number: int | None = None,
    commentary: str = "",
    status: str = "not-started",
    evidence: str = "",
    basis: str | None = None,
    quotes: dict[str, str] | None = None,
) -> NewAction:
    """The next action of `plan` (the next free number and id unless `number` is given), placed after
    the plan's last action; `quotes` (`handed_to`, `waits_on`) are words of its commentary."""
    import re

    import tomli_w

    from jnap_cli.query.select import check_plan

    plan_id = check_plan(register, plan)
    assert plan_id is not None
    theme, text = text_argument("--theme", theme), text_argument("--text", text)
    commentary, evidence = text_argument("--commentary", commentary), text_argument("--evidence", evidence)
    if not text.strip() or not theme.strip():
        raise UsageError("an action needs its --theme and --text", "copy them word for word from the plan")
    ours = [action for action in register.actions if action.plan == plan_id]
    taken = {action.number for action in ours}
    chosen = number if number is not None else max(taken, default=0) + 1
    if chosen in taken:
        raise UsageError(f"plan {plan_id!r} already has an action numbered {chosen}")
    prefixes = {match[1] for action in ours if (match := re.fullmatch(r"(.*?)(\d+)", action.id))}
    prefix = prefixes.pop() if len(prefixes) == 1 else plan_id[:1].upper()
    action_id = f"{prefix}{chosen}"
    if any(action.id.casefold() == action_id.casefold() for action in register.actions):
        raise UsageError(f"the id {action_id} is taken", "give another --number")
    if evidence:
        _check_evidence(commentary, evidence, action_id)
    given = {name: value for name, value in _quotes(action_id, commentary, quotes or {}).items() if value}
    entry: dict[str, object] = {"id": action_id, "plan": plan_id, "number": chosen, "theme": theme, "text": text}
    entry |= {"commentary": commentary, "status": status}
    if basis is not None:
        entry["status_basis"] = basis
    entry |= {"status_evidence": evidence, **given, "continues": []}
    block = tomli_w.dumps({"actions": [entry]}, multiline_strings="\n" in commentary)
    after = ours[-1].id if ours else (register.actions[-1].id if register.actions else None)
    added = Action(
        action_id, plan_id, chosen, theme, text, Status(status), commentary,
        StatusBasis(basis) if basis is not None else None, evidence, given.get("handed_to"), given.get("waits_on"),
    )  # fmt: skip
    summary = f"{action_id}: added to plan {plan_id} as number {chosen}"
    return NewAction(block, after, summary, _check_errors(register, added))


def _check_errors(register: Register, added: Action) -> tuple[str, ...]:
    """The errors `jnap check` will report on `added` (no commentary yet, no evidence): the register
    accepts such an action, so that a plan can be copied in before its progress is, but says so. Only
    the rules about the action itself run, on it alone: quick, whatever the register's size."""
    from jnap_cli.checks.rules import run_checks

    alone = replace(register, actions=(added,))
    return tuple(
        f"{added.id}: {finding.message} [{finding.code}]; `jnap check` fails until that is fixed"
        for finding in run_checks(alone)
        if finding.action_id == added.id and finding.severity is Severity.ERROR
    )
