"""The cache directory kept bounded (register/cache_files.py) and `jnap cache`: dir, info, prune, clear."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from jnap_cli.register import cache, cache_files

from .conftest import Run
from .registers import small, write

DAY_NS = 86_400 * 1_000_000_000


def age(path: Path, days: float) -> None:
    """Set the file's mtime `days` ago."""
    then = time.time_ns() - int(days * DAY_NS)
    os.utime(path, ns=(then, then))


def cached(run: Run, path: Path) -> Path:
    """Read the register at `path` (caching it); its cache entry."""
    result = run("list", "-r", str(path), "-f", "ids")
    assert result.exit_code == 0, result.output
    return cache.entry_path(path)


def entries() -> set[str]:
    return {p.name for p in cache_files.directory().iterdir() if p.name.endswith(".sqlite3")}


def marker() -> Path:
    return cache_files.directory() / ".pruned"


# --- pruning, by itself ---------------------------------------------------------------------------


def test_a_new_cache_prunes_entries_whose_register_is_gone_or_unused(run: Run, tmp_path: Path) -> None:
    gone = write(tmp_path / "gone.toml", small())
    stale = write(tmp_path / "stale.toml", small())
    recent = write(tmp_path / "recent.toml", small())
    gone_entry, stale_entry, recent_entry = cached(run, gone), cached(run, stale), cached(run, recent)
    gone.unlink()
    age(stale_entry, 31)
    age(recent_entry, 29)
    age(marker(), 2)  # last pruned two days ago
    cached(run, write(tmp_path / "new.toml", small()))  # a cold read writes a new entry
    assert (gone_entry.exists(), stale_entry.exists(), recent_entry.exists()) == (False, False, True)
    assert time.time_ns() - marker().stat().st_mtime_ns < DAY_NS


def test_pruning_runs_at_most_once_a_day(run: Run, tmp_path: Path) -> None:
    gone = write(tmp_path / "gone.toml", small())
    gone_entry = cached(run, gone)  # the first cache written prunes, and marks the day
    gone.unlink()
    cached(run, write(tmp_path / "second.toml", small()))
    assert gone_entry.exists()  # pruned less than a day ago: not again
    age(marker(), 1.1)
    cached(run, write(tmp_path / "third.toml", small()))
    assert not gone_entry.exists()


def test_a_warm_read_never_prunes(run: Run, tmp_path: Path) -> None:
    gone, kept = write(tmp_path / "gone.toml", small()), write(tmp_path / "kept.toml", small())
    gone_entry, _ = cached(run, gone), cached(run, kept)
    gone.unlink()
    age(marker(), 2)
    cached(run, kept)  # from its cache: nothing is written
    assert gone_entry.exists()


def test_a_read_marks_its_entry_used_at_most_once_a_day(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    entry = cached(run, path)
    age(entry, 0.5)
    before = entry.stat().st_mtime_ns
    cached(run, path)
    assert entry.stat().st_mtime_ns == before  # used today already: no write
    age(entry, 2)
    cached(run, path)
    assert time.time_ns() - entry.stat().st_mtime_ns < DAY_NS / 24
    assert entries() == {entry.name}  # the same entry, used, not made again


# --- jnap cache -----------------------------------------------------------------------------------


def used(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime).astimezone().isoformat(timespec="seconds")


def test_cache_info_lists_each_file(run: Run, tmp_path: Path) -> None:
    from jnap_cli.query.glossary import default_path

    path = write(tmp_path / "actions.toml", small())
    assert run("search", "training", "-r", str(path)).exit_code == 0  # the register and the glossary
    register_entry, glossary_entry = cache.entry_path(path), cache.entry_path(default_path())
    folder = cache_files.directory()
    result = run("cache", "info", "-f", "json")
    assert result.exit_code == 0, result.output
    records = sorted(json.loads(result.stdout), key=lambda record: record["kind"])
    assert records == [
        {
            "file": os.path.realpath(default_path()),
            "kind": "glossary",
            "bytes": glossary_entry.stat().st_size,
            "last_used": used(glossary_entry),
            "prunable": None,
            "entry": str(glossary_entry),
        },
        {
            "file": str(path.resolve()),
            "kind": "register",
            "bytes": register_entry.stat().st_size,
            "last_used": used(register_entry),
            "prunable": None,
            "entry": str(register_entry),
        },
    ]
    total = register_entry.stat().st_size + glossary_entry.stat().st_size
    assert result.stderr == f"jnap: 2 files, {total / 1024:.1f} KiB in {folder}\n"
    tsv = run("cache", "info", "--fields", "kind,file", "-f", "tsv")
    assert sorted(tsv.stdout.splitlines()) == [
        f"glossary\t{os.path.realpath(default_path())}",
        f"register\t{path.resolve()}",
    ]
    assert run("cache", "info", "-f", "ids").stdout.split() == sorted([str(register_entry), str(glossary_entry)])


def test_cache_info_says_what_pruning_would_remove(run: Run, tmp_path: Path) -> None:
    gone, stale, kept = (write(tmp_path / f"{name}.toml", small()) for name in ("gone", "stale", "kept"))
    for path in (gone, stale, kept):
        cached(run, path)
    gone.unlink()
    age(cache.entry_path(stale), 40)
    folder = cache_files.directory()
    (folder / f"{'0' * 32}.sqlite3").write_bytes(b"not a cache")
    interrupted = folder / f".{'1' * 32}.sqlite3.{_dead_pid()}.tmp"
    interrupted.write_bytes(b"half a cache")
    result = run("cache", "info", "-f", "tsv", "--fields", "file,kind,prunable", "--empty", "-")
    assert result.exit_code == 0, result.output
    assert sorted(result.stdout.splitlines()) == sorted(
        [
            f"{gone.resolve()}\tregister\tregister gone",
            f"{stale.resolve()}\tregister\tunused for 30 days",
            f"{kept.resolve()}\tregister\t-",
            "-\tunknown\tunreadable",
            "-\ttemporary\tinterrupted build",
        ]
    )


def _dead_pid() -> int:
    done = subprocess.Popen([sys.executable, "-c", ""])
    done.wait()
    return done.pid


def test_cache_prune_removes_what_nothing_will_use(run: Run, tmp_path: Path) -> None:
    gone, kept = write(tmp_path / "gone.toml", small()), write(tmp_path / "kept.toml", small())
    gone_entry, kept_entry = cached(run, gone), cached(run, kept)
    gone.unlink()
    interrupted = cache_files.directory() / f".{'1' * 32}.sqlite3.{_dead_pid()}.tmp"
    interrupted.write_bytes(b"x" * 2048)
    size = gone_entry.stat().st_size + 2048
    dry = run("cache", "prune", "--dry-run", "-f", "json")
    assert dry.exit_code == 0, dry.output
    assert sorted(record["entry"] for record in json.loads(dry.stdout)) == sorted([str(gone_entry), str(interrupted)])
    assert dry.stderr == f"jnap: would remove 2 files, {size / 1024:.1f} KiB in {cache_files.directory()}\n"
    assert gone_entry.exists() and interrupted.exists()
    result = run("cache", "prune", "-f", "ids")
    assert (result.exit_code, sorted(result.stdout.split())) == (0, sorted([str(gone_entry), str(interrupted)]))
    assert result.stderr.startswith("jnap: removed 2 files, ")
    assert (gone_entry.exists(), interrupted.exists(), kept_entry.exists()) == (False, False, True)
    again = run("cache", "prune")
    assert (again.exit_code, again.stdout) == (0, "")
    assert again.stderr == f"jnap: removed 0 files, 0 bytes in {cache_files.directory()}\n"


def test_cache_clear_removes_only_jnaps_files(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", small())
    entry = cached(run, path)
    folder = cache_files.directory()
    outside = tmp_path / "precious.sqlite3"
    outside.write_bytes(b"not jnap's")
    link = folder / f"{'2' * 32}.sqlite3"  # named like an entry, but a symlink out of the directory
    link.symlink_to(outside)
    foreign = folder / "notes.txt"
    foreign.write_text("mine", encoding="utf-8")
    building = folder / f".{'3' * 32}.sqlite3.{os.getpid()}.tmp"
    building.write_bytes(b"")
    dry = run("cache", "clear", "--dry-run", "-f", "ids")
    assert (dry.exit_code, sorted(dry.stdout.split())) == (0, sorted([str(entry), str(building)]))
    assert entry.exists() and building.exists()
    result = run("cache", "clear", "-f", "ids")
    assert (result.exit_code, sorted(result.stdout.split())) == (0, sorted([str(entry), str(building)]))
    assert (entry.exists(), building.exists()) == (False, False)
    assert link.is_symlink() and outside.read_bytes() == b"not jnap's" and foreign.exists()
    assert run("list", "-r", str(path), "-f", "ids").exit_code == 0  # and the cache is made again
    assert entry.is_file()


def test_a_usage_mistake_removes_nothing(run: Run, tmp_path: Path) -> None:
    entry = cached(run, write(tmp_path / "actions.toml", small()))
    result = run("cache", "clear", "--fields", "nope")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("jnap: error: unknown field 'nope'; fields: file, kind")
    assert entry.exists()


def test_cache_dir_and_an_empty_cache(run: Run) -> None:
    folder = cache_files.directory()
    assert not folder.exists()
    result = run("cache", "dir")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{folder}\n", "")
    for command in ("info", "prune", "clear"):
        result = run("cache", command, "-f", "json")
        assert (result.exit_code, result.stdout) == (0, "[]\n"), command
    assert not folder.exists()  # looking makes nothing


@pytest.mark.parametrize("command", ["info", "prune", "clear"])
def test_a_cache_directory_that_cannot_be_read_is_one_line(run: Run, command: str) -> None:
    folder = cache_files.directory()
    folder.parent.mkdir(parents=True)
    folder.write_text("a file where the directory should be", encoding="utf-8")
    result = run("cache", command)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"jnap: error: cannot read the cache directory {folder}: Not a directory; "
        "check its permissions, or remove it: jnap makes it again\n"
    )


def test_bare_jnap_cache_shows_its_commands(run: Run) -> None:
    result = run("cache")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: jnap cache [OPTIONS] COMMAND [ARGS]...")
    assert all(f"\n  {name} " in result.stdout for name in ("dir", "info", "prune", "clear"))


def test_jnap_cache_info_runs_as_a_script(tmp_path: Path) -> None:
    """The installed `jnap`, which builds only the command it runs (here a group)."""
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    path = write(tmp_path / "actions.toml", small())
    jnap = Path(sys.executable).with_name("jnap")
    subprocess.run([jnap, "list", "-r", path], env=environment, capture_output=True, check=True, timeout=60)
    done = subprocess.run(
        [jnap, "cache", "info", "-f", "jsonl", "--fields", "file,kind"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, json.dumps({"file": str(path.resolve()), "kind": "register"}) + "\n")


def test_a_file_that_cannot_be_removed_is_one_line(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = cached(run, write(tmp_path / "actions.toml", small()))

    def refused(self: Path, missing_ok: bool = False) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "unlink", refused)
    result = run("cache", "clear")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"jnap: error: cannot remove {entry}: Permission denied; check its permissions\n"
