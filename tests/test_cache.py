"""The validated cache of a register (register/cache.py): used while the file is unchanged, never an error."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jnap_cli.register import cache, cache_files, directory
from jnap_cli.register import load as loading
from jnap_cli.register.paths import resolve_path

from .conftest import Run
from .registers import set_field, small, split, write

ALL = ["R1", "R2", "R3", "O1", "O2", "O3"]  # small()'s actions
TRAINING = ["R1", "O1", "R3", "O3"]  # what `search training` finds in small(), best first

HEAVY_ON_A_HIT = (
    "jnap_cli.model.validation",  # the pydantic models: nothing is validated on a hit
    "jnap_cli.checks.rules",
    "jnap_cli.register.sourcemap",
    "jnap_cli.query.search",
    "tomllib",
    "rich",
)


def entry(path: Path) -> Path:
    return cache.entry_path(path)


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, reading a register file fails the test: answers must come from the cache."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the register was parsed")

    monkeypatch.setattr(loading, "load_text", refuse)


def ids(run: Run, *args: str) -> list[str]:
    result = run(*args, "-f", "ids")
    found = result.stdout.split()
    assert result.exit_code == (0 if found else 1), result.output
    assert result.stderr == ("" if found else "jnap: no actions match\n")
    return found


def test_a_second_run_reads_the_cache(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "actions.toml", small())
    first = run("list", "-r", str(path), "-f", "json").stdout
    assert entry(path).is_file()
    no_parsing(monkeypatch)
    assert run("list", "-r", str(path), "-f", "json").stdout == first
    assert ids(run, "search", "training", "-r", str(path)) == TRAINING


@pytest.mark.parametrize(
    "args",
    [
        ("list", "-f", "json"),
        ("show", "R4", "O23", "R9", "-f", "json"),
        ("search", "victim", "-f", "json"),
        ("search", '"third party"', "-f", "json"),
        ("search", "ISVA", "prosecut", "-f", "json"),
        ("plans", "-f", "json"),
        ("themes", "-f", "json"),
    ],
)
def test_the_cache_answers_as_the_file_does(run: Run, args: tuple[str, ...]) -> None:
    without = run("--no-cache", *args)
    cold = run(*args)
    warm = run(*args)
    assert without.exit_code == cold.exit_code == warm.exit_code == 0
    assert json.loads(without.stdout) == json.loads(cold.stdout) == json.loads(warm.stdout)
    assert entry(resolve_path(None)).is_file()


def test_a_changed_file_is_read_again(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    assert ids(run, "list", "--status", "deferred", "-r", str(path)) == []
    write(path, set_field(small(), "R1", "status", "deferred"))
    assert ids(run, "list", "--status", "deferred", "-r", str(path)) == ["R1"]


def test_same_size_and_time_are_not_enough_when_the_file_is_young(run: Run, tmp_path: Path) -> None:
    # Rewritten in place with bytes of the same length and its time put back: within the timestamps'
    # granularity of when the cache was built, the content hash tells.
    path = write(tmp_path / "actions.toml", small())
    before = path.stat()
    assert ids(run, "list", "--status", "deferred", "-r", str(path)) == []
    data = path.read_bytes()
    swapped = data.replace(b'status = "complete"', b'status = "deferred"', 1)
    assert len(swapped) == len(data) and swapped != data
    with path.open("r+b") as handle:
        handle.write(swapped)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert ids(run, "list", "--status", "deferred", "-r", str(path)) != []


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"not a database at all\n" * 100,
        b"SQLite format 3\x00" + b"\xff" * 4000,
    ],
)
def test_a_corrupt_cache_is_ignored(run: Run, tmp_path: Path, damage: bytes) -> None:
    path = write(tmp_path / "actions.toml", small())
    expected = ids(run, "search", "training", "-r", str(path))
    entry(path).write_bytes(damage)
    assert ids(run, "search", "training", "-r", str(path)) == expected
    assert ids(run, "list", "-r", str(path)) == ALL


def test_a_foreign_or_older_cache_is_ignored(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    run("list", "-r", str(path))
    with sqlite3.connect(entry(path)) as db:
        db.execute("UPDATE meta SET value = '0' WHERE key = 'format'")
    assert ids(run, "list", "-r", str(path)) == ALL
    entry(path).unlink()
    with sqlite3.connect(entry(path)) as db:
        db.execute("CREATE TABLE other (x)")
    assert ids(run, "list", "-r", str(path)) == ALL


def test_a_damaged_entry_inside_a_valid_cache_is_ignored(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    run("list", "-r", str(path))
    with sqlite3.connect(entry(path)) as db:
        db.execute("UPDATE actions SET document = '{\"id\": 1}'")
    assert ids(run, "list", "-r", str(path)) == ALL
    assert ids(run, "search", "training", "-r", str(path)) == TRAINING


def test_an_unwritable_cache_directory_is_no_error(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    path = write(tmp_path / "actions.toml", small())
    assert ids(run, "list", "-r", str(path)) == ALL
    assert ids(run, "search", "training", "-r", str(path)) == TRAINING


@pytest.mark.parametrize("how", ["flag", "variable"])
def test_the_cache_can_be_bypassed(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    path = write(tmp_path / "actions.toml", small())
    if how == "flag":
        args: tuple[str, ...] = ("--no-cache",)
    else:
        monkeypatch.setenv("JNAP_NO_CACHE", "1")
        args = ()
    assert ids(run, *args, "list", "-r", str(path)) == ALL
    assert ids(run, *args, "search", "training", "-r", str(path)) == TRAINING
    assert not entry(path).exists()
    from jnap_cli.query.glossary import default_path

    assert not entry(default_path()).exists()  # nor the glossary's


def test_an_invalid_register_is_never_cached(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), "R1", "status", "done"))
    for _ in range(2):
        result = run("list", "-r", str(path))
        assert result.exit_code == 2
        assert "is not a known status" in result.stderr
    assert not entry(path).exists()


def test_an_edit_keeps_the_cache_true(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    assert ids(run, "list", "--status", "deferred", "-r", str(path)) == []
    assert entry(path).exists()
    result = run("set-status", "R1", "deferred", "--evidence", "Training", "-r", str(path))
    assert result.exit_code == 0, result.output
    assert not entry(path).exists()  # removed with the write
    assert ids(run, "list", "--status", "deferred", "-r", str(path)) == ["R1"]
    assert ids(run, "search", "victim liaison", "-r", str(path)) == ["R2", "O2"]


def test_a_cache_hit_validates_nothing(tmp_path: Path) -> None:
    """What `jnap show R4 --format json` imports when the cache answers (a structure, not a timing).

    pydantic itself is imported by Typer 0.29 on every command (typer._adapters); jnap's own models and
    everything that parses or checks a register are not.
    """
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    environment.pop("JNAP_REGISTER", None)
    environment.pop("JNAP_NO_CACHE", None)
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(' '.join(sorted(sys.modules)), file=sys.stderr))\n"
        "from jnap_cli.entry import main\n"
        "sys.argv = ['jnap', 'show', 'R4', '--format', 'json']\n"
        "main()\n"
    )

    def imported() -> set[str]:
        done = subprocess.run(
            [sys.executable, "-c", probe], cwd=tmp_path, env=environment, capture_output=True, text=True, check=True
        )
        assert json.loads(done.stdout)[0]["id"] == "R4"
        return set(done.stderr.split())

    cold = imported()
    assert {"jnap_cli.model.validation", "tomllib"} <= cold  # the first run reads and validates
    warm = imported()
    assert warm.isdisjoint(HEAVY_ON_A_HIT), sorted(warm & set(HEAVY_ON_A_HIT))
    assert "jnap_cli.register.cache" in warm


def test_every_field_of_an_action_survives_the_cache() -> None:
    from dataclasses import fields

    from jnap_cli.model.schema import Action

    for action in loading.load_file(cache=False).actions:
        document = cache._document(action)
        assert set(document) == {field.name for field in fields(Action)}
        assert cache._action(json.loads(json.dumps(document))) == action


# --- a register kept as a directory: a cache per file ----------------------------------------------


def test_a_directory_is_cached_file_by_file(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = split(small(), tmp_path / "register")
    expected = run("--no-cache", "list", "-r", str(folder), "-f", "json").stdout
    assert run("list", "-r", str(folder), "-f", "json").stdout == expected
    files = sorted(folder.glob("*.toml"))
    assert all(entry(path).is_file() for path in files)
    assert not entry(folder).exists()
    # One file changes: only it is read again.
    write(folder / "2-original.toml", {"plans": [small()["plans"][1]], "actions": small()["actions"][3:5]})
    parsed: list[str] = []
    original = directory.member_from_text

    def counting(text: str, origin: str, path: Path | None = None) -> directory.Member:
        parsed.append(Path(origin).name)
        return original(text, origin, path)

    monkeypatch.setattr(directory, "member_from_text", counting)
    assert ids(run, "list", "-r", str(folder)) == ["R1", "R2", "R3", "O1", "O2"]
    assert parsed == ["2-original.toml"]
    assert ids(run, "search", "training", "-r", str(folder)) == ["R1", "O1", "R3"]


def test_a_directory_whose_cached_files_disagree_is_placed_from_the_files(run: Run, tmp_path: Path) -> None:
    folder = split(small(), tmp_path / "register")
    assert run("list", "-r", str(folder)).exit_code == 0  # every file cached
    write(folder / "3-more.toml", {"actions": [small()["actions"][0]]})  # R1 again
    result = run("list", "-r", str(folder))
    assert result.exit_code == 2
    assert f"{folder / '3-more.toml'}:" in result.stderr and "1-refresh.toml:" in result.stderr


def test_the_glossary_is_cached_too(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jnap_cli.query import glossary

    expected = run("glossary", "-f", "json").stdout
    found = ids(run, "--no-cache", "search", "ISVA")
    assert entry(glossary.default_path()).is_file()

    def refuse(_path: Path) -> object:
        raise AssertionError("the glossary was read")

    monkeypatch.setattr(glossary, "_read_bytes", refuse)
    assert run("glossary", "-f", "json").stdout == expected
    assert ids(run, "search", "ISVA") == found != []


def test_a_register_cache_is_never_taken_for_a_glossary(tmp_path: Path) -> None:
    from jnap_cli.query.glossary import load_glossary

    path = write(tmp_path / "actions.toml", small())
    loading.load_file(path)  # cached as a register
    assert cache.read_document(path, "glossary") is None
    with pytest.raises(Exception, match="invalid glossary"):
        load_glossary(path)


# --- found by a second reader ---------------------------------------------------------------------


def test_a_cached_file_of_a_directory_is_not_a_valid_register_on_its_own(run: Run, tmp_path: Path) -> None:
    folder = split(small(), tmp_path / "register")
    alone = folder / "1-refresh.toml"  # no title or source, and R2 continues O2, in another file
    refused = run("list", "-r", str(alone))
    assert refused.exit_code == 2
    assert run("list", "-r", str(folder)).exit_code == 0  # caches each file as part of the directory
    result = run("list", "-r", str(alone))
    assert (result.exit_code, result.stderr) == (2, refused.stderr)


@pytest.mark.parametrize(("key", "value"), [("built_ns", "x"), ("stamp", ""), ("sha256", "0")])
def test_a_cache_with_bad_bookkeeping_is_ignored(run: Run, tmp_path: Path, key: str, value: str) -> None:
    path = write(tmp_path / "actions.toml", small())
    assert ids(run, "list", "-r", str(path)) == ALL
    with sqlite3.connect(entry(path)) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
    assert ids(run, "list", "-r", str(path)) == ALL
    assert ids(run, "search", "training", "-r", str(path)) == TRAINING


def test_a_fifo_in_place_of_a_cache_does_not_block(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    entry(path).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(entry(path))
    assert ids(run, "list", "-r", str(path)) == ALL


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("abc", "jnap: error: JNAP_MAX_BYTES='abc' is not a size; give bytes, or a size such as 512M or 2G\n"),
        ("1K", "larger than 1 KiB; not a"),  # the register, or for a search the glossary, read first
    ],
)
def test_the_size_guard_holds_with_a_warm_cache(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str, message: str
) -> None:
    path = write(tmp_path / "actions.toml", small())
    assert ids(run, "list", "-r", str(path)) == ALL  # cached
    monkeypatch.setenv("JNAP_MAX_BYTES", setting)
    for args in (("list",), ("show", "R1"), ("search", "training")):
        result = run(*args, "-r", str(path))
        assert result.exit_code == 2, result.output
        assert message in result.stderr


def test_a_glossary_too_large_is_called_a_glossary(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    from jnap_cli.query.glossary import default_path

    monkeypatch.setenv("JNAP_MAX_BYTES", str(default_path().stat().st_size - 1))
    result = run("glossary")
    assert result.exit_code == 2
    assert "; not a glossary;" in result.stderr


FULL_ACTION = """\
title = "Every field"
source = "tests"

[publication]
title = "A report"
year = 2024
text = "data/source/annex.txt"
introductions = [{ plan = "p", text = "Actions 1 – 2 directly below are from plan P." }]

[[plans]]
id = "p"
title = "Plan P"
year = 2021
commentary_as_of = 2024
commentary_source = "the 2024 report"
title_from = "annex"
year_from = "register"

[[actions]]
id = "A1"
plan = "p"
number = 1
theme = "A theme"
text = "Do a thing (see action 2 under A theme)."
commentary = "The thing is done.\\n\\nA second paragraph."
status = "complete"
status_basis = "stated"
status_evidence = "The thing is done."
handed_to = "A second"
waits_on = "paragraph"
continues = ["A2"]
builds_on = [{ id = "A2", reason = "its guidance" }]
references = ["action 2 under A theme"]
annex_marker = "Completed"

[[actions]]
id = "A2"
plan = "p"
number = 2
theme = "A theme"
text = "Another."
commentary = "Done too."
status = "ongoing"
status_evidence = "Done too."
"""


def test_an_action_that_sets_every_field_survives_every_converter(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dataclasses of `model.schema` are the one list of fields; validation, the cache's writer and
    its reader all follow them. An action that sets every field to something else than its default comes
    back whole from the file and from the cache, and prints every field."""
    from dataclasses import fields

    from jnap_cli.model.schema import Action, BuildsOn, Introduction, Plan, Publication
    from jnap_cli.model.vocab import Origin, Status, StatusBasis
    from jnap_cli.register.load import load_text

    expected = Action(
        id="A1", plan="p", number=1, theme="A theme", text="Do a thing (see action 2 under A theme).",
        status=Status.COMPLETE, commentary="The thing is done.\n\nA second paragraph.",
        status_basis=StatusBasis.STATED, status_evidence="The thing is done.", handed_to="A second",
        waits_on="paragraph", continues=("A2",),
        builds_on=(BuildsOn("A2", "its guidance"),), references=("action 2 under A theme",),
        annex_marker="Completed",
    )  # fmt: skip
    assert all(getattr(expected, f.name) != f.default for f in fields(Action) if f.name not in ("id", "plan")), (
        "a field of Action is left at its default here: set it in FULL_ACTION and `expected`"
    )
    from_file = load_text(FULL_ACTION, "full.toml")
    assert from_file.actions[0] == expected
    plan = Plan("p", "Plan P", 2021, 2024, "the 2024 report", Origin.ANNEX, Origin.REGISTER)
    assert all(getattr(plan, f.name) != f.default for f in fields(Plan)), "set every field of Plan here"
    assert from_file.plans[0] == plan
    introduction = Introduction("p", "Actions 1 – 2 directly below are from plan P.")
    assert from_file.publication == Publication("A report", 2024, "data/source/annex.txt", (introduction,))
    path = tmp_path / "full.toml"
    path.write_text(FULL_ACTION, encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cold = run("show", "A1", "--format", "json", "-r", str(path))
    warm = run("show", "A1", "--format", "json", "-r", str(path))  # from the cache
    assert cold.exit_code == warm.exit_code == 0
    assert warm.stdout == cold.stdout
    shown = json.loads(warm.stdout)[0]
    assert {f.name for f in fields(Action)} <= set(shown)
    assert shown["builds_on"] == [{"id": "A2", "reason": "its guidance"}] and shown["annex_marker"] == "Completed"
    plans = [json.loads(run("plans", "-f", "json", "-r", str(path)).stdout) for _ in range(2)]  # cold, warm
    assert plans[0] == plans[1]
    assert plans[1][0]["provenance"] == {"annex": ["title"], "register": ["year"]}
    assert plans[1][0]["introduction"] == introduction.text


# --- the cache is no more readable than the register, and no more trusted than the file -------------


def test_a_private_register_has_a_private_cache(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "cache-home"  # jnap makes jnap/ and jnap/registers/ in it
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    previous = os.umask(0o022)  # the usual umask, which would give 0644 files and 0755 directories
    try:
        path = write(tmp_path / "actions.toml", small())
        path.chmod(0o600)
        assert ids(run, "search", "training", "-r", str(path)) == TRAINING  # the register and the glossary
    finally:
        os.umask(previous)
    from jnap_cli.query.glossary import default_path

    for cached in (entry(path), entry(default_path())):
        assert stat.S_IMODE(cached.stat().st_mode) == 0o600, cached
    for folder in (home / "jnap", home / "jnap" / "registers"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_a_cache_is_private_while_it_is_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No window in which another user could open it: the file is 0600 before SQLite writes a byte."""
    path = write(tmp_path / "actions.toml", small())
    modes: list[int] = []
    begin = cache._begin

    def watching(connection: sqlite3.Connection, *args: object) -> None:
        (name,) = (row[2] for row in connection.execute("PRAGMA database_list") if row[1] == "main")
        modes.append(stat.S_IMODE(Path(name).stat().st_mode))
        begin(connection, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cache, "_begin", watching)
    previous = os.umask(0o022)
    try:
        loading.load_file(path)
    finally:
        os.umask(previous)
    assert modes == [0o600]
    assert entry(path).is_file()


WHOLE_REGISTER = (
    ("list", "-f", "json"),
    ("show", "R1", "R2", "O2", "-f", "markdown"),
    ("plans", "-f", "tsv"),
    ("graph", "-f", "mermaid"),
    ("report", "-f", "markdown"),
)
SEARCH = (("search", "victim liaison", "-f", "json"),)  # R2 and O2, read alone through the index
IDS = (("search", "victim", "-f", "ids"),)  # every hit of one word: ranked by SQLite, ids read beside the index


@pytest.mark.parametrize(
    "tampering",
    [
        "UPDATE actions SET id = 'R2' || char(27) || '[31m' WHERE id = 'R2'",
        "UPDATE actions SET id = 'R2' || char(10) WHERE id = 'R2'",
        "UPDATE actions SET id = 7 WHERE id = 'R2'",
        "UPDATE actions SET plan = 'nowhere' WHERE id = 'R2'",
        "UPDATE actions SET plan = 5 WHERE id = 'R2'",
    ],
)
def test_a_tampered_id_never_reaches_the_ids_of_a_search(run: Run, tmp_path: Path, tampering: str) -> None:
    """The ids `search --format ids` prints without reading the actions are checked as the actions are."""
    _same_output(run, tmp_path, tampering, IDS)


def _document(field: str, value: str, action: str = "R2") -> str:
    return f"UPDATE actions SET document = json_set(document, '$.{field}', {value}) WHERE id = '{action}'"


@pytest.mark.parametrize(
    "tampering",
    [
        _document("id", "'R2' || char(27) || '[31m'"),
        _document("id", "'R2 | **bold**'"),
        _document("number", "'7'"),
        _document("number", "json('true')"),
        _document("number", "0"),
        _document("status", "'done'"),
        _document("status_basis", "'guessed'"),
        _document("continues", "json_array('O2' || char(10) || '# heading')"),
        _document("continues", "'O2'"),
        _document("builds_on", "json_array(json_object('id', 'O1', 'reason', 5))"),
        _document("theme", "json_array('Our People')"),
        _document("text", "7"),
        _document("references", "json_array(1)"),
        _document("annex_marker", "json('false')"),
        _document("plan", "'nowhere'"),  # the plan is defined nowhere: the report would look it up
        "UPDATE actions SET continued_by = json_array('R2' || char(27) || ']8;;x') WHERE id = 'O2'",
        "UPDATE actions SET built_on_by = '{}' WHERE id = 'O2'",
        "UPDATE actions SET document = '[]' WHERE id = 'R2'",
        "UPDATE header SET document = json_set(document, '$.title', 5)",
        "UPDATE header SET document = json_set(document, '$.plans[0].id', 'refresh' || char(27) || '[2J')",
        "UPDATE header SET document = json_set(document, '$.plans[0].year', '2022')",
        "UPDATE header SET document = json_set(document, '$.plans[1].commentary_as_of', json('true'))",
        "UPDATE header SET document = json_set(document, '$.plans[1].title', json_array('Original plan'))",
        "UPDATE header SET document = json_set(document, '$.publication', json_object('title', 'x'))",
    ],
)
def test_a_tampered_cache_changes_no_output(run: Run, tmp_path: Path, tampering: str) -> None:
    """A cache edited by hand (same bookkeeping, other rows) is found out: the file is read again, and
    every command prints exactly what it prints from the file, exit 0."""
    _same_output(run, tmp_path, tampering, WHOLE_REGISTER + SEARCH)


@pytest.mark.parametrize(
    "tampering",
    [
        _document("continues", "json_array('Q9')"),  # a link to no action: the report would look it up
        _document("builds_on", "json_array(json_object('id', 'Q9', 'reason', ''))"),
        _document("id", "'R1'"),  # a duplicate
        _document("id", "'r1'"),  # a duplicate but for case, as ids are compared
        _document("number", "1"),  # a duplicate number in the plan
        "UPDATE header SET document = json_set(document, '$.plans[1].id', 'REFRESH')",
    ],
)
def test_a_tampered_cache_keeps_the_integrity_rules(run: Run, tmp_path: Path, tampering: str) -> None:
    """What the integrity rules held of the whole register holds of the cached one (a search reads only
    its hits, whose links, being ids, print as safely as any)."""
    _same_output(run, tmp_path, tampering, WHOLE_REGISTER)


def _same_output(run: Run, tmp_path: Path, tampering: str, commands: tuple[tuple[str, ...], ...]) -> None:
    path = write(tmp_path / "actions.toml", small())
    expected = [run("--no-cache", *args, "-r", str(path)) for args in commands]
    assert [result.exit_code for result in expected] == [0] * len(commands)
    for args, want in zip(commands, expected, strict=True):
        run("list", "-r", str(path))  # cached (again: a damaged cache is removed once found)
        with sqlite3.connect(entry(path)) as db:
            assert db.execute(tampering).rowcount == 1
        got = run(*args, "-r", str(path))
        assert (got.exit_code, got.stdout, got.stderr) == (0, want.stdout, want.stderr), args


def test_a_tampered_glossary_cache_changes_no_output(run: Run) -> None:
    from jnap_cli.query.glossary import default_path

    expected = run("--no-cache", "glossary", "-f", "json").stdout
    for value in ("5", "' '", "json_array('JNAP')", "NULL"):  # what validation refuses (any text may be escaped)
        run("glossary")
        with sqlite3.connect(entry(default_path())) as db:
            db.execute(f"UPDATE header SET document = json_set(document, '$.terms[0].term', {value})")
        result = run("glossary", "-f", "json")
        assert (result.exit_code, result.stdout, result.stderr) == (0, expected, ""), value


def test_a_damaged_cache_is_made_again(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    run("list", "-r", str(path))
    with sqlite3.connect(entry(path)) as db:
        db.execute(_document("number", "'7'"))
    assert ids(run, "list", "-r", str(path)) == ALL
    assert not entry(path).exists()  # removed when found damaged: the next read caches the file again
    assert ids(run, "list", "-r", str(path)) == ALL
    with sqlite3.connect(entry(path)) as db:
        assert db.execute("SELECT json_extract(document, '$.number') FROM actions WHERE id = 'R2'").fetchone() == (2,)


def test_a_rewrite_that_restores_size_and_mtime_is_seen(run: Run, tmp_path: Path) -> None:
    """git's check: an old file rewritten in place with bytes of the same length and its mtime put back
    (as `cp -p` or an editor might) has a new ctime."""
    path = write(tmp_path / "actions.toml", small())
    old_ns = time.time_ns() - 3_600 * 1_000_000_000  # an hour ago: not "racy", the stamp alone decides
    os.utime(path, ns=(old_ns, old_ns))
    assert ids(run, "list", "--status", "deferred", "-r", str(path)) == []  # cached
    data = path.read_bytes()
    swapped = data.replace(b'status = "complete"', b'status = "deferred"', 1)
    assert len(swapped) == len(data) and swapped != data
    with path.open("r+b") as handle:
        handle.write(swapped)
    os.utime(path, ns=(old_ns, old_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (len(data), old_ns)
    assert ids(run, "list", "--status", "deferred", "-r", str(path)) == ["R1"]


# --- interrupted builds ---------------------------------------------------------------------------


def test_the_files_of_interrupted_builds_are_removed(run: Run, tmp_path: Path) -> None:
    """A build killed (SIGKILL, a power cut) leaves `.{entry}.{pid}.tmp`: the next cache written removes it
    when its process is gone or it is over an hour old; a live build's file stays."""
    folder = cache_files.make_directory()
    finished = subprocess.Popen([sys.executable, "-c", ""])
    finished.wait()
    sleeping = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        dead = folder / f".{'a' * 32}.sqlite3.{finished.pid}.tmp"
        old = folder / f".{'b' * 32}.sqlite3.{sleeping.pid}.tmp"
        live = folder / f".{'c' * 32}.sqlite3.{sleeping.pid}.tmp"
        other = folder / "notes.tmp"  # not jnap's
        for made in (dead, old, live, other):
            made.write_bytes(b"x" * 1000)
        two_hours_ago = time.time_ns() - 7_200 * 1_000_000_000
        os.utime(old, ns=(two_hours_ago, two_hours_ago))
        path = write(tmp_path / "actions.toml", small())
        assert ids(run, "list", "-r", str(path)) == ALL  # a cold read: a cache is written
        assert (dead.exists(), old.exists(), live.exists(), other.exists()) == (False, False, True, True)
        assert entry(path).is_file()
    finally:
        sleeping.kill()
        sleeping.wait()


def test_a_model_that_differs_from_its_dataclass_is_refused_at_once() -> None:
    """`model.validation.converter` holds each pydantic model to its dataclass's fields when jnap starts."""
    from jnap_cli.model import validation
    from jnap_cli.model.schema import BuildsOn

    with pytest.raises(TypeError, match=r"Plan and BuildsOn differ in \['commentary_as_of'"):
        validation.converter(validation.Plan, BuildsOn)
