"""Time jnap against reference commands on the same files: interleaved runs, medians, peak memory, ratios.

    python benchmarks/run.py                                   # shipped register and 10k, 5 runs
    python benchmarks/run.py --sizes 44,10000,100000 --runs 3 --only show,search
    python benchmarks/run.py --only diff,big --runs 3
    python benchmarks/run.py --sizes 44,10000 --only check,suggest --runs 3   # issue 21's check and --suggest
    python benchmarks/run.py --sizes "" --only suggest --suggest-size 2000 --suggest-before /tmp/main/src

Each repetition runs every selected command once, round-robin (the starting command rotates), so that
a slow patch of the machine falls on all of them alike. Every command is a child process: wall time
from `time.perf_counter` around it, peak memory its own `ru_maxrss` from `os.wait4`. The table gives
the median and the best of the wall times, the median of the peaks, the ratio to the command's
reference and the target of issue 11, met or not.

"First" runs get a fresh, empty `XDG_CACHE_HOME` each time (the cache lives in platformdirs' user cache
directory, which follows it); "cold" runs also set `JNAP_NO_CACHE=1`; "warm" runs share one cache
directory, primed by a run before the timed ones. Where jnap has no cache yet, all three measure the
same thing. Registers of N actions come from `generate.py` (44 means the shipped data/actions.toml),
written once to `--out` and reused. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import generate

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REFERENCE = HERE / "reference"
SHIPPED = ROOT / "data" / "actions.toml"
SCENARIOS = (
    "show", "list", "search", "limit", "check", "diff", "plandiff", "suggest", "big", "edit", "biglist", "million",
)  # fmt: skip
DEFAULT_SCENARIOS = tuple(name for name in SCENARIOS if name not in ("million", "biglist"))  # 0.9 GiB: by name
# GNU time reports the peak memory of the command alone (a child's ru_maxrss also counts the memory
# of the process it was forked from, up to its exec).
TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None


@dataclass
class Command:
    """One timed unit: one or more command lines run one after the other (their times add up)."""

    argvs: list[list[str]]
    label: str
    cache: str = "none"  # "none" (a reference), "first", "cold" or "warm"
    env: dict[str, str] = field(default_factory=dict)
    ok: tuple[int, ...] = (0,)


@dataclass
class Target:
    """A target of issue 11: this row's median (time or peak memory) ≤ `limit` × the median of row `of`."""

    limit: float
    of: str
    text: str
    metric: str = "time"


@dataclass
class Row:
    key: str  # "SIZE/name", unique
    scenario: str
    command: Command
    reference: str | None = None
    targets: list[Target] = field(default_factory=list)
    walls: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)  # MiB
    codes: set[int] = field(default_factory=set)
    failure: str = ""


@dataclass
class Sample:
    wall: float
    peak: float
    codes: list[int]
    timed_out: bool
    stderr: str


def size_name(size: int) -> str:
    if size == 44:
        return "44 (shipped)"
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def run_once(command: Command, base_env: dict[str, str], scratch: Path, warm_cache: Path, timeout: float) -> Sample:
    """Run the command's lines once in the environment its cache mode asks for; time and measure them."""
    env = {**base_env, **command.env}
    fresh: Path | None = None
    if command.cache in ("first", "cold"):
        fresh = Path(tempfile.mkdtemp(prefix="cache-", dir=scratch))
        env["XDG_CACHE_HOME"] = str(fresh)
    elif command.cache == "warm":
        env["XDG_CACHE_HOME"] = str(warm_cache)
    if command.cache == "cold":
        env["JNAP_NO_CACHE"] = "1"
    wall = peak = 0.0
    codes = []
    timed_out = False
    stderr = ""
    try:
        for argv in command.argvs:
            with (scratch / "stdout").open("wb") as out, (scratch / "stderr").open("wb") as err:
                wrapped = [TIME, "-f", "%M", "-o", str(scratch / "rss"), *argv] if TIME else argv
                start = time.perf_counter()
                process = subprocess.Popen(
                    wrapped, stdout=out, stderr=err, env=env, cwd=scratch, start_new_session=True
                )
                killed = threading.Event()

                def kill(process: subprocess.Popen[bytes] = process, killed: threading.Event = killed) -> None:
                    killed.set()
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)

                timer = threading.Timer(timeout, kill)
                timer.start()
                _pid, status, usage = os.wait4(process.pid, 0)
                elapsed = time.perf_counter() - start
                timer.cancel()
                process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
            wall += elapsed
            peak = max(peak, _peak_kib(scratch / "rss", usage.ru_maxrss) / 1024)
            codes.append(process.returncode)
            stderr = (scratch / "stderr").read_text(errors="replace").strip()
            if killed.is_set():
                timed_out = True
                break
    finally:
        if fresh is not None:
            shutil.rmtree(fresh, ignore_errors=True)
    return Sample(wall, peak, codes, timed_out, stderr)


def _peak_kib(report: Path, maxrss: int) -> int:
    """The child's peak RSS in KiB: GNU time's report (last line), else `ru_maxrss` from wait4.

    Without GNU time, Linux counts the peak of this script's own memory before the child's exec too.
    """
    if TIME:
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int(report.read_text().split()[-1])
    return maxrss


def prepare_register(size: int, seed: int, out: Path) -> Path:
    if size == 44:
        return SHIPPED
    path = out / f"actions-{size}-s{seed}.toml"
    if not path.exists():
        _generate(str(size), "--seed", str(seed), "--out", str(out))
    return path


def _generate(*args: str) -> None:
    """Run generate.py in a child process: this script's own memory stays small, as the children it forks."""
    print(f"generate.py {' '.join(args)}", file=sys.stderr)
    subprocess.run([sys.executable, str(HERE / "generate.py"), *args], check=True, stdout=subprocess.DEVNULL)


def show_id(size: int) -> str:
    """An action every generated register of `size` actions has: the first of its last plan."""
    if size == 44:
        return "R4"
    return generate.plan_ids(generate.default_plans(size))[-1][1] + "1"


def prepare_export(jnap: list[str], register: Path, out: Path, label: str) -> Path:
    """`jnap list --format json` of the register, made once; from tomllib when jnap cannot read it."""
    export = out / f"export-{label}.json"
    if export.exists() and export.stat().st_mtime >= register.stat().st_mtime:
        return export
    with export.open("wb") as handle:
        made = subprocess.run([*jnap, "list", "--format", "json", "-r", str(register)], stdout=handle, check=False)
    if made.returncode != 0:
        print(f"jnap cannot export {register.name} (exit {made.returncode}): exported with tomllib", file=sys.stderr)
        code = "import json, sys, tomllib; json.dump(tomllib.load(open(sys.argv[1], 'rb'))['actions'], sys.stdout)"
        with export.open("wb") as handle:
            subprocess.run([sys.executable, "-c", code, str(register)], stdout=handle, check=True)
    return export


def prepare_index(register: Path, out: Path, label: str) -> Path:
    index = out / f"fts5-{label}.db"
    if not index.exists() or index.stat().st_mtime < register.stat().st_mtime:
        subprocess.run([sys.executable, str(REFERENCE / "fts5.py"), "build", str(register), str(index)], check=True)
    return index


def row(
    key: str,
    scenario: str,
    argvs: list[list[str]],
    label: str,
    cache: str = "none",
    reference: str | None = None,
    *targets: Target,
    env: dict[str, str] | None = None,
    ok: tuple[int, ...] = (0,),
) -> Row:
    """A row of the table: `argvs` run as one timed unit, compared with row `reference`."""
    return Row(key, scenario, Command(argvs, label, cache, env or {}, ok), reference, list(targets))


def size_rows(size: int, args: argparse.Namespace, jnap: list[str]) -> list[Row]:
    """show, list and search on a register of `size` actions, with their references and targets."""
    python, s, name = sys.executable, str(size), size_name(size)
    register = prepare_register(size, args.seed, args.out)
    r = ["-r", str(register)]
    ident = show_id(size)
    rows = []
    if {"show", "list"} & args.only:
        floor = [python, str(REFERENCE / "framework_floor.py"), "show", ident, *r]
        rows.append(row(f"{s}/floor", name, [floor], "framework floor"))
    if "show" in args.only:
        show = [*jnap, "show", ident, "--format", "json", *r]
        label = f"jnap show {ident} --format json"
        rows.append(row(f"{s}/show-cold", name, [show], f"{label}, cold", "cold", f"{s}/floor"))
        targets = [Target(1.0, f"{s}/floor", "≤ 1.0× framework floor")] if size == 44 else []
        rows.append(row(f"{s}/show-warm", name, [show], f"{label}, warm", "warm", f"{s}/floor", *targets))
    if "list" in args.only and (size == 44 or args.list_all_sizes):
        listing = [*jnap, "list", "--format", "table", *r]
        targets = [Target(1.2, f"{s}/floor", "≤ 1.2× framework floor")] if size == 44 else []
        label = "jnap list --format table (120 columns), warm"
        rows.append(
            row(f"{s}/list-table", name, [listing], label, "warm", f"{s}/floor", *targets, env={"COLUMNS": "120"})
        )
    if "search" in args.only:
        rows += search_rows(size, register, args, jnap)
    if "limit" in args.only:
        rows += limit_rows(size, register, args, jnap)
    if "check" in args.only:
        rows += check_rows(size, register, jnap)
    return rows


def limit_rows(size: int, register: Path, args: argparse.Namespace, jnap: list[str]) -> list[Row]:
    """Issue 21: `search WORD --limit 20`, warm, flat in size; at 100k, all the hits too."""
    s, name, word = str(size), size_name(size), args.limit_word
    search = [*jnap, "search", word, "--format", "ids", "-r", str(register)]
    found = (0, 1)
    label = f"jnap search {word} --limit 20 --format ids, repeated"
    limited = row(f"{s}/search-limit", name, [[*search, "--limit", "20"]], label, "warm", ok=found)
    if size != 44:
        limited.reference = "44/search-limit"
        limited.targets.append(Target(1.1, "44/search-limit", "≤ 1.1× the same on the shipped register"))
    rows = [limited]
    if size == 100_000:
        label = f"jnap search {word} --format ids (all hits), repeated"
        every = row(f"{s}/search-all", name, [search], label, "warm", "44/search-limit", ok=found)
        every.targets.append(Target(2.5, "44/search-limit", "≤ 2.5× the shipped register's search"))
        rows.append(every)
    return rows


def check_rows(size: int, register: Path, jnap: list[str]) -> list[Row]:
    """Issue 21: `jnap check` of an unchanged register, warm, against the shipped register's."""
    s, name = str(size), size_name(size)
    check = [[*jnap, "check", "-r", str(register)]]
    found = (0, 1)  # 1: an error found (a generated register has warnings only)
    cold = row(f"{s}/check-cold", name, check, "jnap check, cold (as before issue 21)", "cold", ok=found)
    warm = row(f"{s}/check-warm", name, check, "jnap check, unchanged file (warm)", "warm", ok=found)
    if size != 44:
        cold.reference = warm.reference = "44/check-warm"
        warm.targets.append(Target(1.5, "44/check-warm", "≤ 1.5× check of the shipped register"))
    return [cold, warm]


def search_rows(size: int, register: Path, args: argparse.Namespace, jnap: list[str]) -> list[Row]:
    """`jnap search` first and repeated, against the parse floor, jq and FTS5."""
    python, s, name, word = sys.executable, str(size), size_name(size), args.word
    found = (0, 1)  # 1: no match, as grep
    rows = []
    parse = [python, str(REFERENCE / "parse_floor.py"), str(register), word]
    rows.append(row(f"{s}/parse", name, [parse], "parse floor", ok=found))
    if shutil.which("jq"):
        export = prepare_export(jnap, register, args.out, s)
        program = f'.[] | select((.text+.commentary)|test("{word}";"i")) | .id'
        jq = [["jq", "-r", program, str(export)]]
        rows.append(row(f"{s}/jq", name, jq, "jq on a JSON export", "none", f"{s}/parse"))
    index = prepare_index(register, args.out, s)
    fts = [python, str(REFERENCE / "fts5.py"), "query", str(index), word]
    label = "FTS5 prebuilt index (python sqlite3)"
    rows.append(row(f"{s}/fts5", name, [fts], label, "none", f"{s}/parse", ok=found))
    if shutil.which("sqlite3"):
        query = f"SELECT id FROM actions WHERE actions MATCH '\"{word}\"*' ORDER BY rank"
        sql = [["sqlite3", "-readonly", str(index), query]]
        rows.append(row(f"{s}/fts5-cli", name, sql, "FTS5 prebuilt index (sqlite3 CLI)", "none", f"{s}/parse"))
    search = [[*jnap, "search", word, "--format", "ids", "-r", str(register)]]
    label = f"jnap search {word} --format ids"
    if size == 44:
        today = f"{label}, cold (today's)"
        rows.append(row(f"{s}/search-nocache", name, search, today, "cold", f"{s}/parse", ok=found))
    first = row(f"{s}/search-first", name, search, f"{label}, first run", "first", f"{s}/parse", ok=found)
    warm = row(f"{s}/search-warm", name, search, f"{label}, repeated", "warm", f"{s}/parse", ok=found)
    if size == 10_000:
        first.targets.append(Target(1.3, f"{s}/parse", "≤ 1.3× parse floor"))
    if size == 100_000:
        first.targets.append(Target(11.0, "10000/search-first", "≤ 11× the 10k first run"))
        first.targets.append(Target(2.0, f"{s}/parse", "peak ≤ 2× parse floor's", "memory"))
    if size >= 10_000:
        warm.targets.append(Target(1.1, "44/search-nocache", "≤ 1.1× jnap search on the shipped register"))
    rows.extend([first, warm])
    rows += quarter_rows(size, register, args, jnap)
    return rows


def quarter_rows(size: int, register: Path, args: argparse.Namespace, jnap: list[str]) -> list[Row]:
    """Issue 21: a word in a quarter of the actions, warm: its best 20, flat in size, and all its hits."""
    s, name, word = str(size), size_name(size), args.quarter_word
    search = [*jnap, "search", word, "--format", "ids", "-r", str(register)]
    top = row(f"{s}/search-top", name, [[*search, "--limit", "20"]], f"jnap search {word} --limit 20, warm", "warm")
    every = row(f"{s}/search-all", name, [search], f"jnap search {word} --format ids (all hits), warm", "warm")
    if size >= 10_000:
        top.reference = "44/search-top"
        top.targets.append(Target(1.1, "44/search-top", "≤ 1.1× the same on the shipped register"))
        every.reference = "44/search-all"
    if size == 100_000:
        every.targets.append(Target(2.5, "44/search-all", "≤ 2.5× the shipped register's search"))
    return [top, every]


def diff_rows(args: argparse.Namespace, jnap: list[str]) -> list[Row]:
    """`jnap diff` of two versions of a generated register, against loading both."""
    old = prepare_register(args.diff_size, args.seed, args.out)
    new = old.with_name(old.stem + "-next.toml")
    if not new.exists() or new.stat().st_mtime < old.stat().st_mtime:
        _generate(str(args.diff_size), "--seed", str(args.seed), "--out", str(args.out), "--next")
    name = f"diff {size_name(args.diff_size)}"
    load = [[*jnap, "list", "--format", "ids", "--limit", "1", "-r", str(path)] for path in (old, new)]
    diff = [[*jnap, "diff", str(old), str(new), "--stat"]]
    return [
        row("diff/load", name, load, "jnap list --limit 1 of each version (load both), cold", "cold"),
        row(
            "diff/diff",
            name,
            diff,
            "jnap diff OLD NEW --stat, cold",
            "cold",
            "diff/load",
            Target(3.0, "diff/load", "≤ 3× loading both"),
        ),
    ]


def plan_diff_rows(args: argparse.Namespace, jnap: list[str]) -> list[Row]:
    """`jnap diff` between the two plans of a generated register (continuation pairing), against loading it."""
    register = args.out / f"actions-{args.diff_size}-s{args.seed}-p2.toml"
    if not register.exists():
        _generate(str(args.diff_size), "--seed", str(args.seed), "--out", str(args.out), "--plans", "2")
    old, new = (plan for plan, _prefix in generate.plan_ids(2))
    name = f"plan diff {size_name(args.diff_size)}"
    load = [[*jnap, "list", "--format", "ids", "--limit", "1", "-r", str(register)]]
    diff = [[*jnap, "diff", old, new, "--stat", "-r", str(register)]]
    return [
        row("plandiff/load", name, load, "jnap list --limit 1 (load), cold", "cold"),
        row("plandiff/diff", name, diff, f"jnap diff {old} {new} --stat, cold", "cold", "plandiff/load"),
    ]


def suggest_rows(args: argparse.Namespace, jnap: list[str]) -> list[Row]:
    """Issue 21: `jnap diff PLAN1 PLAN2 --suggest` on a register of `--suggest-size` actions in 2 plans,
    against loading it (both plans: the whole register); the same on a register whose plans have words of
    their own (`generate.py --growing-vocabulary`: real plans differ in wording; the first register,
    whose plans share the shipped register's thousand words, is the worst case). With
    `--suggest-before SRC`, also the `--suggest` of the jnap whose sources are in SRC, interleaved."""
    size = args.suggest_size
    old, new = (plan for plan, _prefix in generate.plan_ids(2))
    rows = []
    for extra, suffix, what in (((), "", ""), (("--growing-vocabulary",), "-vocab", ", own words")):
        register = args.out / f"actions-{size}-s{args.seed}-p2{suffix}.toml"
        if not register.exists():
            _generate(str(size), "--seed", str(args.seed), "--out", str(args.out), "--plans", "2", *extra)
        name = f"suggest {size_name(size)}{what}"
        key = f"suggest{suffix}"
        load = [[*jnap, "list", "--format", "ids", "--limit", "1", "-r", str(register)]]
        diff = ["diff", old, new, "--suggest", "--stat", "-r", str(register)]
        label = f"jnap diff {old} {new} --suggest --stat, cold"
        target = Target(5.0, f"{key}/load", "≤ 5× loading both")
        rows += [
            row(f"{key}/load", name, load, "jnap list --limit 1 (load both plans), cold", "cold"),
            row(f"{key}/diff", name, [[*jnap, *diff]], label, "cold", f"{key}/load", target),
        ]
        if args.suggest_before:
            before = [[sys.executable, "-m", "jnap_cli", *diff]]
            env = {"PYTHONPATH": str(args.suggest_before.resolve())}
            rows.append(row(f"{key}/before", name, before, f"{label}, before", "cold", f"{key}/load", env=env))
    return rows


def million_rows(args: argparse.Namespace, jnap: list[str]) -> list[Row]:
    """Issue 21: `list --limit 5` of a 1M-action register, warm, against the same at 10k."""
    rows = []
    for size in (10_000, 1_000_000):
        register = prepare_register(size, args.seed, args.out)
        listing = [[*jnap, "list", "--format", "ids", "--limit", "5", "-r", str(register)]]
        env = {"JNAP_MAX_BYTES": str(4 << 30)}  # 1M actions is about 0.9 GiB: over the default guard
        one = row(f"million/{size}", f"list {size_name(size)}", listing, "jnap list --limit 5, warm", "warm", env=env)
        rows.append(one)
    rows[1].reference = "million/10000"
    rows[1].targets.append(Target(2.0, "million/10000", "≤ 2× the 10k figure"))
    return rows


def big_rows(args: argparse.Namespace, jnap: list[str]) -> list[Row]:
    """`jnap show` of an action whose commentary is 5 MB, as a table and as JSON."""
    big = args.out / f"actions-44-s{args.seed}-big5.toml"
    if not big.exists():
        _generate("44", "--seed", str(args.seed), "--out", str(args.out), "--big-commentary", "5")
    ident = generate.plan_ids(1)[0][1] + "1"  # the first action: the one with the big commentary
    show = [*jnap, "show", ident, "-r", str(big)]
    name, label = "5 MB commentary", f"jnap show {ident}"
    return [
        row("big/json", name, [[*show, "--format", "json"]], f"{label} --format json, cold", "cold"),
        row(
            "big/table",
            name,
            [[*show, "--format", "table"]],
            f"{label} --format table (120 columns), cold",
            "cold",
            "big/json",
            Target(3.0, "big/json", "≤ 3× the same as JSON"),
            env={"COLUMNS": "120"},
        ),
    ]


def edit_rows(args: argparse.Namespace, jnap: list[str]) -> list[Row]:
    """`jnap set-status` on a copy of the register of `--edit-size` actions (issue 16), against one parse of it.

    The edit sets an action's status to the one it has, with its own evidence: every run reads, plans,
    verifies and writes the whole file (fsync and rename included), and the file stays the same."""
    import tomllib

    source = prepare_register(args.edit_size, args.seed, args.out)
    register = args.out / f"edit-{source.name}"
    if not register.exists() or register.stat().st_mtime < source.stat().st_mtime:
        shutil.copyfile(source, register)
    with register.open("rb") as handle:
        first = tomllib.load(handle)["actions"][0]
    ident, status, evidence = first["id"], first["status"], first["status_evidence"]
    name = f"edit {size_name(args.edit_size)}"
    parse = [sys.executable, str(REFERENCE / "parse_floor.py"), str(register), args.word]
    edit = [*jnap, "set-status", ident, status, "--evidence", evidence, "-r", str(register)]
    return [
        row("edit/parse", name, [parse], "parse floor", ok=(0, 1)),
        row(
            "edit/set-status",
            name,
            [edit],
            f"jnap set-status {ident} {status} --evidence …",
            "cold",
            "edit/parse",
            Target(2.0, "edit/parse", "≤ 2× one parse (issue 16)"),
        ),
    ]


def big_list_rows(args: argparse.Namespace, jnap: list[str]) -> list[Row]:
    """`jnap list --limit 5`, warm, on the 10k register and on one of `--big-list-size` actions (issue 21).

    A million actions make a file of about 0.8 GB, over the size guard: the row raises `JNAP_MAX_BYTES`.
    Its first run (the untimed priming) parses it and builds its cache: minutes, and about 5 GB of memory
    (`--warm-cache DIR` keeps that cache for the next run of this script)."""
    small = prepare_register(10_000, args.seed, args.out)
    big = prepare_register(args.big_list_size, args.seed, args.out)
    name, listing = f"list {size_name(args.big_list_size)}", [*jnap, "list", "--limit", "5", "--format", "ids"]
    env = {"JNAP_MAX_BYTES": str(max(big.stat().st_size * 2, 10**9))}
    return [
        row("biglist/10k", name, [[*listing, "-r", str(small)]], "jnap list --limit 5 of 10k, warm", "warm"),
        row(
            "biglist/big",
            name,
            [[*listing, "-r", str(big)]],
            f"jnap list --limit 5 of {size_name(args.big_list_size)}, warm",
            "warm",
            "biglist/10k",
            Target(2.0, "biglist/10k", "≤ 2× the 10k register's"),
            env=env,
        ),
    ]


def plan_rows(args: argparse.Namespace, jnap: list[str]) -> list[Row]:
    """Every (scenario, command) pair the options select, in table order."""
    rows = [r for size in args.sizes for r in size_rows(size, args, jnap)]
    if "diff" in args.only:
        rows += diff_rows(args, jnap)
    if "plandiff" in args.only:
        rows += plan_diff_rows(args, jnap)
    if "suggest" in args.only:
        rows += suggest_rows(args, jnap)
    if "million" in args.only:
        rows += million_rows(args, jnap)
    if "big" in args.only:
        rows += big_rows(args, jnap)
    if "edit" in args.only:
        rows += edit_rows(args, jnap)
    if "biglist" in args.only:
        rows += big_list_rows(args, jnap)
    return rows


def measure(rows: list[Row], args: argparse.Namespace) -> None:
    dropped = ("XDG_CACHE_HOME", "COLUMNS", "NO_COLOR", "FORCE_COLOR")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("JNAP_") and k not in dropped}
    scratch = Path(tempfile.mkdtemp(prefix="jnap-bench-"))
    warm_cache = args.warm_cache or scratch / "warm-cache"
    warm_cache.mkdir(parents=True, exist_ok=True)
    try:
        for row in rows:  # prime the warm cache (and the page cache), untimed; a million actions take minutes
            if row.command.cache == "warm":
                run_once(row.command, base_env, scratch, warm_cache, max(args.timeout, 3600))
        for repetition in range(args.runs):
            order = rows[repetition % len(rows) :] + rows[: repetition % len(rows)]
            for row in order:
                if row.failure.startswith("timed out"):
                    continue
                sample = run_once(row.command, base_env, scratch, warm_cache, args.timeout)
                row.codes.update(sample.codes)
                if sample.timed_out:
                    row.failure = f"timed out after {args.timeout:g} s"
                    continue
                bad = [code for code in sample.codes if code not in row.command.ok]
                if bad and not row.failure:
                    said = sample.stderr.splitlines()[-1] if sample.stderr else ""
                    said = re.sub(r"/\S*/", "", said.removeprefix("jnap: error: "))  # file names without directories
                    row.failure = f"exit {bad[0]}: {said}"[:160]
                row.walls.append(sample.wall)
                row.peaks.append(sample.peak)
                if args.verbose:
                    report = f"{row.key:<22} {sample.wall:8.3f} s {sample.peak:8.1f} MiB exit {sample.codes}"
                    print(f"  {report}", file=sys.stderr)
            print(f"repetition {repetition + 1}/{args.runs} done", file=sys.stderr)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def table(rows: list[Row]) -> Iterator[str]:
    by_key = {row.key: row for row in rows}
    yield "| scenario | command | median s | min s | peak MiB | ratio | target | met |"
    yield "| --- | --- | ---: | ---: | ---: | --- | --- | --- |"
    for row in rows:
        wall, peak = median(row.walls), median(row.peaks)
        ratio = ""
        reference = by_key.get(row.reference or "")
        if wall is not None and not row.failure and reference is not None and (base := median(reference.walls)):
            ratio = f"{wall / base:.2f}× {reference.key}"
        targets, verdicts = [], []
        for target in row.targets:
            targets.append(target.text)
            other = by_key.get(target.of)
            mine = wall if target.metric == "time" else peak
            theirs = None if other is None else median(other.walls if target.metric == "time" else other.peaks)
            if mine is None or not theirs or row.failure:
                verdicts.append("not measured" + (f" ({target.of} not run)" if other is None else ""))
            else:
                value = mine / theirs
                verdicts.append(f"{'met' if value <= target.limit else 'not met'} ({value:.2f}×)")
        label = row.command.label + (f" — **{row.failure}**" if row.failure else "")
        cells = [
            row.scenario,
            label,
            "–" if wall is None else f"{wall:.3f}",
            "–" if not row.walls else f"{min(row.walls):.3f}",
            "–" if peak is None else f"{peak:.0f}",
            ratio,
            "; ".join(targets),
            "; ".join(verdicts),
        ]
        yield "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def machine(jnap: list[str]) -> Iterator[str]:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    version = subprocess.run([*jnap, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    git = ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]
    commit = subprocess.run(git, capture_output=True, text=True, check=False)
    yield f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    yield f"- machine: `{' '.join(platform.uname())}`"
    yield f"- CPU: {cpu}, {os.cpu_count()} logical cores; load average at the end {os.getloadavg()[0]:.2f}"
    yield f"- Python {platform.python_version()}; {version or 'jnap'} at commit {commit.stdout.strip() or '?'}"
    for tool in ("jq", "sqlite3"):
        found = shutil.which(tool)
        if found:
            out = subprocess.run([found, "--version"], capture_output=True, text=True, check=False).stdout
            yield f"- {tool}: {' '.join(out.split()[:2])}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="44,10000", help="register sizes, comma-separated (44: the shipped one)")
    parser.add_argument("--runs", type=int, default=5, help="timed repetitions of each command [5]")
    choices = ",".join(SCENARIOS)
    parser.add_argument(
        "--only", default=",".join(DEFAULT_SCENARIOS), help=f"scenarios, comma-separated: {choices} [all but million]"
    )
    parser.add_argument("--word", default="victim", help="the search word [victim]")
    parser.add_argument("--limit-word", default="cases", help="the word of the --limit 20 searches [cases]")
    parser.add_argument("--suggest-size", type=int, default=10_000, help="actions of the --suggest register [10000]")
    parser.add_argument(
        "--suggest-before", type=Path, metavar="SRC", help="suggest: also time the jnap whose sources are in SRC"
    )
    parser.add_argument("--quarter-word", default="cases", help="a word in a quarter of the actions [cases]")
    parser.add_argument("--diff-size", type=int, default=20_000, help="actions in each version for diff [20000]")
    parser.add_argument("--edit-size", type=int, default=10_000, help="actions in the edited register [10000]")
    parser.add_argument("--big-list-size", type=int, default=1_000_000, help="actions of biglist's register [1000000]")
    parser.add_argument("--warm-cache", type=Path, help="the warm cache's directory, kept [a temporary one]")
    parser.add_argument("--list-all-sizes", action="store_true", help="the list table at every size, not only 44")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=300, help="seconds before a run is killed [300]")
    parser.add_argument("--out", type=Path, default=generate.DEFAULT_OUT, help="generated files [benchmarks/out]")
    parser.add_argument("--jnap", help="the jnap executable [the one beside this Python, else on PATH]")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every run on stderr")
    args = parser.parse_args()
    args.sizes = [int(size) for size in args.sizes.split(",") if size]
    args.only = {name.strip() for name in args.only.split(",") if name.strip()}
    if unknown := args.only - set(SCENARIOS):
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}; choose from {', '.join(SCENARIOS)}")
    found = args.jnap or shutil.which("jnap", path=str(Path(sys.executable).parent)) or shutil.which("jnap")
    if not found:
        sys.exit("benchmarks/run.py: install jnap first (pip install -e .)")
    jnap = [found]
    args.out.mkdir(parents=True, exist_ok=True)

    rows = plan_rows(args, jnap)
    load = os.getloadavg()[0]
    measure(rows, args)
    print("\n".join(machine(jnap)))
    print(f"- load average at the start {load:.2f} (other work on the machine inflates medians more than minimums)")
    print(f"- {args.runs} interleaved runs; word {args.word!r}; seed {args.seed}\n")
    print("\n".join(table(rows)))


if __name__ == "__main__":
    main()
