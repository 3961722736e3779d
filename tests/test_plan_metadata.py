"""Plan metadata: which of a plan's title and year the annex prints, the annex's introductions, and the
plan diff's statuses each as of its own year; `diff PLAN PLAN --theme` (issue 19)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from jnap_cli.register.source import load

from .conftest import DATA, SOURCE, Run
from .registers import set_plan_field, small, write

ANSI = re.compile(r"\x1b\[[0-9;]*m")
KEY = "ʳ supplied by the register, not printed in the annex"
PINNED = {"COLUMNS": "80", "NO_COLOR": "1"}


def test_plans_table_marks_what_the_register_supplies(run: Run) -> None:
    result = run("plans", "-f", "table", env=PINNED)
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout == (
        "id         title                  year    as_of   actions   by_status\n"
        "────────────────────────────────────────────────────────────────────────────────\n"
        "refresh    JNAP Refresh           2022ʳ   2024    20        12 complete,\n"
        "                                                            3 in-progress,\n"
        "                                                            2 ongoing,\n"
        "                                                            1 transferred,\n"
        "                                                            2 deferred\n"
        "original   Police-CPS Joint       2021ʳ   2022    24        20 complete,\n"
        "           National RASSO                                   2 in-progress,\n"
        "           Action Plan 2021ʳ                                1 ongoing,\n"
        "                                                            1 transferred\n"
        "\n"
        f"{KEY}\n"
    )


def test_plans_json_says_where_title_and_year_come_from(run: Run) -> None:
    refresh, original = json.loads(run("plans", "-f", "json").stdout)
    assert refresh["provenance"] == {"annex": ["title"], "register": ["year"]}
    assert original["provenance"] == {"register": ["title", "year"]}
    assert (refresh["title"], refresh["year"]) == ("JNAP Refresh", 2022), "values stay unmarked in JSON"
    assert "title_source" not in refresh
    assert refresh["introduction"] == (
        "Actions 1 – 20 directly below are from the JNAP Refresh, for which the commentary will be new updates "
        "published with the final report."
    )
    assert original["introduction"].startswith("Actions 1 – 24 directly below are from the original JNAP,")


def test_a_table_that_shows_neither_title_nor_year_keeps_the_provenance_column(run: Run) -> None:
    result = run("plans", "-f", "table", "--fields", "id,provenance", env=PINNED)
    assert result.stdout.splitlines()[2:] == [
        "refresh    annex: title; register: year",
        "original   register: title, year",
    ]
    assert KEY not in result.stdout


def test_a_register_that_says_nothing_marks_nothing(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "r.toml", small())
    table = run("plans", "-f", "table", "-r", str(path), env=PINNED).stdout
    assert "ʳ" not in table and "provenance" not in table
    assert [plan["provenance"] for plan in json.loads(run("plans", "-f", "json", "-r", str(path)).stdout)] == [{}, {}]


def test_a_hostile_title_is_escaped_and_still_marked(run: Run, tmp_path: Path) -> None:
    data = set_plan_field(small(), "refresh", "title", "Plan \x1b[2J\u202eX")
    data = set_plan_field(data, "refresh", "title_from", "register")
    table = run("plans", "-f", "table", "-r", str(write(tmp_path / "r.toml", data)), env=PINNED).stdout
    assert "\x1b" not in table and "\u202e" not in table
    assert "\\x1b[2J<U+202E>Xʳ" in table and table.endswith(f"\n{KEY}\n")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title_from", "annx", "plans[1].title_from: error: input should be 'annex' or 'register' (got 'annx')"),
        ("year_from", 2022, "year_from:"),
    ],
)
def test_provenance_of_a_plan_is_validated(run: Run, tmp_path: Path, field: str, value: object, message: str) -> None:
    path = write(tmp_path / "r.toml", set_plan_field(small(), "refresh", field, value))
    result = run("plans", "-r", str(path))
    assert result.exit_code == 2 and message in result.stderr, result.output


def test_the_introductions_are_the_annex_word_for_word() -> None:
    publication = load(DATA).publication
    assert publication is not None
    source = SOURCE.read_text(encoding="utf-8")
    assert [i.plan for i in publication.introductions] == ["refresh", "original"]
    for introduction in publication.introductions:
        assert f"\n{introduction.text}" in source, introduction.text  # a whole paragraph, as printed
    assert len(publication.introductions[1].text.split(". ")) == 2, "both sentences before the originals"


def test_an_introduction_names_a_plan_of_the_register(run: Run, tmp_path: Path) -> None:
    data = small() | {
        "publication": {
            "title": "A report",
            "year": 2024,
            "text": "a.txt",
            "introductions": [{"plan": "nope", "text": "X."}],
        }
    }
    result = run("check", "-r", str(write(tmp_path / "r.toml", data)))
    assert result.exit_code == 2
    assert "introduces plan 'nope', which is not defined (plans: original, refresh) [unknown-plan]" in result.output
    data["publication"]["introductions"] = [{"plan": "refresh", "text": "  "}]
    blank = run("check", "-r", str(write(tmp_path / "r.toml", data)))
    assert blank.exit_code == 2 and "publication.introductions.0.text: error:" in blank.output


# --- the plan diff -------------------------------------------------------------------------------


def test_plan_diff_text_sets_each_status_in_its_year(run: Run, tmp_path: Path) -> None:
    result = run("diff", "original", "refresh", env=PINNED)
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[:5] == [
        "original to refresh",
        "  original: Police-CPS Joint National RASSO Action Plan 2021ʳ (2021ʳ), statuses as of 2022",
        "  refresh: JNAP Refresh (2022ʳ), statuses as of 2024",
        f"  {KEY}",
        "",
    ]
    assert "  R6 continues O7: status: O7 (as of 2022) transferred; R6 (as of 2024) complete" in lines
    assert not any("→" in line for line in lines), "no arrow: nothing changed"
    # Between two versions of one register, a status change is a change.
    old = write(tmp_path / "old.toml", small())
    changed = small()
    changed["actions"][1]["status"] = "complete"
    text = run("diff", str(old), str(write(tmp_path / "new.toml", changed)), env=PINNED).stdout
    assert "  R2: status: ongoing → complete\n" in text and "as of" not in text


def test_plan_diff_is_not_coloured_as_a_change_across_years() -> None:
    from jnap_cli.diff.plans import diff_plans
    from jnap_cli.render.diff_text import _link_lines

    diff = diff_plans(load(DATA), "original", "refresh")
    link = next(link for link in diff.links if link.old_id == "O7")
    status = _link_lines(link, (2022, 2024), color=True)[1].text
    assert status.plain == "  R6 continues O7: status: O7 (as of 2022) transferred; R6 (as of 2024) complete"
    assert not status.spans, "different years: no red and green"
    assert _link_lines(link, (2024, 2024), color=True)[1].text.spans, "the same year: a difference is coloured"


def test_plan_diff_json_and_rows_carry_as_of_per_side(run: Run) -> None:
    document = json.loads(run("diff", "original", "refresh", "-f", "json").stdout)
    assert (document["old_plan"]["as_of"], document["new_plan"]["as_of"]) == (2022, 2024)
    assert document["old_plan"]["provenance"] == {"register": ["title", "year"]}
    assert document["new_plan"]["provenance"] == {"annex": ["title"], "register": ["year"]}
    o7 = next(link for link in document["links"] if link["old_id"] == "O7")
    assert {k: o7[k] for k in ("old_status", "old_as_of", "new_status", "new_as_of")} == {
        "old_status": "transferred",
        "old_as_of": 2022,
        "new_status": "complete",
        "new_as_of": 2024,
    }
    csv = run("diff", "original", "refresh", "-f", "csv").stdout.splitlines()
    assert csv[0] == "relation,old_id,new_id,old_status,new_status,old_as_of,new_as_of,similarity"
    assert "continues,O7,R6,transferred,complete,2022,2024,0.155" in csv


# --- diff PLAN PLAN --theme ----------------------------------------------------------------------


def test_plan_diff_theme_keeps_every_fact_about_the_theme(run: Run) -> None:
    result = run("diff", "original", "refresh", "--theme", "VICTIMS", env=PINNED)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "original to refresh, themes containing 'VICTIMS'"
    assert "themes of original (1):" in lines and "  Supporting Victims (5): O1, O2, O3, O4, O5" in lines
    assert "  Working together to improve our engagement with victims (4): R14, R15, R16, R17" in lines
    assert lines[-1] == "2 links, 3 new, 3 not continued"
    # A link is kept when either end is in the theme, and an action is "not continued" only when no action
    # of the whole newer plan continues it: O7 (casework) is continued by R6 even under --theme casework.
    casework = json.loads(run("diff", "original", "refresh", "-t", "casework", "-f", "json").stdout)
    assert casework["theme"] == "casework"
    assert "O7" not in casework["not_continued"]
    assert ("O7", "R6") in {(link["old_id"], link["new_id"]) for link in casework["links"]}
    assert [t["theme"] for t in casework["new_plan"]["themes"]] == []


def test_plan_diff_theme_matches_as_list_does(run: Run) -> None:
    listed = set(run("list", "--theme", "people", "-f", "ids").stdout.split())
    document = json.loads(run("diff", "refresh", "original", "--theme", "people", "-f", "json").stdout)
    shown = {i for plan in ("old_plan", "new_plan") for t in document[plan]["themes"] for i in t["actions"]}
    assert shown == listed


@pytest.mark.parametrize(
    ("theme", "message"),
    [
        ("victmis", "jnap: error: no theme contains 'victmis'; did you mean 'victims'?\n"),
        ("zzz", "jnap: error: no theme contains 'zzz'; run 'jnap themes' to see them\n"),
        ("Vic\x1b[31m", "jnap: error: no theme contains 'Vic\\x1b[31m'; run 'jnap themes' to see them\n"),
        ("\u202evictims", "jnap: error: no theme contains '\\u202evictims'; did you mean 'victims'?\n"),
        (".*", "jnap: error: no theme contains '.*'; run 'jnap themes' to see them\n"),
    ],
)
def test_an_unknown_theme_is_the_same_error_for_diff_and_list(run: Run, theme: str, message: str) -> None:
    for args in (["diff", "original", "refresh"], ["list"]):
        result = run(*args, "--theme", theme)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", message), args


def test_theme_is_for_plans_only(run: Run, tmp_path: Path) -> None:
    old = write(tmp_path / "old.toml", small())
    result = run("diff", str(old), str(old), "--theme", "victims")
    assert result.exit_code == 2
    assert result.stderr == (
        "jnap: error: --theme compares plans, not versions; give two plan ids: jnap diff original refresh\n"
    )


def test_an_empty_theme_keeps_everything(run: Run) -> None:
    assert run("diff", "original", "refresh", "--theme", "").stdout == run("diff", "original", "refresh").stdout
    assert ANSI.sub("", run("diff", "original", "refresh", "-t", "people").stdout).count("continues") > 0


def test_check_finds_a_control_character_in_an_introduction(run: Run, tmp_path: Path) -> None:
    introductions = [{"plan": "refresh", "text": "Actions \x1b[2J below."}]
    data = small() | {"publication": {"title": "R", "year": 2024, "text": "a.txt", "introductions": introductions}}
    result = run("check", "-r", str(write(tmp_path / "r.toml", data)))
    assert result.exit_code == 1
    found = "publication.introductions.0.text: error: contains U+001B control character [control-character]"
    assert found in result.output


def test_an_earlier_revision_with_title_source_still_loads(run: Run, tmp_path: Path) -> None:
    """Registers written before `title_from`/`year_from` said `title_source` in words: `diff REV` and
    `history` read such revisions, so the older key is set aside, not refused; nothing else is let by."""
    older = write(tmp_path / "old.toml", set_plan_field(small(), "refresh", "title_source", "the register's"))
    assert run("check", "-r", str(older)).exit_code == 0
    diff = run("diff", str(older), str(write(tmp_path / "new.toml", small())), "--stat", "--exit-code")
    assert (diff.exit_code, diff.stdout) == (0, "no differences\n")
    misspelt = write(tmp_path / "bad.toml", set_plan_field(small(), "refresh", "title_sauce", "x"))
    assert run("check", "-r", str(misspelt)).exit_code == 2
