"""Small registers for tests, built as data and written with tomli-w.

Tests that need a register with one thing wrong start from `small()`, change one field with
`set_field` (or remove it with `drop_field`), and write it with `write`. They do not depend on the
wording of the shipped register, so editing `data/actions.toml` never breaks them.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import tomli_w

from jnap_cli.model import validation
from jnap_cli.model.schema import Register

Data = dict[str, Any]


def action(
    id: str,
    plan: str,
    number: int,
    *,
    theme: str = "Our People",
    text: str | None = None,
    commentary: str | None = None,
    status: str = "complete",
    status_evidence: str | None = None,
    continues: list[str] | None = None,
    **extra: Any,
) -> Data:
    """One action table with sensible, self-consistent defaults (its evidence is in its commentary)."""
    text = text if text is not None else f"Deliver training number {number} for the {plan} plan."
    commentary = commentary if commentary is not None else f"Training {number} has been delivered to every team."
    evidence = status_evidence if status_evidence is not None else commentary.split(" to ")[0]
    return {
        "id": id,
        "plan": plan,
        "number": number,
        "theme": theme,
        "text": text,
        "commentary": commentary,
        "status": status,
        "status_basis": "inferred",
        "status_evidence": evidence,
        "continues": continues if continues is not None else [],
        **extra,
    }


def small() -> Data:
    """Two plans, three actions each, one `continues` link (R2 → O2) and one resolvable reference (O3 → O1)."""
    return {
        "title": "Test register",
        "source": "Made for the tests",
        "plans": [
            {"id": "refresh", "title": "Refresh plan", "year": 2022},
            {"id": "original", "title": "Original plan", "year": 2021},
        ],
        "actions": [
            action("R1", "refresh", 1),
            action(
                "R2",
                "refresh",
                2,
                theme="Working with victims",
                text="Continue the victim liaison meetings with advocates.",
                commentary="Victim liaison meetings take place every month.\n\nAdvocates attend each meeting.",
                status="ongoing",
                status_evidence="Victim liaison meetings take place every month.",
                continues=["O2"],
            ),
            action("R3", "refresh", 3, status="in-progress", commentary="Work is under way in every area."),
            action("O1", "original", 1, theme="Supporting Victims"),
            action(
                "O2",
                "original",
                2,
                theme="Supporting Victims",
                text="Hold victim liaison meetings with advocates.",
                commentary="Victim liaison meetings were held.",
                status_evidence="Victim liaison meetings were held.",
            ),
            action(
                "O3",
                "original",
                3,
                theme="Casework Quality",
                text="Review the guidance (see action 1 under Supporting Victims).",
                references=["action 1 under Supporting Victims"],
            ),
        ],
    }


def find(data: Data, action_id: str) -> Data:
    """The action table with `action_id`; fails the test when there is none."""
    for entry in data["actions"]:
        if entry.get("id") == action_id:
            return entry  # type: ignore[no-any-return]
    raise AssertionError(f"no action {action_id!r} in the test register")


def set_field(data: Data, action_id: str, field: str, value: Any) -> Data:
    """A copy of `data` with one field of one action set (added when absent)."""
    changed = copy.deepcopy(data)
    find(changed, action_id)[field] = value
    return changed


def drop_field(data: Data, action_id: str, field: str) -> Data:
    """A copy of `data` without one field of one action."""
    changed = copy.deepcopy(data)
    del find(changed, action_id)[field]
    return changed


def write(path: Path, data: Data) -> Path:
    """Write `data` as TOML to `path` and return the path."""
    path.write_text(tomli_w.dumps(data, multiline_strings=True), encoding="utf-8")
    return path


def set_plan_field(data: Data, plan_id: str, field: str, value: Any) -> Data:
    """A copy of `data` with one field of one plan set (added when absent)."""
    changed = copy.deepcopy(data)
    for plan in changed["plans"]:
        if plan.get("id") == plan_id:
            plan[field] = value
            return changed
    raise AssertionError(f"no plan {plan_id!r} in the test register")


def add_action(data: Data, entry: Data) -> Data:
    """A copy of `data` with `entry` (see `action`) appended to its actions."""
    changed = copy.deepcopy(data)
    changed["actions"].append(copy.deepcopy(entry))
    return changed


def drop_action(data: Data, action_id: str) -> Data:
    """A copy of `data` without the action `action_id`; fails the test when there is none."""
    changed = copy.deepcopy(data)
    target = find(changed, action_id)
    changed["actions"] = [entry for entry in changed["actions"] if entry is not target]
    return changed


def write_text_with(path: Path, data: Data, old: str, new: str) -> Path:
    """Write `data` as `write` does, then replace the first `old` in the written text by `new`.

    For what tomli-w will not write: malformed TOML, raw control characters, a chosen escape or quoting.
    `old` must be in the written text (the test fails otherwise), so the edit cannot silently miss.
    """
    text = write(path, data).read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in the written register"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def split(data: Data, folder: Path, *, metadata: str = "register.toml") -> Path:
    """`data` as a directory register: `metadata` holds the title, source and publication, and one file
    per plan (`1-refresh.toml`, `2-original.toml`, in the register's order of plans) its `[[plans]]`
    table and its actions. Returns the directory."""
    folder.mkdir(parents=True, exist_ok=True)
    write(folder / metadata, {key: value for key, value in data.items() if key not in ("plans", "actions")})
    for number, plan in enumerate(data["plans"], start=1):
        ours = [entry for entry in data["actions"] if entry["plan"] == plan["id"]]
        write(folder / f"{number}-{plan['id']}.toml", {"plans": [plan], **({"actions": ours} if ours else {})})
    return folder


def made_up(*actions: dict[str, str]) -> Register:
    """A register of refresh activities R1, R2, … with the given fields (theme, text, commentary)."""
    entries = [
        {"id": f"R{n}", "plan": "refresh", "number": n, "theme": "", "text": "", "status": "complete", **fields}
        for n, fields in enumerate(actions, start=1)
    ]
    return validation.register(
        {
            "title": "made up",
            "source": "tests",
            "plans": [{"id": "refresh", "title": "JNAP Refresh", "year": 2022}],
            "actions": entries,
        }
    )
