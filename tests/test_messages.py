"""The messages a newcomer meets (issue 18): each says what was wrong in jnap's words, on one line, and
what was likely meant."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import pytest

from jnap_cli.checks.rules import RULES
from jnap_cli.model import vocab
from jnap_cli.model.vocab import STATUSES
from jnap_cli.render.views import View, counts_view

from .conftest import JNAP, Run
from .registers import set_field, small, write

USAGE_MISTAKES = [
    # An option named after a format is the format (Click guessed --sort for --json).
    (["list", "--json"], "no such option: --json; did you mean --format json?"),
    (["show", "R4", "--CSV"], "no such option: --CSV; did you mean --format csv?"),
    (["graph", "--dot"], "no such option: --dot; did you mean --format dot?"),
    (["report", "--html"], "no such option: --html; did you mean --format html?"),
    (["list", "--limt", "3"], "no such option: --limt; did you mean --limit?"),
    (["list", "--stauts", "complete"], "no such option: --stauts; did you mean --status?"),
    (["list", "--debug"], "no such option: --debug; --debug goes before the command: jnap --debug list …"),
    # Statuses, bases, formats and fields suggest, as ids and commands do.
    (["set-status", "A2", "complet", "--evidence", "x"], "unknown status 'complet'; did you mean complete?"),
    (["list", "--status", "inprogress"], "unknown status 'inprogress' for --status; did you mean in-progress?"),
    (["list", "-S", "started"], "unknown status 'started' for --not-status; did you mean not-started?"),
    (
        ["filter", "done"],
        "unknown status 'done'; choose from complete, in-progress, ongoing, transferred, deferred, not-started",
    ),
    (["list", "--basis", "stat"], "unknown basis 'stat' for --basis; did you mean stated?"),
    (["list", "-f", "jsn"], "unknown format 'jsn' for --format; did you mean json?"),
    (
        ["list", "-f", "yaml"],
        "unknown format 'yaml' for --format; choose from table, json, jsonl, csv, tsv, markdown, ids, xlsx",
    ),
    (["list", "--fields", "id,statu"], "unknown field 'statu'; did you mean status, status_basis, status_evidence?"),
    (["list", "--sort", "numbr"], "cannot sort by unknown field 'numbr'; did you mean number?"),
    (["lst"], "no such command 'lst'; did you mean list?"),
    (["cache", "prun"], "no such command 'prun'; did you mean prune?"),
    (
        ["set-status", "R1"],
        "missing argument STATUS; choose from complete, in-progress, ongoing, transferred, deferred, not-started",
    ),
    # Numbers in jnap's words, not pydantic's ("Input should be greater than or equal to 1").
    (["list", "--limit", "0"], "--limit must be at least 1, not 0; see 'jnap list --help'"),
    (["list", "-n", "many"], "--limit takes a whole number, not 'many'; see 'jnap list --help'"),
    (
        ["add", "-p", "refresh", "--theme", "T", "--text", "X", "--number", "0"],
        "--number must be at least 1, not 0; see 'jnap add --help'",
    ),
]


@pytest.mark.parametrize(("args", "line"), USAGE_MISTAKES, ids=[" ".join(a) for a, _ in USAGE_MISTAKES])
def test_a_usage_mistake_is_one_line_with_what_was_meant(run: Run, args: list[str], line: str) -> None:
    result = run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"jnap: error: {line}\n")


def test_a_hostile_option_or_value_is_shown_escaped(run: Run) -> None:
    option = run("list", "--\x1b[31mjson")
    assert option.stderr == "jnap: error: no such option: --\\x1b[31mjson; see 'jnap list --help'\n"
    value = run("list", "--status", "comp\u202elete")
    assert value.stderr == "jnap: error: unknown status 'comp\\u202elete' for --status; did you mean complete?\n"


@pytest.fixture
def small_register(tmp_path: Path) -> Path:
    return write(tmp_path / "actions.toml", small())


def test_an_action_without_evidence_asks_for_it_when_its_commentary_is_given(run: Run, small_register: Path) -> None:
    path = str(small_register)
    added = run("add", "-p", "refresh", "--theme", "Our People", "--text", "Train the new teams.", "-r", path)
    assert added.exit_code == 0, added.stderr
    result = run("comment", "R4", "--text", "Training began in May.", "-r", path)
    assert (result.exit_code, result.stderr) == (
        2,
        "jnap: error: R4 has no status evidence to keep; give --evidence QUOTE: the words of the new commentary "
        "that justify its status\n",
    )
    given = run("comment", "R4", "--text", "Training began in May.", "--evidence", "Training began", "-r", path)
    assert (given.exit_code, given.stderr) == (0, f"jnap: R4: commentary replaced ({path})\n")
    assert run("check", "-r", path).exit_code == 0


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["complete", "--evidence", "Training 1 has been delivered", "--basis", "stated"], "basis inferred → stated"),
        (["complete", "--evidence", "Training 1"], "status evidence replaced, status still complete"),
        (
            ["complete", "--evidence", "Training 1", "--basis", "stated"],
            "basis inferred → stated, status evidence replaced",
        ),
        (
            ["deferred", "--evidence", "Training 1", "--basis", "stated"],
            "status complete → deferred, basis inferred → stated, status evidence replaced",
        ),
        (
            ["complete", "--evidence", "Training 1 has been delivered"],
            "unchanged: already complete, with that evidence",
        ),
    ],
)
def test_set_status_says_what_it_changed(run: Run, small_register: Path, args: list[str], said: str) -> None:
    result = run("set-status", "R1", *args, "-r", str(small_register))
    assert (result.exit_code, result.stderr) == (0, f"jnap: R1: {said} ({small_register})\n")


def test_add_says_what_check_will_fail_on_and_infers_the_basis(run: Run, small_register: Path) -> None:
    path = str(small_register)
    bare = run("add", "-p", "refresh", "--theme", "Our People", "--text", "Train the new teams.", "-r", path)
    assert (bare.exit_code, bare.stderr) == (
        0,
        f"jnap: R4: added to plan refresh as number 4 ({path})\n"
        "jnap: warning: R4: commentary is missing or empty [commentary-missing]; `jnap check` fails until that is "
        "fixed\n",
    )
    unquoted = run("add", "-p", "original", "--theme", "T", "--text", "Do it.", "--commentary", "Done.", "-r", path)
    assert unquoted.stderr.splitlines()[1:] == [
        "jnap: warning: O4: status 'not-started' has no status_evidence [evidence-not-found]; `jnap check` fails "
        "until that is fixed"
    ]
    complete = run(
        "add", "-p", "original", "--theme", "T", "--text", "Do it.", "--commentary", "Done.", "--evidence", "Done.",
        "--status", "complete", "-r", path,
    )  # fmt: skip
    assert (complete.exit_code, complete.stderr) == (0, f"jnap: O5: added to plan original as number 5 ({path})\n")
    check = run("check", "-r", path, "-f", "json")
    assert {(f["action"], f["code"]) for f in json.loads(check.stdout)["findings"]} == {
        ("R4", "commentary-missing"),
        ("O4", "evidence-not-found"),
    }  # no status-basis-missing: a new action's basis is inferred unless --basis says stated
    assert [a["status_basis"] for a in json.loads(run("show", "R4", "O4", "O5", "-r", path, "-f", "json").stdout)] == [
        "inferred", "inferred", "inferred",
    ]  # fmt: skip


def test_add_basis_has_help_of_its_own(run: Run) -> None:
    help_text = " ".join(run("add", "--help", env={"COLUMNS": "200"}).stdout.split())
    assert (
        "--basis BASIS stated (the commentary's own words say the status) or inferred (the register concludes "
        "it). [default: inferred]" in help_text
    )
    assert "Only statuses" not in help_text
    set_help = " ".join(run("set-status", "--help", env={"COLUMNS": "200"}).stdout.split())
    assert "or inferred (the register concludes it) [default: unchanged]." in set_help


@pytest.mark.parametrize(
    "args",
    [
        ["add", "-p", "refresh", "--theme", "T", "--text", "X"],
        ["set-status", "R1", "complete", "--evidence", "x"],
        ["comment", "R1", "--text", "x"],
        ["link", "R1", "--continues", "O1"],
        ["edit", "R1", "--file", "edited.toml"],
    ],
    ids=lambda args: args[0],
)
def test_a_register_that_cannot_be_read_is_exit_2_for_readers_and_writers(
    run: Run, small_register: Path, args: list[str]
) -> None:
    inside_a_file = small_register / "actions.toml"  # a path through a file: "Not a directory"
    result = run(*args, "-r", str(inside_a_file))
    assert (result.exit_code, result.stderr) == (2, f"jnap: error: {inside_a_file}: cannot read: Not a directory\n")


def an_editor(tmp_path: Path, old: str, new: str, *, runs: int = 0) -> str:
    """$EDITOR: a script that replaces `old` by `new` in the file it is given, each time it runs; with
    `runs`, it empties the file on run `runs + 1` (an editor re-opened once too often gives up, not hangs)."""
    script, count = tmp_path / "editor.py", tmp_path / "runs.txt"
    count.write_text("0", encoding="utf-8")
    script.write_text(
        "import sys, pathlib\n"
        f"c = pathlib.Path({str(count)!r}); n = int(c.read_text()) + 1; c.write_text(str(n))\n"
        "p = pathlib.Path(sys.argv[1])\n"
        f"p.write_text('' if {runs} and n > {runs} else p.read_text().replace({old!r}, {new!r}))\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}"


INVALID = (
    "{path}: the edit would make the register invalid; {path}:{line}: action R1: status: error: 'finished' is not a "
    "known status (complete, in-progress, ongoing, transferred, deferred, not-started) [unknown-status]"
)


def test_edit_runs_an_editor_set_explicitly_without_a_terminal(run: Run, small_register: Path) -> None:
    editor = an_editor(small_register.parent, 'status = "complete"', 'status = "deferred"')
    result = run("edit", "R1", "-r", str(small_register), env={"EDITOR": editor, "VISUAL": ""})
    assert (result.exit_code, result.stderr) == (0, f"jnap: R1: table edited ({small_register})\n")
    assert 'status = "deferred"' in small_register.read_text(encoding="utf-8")
    # As a user's shell runs it: stdin from a file, no terminal anywhere, $VISUAL before $EDITOR.
    visual = an_editor(small_register.parent, 'status = "deferred"', 'status = "ongoing"')
    done = subprocess.run(
        [JNAP, "edit", "R1", "-r", str(small_register)],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False,
        env={**os.environ, "VISUAL": visual, "EDITOR": "false"},
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, f"jnap: R1: table edited ({small_register})\n")
    assert 'status = "ongoing"' in small_register.read_text(encoding="utf-8")


def test_edit_refuses_to_fall_back_to_vi_without_a_terminal(run: Run, small_register: Path) -> None:
    result = run("edit", "R1", "-r", str(small_register), env={"EDITOR": "", "VISUAL": ""})
    assert (result.exit_code, result.stderr) == (
        2,
        "jnap: error: jnap edit needs a terminal for vi (neither $VISUAL nor $EDITOR is set); set $EDITOR, give "
        "--file PATH, or use set-status, comment or link\n",
    )
    comment = run("comment", "R1", "-r", str(small_register), env={"EDITOR": "", "VISUAL": ""})
    assert (comment.exit_code, comment.stderr) == (
        2, "jnap: error: no commentary given; use --text TEXT, --file PATH, --file - for stdin, or set $EDITOR\n"
    )  # fmt: skip
    editor = an_editor(
        small_register.parent, "Training 1 has been delivered to every team.", "Training 1 has been delivered, twice."
    )
    comment = run("comment", "R1", "-r", str(small_register), env={"EDITOR": editor, "VISUAL": ""})
    assert (comment.exit_code, comment.stderr) == (0, f"jnap: R1: commentary replaced ({small_register})\n")


def kept_file(stderr: str) -> Path:
    return Path(re.findall(r"your table is kept in (\S+);", stderr)[0])


def test_an_invalid_edit_without_a_terminal_stops_at_once_and_keeps_the_text(run: Run, small_register: Path) -> None:
    before = small_register.read_bytes()
    editor = an_editor(small_register.parent, 'status = "complete"', 'status = "finished"')
    result = run("edit", "R1", "-r", str(small_register), env={"EDITOR": editor, "VISUAL": ""})
    kept = kept_file(result.stderr)
    status_line = before.decode().split("\n").index('status = "complete"') + 1  # R1's: the first action
    problem = INVALID.format(path=small_register, line=status_line)
    assert (result.exit_code, result.stderr) == (
        3, f"jnap: error: {problem}; your table is kept in {kept}; fix it, then `jnap edit R1 --file {kept}`\n"
    )  # fmt: skip
    assert small_register.read_bytes() == before
    kept_text = kept.read_text(encoding="utf-8")
    assert 'status = "finished"' in kept_text and "# jnap" not in kept_text


def test_an_invalid_edit_on_a_terminal_asks_whether_to_edit_again(
    run: Run, small_register: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("jnap_cli.cli.edit._on_terminal", lambda: True)
    monkeypatch.setenv("VISUAL", "")
    before = small_register.read_bytes()
    monkeypatch.setenv("EDITOR", an_editor(small_register.parent, 'status = "complete"', 'status = "finished"', runs=3))
    gave_up = run("edit", "R1", "-r", str(small_register), input="y\n\nn\n")  # again, again (Enter), no
    kept = kept_file(gave_up.stderr)
    lines = gave_up.stderr.split("Edit again? [Y/n] ")
    assert gave_up.exit_code == 3 and len(lines) == 4 and small_register.read_bytes() == before
    assert lines[0] == lines[1] == lines[2] and lines[0].startswith("jnap: error: ") and "'finished'" in lines[0]
    assert (
        lines[3]
        == f"jnap: error: {lines[0][13:-1]}; your table is kept in {kept}; fix it, then `jnap edit R1 --file {kept}`\n"
    )
    # The end of input gives up as "n" does.
    assert run("edit", "R1", "-r", str(small_register), input="").exit_code == 3


def test_stats_since_says_yes_or_no_where_people_read_it_and_json_keeps_booleans(run: Run, tmp_path: Path) -> None:
    old = write(tmp_path / "old.toml", small())
    new = write(
        tmp_path / "new.toml", set_field(set_field(small(), "R1", "status", "ongoing"), "R3", "status", "complete")
    )
    since = ("stats", "--since", str(old), "-r", str(new))
    assert (
        run(*since, "-f", "tsv").stdout
        == "refresh\tcomplete\tongoing\t1\tyes\tR1\nrefresh\tin-progress\tcomplete\t1\tno\tR3\n"
    )
    assert run(*since, "-f", "table", env={"COLUMNS": "80", "NO_COLOR": "1"}).stdout == (
        "plan      from          to         count   regression   ids\n"
        "───────────────────────────────────────────────────────────\n"
        "refresh   complete      ongoing    1       yes          R1\n"
        "refresh   in-progress   complete   1       no           R3\n"
    )
    assert run(*since, "-f", "markdown").stdout.splitlines()[2:] == [
        "| refresh | complete | ongoing | 1 | yes | R1 |",
        "| refresh | in-progress | complete | 1 | no | R3 |",
    ]
    assert [r["regression"] for r in json.loads(run(*since, "-f", "json").stdout)] == [True, False]


SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
KEBAB = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
# The vocabularies whose values name a field or a register key: spelled as keys are.
NAMING_KEYS = {"ActionField", "SearchField", "RelationKind"}


def record_views() -> list[View]:
    """Every view jnap prints records with."""
    import jnap_cli.cli.cache
    import jnap_cli.render.stats
    import jnap_cli.render.views

    modules = (jnap_cli.render.views, jnap_cli.render.stats, jnap_cli.cli.cache)
    views = [value for module in modules for value in vars(module).values() if isinstance(value, View)]
    return [*views, counts_view(("added", "removed", "changed"))]


def test_every_record_views_keys_are_snake_case_or_a_status() -> None:
    views = record_views()
    assert len(views) >= 14
    for view in views:
        odd = [key for key in view.fields if not SNAKE.fullmatch(key) and key not in STATUSES]
        assert not odd, f"{view.name}: keys {odd} are neither snake_case nor a status (docs/scripting.md)"


def test_every_vocabulary_is_kebab_case_unless_it_names_keys() -> None:
    vocabularies = [
        v for v in vars(vocab).values() if isinstance(v, type) and issubclass(v, StrEnum) and v is not StrEnum
    ]
    assert {v.__name__ for v in vocabularies} >= {"Status", "StatusBasis", "Severity", "RecordFormat", *NAMING_KEYS}
    for vocabulary in vocabularies:
        spelling = SNAKE if vocabulary.__name__ in NAMING_KEYS else KEBAB
        odd = [member.value for member in vocabulary if not spelling.fullmatch(member.value)]
        assert not odd, f"{vocabulary.__name__}: {odd} (docs/scripting.md, 'Keys and values')"
    assert all(KEBAB.fullmatch(code) for code in RULES), "check codes are values: kebab-case"


def keys_and_values(document: object, key: str = "") -> Iterator[tuple[str, object]]:
    """Every (key, value) pair in a JSON document, at any depth."""
    if isinstance(document, dict):
        for name, value in document.items():
            yield name, value
            yield from keys_and_values(value, name)
    elif isinstance(document, list):
        for item in document:
            yield from keys_and_values(item, key)


ENUMERATED = {"status", "old_status", "new_status", "status_basis", "severity", "code", "scope", "op"}


def test_json_output_holds_to_the_convention(run: Run, tmp_path: Path) -> None:
    old = write(tmp_path / "old.toml", small())
    new = write(tmp_path / "new.toml", set_field(small(), "R1", "status", "ongoing"))
    commands = [
        ["list"], ["show", "R4", "O23"], ["plans"], ["themes"], ["stats"], ["glossary"], ["check"],
        ["search", "early advice"], ["graph"], ["diff", "original", "refresh"],
        ["diff", str(old), str(new)], ["stats", "--since", str(old), "-r", str(new)],
    ]  # fmt: skip
    seen: set[str] = set()
    for command in commands:
        result = run(*command, "-f", "json")
        assert result.exit_code in (0, 1), (command, result.stderr)
        for key, value in keys_and_values(json.loads(result.stdout)):
            seen.add(key)
            assert SNAKE.fullmatch(key) or key in STATUSES, (command, key)
            if key in ENUMERATED and isinstance(value, str):
                assert KEBAB.fullmatch(value), (command, key, value)
    assert {"status_basis", "in-progress", "old_status", "severity", "regression"} <= seen
