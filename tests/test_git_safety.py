"""Safety of what jnap runs and reads through git: no program that a repository names, no blob over
the size guard.

A hostile repository names, in its `.git/config` and `.gitattributes`, a script for every setting
whose value is a program; the script writes a marker file. Every git entry point (history of a file
and of a directory register, `diff REV`, `diff REV:path`, `diff :path`, `diff OLD NEW` of a directory
with a symlink member, `stats --since`, completion of revisions) must leave no marker and give the
output it gives in a clean clone of the same commits. A partial clone must not fetch a missing object
through the transport program its configuration names. A blob larger than `JNAP_MAX_BYTES` is refused
by the size git reports, before it is read.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import Result

from .conftest import Run, git
from .registers import Data, set_field, small, split, write
from .test_edges import complete

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or sys.platform == "win32", reason="needs git and POSIX shell scripts"
)

HOOKS = (
    "applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit", "prepare-commit-msg",
    "commit-msg", "post-commit", "pre-rebase", "post-checkout", "post-merge", "pre-push", "pre-receive", "update",
    "proc-receive", "post-receive", "post-update", "reference-transaction", "push-to-checkout", "pre-auto-gc",
    "post-rewrite", "sendemail-validate", "fsmonitor-watchman", "post-index-change",
)  # fmt: skip


PROGRAM_KEYS = (
    "core.pager", "pager.log", "pager.show", "pager.cat-file", "pager.ls-tree", "pager.rev-parse",
    "pager.for-each-ref", "gpg.program", "gpg.openpgp.program", "gpg.x509.program", "gpg.ssh.program",
    "gpg.ssh.defaultKeyCommand", "core.fsmonitor", "diff.external", "diff.evil.textconv", "diff.evil.command",
    "filter.evil.clean", "filter.evil.smudge", "filter.evil.process", "core.alternateRefsCommand",
    "uploadpack.packObjectsHook", "credential.helper", "core.askPass", "core.sshCommand", "core.gitProxy",
    "core.editor", "sequence.editor", "interactive.diffFilter", "merge.evil.driver", "difftool.evil.cmd",
    "mergetool.evil.cmd", "remote.origin.uploadpack", "remote.origin.receivepack",
)  # fmt: skip
"""The keys of git-config(1) whose value is a program (a driver named `evil` for the per-driver ones)."""


def _script(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def _hostile_settings(evil: Path, hooks: Path) -> dict[str, str]:
    """Every git setting whose value is a program (git-config(1)), naming `evil`."""
    settings = dict.fromkeys(PROGRAM_KEYS, str(evil))
    settings.update(
        {
            "core.hooksPath": str(hooks),
            "log.showSignature": "true",
            "filter.evil.required": "true",
            "diff.tool": "evil",
            "merge.tool": "evil",
            "remote.origin.url": f"ext::{evil} %S",
            "protocol.allow": "always",
        }
    )
    return settings


@dataclass(frozen=True)
class Repos:
    hostile: Path
    clean: Path  # a clone of the same commits, without the hostile configuration
    marker: Path  # written by any program the hostile configuration names


def _commit(root: Path, message: str, signer: Path | None) -> None:
    """Commit everything; signed by `signer` when given (so that a signature display has work to do)."""
    git(root, "add", "-A")
    signing = ["-c", f"gpg.program={signer}", "commit", "-S"] if signer else ["commit"]
    git(root, *signing, "-qm", message)


def _build(root: Path, signer: Path | None) -> None:
    """Two commits of a file register and of a directory register whose `2-original.toml` is a symlink."""
    (root / "data").mkdir(parents=True)
    git(root, "init", "-q")
    (root / ".gitattributes").write_text("* diff=evil filter=evil merge=evil\n", encoding="utf-8")
    data = small()
    write(root / "data" / "actions.toml", data)
    folder = split(data, root / "register")
    (folder / "2-original.toml").rename(root / "original.toml")
    (folder / "2-original.toml").symlink_to("../original.toml")
    _commit(root, "first", signer)
    git(root, "tag", "v1")
    changed = set_field(set_field(data, "R2", "status", "complete"), "O1", "status", "ongoing")
    write(root / "data" / "actions.toml", changed)
    split(changed, root / "split")
    for name in ("register.toml", "1-refresh.toml"):
        shutil.copyfile(root / "split" / name, folder / name)
    shutil.copyfile(root / "split" / "2-original.toml", root / "original.toml")
    shutil.rmtree(root / "split")
    _commit(root, "second", signer)


def _poison(root: Path, tmp_path: Path, evil: Path) -> None:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in HOOKS:
        shutil.copyfile(evil, hooks / name)
        (hooks / name).chmod(0o755)
    for key, value in _hostile_settings(evil, hooks).items():
        git(root, "config", key, value)


@pytest.fixture
def repos(tmp_path: Path, git_env: None) -> Repos:
    marker = tmp_path / "ran"
    evil = _script(tmp_path / "evil", f'echo "$0 $*" >> "{marker}"\nexit 1')
    signer = _script(  # a stand-in for gpg: reads what git signs (else git may fail to write it), signs it
        tmp_path / "signer",
        f'cat > "{tmp_path / "signed"}"\n'
        "echo '[GNUPG:] SIG_CREATED D 1 8 00 1 X' >&2\n"
        "printf -- '-----BEGIN PGP SIGNATURE-----\\n\\nabc\\n-----END PGP SIGNATURE-----\\n'",
    )
    hostile = tmp_path / "hostile"
    _build(hostile, signer)
    clean = tmp_path / "clean"
    git(tmp_path, "clone", "-q", str(hostile), str(clean))
    _poison(hostile, tmp_path, evil)
    assert not marker.exists()
    return Repos(hostile, clean, marker)


ENTRY_POINTS = {
    "history of a file register": ["history", "R2", "-r", "{root}/data/actions.toml", "-f", "json"],
    "history of a directory register": ["history", "O1", "-r", "{root}/register", "-f", "json"],
    "diff REV": ["diff", "HEAD~1", "-r", "{root}/data/actions.toml", "-f", "json"],
    "diff REV:path": ["diff", "v1:data/actions.toml", "-r", "{root}/data/actions.toml", "-f", "json"],
    "diff :path (the index)": ["diff", "HEAD~1", ":data/actions.toml", "-r", "{root}/data/actions.toml", "-f", "json"],
    "diff OLD NEW of a directory": ["diff", "HEAD~1", "HEAD", "-r", "{root}/register", "-f", "json"],
    "stats --since REV": ["stats", "--since", "HEAD~1", "-r", "{root}/data/actions.toml", "-f", "json"],
}


def _run_in(run: Run, root: Path, args: list[str], **env: str) -> Result:
    return run(*[arg.format(root=root) for arg in args], env=env or None)


@pytest.mark.parametrize("args", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
def test_git_runs_no_program_the_repository_names(run: Run, repos: Repos, args: list[str]) -> None:
    clean = _run_in(run, repos.clean, args)
    assert (clean.exit_code, clean.stderr) == (0, ""), clean.output
    assert json.loads(clean.stdout)
    hostile = _run_in(run, repos.hostile, args)
    assert not repos.marker.exists(), repos.marker.read_text(encoding="utf-8")
    assert (hostile.exit_code, hostile.stdout, hostile.stderr) == (0, clean.stdout, "")
    if args[:3] == ["diff", "HEAD~1", "HEAD"]:  # O1 is in 2-original.toml, the symlinked member
        changed = json.loads(hostile.stdout)["changed"]
        assert [(change["id"], sorted(change["fields"])) for change in changed] == [
            ("R2", ["status"]),
            ("O1", ["status"]),
        ]


def test_completion_of_revisions_runs_no_program(repos: Repos) -> None:
    """Completion runs git in the shell's directory; a tag whose name is not UTF-8 is offered escaped."""
    tags = repos.hostile / ".git" / "refs" / "tags"
    (tags / os.fsdecode(b"v\xff")).write_text((tags / "v1").read_text(encoding="ascii"), encoding="ascii")
    assert complete("jnap diff v", repos.hostile) == ["v1", "v\\\ufffd"]  # as bash quotes it
    assert complete("jnap diff HEAD", repos.hostile) == ["HEAD", "HEAD~1"]
    assert not repos.marker.exists(), repos.marker.read_text(encoding="utf-8")


# --- a partial clone: a missing object makes git fetch it, through the transport the repository names ---


@pytest.fixture
def partial(tmp_path: Path, git_env: None) -> Repos:
    """A partial clone (no blobs but HEAD's) whose promisor remote runs a script to serve the rest."""
    marker = tmp_path / "ran"
    evil = _script(tmp_path / "evil", f'echo "$0 $*" >> "{marker}"\nexit 1')
    source = tmp_path / "source"
    _build(source, None)
    git(source, "config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--filter=blob:none", "--no-local", source.as_uri(), str(clone))
    for key, value in {
        "remote.origin.uploadpack": str(evil),
        "protocol.allow": "always",
        "protocol.file.allow": "always",
    }.items():
        git(clone, "config", key, value)
    assert not marker.exists()
    return Repos(clone, source, marker)


BLOB_READERS = {name: args for name, args in ENTRY_POINTS.items() if "index" not in name}


@pytest.mark.parametrize("args", BLOB_READERS.values(), ids=BLOB_READERS.keys())
def test_a_missing_object_is_not_fetched(run: Run, partial: Repos, args: list[str]) -> None:
    result = _run_in(run, partial.hostile, args)
    assert not partial.marker.exists(), partial.marker.read_text(encoding="utf-8")
    if args[0] == "history":  # the version git cannot read is skipped, with git's reason
        assert result.exit_code == 0, result.output
        notes = [record["note"] for record in json.loads(result.stdout) if record["change"] == "skipped"]
        assert len(notes) == 1
        assert "not a file, and git cannot read it: fatal: could not fetch" in notes[0]
    else:
        assert result.exit_code == 2, result.output
        revision = next(arg for arg in args[1:] if not arg.startswith("-"))
        reason = "not a file, and git cannot read it: fatal: could not fetch "
        assert result.stderr.startswith(f"jnap: error: {revision}: {reason}"), result.stderr
        assert result.stderr.count("\n") == 1


# --- the size guard, before a blob is read ------------------------------------------------------------


def _claims(root: Path, size: int, content: bytes) -> str:
    """A loose blob whose header says `size` bytes but which holds only `content`: git reports `size`
    without reading it, and reads back `content` (today's git does not notice the difference). Only a
    reader that checks the size before it reads refuses it."""
    header = f"blob {size}\0".encode()
    object_id = hashlib.sha1(header + content.ljust(size, b"#")).hexdigest()
    folder = root / ".git" / "objects" / object_id[:2]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / object_id[2:]).write_bytes(zlib.compress(header + content))
    return object_id


def _stored(root: Path, content: bytes) -> str:
    done = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"], cwd=root, input=content, capture_output=True, check=True
    )
    return done.stdout.decode("ascii").strip()


def _commit_tree(root: Path, tag: str, entries: dict[str, tuple[str, str]]) -> None:
    """Commit exactly `entries` (path → (mode, object id)) and tag the commit."""
    git(root, "read-tree", "--empty")
    for path, (mode, object_id) in entries.items():
        git(root, "update-index", "--add", "--cacheinfo", f"{mode},{object_id},{path}")
    git(root, "commit", "-qm", tag)
    git(root, "tag", tag)


def _tiny() -> Data:
    """A register under 1 KiB: one plan, one action."""
    data = small()
    return {**data, "plans": data["plans"][:1], "actions": data["actions"][:1]}


@pytest.fixture
def sized(tmp_path: Path, git_env: None) -> Path:
    """Commits, each tagged: `small` (a tiny register), `file` (data/actions.toml claims 2 KiB, and so
    does `data/odd<LF>name.toml`), `real` (data/actions.toml is `small()`, over 2 KiB), `member` (a
    member of register/ claims 2 KiB), `link` (a symlinked member whose target claims 2 KiB), then
    `now` (the tiny register again, also on disk)."""
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    git(root, "init", "-q")
    tiny = write(root / "data" / "actions.toml", _tiny()).read_bytes()
    folder = split(_tiny(), root / "register")
    members = {name: _stored(root, (folder / name).read_bytes()) for name in ("register.toml", "1-refresh.toml")}
    regular = "100644"
    good = {"data/actions.toml": (regular, _stored(root, tiny))} | {
        f"register/{name}": (regular, object_id) for name, object_id in members.items()
    }
    big_file = _claims(root, 2048, tiny)
    big_member = _claims(root, 2048, (folder / "1-refresh.toml").read_bytes())
    assert 2048 < len(write(tmp_path / "real.toml", small()).read_bytes()) < 4096
    _commit_tree(root, "small", good)
    _commit_tree(
        root, "file", good | {"data/actions.toml": (regular, big_file), "data/odd\nname.toml": (regular, big_file)}
    )
    _commit_tree(
        root, "real", good | {"data/actions.toml": (regular, _stored(root, (tmp_path / "real.toml").read_bytes()))}
    )
    _commit_tree(root, "member", good | {"register/1-refresh.toml": (regular, big_member)})
    link = {
        "register/1-refresh.toml": ("120000", _stored(root, b"../refresh.toml")),
        "refresh.toml": (regular, big_member),
    }
    _commit_tree(root, "link", good | link)
    _commit_tree(root, "now", good)
    git(root, "reset", "-q", "--hard")
    return root


LIMIT = "larger than 1 KiB; not a register; set JNAP_MAX_BYTES higher to read it"


@pytest.mark.parametrize(
    ("args", "origin"),
    [
        (["diff", "file"], "file:data/actions.toml"),
        (["diff", "file:data/actions.toml"], "file:data/actions.toml"),
        (["diff", "file:data/odd\nname.toml"], "file:data/odd\\nname.toml"),  # a name batch-check cannot take
        (["diff", "real"], "real:data/actions.toml"),
        (["stats", "--since", "file"], "file:data/actions.toml"),
        (["diff", "member", "-r", "{root}/register"], "member:register/1-refresh.toml"),
        (["diff", "link", "now", "-r", "{root}/register"], "link:register/1-refresh.toml"),
    ],
    ids=[
        "REV",
        "REV:path",
        "a path with a line break",
        "a real 2 KiB blob",
        "stats --since",
        "a directory member",
        "a symlinked member",
    ],
)
def test_a_blob_over_the_limit_is_refused_before_it_is_read(
    run: Run, sized: Path, args: list[str], origin: str
) -> None:
    if "-r" not in args:
        args = [*args, "-r", "{root}/data/actions.toml"]
    result = _run_in(run, sized, args, JNAP_MAX_BYTES="1K")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"jnap: error: {origin}: {LIMIT}\n")
    allowed = _run_in(run, sized, args, JNAP_MAX_BYTES="4K")
    assert allowed.exit_code in (0, 1), allowed.output  # 1: `stats --since` finds no status change
    assert LIMIT not in allowed.stderr


def test_history_skips_a_version_over_the_limit(run: Run, sized: Path) -> None:
    result = _run_in(run, sized, ["history", "R1", "-r", "{root}/data/actions.toml", "-f", "json"], JNAP_MAX_BYTES="1K")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    hashes = {
        tag: subprocess.run(
            ["git", "rev-parse", tag], cwd=sized, capture_output=True, text=True, check=True
        ).stdout.strip()
        for tag in ("file", "real")
    }
    skipped = [(record["subject"], record["note"]) for record in records if record["change"] == "skipped"]
    assert skipped == [
        ("real", f"{hashes['real']}:data/actions.toml: {LIMIT}"),
        ("file", f"{hashes['file']}:data/actions.toml: {LIMIT}"),
    ]
