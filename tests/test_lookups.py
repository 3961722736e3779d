"""`list`, `filter`, `show`, `plans`, `themes`: selection and ids, through the CLI."""

from __future__ import annotations

import json

import pytest

from .conftest import Run

ALL_IDS = [f"R{n}" for n in range(1, 21)] + [f"O{n}" for n in range(1, 25)]


def ids(result_stdout: str) -> list[str]:
    return result_stdout.split()


def test_list_everything_in_register_order(run: Run) -> None:
    result = run("list", "--format", "ids")
    assert result.exit_code == 0
    assert ids(result.stdout) == ALL_IDS
    assert result.stderr == ""


def test_list_piped_defaults_to_tsv_summary(run: Run) -> None:
    result = run("list", "--limit", "2")
    assert result.stdout.splitlines() == [
        "R1\trefresh\tOur People\tcomplete\t12-month learning and development programme delivered across CPS to "
        "deliver continued professional development for our people.",
        "R2\trefresh\tOur People\tcomplete\tDevelop lessons-learnt guidance across our organisations to be built "
        "into quality assurance processes to enable learning from cases, including cases that have gone well, and "
        "embed reflection points to aid learning and development.",
    ]


def test_filters_combine(run: Run) -> None:
    result = run("list", "--plan", "refresh", "--theme", "PEOPLE", "--status", "ongoing", "-f", "ids")
    assert ids(result.stdout) == ["R4", "R5"]
    result = run("list", "--status", "deferred", "--status", "transferred", "-f", "ids")
    assert ids(result.stdout) == ["R3", "R11", "R16", "O7"]
    assert ids(run("list", "--theme", "people", "-f", "ids").stdout) == [
        "R1",
        "R2",
        "R3",
        "R4",
        "R5",
        "O16",
        "O17",
        "O18",
        "O19",
    ]


def test_sort_and_limit(run: Run) -> None:
    assert ids(run("list", "--sort", "number:desc", "--limit", "3", "-f", "ids").stdout) == ["O24", "O23", "O22"]
    # natural order: R2 before R10; stable, so ties keep register order
    assert ids(run("list", "--plan", "refresh", "--sort", "id", "-n", "3", "-f", "ids").stdout) == ["R1", "R2", "R3"]
    assert ids(run("list", "--sort", "status", "-n", "2", "-f", "ids").stdout) == ["R1", "R2"]
    assert run("list", "--limit", "0").exit_code == 2  # "at most 0" is a usage error, not "no match"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--status", "done"],
         "unknown status 'done' for --status; choose from complete, in-progress, ongoing, transferred, deferred, "
         "not-started"),
        (["list", "--plan", "2021"], "unknown plan '2021'; plans: refresh, original"),
        (["list", "--fields", "id,colour"], "unknown field 'colour'; fields: id, plan, number, theme, text, "
         "commentary, status, status_basis, status_evidence, handed_to, waits_on, as_of, continues, continued_by, "
         "builds_on, built_on_by, references, annex_marker, provenance"),
        (["list", "--sort", "colour"], "cannot sort by unknown field 'colour'; fields: id, plan, number, theme, "
         "text, commentary, status, status_basis, status_evidence, handed_to, waits_on, as_of, continues, "
         "continued_by, builds_on, built_on_by, references, annex_marker, provenance"),
        (["list", "--sort", "id:up"], "unknown sort direction 'up'; use FIELD, FIELD:asc or FIELD:desc"),
        (["list", "--format", "yaml"], "unknown format 'yaml' for --format; choose from table, json, jsonl, csv, "
         "tsv, markdown, ids, xlsx"),
        (["filter", "finished"],
         "unknown status 'finished'; choose from complete, in-progress, ongoing, transferred, deferred, not-started"),
        (["show", "4"], "4 is ambiguous: R4, O4; give the id, or pick a plan with --plan"),
        (["show", "R44"], "no action 'R44'; did you mean R4, R14?"),
        (["show", "O25", "--plan", "original"], "no action 'O25'; did you mean O5, O2, O24?"),
        (["show", "30", "-p", "refresh"], "no action numbered 30 in plan 'refresh'; run 'jnap list' to see the ids"),
        (["show", "R4", "--plan", "original"], "action R4 is in plan 'refresh', not 'original'"),
        (["show", "R44", "--plan", "refresh"], "no action 'R44'; did you mean R4, R14?"),
        (["show", "Q"], "no action 'Q'; run 'jnap list' to see the ids"),
    ],
)  # fmt: skip
def test_usage_errors_are_one_line(run: Run, args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == f"jnap: error: {message}\n"


def test_no_match_prints_nothing_and_exits_1(run: Run) -> None:
    result = run("list", "--plan", "original", "--status", "deferred")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "jnap: no actions match\n")
    assert run("filter", "not-started").exit_code == 1


def test_filter_command(run: Run) -> None:
    result = run("filter", "in-progress", "DEFERRED", "--plan", "refresh", "-f", "ids")
    assert ids(result.stdout) == ["R11", "R14", "R15", "R16", "R19"]
    assert ids(run("filter", "ongoing", "--theme", "stakeholder", "-f", "ids").stdout) == ["O23"]


def test_show_full_record_json(run: Run) -> None:
    result = run("show", "r4", "--format", "json")
    assert result.exit_code == 0
    (record,) = json.loads(result.stdout)
    assert record == {
        "id": "R4",
        "plan": "refresh",
        "number": 4,
        "theme": "Our People",
        "text": "Continue to hold quarterly discussions with the Senior Responsible Officers and the Victims’ "
        "Commissioner, Domestic Abuse Commissioner and London Victims’ Commissioners - so that senior "
        "stakeholders can inform and scrutinise our work.",
        "commentary": "Bi-monthly meetings have taken place with the Joint National Action Plan Steering Group to "
        "discuss, agree and progress the JNAP work.\n\nRegular meetings with the Victims’ Commissioner, London’s "
        "Victims’ Commissioner and the Domestic Abuse Commissioner take place to consult and inform on work in "
        "the RASSO area.",
        "status": "ongoing",
        "status_basis": "inferred",
        "status_evidence": "Regular meetings with the Victims’ Commissioner, London’s Victims’ Commissioner and the "
        "Domestic Abuse Commissioner take place to consult and inform on work in the RASSO area.",
        "handed_to": None,
        "waits_on": None,
        "as_of": 2024,
        "continues": ["O23"],
        "continued_by": [],
        "builds_on": [],
        "built_on_by": [],
        "references": [],
        "annex_marker": None,
        "provenance": {
            "annex": ["theme", "number", "text", "commentary", "references", "annex_marker"],
            "register": [
                "status",
                "status_basis",
                "status_evidence",
                "handed_to",
                "waits_on",
                "continues",
                "builds_on",
            ],
            "derived": ["as_of", "continued_by", "built_on_by"],
        },
    }


def test_builds_on_both_ways(run: Run) -> None:
    (r9,) = json.loads(run("show", "R9", "-f", "json").stdout)
    assert r9["built_on_by"] == ["R8", "R10", "R11", "R18"]
    (o11,) = json.loads(run("show", "O11", "-f", "json").stdout)
    assert [link["id"] for link in o11["builds_on"]] == ["O9", "O10"]
    assert all(link["reason"] for link in o11["builds_on"])
    assert run("show", "O11", "--fields", "builds_on").stdout.startswith("O9 (tracker tools")


def test_show_continued_by_and_numbers(run: Run) -> None:
    (o18,) = json.loads(run("show", "18", "--plan", "original", "-f", "json").stdout)
    assert o18["continued_by"] == ["R8"]
    assert ids(run("show", "24", "o1", "R20", "-f", "ids").stdout) == ["O24", "O1", "R20"]


def test_show_reads_ids_from_stdin(run: Run) -> None:
    listing = run("list", "--status", "ongoing", "--format", "ids").stdout
    result = run("show", "-", "--format", "ids", input=listing)
    assert ids(result.stdout) == ["R4", "R5", "O23"]
    # TSV lines from `jnap list` work too: the first column is the id
    tsv = run("list", "--status", "deferred").stdout
    assert ids(run("show", "-", "-f", "ids", input=tsv).stdout) == ["R11", "R16"]
    empty = run("show", "-", input="\n\n")  # nothing to show is a usage error, not "no match"
    assert (empty.exit_code, empty.stderr) == (
        2, "jnap: error: no ids on standard input; pipe ids into 'jnap show -', one per line\n",
    )  # fmt: skip
    bad = run("show", "-", input="R1\nZ9\n")
    assert (bad.exit_code, bad.stderr) == (2, "jnap: error: no action 'Z9'; did you mean R9, O9?\n")


def test_show_table_is_a_labelled_block(run: Run) -> None:
    result = run("show", "O20", "--format", "table", env={"COLUMNS": "80"})
    assert result.stdout == (
        "ID                 O20\n"
        "Plan               original\n"
        "Number ᵃ           20\n"
        "Theme ᵃ            Stakeholder Engagement\n"
        "Text ᵃ             Consult with the police’s National Rape Working Group and the\n"
        "                   CPS’s external consultation group at key stages of the\n"
        "                   development process.\n"
        "Commentary ᵃ       A regular pattern of quarterly meetings with the Police\n"
        "                   National Rape Working Group and the CPS External Consultation\n"
        "                   Group takes place. Their expertise and insight have informed\n"
        "                   important areas of the JNAP and RASSO work.\n"
        "Status ʳ           complete\n"
        "Status basis ʳ     inferred\n"
        "Status evidence ʳ  Their expertise and insight have informed important areas of\n"
        "                   the JNAP and RASSO work.\n"
        "As of              2022\n"
        "Continued by       R5\n"
        "Annex marker ᵃ     Completed\n"
        "\n"
        "ᵃ the annex's words   ʳ the register's judgement\n"
    )


def test_plans(run: Run) -> None:
    result = run("plans", "--format", "json")
    assert [(p["id"], p["actions"], p["complete"], p["in-progress"]) for p in json.loads(result.stdout)] == [
        ("refresh", 20, 12, 3),
        ("original", 24, 20, 2),
    ]
    assert run("plans").stdout.splitlines() == [
        "refresh\tJNAP Refresh\t2022\t2024\t20\t12 complete, 3 in-progress, 2 ongoing, 1 transferred, 2 deferred\t"
        "annex: title; register: year",
        "original\tPolice-CPS Joint National RASSO Action Plan 2021\t2021\t2022\t24\t"
        "20 complete, 2 in-progress, 1 ongoing, 1 transferred\tregister: title, year",
    ]


def test_themes(run: Run) -> None:
    result = run("themes", "--plan", "original", "--format", "csv")
    assert result.stdout.splitlines() == [
        "plan,theme,actions",
        "original,Supporting Victims,5",
        "original,Casework Quality and Progression,8",
        "original,Digital Capability and Disclosure,2",
        "original,Our People and Expertise,4",
        "original,Stakeholder Engagement,5",
    ]
    (first, *_) = json.loads(run("themes", "-f", "json").stdout)
    assert first == {"plan": "refresh", "theme": "Our People", "actions": 5, "ids": ["R1", "R2", "R3", "R4", "R5"]}


@pytest.mark.parametrize("number", ["²", "١", "¹²"])
def test_only_ascii_digits_are_numbers(run: Run, number: str) -> None:
    result = run("show", number)
    assert result.exit_code == 2
    assert result.stderr == f"jnap: error: no action '{number}'; run 'jnap list' to see the ids\n"


def test_empty_fields_and_ids(run: Run) -> None:
    result = run("list", "--fields", ",")
    assert (result.exit_code, result.stderr.split(";")[0]) == (2, "jnap: error: no field given")
    assert (run("show", "").exit_code, run("show", "").stderr) == (
        2, "jnap: error: an empty id names no action; give an id such as R4, or a number with --plan\n",
    )  # fmt: skip
