"""The messages a newcomer meets (issue 18): each says what was wrong in jnap's words, on one line, and
what was likely meant."""

from __future__ import annotations

import pytest

from .conftest import Run

USAGE_MISTAKES = [
    # An option named after a format is the format (Click guessed --sort for --json).
    (["list", "--json"], "no such option: --json; did you mean --format json?"),
    (["show", "R4", "--CSV"], "no such option: --CSV; did you mean --format csv?"),
    (["graph", "--dot"], "no such option: --dot; did you mean --format dot?"),
    (["report", "--html"], "no such option: --html; did you mean --format html?"),
    (["list", "--limt", "3"], "no such option: --limt; did you mean --limit?"),
    (["list", "--stauts", "complete"], "no such option: --stauts; did you mean --status?"),
    (["list", "--debug"], "no such option: --debug; --debug goes before the command: jnap --debug list …"),
    # Statuses, bases, formats and fields suggest, as ids and commands do.
    (["set-status", "A2", "complet", "--evidence", "x"], "unknown status 'complet'; did you mean complete?"),
    (["list", "--status", "inprogress"], "unknown status 'inprogress' for --status; did you mean in-progress?"),
    (["list", "-S", "started"], "unknown status 'started' for --not-status; did you mean not-started?"),
    (
        ["filter", "done"],
        "unknown status 'done'; choose from complete, in-progress, ongoing, transferred, deferred, not-started",
    ),
    (["list", "--basis", "stat"], "unknown basis 'stat' for --basis; did you mean stated?"),
    (["list", "-f", "jsn"], "unknown format 'jsn' for --format; did you mean json?"),
    (
        ["list", "-f", "yaml"],
        "unknown format 'yaml' for --format; choose from table, json, jsonl, csv, tsv, markdown, ids",
    ),
    (["list", "--fields", "id,statu"], "unknown field 'statu'; did you mean status, status_basis, status_evidence?"),
    (["list", "--sort", "numbr"], "cannot sort by unknown field 'numbr'; did you mean number?"),
    (["lst"], "no such command 'lst'; did you mean list?"),
    (["cache", "prun"], "no such command 'prun'; did you mean prune?"),
    (
        ["set-status", "R1"],
        "missing argument STATUS; choose from complete, in-progress, ongoing, transferred, deferred, not-started",
    ),
    # Numbers in jnap's words, not pydantic's ("Input should be greater than or equal to 1").
    (["list", "--limit", "0"], "--limit must be at least 1, not 0; see 'jnap list --help'"),
    (["list", "-n", "many"], "--limit takes a whole number, not 'many'; see 'jnap list --help'"),
    (
        ["add", "-p", "refresh", "--theme", "T", "--text", "X", "--number", "0"],
        "--number must be at least 1, not 0; see 'jnap add --help'",
    ),
]


@pytest.mark.parametrize(("args", "line"), USAGE_MISTAKES, ids=[" ".join(a) for a, _ in USAGE_MISTAKES])
def test_a_usage_mistake_is_one_line_with_what_was_meant(run: Run, args: list[str], line: str) -> None:
    result = run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"jnap: error: {line}\n")


def test_a_hostile_option_or_value_is_shown_escaped(run: Run) -> None:
    option = run("list", "--\x1b[31mjson")
    assert option.stderr == "jnap: error: no such option: --\\x1b[31mjson; see 'jnap list --help'\n"
    value = run("list", "--status", "comp\u202elete")
    assert value.stderr == "jnap: error: unknown status 'comp\\u202elete' for --status; did you mean complete?\n"
