"""Which register jnap reads when given none, how findings name it, and reading a file being rewritten.

1. In a git work tree, the repository's register (its `jnap.toml` or `[tool.jnap]` setting, else its
   `data/actions.toml`) comes before the bundled one, from any subdirectory.
2. Findings name a register inside a work tree relative to the tree's top (`data/actions.toml`).
3. A register rewritten while it is read is read again or refused, never taken half-written.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from jnap_cli.errors import InputUnreadable, RegisterInvalid
from jnap_cli.register import paths, tomlfile
from jnap_cli.register.load import load_text
from jnap_cli.register.source import load

from .conftest import DATA, Run, git, jnap, line_of
from .registers import Data, set_field, small, write


@pytest.fixture
def repo(tmp_path: Path, git_env: None) -> Path:
    """The top of an empty git work tree (`git init`, or a bare `.git` directory where git is missing)."""
    root = tmp_path / "repo"
    root.mkdir()
    if shutil.which("git"):
        git(root, "init", "-q")
    else:
        (root / ".git").mkdir()
    return root


@pytest.fixture
def inside(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A subdirectory two levels below the top of `repo`, made the current directory."""
    folder = repo / "docs" / "notes"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    return folder


def deferred(action_id: str) -> Data:
    """The small register with `action_id` deferred: each test's register tells itself apart by it."""
    return set_field(small(), action_id, "status", "deferred")


def write_under(root: Path, relative: str, data: Data) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    return write(path, data)


def deferred_ids(run: Run, *args: str, env: dict[str, str] | None = None) -> str:
    result = run("list", "--status", "deferred", "--format", "ids", *args, env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def bundled_deferred_ids() -> str:
    """What `deferred_ids` prints for the bundled register (not R1 alone, whatever the shipped data says)."""
    ids = "".join(f"{action.id}\n" for action in load(paths.default_path()).actions if action.status == "deferred")
    assert ids != "R1\n"
    return ids


# --- 1. which register ---------------------------------------------------------------------------


def test_the_repository_register_from_a_subdirectory(run: Run, repo: Path, inside: Path) -> None:
    write_under(repo, "data/actions.toml", deferred("R1"))
    assert deferred_ids(run) == "R1\n"
    assert paths.resolve_path(None) == repo / "data" / "actions.toml"


def test_jnap_toml_names_the_register(run: Run, repo: Path, inside: Path) -> None:
    write_under(repo, "data/actions.toml", deferred("R1"))
    write_under(repo, "plans/register.toml", deferred("R3"))
    (repo / "pyproject.toml").write_text('[tool.jnap]\nregister = "data/actions.toml"\n', encoding="utf-8")
    (repo / "jnap.toml").write_text('register = "plans/register.toml"\n', encoding="utf-8")
    assert deferred_ids(run) == "R3\n"


def test_pyproject_names_the_register_when_there_is_no_jnap_toml(run: Run, repo: Path, inside: Path) -> None:
    write_under(repo, "data/actions.toml", deferred("R1"))
    write_under(repo, "plans/register.toml", deferred("R3"))
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.jnap]\nregister = "plans/register.toml"\n', encoding="utf-8"
    )
    assert deferred_ids(run) == "R3\n"


def test_pyproject_without_a_setting_leaves_data_actions_toml(run: Run, repo: Path, inside: Path) -> None:
    write_under(repo, "data/actions.toml", deferred("R1"))
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.ruff]\nline-length = 99\n', encoding="utf-8")
    assert deferred_ids(run) == "R1\n"


def test_pyproject_is_not_read_when_there_is_a_jnap_toml(run: Run, repo: Path, inside: Path) -> None:
    write_under(repo, "data/actions.toml", deferred("R1"))
    (repo / "pyproject.toml").write_text("this is = not TOML [\n", encoding="utf-8")
    (repo / "jnap.toml").write_text("# no settings yet\n", encoding="utf-8")
    assert deferred_ids(run) == "R1\n"  # a jnap.toml without `register` leaves the conventional file


def test_register_option_and_environment_come_first(run: Run, repo: Path, inside: Path, tmp_path: Path) -> None:
    write_under(repo, "data/actions.toml", deferred("R1"))
    (repo / "jnap.toml").write_text('register = "data/actions.toml"\n', encoding="utf-8")
    given = write(tmp_path / "given.toml", deferred("O1"))
    named = write(tmp_path / "named.toml", deferred("O2"))
    assert deferred_ids(run, "-r", str(given), env={"JNAP_REGISTER": str(named)}) == "O1\n"
    assert deferred_ids(run, env={"JNAP_REGISTER": str(named)}) == "O2\n"
    assert deferred_ids(run) == "R1\n"


def test_outside_a_work_tree_the_bundled_register(
    run: Run, tmp_path: Path, git_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    write_under(elsewhere, "data/actions.toml", deferred("R1"))  # not in a work tree: not discovered
    monkeypatch.chdir(elsewhere)
    assert paths.resolve_path(None) == paths.default_path()
    assert deferred_ids(run) == bundled_deferred_ids()


def test_a_work_tree_without_a_register_uses_the_bundled_one(run: Run, repo: Path, inside: Path) -> None:
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert paths.resolve_path(None) == paths.default_path()
    assert deferred_ids(run) == bundled_deferred_ids()


def test_the_file_of_a_linked_worktree_marks_its_top(
    run: Run, tmp_path: Path, git_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    top = tmp_path / "worktree"
    write_under(top, "data/actions.toml", deferred("R1"))
    (top / ".git").write_text("gitdir: /elsewhere/.git/worktrees/worktree\n", encoding="utf-8")
    (top / "src").mkdir()
    monkeypatch.chdir(top / "src")
    assert deferred_ids(run) == "R1\n"


def test_the_search_stops_below_a_ceiling_directory(
    run: Run, repo: Path, inside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_under(repo, "data/actions.toml", deferred("R1"))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(repo / "docs"))
    assert deferred_ids(run) == bundled_deferred_ids()  # as git itself would not find the repository from here


def test_finding_the_register_only_stats(repo: Path, inside: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_under(repo, "data/actions.toml", deferred("R1"))

    def refuse(*args: object, **kwargs: object) -> Any:
        raise AssertionError(f"finding the register opened or ran {args[:1]}")

    monkeypatch.setattr(io, "open", refuse)
    monkeypatch.setattr("builtins.open", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    assert paths.resolve_path(None) == repo / "data" / "actions.toml"


@pytest.mark.parametrize(
    ("settings", "content", "message"),
    [
        ("jnap.toml", 'register = "data/nope.toml"\n', "register = 'data/nope.toml': no such file"),
        (
            "pyproject.toml",
            '[tool.jnap]\nregister = "data/nope.toml"\n',
            "tool.jnap.register = 'data/nope.toml': no such file",
        ),
        ("jnap.toml", "register = 4\n", "register: should be the path of the register file or directory (got 4)"),
        (
            "jnap.toml",
            'registr = "data/actions.toml"\n',
            "registr: unknown setting (misspelt?); the only one is register",
        ),
        ("pyproject.toml", 'tool.jnap = "data/actions.toml"\n', "tool.jnap: should be a table ([tool.jnap])"),
    ],
)
def test_a_bad_setting_is_one_line_naming_its_file(
    run: Run, repo: Path, inside: Path, settings: str, content: str, message: str
) -> None:
    write_under(repo, "data/actions.toml", deferred("R1"))
    (repo / settings).write_text(content, encoding="utf-8")
    result = run("list")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == f"jnap: error: {repo / settings}: {message}; fix the setting, or pass --register PATH\n"


@pytest.mark.parametrize("settings", ["jnap.toml", "pyproject.toml"])
def test_a_malformed_settings_file_is_one_line_naming_it(run: Run, repo: Path, inside: Path, settings: str) -> None:
    write_under(repo, "data/actions.toml", deferred("R1"))
    (repo / settings).write_text('register = "data/actions.toml\n', encoding="utf-8")
    result = run("list")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"jnap: error: {repo / settings}:1:")
    assert "invalid TOML" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_with_a_revision_reads_the_repository_register(run: Run, repo: Path, inside: Path) -> None:
    register = write_under(repo, "data/actions.toml", small())
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "v1")
    write(register, deferred("R1"))
    git(repo, "commit", "-qam", "R1 is deferred")
    result = run("diff", "HEAD~1")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("0 added, 0 removed, 0 renamed, 1 changed; 1 status change, 1 regression\n")


def test_installed_script_annotates_the_repository_register(repo: Path, inside: Path) -> None:
    path = write_under(repo, "data/actions.toml", set_field(small(), "R1", "commentary", "  "))
    result = jnap("check", "--format", "github", "--select", "commentary-missing", cwd=inside)
    assert result.returncode == 1, result.stderr
    line = line_of(path, 'commentary = "  "')
    assert result.stdout == (
        f"::error file=data/actions.toml,line={line},title=commentary-missing::"
        "action R1: commentary: commentary is missing or whitespace only\n"
    )


# --- 2. how findings name it ---------------------------------------------------------------------


@pytest.fixture
def blank(repo: Path) -> Path:
    """The repository's data/actions.toml, with R1's commentary blank (one error)."""
    return write_under(repo, "data/actions.toml", set_field(small(), "R1", "commentary", "  "))


CHECK = ("check", "--select", "commentary-missing")
MESSAGE = "commentary is missing or whitespace only"


@pytest.mark.parametrize("named", ["discovered", "relative", "absolute"])
def test_findings_name_the_register_from_the_top_of_its_work_tree(
    run: Run, blank: Path, inside: Path, named: str
) -> None:
    given = {"discovered": [], "relative": ["-r", "../../data/actions.toml"], "absolute": ["-r", str(blank)]}[named]
    line = line_of(blank, 'commentary = "  "')
    text = run(*CHECK, *given)
    assert text.exit_code == 1, text.output
    assert text.stdout == f"data/actions.toml:{line}: action R1: commentary: error: {MESSAGE} [commentary-missing]\n"
    github = run(*CHECK, *given, "--format", "github")
    assert github.stdout == (
        f"::error file=data/actions.toml,line={line},title=commentary-missing::action R1: commentary: {MESSAGE}\n"
    )
    document = json.loads(run(*CHECK, *given, "--format", "json").stdout)
    assert [(f["file"], f["line"]) for f in document["findings"]] == [("data/actions.toml", line)]


def test_the_findings_of_an_invalid_register_name_it_from_the_top(run: Run, repo: Path, inside: Path) -> None:
    path = write_under(repo, "data/actions.toml", set_field(small(), "R3", "id", "R1"))
    result = run("check")
    assert result.exit_code == 2
    lines = path.read_text(encoding="utf-8").split("\n")
    second = [number for number, line in enumerate(lines, start=1) if line == 'id = "R1"'][1]
    assert result.stdout == (
        f"data/actions.toml:{second}: action R1: id: error: id 'R1' is already used by an earlier action "
        "[duplicate-id]\n"
    )
    assert result.stderr == "jnap: error: data/actions.toml: invalid register: 1 problem(s) shown above\n"


def test_outside_a_work_tree_findings_name_the_register_as_given(
    run: Run, tmp_path: Path, git_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_under(tmp_path, "plain/actions.toml", set_field(small(), "R1", "commentary", "  "))
    monkeypatch.chdir(path.parent)
    line = line_of(path, 'commentary = "  "')
    for given in ("actions.toml", str(path)):
        result = run(*CHECK, "-r", given)
        assert result.stdout.startswith(f"{given}:{line}: action R1: "), result.output


def test_the_shipped_register_is_named_from_the_top_of_this_checkout(run: Run) -> None:
    if paths.repository_top(DATA.parent) is None:
        pytest.skip("not run from a git checkout")
    result = run("check", "--register", str(DATA))
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["data/actions.toml"] * 2


# --- 3. reading a file that is being rewritten ----------------------------------------------------


def partial(data: Data, keep: int) -> Data:
    """`data` with only its first `keep` actions: what a reader sees of a register half written."""
    return {**data, "actions": data["actions"][:keep]}


Read = Callable[[], bytes | None]


@pytest.fixture
def opened() -> list[Path]:
    """The reads of the test's register that `serve` has answered, in order."""
    return []


def serve(monkeypatch: pytest.MonkeyPatch, target: Path, reads: list[Read], calls: list[Path]) -> None:
    """Answer the n-th read of `target` with what the n-th of `reads` returns (the last one answers
    every later read); None lets the file itself answer. Inside a read, files are real."""
    real = tomlfile._read_limited

    def fake_read(path: Path, expected: int, limit: int) -> bytes:
        if path != target:
            return real(path, expected, limit)
        calls.append(path)
        answer = reads[min(len(calls), len(reads)) - 1]()
        return real(path, expected, limit) if answer is None else answer

    monkeypatch.setattr(tomlfile, "_read_limited", fake_read)


def test_a_register_rewritten_during_the_read_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opened: list[Path]
) -> None:
    path = write(tmp_path / "actions.toml", small())
    new = set_field(small(), "R1", "commentary", "Training 1 has been delivered to every team. " * 50)

    def half_written() -> bytes:
        # The read sees the new version's first action only; by the stat after it, the writer has finished.
        seen = tomli_w.dumps(partial(new, 1), multiline_strings=True).encode()
        write(path, new)
        return seen

    serve(monkeypatch, path, [half_written, lambda: None], opened)
    assert tomlfile.read_bytes(path) == tomli_w.dumps(new, multiline_strings=True).encode()
    assert len(opened) == 2


def test_a_read_shorter_than_the_file_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opened: list[Path]
) -> None:
    path = write(tmp_path / "actions.toml", small())
    whole = path.read_bytes()
    serve(monkeypatch, path, [lambda: whole[: len(whole) // 2], lambda: None], opened)
    assert tomlfile.read_bytes(path) == whole
    assert len(opened) == 2


def test_a_register_that_keeps_changing_is_refused(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opened: list[Path]
) -> None:
    path = write(tmp_path / "actions.toml", small())

    def rewritten() -> bytes:
        seen = path.read_bytes()
        write(path, set_field(small(), "R1", "commentary", "Training 1 was delivered" + "!" * len(opened)))
        return seen

    serve(monkeypatch, path, [rewritten], opened)
    with pytest.raises(InputUnreadable) as caught:
        tomlfile.read_bytes(path)
    assert caught.value.message == f"{path}: changed while being read; try again"
    assert len(opened) == tomlfile.READ_TRIES
    result = run("list", "-r", str(path))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"jnap: error: {path}: changed while being read; try again\n"


def test_a_half_written_register_that_stops_changing_for_a_moment_is_not_taken_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The writer stalls mid-file (ext4 does, for 10-20 ms) while the whole read happens: the stats before
    # and after agree, so only a file that has stayed unchanged since it was last written is taken.
    new = set_field(small(), "R1", "commentary", "Training 1 has been delivered to every team. " * 50)
    path = write(tmp_path / "actions.toml", partial(new, 1))
    real_sleep = time.sleep

    def writer_resumes(seconds: float) -> None:
        if path.read_bytes() != tomli_w.dumps(new, multiline_strings=True).encode():
            write(path, new)
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", writer_resumes)
    assert len(load(path).actions) == len(new["actions"])


def test_a_register_at_rest_is_read_once_without_waiting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "actions.toml", small())
    an_hour_ago = time.time() - 3600
    os.utime(path, (an_hour_ago, an_hour_ago))

    def no_waiting(seconds: float) -> None:
        raise AssertionError(f"waited {seconds} s for a file written an hour ago")

    monkeypatch.setattr(time, "sleep", no_waiting)
    assert tomlfile.read_bytes(path) == path.read_bytes()


@pytest.mark.skipif(not Path("/proc/version").is_file(), reason="needs Linux's /proc")
def test_a_file_whose_size_is_not_what_it_holds_is_still_read() -> None:
    version = Path("/proc/version")
    assert version.stat().st_size == 0  # what /proc reports; the file holds a line of text
    assert tomlfile.read_bytes(version) == version.read_bytes()


def padded(data: Data, lines: int) -> list[bytes]:
    """`data` as TOML in pieces (the top, then each action), each action followed by `lines` comment
    lines: a long write, and a file that, cut anywhere in a comment, is valid TOML with the actions before."""
    text = tomli_w.dumps(data, multiline_strings=True)
    commentary = "".join(f"# {n:06d} {'commentary ' * 9}\n" for n in range(lines))
    head, *actions = text.split("[[actions]]\n")
    return [head.encode(), *(f"[[actions]]\n{action}{commentary}".encode() for action in actions)]


def test_a_register_rewritten_in_place_in_a_loop_is_never_read_half_written(tmp_path: Path) -> None:
    # No links between actions, so that a register cut short after any action is a valid one.
    register = set_field(small(), "R2", "continues", [])
    pieces = padded(register, 200)  # about 130 KB
    path = tmp_path / "actions.toml"
    path.write_bytes(b"".join(pieces))
    stop = threading.Event()
    writes = 0

    def writer() -> None:
        # Rewrites the file in place, an action at a time, as a script writing a register may; now and
        # then it rests long enough for a read to find the file whole.
        nonlocal writes
        while not stop.is_set():
            with path.open("wb") as handle:
                for piece in pieces:
                    handle.write(piece)
                    handle.flush()
            writes += 1
            if writes % 400 == 0:
                time.sleep(0.06)

    reads: list[bytes] = []
    refused = 0
    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        for n in range(100):
            time.sleep(n % 7 / 2000)  # reads at varied moments; a reader that never sleeps starves the writer
            try:
                reads.append(tomlfile.read_bytes(path))
            except InputUnreadable:
                refused += 1
    finally:
        stop.set()
        thread.join(timeout=10)
    outcomes = {"complete": 0, "partial": 0, "refused": refused}
    for data in reads:  # validated after the race, so that validating does not slow the reads down
        try:
            actions = len(load_text(tomlfile.decode(data, str(path)), str(path)).actions)
        except (InputUnreadable, RegisterInvalid):
            outcomes["refused"] += 1  # an empty file, or one cut inside an action: refused all the same
        else:
            outcomes["complete" if actions == len(register["actions"]) else "partial"] += 1
    assert outcomes["partial"] == 0, outcomes
    assert writes > 100, (writes, outcomes)  # the reads did race the writer
    assert len(load(path).actions) == len(register["actions"])
