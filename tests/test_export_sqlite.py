"""`jnap export sqlite`: the register as a SQLite database, read back by sqlite3 and served by Datasette
itself (its own test client, and `datasette FILE --get` as a user runs it); where it may be written, and
that a failed or interrupted export leaves what was there."""

from __future__ import annotations

import asyncio
import errno
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from jnap_cli.files import atomic

from . import registers
from .conftest import DATA, Run, device, jnap

DATASETTE = shutil.which("datasette", path=str(Path(sys.executable).parent))
PODCAST = ["O14", "R10", "R6"]  # the actions whose text, commentary or theme says "podcast"


def export(run: Run, database: Path, *args: str, register: Path = DATA) -> Any:
    result = run("export", "sqlite", str(database), "-r", str(register), *args)
    assert result.exit_code == 0, result.output
    return result


def rows(database: Path, sql: str, *params: object) -> list[dict[str, Any]]:
    connection = sqlite3.connect(database)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute(sql, params)]
    finally:
        connection.close()


def served(database: Path, *paths: str, metadata: Path | None = None) -> list[Any]:
    """What Datasette serves at each of `paths` for `database` (JSON decoded, else the page's text)."""
    from datasette.app import Datasette  # type: ignore[import-untyped]

    async def get() -> list[Any]:
        ds = Datasette([str(database)], metadata=json.loads(metadata.read_text("utf-8")) if metadata else None)
        answers = []
        for path in paths:
            response = await ds.client.get(path)
            assert response.status_code == 200, (path, response.text)
            answers.append(response.json() if ".json" in path else response.text)
        return answers

    return asyncio.run(get())


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped register exported once, with its metadata beside it, by the installed `jnap`."""
    folder = tmp_path_factory.mktemp("export")
    done = jnap("export", "sqlite", "jnap.db", "--metadata", "metadata.json", "-r", str(DATA), cwd=folder)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr == (
        "jnap: wrote jnap.db: 44 actions, 2 plans, 20 links, 73 glossary terms\n"
        "jnap: wrote metadata.json: Datasette's metadata\n"
    )
    return folder / "jnap.db"


# --- Datasette serves it --------------------------------------------------------------------------------


def test_datasette_serves_every_action_with_a_search_box(shipped: Path, run: Run) -> None:
    listed = json.loads(run("list", "--format", "json", "-r", str(DATA)).stdout)
    every, found, page = served(
        shipped, "/jnap/actions.json?_shape=array&_col=id&_size=max", "/jnap/actions.json?_search=podcast&_shape=array",
        "/jnap/actions",
    )  # fmt: skip
    assert len(every) == 44
    assert sorted(row["id"] for row in every) == sorted(record["id"] for record in listed)
    assert sorted(row["id"] for row in found) == PODCAST
    assert sorted(r["id"] for r in listed if "podcast" in f"{r['text']} {r['commentary']}".lower()) == PODCAST
    assert '<input id="_search" type="search" name="_search"' in page


def test_datasette_follows_links_both_ways_and_the_foreign_keys(shipped: Path) -> None:
    forward, backward, both, table = served(
        shipped,
        "/jnap/links.json?from_id=R4&_shape=array",
        "/jnap/links.json?to_id=O23&_shape=array",
        "/jnap/links_both_ways.json?action_id=O23&_shape=array",
        "/jnap/actions.json?_size=1",
    )
    assert forward == [{"rowid": 2, "from_id": "R4", "kind": "continues", "to_id": "O23", "reason": ""}]
    assert backward == forward
    assert both == [{"action_id": "O23", "relation": "continued_by", "other_id": "R4", "reason": ""}]
    assert table["expandable_columns"] == [[{"column": "plan", "other_table": "plans", "other_column": "id"}, "title"]]


def test_datasette_shows_the_metadata(shipped: Path) -> None:
    metadata_path = shipped.with_name("metadata.json")
    shown, index, actions = served(shipped, "/-/metadata.json", "/", "/jnap/actions", metadata=metadata_path)
    title = "Police–CPS Joint National Action Plan on rape: register of activities and actions"
    assert shown["title"] == title
    assert shown["source"].startswith("Police-CPS joint national rape action plan – Final Report 2024")
    assert "license" not in shown  # the register states none, and jnap invents none
    assert (
        "JNAP Refresh (refresh): 2024; Police-CPS Joint National RASSO Action Plan 2021 (original): 2022"
        in (shown["description"])
    )
    assert title in index
    assert "One row per action" in actions
    assert 'class="facet-info facet-jnap-actions-status"' in actions


def test_datasette_on_the_command_line(shipped: Path) -> None:
    assert DATASETTE, "datasette is in the test extra: pip install -e '.[test]'"
    done = subprocess.run(
        [DATASETTE, str(shipped), "--get", "/jnap/actions.csv?_search=podcast&_col=status&_sort=id"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.replace("\r\n", "\n") == "id,status\nO14,complete\nR10,complete\nR6,complete\n\n"


# --- the tables, read back ------------------------------------------------------------------------------


def test_every_action_round_trips_as_jnap_list_gives_it(shipped: Path, run: Run) -> None:
    listed = json.loads(run("list", "--format", "json", "-r", str(DATA)).stdout)
    stored = {row["id"]: row for row in rows(shipped, "select * from actions")}
    lists = ("continues", "continued_by", "builds_on", "built_on_by", "references")
    for record in listed:
        row = stored.pop(record["id"])
        decoded = {name: json.loads(value) if name in lists else value for name, value in row.items()}
        assert decoded == {name: value for name, value in record.items() if name != "provenance"}
    assert stored == {}
    metadata = {row["key"]: row["value"] for row in rows(shipped, "select * from _metadata")}
    assert json.loads(metadata["provenance"]) == listed[0]["provenance"]
    assert json.loads(metadata["as_of"]) == {"refresh": 2024, "original": 2022}
    assert metadata["generator"].startswith("jnap ")
    assert "licence" not in metadata
    assert "license" not in metadata


def test_plans_glossary_and_themes_are_jnaps_records(shipped: Path, run: Run) -> None:
    plans = json.loads(run("plans", "--format", "json", "-r", str(DATA)).stdout)
    kept = ("id", "title", "year", "as_of", "commentary_source")
    stored_plans = rows(shipped, "select * from plans")
    assert [{name: row[name] for name in kept} for row in stored_plans] == [
        {name: plan[name] for name in kept} for plan in plans
    ]
    for row, plan in zip(stored_plans, plans, strict=True):  # whose title and year: the annex's or the register's
        assert row["title_from"] in plan["provenance"] and "title" in plan["provenance"][row["title_from"]]
        assert row["year_from"] in plan["provenance"] and "year" in plan["provenance"][row["year_from"]]
    glossary = json.loads(run("glossary", "--format", "json").stdout)
    stored = rows(shipped, "select * from glossary")
    lists = ("aliases", "other_forms", "quotes")
    assert [{**row, **{name: json.loads(row[name]) for name in lists}} for row in stored] == glossary
    themes = json.loads(run("themes", "--format", "json", "-r", str(DATA)).stdout)
    assert [{**row, "ids": json.loads(row["ids"])} for row in rows(shipped, "select * from themes")] == themes


def test_links_are_every_continues_and_builds_on_link(shipped: Path, run: Run) -> None:
    edges = json.loads(run("graph", "--format", "json", "-r", str(DATA)).stdout)
    stored = rows(shipped, "select from_id, kind, to_id, reason from links order by rowid")
    assert [(r["from_id"], r["kind"], r["to_id"]) for r in stored] == [
        (e["source"], e["kind"], e["target"]) for e in edges
    ]
    built = [r for r in stored if r["kind"] == "builds_on"]
    assert built
    assert all(r["reason"] for r in built)
    assert rows(shipped, "select count(*) as n from links_both_ways") == [{"n": 2 * len(stored)}]


def test_the_foreign_keys_hold_and_the_link_ends_are_indexed(shipped: Path) -> None:
    assert rows(shipped, "pragma foreign_key_check") == []
    keys = {(r["table"], r["from"], r["to"]) for r in rows(shipped, "pragma foreign_key_list(links)")}
    assert keys == {("actions", "from_id", "id"), ("actions", "to_id", "id")}
    assert rows(shipped, "pragma foreign_key_list(actions)")[0]["table"] == "plans"
    indexed = {r["name"] for r in rows(shipped, "pragma index_list(links)")}
    assert indexed == {"idx_links_from_id", "idx_links_to_id"}
    fts = rows(shipped, "select sql from sqlite_master where name = 'actions_fts'")[0]["sql"]
    fts = fts.replace("[", '"').replace("]", '"')  # sqlite-utils 3 quotes names with brackets, 4 with quotes
    assert 'USING FTS5 (\n    "text", "commentary", "theme"' in fts
    assert 'content="actions"' in fts
    connection = sqlite3.connect(shipped)
    try:
        connection.execute("pragma foreign_keys = on")
        with pytest.raises(sqlite3.IntegrityError):
            connection.execute("insert into links (from_id, kind, to_id, reason) values ('R1', 'continues', 'X9', '')")
    finally:
        connection.close()


def test_an_export_is_the_same_bytes_every_time(tmp_path: Path, run: Run, shipped: Path) -> None:
    export(run, tmp_path / "again.db")
    assert (tmp_path / "again.db").read_bytes() == shipped.read_bytes()


# --- hostile text ---------------------------------------------------------------------------------------

HOSTILE = "Quote \" and ' and `; DROP TABLE actions; -- \x1b[31mred\x1b[0m \u202eevil\u202c\x07 <b>markup</b> podcast"
COMMENTARY = 'It\'s "done"\x00? no: done.\n\tTabs.'
THEME = "Our 'People' \"quoted\""


def test_hostile_text_is_stored_exactly_and_found(tmp_path: Path, run: Run) -> None:
    data = registers.set_field(registers.small(), "R1", "text", HOSTILE)
    data = registers.set_field(data, "R1", "commentary", COMMENTARY)
    data = registers.set_field(data, "R1", "theme", THEME)
    register = registers.write(tmp_path / "hostile.toml", data)
    database = tmp_path / "hostile.db"
    result = export(run, database, register=register)
    assert result.stderr == "jnap: wrote " + str(database) + ": 6 actions, 2 plans, 1 link, 73 glossary terms\n"
    stored = rows(database, "select text, commentary, theme from actions where id = 'R1'")
    assert stored == [{"text": HOSTILE, "commentary": COMMENTARY, "theme": THEME}]
    assert [r["id"] for r in served(database, "/hostile/actions.json?_search=podcast&_shape=array")[0]] == ["R1"]
    found = served(database, '/hostile/actions.json?_search="quoted"&_shape=array')[0]
    assert [r["id"] for r in found] == ["R1"]
    assert rows(database, "pragma foreign_key_check") == []


def test_a_hostile_path_is_escaped_in_messages(tmp_path: Path, run: Run) -> None:
    result = run("export", "sqlite", str(tmp_path / "no\x1b[31mdir" / "x.db"))
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr
    assert result.stderr.startswith("jnap: error: ")


# --- where it may be written ----------------------------------------------------------------------------


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda folder: folder, "is a directory"),
        (lambda folder: fifo(folder / "fifo"), "is a FIFO"),
        (lambda folder: device(folder, "null"), "is a terminal or another device"),
    ],
    ids=["directory", "fifo", "device"],
)
def test_what_is_not_a_regular_file_is_refused(tmp_path: Path, run: Run, make: Any, message: str) -> None:
    target = make(tmp_path)
    before = sorted(os.listdir(tmp_path))
    result = run("export", "sqlite", str(target))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"jnap: error: {target}: {message} (SQLite needs a regular file it can seek in); "
        "give the path of a file to write\n"
    )
    assert sorted(os.listdir(tmp_path)) == before


def test_standard_output_is_refused(run: Run) -> None:
    result = run("export", "sqlite", "-")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "jnap: error: -: a database cannot be written to standard output "
        "(SQLite needs a regular file it can seek in); give a file name\n"
    )


def test_a_missing_folder_is_refused(tmp_path: Path, run: Run) -> None:
    result = run("export", "sqlite", str(tmp_path / "missing" / "jnap.db"))
    assert result.exit_code == 2
    missing = tmp_path / "missing"
    assert result.stderr == f"jnap: error: {missing}/jnap.db: no such directory: {missing}; create it first\n"
    assert os.listdir(tmp_path) == []


def test_another_programs_file_is_replaced_only_with_force(tmp_path: Path, run: Run) -> None:
    other = tmp_path / "notes.db"
    other.write_text("someone's notes\n", encoding="utf-8")
    result = run("export", "sqlite", str(other), "-r", str(DATA))
    assert result.exit_code == 3
    assert result.stderr == (
        f"jnap: error: {other}: already exists and is not a database jnap exported; "
        "give --force to replace it, or choose another path\n"
    )
    assert other.read_text(encoding="utf-8") == "someone's notes\n"
    other.chmod(0o640)
    export(run, other, "--force")
    assert rows(other, "select count(*) as n from actions") == [{"n": 44}]
    assert oct(other.stat().st_mode & 0o777) == "0o640"  # the replaced file keeps its mode
    assert os.listdir(tmp_path) == ["notes.db"]


def test_a_previous_export_or_an_empty_file_is_replaced(tmp_path: Path, run: Run) -> None:
    database = tmp_path / "jnap.db"
    database.touch()  # as `mktemp` leaves it
    export(run, database, register=registers.write(tmp_path / "small.toml", registers.small()))
    assert rows(database, "select count(*) as n from actions") == [{"n": 6}]
    export(run, database)
    assert rows(database, "select count(*) as n from actions") == [{"n": 44}]
    assert sorted(os.listdir(tmp_path)) == ["jnap.db", "small.toml"]


def test_the_register_itself_is_refused(tmp_path: Path, run: Run, register_copy: Path) -> None:
    before = register_copy.read_bytes()
    result = run("export", "sqlite", str(register_copy), "--force", "-r", str(register_copy))
    assert result.exit_code == 2
    refused = "that is the register (or one of its files); export it elsewhere"
    assert result.stderr == f"jnap: error: {register_copy}: {refused}\n"
    assert register_copy.read_bytes() == before


# --- failures leave what was there ----------------------------------------------------------------------


def test_a_full_disk_leaves_the_old_export_and_no_temporary_file(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "jnap.db"
    export(run, database, register=registers.write(tmp_path / "small.toml", registers.small()))
    before = database.read_bytes()

    def half_then_full(handle: int, data: bytes) -> None:
        os.write(handle, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic, "_write_all", half_then_full)
    result = run("export", "sqlite", str(database), "-r", str(DATA))
    assert result.exit_code == 2
    assert result.stderr == f"jnap: error: {database}: cannot write: No space left on device; nothing was written\n"
    assert database.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["jnap.db", "small.toml"]


def test_an_interrupted_build_writes_nothing(tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    from jnap_cli.render import sqlite as export_module

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(export_module, "_links", interrupted)
    result = run("export", "sqlite", str(tmp_path / "jnap.db"), "-r", str(DATA))
    assert result.exit_code == 130
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("delay", [0.2, 0.5, 0.8])
def test_a_killed_export_leaves_the_old_file_or_the_new(tmp_path: Path, delay: float) -> None:
    """SIGTERM at some moment of a real export (starting, reading, building or writing: the moment
    depends on the machine): FILE is then the old database or the new one, whole, and no temporary
    file is left beside it. (The tests above fail the write and the build at a chosen point.)"""
    small = registers.write(tmp_path / "small.toml", registers.small())
    database = tmp_path / "jnap.db"
    assert jnap("export", "sqlite", str(database), "-r", str(small), cwd=tmp_path).returncode == 0
    before = database.read_bytes()
    command = [sys.executable, "-m", "jnap_cli", "export", "sqlite", str(database), "-r", str(DATA)]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) in (0, -signal.SIGTERM)
    count = rows(database, "select count(*) as n from actions")[0]["n"]
    assert count == 44 if database.read_bytes() != before else count == 6
    assert rows(database, "pragma integrity_check") == [{"integrity_check": "ok"}]
    assert sorted(os.listdir(tmp_path)) == ["jnap.db", "small.toml"]


# --- metadata, and what start-up does not pay for ------------------------------------------------------


def test_the_metadata_goes_to_stdout_with_a_dash(tmp_path: Path, run: Run) -> None:
    result = export(run, tmp_path / "plan.data.db", "--metadata", "-")
    metadata = json.loads(result.stdout)
    assert list(metadata["databases"]) == ["plan.data"]  # Datasette's name for the file: its stem
    facets = metadata["databases"]["plan.data"]["tables"]["actions"]["facets"]
    assert facets == ["plan", "theme", "status", "status_basis"]


def test_the_metadata_cannot_be_the_database(tmp_path: Path, run: Run) -> None:
    result = run("export", "sqlite", str(tmp_path / "jnap.db"), "--metadata", str(tmp_path / "jnap.db"))
    assert result.exit_code == 2
    assert result.stderr == f"jnap: error: {tmp_path}/jnap.db: that is the database; give the metadata another name\n"
    assert os.listdir(tmp_path) == []


def test_sqlite_utils_is_imported_by_the_export_only(tmp_path: Path) -> None:
    probe = (
        "import sys\nfrom jnap_cli.entry import main\nsys.argv = ['jnap', *sys.argv[1:]]\n"
        "try:\n    main()\nfinally:\n"
        "    print(sorted(m for m in sys.modules if m.startswith('sqlite_utils')), file=sys.stderr)\n"
    )

    def imported(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", probe, *args], cwd=tmp_path, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stderr.splitlines()[-1]

    assert imported("list", "-r", str(DATA)) == "[]"
    assert imported("export", "sqlite", "--help") == "[]"
    assert imported("export", "sqlite", "x.db", "-r", str(DATA)) != "[]"
