"""`jnap check`: the rules, their formats, selection and exit codes, through the CLI."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from jnap_cli.model.finding import Finding
from jnap_cli.model.vocab import FindingFormat, Severity
from jnap_cli.register.paths import shown
from jnap_cli.render.findings import emit_findings, github_annotation
from jnap_cli.render.records import Output

from .conftest import DATA, Run, line_of
from .registers import Data, drop_field, find, set_field, small, write

# End to end, on the shipped register.

WARNINGS = [
    (
        "O14",
        "'Action 23 under Our People & Expertise' does not resolve: action O23 is under 'Stakeholder Engagement'",
    ),
    (
        "O15",
        "'action 7 under Supp Victims' does not resolve: action O7 is under 'Casework Quality and Progression'",
    ),
]


def test_shipped_register_passes_with_two_warnings(run: Run) -> None:
    result = run("check", "--register", str(DATA))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    for line, (action, message) in zip(lines, WARNINGS, strict=True):
        assert line.endswith(f": action {action}: references: warning: {message} [unresolved-reference]")
        assert line.startswith(f"{shown(DATA)}:")  # data/actions.toml in a clone: the work tree's path
    assert result.stderr == "jnap: 44 actions checked: 0 error(s), 2 warning(s)\n"


def test_bundled_register_is_the_default(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("check")
    assert result.exit_code == 0
    assert "44 actions checked" in result.stderr


def test_blanking_a_real_commentary_fails(run: Run, tmp_path: Path) -> None:
    # O12's commentary is a multi-line string of several paragraphs: blank it up to the next key.
    text = DATA.read_text(encoding="utf-8")
    key = text.index("commentary = ", text.index('id = "O12"\n'))
    end = text.index("\nstatus = ", key)
    path = tmp_path / "actions.toml"
    path.write_text(text[:key] + 'commentary = "  "' + text[end:], encoding="utf-8")
    result = run("check", "--register", str(path), "--ignore", "evidence-not-found")
    assert result.exit_code == 1, result.output
    line = line_of(path, 'commentary = "  "')
    assert (
        f"{path}:{line}: action O12: commentary: error: commentary is missing or whitespace only [commentary-missing]"
    ) in result.stdout.splitlines()


# On small registers built as data (tests/registers.py).


def unresolved() -> Data:
    """`small()` with one warning: O3's reference names a theme that action 2 of its plan is not under."""
    data = small()
    find(data, "O3").update(
        text="Review the guidance (see action 2 under Casework Quality).",
        references=["action 2 under Casework Quality"],
    )
    return data


UNRESOLVED = "'action 2 under Casework Quality' does not resolve: action O2 is under 'Supporting Victims'"


def test_warnings_fail_only_with_strict(run: Run, tmp_path: Path) -> None:
    path = str(write(tmp_path / "actions.toml", unresolved()))
    assert run("check", "-r", path).exit_code == 0
    assert run("check", "-r", path, "--strict").exit_code == 1
    assert run("check", "-r", path, "--strict", "--ignore", "unresolved-reference").exit_code == 0


@pytest.mark.parametrize("action_id", [entry["id"] for entry in small()["actions"]])
def test_blank_commentary_fails_naming_the_action(run: Run, tmp_path: Path, action_id: str) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), action_id, "commentary", "  "))
    result = run("check", "--register", str(path), "--ignore", "evidence-not-found")
    assert result.exit_code == 1, result.output
    line = line_of(path, 'commentary = "  "')
    assert result.stdout == (
        f"{path}:{line}: action {action_id}: commentary: error: commentary is missing or "
        "whitespace only [commentary-missing]\n"
    )


def test_missing_commentary_key(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", drop_field(small(), "R2", "commentary"))
    result = run("check", "-r", str(path), "--select", "commentary-missing")
    assert result.exit_code == 1
    header = line_of(path, 'id = "R2"') - 1
    assert result.stdout == (
        f"{path}:{header}: action R2: commentary: error: commentary is missing or empty [commentary-missing]\n"
    )


@pytest.mark.parametrize("placeholder", ["TBC", "todo", "n/a", "-", "TBD.", "…", "To follow"])
def test_placeholder_commentary(run: Run, tmp_path: Path, placeholder: str) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), "R1", "commentary", placeholder))
    result = run("check", "-r", str(path), "--select", "commentary-placeholder", "-f", "json")
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    assert [(f["action"], f["code"]) for f in findings] == [("R1", "commentary-placeholder")]


def test_evidence_not_in_commentary(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), "R1", "status_evidence", "All done"))
    result = run("check", "-r", str(path), "-f", "json")
    assert result.exit_code == 1
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["severity"] == "error"]
    assert finding == {
        "code": "evidence-not-found",
        "severity": "error",
        "message": "status_evidence 'All done' is not in the commentary",
        "action": "R1",
        "field": "status_evidence",
        "file": str(path),
        "line": line_of(path, 'status_evidence = "All done"'),
    }


def test_same_plan_link_and_number_gap(run: Run, tmp_path: Path) -> None:
    data = set_field(small(), "R2", "continues", ["R1"])
    path = write(tmp_path / "actions.toml", set_field(data, "O3", "number", 5))
    result = run("check", "-r", str(path))
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    same_plan = "action R2: continues: error: continues R1, which is in the same plan ('refresh') [link-same-plan]"
    assert any(line.endswith(same_plan) for line in out)
    assert any(line.endswith("error: plan 'original' has no action numbered 3, 4 [missing-number]") for line in out)


@pytest.mark.parametrize(
    ("char", "shown"),
    [
        ("\x1b", "U+001B control character"),
        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u200b", "U+200B ZERO WIDTH SPACE"),
    ],
)
def test_control_characters_are_errors(run: Run, tmp_path: Path, char: str, shown: str) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), "R1", "text", f"Deliver{char} training number 1."))
    result = run("check", "-r", str(path), "-f", "json")
    assert result.exit_code == 1
    errors = [f for f in json.loads(result.stdout)["findings"] if f["severity"] == "error"]
    assert [(f["action"], f["field"], f["code"]) for f in errors] == [("R1", "text", "control-character")]
    assert shown in errors[0]["message"]


def test_reference_must_be_in_text(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), "O3", "references", ["action 9"]))
    result = run("check", "-r", str(path), "--select", "reference-not-in-text")
    assert result.exit_code == 1
    assert "action O3: references: error: reference 'action 9' is not in the text" in result.stdout


def test_resolvable_reference_is_clean(run: Run, tmp_path: Path) -> None:
    # "Supp Victims" abbreviates "Supporting Victims": action 1 of that theme exists.
    data = small()
    find(data, "O3").update(
        text="Review the guidance (see action 1 under Supp Victims).", references=["action 1 under Supp Victims"]
    )
    path = write(tmp_path / "actions.toml", data)
    result = run("check", "-r", str(path), "-f", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["findings"] == []


def test_github_annotations(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", unresolved())
    result = run("check", "--format", "github", "--register", str(path))
    assert result.exit_code == 0
    line = line_of(path, "references = [")
    assert result.stdout == (
        f"::warning file={path},line={line},title=unresolved-reference::action O3: references: {UNRESOLVED}\n"
    )


def test_github_annotation_escaping(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), "R1", "status_evidence", "100%\nsure, yes: done"))
    result = run("check", "-r", str(path), "-f", "github", "--select", "evidence-not-found")
    assert result.exit_code == 1
    # repr() keeps the message on one line; the percent sign is escaped for the workflow command.
    line = line_of(path, "status_evidence = ")
    assert result.stdout == (
        f"::error file={path},line={line},title=evidence-not-found::action R1: status_evidence: "
        "status_evidence '100%25\\nsure, yes: done' is not in the commentary\n"
    )


def test_github_annotation_escapes_properties_and_newlines() -> None:
    finding = Finding("schema", Severity.ERROR, "50% off\nnext: line", field="title", path="a,b:c.toml", line=3)
    assert github_annotation(finding) == (
        "::error file=a%2Cb%3Ac.toml,line=3,title=schema::title: 50%25 off%0Anext: line"
    )


def test_json_shape_when_clean_of_errors(run: Run, tmp_path: Path) -> None:
    path = str(write(tmp_path / "actions.toml", unresolved()))
    document = json.loads(run("check", "-r", path, "-f", "json").stdout)
    assert set(document) == {"findings", "errors", "warnings"}
    assert (document["errors"], document["warnings"]) == (0, 1)


def test_select_and_ignore(run: Run, tmp_path: Path) -> None:
    path = str(write(tmp_path / "actions.toml", unresolved()))
    assert run("check", "-r", path, "--select", "commentary-missing,evidence-not-found").stdout == ""
    assert run("check", "-r", path, "--ignore", "unresolved-reference").stdout == ""
    selected = run("check", "-r", path, "--select", "unresolved-reference", "--select", "schema").stdout
    assert len(selected.splitlines()) == 1


def test_unknown_rule_code_is_a_usage_error(run: Run) -> None:
    result = run("check", "--select", "no-such-rule")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("jnap: error: unknown rule code no-such-rule; known codes: schema, ")
    assert result.stderr.count("\n") == 1


def test_unknown_format_is_a_usage_error(run: Run) -> None:
    result = run("check", "--format", "xml")
    assert result.exit_code == 2
    assert result.stderr == (
        "jnap: error: unknown format 'xml' for --format; choose from text, github, table, json, jsonl, csv, tsv, "
        "markdown, ids, xlsx\n"
    )


def test_empty_select_is_a_usage_error(run: Run) -> None:
    for value in ("", ","):
        result = run("check", "--select", value)
        assert result.exit_code == 2
        assert result.stderr.startswith("jnap: error: no rule code given; known codes: schema,")


@pytest.mark.parametrize(
    ("char", "name"),
    [
        ("\u061c", "U+061C ARABIC LETTER MARK"),
        ("\u2028", "U+2028 LINE SEPARATOR"),
        ("\U000e0041", "U+E0041 TAG LATIN CAPITAL LETTER A"),
        ("\x85", "U+0085 control character"),
    ],
)
def test_more_invisible_characters(run: Run, tmp_path: Path, char: str, name: str) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), "R1", "text", f"Deliver{char} training number 1."))
    result = run("check", "-r", str(path), "--select", "control-character", "-f", "json")
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["action"], finding["field"], finding["message"]) == ("R1", "text", f"contains {name}")
    shown = run("list", "-r", str(path), "-n", "1", "--fields", "text").stdout
    assert shown.startswith(("Deliver<U+", "Deliver\\x85"))


def test_control_characters_in_plan_titles_and_references(run: Run, tmp_path: Path) -> None:
    data = small()
    # Too long for an inline table: tomli-w writes `[[plans]]` tables, so the title has a line to sort by.
    data["plans"][0]["title"] = (
        "Refresh\x1b[2J plan: the activities agreed when the Joint National Action Plan was renewed"
    )
    find(data, "O3").update(
        text="Review the guidance (see action 1 under Supporting Victims\u202e).",
        references=["action 1 under Supporting Victims\u202e"],
    )
    path = write(tmp_path / "actions.toml", data)
    result = run("check", "-r", str(path), "--select", "control-character", "-f", "json")
    found = [(f["action"], f["field"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [(None, "plans[1].title"), ("O3", "text"), ("O3", "references")]


@pytest.mark.parametrize("placeholder", ["TBC!", "(TBC)", "[TODO]", "??", "N.A.", "t.b.c.", "To be confirmed."])
def test_placeholder_variants(run: Run, tmp_path: Path, placeholder: str) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), "R1", "commentary", placeholder))
    result = run("check", "-r", str(path), "--select", "commentary-placeholder", "-f", "json")
    assert [f["action"] for f in json.loads(result.stdout)["findings"]] == ["R1"]


def test_real_commentary_is_not_a_placeholder() -> None:
    from jnap_cli.checks.rules import is_placeholder

    assert not is_placeholder("Pending review by the steering group.")
    assert not is_placeholder("None of the pilots has reported yet.")
    assert is_placeholder("Pending.")


def test_duplicate_plan_id_names_the_repeated_entry(run: Run, tmp_path: Path) -> None:
    data = small()
    data["plans"] += [{"id": "refresh", "title": "again", "year": 2023}, {"id": "original", "title": "x", "year": 1}]
    path = write(tmp_path / "actions.toml", data)
    result = run("check", "-r", str(path), "-f", "json")
    assert result.exit_code == 2
    found = [(f["field"], f["message"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [
        ("plans[3].id", "plan id 'refresh' is already used by plans[1]"),
        ("plans[4].id", "plan id 'original' is already used by plans[2]"),
    ]


def test_integrity_findings_are_shown_whatever_is_selected(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", set_field(small(), "R2", "id", "R1"))
    result = run("check", "-r", str(path), "--select", "commentary-missing")
    assert result.exit_code == 2
    assert "[duplicate-id]" in result.stdout
    assert result.stderr.endswith("invalid register: 1 problem(s) shown above\n")


# --- on a terminal: colour, and wrapping that keeps a location whole --------------------------------

SGR = re.compile(r"\x1b\[([0-9;]*)m")


def _error_and_warning(tmp_path: Path) -> Path:
    """A register with one error (R2 has no commentary) and one warning (O3's reference does not resolve)."""
    data = set_field(small(), "R2", "commentary", " ")
    data = set_field(data, "O3", "text", "Review the guidance (see action 2 under Casework Quality).")
    return write(tmp_path / "actions.toml", set_field(data, "O3", "references", ["action 2 under Casework Quality"]))


def _style_before(text: str, word: str) -> set[str]:
    """The SGR parameters set right before `word` first appears (`{"1", "31"}` for bold red)."""
    match = re.search(r"((?:\x1b\[[0-9;]*m)+)" + re.escape(word) + "\x1b", text)
    assert match, f"no style before {word!r} in {text!r}"
    return {p for codes in SGR.findall(match.group(1)) for p in codes.split(";")}


def test_check_colours_errors_and_warnings(run: Run, tmp_path: Path) -> None:
    register = _error_and_warning(tmp_path)
    plain = run("check", "-r", str(register))
    assert plain.exit_code == 1, plain.output
    assert len(plain.stdout.splitlines()) == 2 and not SGR.search(plain.stdout)  # piped: as it was
    coloured = run("check", "-r", str(register), env={"FORCE_COLOR": "1"})
    assert coloured.exit_code == 1, coloured.output
    assert {"1", "31"} <= _style_before(coloured.stdout, "error")  # bold red
    assert {"1", "33"} <= _style_before(coloured.stdout, "warning")  # bold yellow
    assert SGR.sub("", coloured.stdout) == plain.stdout  # not a terminal: colour, but one line per finding
    assert run("check", "-r", str(register), env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout == plain.stdout
    assert run("check", "-r", str(register), "--no-color", env={"FORCE_COLOR": "1"}).stdout == plain.stdout


class Terminal(io.StringIO):
    """An output stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _on_a_terminal(findings: list[Finding], columns: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", columns)
    out = Terminal()
    emit_findings(findings, FindingFormat.TEXT, Output(color=False, stream=out))
    return out.getvalue()


LONG = Finding(
    "unresolved-reference",
    Severity.WARNING,
    UNRESOLVED,
    action_id="O3",
    field="references",
    path="registers/2024-quarter-one/actions.toml",
    line=465,
)


def test_on_a_terminal_a_finding_wraps_after_its_location(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _on_a_terminal([LONG], "80", monkeypatch) == (
        "registers/2024-quarter-one/actions.toml:465: action O3: references: warning:\n"
        "    'action 2 under Casework Quality' does not resolve: action O2 is under\n"
        "    'Supporting Victims' [unresolved-reference]\n"
    )
    # Narrower than the location: it breaks between its words, never inside `path:line:`.
    assert _on_a_terminal([LONG], "50", monkeypatch) == (
        "registers/2024-quarter-one/actions.toml:465:\n"
        "    action O3: references: warning: 'action 2\n"
        "    under Casework Quality' does not resolve:\n"
        "    action O2 is under 'Supporting Victims'\n"
        "    [unresolved-reference]\n"
    )
    short = Finding("commentary-missing", Severity.ERROR, "commentary is missing", path="a.toml", line=3)
    assert _on_a_terminal([short], "30", monkeypatch) == (
        "a.toml:3: error: commentary is\n          missing\n          [commentary-missing]\n"
    )


def test_on_a_terminal_hostile_findings_stay_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register text in a finding is escaped as piped (no markup, no terminal command, no CI command)."""
    hostile = Finding(
        "reference-not-in-text",
        Severity.ERROR,
        "reference '[red]x[/red] \x1b[2J ::error::boom' is not in the text",
        action_id="O\u202e3",
        field="references",
        path="a.toml",
        line=4,
    )
    monkeypatch.setenv("COLUMNS", "200")
    out = Terminal()
    emit_findings([hostile], FindingFormat.TEXT, Output(color=True, stream=out))
    assert {"1", "31"} <= _style_before(out.getvalue(), "error")
    assert SGR.sub("", out.getvalue()) == (
        "a.toml:4: action O<U+202E>3: references: error: "
        "reference '[red]x[/red] \\x1b[2J '::error::boom' is not in the text [reference-not-in-text]\n"
    )
