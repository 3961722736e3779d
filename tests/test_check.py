"""`jnap check`: the rules, their formats, selection and exit codes, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jnap_cli.checks import RULES
from jnap_cli.findings import Finding
from jnap_cli.output import github_annotation
from jnap_cli.register import load

from .conftest import DATA, Run, edit, line_of

IDS = [a.id for a in load(DATA).actions]
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
        assert line.startswith(f"{DATA}:")
    assert result.stderr == "jnap: 44 actions checked: 0 error(s), 2 warning(s)\n"


def test_warnings_fail_only_with_strict(run: Run) -> None:
    assert run("check", "--strict").exit_code == 1
    assert run("check", "--strict", "--ignore", "unresolved-reference").exit_code == 0


def test_bundled_register_is_the_default(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("check")
    assert result.exit_code == 0
    assert "44 actions checked" in result.stderr


@pytest.mark.parametrize("action_id", IDS)
def test_blank_commentary_fails_naming_the_action(run: Run, register_copy: Path, action_id: str) -> None:
    text = register_copy.read_text(encoding="utf-8")
    start = text.index(f'id = "{action_id}"\n')
    head, tail = text[:start], text[start:]
    key = tail.index("commentary = ")
    end = tail.index("\nstatus = ", key)
    register_copy.write_text(head + tail[:key] + 'commentary = "  "' + tail[end:], encoding="utf-8")
    result = run("check", "--register", str(register_copy), "--ignore", "evidence-not-found")
    assert result.exit_code == 1, result.output
    line = line_of(register_copy, 'commentary = "  "')
    assert (
        f"{register_copy}:{line}: action {action_id}: commentary: error: commentary is missing or "
        "whitespace only [commentary-missing]"
    ) in result.stdout.splitlines()


def test_missing_commentary_key(run: Run, register_copy: Path) -> None:
    text = register_copy.read_text(encoding="utf-8")
    start = text.index('id = "R2"\n')
    key = text.index("commentary = ", start)
    end = text.index("\nstatus = ", key)
    register_copy.write_text(text[:key] + text[end + 1 :], encoding="utf-8")
    result = run("check", "-r", str(register_copy), "--select", "commentary-missing")
    assert result.exit_code == 1
    header = line_of(register_copy, 'id = "R2"') - 1
    assert result.stdout == (
        f"{register_copy}:{header}: action R2: commentary: error: commentary is missing or empty [commentary-missing]\n"
    )


@pytest.mark.parametrize("placeholder", ["TBC", "todo", "n/a", "-", "TBD.", "…", "To follow"])
def test_placeholder_commentary(run: Run, register_copy: Path, placeholder: str) -> None:
    edit(register_copy, 'commentary = "The CPS has updated', f'commentary = "{placeholder}"\nx = "')
    edit(register_copy, '\nx = "', "\n# ")
    result = run("check", "-r", str(register_copy), "--select", "commentary-placeholder", "-f", "json")
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    assert [(f["action"], f["code"]) for f in findings] == [("R1", "commentary-placeholder")]


def test_evidence_not_in_commentary(run: Run, register_copy: Path) -> None:
    edit(register_copy, 'status_evidence = "The CPS has updated all training', 'status_evidence = "All done')
    result = run("check", "-r", str(register_copy), "-f", "json")
    assert result.exit_code == 1
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["severity"] == "error"]
    assert finding == {
        "code": "evidence-not-found",
        "severity": "error",
        "message": "status_evidence 'All done for RASSO staff' is not in the commentary",
        "action": "R1",
        "field": "status_evidence",
        "file": str(register_copy),
        "line": line_of(register_copy, "All done for RASSO staff"),
    }


def test_same_plan_link_and_number_gap(run: Run, register_copy: Path) -> None:
    edit(register_copy, 'continues = ["O23"]', 'continues = ["R1"]')
    edit(
        register_copy,
        'id = "O24"\nplan = "original"\nnumber = 24',
        'id = "O24"\nplan = "original"\nnumber = 26',
    )
    result = run("check", "-r", str(register_copy), "--ignore", "unresolved-reference")
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    same_plan = "action R4: continues: error: continues R1, which is in the same plan ('refresh') [link-same-plan]"
    assert any(line.endswith(same_plan) for line in out)
    assert any(line.endswith("error: plan 'original' has no action numbered 24, 25 [missing-number]") for line in out)


@pytest.mark.parametrize(
    ("char", "shown"),
    [
        ("\x1b", "U+001B control character"),
        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u200b", "U+200B ZERO WIDTH SPACE"),
    ],
)
def test_control_characters_are_errors(run: Run, register_copy: Path, char: str, shown: str) -> None:
    edit(register_copy, "12-month learning", f"12-month\\u{ord(char):04X} learning")  # TOML escape
    result = run("check", "-r", str(register_copy), "-f", "json")
    assert result.exit_code == 1
    errors = [f for f in json.loads(result.stdout)["findings"] if f["severity"] == "error"]
    assert [(f["action"], f["field"], f["code"]) for f in errors] == [("R1", "text", "control-character")]
    assert shown in errors[0]["message"]


def test_reference_must_be_in_text(run: Run, register_copy: Path) -> None:
    edit(register_copy, 'references = ["action 7 under Supp Victims"]', 'references = ["action 9"]')
    result = run("check", "-r", str(register_copy), "--select", "reference-not-in-text")
    assert result.exit_code == 1
    assert "action O15: references: error: reference 'action 9' is not in the text" in result.stdout


def test_resolvable_reference_is_clean(run: Run, register_copy: Path) -> None:
    # "Supp Victims" abbreviates "Supporting Victims": action 3 of that theme exists.
    edit(
        register_copy,
        "(Connected with action 7 under Supp Victims)",
        "(Connected with action 3 under Supp Victims)",
    )
    edit(register_copy, '"action 7 under Supp Victims"', '"action 3 under Supp Victims"')
    result = run("check", "-r", str(register_copy), "-f", "json")
    assert [f["action"] for f in json.loads(result.stdout)["findings"]] == ["O14"]


def test_github_annotations(run: Run) -> None:
    result = run("check", "--format", "github", "--register", str(DATA))
    assert result.exit_code == 0
    line = line_of(DATA, 'references = ["Action 23')
    assert result.stdout.splitlines()[0] == (
        f"::warning file={DATA},line={line},title=unresolved-reference::action O14: references: "
        "'Action 23 under Our People & Expertise' does not resolve: action O23 is under 'Stakeholder Engagement'"
    )


def test_github_annotation_escaping(run: Run, register_copy: Path) -> None:
    edit(
        register_copy,
        'status_evidence = "The CPS has updated all training',
        'status_evidence = "100%\\nsure, yes: done',
    )
    result = run("check", "-r", str(register_copy), "-f", "github", "--select", "evidence-not-found")
    assert result.exit_code == 1
    # repr() keeps the message on one line; the percent sign is escaped for the workflow command.
    assert result.stdout.endswith(
        "::action R1: status_evidence: status_evidence '100%25\\nsure, yes: done for RASSO staff' "
        "is not in the commentary\n"
    )
    assert ",title=evidence-not-found::" in result.stdout


def test_github_annotation_escapes_properties_and_newlines() -> None:
    finding = Finding("schema", "error", "50% off\nnext: line", field="title", path="a,b:c.toml", line=3)
    assert github_annotation(finding) == (
        "::error file=a%2Cb%3Ac.toml,line=3,title=schema::title: 50%25 off%0Anext: line"
    )


def test_json_shape_when_clean_of_errors(run: Run) -> None:
    document = json.loads(run("check", "-f", "json").stdout)
    assert set(document) == {"findings", "errors", "warnings"}
    assert (document["errors"], document["warnings"]) == (0, 2)


def test_select_and_ignore(run: Run) -> None:
    assert run("check", "--select", "commentary-missing,evidence-not-found").stdout == ""
    assert run("check", "--ignore", "unresolved-reference").stdout == ""
    assert len(run("check", "--select", "unresolved-reference", "--select", "schema").stdout.splitlines()) == 2


def test_unknown_rule_code_is_a_usage_error(run: Run) -> None:
    result = run("check", "--select", "no-such-rule")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("jnap: error: unknown rule code no-such-rule; known codes: schema, ")
    assert result.stderr.count("\n") == 1


def test_unknown_format_is_a_usage_error(run: Run) -> None:
    result = run("check", "--format", "xml")
    assert result.exit_code == 2
    assert result.stderr == "jnap: error: unknown format 'xml'; use one of text, json, github\n"


def test_every_rule_is_documented_in_the_readme() -> None:
    readme = (DATA.parents[1] / "README.md").read_text(encoding="utf-8")
    for code, rule in RULES.items():
        assert f"| `{code}` | {rule.severity} |" in readme, code


def test_empty_select_is_a_usage_error(run: Run) -> None:
    for value in ("", ","):
        result = run("check", "--select", value)
        assert result.exit_code == 2
        assert result.stderr.startswith("jnap: error: no rule code given; known codes: schema,")


@pytest.mark.parametrize(
    ("escape", "name"),
    [
        ("\\u061C", "U+061C ARABIC LETTER MARK"),
        ("\\u2028", "U+2028 LINE SEPARATOR"),
        ("\\U000E0041", "U+E0041 TAG LATIN CAPITAL LETTER A"),
        ("\\u0085", "U+0085 control character"),
    ],
)
def test_more_invisible_characters(run: Run, register_copy: Path, escape: str, name: str) -> None:
    edit(register_copy, "12-month learning", f"12-month{escape} learning")
    result = run("check", "-r", str(register_copy), "--select", "control-character", "-f", "json")
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["action"], finding["field"], finding["message"]) == ("R1", "text", f"contains {name}")
    shown = run("list", "-r", str(register_copy), "-n", "1", "--fields", "text").stdout
    assert shown.startswith(("12-month<U+", "12-month\\x85"))


def test_control_characters_in_plan_titles_and_references(run: Run, register_copy: Path) -> None:
    edit(register_copy, 'title = "JNAP Refresh"', 'title = "JNAP\\u001b[2J Refresh"')
    edit(register_copy, '"action 7 under Supp Victims"', '"action 7 under Supp Victims\\u202e"')
    edit(
        register_copy,
        "(Connected with action 7 under Supp Victims)",
        "(Connected with action 7 under Supp Victims\\u202e)",
    )
    result = run("check", "-r", str(register_copy), "--select", "control-character", "-f", "json")
    found = [(f["action"], f["field"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [(None, "plans[1].title"), ("O15", "text"), ("O15", "references")]


@pytest.mark.parametrize("placeholder", ["TBC!", "(TBC)", "[TODO]", "??", "N.A.", "t.b.c.", "To be confirmed."])
def test_placeholder_variants(run: Run, register_copy: Path, placeholder: str) -> None:
    edit(register_copy, 'commentary = "The CPS has updated', f'commentary = "{placeholder}"\n# "The CPS has updated')
    result = run("check", "-r", str(register_copy), "--select", "commentary-placeholder", "-f", "json")
    assert [f["action"] for f in json.loads(result.stdout)["findings"]] == ["R1"]


def test_real_commentary_is_not_a_placeholder() -> None:
    from jnap_cli.checks import is_placeholder

    assert not is_placeholder("Pending review by the steering group.")
    assert not is_placeholder("None of the pilots has reported yet.")
    assert is_placeholder("Pending.")


def test_duplicate_plan_id_names_the_repeated_entry(run: Run, register_copy: Path) -> None:
    extra = (
        '[[plans]]\nid = "refresh"\ntitle = "again"\nyear = 2023\n\n[[plans]]\nid = "original"\ntitle = "x"\nyear = 1\n'
    )
    edit(register_copy, "\n\n[[actions]]", "\n\n" + extra + "\n[[actions]]")
    result = run("check", "-r", str(register_copy), "-f", "json")
    assert result.exit_code == 2
    found = [(f["field"], f["message"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [
        ("plans[3].id", "plan id 'refresh' is already used by plans[1]"),
        ("plans[4].id", "plan id 'original' is already used by plans[2]"),
    ]


def test_integrity_findings_are_shown_whatever_is_selected(run: Run, register_copy: Path) -> None:
    edit(register_copy, 'id = "R2"', 'id = "R1"')
    result = run("check", "-r", str(register_copy), "--select", "commentary-missing")
    assert result.exit_code == 2
    assert "[duplicate-id]" in result.stdout
    assert result.stderr.endswith("invalid register: 1 problem(s) shown above\n")
