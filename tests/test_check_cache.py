"""`jnap check` of an unchanged file answers from the findings it kept (register/cache.py), and never
with findings of another file, another jnap, other rules or other options."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from jnap_cli.checks import report
from jnap_cli.register import cache, tomlfile

from .conftest import Run, edit
from .registers import small, split

REFERENCE = "Action 23 under Our People & Expertise"  # O14's reference: an unresolved-reference warning
SAME_SIZE = "Action 25 under Our People & Expertise"  # another warning, same number of bytes


class Reads:
    """Counts the reads of register files from here on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = tomlfile.read_bytes

        def counted(path: Path) -> bytes:
            self.count += 1
            return real(path)

        monkeypatch.setattr(tomlfile, "read_bytes", counted)


def check(run: Run, path: Path, *options: str) -> tuple[int, str, str]:
    """`jnap [--no-cache] check PATH -f json [OPTIONS]`: exit code, stdout, stderr."""
    top = [option for option in options if option == "--no-cache"]
    rest = [option for option in options if option != "--no-cache"]
    result = run(*top, "check", str(path), "-f", "json", *rest)
    return result.exit_code, result.stdout, result.stderr


def messages(stdout: str) -> list[str]:
    return [f"{f['line']} {f['code']} {f['message']}" for f in json.loads(stdout)["findings"]]


def test_an_unchanged_file_is_not_read_again(run: Run, register_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = check(run, register_copy)
    assert first[0] == 0, first
    assert cache.findings_entry(register_copy).is_file()
    reads = Reads(monkeypatch)
    assert check(run, register_copy) == first
    assert reads.count == 0
    assert first[2] == "jnap: 44 actions checked: 0 error(s), 2 warning(s)\n"
    assert [m.split(" ", 1)[1].split(" ")[0] for m in messages(first[1])] == ["unresolved-reference"] * 2


def test_options_filter_the_kept_findings(run: Run, register_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    selected = check(run, register_copy, "--select", "commentary-missing")  # what is kept is every finding
    assert json.loads(selected[1])["findings"] == []
    reads = Reads(monkeypatch)
    assert messages(check(run, register_copy)[1]) == messages(check(run, register_copy, "--no-cache")[1])
    ignored = check(run, register_copy, "--ignore", "unresolved-reference")
    assert ignored == (0, selected[1], "jnap: 44 actions checked: 0 error(s), 0 warning(s)\n")
    assert len(messages(check(run, register_copy, "--select", "unresolved-reference")[1])) == 2
    assert reads.count == 1  # the --no-cache run only


def test_a_file_with_new_bytes_is_read_again_even_with_its_old_size_and_times(
    run: Run, register_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = check(run, register_copy)
    assert cache.findings_entry(register_copy).is_file()
    stamp = cache.Stamp.of(register_copy)
    info = register_copy.stat()
    edit(register_copy, REFERENCE, SAME_SIZE, count=2)
    os.utime(register_copy, ns=(info.st_atime_ns, info.st_mtime_ns))
    # A filesystem whose stamps cannot tell the two apart (inode, size, mtime and ctime all equal): the
    # cache was made within the racy window, so the bytes' SHA-256 decides.
    monkeypatch.setattr(cache.Stamp, "of", classmethod(lambda cls, path: stamp))
    after = check(run, register_copy)
    assert after[1] != before[1]
    assert after == check(run, register_copy, "--no-cache")
    assert "plan 'original' has no action 25" in messages(after[1])[0]


def test_a_new_jnap_version_or_new_rules_read_the_file_again(
    run: Run, register_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = check(run, register_copy)
    assert cache.findings_entry(register_copy).is_file()
    reads = Reads(monkeypatch)
    monkeypatch.setattr(cache, "__version__", "999.0")
    assert check(run, register_copy) == first
    assert reads.count == 1
    monkeypatch.setattr(report, "rules_key", lambda: "other rules")
    assert check(run, register_copy) == first
    assert reads.count == 2
    assert check(run, register_copy) == first  # kept again, for these rules
    assert reads.count == 2


def test_the_rules_key_follows_the_rules_source(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from jnap_cli.checks import rules

    key = report.rules_key()
    assert key == report.rules_key()
    changed = tmp_path / "rules.py"
    changed.write_bytes(Path(rules.__file__).read_bytes() + b"\n# a rule changed in place\n")
    monkeypatch.setattr(rules, "__file__", str(changed))
    assert report.rules_key() != key


def test_no_cache_reads_the_file_and_keeps_nothing(
    run: Run, register_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = Reads(monkeypatch)
    check(run, register_copy, "--no-cache")
    check(run, register_copy, "--no-cache")
    assert reads.count == 2
    assert not cache.findings_entry(register_copy).exists()
    monkeypatch.setenv("JNAP_NO_CACHE", "1")
    check(run, register_copy)
    assert reads.count == 3 and not cache.findings_entry(register_copy).exists()
    monkeypatch.delenv("JNAP_NO_CACHE")
    check(run, register_copy)
    assert cache.findings_entry(register_copy).is_file()


def test_a_file_changed_during_the_check_has_its_findings_shown_not_kept(
    run: Run, register_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check(run, register_copy)
    assert cache.findings_entry(register_copy).is_file()
    edit(register_copy, REFERENCE, "Action 26 under Our People & Expertise", count=2)
    real = report.run_checks  # type: ignore[attr-defined]

    def changing(register: object) -> object:
        edit(register_copy, "Action 26 under", "Action 27 under", count=2)  # while the check runs
        return real(register)  # type: ignore[arg-type]

    monkeypatch.setattr(report, "run_checks", changing)
    during = check(run, register_copy)
    assert "plan 'original' has no action 26" in messages(during[1])[0]  # what was read
    monkeypatch.setattr(report, "run_checks", real)
    after = check(run, register_copy)
    assert after == check(run, register_copy, "--no-cache")
    assert "plan 'original' has no action 27" in messages(after[1])[0]


def test_damaged_kept_findings_are_ignored_and_removed(run: Run, register_copy: Path) -> None:
    first = check(run, register_copy)
    entry = cache.findings_entry(register_copy)
    with sqlite3.connect(entry) as db:
        db.execute("UPDATE findings SET document = ?", (json.dumps({"code": 1}),))
    db.close()
    assert check(run, register_copy) == first
    assert entry.is_file()  # made again
    with sqlite3.connect(entry) as db:
        db.execute("UPDATE meta SET value = 'many' WHERE key = 'actions'")
    db.close()
    assert check(run, register_copy) == first


def test_invalid_files_and_directories_keep_nothing(run: Run, register_copy: Path, tmp_path: Path) -> None:
    edit(register_copy, 'status = "complete"', 'status = "done"')
    assert check(run, register_copy)[0] == 2
    assert not cache.findings_entry(register_copy).exists()
    folder = split(small(), tmp_path / "register")
    assert check(run, folder)[0] == 0
    assert not cache.findings_entry(folder).exists()
    assert not any(cache.findings_entry(member).exists() for member in folder.iterdir())
