"""`jnap diff`'s core: version and plan diffs, word diffs, JSON shapes, renderers and git revisions.

Version differences are made from small registers built as data (`tests/registers.py`); only the
plan diff and its suggestions are checked end to end on the shipped register.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from difflib import SequenceMatcher
from pathlib import Path

import pytest
import tomli_w

from jnap_cli.diff import revisions
from jnap_cli.diff.plans import SUGGEST_THRESHOLD, PlanDiff, Suggestion, diff_plans
from jnap_cli.diff.shape import counts, to_json
from jnap_cli.diff.versions import (
    RENAME_THRESHOLD,
    ActionChange,
    FieldChange,
    Rename,
    Transition,
    VersionDiff,
    diff_versions,
    has_differences,
    has_regression,
)
from jnap_cli.diff.words import word_diff
from jnap_cli.errors import InputUnreadable, UsageError
from jnap_cli.model.schema import Register
from jnap_cli.model.vocab import DiffFormat
from jnap_cli.register.load import load_text
from jnap_cli.register.source import load
from jnap_cli.render.diff_text import emit_diff
from jnap_cli.render.records import Output

from .conftest import DATA, git
from .registers import Data, action, add_action, drop_action, find, set_field, small, write

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
    """The shipped register."""
    return load(DATA)


def model(data: Data) -> Register:
    """The register that `data` (from `registers.small()`) describes, as `load` would give it."""
    return load_text(tomli_w.dumps(data), "small.toml")


def versions(old: Data, new: Data) -> VersionDiff:
    """The diff between two versions of a small register."""
    return diff_versions(model(old), model(new))


def text_of(diff: VersionDiff, *, color: bool = False, stat: bool = False, fmt: str = "text") -> str:
    out = io.StringIO()
    emit_diff(diff, DiffFormat(fmt), Output(color=color, stream=out), stat=stat)
    return out.getvalue()


def plan_text_of(diff: PlanDiff, *, color: bool = False, stat: bool = False, fmt: str = "text") -> str:
    out = io.StringIO()
    emit_diff(diff, DiffFormat(fmt), Output(color=color, stream=out), stat=stat)
    return out.getvalue()


def small_plans() -> Register:
    """Two plans `old` and `new` of two actions each, with one link (B1 → A1): for the plan renderer."""
    return load_text(SMALL, "small.toml")


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
    diff = versions(small(), small())
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


def test_status_transitions_and_regression() -> None:
    new = set_field(set_field(small(), "R2", "status", "complete"), "O2", "status", "deferred")
    diff = versions(small(), new)
    assert diff.changed == (
        ActionChange("R2", {"status": FieldChange("ongoing", "complete")}),
        ActionChange("O2", {"status": FieldChange("complete", "deferred")}),
    )
    assert diff.transitions == (
        Transition("complete", "deferred", 1, True, ("O2",)),
        Transition("ongoing", "complete", 1, False, ("R2",)),
    )
    assert has_differences(diff)
    assert has_regression(diff)


def test_transitions_are_counted_and_progress_is_no_regression() -> None:
    old = set_field(small(), "R1", "status", "ongoing")
    new = set_field(small(), "R2", "status", "complete")
    diff = versions(old, new)
    assert diff.transitions == (Transition("ongoing", "complete", 2, False, ("R1", "R2")),)
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


def test_every_field_is_compared() -> None:
    old = set_field(small(), "O1", "annex_marker", "Completed")
    new = set_field(old, "O1", "annex_marker", "Done")
    new = set_field(new, "R1", "status_evidence", "Training 1")
    new = set_field(new, "R2", "continues", ["O1", "O2"])
    new = set_field(new, "R3", "number", 4)  # frees refresh 3 for O3
    new = set_field(new, "O3", "plan", "refresh")
    new = set_field(new, "O3", "theme", "Casework")
    new = set_field(new, "O3", "references", [])
    diff = versions(old, new)
    assert {change.id: dict(change.fields) for change in diff.changed} == {
        "R1": {"status_evidence": FieldChange("Training 1 has been delivered", "Training 1")},
        "R2": {"continues": FieldChange(("O2",), ("O1", "O2"))},
        "R3": {"number": FieldChange(3, 4)},
        "O1": {"annex_marker": FieldChange("Completed", "Done")},
        "O3": {
            "plan": FieldChange("original", "refresh"),
            "theme": FieldChange("Casework Quality", "Casework"),
            "references": FieldChange(("action 1 under Supporting Victims",), ()),
        },
    }
    assert diff.transitions == ()


def test_rename_of_the_id_only_has_similarity_one() -> None:
    diff = versions(small(), set_field(small(), "O3", "id", "O9"))
    assert diff.renamed == (Rename("O3", "O9", 1.0, {}),)
    assert (diff.added, diff.removed, diff.changed) == ((), (), ())
    assert has_differences(diff)


def test_rename_with_a_few_words_changed() -> None:
    old_text = find(small(), "O3")["text"]
    new_text = old_text.replace("Review", "Revise").replace("guidance", "guide")
    new = set_field(set_field(small(), "O3", "id", "O3a"), "O3a", "text", new_text)
    diff = versions(small(), new)
    similarity = round(SequenceMatcher(None, new_text, old_text, autojunk=False).ratio(), 3)
    assert RENAME_THRESHOLD <= similarity < 1
    assert diff.renamed == (Rename("O3", "O3a", similarity, {"text": FieldChange(old_text, new_text)}),)
    assert (diff.added, diff.removed, diff.changed) == ((), (), ())


def test_rename_with_most_of_the_text_changed_is_removed_and_added() -> None:
    new = set_field(small(), "O3", "id", "O3a")
    new = set_field(new, "O3a", "text", "Publish a guide to the criminal justice process for victims.")
    diff = versions(small(), new)
    assert diff.renamed == ()
    assert [a.id for a in diff.removed] == ["O3"]
    assert [a.id for a in diff.added] == ["O3a"]


def test_rename_of_a_linked_action_changes_the_link() -> None:
    new = set_field(set_field(small(), "O2", "id", "O2a"), "R2", "continues", ["O2a"])
    diff = versions(small(), new)
    assert diff.renamed == (Rename("O2", "O2a", 1.0, {}),)
    assert diff.changed == (ActionChange("R2", {"continues": FieldChange(("O2",), ("O2a",))}),)


def test_renamed_status_change_is_a_transition() -> None:
    new = set_field(set_field(small(), "O3", "id", "O3a"), "O3a", "status", "in-progress")
    diff = versions(small(), new)
    assert diff.renamed == (Rename("O3", "O3a", 1.0, {"status": FieldChange("complete", "in-progress")}),)
    assert diff.transitions == (Transition("complete", "in-progress", 1, True, ("O3a",)),)


NEW_ACTION = action(
    "R4",
    "refresh",
    4,
    text="A new activity.",
    commentary="Started.",
    status="not-started",
    status_evidence="Started.",
)


def test_added_and_removed() -> None:
    new = drop_action(add_action(small(), NEW_ACTION), "O3")
    diff = versions(small(), new)
    assert [a.id for a in diff.added] == ["R4"]
    assert [a.id for a in diff.removed] == ["O3"]
    document = to_json(diff)
    assert document["added"] == [
        {
            "id": "R4",
            "plan": "refresh",
            "number": 4,
            "theme": "Our People",
            "text": "A new activity.",
            "commentary": "Started.",
            "status": "not-started",
            "status_basis": "inferred",
            "status_evidence": "Started.",
            "handed_to": None,
            "waits_on": None,
            "continues": [],
            "builds_on": [],
            "references": [],
            "annex_marker": None,
        }
    ]
    assert document["removed"] == [
        {
            "id": "O3",
            "plan": "original",
            "number": 3,
            "theme": "Casework Quality",
            "text": "Review the guidance (see action 1 under Supporting Victims).",
            "commentary": "Training 3 has been delivered to every team.",
            "status": "complete",
            "status_basis": "inferred",
            "status_evidence": "Training 3 has been delivered",
            "handed_to": None,
            "waits_on": None,
            "continues": [],
            "builds_on": [],
            "references": ["action 1 under Supporting Victims"],
            "annex_marker": None,
        }
    ]
    assert list(document["removed"][0]) == list(document["added"][0])
    assert text_of(diff) == (
        "added (1):\n"
        "  R4: refresh 4, not-started: A new activity.\n"
        "\n"
        "removed (1):\n"
        "  O3: original 3, complete: Review the guidance (see action 1 under Supporting Victims).\n"
        "\n"
        "1 added, 1 removed, 0 renamed, 0 changed; 0 status changes, 0 regressions\n"
    )


def test_version_json_shape_is_exact() -> None:
    new = set_field(small(), "O3", "id", "O9")
    new = set_field(new, "R2", "status", "complete")
    new = set_field(new, "O2", "status", "deferred")
    diff = versions(small(), new)
    expected = {
        "added": [],
        "removed": [],
        "renamed": [{"old_id": "O3", "new_id": "O9", "similarity": 1.0, "fields": {}}],
        "changed": [
            {"id": "R2", "fields": {"status": {"old": "ongoing", "new": "complete"}}},
            {"id": "O2", "fields": {"status": {"old": "complete", "new": "deferred"}}},
        ],
        "transitions": [
            {"old": "complete", "new": "deferred", "count": 1, "regression": True, "ids": ["O2"]},
            {"old": "ongoing", "new": "complete", "count": 1, "regression": False, "ids": ["R2"]},
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
def mixed() -> VersionDiff:
    """A rename, a status regression, a text change and a commentary change."""
    new = set_field(small(), "O3", "id", "O9")
    new = set_field(new, "R2", "text", "Continue the monthly liaison meetings with advocates.")
    new = set_field(new, "R2", "status", "complete")
    new = set_field(new, "O1", "commentary", "Training 1 has been delivered to every area.")
    new = set_field(new, "O2", "status", "deferred")
    return versions(small(), new)


MIXED_TEXT = """\
renamed (1):
  O3 renamed to O9: text 100% similar

changed (3):
  R2: text: Continue the [-victim-]{+monthly+} liaison meetings with advocates.
  R2: status: ongoing → complete
  O1: commentary: … 1 has been delivered to every [-team.-]{+area.+}
  O2: status: complete → deferred

status transitions (2):
  complete → deferred: 1 (O2), regression
  ongoing → complete: 1 (R2)

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
    assert plain == MIXED_TEXT.replace("[-victim-]{+monthly+}", "victimmonthly").replace(
        "[-team.-]{+area.+}", "team.area."
    )


def test_stat_prints_only_the_counts(mixed: VersionDiff) -> None:
    assert text_of(mixed, stat=True) == "0 added, 0 removed, 1 renamed, 3 changed; 2 status changes, 1 regression\n"
    assert text_of(versions(small(), small()), stat=True) == "no differences\n"


LONG_COMMENTARY = (
    "Work is under way in every area. The team has supported the design of the new guidance, which was tested "
    "in three pilot areas and revised after comments from partners. Through new internal governance the work is "
    "reviewed every month by the national board."
)


def test_long_unchanged_text_is_shortened_around_changes() -> None:
    old = set_field(small(), "R3", "commentary", LONG_COMMENTARY)
    new = LONG_COMMENTARY.replace("supported", "helped").replace("internal governance", "governance")
    assert text_of(versions(old, set_field(old, "R3", "commentary", new))) == (
        "changed (1):\n"
        "  R3: commentary: … in every area. The team has [-supported-]{+helped+} the design of the new guidance, "
        "… after comments from partners. Through new [-internal-] governance the work is reviewed every …\n"
        "\n"
        "0 added, 0 removed, 0 renamed, 1 changed; 0 status changes, 0 regressions\n"
    )


def test_paragraph_breaks_show_as_pilcrows() -> None:
    # R2's commentary has two paragraphs; the new version merges them.
    commentary = find(small(), "R2")["commentary"]
    assert "month.\n\nAdvocates" in commentary
    new = set_field(small(), "R2", "commentary", commentary.replace("month.\n\nAdvocates", "month. Advocates"))
    assert text_of(versions(small(), new)) == (
        "changed (1):\n"
        "  R2: commentary: … liaison meetings take place every month. [-¶-] Advocates attend each meeting.\n"
        "\n"
        "0 added, 0 removed, 0 renamed, 1 changed; 0 status changes, 0 regressions\n"
    )


def test_whitespace_only_change() -> None:
    commentary = find(small(), "R2")["commentary"]
    new = set_field(small(), "R2", "commentary", commentary.replace("every month", "every  month"))
    assert text_of(versions(small(), new)) == (
        "changed (1):\n"
        "  R2: commentary: (only whitespace changed)\n"
        "\n"
        "0 added, 0 removed, 0 renamed, 1 changed; 0 status changes, 0 regressions\n"
    )


def test_hostile_text_is_shown_literally() -> None:
    commentary = find(small(), "R2")["commentary"]
    hostile = commentary.replace("liaison meetings", "liaison [bold]x[/] \x1b[31m meetings")
    new = set_field(small(), "R2", "commentary", hostile)
    new = set_field(new, "O3", "theme", "Case\u202ework Quality")
    diff = versions(small(), new)
    plain = text_of(diff)
    assert "{+[bold]x[/] \\x1b[31m+}" in plain
    assert "  O3: theme: Casework Quality → Case<U+202E>work Quality\n" in plain
    assert "\x1b" not in plain
    assert "\u202e" not in plain
    coloured = text_of(diff, color=True)
    assert "[bold]x[/] \\x1b[31m" in coloured
    assert "\u202e" not in coloured
    # The only escape sequences are the renderer's own styles.
    assert "\x1b[31m meetings" not in coloured
    # JSON keeps the exact text.
    change = next(c for c in to_json(diff)["changed"] if c["id"] == "R2")
    assert "[bold]x[/] \x1b[31m meetings" in change["fields"]["commentary"]["new"]


def test_record_formats_give_one_row_per_difference() -> None:
    new = set_field(set_field(small(), "R2", "status", "complete"), "O3", "id", "O9")
    new = drop_action(add_action(new, action("R4", "refresh", 4, text="Publish the annual report.")), "R1")
    assert text_of(versions(small(), new), fmt="csv") == (
        "change,id,old_id,field,old,new\n"
        "added,R4,,text,,Publish the annual report.\n"
        "removed,R1,,text,Deliver training number 1 for the refresh plan.,\n"
        "renamed,O9,O3,id,O3,O9\n"
        "changed,R2,,status,ongoing,complete\n"
    )
    assert text_of(versions(small(), new), fmt="ids") == "R4\nR1\nO9\nR2\n"


def test_text_takes_no_fields() -> None:
    with pytest.raises(UsageError, match="--fields applies to the record formats"):
        emit_diff(versions(small(), small()), DiffFormat.TEXT, Output(fields="id", stream=io.StringIO()))


# --- plans -------------------------------------------------------------------------------------

LINKS = [
    ("O23", "R4"),
    ("O20", "R5"),
    ("O6", "R6"),
    ("O7", "R6"),
    ("O11", "R7"),
    ("O18", "R8"),
    ("O15", "R13"),
    ("O1", "R15"),
    ("O2", "R15"),
]


def test_plan_diff_of_the_real_register() -> None:
    diff = diff_plans(real(), "original", "refresh")
    assert [(link.old_id, link.new_id) for link in diff.links] == LINKS
    assert list(diff.new) == ["R1", "R2", "R3", "R9", "R10", "R11", "R12", "R14", "R16", "R17", "R18", "R19", "R20"]
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


def test_plan_diff_reversed_keeps_the_older_plan_old() -> None:
    # The older plan (by year) is old_plan whichever order the ids come in; see test_plan_diff_edges.py.
    register = model(small())
    forward = diff_plans(register, "original", "refresh")
    assert [(link.old_id, link.new_id) for link in forward.links] == [("O2", "R2")]
    assert (forward.new, forward.not_continued) == (("R1", "R3"), ("O1", "O3"))
    diff = diff_plans(register, "refresh", "original")
    assert [(link.old_id, link.new_id) for link in diff.links] == [("O2", "R2")]
    assert (diff.new, diff.not_continued) == (("R1", "R3"), ("O1", "O3"))
    assert (forward.newer_first, diff.newer_first) == (False, True)


def test_suggestions_on_the_real_register() -> None:
    diff = diff_plans(real(), "original", "refresh", suggest=True)
    # Only one unlinked pair reaches the threshold; the next best (R1 and O14) scores 0.18.
    assert diff.suggestions == (Suggestion("R5", "O23", 0.224),)
    assert plan_text_of(diff, stat=True) == "9 links, 13 new, 15 not continued, 2 builds on, 1 suggestion\n"


def test_suggestions_are_ordered_by_score_and_never_repeat_links() -> None:
    # R3's text is rewritten to restate O3: R3 → O3 becomes the strongest candidate.
    data = set_field(small(), "R3", "text", "Review the guidance again (see action 1 under Supporting Victims).")
    diff = diff_plans(model(data), "original", "refresh", suggest=True)
    assert diff.suggestions is not None
    assert [(s.new_id, s.old_id) for s in diff.suggestions[:2]] == [("R3", "O3"), ("R1", "O1")]
    scores = [s.score for s in diff.suggestions]
    assert scores == sorted(scores, reverse=True)
    assert all(score >= SUGGEST_THRESHOLD for score in scores)
    # The linked pair O2 → R2 scores above the threshold too, yet is not suggested.
    links = {(link.old_id, link.new_id) for link in diff.links}
    assert links == {("O2", "R2")}
    assert diff.links[0].similarity >= SUGGEST_THRESHOLD
    assert not {(s.old_id, s.new_id) for s in diff.suggestions} & links


def test_unknown_plan_lists_the_plans() -> None:
    with pytest.raises(UsageError) as caught:
        diff_plans(model(small()), "original", "refersh")
    assert caught.value.lines() == ["error: unknown plan 'refersh'; the register's plans are refresh, original"]
    assert caught.value.exit_code == 2


def test_a_plan_against_itself_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="with itself"):
        diff_plans(model(small()), "refresh", "refresh")


SMALL_TEXT = """\
old to new
  old: Old plan (2021)
  new: New plan (2022)

themes of old (2):
  Victims (1): A1
  Data (1): A2

themes of new (2):
  Victims (1): B1
  Scrutiny (1): B2

links (1): new actions that continue old actions
  B1 continues A1: similarity: 57%
  B1 continues A1: status: A1 complete; B1 in-progress
  B1 continues A1: text: Write to victims [-promptly.-]{+promptly and clearly.+}

new in new, continuing nothing (1): B2

not continued from old (1): A2

suggestions (1): candidate links with similarity ≥ 20%, not in the register
  B2 may continue A2: similarity: 57% (suggestion)

1 link, 1 new, 1 not continued, 1 suggestion
"""


def test_plan_text_is_exact() -> None:
    diff = diff_plans(small_plans(), "old", "new", suggest=True)
    text = plan_text_of(diff)
    assert text == SMALL_TEXT
    assert not BOX_DRAWING.search(text)
    coloured = plan_text_of(diff, color=True)
    assert ANSI.search(coloured)
    assert "[-" not in coloured


def test_plan_text_without_suggestions() -> None:
    text = plan_text_of(diff_plans(small_plans(), "old", "new"))
    assert "suggestion" not in text
    assert text.endswith("\n\n1 link, 1 new, 1 not continued\n")


def test_plan_json_shape_is_exact() -> None:
    diff = diff_plans(small_plans(), "old", "new", suggest=True)
    expected: dict[str, object] = {
        "theme": None,
        "old_plan": {
            "id": "old",
            "title": "Old plan",
            "year": 2021,
            "as_of": None,
            "provenance": {},
            "themes": [{"theme": "Victims", "actions": ["A1"]}, {"theme": "Data", "actions": ["A2"]}],
        },
        "new_plan": {
            "id": "new",
            "title": "New plan",
            "year": 2022,
            "as_of": None,
            "provenance": {},
            "themes": [{"theme": "Victims", "actions": ["B1"]}, {"theme": "Scrutiny", "actions": ["B2"]}],
        },
        "links": [
            {
                "old_id": "A1",
                "new_id": "B1",
                "old_status": "complete",
                "new_status": "in-progress",
                "old_as_of": None,
                "new_as_of": None,
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
        "builds_on": [],
    }
    assert to_json(diff) == expected
    assert json.loads(plan_text_of(diff, fmt="json")) == expected
    assert to_json(diff_plans(small_plans(), "old", "new"))["suggestions"] is None
    assert json.loads(plan_text_of(diff, fmt="json", stat=True)) == {
        "links": 1,
        "new": 1,
        "not_continued": 1,
        "suggestions": 1,
        "builds_on": 0,
    }


# --- arguments ---------------------------------------------------------------------------------


def test_classify_plans_and_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    register = model(small())
    assert revisions.classify(["original", "refresh"], register) == "plans"
    assert revisions.classify(["HEAD~1"], register) == "versions"
    assert revisions.classify(["HEAD~2", "HEAD~1"], register) == "versions"
    with pytest.raises(UsageError) as caught:
        revisions.classify(["refresh"], register)
    assert caught.value.lines() == [
        "error: 'refresh' is a plan id, but plans compare only with plans; "
        "give two plan ids (jnap diff original refresh), or refresh:PATH for a git revision"
    ]
    with pytest.raises(UsageError, match="no plan 'HEAD': the plans are original, refresh"):
        revisions.classify(["original", "HEAD"], register)
    (tmp_path / "refresh").write_text("", encoding="utf-8")
    assert revisions.classify(["refresh"], register) == "versions"


def test_read_version_of_a_file(tmp_path: Path) -> None:
    old = write(tmp_path / "old.toml", small())
    current = write(tmp_path / "actions.toml", set_field(small(), "R1", "status", "deferred"))
    assert revisions.read_version(str(old), current) == model(small())


def test_read_version_of_a_missing_file_outside_git(tmp_path: Path, git_env: None) -> None:
    current = write(tmp_path / "actions.toml", small())
    with pytest.raises(InputUnreadable) as caught:
        revisions.read_version(str(tmp_path / "old.toml"), current)
    assert caught.value.message.startswith(f"{tmp_path / 'old.toml'}: not a file, and git cannot read it: fatal:")
    assert caught.value.exit_code == 2


def test_an_option_like_argument_is_refused(tmp_path: Path) -> None:
    current = write(tmp_path / "actions.toml", small())
    with pytest.raises(UsageError, match="cannot start with '-'"):
        revisions.read_version("--output=/tmp/x", current)


# --- git ---------------------------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture
def repo(tmp_path: Path, git_env: None) -> Path:
    """A git repository whose data/actions.toml is the small register at tag v1 (HEAD~1),
    and the same with R2 complete at HEAD. Returns the register's path."""
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    path = write(root / "data" / "actions.toml", small())
    git(root, "init", "-q")
    git(root, "add", "data/actions.toml")
    git(root, "commit", "-q", "-m", "v1")
    git(root, "tag", "v1")
    write(path, set_field(small(), "R2", "status", "complete"))
    git(root, "commit", "-q", "-am", "R2 is complete")
    return path


@needs_git
def test_bare_revision_reads_the_current_register_at_that_revision(repo: Path) -> None:
    assert revisions.read_version("HEAD~1", repo) == model(small())
    assert revisions.read_version("HEAD", repo) == load(repo)


@needs_git
def test_revision_with_a_path(repo: Path) -> None:
    assert revisions.read_version("v1:data/actions.toml", repo) == model(small())


@needs_git
def test_one_version_is_compared_with_the_current_register(repo: Path) -> None:
    old, new = revisions.read_versions(["v1"], repo)
    assert (old, new) == (model(small()), load(repo))
    diff = diff_versions(old, new)
    assert diff.changed == (ActionChange("R2", {"status": FieldChange("ongoing", "complete")}),)
    assert revisions.read_versions(["HEAD~1", "HEAD"], repo) == (model(small()), load(repo))


@needs_git
def test_unknown_revision_quotes_git(repo: Path) -> None:
    with pytest.raises(InputUnreadable) as caught:
        revisions.read_version("nope", repo)
    message = caught.value.message
    assert message.startswith("nope: not a file, and git cannot read it: fatal: ")
    assert "nope" in message.split("fatal: ", 1)[1]
    assert "\n" not in message
    assert caught.value.exit_code == 2
    with pytest.raises(InputUnreadable) as hostile:
        revisions.read_version("HEAD\n\x1b[31m", repo)
    assert hostile.value.message.startswith("HEAD\\n\\x1b[31m: not a file, and git cannot read it: ")
    assert "\n" not in hostile.value.message
    assert "\x1b" not in hostile.value.message


@needs_git
def test_missing_path_in_a_revision(repo: Path) -> None:
    with pytest.raises(InputUnreadable, match=r"^HEAD:nope.toml: not a file, and git cannot read it: fatal: .*nope"):
        revisions.read_version("HEAD:nope.toml", repo)


@needs_git
def test_directory_in_a_revision(repo: Path) -> None:
    """A directory at a revision is a directory register: its *.toml files (here the one)."""
    assert revisions.read_version("HEAD:data", repo) == revisions.read_version("HEAD:data/actions.toml", repo)
    (repo.parent / "notes").mkdir()
    (repo.parent / "notes" / "a.txt").write_text("x", encoding="utf-8")
    git(repo.parents[1], "add", ".")
    git(repo.parents[1], "commit", "-q", "-m", "notes")
    with pytest.raises(InputUnreadable, match=r"^HEAD:data/notes: no \*\.toml files in this directory$"):
        revisions.read_version("HEAD:data/notes", repo)


@needs_git
def test_invalid_register_in_a_revision_is_located(repo: Path) -> None:
    repo.write_text('title = "x"\nsource = \n', encoding="utf-8")
    git(repo.parents[1], "commit", "-q", "-am", "broken")
    with pytest.raises(InputUnreadable, match=r"^HEAD:data/actions.toml:2:10: invalid TOML"):
        revisions.read_version("HEAD", repo)


@needs_git
def test_an_existing_path_wins_over_a_revision(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    other = set_field(small(), "R1", "status", "deferred")  # neither v1 nor HEAD
    write(tmp_path / "HEAD", other)
    assert revisions.read_version("HEAD", repo) == model(other)


@needs_git
def test_register_outside_git(tmp_path: Path, git_env: None) -> None:
    current = write(tmp_path / "actions.toml", small())
    with pytest.raises(
        InputUnreadable, match=r"^HEAD~1: not a file, and git cannot read it: fatal: not a git repository"
    ):
        revisions.read_version("HEAD~1", current)


def test_git_not_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    current = write(tmp_path / "actions.toml", small())
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(InputUnreadable) as caught:
        revisions.read_version("HEAD~1", current)
    assert caught.value.lines() == [
        "error: git is not installed; 'HEAD~1' is not a file, so it can only be a git revision; "
        "install git or give a register file"
    ]


def test_git_that_hangs_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    current = write(tmp_path / "actions.toml", small())
    seen: dict[str, object] = {}

    def hang(*args: object, **kwargs: object) -> object:
        seen.update(kwargs)
        raise subprocess.TimeoutExpired("git", 10)

    monkeypatch.setattr(subprocess, "run", hang)
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/git")
    with pytest.raises(InputUnreadable, match=r"^HEAD~1: git did not answer within 10 s$"):
        revisions.read_version("HEAD~1", current)
    assert seen["timeout"] == 10
