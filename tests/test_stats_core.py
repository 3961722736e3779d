"""The core of `jnap stats` and `jnap graph`: tallies, status changes, edges and neighbourhoods."""

from __future__ import annotations

from pathlib import Path

import pytest

from jnap_cli.diff.status import status_changes
from jnap_cli.errors import UsageError
from jnap_cli.model.schema import Register
from jnap_cli.model.vocab import RelationKind, Status
from jnap_cli.query.graph import Edge, around, edge_records, edges
from jnap_cli.query.records import plan_records
from jnap_cli.query.select import select
from jnap_cli.query.stats import Tally, tallies, tally_records
from jnap_cli.register.source import load

from .conftest import DATA
from .registers import Data, add_action, set_field, small, write


def _small(tmp_path: Path, data: Data | None = None, name: str = "small.toml") -> Register:
    return load(write(tmp_path / name, data or small()))


def test_tallies_plan_then_its_themes_in_first_seen_order() -> None:
    rows = tallies(load(DATA))
    assert [(t.scope, t.plan, t.theme) for t in rows][:3] == [
        ("plan", "refresh", None),
        ("theme", "refresh", "Our People"),
        ("theme", "refresh", "Building a strong case as early as possible"),
    ]
    assert [t.plan for t in rows if t.scope == "plan"] == ["refresh", "original"]
    refresh = rows[0]
    assert list(refresh.counts) == list(Status)  # every status, vocabulary order, zeros included
    assert (refresh.total, refresh.complete, refresh.share) == (20, 12, 0.6)
    assert refresh.counts[Status.NOT_STARTED] == 0
    assert refresh.ids == tuple(f"R{n}" for n in range(1, 21))
    assert rows[1].ids == ("R1", "R2", "R3", "R4", "R5")


def test_plan_tallies_agree_with_plans_command() -> None:
    register = load(DATA)
    by_plan = {t.plan: t for t in tallies(register) if t.scope == "plan"}
    for record in plan_records(register):
        tally = by_plan[record["id"]]
        assert record["actions"] == tally.total
        assert all(record[status.value] == tally.counts[status] for status in Status)


def test_theme_rows_sum_to_their_plan() -> None:
    rows = tallies(load(DATA))
    for plan in (t for t in rows if t.scope == "plan"):
        themes = [t for t in rows if t.scope == "theme" and t.plan == plan.plan]
        assert sum(t.total for t in themes) == plan.total
        assert sum(t.complete for t in themes) == plan.complete


def test_tallies_of_a_selection_leave_out_plans_without_selected_actions() -> None:
    register = load(DATA)
    rows = tallies(register, select(register, statuses=["deferred"]))
    assert [(t.scope, t.plan, t.theme, t.total) for t in rows] == [
        ("plan", "refresh", None, 2),
        ("theme", "refresh", "Building a strong case as early as possible", 1),
        ("theme", "refresh", "Working together to improve our engagement with victims", 1),
    ]
    assert tallies(register, []) == []


def test_tallies_of_a_register_without_actions_show_its_plans_with_zeros(tmp_path: Path) -> None:
    data = small()
    data["actions"] = []
    rows = tallies(_small(tmp_path, data))
    assert [(t.scope, t.plan, t.total, t.share) for t in rows] == [
        ("plan", "refresh", 0, 0.0),
        ("plan", "original", 0, 0.0),
    ]


def test_tally_records_shape() -> None:
    tally = Tally("theme", "refresh", "Our People", {Status.COMPLETE: 2, Status.ONGOING: 1}, ("R1", "R2", "R3"))
    assert tally_records([tally]) == [
        {
            "scope": "theme",
            "plan": "refresh",
            "theme": "Our People",
            "total": 3,
            "complete": 2,
            "in-progress": 0,
            "ongoing": 1,
            "transferred": 0,
            "deferred": 0,
            "not-started": 0,
            "share": 0.6667,
            "ids": ["R1", "R2", "R3"],
        }
    ]


def test_status_changes_summed_per_plan(tmp_path: Path) -> None:
    old = small()
    new = set_field(old, "R2", "status", "complete")
    new = set_field(new, "R3", "status", "complete")
    new = set_field(new, "O1", "status", "ongoing")
    changes = status_changes(_small(tmp_path, old, "old.toml"), _small(tmp_path, new, "new.toml"))
    assert [(c.plan, c.old, c.new, c.count, c.regression, c.ids) for c in changes] == [
        ("refresh", "in-progress", "complete", 1, False, ("R3",)),
        ("refresh", "ongoing", "complete", 1, False, ("R2",)),
        ("original", "complete", "ongoing", 1, True, ("O1",)),
    ]


def test_status_changes_of_selected_actions(tmp_path: Path) -> None:
    old = small()
    new = set_field(set_field(old, "R2", "status", "complete"), "O1", "status", "ongoing")
    changes = status_changes(_small(tmp_path, old, "old.toml"), _small(tmp_path, new, "new.toml"), {"O1", "O2"})
    assert [(c.plan, c.old, c.new, c.ids) for c in changes] == [("original", "complete", "ongoing", ("O1",))]


def test_status_changes_none_when_same() -> None:
    register = load(DATA)
    assert status_changes(register, register) == []


def test_edges_in_register_order_with_kind_and_reason() -> None:
    found = edges(load(DATA))
    assert found[:3] == [
        Edge("R2", "O9", RelationKind.BUILDS_ON, found[0].reason),
        Edge("R4", "O23", RelationKind.CONTINUES),
        Edge("R5", "O20", RelationKind.CONTINUES),
    ]
    assert found[0].reason.startswith("puts reflective practice")
    assert edge_records(found[1:2]) == [{"source": "R4", "target": "O23", "kind": "continues", "reason": ""}]


def test_edges_keep_only_links_with_both_ends_selected() -> None:
    register = load(DATA)
    assert [(e.source, e.target) for e in edges(register, {"R8", "R9", "O18"})] == [
        ("R8", "O18"),
        ("R8", "R9"),
    ]
    assert edges(register, {"R4"}) == []


def test_around_follows_links_both_ways(tmp_path: Path) -> None:
    register = load(DATA)
    assert around(register, "r9", 0) == {"R9"}
    assert around(register, "R9", 1) == {"R9", "R8", "R10", "R11", "R18"}
    assert around(register, "O18", 2) == {"O18", "R8", "R9"}
    assert around(register, "O24", 3) == {"O24"}  # no links


def test_around_unknown_id_and_negative_depth_are_usage_errors() -> None:
    register = load(DATA)
    with pytest.raises(UsageError, match="no action 'R99'"):
        around(register, "R99", 1)
    with pytest.raises(UsageError, match="--depth"):
        around(register, "R4", -1)


def test_edges_on_a_small_register(tmp_path: Path) -> None:
    data = add_action(
        small(), {**small()["actions"][0], "id": "R9", "number": 9, "builds_on": [{"id": "R2", "reason": "why"}]}
    )
    found = edges(_small(tmp_path, data))
    assert found == [Edge("R2", "O2", RelationKind.CONTINUES), Edge("R9", "R2", RelationKind.BUILDS_ON, "why")]
