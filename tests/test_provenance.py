"""What the annex says and what the register judges: status basis, as-of dates, builds-on links, provenance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jnap_cli.model.vocab import DERIVED, FROM_ANNEX, JUDGED, ActionField
from jnap_cli.register.source import load

from .conftest import DATA, Run
from .registers import action, add_action, drop_field, set_field, small, write

REGISTER = load(DATA)


def test_every_field_has_one_provenance() -> None:
    named = [*FROM_ANNEX, *JUDGED, *DERIVED]
    assert len(named) == len(set(named))
    assert set(named) | {"id", "plan", "provenance"} == {field.value for field in ActionField}


def test_the_shipped_register_says_how_it_knows() -> None:
    assert all(action.status_basis is not None for action in REGISTER.actions)
    stated = sorted(action.id for action in REGISTER.actions if action.status_basis == "stated")
    # the commentary's own words say the status; O20's "Completed" may be a stray label (status-rubric.md)
    assert stated == ["O12", "O13", "O7", "R15", "R20", "R3", "R8", "R9"]
    assert {plan.id: plan.commentary_as_of for plan in REGISTER.plans} == {"refresh": 2024, "original": 2022}
    assert REGISTER.publication is not None and REGISTER.publication.year == 2024
    assert (Path(DATA).parent.parent / REGISTER.publication.text).is_file()
    ids = {action.id for action in REGISTER.actions}
    links = [(action.id, link) for action in REGISTER.actions for link in action.builds_on]
    assert len(links) == 11
    assert all(link.id in ids and link.id != source and link.reason for source, link in links)


def test_as_of_in_show_and_plans(run: Run) -> None:
    (r1, o1) = json.loads(run("show", "R1", "O1", "-f", "json").stdout)
    assert (r1["as_of"], o1["as_of"]) == (2024, 2022)
    assert r1["provenance"]["register"] == list(JUDGED)
    plans = json.loads(run("plans", "-f", "json").stdout)
    assert [(plan["id"], plan["as_of"]) for plan in plans] == [("refresh", 2024), ("original", 2022)]


def test_basis_filter(run: Run) -> None:
    inferred = run("list", "--basis", "inferred", "--fields", "id,status_basis").stdout.splitlines()
    assert len(inferred) == 36 and all(line.endswith("\tinferred") for line in inferred)
    assert run("list", "--basis", "STATED", "-f", "ids").stdout.split()[:2] == ["R3", "R8"]


def test_builds_on_in_the_plan_diff(run: Run) -> None:
    rows = run("diff", "original", "refresh", "-f", "csv", "--fields", "relation,old_id,new_id").stdout
    assert "builds-on,O9,R2\n" in rows and "builds-on,O12,R19\n" in rows
    text = run("diff", "original", "refresh").stdout
    assert "\nbuilds on (2): uses what an action of the other plan delivered (weaker)\n  R2 builds on O9: " in text


@pytest.mark.parametrize(
    ("change", "finding"),
    [
        (lambda d: set_field(d, "R1", "builds_on", [{"id": "R1", "reason": "x"}]), "link-self"),
        (lambda d: set_field(d, "R2", "continues", ["R2"]), "link-self"),
        (lambda d: drop_field(d, "R3", "status_basis"), "status-basis-missing"),
    ],
)
def test_link_and_basis_rules(run: Run, tmp_path: Path, change: object, finding: str) -> None:
    path = write(tmp_path / "actions.toml", change(small()))  # type: ignore[operator]
    result = run("check", "-r", str(path), "--format", "json")
    codes = [f["code"] for f in json.loads(result.stdout)["findings"]]
    assert finding in codes


def test_a_builds_on_link_to_nowhere_invalidates(run: Run, tmp_path: Path) -> None:
    data = add_action(small(), action("R4", "refresh", 4, builds_on=[{"id": "Z9", "reason": "uses Z9's tool"}]))
    result = run("list", "-r", str(write(tmp_path / "actions.toml", data)))
    assert result.exit_code == 2
    assert "builds_on: error: builds on 'Z9', which is not in the register [link-unknown]" in result.stderr


def test_builds_on_is_a_table_of_id_and_reason(run: Run, tmp_path: Path) -> None:
    data = set_field(small(), "R3", "builds_on", [{"id": "R1", "reason": "uses the training R1 delivered"}])
    path = write(tmp_path / "actions.toml", data)
    assert run("check", "-r", str(path)).exit_code == 0
    (r1,) = json.loads(run("show", "R1", "-r", str(path), "-f", "json").stdout)
    assert r1["built_on_by"] == ["R3"]
    assert run("show", "R3", "-r", str(path), "--fields", "builds_on").stdout == "R1 (uses the training R1 delivered)\n"
    wrong = write(tmp_path / "wrong.toml", set_field(small(), "R3", "builds_on", ["R1"]))
    assert run("check", "-r", str(wrong)).exit_code == 2
