"""`jnap stats` through the command line: every format, the filters, the bars and `--since REV`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from jnap_cli.query.stats import tallies, tally_records
from jnap_cli.register.source import load

from .conftest import DATA, Run, git
from .registers import set_field, small, write

WIDE = {"COLUMNS": "100"}

# `--plan original` at each width: a column per status that occurs, the total, the share and its bar.
TABLES = {
    80: """\
plan / theme                           C   I   O   T  total  share
──────────────────────────────────────────────────────────────────────────────
original                              20   2   1   1     24    83%  ████████▍░
  Supporting Victims                   5   ·   ·   ·      5   100%  ██████████
  Casework Quality and Progression     5   2   ·   1      8    62%  ██████▎░░░
  Digital Capability and Disclosure    2   ·   ·   ·      2   100%  ██████████
  Our People and Expertise             4   ·   ·   ·      4   100%  ██████████
  Stakeholder Engagement               4   ·   1   ·      5    80%  ████████░░

C complete   I in-progress   O ongoing   T transferred
""",
    100: """\
plan / theme                           C   I   O   T  total  share
──────────────────────────────────────────────────────────────────────────────
original                              20   2   1   1     24    83%  ████████▍░
  Supporting Victims                   5   ·   ·   ·      5   100%  ██████████
  Casework Quality and Progression     5   2   ·   1      8    62%  ██████▎░░░
  Digital Capability and Disclosure    2   ·   ·   ·      2   100%  ██████████
  Our People and Expertise             4   ·   ·   ·      4   100%  ██████████
  Stakeholder Engagement               4   ·   1   ·      5    80%  ████████░░

C complete   I in-progress   O ongoing   T transferred
""",
    200: """\
plan / theme                          complete  in-progress  ongoing  transferred  total  share
─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
original                                    20            2        1            1     24    83%  ████████████████▋░░░
  Supporting Victims                         5            ·        ·            ·      5   100%  ████████████████████
  Casework Quality and Progression           5            2        ·            1      8    62%  ████████████▌░░░░░░░
  Digital Capability and Disclosure          2            ·        ·            ·      2   100%  ████████████████████
  Our People and Expertise                   4            ·        ·            ·      4   100%  ████████████████████
  Stakeholder Engagement                     4            ·        1            ·      5    80%  ████████████████░░░░
""",
}

# Every plan at 60 columns: the statuses by their initials, with a key (it took 40 lines for 11 rows).
TABLE_60 = """\
plan / theme                 C   I   O   T   D  total  share
────────────────────────────────────────────────────────────
refresh                     12   3   2   1   2     20    60%
  Our People                 2   ·   2   1   ·      5    40%
  Building a strong case     7   ·   ·   ·   1      8    88%
  as early as possible
  Working together to        1   2   ·   ·   1      4    25%
  improve our engagement
  with victims
  Joint commitment to        2   1   ·   ·   ·      3    67%
  scrutiny of our
  decisions and learning
original                    20   2   1   1   ·     24    83%
  Supporting Victims         5   ·   ·   ·   ·      5   100%
  Casework Quality and       5   2   ·   1   ·      8    62%
  Progression
  Digital Capability and     2   ·   ·   ·   ·      2   100%
  Disclosure
  Our People and             4   ·   ·   ·   ·      4   100%
  Expertise
  Stakeholder Engagement     4   ·   1   ·   ·      5    80%

C complete   I in-progress   O ongoing   T transferred
D deferred
"""


def test_json_is_the_tally_records(run: Run) -> None:
    result = run("stats", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert json.loads(result.stdout) == tally_records(tallies(load(DATA)))
    first = json.loads(result.stdout)[0]
    assert list(first) == [
        "scope", "plan", "theme", "total", "complete", "in-progress", "ongoing", "transferred", "deferred",
        "not-started", "share", "ids",
    ]  # fmt: skip
    assert (first["scope"], first["plan"], first["theme"], first["total"], first["share"]) == (
        "plan",
        "refresh",
        None,
        20,
        0.6,
    )


@pytest.mark.parametrize("columns", sorted(TABLES))
def test_table_has_a_column_per_status_and_a_bar_on_a_track(run: Run, columns: int) -> None:
    result = run("stats", "--format", "table", "--plan", "original", env={"COLUMNS": str(columns), "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert result.stdout == TABLES[columns]
    assert "\x1b" not in result.stdout  # not a terminal: no colour


def test_table_heads_the_statuses_by_initials_when_narrow(run: Run) -> None:
    result = run("stats", "--format", "table", env={"COLUMNS": "60", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert result.stdout == TABLE_60
    assert max(len(line) for line in result.stdout.splitlines()) <= 60


@pytest.mark.parametrize("columns", ["20", "40", "80", "120"])
def test_table_fits_every_width(run: Run, columns: str) -> None:
    result = run("stats", "--format", "table", env={"COLUMNS": columns})
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= int(columns)
    assert "Working" in result.stdout


def test_table_with_colour_has_a_coloured_bar(run: Run) -> None:
    result = run("stats", "--format", "table", "--plan", "original", env={**WIDE, "FORCE_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert "\x1b[" in result.stdout
    assert "█" in result.stdout


def test_piped_default_is_tsv_without_decoration(run: Run) -> None:
    result = run("stats", "--plan", "original")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "plan\toriginal\t\t24\t20\t2\t1\t1\t0\t0\t0.8333\n"
        "theme\toriginal\tSupporting Victims\t5\t5\t0\t0\t0\t0\t0\t1.0\n"
        "theme\toriginal\tCasework Quality and Progression\t8\t5\t2\t0\t1\t0\t0\t0.625\n"
        "theme\toriginal\tDigital Capability and Disclosure\t2\t2\t0\t0\t0\t0\t0\t1.0\n"
        "theme\toriginal\tOur People and Expertise\t4\t4\t0\t0\t0\t0\t0\t1.0\n"
        "theme\toriginal\tStakeholder Engagement\t5\t4\t0\t1\t0\t0\t0\t0.8\n"
    )


def test_csv_and_markdown_and_jsonl(run: Run) -> None:
    csv = run("stats", "--format", "csv", "--plan", "refresh", "--theme", "people").stdout
    assert csv == (
        "scope,plan,theme,total,complete,in-progress,ongoing,transferred,deferred,not-started,share\n"
        "plan,refresh,,5,2,0,2,1,0,0,0.4\n"
        "theme,refresh,Our People,5,2,0,2,1,0,0,0.4\n"
    )
    markdown = run("stats", "-f", "markdown", "-t", "people", "--fields", "plan,theme,total,complete,share").stdout
    assert markdown == (
        "| plan | theme | total | complete | share |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| refresh |  | 5 | 2 | 0.4 |\n"
        "| refresh | Our People | 5 | 2 | 0.4 |\n"
        "| original |  | 4 | 4 | 1.0 |\n"
        "| original | Our People and Expertise | 4 | 4 | 1.0 |\n"
    )
    lines = run("stats", "-f", "jsonl", "--plan", "refresh", "-t", "people", "--fields", "scope,theme,ids").stdout
    assert lines.splitlines() == [
        '{"scope": "plan", "theme": null, "ids": ["R1", "R2", "R3", "R4", "R5"]}',
        '{"scope": "theme", "theme": "Our People", "ids": ["R1", "R2", "R3", "R4", "R5"]}',
    ]


def test_ids_are_the_actions_counted(run: Run) -> None:
    result = run("stats", "--status", "deferred", "--format", "ids")
    assert result.exit_code == 0, result.output
    assert result.stdout == "R11\nR16\n"


def test_table_with_fields_is_a_plain_table(run: Run) -> None:
    result = run("stats", "-f", "table", "--fields", "plan,theme,total,share", "--plan", "original", env=WIDE)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == [
        "plan       theme                               total   share",
        "─────────────────────────────────────────────────────────────",
        "original                                       24      0.8333",
    ]


def test_filters_as_in_list(run: Run) -> None:
    result = run("stats", "-f", "json", "--not-status", "complete", "--basis", "inferred")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    listed = run("list", "-S", "complete", "--basis", "inferred", "-f", "ids").stdout.split()
    assert sorted(i for r in records if r["scope"] == "plan" for i in r["ids"]) == sorted(listed)
    assert all(r["complete"] == 0 and r["share"] == 0.0 for r in records)


def test_no_match_exits_1(run: Run) -> None:
    result = run("stats", "--plan", "original", "--status", "deferred")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "jnap: no actions match\n"


def test_unknown_plan_or_field_is_a_usage_error(run: Run) -> None:
    assert run("stats", "--plan", "nope").exit_code == 2
    result = run("stats", "--fields", "scope,nope", "-f", "csv")
    assert result.exit_code == 2
    assert "unknown field 'nope'" in result.stderr


def test_a_register_without_actions_shows_its_plans(run: Run, tmp_path: Path) -> None:
    data = small()
    data["actions"] = []
    register = write(tmp_path / "actions.toml", data)
    result = run("stats", "-r", str(register), "-f", "csv", "--fields", "scope,plan,total,share")
    assert result.exit_code == 0, result.output
    assert result.stdout == "scope,plan,total,share\nplan,refresh,0,0.0\nplan,original,0,0.0\n"


def test_hostile_theme_is_inert_in_the_table(run: Run, tmp_path: Path) -> None:
    theme = "[bold red]alarm[/] \x1b[31mred \u202eevil\u202c zero\u200bwidth"
    register = write(tmp_path / "actions.toml", set_field(small(), "R1", "theme", theme))
    result = run("stats", "-r", str(register), "-f", "table", env=WIDE)
    assert result.exit_code == 0, result.output
    for char in ("\x1b", "\u202e", "\u202c", "\u200b"):
        assert char not in result.stdout
    assert "[bold red]alarm[/]" in result.stdout
    assert "\\x1b[31mred" in result.stdout


# --since: a small register in git.

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture
def repo(tmp_path: Path, git_env: None) -> Path:
    """`small()` committed, then R2 and R3 completed and O1 reopened in a second commit."""
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    register = root / "data" / "actions.toml"
    git(root, "init", "-q")
    data = small()
    write(register, data)
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    data = set_field(set_field(data, "R2", "status", "complete"), "R3", "status", "complete")
    write(register, set_field(data, "O1", "status", "ongoing"))
    git(root, "commit", "-qam", "second")
    return register


@needs_git
def test_since_sums_the_transitions_per_plan(run: Run, repo: Path) -> None:
    result = run("stats", "--since", "HEAD~1", "-r", str(repo), "-f", "table", env=WIDE)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == (
        "plan       from          to         count   regression   ids\n"
        "────────────────────────────────────────────────────────────\n"
        "refresh    in-progress   complete   1       no           R3\n"
        "refresh    ongoing       complete   1       no           R2\n"
        "original   complete      ongoing    1       yes          O1\n"
    )
    records = json.loads(run("stats", "--since", "HEAD~1", "-r", str(repo), "-f", "json").stdout)
    assert records[2] == {
        "plan": "original",
        "from": "complete",
        "to": "ongoing",
        "count": 1,
        "regression": True,
        "ids": ["O1"],
    }


@needs_git
def test_since_with_filters_and_in_tsv(run: Run, repo: Path) -> None:
    result = run("stats", "--since", "HEAD~1", "-r", str(repo), "--plan", "refresh", "--status", "complete")
    assert result.exit_code == 0, result.output
    assert result.stdout == "refresh\tin-progress\tcomplete\t1\tno\tR3\nrefresh\tongoing\tcomplete\t1\tno\tR2\n"


@needs_git
def test_since_with_no_change_exits_1(run: Run, repo: Path) -> None:
    result = run("stats", "--since", "HEAD", "-r", str(repo))
    assert result.exit_code == 1
    assert (result.stdout, result.stderr) == ("", "jnap: no status changed since HEAD\n")


@needs_git
def test_since_a_bad_revision_is_one_line_exit_2(run: Run, repo: Path) -> None:
    result = run("stats", "--since", "no-such-rev", "-r", str(repo))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("jnap: error: no-such-rev: not a file, and git cannot read it")
    assert result.stderr.count("\n") == 1


def test_since_a_file(run: Run, tmp_path: Path) -> None:
    old = write(tmp_path / "old.toml", small())
    new = write(tmp_path / "new.toml", set_field(small(), "R3", "status", "deferred"))
    result = run("stats", "--since", str(old), "-r", str(new), "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == "plan,from,to,count,regression,ids\nrefresh,in-progress,deferred,1,no,R3\n"
