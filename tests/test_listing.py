"""`jnap list --limit N` from the cache: the first N matches read one action at a time (`query.listing`).

The fast path must print what reading the whole register prints, for every combination of filters,
and must not read the actions after the Nth match.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jnap_cli.cli.options import Filters
from jnap_cli.errors import UsageError
from jnap_cli.model.vocab import Status, StatusBasis
from jnap_cli.query.listing import first_records
from jnap_cli.query.records import Record, records
from jnap_cli.register import cache
from jnap_cli.register.load import load_file
from jnap_cli.register.paths import default_path

from .conftest import Run

SHIPPED = default_path()
REGISTER = load_file(SHIPPED, cache=False)
PLANS = [plan.id for plan in REGISTER.plans]
THEME_WORDS = sorted({word for action in REGISTER.actions for word in action.theme.split()})

filters = st.builds(
    Filters,
    plan=st.none() | st.sampled_from([*PLANS, "REFRESH", "nowhere"]),
    theme=st.none() | st.sampled_from([*THEME_WORDS, "", "zzz", "VICTIM"]),
    statuses=st.none() | st.lists(st.sampled_from(list(Status)), max_size=3),
    not_statuses=st.none() | st.lists(st.sampled_from(list(Status)), max_size=2),
    basis=st.none() | st.sampled_from(list(StatusBasis)),
    handed_off=st.booleans(),
    waiting=st.booleans(),
)


def whole(chosen: Filters, limit: int) -> list[Record] | str:
    """What reading the whole register gives: the records, or the usage error's message."""
    try:
        return records(REGISTER, chosen.select(REGISTER))[:limit]
    except UsageError as exc:
        return exc.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chosen=filters, limit=st.integers(1, 60))
def test_the_first_records_from_the_cache_are_those_of_the_whole_register(chosen: Filters, limit: int) -> None:
    load_file(SHIPPED)  # the cache, built once (XDG_CACHE_HOME is the session's)
    expected = whole(chosen, limit)
    if isinstance(expected, str) and not expected.startswith("no theme contains"):
        with pytest.raises(UsageError) as raised:  # an unknown plan or status: the same error
            first_records(SHIPPED, chosen, limit)
        assert raised.value.message == expected
        return
    fast = first_records(SHIPPED, chosen, limit)
    if expected == [] or isinstance(expected, str):
        assert fast is None  # no match, or a theme no action has: the whole register says which
    else:
        assert fast == expected


def test_list_with_a_limit_reads_no_action_after_the_last_it_prints(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("list", "--limit", "1")  # the cache, built
    read: list[str] = []
    checked = cache._action

    def counted(document: object) -> object:
        action = checked(document)
        read.append(action.id)
        return action

    monkeypatch.setattr(cache, "_action", counted)
    first_two = [a.id for a in REGISTER.actions if a.status is Status.ONGOING][:2]
    result = run("list", "--status", "ongoing", "--limit", "2", "--format", "ids")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == first_two
    position = [a.id for a in REGISTER.actions].index(first_two[-1])
    assert read == [a.id for a in REGISTER.actions[: position + 1]]  # up to the second match, no further
    read.clear()
    assert run("list", "--status", "ongoing", "--limit", "2", "--sort", "id", "--format", "ids").exit_code == 0
    assert len(read) == len(REGISTER.actions)  # a sort needs every action


def test_a_damaged_action_after_the_limit_is_not_read_and_one_before_it_reads_the_file(
    run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "actions.toml"
    path.write_bytes(SHIPPED.read_bytes())
    expected = run("--no-cache", "list", "-r", str(path), "--limit", "3", "-f", "json").stdout
    assert run("list", "-r", str(path), "--limit", "1").exit_code == 0  # the cache, built
    entry = cache.entry_path(path)
    with sqlite3.connect(entry) as db:
        db.execute("UPDATE actions SET document = 'not json' WHERE ord = 10")
    assert run("list", "-r", str(path), "--limit", "3", "-f", "json").stdout == expected
    assert entry.exists()  # the damage is after the third: never read
    with sqlite3.connect(entry) as db:
        db.execute("UPDATE actions SET document = ? WHERE ord = 1", (json.dumps({"id": "R1"}),))
    result = run("list", "-r", str(path), "--limit", "3", "-f", "json")
    assert (result.exit_code, result.stdout, result.stderr) == (0, expected, "")
    assert [row["id"] for row in json.loads(result.stdout)] == [a.id for a in REGISTER.actions[:3]]
    # The damaged cache was dropped and rebuilt from the file.
    with sqlite3.connect(entry) as db:
        assert db.execute("SELECT count(*) FROM actions WHERE document = 'not json'").fetchone() == (0,)


@pytest.mark.parametrize(
    ("args", "code", "stderr"),
    [
        (["--theme", "zzz"], 2, "jnap: error: no theme contains 'zzz'"),
        (["--plan", "nowhere"], 2, "jnap: error: unknown plan 'nowhere'"),
        (["--status", "complete", "--not-status", "complete"], 1, "jnap: no actions match\n"),
    ],
)
def test_a_limited_list_that_matches_nothing_says_why(run: Run, args: list[str], code: int, stderr: str) -> None:
    run("list", "--limit", "1")  # the cache, built
    result = run("list", *args, "--limit", "2")
    assert (result.exit_code, result.stdout) == (code, ""), result.output
    assert result.stderr.startswith(stderr)
