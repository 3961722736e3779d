"""Editing the register: lossless, verified, atomic edits that leave the file untouched when refused."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from jnap_cli.errors import WriteRefused
from jnap_cli.files import lock
from jnap_cli.text import unsafe_characters
from jnap_cli.writing import splice, writer
from jnap_cli.writing.splice import Change, Edit

from .conftest import DATA, JNAP, Run
from .registers import set_field, small, write


@pytest.fixture(params=["lf", "crlf"])
def copy(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A copy of the shipped register, with LF or CRLF line endings."""
    path = tmp_path / "actions.toml"
    data = DATA.read_bytes()
    path.write_bytes(data if request.param == "lf" else data.replace(b"\n", b"\r\n"))
    return path


def changed_lines(before: bytes, after: bytes) -> tuple[list[bytes], list[bytes]]:
    """The lines a line diff removes from `before`, and adds in `after`."""
    from difflib import SequenceMatcher

    old, new = before.split(b"\n"), after.split(b"\n")
    gone: list[bytes] = []
    added: list[bytes] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "equal":
            gone += old[i1:i2]
            added += new[j1:j2]
    return gone, added


def test_set_status_changes_exactly_its_lines(run: Run, copy: Path) -> None:
    before = copy.read_bytes()
    result = run("set-status", "R4", "complete", "--evidence", "Regular meetings", "--basis", "stated", "-r", str(copy))
    assert (result.exit_code, result.stdout) == (0, "")
    said = "status ongoing → complete, basis inferred → stated, status evidence replaced"
    assert result.stderr == f"jnap: R4: {said} ({copy})\n"
    gone, added = changed_lines(before, copy.read_bytes())
    cr = b"\r" if b"\r\n" in before else b""
    assert added == [
        b'status = "complete"' + cr,
        b'status_basis = "stated"' + cr,
        b'status_evidence = "Regular meetings"' + cr,
    ]
    assert len(gone) == 3 and all(line.startswith(b"status") for line in gone)
    assert run("check", "-r", str(copy)).exit_code == 0


def test_comment_append_and_the_evidence_rule(run: Run, copy: Path) -> None:
    assert (
        run("comment", "R1", "--append", "--text", "Refresher training continued in 2024.", "-r", str(copy)).exit_code
        == 0
    )
    assert tomllib.loads(copy.read_text(encoding="utf-8").replace("\r\n", "\n"))["actions"][0]["commentary"].endswith(
        "Rape misconceptions and assumptions.\n\nRefresher training continued in 2024."
    )
    before = copy.read_bytes()
    refused = run("comment", "R1", "--text", "Something else entirely.", "-r", str(copy))
    assert refused.exit_code == 3 and "no longer contains the status evidence" in refused.stderr
    assert copy.read_bytes() == before
    both = run("comment", "R1", "--text", "All done.", "--evidence", "All done.", "-r", str(copy))
    assert both.exit_code == 0


def test_comment_from_stdin(run: Run, copy: Path) -> None:
    result = run("comment", "R1", "--append", "--file", "-", "-r", str(copy), input="From stdin.\n")
    assert result.exit_code == 0
    assert b"From stdin." in copy.read_bytes()


def test_links_are_added_and_removed(run: Run, copy: Path) -> None:
    before = copy.read_bytes()
    assert run("link", "R1", "--builds-on", "O5", "--reason", "uses the course", "-r", str(copy)).exit_code == 0
    assert run("show", "O5", "-r", str(copy), "--fields", "built_on_by").stdout == "R1\n"
    assert run("link", "R1", "--builds-on", "O5", "--remove", "-r", str(copy)).exit_code == 0
    assert run("link", "R1", "--continues", "O5", "-r", str(copy)).exit_code == 0
    assert run("link", "R1", "--continues", "O5", "--remove", "-r", str(copy)).exit_code == 0
    gone, added = changed_lines(before, copy.read_bytes())
    assert gone == [] and [line.strip() for line in added] == [b"builds_on = []"]  # an empty list is left behind
    assert run("link", "R1", "--continues", "Z9", "-r", str(copy)).exit_code == 2
    assert run("link", "R1", "--builds-on", "O5", "-r", str(copy)).exit_code == 2  # no --reason


@pytest.mark.parametrize("length", [10, 79, 80, 400])
def test_a_long_reason_stays_an_inline_table_of_its_action(run: Run, copy: Path, length: int) -> None:
    """tomli-w writes a long array of tables as `[[builds_on]]` sub-tables; the link stays on its lines."""
    reason = "r" * length + ' "quoted" \\ é'
    before = copy.read_bytes()
    assert run("link", "R12", "--builds-on", "R17", "--reason", reason, "-r", str(copy)).exit_code == 0
    assert run("link", "R12", "--builds-on", "R16", "--reason", reason, "-r", str(copy)).exit_code == 0
    links = tomllib.loads(copy.read_text(encoding="utf-8"))["actions"][11]["builds_on"]
    assert links == [{"id": "R17", "reason": reason}, {"id": "R16", "reason": reason}]
    _, added = changed_lines(before, copy.read_bytes())
    assert [line.split(b",")[0].strip() for line in added] == [b"builds_on = [", b'{ id = "R17"', b'{ id = "R16"', b"]"]


def test_dry_run_prints_the_diff_and_writes_nothing(run: Run, copy: Path) -> None:
    before = copy.read_bytes()
    result = run("set-status", "R4", "complete", "--evidence", "Regular meetings", "--dry-run", "-r", str(copy))
    assert result.exit_code == 0 and copy.read_bytes() == before
    assert result.stdout.startswith("--- a/actions.toml\n+++ b/actions.toml\n@@ ")
    assert '+status = "complete"' in result.stdout
    assert result.stderr.endswith("(dry run: " + str(copy) + " unchanged)\n")


def test_comments_and_a_missing_final_newline_survive(run: Run, tmp_path: Path) -> None:
    text = write(tmp_path / "a.toml", small()).read_text(encoding="utf-8")
    text = text.replace('status = "ongoing"', 'status = "ongoing"  # judged in May').rstrip("\n")
    path = tmp_path / "a.toml"
    path.write_text("# a header comment\n" + text, encoding="utf-8")
    assert run("set-status", "R2", "complete", "--evidence", "Advocates attend", "-r", str(path)).exit_code == 0
    after = path.read_text(encoding="utf-8")
    assert after.startswith("# a header comment\n") and not after.endswith("\n")
    assert 'status = "complete"  # judged in May' in after


def test_a_refused_write_leaves_the_file(run: Run, copy: Path) -> None:
    before = copy.read_bytes()
    assert run("set-status", "R4", "complete", "--evidence", "not in it", "-r", str(copy)).exit_code == 3
    assert run("set-status", "R99", "complete", "--evidence", "x", "-r", str(copy)).exit_code == 2
    assert copy.read_bytes() == before


def write_change(path: Path, change: Change) -> list[str]:
    """Write a change planned earlier, as the editing commands do (under the register's lock)."""
    return writer.apply(path, lambda: (change, None))[2]


@pytest.mark.parametrize("step", ["write", "fsync", "replace", "fchmod"])
def test_a_failure_at_any_step_leaves_the_original_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path = write(tmp_path / "actions.toml", small())
    before = path.read_bytes()
    change = splice.plan(splice.read(path), [Edit("R1", "status", "deferred")])

    def fail(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, step, fail)  # the writer calls os.write, os.fsync, os.replace, os.fchmod
    with pytest.raises(WriteRefused, match="cannot write"):
        write_change(path, change)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["actions.toml"]


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    change = splice.plan(splice.read(path), [Edit("R1", "status", "deferred")])
    write(path, set_field(small(), "R2", "theme", "Someone else's edit"))
    edited = path.read_bytes()
    with pytest.raises(WriteRefused, match="changed on disk since it was read"):
        write_change(path, change)
    assert path.read_bytes() == edited


def test_a_held_lock_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "actions.toml", small())
    monkeypatch.setattr(lock, "WAIT_SECONDS", 0.1)
    change = splice.plan(splice.read(path), [Edit("R1", "status", "deferred")])
    with lock.held(path), pytest.raises(WriteRefused, match=r"actions\.toml\.lock: another jnap \(pid \d+, since "):
        write_change(path, change)


def test_a_symlinked_register_stays_a_link(run: Run, tmp_path: Path) -> None:
    real = write(tmp_path / "real.toml", small())
    link = tmp_path / "actions.toml"
    link.symlink_to(real)
    assert run("set-status", "R1", "deferred", "--evidence", "Training 1", "-r", str(link)).exit_code == 0
    assert link.is_symlink() and b'status = "deferred"' in real.read_bytes()


def test_twenty_concurrent_writers_lose_nothing(copy: Path) -> None:
    ids = [f"O{n}" for n in range(1, 21)]
    evidence = {a["id"]: a["status_evidence"] for a in tomllib.loads(DATA.read_text(encoding="utf-8"))["actions"]}
    processes = [
        subprocess.Popen(
            [JNAP, "set-status", action_id, "deferred", "--evidence", evidence[action_id], "-r", str(copy)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for action_id in ids
    ]
    codes = [process.wait(timeout=120) for process in processes]
    assert codes == [0] * 20  # the lock serialises them: each reads, plans and writes in its turn
    statuses = {
        a["id"]: a["status"] for a in tomllib.loads(copy.read_text(encoding="utf-8").replace("\r\n", "\n"))["actions"]
    }
    assert all(statuses[action_id] == "deferred" for action_id in ids)
    assert not list(copy.parent.glob(".actions.toml.*.tmp")) and not (copy.parent / "actions.toml.lock").exists()


# Text a writer may add: what `jnap check` refuses (control, bidi, zero-width characters) is refused by
# every writer (tests/test_writes.py).
TEXT = (
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)
    .filter(lambda s: s.strip())
    .filter(lambda s: not unsafe_characters(s))
)


@settings(max_examples=40, deadline=None)
@given(field=st.sampled_from(["theme", "text", "commentary"]), value=TEXT, multiline=st.booleans(), crlf=st.booleans())
def test_an_edit_changes_only_its_value(field: str, value: str, multiline: bool, crlf: bool) -> None:
    data = small()
    text = tomli_w.dumps(data, multiline_strings=multiline)
    text = text.replace("\n", "\r\n") if crlf else text
    if field == "commentary":  # keep the status evidence in the commentary
        value = f"{value} Training 1 has been delivered"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "actions.toml"
        path.write_bytes(text.encode("utf-8"))
        change = splice.plan(splice.read(path), [Edit("R1", field, value)])
        write_change(path, change)
        after = path.read_bytes()
    expected = set_field(data, "R1", field, value)
    assert tomllib.loads(after.decode("utf-8")) == tomllib.loads(tomli_w.dumps(expected))
    old_lines, new_lines = text.encode("utf-8").split(b"\n"), after.split(b"\n")
    # Everything outside R1's edited value is byte-identical: the same lines before and after it.
    first = next(i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=False)) if a != b)
    tail = next(i for i, (a, b) in enumerate(zip(reversed(old_lines), reversed(new_lines), strict=False)) if a != b)
    assert (
        old_lines[:first] == new_lines[:first]
        and old_lines[len(old_lines) - tail :] == new_lines[len(new_lines) - tail :]
    )
    changed = b"\n".join(new_lines[first : len(new_lines) - tail]).decode("utf-8")
    assert changed.lstrip().startswith(f"{field} =")


def test_add_takes_the_next_number_and_id_after_the_plans_last_action(run: Run, copy: Path) -> None:
    args = ["add", "-p", "refresh", "--theme", "Our People", "--text", "A new activity.", "-r", str(copy)]
    result = run(
        *args, "--commentary", "Work has started.", "--status", "in-progress", "--evidence", "Work has started."
    )
    assert (result.exit_code, result.stderr) == (0, f"jnap: R21: added to plan refresh as number 21 ({copy})\n")
    ids = run("list", "-r", str(copy), "-f", "ids").stdout.split()
    assert ids[19:22] == ["R20", "R21", "O1"]
    assert run("check", "-r", str(copy)).exit_code == 0
    assert run("add", "-p", "refresh", "--theme", "T", "--text", "X", "--number", "3", "-r", str(copy)).exit_code == 2


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$EDITOR: a script that applies, in turn, the edits listed in `edits.txt` (one per run)."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "edits = pathlib.Path(sys.argv[0]).with_name('edits.txt')\n"
        "todo = edits.read_text().split('\\n---\\n')\n"
        "old, new = todo[0].split('=>')\n"
        "path = pathlib.Path(sys.argv[1])\n"
        "text = path.read_text()\n"
        "assert old.strip() in text, (old, text)\n"
        "path.write_text(text.replace(old.strip(), new.strip(), 1))\n"
        "edits.write_text('\\n---\\n'.join(todo[1:]))\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.setattr("jnap_cli.cli.edit._on_terminal", lambda: True)
    return tmp_path / "edits.txt"


def test_edit_reopens_with_the_error_until_the_table_is_valid(run: Run, tmp_path: Path, editor: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    editor.write_text('status = "ongoing" => status = "finished"\n---\nstatus = "finished" => status = "deferred"')
    result = run("edit", "R2", "-r", str(path), input="\n")  # Enter: edit again
    problem, again = result.stderr.split("\n", 1)
    assert problem.startswith("jnap: error: ") and "'finished'" in problem, problem
    assert (result.exit_code, again) == (0, f"Edit again? [Y/n] jnap: R2: table edited ({path})\n")
    assert 'status = "deferred"' in path.read_text(encoding="utf-8")
    assert "# jnap" not in path.read_text(encoding="utf-8")


def test_edit_without_a_change_leaves_the_file(run: Run, tmp_path: Path, editor: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    before = path.read_bytes()
    editor.write_text("R2 => R2")
    result = run("edit", "R2", "-r", str(path))
    assert result.exit_code == 3 and path.read_bytes() == before


def test_only_a_register_file_is_edited(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "pipe.toml"  # a directory is a directory register (tests/test_directory.py)
    os.mkfifo(path)
    result = run("set-status", "R1", "deferred", "--evidence", "x", "-r", str(path))
    assert (result.exit_code, result.stderr) == (
        3, f"jnap: error: {path}: not a regular file; only a register file can be edited\n",
    )  # fmt: skip


def test_a_read_only_register_is_not_edited(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "actions.toml", small())
    before = path.read_bytes()
    monkeypatch.setattr("jnap_cli.cli.edit._may_write", lambda _path: False)  # root may write anything: pretend
    result = run("set-status", "R1", "deferred", "--evidence", "Training 1", "-r", str(path))
    assert (result.exit_code, path.read_bytes()) == (3, before)
    assert result.stderr == f"jnap: error: {path}: is read-only; make it writable to edit it\n"
