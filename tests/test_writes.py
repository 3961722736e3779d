"""Never lose a write (issue 16): edits and outputs that hold against other writers, signals and odd files.

Every device node, FIFO, socket and link is made here, under the test's own temporary directory: a
tool that renames over what it is given would destroy the machine's own.
"""

from __future__ import annotations

import copy
import os
import random
import resource
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import tomllib
from pathlib import Path

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from jnap_cli.files import lock
from jnap_cli.writing import splice

from .conftest import DATA, JNAP, Run
from .registers import find, small, write

EVIDENCE = "Training 1"  # R1's evidence in `small()`


def leftovers(folder: Path) -> list[str]:
    """What a write may have left beside a register: temporary files and locks."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".lock")))


def status_of(path: Path, action_id: str) -> str:
    return str(find(tomllib.loads(path.read_text(encoding="utf-8")), action_id)["status"])


def entry(path: Path, action_id: str) -> dict[str, object]:
    return find(tomllib.loads(path.read_text(encoding="utf-8")), action_id)


# --- an $EDITOR session and another writer ------------------------------------------------------------


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$EDITOR: a script that runs the shell command in `meanwhile.sh` (another writer, while the editor
    is open), then replaces the first text in `edit.txt` (`old => new`) in the file it was given."""
    script = tmp_path / "editor.py"
    script.write_text(
        textwrap.dedent(
            """\
            import pathlib, subprocess, sys
            here = pathlib.Path(sys.argv[0]).parent
            meanwhile = here / "meanwhile.sh"
            if meanwhile.exists():
                done = subprocess.run(["bash", str(meanwhile)], capture_output=True, text=True)
                (here / "meanwhile.out").write_text(f"{done.returncode}\\n{done.stderr}")
            old, new = (here / "edit.txt").read_text().split(" => ")
            path = pathlib.Path(sys.argv[1])
            text = path.read_text()
            assert old in text, (old, text)
            path.write_text(text.replace(old, new, 1))
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setattr("jnap_cli.cli.edit._on_terminal", lambda: True)
    return tmp_path


def meanwhile(folder: Path, command: str) -> None:
    (folder / "meanwhile.sh").write_text(command, encoding="utf-8")


def meanwhile_result(folder: Path) -> tuple[int, str]:
    code, _, err = (folder / "meanwhile.out").read_text(encoding="utf-8").partition("\n")
    return int(code), err


def test_edit_keeps_a_change_another_writer_made_to_other_keys(run: Run, tmp_path: Path, editor: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    meanwhile(editor, f"'{JNAP}' set-status R1 deferred --evidence '{EVIDENCE}' -r '{path}'")
    (editor / "edit.txt").write_text('theme = "Our People" => theme = "Our Staff"', encoding="utf-8")
    result = run("edit", "R1", "-r", str(path))
    assert meanwhile_result(editor) == (0, f"jnap: R1: status complete → deferred, status evidence replaced ({path})\n")
    kept = "another writer's change made meanwhile kept"
    assert (result.exit_code, result.stderr) == (0, f"jnap: R1: table edited ({kept}) ({path})\n")
    assert (entry(path, "R1")["status"], entry(path, "R1")["theme"]) == ("deferred", "Our Staff")


def test_edit_keeps_a_change_another_writer_made_to_another_action(run: Run, tmp_path: Path, editor: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    meanwhile(editor, f"'{JNAP}' set-status R3 deferred --evidence 'Work is under way' -r '{path}'")
    (editor / "edit.txt").write_text('theme = "Our People" => theme = "Our Staff"', encoding="utf-8")
    result = run("edit", "R1", "-r", str(path))
    kept = "another writer's change made meanwhile kept"
    assert (result.exit_code, result.stderr) == (0, f"jnap: R1: table edited ({kept}) ({path})\n")
    assert (status_of(path, "R3"), entry(path, "R1")["theme"]) == ("deferred", "Our Staff")


def test_edit_refuses_when_both_changed_the_same_key_and_keeps_the_text(run: Run, tmp_path: Path, editor: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    meanwhile(editor, f"'{JNAP}' set-status R1 deferred --evidence '{EVIDENCE}' -r '{path}'")
    (editor / "edit.txt").write_text('status = "complete" => status = "ongoing"', encoding="utf-8")
    result = run("edit", "R1", "-r", str(path))
    assert result.exit_code == 3, result.output
    assert status_of(path, "R1") == "deferred"  # the other writer's change stands
    prefix = (
        "jnap: error: R1: status, status_evidence changed by another writer while you were editing it; "
        "your text is kept in "
    )
    assert result.stderr.startswith(prefix)
    kept = Path(result.stderr[len(prefix) :].split(";")[0])
    try:
        assert 'status = "ongoing"' in kept.read_text(encoding="utf-8")
        assert result.stderr.endswith(f"; compare with `jnap show R1`, then `jnap edit R1 --file {kept}`\n")
        again = run("edit", "R1", "--file", str(kept), "-r", str(path))  # the user's choice, made knowingly
        assert again.exit_code == 0 and status_of(path, "R1") == "ongoing"
    finally:
        kept.unlink()


def test_edit_refuses_a_new_commentary_when_the_status_changed_meanwhile(
    run: Run, tmp_path: Path, editor: Path
) -> None:
    """A status rests on words of the commentary: rewriting the commentary while another writer sets the
    status (quoting the old words) would leave evidence that is not in the commentary."""
    path = write(tmp_path / "actions.toml", small())
    meanwhile(editor, f"'{JNAP}' set-status R1 deferred --evidence 'to every team.' -r '{path}'")
    (editor / "edit.txt").write_text("to every team. => to every team in 2024.", encoding="utf-8")
    result = run("edit", "R1", "-r", str(path))
    assert result.exit_code == 3, result.output
    assert "R1: commentary, status, status_evidence changed by another writer" in result.stderr
    assert entry(path, "R1")["commentary"] == "Training 1 has been delivered to every team."
    Path(result.stderr.split("your text is kept in ")[1].split(";")[0]).unlink()
    assert run("check", "-r", str(path)).exit_code == 0


def test_an_edited_table_keeps_its_evidence_in_its_commentary(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    table = splice.block(splice.read(path), "R1").replace('commentary = "Training 1 has', 'commentary = "Course 1 has')
    result = run("edit", "R1", "--file", "-", "-r", str(path), input=table)
    assert (result.exit_code, result.stderr) == (
        3,
        "jnap: error: R1: the evidence 'Training 1 has been delivered' is not in the commentary; quote the "
        "commentary word for word\n",
    )


def test_edit_refuses_a_hand_edit_of_the_same_table(run: Run, tmp_path: Path, editor: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    colleague = f"sed -i 's/^id = \"R1\"$/id = \"R1\"  # checked by Sam/' '{path}'"
    meanwhile(editor, colleague)
    (editor / "edit.txt").write_text('theme = "Our People" => theme = "Our Staff"', encoding="utf-8")
    result = run("edit", "R1", "-r", str(path))
    assert result.exit_code == 3, result.output
    assert "# checked by Sam" in path.read_text(encoding="utf-8")
    assert entry(path, "R1")["theme"] == "Our People"
    Path(result.stderr.split("your text is kept in ")[1].split(";")[0]).unlink()


def test_comment_in_the_editor_holds_no_lock(run: Run, tmp_path: Path, editor: Path) -> None:
    """Another writer is not kept waiting while a person types (it was 15 s, then exit 3)."""
    path = write(tmp_path / "actions.toml", small())
    meanwhile(editor, f"'{JNAP}' set-status R3 deferred --evidence 'Work is under way' -r '{path}'")
    (editor / "edit.txt").write_text("Training 1 has been delivered => Training 1 has been delivered twice", "utf-8")
    started = time.monotonic()
    result = run("comment", "R1", "-r", str(path))
    assert meanwhile_result(editor)[0] == 0 and time.monotonic() - started < 10
    assert result.exit_code == 0, result.output
    assert status_of(path, "R3") == "deferred"
    assert entry(path, "R1")["commentary"] == "Training 1 has been delivered twice to every team."


def test_comment_refuses_when_the_commentary_changed_meanwhile(run: Run, tmp_path: Path, editor: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    meanwhile(editor, f"'{JNAP}' comment R1 --append --text 'A colleague adds this.' -r '{path}'")
    (editor / "edit.txt").write_text("every team => every team in 2024", "utf-8")
    result = run("comment", "R1", "-r", str(path))
    assert result.exit_code == 3, result.output
    assert str(entry(path, "R1")["commentary"]).endswith("A colleague adds this.")
    kept = Path(result.stderr.split("your text is kept in ")[1].split(";")[0])
    assert kept.read_text(encoding="utf-8") == "Training 1 has been delivered to every team in 2024."
    assert f"then `jnap comment R1 --file {kept}`" in result.stderr
    kept.unlink()


def test_edit_takes_the_table_from_a_file(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    table = splice.block(splice.read(path), "R2").replace('status = "ongoing"', 'status = "deferred"')
    (tmp_path / "R2.toml").write_text(table, encoding="utf-8")
    result = run("edit", "R2", "--file", str(tmp_path / "R2.toml"), "-r", str(path))  # no terminal needed
    assert (result.exit_code, result.stderr) == (0, f"jnap: R2: table edited ({path})\n")
    assert status_of(path, "R2") == "deferred"
    bad = run("edit", "R2", "--file", "-", "-r", str(path), input=table.replace('"deferred"', '"finished"'))
    assert bad.exit_code == 3 and "'finished' is not a known status" in bad.stderr


# --- an outside editor racing jnap --------------------------------------------------------------------


@pytest.mark.parametrize("how", ["rename", "in place, same size"])
def test_an_outside_save_during_the_fsync_is_not_overwritten(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """`sed -i` (a rename) or an editor saving in place lands after jnap checked the file and while it
    syncs its temporary file: jnap looks again just before its rename and refuses (2 of 465 were lost)."""
    path = write(tmp_path / "actions.toml", small())
    theirs = path.read_bytes().replace(b'theme = "Our People"', b'theme = "Our Pe0ple"', 1)
    real_fsync = os.fsync

    def fsync_while_someone_saves(handle: int) -> None:
        real_fsync(handle)
        if stat.S_ISREG(os.fstat(handle).st_mode) and path.read_bytes() != theirs:
            if how == "rename":
                (tmp_path / "sed-tmp").write_bytes(theirs)
                os.rename(tmp_path / "sed-tmp", path)
            else:
                info = path.stat()
                path.write_bytes(theirs)
                os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))  # even the time put back

    monkeypatch.setattr(os, "fsync", fsync_while_someone_saves)
    result = run("set-status", "R2", "deferred", "--evidence", "Victim liaison meetings", "-r", str(path))
    assert (result.exit_code, result.stderr) == (
        3, f"jnap: error: {path}: changed on disk while jnap was writing it; run the command again\n",
    )  # fmt: skip
    assert path.read_bytes() == theirs
    assert leftovers(tmp_path) == []


def test_a_file_that_keeps_changing_while_an_edit_reads_it_is_exit_3(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jnap_cli.register import tomlfile

    path = write(tmp_path / "actions.toml", small())
    real = tomlfile._read_limited

    def busy(name: Path, expected: int, limit: int) -> bytes:
        data = real(name, expected, limit)
        os.utime(name)  # another program is writing it
        return data

    monkeypatch.setattr(tomlfile, "_read_limited", busy)
    result = run("set-status", "R1", "deferred", "--evidence", EVIDENCE, "-r", str(path))
    assert result.exit_code == 3, result.output
    assert result.stderr == (
        f"jnap: error: {path}: changed while being read; try again; the register is unchanged; run the command again\n"
    )


# --- one lock per file, whatever names it ------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A directory register whose files are each a register of their own: `-r DIR/1-refresh.toml` works too."""
    data = small()
    find(data, "R2")["continues"] = []
    folder = tmp_path / "register"
    folder.mkdir()
    for number, plan in enumerate(data["plans"], start=1):
        ours = [action for action in data["actions"] if action["plan"] == plan["id"]]
        write(folder / f"{number}-{plan['id']}.toml", {"title": data["title"], "source": data["source"],
                                                        "plans": [plan], "actions": ours})  # fmt: skip
    return folder


@pytest.mark.parametrize("holder", ["file", "file through a link", "directory"])
def test_every_path_to_a_file_takes_its_lock(
    run: Run, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, holder: str
) -> None:
    member = folder / "1-refresh.toml"
    link = tmp_path / "link.toml"
    link.symlink_to(member)
    held = {"file": member, "file through a link": link, "directory": folder}[holder]
    monkeypatch.setattr(lock, "WAIT_SECONDS", 0.2)
    before = member.read_bytes()
    for register in (folder, member, link):
        if holder == "directory" and register != folder:
            continue  # a writer naming the file alone takes the file's lock only
        with lock.held(held):
            result = run("set-status", "R1", "deferred", "--evidence", EVIDENCE, "-r", str(register))
        assert result.exit_code == 3, (register, result.output)
        assert "another jnap (pid " in result.stderr, result.stderr
        assert member.read_bytes() == before


def test_writers_through_every_path_lose_nothing(folder: Path, tmp_path: Path) -> None:
    """Writers naming the directory, the file, a link to it and a relative path, all at once: every
    paragraph lands (3 of 71 were lost when `-r DIR` and `-r DIR/file.toml` took different locks)."""
    member = folder / "1-refresh.toml"
    link = tmp_path / "link.toml"
    link.symlink_to(member)
    names = [str(folder), str(member), str(link), os.path.relpath(member, tmp_path)]
    processes = [
        subprocess.Popen(
            [JNAP, "comment", "R2", "--append", "--text", f"Paragraph {n}.", "-r", names[n % len(names)]],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for n in range(16)
    ]
    failures = [(p.wait(timeout=120), p.stderr.read() if p.stderr else b"") for p in processes]
    assert [code for code, _ in failures] == [0] * 16, failures
    commentary = str(entry(member, "R2")["commentary"])
    assert sorted(int(word[:-1]) for word in commentary.split() if word[:-1].isdigit()) == list(range(16))
    assert leftovers(folder) == [] and leftovers(tmp_path) == []


# --- locks that the OS releases ----------------------------------------------------------------------


def test_a_lock_left_by_a_killed_jnap_holds_nothing_up(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    (tmp_path / "actions.toml.lock").write_text("123\n10:00:00\njnap set-status R1\n", encoding="utf-8")
    started = time.monotonic()
    result = run("set-status", "R1", "deferred", "--evidence", EVIDENCE, "-r", str(path))
    assert result.exit_code == 0 and time.monotonic() - started < 5
    assert leftovers(tmp_path) == []


def test_a_holder_killed_with_sigkill_releases_the_lock(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    script = f"from jnap_cli.files import lock; import pathlib, time\nwith lock.held(pathlib.Path({str(path)!r})):\n"
    holder = subprocess.Popen([sys.executable, "-c", script + "    print('held', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE)  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
    holder.kill()
    holder.wait()
    started = time.monotonic()
    result = run("set-status", "R1", "deferred", "--evidence", EVIDENCE, "-r", str(path))
    assert result.exit_code == 0 and time.monotonic() - started < 5


def test_a_blocked_write_says_who_holds_the_lock(tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    first = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from jnap_cli.files import lock; import pathlib\n"
         f"with lock.held(pathlib.Path({str(path)!r})):\n    print('held', flush=True); time.sleep(30)",
         "set-status", "R9"],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert first.stdout is not None and first.stdout.readline() == b"held\n"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        code = "from jnap_cli.files import lock; lock.WAIT_SECONDS = 0.3; from jnap_cli.entry import main; main()"
        second = subprocess.run(
            [sys.executable, "-c", code, "set-status", "R1", "deferred", "--evidence", EVIDENCE, "-r", str(path)],
            capture_output=True, text=True, env=env, timeout=60, check=False,
        )  # fmt: skip
    finally:
        first.kill()
        first.wait()
    assert second.returncode == 3
    assert second.stderr.startswith(f"jnap: error: {path}.lock: another jnap (pid {first.pid}, since ")
    assert ": jnap set-status R9) is writing the register; wait for it to finish, then retry\n" in second.stderr


# --- signals and faults at every step ----------------------------------------------------------------


def test_signals_at_random_moments_leave_the_old_or_the_new_file(tmp_path: Path) -> None:
    """SIGTERM, SIGHUP or SIGINT at a random moment of a write: the register is the old or the new
    bytes, no lock or temporary file stays, and the exit is the documented one."""
    path = tmp_path / "actions.toml"
    path.write_bytes(DATA.read_bytes())
    rng = random.Random(16)
    started = time.monotonic()
    subprocess.run([JNAP, "comment", "R4", "--append", "--text", "First.", "-r", str(path)], check=True, timeout=60)
    lifetime = time.monotonic() - started  # the signals land anywhere in a run as long as this one
    seen: dict[str, int] = {}
    for turn in range(24):
        old = path.read_bytes()
        text = f"Paragraph {turn}."
        process = subprocess.Popen(
            [JNAP, "comment", "R4", "--append", "--text", text, "-r", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(rng.uniform(0.02, 1.1) * lifetime)
        signum = rng.choice([signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
        process.send_signal(signum)
        code = process.wait(timeout=60)
        stderr = process.stderr.read().decode() if process.stderr else ""
        new = path.read_bytes()
        assert "Traceback" not in stderr, stderr
        # Killed by the signal (as the shell sees it, 128 + N); for Ctrl-C, also jnap's own 130.
        killed = (-signum, 130) if signum == signal.SIGINT else (-signum,)
        if new == old:
            assert code in killed, (signum, code, stderr)
            outcome = "old"
        else:
            assert new.decode().count(text) == 1 and tomllib.loads(new.decode()), "neither the old nor the new file"
            assert code in (0, *killed), (signum, code, stderr)
            outcome = "new"
        assert leftovers(tmp_path) == [], (turn, signum, code)
        seen[outcome] = seen.get(outcome, 0) + 1
    assert seen.get("old", 0) > 0 and seen.get("new", 0) > 0, seen  # both kinds of moment were hit


@pytest.mark.parametrize("step", ["open", "write", "fsync", "fchown", "fchmod", "replace"])
def test_a_fault_at_any_step_leaves_the_register_and_nothing_else(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path = write(tmp_path / "actions.toml", small())
    if step == "fchown":
        if os.geteuid() != 0:
            pytest.skip("only root can give a file to another owner")
        os.chown(path, 4242, 4242)  # jnap keeps the owner, so it calls fchown
    before = path.read_bytes()
    real = getattr(os, step)

    def fail(*args: object, **kwargs: object) -> object:
        if step == "open" and ".tmp" not in str(args[0]):
            return real(*args, **kwargs)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, step, fail)
    result = run("set-status", "R1", "deferred", "--evidence", EVIDENCE, "-r", str(path))
    assert (result.exit_code, result.stderr) == (
        3, f"jnap: error: {path}: cannot write: Input/output error; the register is unchanged\n",
    )  # fmt: skip
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_a_directory_that_cannot_be_synced_is_a_warning(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "actions.toml", small())
    real = os.fsync

    def fsync(handle: int) -> None:
        if stat.S_ISDIR(os.fstat(handle).st_mode):
            raise OSError(5, "Input/output error")
        real(handle)

    monkeypatch.setattr(os, "fsync", fsync)
    result = run("set-status", "R1", "deferred", "--evidence", EVIDENCE, "-r", str(path))
    assert result.exit_code == 0
    assert result.stderr == (
        f"jnap: warning: {tmp_path}: the directory could not be synced (Input/output error): a power cut could "
        f"undo the write\njnap: R1: status complete → deferred, status evidence replaced ({path})\n"
    )
    assert status_of(path, "R1") == "deferred"


def test_temporary_files_of_a_killed_writer_are_removed(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    (tmp_path / ".actions.toml.1a2b3c4d.tmp").write_bytes(b"x" * 1000)  # kill -9 during a write
    (tmp_path / ".other.toml.1a2b3c4d.tmp").write_bytes(b"not ours")
    assert run("set-status", "R1", "deferred", "--evidence", EVIDENCE, "-r", str(path)).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.toml.1a2b3c4d.tmp", "actions.toml"]


# --- owner, group, mode and links ---------------------------------------------------------------------


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_owner_group_and_mode_are_kept(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    os.chown(path, 4242, 4343)
    path.chmod(0o640)
    assert run("set-status", "R1", "deferred", "--evidence", EVIDENCE, "-r", str(path)).exit_code == 0
    info = path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (4242, 4343, 0o640)


def test_a_register_with_two_names_is_not_replaced(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    other = tmp_path / "backup.toml"
    os.link(path, other)
    before = path.read_bytes()
    result = run("set-status", "R1", "deferred", "--evidence", EVIDENCE, "-r", str(path))
    assert (result.exit_code, result.stderr) == (
        3,
        f"jnap: error: {path}: has 2 names (hard links); replacing it would leave the others with the old "
        "text; edit a copy with one name (cp FILE NEW && mv NEW FILE)\n",
    )
    assert path.read_bytes() == other.read_bytes() == before and os.path.samefile(path, other)


# --- output paths: written into, followed, or refused, never renamed over --------------------------


def report_argv(target: Path) -> list[str]:
    return ["report", "-r", str(DATA), "-f", "markdown", "-o", str(target)]


def test_a_report_is_written_into_a_fifo(run: Run, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run(*report_argv(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert received and received[0].startswith(b"# ")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can make device nodes")
def test_a_report_is_written_into_a_character_device(run: Run, tmp_path: Path) -> None:
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # this test's own null device
    result = run(*report_argv(device))
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(device.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_a_report_through_a_link_replaces_its_target_and_keeps_the_link(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "real.md"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "report.md"
    link.symlink_to(target)
    dangling = tmp_path / "later.md"
    dangling.symlink_to(tmp_path / "made-through-the-link.md")
    assert run(*report_argv(link)).exit_code == 0
    assert run(*report_argv(dangling)).exit_code == 0
    assert link.is_symlink() and target.read_text(encoding="utf-8").startswith("# ")
    assert dangling.is_symlink() and (tmp_path / "made-through-the-link.md").read_text(encoding="utf-8")


def test_a_report_to_the_shell_s_own_stdout_is_written_into_it(tmp_path: Path) -> None:
    """`-o /dev/stdout` (here, a link of the test's own to /proc/self/fd/1) with stdout redirected to a
    file: the report goes through the shell's open file, after what was written before it."""
    out = tmp_path / "out.md"
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    script = f"{{ echo before; '{JNAP}' {' '.join(report_argv(link))}; echo after; }} > '{out}' 2>&1"
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    written = out.read_text(encoding="utf-8")
    assert written.startswith("before\n# ")
    assert written.endswith(f"\njnap: wrote {link}: markdown report of 44 actions\nafter\n")
    assert link.is_symlink()


def test_a_report_to_dash_goes_to_stdout(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(*report_argv(Path("-")))
    assert result.exit_code == 0 and result.stdout.startswith("# ") and result.stderr == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["socket", "directory"])
def test_a_report_to_a_socket_or_a_directory_is_refused(run: Run, tmp_path: Path, kind: str) -> None:
    target = tmp_path / kind
    if kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(target))
    else:
        target.mkdir()
    result = run(*report_argv(target))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("jnap: error: ")
    assert f"is a {kind}" in result.stderr
    assert (stat.S_ISSOCK if kind == "socket" else stat.S_ISDIR)(target.stat().st_mode)


# --- bad input at the write paths ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["comment", "R1", "--text", "Esc\x1b[31m"], "the commentary contains U+001B control character"),
        (["comment", "R1", "--text", "nul\x00"], "the commentary contains U+0000 control character"),
        (["comment", "R1", "--text", "c1\x85"], "the commentary contains U+0085 control character"),
        (["comment", "R1", "--text", "a\u2028b"], "the commentary contains U+2028 LINE SEPARATOR"),
        (["comment", "R1", "--text", "lone\rcr"], "the commentary contains U+000D control character"),
        (
            ["add", "-p", "refresh", "--theme", "T\u202e", "--text", "X"],
            "--theme contains U+202E RIGHT-TO-LEFT OVERRIDE",
        ),
        (
            ["set-status", "R1", "deferred", "--evidence", "Training\x07 1"],
            "--evidence contains U+0007 control character",
        ),
        (["link", "R1", "--builds-on", "O1", "--reason", "x\u200b"], "--reason contains U+200B ZERO WIDTH SPACE"),
    ],
)
def test_writers_refuse_what_check_refuses(run: Run, tmp_path: Path, args: list[str], message: str) -> None:
    path = write(tmp_path / "actions.toml", small())
    before = path.read_bytes()
    result = run(*args, "-r", str(path))
    assert (result.exit_code, result.stderr) == (
        2,
        f"jnap: error: {message}; the register's text may not hold control, bidirectional or zero-width characters\n",
    )
    assert path.read_bytes() == before


def test_an_edited_table_is_held_to_the_same_rule(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    table = splice.block(splice.read(path), "R2").replace("Continue the", "Continue\\u001b[2J the")
    result = run("edit", "R2", "--file", "-", "-r", str(path), input=table)
    assert (result.exit_code, result.stderr) == (
        3,
        "jnap: error: R2: text: contains U+001B control character; the register's text may not hold control, "
        "bidirectional or zero-width characters\n",
    )


def test_invalid_utf8_in_an_argument_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    before = path.read_bytes()
    done = subprocess.run(
        [JNAP.encode(), b"comment", b"R1", b"--text", b"x\xff", b"-r", bytes(path)],
        capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (
        2,
        b"jnap: error: the commentary is not valid UTF-8; give the text in UTF-8\n",
    )
    assert path.read_bytes() == before


def test_crlf_in_text_becomes_the_register_s_own_line_ends(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    result = run("comment", "R1", "--text", "Training 1 has been delivered.\r\n\r\nSecond paragraph.", "-r", str(path))
    assert result.exit_code == 0, result.output
    assert entry(path, "R1")["commentary"] == "Training 1 has been delivered.\n\nSecond paragraph."


def test_a_dry_run_diff_shows_raw_characters_escaped(run: Run, tmp_path: Path) -> None:
    data = small()
    find(data, "R1")["theme"] = "Our \u202ePeople"  # allowed raw in TOML; jnap check warns of it
    path = write(tmp_path / "actions.toml", data)
    result = run("set-status", "R1", "deferred", "--evidence", EVIDENCE, "-r", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "\u202e" not in result.stdout and "<U+202E>" in result.stdout


# --- reads that must not hang or over-allocate ----------------------------------------------------------


def test_a_huge_size_guard_reserves_nothing(tmp_path: Path) -> None:
    """`JNAP_MAX_BYTES=1T` is a limit, not an allocation; and a 37 KB register is read under an 800 MB
    address-space limit (both were exit 70)."""

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (800_000 * 1024, 800_000 * 1024))

    env = {**os.environ, "JNAP_MAX_BYTES": "1T", "XDG_CACHE_HOME": str(tmp_path)}
    done = subprocess.run(
        [JNAP, "--no-cache", "check", "-r", str(DATA)],
        capture_output=True, text=True, env=env, preexec_fn=limited, timeout=60, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "jnap: 44 actions checked: 0 error(s), 2 warning(s)\n")


@pytest.mark.parametrize("where", ["--register", "JNAP_REGISTER", "jnap.toml"])
def test_a_fifo_as_the_register_does_not_hang(tmp_path: Path, where: str) -> None:
    fifo = tmp_path / "actions.toml"
    os.mkfifo(fifo)
    (tmp_path / ".git").mkdir()
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}
    argv = [JNAP, "list"]
    if where == "--register":
        argv += ["-r", str(fifo)]
    elif where == "JNAP_REGISTER":
        env["JNAP_REGISTER"] = str(fifo)
    else:
        (tmp_path / "jnap.toml").write_text('register = "actions.toml"\n', encoding="utf-8")
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=20, check=False)
    message = f"jnap: error: {fifo}: not a regular file; pass the path of a .toml register file\n"
    assert (done.returncode, done.stderr) == (2, message)


# --- the fast locator, proven against a full parse ---------------------------------------------------------

LINES = st.sampled_from(
    ["[[actions]]", "[actions.x]", "[[actions.builds_on]]", "[1]", "[plans]", '  [["actions"]]', "# [[actions]]",
     'id = "R1"', "'''", '\\"""', "x = [", "]", "plain words", ""]
)  # fmt: skip
HOSTILE_TEXT = st.lists(LINES, min_size=1, max_size=6).map("\n".join)


@settings(max_examples=60, deadline=None)
@given(
    planted=HOSTILE_TEXT,
    where=st.sampled_from(["R1", "R2", "O3"]),
    edited=st.sampled_from(["R1", "R2", "O3"]),
    crlf=st.booleans(),
)
def test_a_table_is_located_exactly_whatever_the_text_around_it(
    planted: str, where: str, edited: str, crlf: bool
) -> None:
    """Header-like lines inside multi-line strings never mislead an edit: the new file parses to the old
    one with exactly the edited key changed, and nothing before the edited action changes."""
    data = small()
    target = find(data, where)
    target["commentary"] = f"{target['commentary']}\n{planted}\nend"
    text = tomli_w.dumps(data, multiline_strings=True)
    text = text.replace("\n", "\r\n") if crlf else text
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "actions.toml"
        path.write_bytes(text.encode("utf-8"))
        file = splice.read(path)
        change = splice.plan(file, [splice.Edit(edited, "status", "deferred")])
    expected = copy.deepcopy(tomllib.loads(text))
    find(expected, edited)["status"] = "deferred"
    assert tomllib.loads(change.new.decode("utf-8")) == expected
    start = text.index(f'id = "{edited}"')
    assert change.new.decode("utf-8")[:start] == text[:start]


def test_ctrl_c_in_the_editor_belongs_to_the_editor(tmp_path: Path) -> None:
    """vim users press Ctrl-C to leave insert mode: the terminal sends SIGINT to jnap as well, which
    must let it pass (it exited 130 and killed the editor, losing what was typed)."""
    import pty

    path = write(tmp_path / "actions.toml", small())
    script = tmp_path / "editor.py"
    script.write_text(
        "import os, pathlib, signal, sys, time\n"
        "os.kill(os.getppid(), signal.SIGINT)\n"
        "os.kill(os.getppid(), signal.SIGQUIT)\n"
        "time.sleep(0.2)\n"
        "page = pathlib.Path(sys.argv[1])\n"
        "page.write_text(page.read_text().replace('every team', 'every team, twice'))\n",
        encoding="utf-8",
    )
    controller, terminal = pty.openpty()
    env = {**os.environ, "EDITOR": f"{sys.executable} {script}", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("VISUAL", None)
    try:
        done = subprocess.run(
            [JNAP, "comment", "R1", "-r", str(path)],
            stdin=terminal, capture_output=True, text=True, env=env, timeout=60, check=False,
        )  # fmt: skip
    finally:
        os.close(terminal)
        os.close(controller)
    assert (done.returncode, done.stderr) == (0, f"jnap: R1: commentary replaced ({path})\n")
    assert entry(path, "R1")["commentary"] == "Training 1 has been delivered to every team, twice."


@settings(max_examples=200, deadline=None)
@given(
    before=st.lists(st.sampled_from(["a\n", "b\n", "c\n", "[[actions]]\n", "\n"]), max_size=30),
    after=st.lists(st.sampled_from(["a\n", "b\n", "c\n", "[[actions]]\n", "\n"]), max_size=30),
)
def test_a_dry_run_diff_rebuilds_the_new_file(before: list[str], after: list[str]) -> None:
    """Matching the shared start and end first (a dry run of 10,000 actions took 59 s) still gives hunks
    that turn the old lines into the new ones, with their context lines the same on both sides."""
    from jnap_cli.writing.splice import _grouped_opcodes

    rebuilt: list[str] = []
    position = 0
    for hunk in _grouped_opcodes(before, after):
        for tag, a1, a2, b1, b2 in hunk:
            rebuilt += before[position:a1]
            if tag == "equal":
                assert before[a1:a2] == after[b1:b2]
            rebuilt += before[a1:a2] if tag == "equal" else after[b1:b2]
            position = a2
    rebuilt += before[position:]
    assert rebuilt == after


def test_a_report_never_replaces_the_register(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    before = path.read_bytes()
    result = run("report", "-r", str(path), "-o", str(path))
    assert (result.exit_code, result.stderr) == (
        2, f"jnap: error: {path}: that is the register (or one of its files); write the report elsewhere\n",
    )  # fmt: skip
    assert path.read_bytes() == before


def test_a_missing_register_is_exit_2_for_writers_too(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "nothing.toml"
    result = run("set-status", "R1", "deferred", "--evidence", EVIDENCE, "-r", str(missing))
    assert (result.exit_code, result.stderr) == (
        2, f"jnap: error: {missing}: no such file; give the path of an existing register file\n",
    )  # fmt: skip


SECTIONS = """\
title = "Test register"
source = "Made for the tests"

[[plans]]
id = "p"
title = "P"
year = 2022

[[plans]]
id = "q"
title = "Q"
year = 2023

# ===== Part one =====

[[actions]]
id = "A1"
plan = "p"
number = 1
theme = "T"
text = "x"
commentary = "c"
status = "complete"
status_evidence = "c"

# ===== Part two =====
# (kept by hand)

[[actions]]
id = "B1"
plan = "q"
number = 1
theme = "T"
text = "y"
commentary = "d"
status = "complete"
status_evidence = "d"
"""


def test_comments_before_a_table_stay_with_it(run: Run, tmp_path: Path) -> None:
    """The comment lines before a table head what follows them: editing the table above leaves them,
    and a new action goes before them."""
    path = tmp_path / "actions.toml"
    path.write_text(SECTIONS, encoding="utf-8")
    table = splice.block(splice.read(path), "A1")
    assert "Part two" not in table
    assert run("edit", "A1", "--file", "-", "-r", str(path), input=table.replace('"x"', '"z"')).exit_code == 0
    assert path.read_text(encoding="utf-8") == SECTIONS.replace('text = "x"', 'text = "z"')
    assert run("add", "-p", "p", "--theme", "T", "--text", "w", "-r", str(path)).exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert text.index('text = "w"') < text.index("# ===== Part two =====") < text.index('id = "B1"')


def test_only_jnap_s_own_temporary_names_are_removed(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    (tmp_path / ".actions.toml.notes123.tmp").write_text("a user's file", encoding="utf-8")
    assert run("set-status", "R1", "deferred", "--evidence", EVIDENCE, "-r", str(path)).exit_code == 0
    assert (tmp_path / ".actions.toml.notes123.tmp").exists()


A1 = 'id = "A1", plan = "p", number = 1, theme = "T", text = "x", commentary = "c", status = "complete"'
A1_TABLE = A1.replace(", ", "\n") + '\nstatus_evidence = "c"'
INLINE = (
    'title = "T"\nsource = "S"\nplans = [{ id = "p", title = "P", year = 2022 }]\nactions = [\n'
    f'  {{ {A1}, status_evidence = "c" }},\n'
    '  { id = "A2", plan = "p", number = 2, theme = "T", text = "y", status = "ongoing", status_evidence = "e", '
    f'commentary = """e\n[[actions]]\n{A1_TABLE}\n[[actions]]\n""" }},\n]\n'
)


def test_tables_written_inside_a_string_of_an_inline_array_fool_no_edit(run: Run, tmp_path: Path) -> None:
    """An inline array of actions, and a copy of A1's table inside A2's commentary with as many
    `[[actions]]` lines as there are actions: the edit went into the string, exit 0."""
    path = tmp_path / "actions.toml"
    path.write_text(INLINE, encoding="utf-8")
    result = run("set-status", "A1", "ongoing", "--evidence", "c", "-r", str(path))
    assert (result.exit_code, result.stderr) == (
        3, f"jnap: error: {path}: action A1 is not an [[actions]] table that jnap can edit\n",
    )  # fmt: skip
    assert path.read_text(encoding="utf-8") == INLINE


@pytest.mark.parametrize("register_crlf", [True, False])
def test_an_edited_table_takes_the_register_s_line_ends(run: Run, tmp_path: Path, register_crlf: bool) -> None:
    """A table saved with CRLF line ends is written with the register's own (it was `\\r\\r\\n`)."""
    path = tmp_path / "actions.toml"
    text = DATA.read_text(encoding="utf-8")
    path.write_bytes((text.replace("\n", "\r\n") if register_crlf else text).encode("utf-8"))
    table = splice.block(splice.read(path), "R1").replace('status = "complete"', 'status = "deferred"')
    given = tmp_path / "R1.toml"
    given.write_bytes(table.replace("\n", "\r\n").encode("utf-8"))  # CRLF, as saved on Windows
    assert run("edit", "R1", "--file", str(given), "-r", str(path)).exit_code == 0
    after = path.read_bytes()
    assert b"\r\r" not in after
    assert after.count(b"\r\n") == (after.count(b"\n") if register_crlf else 0)
    assert after.replace(b"\r\n", b"\n").decode() == text.replace('status = "complete"', 'status = "deferred"', 1)


def test_a_lock_file_of_another_user_says_so(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "actions.toml", small())
    real = os.open

    def refuse(name: str, flags: int, mode: int = 0o777) -> int:
        if str(name).endswith(".lock"):
            raise PermissionError(13, "Permission denied")
        return real(name, flags, mode)

    monkeypatch.setattr(os, "open", refuse)  # root opens anything: pretend to be another user
    result = run("set-status", "R1", "deferred", "--evidence", EVIDENCE, "-r", str(path))
    assert (result.exit_code, result.stderr) == (
        3,
        f"jnap: error: {path}.lock: cannot take the lock: it belongs to another user; remove it if no jnap of "
        "theirs is running\n",
    )


def test_init_under_a_file_says_it_is_not_a_directory(run: Run, tmp_path: Path) -> None:
    (tmp_path / "reg.toml").write_text("", encoding="utf-8")
    result = run("init", str(tmp_path / "reg.toml" / "x.toml"), "--plan", "p:P:2020")
    assert (result.exit_code, result.stderr) == (
        3, f"jnap: error: {tmp_path / 'reg.toml'}: not a directory; choose a path in a directory\n",
    )  # fmt: skip


def test_a_signal_wrapped_by_the_code_it_interrupted_is_still_a_signal(monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM landing in an import that runs `__set_name__` reaches the boundary as a RuntimeError (it was
    exit 70 in 3 of 28 runs of the signal test): the boundary finds the signal in the chain."""
    from jnap_cli.cli import boundary
    from jnap_cli.errors import Terminated

    died: list[int] = []

    def die_of(signum: int) -> int:  # the real one would end this test run
        died.append(signum)
        return 128 + signum

    monkeypatch.setattr(boundary, "_die_of", die_of)
    wrapped = RuntimeError("Error calling __set_name__")
    wrapped.__cause__ = Terminated(signal.SIGTERM)
    assert boundary._interrupted_within(wrapped) == 143 and died == [signal.SIGTERM]
    interrupted = RuntimeError("in an import")
    interrupted.__context__ = KeyboardInterrupt()
    assert boundary._interrupted_within(interrupted) == 130
    assert boundary._interrupted_within(ValueError("a real bug")) is None
