"""`jnap check` at its edges: one finding per root cause, placeholders, unreadable registers on the
structured channel, and a cost that depends on the number of actions rather than their values."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from jnap_cli.checks.rules import (
    PLACEHOLDER_LABELS,
    PLACEHOLDER_LEADS,
    PLACEHOLDER_WHOLE,
    RULES,
    is_placeholder,
    missing_ranges,
)
from jnap_cli.model.vocab import FindingFormat
from jnap_cli.register.tomlfile import end_position

from .conftest import DATA, Run, line_of
from .registers import Data, action, add_action, drop_field, set_field, small, write


def findings(run: Run, path: Path, *args: str) -> list[dict[str, Any]]:
    result = run("check", "-r", str(path), "-f", "json", *args)
    found: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return found


def codes(run: Run, path: Path, *args: str) -> list[tuple[str | None, str]]:
    return [(f["action"], f["code"]) for f in findings(run, path, *args)]


# 1. The root cause once: no evidence-not-found for a commentary that is missing or a placeholder.


@pytest.mark.parametrize("action_id", [entry["id"] for entry in small()["actions"]])
@pytest.mark.parametrize(("commentary", "code"), [("", "commentary-missing"), ("  \n", "commentary-missing")])
def test_blank_commentary_is_reported_once(
    run: Run, tmp_path: Path, action_id: str, commentary: str, code: str
) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), action_id, "commentary", commentary))
    result = run("check", "-r", str(path))
    assert result.exit_code == 1, result.output
    assert codes(run, path) == [(action_id, code)]
    assert result.stderr == "jnap: 6 actions checked: 1 error(s), 0 warning(s)\n"


def test_missing_commentary_key_is_reported_once(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", drop_field(small(), "R2", "commentary"))
    assert codes(run, path) == [("R2", "commentary-missing")]


@pytest.mark.parametrize("placeholder", ["TBC", "TODO: write", "Update to follow."])
def test_placeholder_commentary_is_reported_once(run: Run, tmp_path: Path, placeholder: str) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), "R2", "commentary", placeholder))
    assert codes(run, path) == [("R2", "commentary-placeholder")]


def test_evidence_is_still_checked_against_real_commentary(run: Run, tmp_path: Path) -> None:
    data = set_field(small(), "R1", "commentary", "   ")
    data = set_field(data, "R2", "status_evidence", "Meetings were cancelled.")
    data = set_field(data, "R3", "status_evidence", "")
    path = write(tmp_path / "actions.toml", data)
    assert codes(run, path) == [
        ("R1", "commentary-missing"),
        ("R2", "evidence-not-found"),
        ("R3", "evidence-not-found"),
    ]


# 2. Placeholders: an explicit list, documented, that leaves real commentary alone.


@pytest.mark.parametrize(
    "placeholder",
    [
        "TODO: write",
        "Update to follow.",
        "TBC",
        "N/A",
        "-",
        "TBC: awaiting the figures from forces",
        "todo - ask the steering group",
        "FIXME",
        "To follow",
        "(to follow)",
        "Details to follow – awaiting the data.",
        "Updates to follow:",
        "Commentary to follow",
        "Lorem ipsum",
        "tbd",
    ],
)
def test_placeholders_are_caught(run: Run, tmp_path: Path, placeholder: str) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), "R1", "commentary", placeholder))
    result = run("check", "-r", str(path), "--select", "commentary-placeholder")
    assert result.exit_code == 1, result.output
    assert result.stdout.endswith(
        f"action R1: commentary: error: commentary is a placeholder: {placeholder!r} [commentary-placeholder]\n"
    )


@pytest.mark.parametrize(
    "commentary",
    [
        "To follow up the review, forces met in May 2023.",
        "To follow-up the pilots, a working group was set up.",
        "Update to the guidance was published in 2023.",
        "Updates to follow the new NOMs were issued to every Area.",
        "Todos and actions are tracked by the steering group.",
        "Pending review by the steering group.",
        "None of the pilots has reported yet.",
        "N/A in Wales: the Welsh Government leads this work.",
        "TBCs (to be confirmed sessions) were replaced by workshops.",
        "Following testing, every victim is offered a meeting.",
    ],
)
def test_real_commentary_passes(run: Run, tmp_path: Path, commentary: str) -> None:
    data = set_field(small(), "R1", "commentary", commentary)
    path = write(tmp_path / "actions.toml", set_field(data, "R1", "status_evidence", commentary))
    result = run("check", "-r", str(path))
    assert (result.exit_code, result.stdout) == (0, ""), result.output
    assert not is_placeholder(commentary)


def test_no_shipped_commentary_is_a_placeholder() -> None:
    from jnap_cli.register.source import load

    register = load(DATA)
    assert [a.id for a in register.actions if is_placeholder(a.commentary)] == []
    assert len(register.actions) == 44


def test_the_rule_description_lists_every_placeholder() -> None:
    description = RULES["commentary-placeholder"].description
    for form in (*PLACEHOLDER_WHOLE, *PLACEHOLDER_LABELS):
        assert form in description, form
    for lead in PLACEHOLDER_LEADS:
        assert f'"{lead}"' in description, lead
    assert "|" not in description  # it is a cell of the rules table (docs/ci.md)


# 3. A register that cannot be read is a finding in the chosen format, and still exit 2.


def test_unreadable_is_a_documented_fatal_rule() -> None:
    rule = RULES["unreadable"]
    assert (rule.severity, rule.fatal) == ("error", True)


def unterminated(tmp_path: Path) -> tuple[Path, int]:
    """A register whose last line leaves an array open: tomllib says "at end of document"."""
    path = write(tmp_path / "actions.toml", small())
    text = path.read_text(encoding="utf-8") + "notes = [1,\n"
    path.write_text(text, encoding="utf-8")
    return path, text.count("\n")


def test_invalid_toml_at_end_of_document_has_a_line_and_column(run: Run, tmp_path: Path) -> None:
    path, last = unterminated(tmp_path)
    result = run("check", "-r", str(path), "-f", "json")
    assert result.exit_code == 2, result.output
    assert json.loads(result.stdout) == {
        "findings": [
            {
                "code": "unreadable",
                "severity": "error",
                "message": "invalid TOML: Invalid value (column 12)",
                "action": None,
                "field": None,
                "file": str(path),
                "line": last,
            }
        ],
        "errors": 1,
        "warnings": 0,
    }
    assert result.stderr == f"jnap: error: {path}:{last}:12: invalid TOML: Invalid value\n"


def test_github_annotation_for_an_unreadable_register(run: Run, tmp_path: Path) -> None:
    path, last = unterminated(tmp_path)
    result = run("check", "-r", str(path), "-f", "github")
    assert result.exit_code == 2
    assert (
        result.stdout == f"::error file={path},line={last},title=unreadable::invalid TOML: Invalid value (column 12)\n"
    )
    assert result.stderr.count("\n") == 1


def test_text_line_for_an_unreadable_register(run: Run, tmp_path: Path) -> None:
    path, last = unterminated(tmp_path)
    result = run("check", "-r", str(path))
    assert result.exit_code == 2
    assert result.stdout == f"{path}:{last}: error: invalid TOML: Invalid value (column 12) [unreadable]\n"


@pytest.mark.parametrize("fmt", [f for f in FindingFormat if f not in ("json", "github", "text", "ids")])
def test_every_record_format_carries_the_failure(run: Run, tmp_path: Path, fmt: str) -> None:
    path, _ = unterminated(tmp_path)
    result = run("check", "-r", str(path), "-f", fmt)
    assert result.exit_code == 2
    shown = result.stdout
    if fmt == "xlsx":  # a workbook: the text of its cells
        import io

        import openpyxl

        sheet = openpyxl.load_workbook(io.BytesIO(result.stdout_bytes)).worksheets[0]
        shown = " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)
    assert "unreadable" in shown and "Invalid value" in shown
    assert result.stderr.startswith(f"jnap: error: {path}:")


def case(tmp_path: Path, kind: str) -> tuple[Path, str, int | None]:
    """A register that cannot be read: its path, the finding's message and its line."""
    path = tmp_path / f"{kind}.toml"
    if kind == "invalid":
        text = (
            write(path, small()).read_text(encoding="utf-8").replace('status = "in-progress"', "status = in-progress")
        )
        path.write_text(text, encoding="utf-8")
        return path, "invalid TOML: Invalid value (column 10)", line_of(path, "status = in-progress")
    if kind == "empty":
        path.write_text("", encoding="utf-8")
        return path, "the register is empty: it has no [[actions]]; add at least one [[actions]] table", None
    if kind == "encoding":
        path.write_bytes('title = "x"\ntheme = "caf\xe9"\n'.encode("latin-1"))
        return path, "not valid UTF-8 (byte 0xe9) (column 13); save the file as UTF-8", 2
    assert kind == "missing"
    return path, "no such file; give the path of an existing register file", None


@pytest.mark.parametrize("kind", ["invalid", "empty", "encoding", "missing"])
def test_json_document_for_each_kind_of_failure(run: Run, tmp_path: Path, kind: str) -> None:
    path, message, line = case(tmp_path, kind)
    result = run("check", "-r", str(path), "--format", "json")
    assert result.exit_code == 2, result.output
    document = json.loads(result.stdout)
    assert document["findings"] == [
        {
            "code": "unreadable",
            "severity": "error",
            "message": message,
            "action": None,
            "field": None,
            "file": str(path),
            "line": line,
        }
    ]
    assert (document["errors"], document["warnings"]) == (1, 0)
    assert result.stderr.startswith(f"jnap: error: {path}")
    assert result.stderr.count("\n") == 1


def test_unreadable_is_shown_whatever_is_selected(run: Run, tmp_path: Path) -> None:
    path, _, _ = case(tmp_path, "missing")
    result = run("check", "-r", str(path), "-f", "json", "--select", "commentary-missing", "--fields", "code,line")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["findings"] == [{"code": "unreadable", "line": None}]


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("a = ", (1, 5)),
        ("a = [1,\n", (1, 8)),
        ("a = [1,\r\n", (1, 8)),
        ('x = 1\ny = """abc\nfoo', (3, 4)),
        ("", (1, 1)),
        ("\n", (1, 1)),
        ("a = 1\n\n", (2, 1)),
    ],
)
def test_end_position(text: str, position: tuple[int, int]) -> None:
    assert end_position(text) == position


# 4. Cost follows the number of actions, not their values.


def test_huge_number_finishes(tmp_path: Path) -> None:
    data = set_field(small(), "O3", "number", 999_999_999_999_999_999)
    path = write(tmp_path / "actions.toml", add_action(data, action("O4", "original", 4)))
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "jnap_cli", "check", "-r", str(path), "-f", "json"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    elapsed = time.monotonic() - start
    assert result.returncode == 1, result.stderr
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["code"] == "missing-number"
    assert finding["message"] == "plan 'original' has no action numbered 3, 5–999999999999999998"
    assert elapsed < 10


def numbered(numbers: list[int]) -> Data:
    """`small()` with its original plan's actions numbered `numbers` (ids O1, O2, …)."""
    data = small()
    data["actions"] = [a for a in data["actions"] if a["plan"] == "refresh"]
    for position, number in enumerate(numbers, start=1):
        data["actions"].append(action(f"O{position}", "original", number))
    return data


def test_gaps_are_ranges(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", numbered([2, 5, 6, 10, 12]))
    assert [f["message"] for f in findings(run, path)] == ["plan 'original' has no action numbered 1, 3, 4, 7–9, 11"]


def test_many_gaps_are_bounded(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", numbered(list(range(2, 52, 2))))  # 25 gaps: 1, 3, 5, …, 49
    (message,) = [f["message"] for f in findings(run, path)]
    shown = ", ".join(str(n) for n in range(1, 40, 2))
    assert message == f"plan 'original' has no action numbered {shown} and 5 more gaps"


@pytest.mark.parametrize(
    ("present", "gaps"),
    [
        ([1, 2, 3], []),
        ([3], [(1, 2)]),
        ([1, 3, 3, 4, 9], [(2, 2), (5, 8)]),
        ([10**18], [(1, 10**18 - 1)]),
        ([], []),
    ],
)
def test_missing_ranges(present: list[int], gaps: list[tuple[int, int]]) -> None:
    assert missing_ranges(present) == gaps


def test_references_resolve_among_many_actions(run: Run, tmp_path: Path) -> None:
    # Each action refers to the one before it; resolving looks each up by (plan, number), not by a scan.
    data = small()
    data["actions"] = [a for a in data["actions"] if a["plan"] == "refresh"]
    for number in range(1, 1501):
        text = f"Deliver training number {number}" + (f" (see action {number - 1})." if number > 1 else ".")
        entry = action(f"O{number}", "original", number, text=text)
        if number > 1:
            entry["references"] = [f"action {number - 1}"]
        data["actions"].append(entry)
    path = write(tmp_path / "actions.toml", data)
    result = run("check", "-r", str(path))
    assert (result.exit_code, result.stdout) == (0, ""), result.output
    assert result.stderr == "jnap: 1503 actions checked: 0 error(s), 0 warning(s)\n"
