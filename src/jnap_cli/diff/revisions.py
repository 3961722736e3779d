"""The arguments of `jnap diff` → what to compare: two plans, or two versions of the register.

A version is a register file, or a git revision of the register read with git itself
(`git cat-file blob`, no git library; see `diff.git` for what git is kept from running). A blob
larger than `max_bytes()` is refused by its size, before it is read. How an argument is read, first
rule that applies:

1. Two arguments that are both plan ids of the current register compare the plans
   (`jnap diff original refresh`). Write `./original` for a file of that name.
2. A path that exists is a register file, even if a git revision has the same name
   (`HEAD`, a tag). Write `REV:path` to mean the revision.
3. `REV:path` is that file at that revision, the path relative to the repository's top level as
   git reads it (`v1.0:data/actions.toml`).
4. Anything else is a revision (`HEAD~1`, a tag, a branch) of the current register's file.

A directory register at a revision is every `*.toml` file of that directory in that revision's tree
(`git ls-tree`, then each file's blob), chosen and combined as on disk (`register.directory`).

git runs in the current register's directory (or the working directory when that does not exist),
so a revision is looked up in the repository that holds the register.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from jnap_cli.diff.git import run_git
from jnap_cli.diff.plans import PlanDiff, diff_plans
from jnap_cli.diff.versions import VersionDiff, diff_versions
from jnap_cli.errors import InputUnreadable, UsageError
from jnap_cli.model.schema import Register
from jnap_cli.register.load import load_text
from jnap_cli.register.paths import exists
from jnap_cli.register.source import load
from jnap_cli.register.tomlfile import _too_large, decode, max_bytes
from jnap_cli.text import one_line

if TYPE_CHECKING:
    from jnap_cli.register.directory import Member

HINT = "give a register file, a git revision (HEAD~1, a tag) or REV:path/to/actions.toml"


def compare(
    args: Sequence[str], current: Path, *, suggest: bool = False, theme: str | None = None
) -> VersionDiff | PlanDiff:
    """`jnap diff ARGS`: two plans of the current register, or two versions of it (see the module doc);
    `suggest` and `theme` apply to plans only."""
    from jnap_cli.progress import step

    with step("Comparing " + " and ".join(args)):
        return _compare(args, current, suggest=suggest, theme=theme)


def _compare(args: Sequence[str], current: Path, *, suggest: bool, theme: str | None) -> VersionDiff | PlanDiff:
    two_files = len(args) == 2 and all(exists(Path(arg)) for arg in args)
    # Two files compare with each other: the current register need not even be readable.
    loaded = None if two_files else load(current) if exists(current) or len(args) != 2 else None
    if loaded is not None:
        args = [_plan_id(loaded, arg) for arg in args]
        if classify(args, loaded) == "plans":
            return diff_plans(loaded, args[0], args[1], suggest=suggest, theme=theme)
    for given, option in ((suggest, "--suggest"), (theme is not None, "--theme")):
        if given:
            raise UsageError(f"{option} compares plans, not versions", "give two plan ids: jnap diff original refresh")
    return diff_versions(*read_versions(args, current, loaded))


def _plan_id(register: Register, arg: str) -> str:
    """A plan id as the register spells it when `arg` names one in another case (and is no file)."""
    for plan in register.plans:
        if plan.id.casefold() == arg.casefold() and not exists(Path(arg)):
            return plan.id
    return arg


def classify(args: Sequence[str], register: Register) -> Literal["plans", "versions"]:
    """ "plans" when there are two arguments and both are plan ids of `register`, else "versions".

    A plan id given with something else is a usage error (unless a file of that name exists), since
    plans compare only with plans.
    """
    plan_ids = {plan.id for plan in register.plans}
    if len(args) == 2 and all(arg in plan_ids for arg in args):
        return "plans"
    oldest_first = [plan.id for plan in sorted(register.plans, key=lambda plan: plan.year)]
    if len(args) == 2 and any(arg in plan_ids for arg in args):
        import difflib

        for arg in args:  # a misspelt plan beside a real one: say which word is wrong
            close = difflib.get_close_matches(arg, sorted(plan_ids), n=1, cutoff=0.7)
            if arg not in plan_ids and close and not exists(Path(arg)):
                raise UsageError(f"no plan or file {arg!r}", f"did you mean {close[0]}?")
    others = [arg for arg in args if arg not in plan_ids and not exists(Path(arg))]
    bare = len(others) == 1 and others[0].replace("-", "").replace("_", "").isalnum()  # a word, not a path
    if len(args) == 2 and bare and any(arg in plan_ids for arg in args):  # name the word that is wrong
        raise UsageError(
            f"no plan {others[0]!r}: the plans are {', '.join(oldest_first)}",
            f"plans compare only with plans (jnap diff {' '.join(oldest_first[:2])}); "
            "versions only with versions (jnap diff HEAD~1 data/actions.toml)",
        )
    for arg in args:
        if arg in plan_ids and not exists(Path(arg)):
            raise UsageError(
                f"{arg!r} is a plan id, but plans compare only with plans",
                f"give two plan ids (jnap diff {' '.join(oldest_first[:2])}), or {arg}:PATH for a git revision",
            )
    return "versions"


def read_versions(args: Sequence[str], current: Path, loaded: Register | None = None) -> tuple[Register, Register]:
    """The registers to compare: `OLD NEW`, or `OLD` and the current register.

    `loaded` is the current register when the caller has already read it.
    """
    if len(args) == 1:
        return read_version(args[0], current), loaded or load(current)
    if len(args) == 2:
        return read_version(args[0], current), read_version(args[1], current)
    raise UsageError(f"expected one or two versions to compare, got {len(args)}", "see 'jnap diff --help'")


def read_version(arg: str, current: Path) -> Register:
    """The register that `arg` names: a file, `REV`, or `REV:path`."""
    if not arg:
        raise UsageError("an empty argument names no register", HINT)
    if exists(Path(arg)):
        return load(Path(arg))
    if arg.startswith("-"):
        raise UsageError(f"{one_line(arg)}: no such file, and a git revision cannot start with '-'", HINT)
    where = current.resolve().parent
    if not where.is_dir():
        where = Path.cwd()
    if ":" in arg:
        spec = arg
    else:
        prefix = _git(["rev-parse", "--show-prefix"], where, arg).decode("utf-8", "replace").strip()
        spec = f"{arg}:{prefix}{current.resolve().name}"
    kind, object_id, size = _object(spec, where, arg)
    if kind == "tree":
        return _read_tree(spec, where, arg)
    if kind != "blob":
        hint = "name the register file: REV:path/to/actions.toml"
        raise InputUnreadable(f"{one_line(spec)}: is a {kind} in git", hint)
    return load_text(decode(_blob(object_id, size, spec, where, arg), one_line(spec)), spec)


_BATCH_FORMAT = "%(objecttype) %(objectname) %(objectsize)"
_FOUND = re.compile(r"(?P<kind>[a-z]+) (?P<id>[0-9a-f]{40,64}) (?P<size>\d+)\n")


def _object(spec: str, where: Path, arg: str) -> tuple[str, str, int]:
    """The type, id and size of the object that `spec` names, from its header: nothing is read yet."""
    if "\n" not in spec:  # batch-check takes one name a line
        answer = _git(["cat-file", f"--batch-check={_BATCH_FORMAT}"], where, arg, stdin=f"{spec}\n".encode())
        found = _FOUND.fullmatch(answer.decode("utf-8", "replace"))
        if found:
            return found["kind"], found["id"], int(found["size"])
    # batch-check says only "missing": git's own words (unknown revision, no such path in it) from -t,
    # else the object's id, which batch-check takes.
    _git(["cat-file", "-t", spec], where, arg)
    object_id = _git(["rev-parse", "--verify", spec], where, arg).decode("ascii", "replace").strip()
    if object_id != spec and re.fullmatch(r"[0-9a-f]{40,64}", object_id):
        return _object(object_id, where, arg)
    raise InputUnreadable(f"{one_line(spec)}: not a file, and git cannot read it", HINT)


def _blob(object_id: str, size: int, origin: str, where: Path, arg: str) -> bytes:
    """The blob's bytes; one larger than `max_bytes()` is refused before git reads it (as a file is)."""
    if size > (limit := max_bytes()):
        raise _too_large(one_line(origin), limit)
    return _git(["cat-file", "blob", object_id], where, arg)


def _read_tree(spec: str, where: Path, arg: str) -> Register:
    """The directory register that the tree `REV:path` holds: its `*.toml` files, in name order."""
    import posixpath

    from jnap_cli.register.directory import gather, is_member_name, member_from_text

    revision, _, folder = spec.partition(":")
    entries: list[tuple[str, str, str, int]] = []
    # -l: each blob's size too, from its header, so that none is read before its size is checked.
    for record in _git(["ls-tree", "-l", "--full-tree", "-z", spec], where, arg).split(b"\0"):
        meta, tab, name_bytes = record.partition(b"\t")
        mode, kind, object_id, size = [*meta.decode("ascii", "replace").split(), "", "", "", ""][:4]
        name = name_bytes.decode("utf-8", "replace")
        if tab and kind == "blob" and size.isdigit() and is_member_name(name):
            entries.append((name, mode, object_id, int(size)))
    if not entries:
        hint = "that revision has no register there; give a register file, or another revision"
        raise InputUnreadable.at(one_line(spec), "no *.toml files in this directory", hint)

    def reader(name: str, mode: str, object_id: str, size: int) -> Callable[[], Member]:
        origin = f"{spec.rstrip('/')}/{name}"

        def read() -> Member:
            data = _blob(object_id, size, origin, where, arg)
            if mode == "120000":  # a symlink: git keeps its target, which is followed inside the revision
                followed = posixpath.normpath(posixpath.join(folder, data.decode("utf-8", "replace")))
                kind, target_id, target_size = _object(f"{revision}:{followed}", where, arg)
                if kind != "blob":
                    raise InputUnreadable(f"{one_line(origin)}: links to a {kind} in git", "link to a .toml file")
                data = _blob(target_id, target_size, origin, where, arg)
            return member_from_text(decode(data, one_line(origin)), origin)

        return read

    return gather(spec, [reader(*entry) for entry in sorted(entries)]).register


def _git(args: list[str], where: Path, arg: str, stdin: bytes | None = None) -> bytes:
    """git's stdout for reading `arg`, or a one-line error."""
    missing = (
        f"git is not installed; '{one_line(arg)}' is not a file, so it can only be a git revision",
        "install git or give a register file",
    )
    failure = "not a file, and git cannot read it"
    return run_git(args, where, arg, missing=missing, failure=failure, hint=HINT, stdin=stdin)
