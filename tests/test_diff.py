"""`jnap diff`'s core: version and plan diffs, word diffs, JSON shapes, renderers and git revisions."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from jnap_cli import revisions
from jnap_cli.diff import (
    RENAME_THRESHOLD,
    SUGGEST_THRESHOLD,
    ActionChange,
    FieldChange,
    PlanDiff,
    Rename,
    Suggestion,
    Transition,
    VersionDiff,
    counts,
    diff_plans,
    diff_versions,
    has_differences,
    has_regression,
    text_similarity,
    to_json,
    word_diff,
)
from jnap_cli.diff_render import render_plan_diff, render_version_diff
from jnap_cli.errors import RegisterUnreadable, UsageError
from jnap_cli.models import Register
from jnap_cli.register import load, load_text

from .conftest import DATA, edit

R4_STATUS = 'status = "ongoing"\nstatus_evidence = "Bi-monthly meetings have'
O3_STATUS = 'status = "complete"\nstatus_evidence = "The CPS and NPCC published'
O4_TEXT = (
    "Provide victims with clear information about the various stages of the criminal justice process "
    "through the production of online and offline information products (e.g. ‘digital walkthrough’)."
)
R4_QUARTERLY = 'text = "Continue to hold quarterly discussions'

SMALL = """\
title = "A small register"
source = "tests"

[[plans]]
id = "old"
title = "Old plan"
year = 2021

[[plans]]
id = "new"
title = "New plan"
year = 2022

[[actions]]
id = "A1"
plan = "old"
number = 1
theme = "Victims"
text = "Write to victims promptly."
commentary = "Letters were sent to victims."
status = "complete"
status_evidence = "Letters were sent"

[[actions]]
id = "A2"
plan = "old"
number = 2
theme = "Data"
text = "Publish the rape data."
commentary = "The rape data dashboard was published."
status = "complete"
status_evidence = "was published"

[[actions]]
id = "B1"
plan = "new"
number = 1
theme = "Victims"
text = "Write to victims promptly and clearly."
commentary = "Letters are being rewritten."
status = "in-progress"
status_evidence = "Letters are being rewritten."
continues = ["A1"]

[[actions]]
id = "B2"
plan = "new"
number = 2
theme = "Scrutiny"
text = "Publish the rape data every quarter."
commentary = "Quarterly rape data dashboard published."
status = "ongoing"
status_evidence = "published"
"""

ANSI = re.compile(r"\x1b\[")
BOX_DRAWING = re.compile("[\u2500-\u257f]")


def real() -> Register:
    return load(DATA)


def versions(path: Path) -> VersionDiff:
    """The diff from the bundled register to the edited copy at `path`."""
    return diff_versions(real(), load(path))


def text_of(diff: VersionDiff, *, color: bool = False, stat: bool = False, fmt: str = "text") -> str:
    out = io.StringIO()
    render_version_diff(diff, fmt, out=out, color=color, stat=stat)
    return out.getvalue()


def plan_text_of(diff: PlanDiff, *, color: bool = False, stat: bool = False, fmt: str = "text") -> str:
    out = io.StringIO()
    render_plan_diff(diff, fmt, out=out, color=color, stat=stat)
    return out.getvalue()


def small() -> Register:
    return load_text(SMALL, "small.toml")[0]


# --- word_diff ---------------------------------------------------------------------------------


def test_word_diff_replaces_a_word() -> None:
    assert word_diff("take pace with the group", "take place with the group") == [
        ("equal", "take"),
        ("delete", "pace"),
        ("insert", "place"),
        ("equal", "with the group"),
    ]


def test_word_diff_ignores_the_amount_of_whitespace() -> None:
    assert word_diff("a  b\nc\t d", "a b c d") == [("equal", "a b c d")]


def test_word_diff_of_empty_texts() -> None:
    assert word_diff("", "") == []
    assert word_diff("", "new words") == [("insert", "new words")]
    assert word_diff("old words", "  ") == [("delete", "old words")]


def test_word_diff_keeps_paragraph_breaks() -> None:
    assert word_diff("one two\n\nthree four", "one two\n\nthree five") == [
        ("equal", "one two\n\nthree"),
        ("delete", "four"),
        ("insert", "five"),
    ]
    # Blank lines of spaces and several blank lines are one break.
    assert word_diff("a\n  \n\n\nb", "a\n\nb") == [("equal", "a\n\nb")]


def test_word_diff_shows_merged_and_split_paragraphs() -> None:
    assert word_diff("one two\n\nthree", "one two three") == [
        ("equal", "one two"),
        ("delete", "\n\n"),
        ("equal", "three"),
    ]
    assert word_diff("one two three", "one\n\ntwo three") == [
        ("equal", "one"),
        ("insert", "\n\n"),
        ("equal", "two three"),
    ]


# --- versions ----------------------------------------------------------------------------------


def test_identical_registers_have_no_differences() -> None:
    diff = diff_versions(real(), real())
    assert diff == VersionDiff(added=(), removed=(), renamed=(), changed=(), transitions=())
    assert not has_differences(diff)
    assert not has_regression(diff)
    assert text_of(diff) == "no differences\n"
    assert json.loads(text_of(diff, fmt="json")) == {
        "added": [],
        "removed": [],
        "renamed": [],
        "changed": [],
        "transitions": [],
        "metadata": {},
    }


def test_status_transitions_and_regression(register_copy: Path) -> None:
    edit(register_copy, R4_STATUS, R4_STATUS.replace('"ongoing"', '"complete"'))
    edit(register_copy, O3_STATUS, O3_STATUS.replace('"complete"', '"deferred"'))
    diff = versions(register_copy)
    assert diff.changed == (
        ActionChange("R4", {"status": FieldChange("ongoing", "complete")}),
        ActionChange("O3", {"status": FieldChange("complete", "deferred")}),
    )
    assert diff.transitions == (
        Transition("complete", "deferred", 1, True, ("O3",)),
        Transition("ongoing", "complete", 1, False, ("R4",)),
    )
    assert has_differences(diff)
    assert has_regression(diff)


def test_transitions_are_counted_and_progress_is_no_regression(register_copy: Path) -> None:
    edit(register_copy, R4_STATUS, R4_STATUS.replace('"ongoing"', '"complete"'))
    ongoing = 'status = "ongoing"\nstatus_evidence = "Regular meetings with the Police'
    edit(register_copy, ongoing, ongoing.replace('"ongoing"', '"complete"'))
    diff = versions(register_copy)
    assert diff.transitions == (Transition("ongoing", "complete", 2, False, ("R4", "R5")),)
    assert not has_regression(diff)
    assert counts(diff) == {
        "added": 0,
        "removed": 0,
        "renamed": 0,
        "changed": 2,
        "status_changes": 2,
        "regressions": 0,
        "metadata": 0,
    }


def test_every_field_is_compared(register_copy: Path) -> None:
    edit(
        register_copy,
        'id = "O22"\nplan = "original"\nnumber = 22\ntheme = "Stakeholder Engagement"',
        'id = "O22"\nplan = "refresh"\nnumber = 22\ntheme = "Engagement"',
    )
    edit(register_copy, 'id = "O24"\nplan = "original"\nnumber = 24', 'id = "O24"\nplan = "original"\nnumber = 25')
    edit(
        register_copy,
        'status_evidence = "Three new letters have been developed"',
        'status_evidence = "Three new letters"',
    )
    edit(register_copy, 'continues = ["O6", "O7"]', 'continues = ["O6"]')
    edit(register_copy, 'references = ["action 7 under Supp Victims"]', "references = []")
    edit(register_copy, 'annex_marker = "Completed"', 'annex_marker = "Done"')
    diff = versions(register_copy)
    assert {change.id: dict(change.fields) for change in diff.changed} == {
        "R6": {"continues": FieldChange(("O6", "O7"), ("O6",))},
        "O15": {"references": FieldChange(("action 7 under Supp Victims",), ())},
        "O20": {"annex_marker": FieldChange("Completed", "Done")},
        "O1": {"status_evidence": FieldChange("Three new letters have been developed", "Three new letters")},
        "O22": {
            "plan": FieldChange("original", "refresh"),
            "theme": FieldChange("Stakeholder Engagement", "Engagement"),
        },
        "O24": {"number": FieldChange(24, 25)},
    }
    assert diff.transitions == ()


def test_rename_of_the_id_only_has_similarity_one(register_copy: Path) -> None:
    edit(register_copy, 'id = "O24"', 'id = "O99"')
    diff = versions(register_copy)
    assert diff.renamed == (Rename("O24", "O99", 1.0, {}),)
    assert (diff.added, diff.removed, diff.changed) == ((), (), ())
    assert has_differences(diff)


def test_rename_with_a_few_words_changed(register_copy: Path) -> None:
    new_text = O4_TEXT.replace("clear", "plain").replace("various", "different")
    edit(register_copy, 'id = "O4"', 'id = "O4a"')
    edit(register_copy, O4_TEXT, new_text)
    diff = versions(register_copy)
    similarity = round(text_similarity(O4_TEXT, new_text), 3)
    assert RENAME_THRESHOLD <= similarity < 1
    assert diff.renamed == (Rename("O4", "O4a", similarity, {"text": FieldChange(O4_TEXT, new_text)}),)
    assert (diff.added, diff.removed, diff.changed) == ((), (), ())


def test_rename_with_most_of_the_text_changed_is_removed_and_added(register_copy: Path) -> None:
    edit(register_copy, 'id = "O4"', 'id = "O4a"')
    edit(register_copy, O4_TEXT, "Publish a guide to the criminal justice process for victims.")
    diff = versions(register_copy)
    assert diff.renamed == ()
    assert [a.id for a in diff.removed] == ["O4"]
    assert [a.id for a in diff.added] == ["O4a"]


def test_rename_of_a_linked_action_changes_the_link(register_copy: Path) -> None:
    edit(register_copy, 'id = "O23"', 'id = "O23a"')
    edit(register_copy, 'continues = ["O23"]', 'continues = ["O23a"]')
    diff = versions(register_copy)
    assert diff.renamed == (Rename("O23", "O23a", 1.0, {}),)
    assert diff.changed == (ActionChange("R4", {"continues": FieldChange(("O23",), ("O23a",))}),)


def test_renamed_status_change_is_a_transition(register_copy: Path) -> None:
    edit(register_copy, 'id = "O3"', 'id = "O3a"')
    edit(register_copy, O3_STATUS, O3_STATUS.replace('"complete"', '"in-progress"'))
    diff = versions(register_copy)
    assert diff.renamed == (Rename("O3", "O3a", 1.0, {"status": FieldChange("complete", "in-progress")}),)
    assert diff.transitions == (Transition("complete", "in-progress", 1, True, ("O3a",)),)


NEW_ACTION = """
[[actions]]
id = "R21"
plan = "refresh"
number = 21
theme = "Our People"
text = "A new activity."
commentary = "Started."
status = "not-started"
status_evidence = "Started."
"""


def test_added_and_removed(register_copy: Path) -> None:
    with register_copy.open("a", encoding="utf-8") as handle:
        handle.write(NEW_ACTION)
    text = register_copy.read_text(encoding="utf-8")
    start = text.index('[[actions]]\nid = "O22"')
    end = text.index('[[actions]]\nid = "O23"')
    register_copy.write_text(text[:start] + text[end:], encoding="utf-8")
    diff = versions(register_copy)
    assert [a.id for a in diff.added] == ["R21"]
    assert [a.id for a in diff.removed] == ["O22"]
    document = to_json(diff)
    assert document["added"] == [
        {
            "id": "R21",
            "plan": "refresh",
            "number": 21,
            "theme": "Our People",
            "text": "A new activity.",
            "commentary": "Started.",
            "status": "not-started",
            "status_evidence": "Started.",
            "continues": [],
            "references": [],
            "annex_marker": None,
        }
    ]
    assert document["removed"][0]["id"] == "O22"
    assert list(document["removed"][0]) == list(document["added"][0])
    assert text_of(diff) == (
        "added (1):\n"
        "  R21: refresh 21, not-started: A new activity.\n"
        "\n"
        "removed (1):\n"
        "  O22: original 22, complete: Convene a joint parliamentary roundtable to launch the Joint Action Plan.\n"
        "\n"
        "1 added, 1 removed, 0 renamed, 0 changed; 0 status changes, 0 regressions\n"
    )


def test_version_json_shape_is_exact(register_copy: Path) -> None:
    edit(register_copy, 'id = "O24"', 'id = "O99"')
    edit(register_copy, R4_STATUS, R4_STATUS.replace('"ongoing"', '"complete"'))
    edit(register_copy, O3_STATUS, O3_STATUS.replace('"complete"', '"deferred"'))
    diff = versions(register_copy)
    expected = {
        "added": [],
        "removed": [],
        "renamed": [{"old_id": "O24", "new_id": "O99", "similarity": 1.0, "fields": {}}],
        "changed": [
            {"id": "R4", "fields": {"status": {"old": "ongoing", "new": "complete"}}},
            {"id": "O3", "fields": {"status": {"old": "complete", "new": "deferred"}}},
        ],
        "transitions": [
            {"old": "complete", "new": "deferred", "count": 1, "regression": True, "ids": ["O3"]},
            {"old": "ongoing", "new": "complete", "count": 1, "regression": False, "ids": ["R4"]},
        ],
        "metadata": {},
    }
    assert to_json(diff) == expected
    assert json.loads(text_of(diff, fmt="json")) == expected
    assert json.loads(text_of(diff, fmt="json", stat=True)) == {
        "added": 0,
        "removed": 0,
        "renamed": 1,
        "changed": 2,
        "status_changes": 2,
        "regressions": 1,
        "metadata": 0,
    }


# --- version renderer --------------------------------------------------------------------------


@pytest.fixture
def mixed(register_copy: Path) -> VersionDiff:
    """A rename, a status regression, a text change and a commentary change."""
    edit(register_copy, 'id = "O24"', 'id = "O99"')
    edit(register_copy, R4_QUARTERLY, R4_QUARTERLY.replace("quarterly", "monthly"))
    edit(register_copy, R4_STATUS, R4_STATUS.replace('"ongoing"', '"complete"'))
    edit(register_copy, O3_STATUS, O3_STATUS.replace('"complete"', '"deferred"'))
    edit(register_copy, "Bi-monthly meetings take pace", "Bi-monthly meetings take place")
    return versions(register_copy)


MIXED_TEXT = """\
renamed (1):
  O24 → O99: text 100% similar

changed (3):
  R4: text: Continue to hold [-quarterly-]{+monthly+} discussions with the Senior Responsible Officers …
  R4: status: ongoing → complete
  O3: status: complete → deferred
  O23: commentary: Bi-monthly meetings take [-pace-]{+place+} with the Joint National Action Plan …

status transitions (2):
  complete → deferred: 1 (O3), regression
  ongoing → complete: 1 (R4)

0 added, 0 removed, 1 renamed, 3 changed; 2 status changes, 1 regression
"""


def test_version_text_without_colour_uses_markers(mixed: VersionDiff) -> None:
    text = text_of(mixed)
    assert text == MIXED_TEXT
    assert not ANSI.search(text)
    assert not BOX_DRAWING.search(text)


def test_version_text_with_colour_uses_styles_not_markers(mixed: VersionDiff) -> None:
    text = text_of(mixed, color=True)
    assert ANSI.search(text)
    assert "[-" not in text
    assert "{+" not in text
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert plain == MIXED_TEXT.replace("[-quarterly-]{+monthly+}", "quarterlymonthly").replace(
        "[-pace-]{+place+}", "paceplace"
    )


def test_stat_prints_only_the_counts(mixed: VersionDiff) -> None:
    assert text_of(mixed, stat=True) == "0 added, 0 removed, 1 renamed, 3 changed; 2 status changes, 1 regression\n"
    assert text_of(diff_versions(real(), real()), stat=True) == "no differences\n"


def test_long_unchanged_text_is_shortened_around_changes(register_copy: Path) -> None:
    edit(register_copy, "The CPS has supported in", "The CPS has helped in")
    edit(register_copy, "internal CPS governance", "internal governance")
    assert text_of(versions(register_copy)) == (
        "changed (1):\n"
        "  O13: commentary: The CPS has [-supported-]{+helped+} in the development and design of … Areas. "
        "In addition, through new internal [-CPS-] governance this work is being progress …\n"
        "\n"
        "0 added, 0 removed, 0 renamed, 1 changed; 0 status changes, 0 regressions\n"
    )


def test_paragraph_breaks_show_as_pilcrows(register_copy: Path) -> None:
    # R4's commentary has the first such break (O23's the second).
    edit(
        register_copy,
        "progress the JNAP work.\n\nRegular meetings with the Victims’",
        "progress the JNAP work. Regular meetings with the Victims’",
    )
    expected = (
        "  R4: commentary: … agree and progress the JNAP work. [-¶-] Regular meetings with the Victims’ "
        "Commissioner, …\n"
    )
    assert expected in text_of(versions(register_copy))


def test_whitespace_only_change(register_copy: Path) -> None:
    edit(register_copy, "Bi-monthly meetings take pace", "Bi-monthly  meetings take pace")
    assert "  O23: commentary: (only whitespace changed)\n" in text_of(versions(register_copy))


def test_hostile_text_is_shown_literally(register_copy: Path) -> None:
    edit(register_copy, "Bi-monthly meetings take pace", "Bi-monthly [bold]x[/] \\u001b[31m meetings take pace")
    edit(
        register_copy,
        'theme = "Stakeholder Engagement"\ntext = "Convene a joint',
        'theme = "Stake\\u202eholder"\ntext = "Convene a joint',
    )
    diff = versions(register_copy)
    plain = text_of(diff)
    assert "{+[bold]x[/] \\x1b[31m+}" in plain
    assert "  O22: theme: Stakeholder Engagement → Stake<U+202E>holder\n" in plain
    assert "\x1b" not in plain
    assert "\u202e" not in plain
    coloured = text_of(diff, color=True)
    assert "[bold]x[/] \\x1b[31m" in coloured
    assert "\u202e" not in coloured
    # The only escape sequences are the renderer's own styles.
    assert "\x1b[31m meetings" not in coloured
    # JSON keeps the exact text.
    change = next(c for c in to_json(diff)["changed"] if c["id"] == "O23")
    assert "[bold]x[/] \x1b[31m meetings" in change["fields"]["commentary"]["new"]


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown format 'csv'"):
        text_of(diff_versions(real(), real()), fmt="csv")


# --- plans -------------------------------------------------------------------------------------

LINKS = [
    ("O23", "R4"),
    ("O20", "R5"),
    ("O6", "R6"),
    ("O7", "R6"),
    ("O11", "R7"),
    ("O18", "R8"),
    ("O18", "R9"),
    ("O15", "R13"),
    ("O1", "R15"),
    ("O2", "R15"),
]


def test_plan_diff_of_the_real_register() -> None:
    diff = diff_plans(real(), "original", "refresh")
    assert [(link.old_id, link.new_id) for link in diff.links] == LINKS
    assert list(diff.new) == ["R1", "R2", "R3", "R10", "R11", "R12", "R14", "R16", "R17", "R18", "R19", "R20"]
    assert list(diff.not_continued) == [
        "O3",
        "O4",
        "O5",
        "O8",
        "O9",
        "O10",
        "O12",
        "O13",
        "O14",
        "O16",
        "O17",
        "O19",
        "O21",
        "O22",
        "O24",
    ]
    assert diff.suggestions is None
    assert [theme.name for theme in diff.old_plan.themes] == [
        "Supporting Victims",
        "Casework Quality and Progression",
        "Digital Capability and Disclosure",
        "Our People and Expertise",
        "Stakeholder Engagement",
    ]
    assert [len(theme.actions) for theme in diff.new_plan.themes] == [5, 8, 4, 3]
    r4 = diff.links[0]
    assert (r4.old_status, r4.new_status) == ("ongoing", "ongoing")
    assert r4.text[0] == ("delete", "Hold")
    assert r4.text[-1] == (
        "equal",
        "the Victims’ Commissioner, Domestic Abuse Commissioner and London Victims’ Commissioners "
        "- so that senior stakeholders can inform and scrutinise our work.",
    )


def test_plan_diff_reversed_swaps_the_roles() -> None:
    diff = diff_plans(real(), "refresh", "original")
    assert sorted((link.new_id, link.old_id) for link in diff.links) == sorted(LINKS)
    assert "O3" in diff.new
    assert "R1" in diff.not_continued


def test_suggestions_on_the_real_register() -> None:
    diff = diff_plans(real(), "original", "refresh", suggest=True)
    # Only one unlinked pair reaches the threshold; the next best (R1 and O14) scores 0.18.
    assert diff.suggestions == (Suggestion("R5", "O23", 0.224),)
    assert plan_text_of(diff, stat=True) == "10 links, 12 new, 15 not continued, 1 suggestion\n"


def test_suggestions_are_ordered_by_score_and_never_repeat_links(register_copy: Path) -> None:
    # R10's text is rewritten to restate O9: R10 → O9 becomes the strongest candidate.
    edit(
        register_copy,
        "Further embed bad character applications into training and development materials across our organisations.",
        "Identify best practice so that all police force and CPS areas have effective joint monitoring and "
        "escalation mechanisms for live investigations.",
    )
    diff = diff_plans(load(register_copy), "original", "refresh", suggest=True)
    assert diff.suggestions is not None
    assert [(s.new_id, s.old_id) for s in diff.suggestions[:2]] == [("R10", "O9"), ("R10", "O10")]
    scores = [s.score for s in diff.suggestions]
    assert scores == sorted(scores, reverse=True)
    assert all(score >= SUGGEST_THRESHOLD for score in scores)
    assert not {(s.old_id, s.new_id) for s in diff.suggestions} & set(LINKS)


def test_unknown_plan_lists_the_plans() -> None:
    with pytest.raises(UsageError) as caught:
        diff_plans(real(), "original", "refersh")
    assert caught.value.lines() == ["error: unknown plan 'refersh'; the register's plans are refresh, original"]
    assert caught.value.exit_code == 2


def test_a_plan_against_itself_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="with itself"):
        diff_plans(real(), "refresh", "refresh")


SMALL_TEXT = """\
old → new
  old: Old plan (2021)
  new: New plan (2022)

themes of old (2):
  Victims (1): A1
  Data (1): A2

themes of new (2):
  Victims (1): B1
  Scrutiny (1): B2

links (1): new actions that continue old actions
  A1 → B1: similarity: 57%
  A1 → B1: status: complete → in-progress
  A1 → B1: text: Write to victims [-promptly.-]{+promptly and clearly.+}

new in new, continuing nothing (1): B2

not continued from old (1): A2

suggestions (1): candidate links with similarity ≥ 20%, not in the register
  A2 → B2: similarity: 57% (suggestion)

1 link, 1 new, 1 not continued, 1 suggestion
"""


def test_plan_text_is_exact() -> None:
    diff = diff_plans(small(), "old", "new", suggest=True)
    text = plan_text_of(diff)
    assert text == SMALL_TEXT
    assert not BOX_DRAWING.search(text)
    coloured = plan_text_of(diff, color=True)
    assert ANSI.search(coloured)
    assert "[-" not in coloured


def test_plan_text_without_suggestions() -> None:
    text = plan_text_of(diff_plans(small(), "old", "new"))
    assert "suggestion" not in text
    assert text.endswith("\n\n1 link, 1 new, 1 not continued\n")


def test_plan_json_shape_is_exact() -> None:
    diff = diff_plans(small(), "old", "new", suggest=True)
    expected = {
        "old_plan": {
            "id": "old",
            "title": "Old plan",
            "year": 2021,
            "themes": [{"theme": "Victims", "actions": ["A1"]}, {"theme": "Data", "actions": ["A2"]}],
        },
        "new_plan": {
            "id": "new",
            "title": "New plan",
            "year": 2022,
            "themes": [{"theme": "Victims", "actions": ["B1"]}, {"theme": "Scrutiny", "actions": ["B2"]}],
        },
        "links": [
            {
                "old_id": "A1",
                "new_id": "B1",
                "old_status": "complete",
                "new_status": "in-progress",
                "similarity": 0.577,
                "text": [
                    {"op": "equal", "text": "Write to victims"},
                    {"op": "delete", "text": "promptly."},
                    {"op": "insert", "text": "promptly and clearly."},
                ],
            }
        ],
        "new": ["B2"],
        "not_continued": ["A2"],
        "suggestions": [{"new_id": "B2", "old_id": "A2", "score": 0.577}],
    }
    assert to_json(diff) == expected
    assert json.loads(plan_text_of(diff, fmt="json")) == expected
    assert to_json(diff_plans(small(), "old", "new"))["suggestions"] is None
    assert json.loads(plan_text_of(diff, fmt="json", stat=True)) == {
        "links": 1,
        "new": 1,
        "not_continued": 1,
        "suggestions": 1,
    }


# --- arguments ---------------------------------------------------------------------------------


def test_classify_plans_and_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    register = real()
    assert revisions.classify(["original", "refresh"], register) == "plans"
    assert revisions.classify(["HEAD~1"], register) == "versions"
    assert revisions.classify(["HEAD~2", "HEAD~1"], register) == "versions"
    with pytest.raises(UsageError) as caught:
        revisions.classify(["refresh"], register)
    assert caught.value.lines() == [
        "error: 'refresh' is a plan id, but plans compare only with plans; "
        "give two plan ids (jnap diff original refresh), or refresh:PATH for a git revision"
    ]
    with pytest.raises(UsageError, match="'original' is a plan id"):
        revisions.classify(["original", "HEAD"], register)
    (tmp_path / "refresh").write_text("", encoding="utf-8")
    assert revisions.classify(["refresh"], register) == "versions"


def test_read_version_of_a_file(register_copy: Path) -> None:
    register, label = revisions.read_version(str(register_copy), DATA)
    assert register == real()
    assert label == str(register_copy)


def test_read_version_of_a_missing_file_outside_git(tmp_path: Path, git_env: None) -> None:
    current = tmp_path / "actions.toml"
    shutil.copyfile(DATA, current)
    with pytest.raises(RegisterUnreadable) as caught:
        revisions.read_version(str(tmp_path / "old.toml"), current)
    assert caught.value.message.startswith(f"{tmp_path / 'old.toml'}: not a file, and git cannot read it: fatal:")
    assert caught.value.exit_code == 2


def test_an_option_like_argument_is_refused() -> None:
    with pytest.raises(UsageError, match="cannot start with '-'"):
        revisions.read_version("--output=/tmp/x", DATA)


# --- git ---------------------------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture
def git_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """git without the developer's configuration, and never looking above the test's directory."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    for name in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{name}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{name}_EMAIL", "test@example.com")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, timeout=30)


@pytest.fixture
def repo(tmp_path: Path, git_env: None) -> Path:
    """A git repository whose data/actions.toml is the bundled register at tag v1 (HEAD~1),
    and the same with R4 complete at HEAD. Returns the register's path."""
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    path = root / "data" / "actions.toml"
    shutil.copyfile(DATA, path)
    git(root, "init", "-q")
    git(root, "add", "data/actions.toml")
    git(root, "commit", "-q", "-m", "v1")
    git(root, "tag", "v1")
    edit(path, R4_STATUS, R4_STATUS.replace('"ongoing"', '"complete"'))
    git(root, "commit", "-q", "-am", "R4 is complete")
    return path


@needs_git
def test_bare_revision_reads_the_current_register_at_that_revision(repo: Path) -> None:
    register, label = revisions.read_version("HEAD~1", repo)
    assert label == "HEAD~1:data/actions.toml"
    assert register == real()
    assert revisions.read_version("HEAD", repo)[0] == load(repo)


@needs_git
def test_revision_with_a_path(repo: Path) -> None:
    register, label = revisions.read_version("v1:data/actions.toml", repo)
    assert (register, label) == (real(), "v1:data/actions.toml")


@needs_git
def test_one_version_is_compared_with_the_current_register(repo: Path) -> None:
    (old, old_label), (new, new_label) = revisions.read_versions(["v1"], repo)
    assert (old_label, new_label) == ("v1:data/actions.toml", str(repo))
    diff = diff_versions(old, new)
    assert diff.changed == (ActionChange("R4", {"status": FieldChange("ongoing", "complete")}),)
    (_, first), (_, second) = revisions.read_versions(["HEAD~1", "HEAD"], repo)
    assert (first, second) == ("HEAD~1:data/actions.toml", "HEAD:data/actions.toml")


@needs_git
def test_unknown_revision_quotes_git(repo: Path) -> None:
    with pytest.raises(RegisterUnreadable) as caught:
        revisions.read_version("nope", repo)
    message = caught.value.message
    assert message.startswith("nope: not a file, and git cannot read it: fatal: ")
    assert "nope" in message.split("fatal: ", 1)[1]
    assert "\n" not in message
    assert caught.value.exit_code == 2
    with pytest.raises(RegisterUnreadable) as hostile:
        revisions.read_version("HEAD\n\x1b[31m", repo)
    assert hostile.value.message.startswith("HEAD\\n\\x1b[31m: not a file, and git cannot read it: ")
    assert "\n" not in hostile.value.message
    assert "\x1b" not in hostile.value.message


@needs_git
def test_missing_path_in_a_revision(repo: Path) -> None:
    with pytest.raises(RegisterUnreadable, match=r"^HEAD:nope.toml: not a file, and git cannot read it: fatal: .*nope"):
        revisions.read_version("HEAD:nope.toml", repo)


@needs_git
def test_directory_in_a_revision(repo: Path) -> None:
    with pytest.raises(RegisterUnreadable, match=r"^HEAD:data: is a directory in git$"):
        revisions.read_version("HEAD:data", repo)


@needs_git
def test_invalid_register_in_a_revision_is_located(repo: Path) -> None:
    repo.write_text('title = "x"\nsource = \n', encoding="utf-8")
    git(repo.parents[1], "commit", "-q", "-am", "broken")
    with pytest.raises(RegisterUnreadable, match=r"^HEAD:data/actions.toml:2:10: invalid TOML"):
        revisions.read_version("HEAD", repo)


@needs_git
def test_an_existing_path_wins_over_a_revision(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(DATA, tmp_path / "HEAD")
    register, label = revisions.read_version("HEAD", repo)
    assert (register, label) == (real(), "HEAD")


@needs_git
def test_register_outside_git(tmp_path: Path, git_env: None) -> None:
    current = tmp_path / "actions.toml"
    shutil.copyfile(DATA, current)
    with pytest.raises(
        RegisterUnreadable, match=r"^HEAD~1: not a file, and git cannot read it: fatal: not a git repository"
    ):
        revisions.read_version("HEAD~1", current)


def test_git_not_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(RegisterUnreadable) as caught:
        revisions.read_version("HEAD~1", DATA)
    assert caught.value.lines() == [
        "error: git is not installed; 'HEAD~1' is not a file, so it can only be a git revision; "
        "install git or give a register file"
    ]


def test_git_that_hangs_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def hang(*args: object, **kwargs: object) -> object:
        seen.update(kwargs)
        raise subprocess.TimeoutExpired("git", 10)

    monkeypatch.setattr(subprocess, "run", hang)
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/git")
    with pytest.raises(RegisterUnreadable, match=r"^HEAD~1: git did not answer within 10 s$"):
        revisions.read_version("HEAD~1", DATA)
    assert seen["timeout"] == 10
