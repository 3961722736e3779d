"""The ranking rules of `jnap search` (query/search.py's docstring, docs/lookups.md): query by query on the
shipped register, one rule at a time on made-up registers, and as properties of generated registers."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jnap_cli.model.schema import Register
from jnap_cli.model.terms import Glossary, Term
from jnap_cli.query.glossary import load_glossary
from jnap_cli.query.search import Hit, search
from jnap_cli.register.source import load

from .conftest import DATA, Run
from .registers import made_up

REGISTER = load(DATA)
GLOSSARY = load_glossary()


def ids(hits: list[Hit]) -> list[str]:
    return [hit.action.id for hit in hits]


# --- the shipped register, with the glossary as `jnap search` uses it -------------------------------

SHIPPED = [
    # Rules 2 and 3. Was O6 O7 R6 R7: O6's text has only the alias "early investigative advice" and both O
    # actions repeat "Early Advice" in their commentaries; R6's text begins with the words, O7's holds them.
    ("early advice", ["R6", "O7", "O6", "R7"]),
    ('"early advice"', ["R6", "O7", "O6", "R7"]),
    # An acronym as typed before its expansion. Was O6 O7 R6 R7: only O7 writes "EA" itself.
    ("EA", ["O7", "O6", "R6", "R7"]),
    ("ISVA", ["O2", "R15", "O3", "O21"]),  # unchanged: O2's text writes "ISVAs"
    # Was as ISVA: R15 is the only one spelling it out, the others have only the acronym.
    ("Independent Sexual Violence Advisors", ["R15", "O2", "O3", "O21"]),
    # Text, then theme, then commentary. Was R13 O14 O15 O24 O5 O10: the theme outweighed the text.
    ("disclosure", ["R13", "O24", "O14", "O15", "O5", "O10"]),
    # A word in an action's text before the theme its action shares. Was R1 R2 R3 R4 R5 O16 O17 O18 O19 O14.
    ("people", ["R1", "O14", "R2", "R3", "R4", "R5", "O16", "O17", "O18", "O19"]),
    # A common word must match but counts for nothing: the order of "data". Was O12 R19 R7 O13 R3 O10 O15.
    ("the data", ["O12", "R3", "R19", "O10", "O15", "R7", "O13"]),
    ("data", ["O12", "R3", "R19", "O10", "O15", "R7", "O13"]),
    # Whole words before the starts of longer ones: "case" and "cases" by field, then "Casework" (the
    # theme of O8, O12, O13, where it once ranked them among the first; was R6 R7 R11 O6 O7 O9 O10 …).
    (
        "case",
        [
            *("R6", "R7", "R2", "R11", "R14", "R12", "O6", "O16", "R19", "R10", "R8", "R9", "R13"),
            *("O7", "O9", "O10", "O11", "O15", "R1", "O24", "O8", "O12", "O13", "O21"),
        ],
    ),
    # Only the start of a longer word anywhere: by score alone, as before.
    ("prosecut", ["R11", "O14", "O15", "O10", "R12", "O2", "O8", "O21", "R6", "R15", "R17", "R19", "O4", "O5", "O9"]),
    # The words together before the same words apart. Was O7 O9 O21 R14 R16 O2 O11 O12.
    ("joint working", ["O7", "O9", "O21", "O11", "O2", "O12", "R14", "R16"]),
    # Every word must match: a word found nowhere finds nothing.
    ("soteria training", ["R18", "R10"]),
    ("early advice zebra", []),
]


@pytest.mark.parametrize(("query", "expected"), SHIPPED, ids=[query for query, _ in SHIPPED])
def test_shipped_register_ranking(query: str, expected: list[str]) -> None:
    assert ids(search(REGISTER, query, glossary=GLOSSARY)) == expected


def test_the_issue_query_through_the_cli(run: Run) -> None:
    result = run("search", "early", "advice", "--fields", "id,score,matched")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "R6\t4.0\ttext",
        "O7\t5.5\ttext",
        "O6\t4.5\tcommentary",
        "R7\t2.0\tcommentary",
    ]
    result = run("search", "early", "advice", "zebra")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "jnap: no actions match 'early advice zebra'\n")


# --- one rule at a time ---------------------------------------------------------------------------

EA = Glossary(terms=(Term("EA", "Early Advice", "Advice from the start.", ("early investigative advice",)),))


def test_rule_2_the_words_as_typed_by_field_and_rule_3_a_field_that_begins_with_them() -> None:
    register = made_up(
        {"text": "Early investigative advice in every case.", "commentary": "EA, EA and EA."},  # the glossary only
        {"commentary": "Early advice was given."},
        {"text": "We give early advice."},
        {"text": "Early advice in every case."},
        {"theme": "Early advice", "text": "Other work."},
        {"text": "Advice, given early."},  # the words apart
    )
    hits = search(register, "early advice", glossary=EA)
    assert [(hit.action.id, hit.typed, hit.begins) for hit in hits] == [
        ("R4", "text", True),
        ("R3", "text", False),
        ("R5", "theme", True),
        ("R2", "commentary", True),
        ("R1", None, False),  # the glossary's forms only: 1.5 in the text, 3 × 0.5 in the commentary
    ]
    assert [hit.score for hit in hits] == [3.0, 3.0, 2.0, 1.0, 3.0]
    # Without the glossary R1 and R6 both have the words apart in their text, and tie.
    assert ids(search(register, "early advice")) == ["R4", "R3", "R5", "R2", "R1", "R6"]


def test_rule_2_whole_words_before_the_start_of_longer_ones() -> None:
    register = made_up({"text": "Casework reviews."}, {"commentary": "A case review."}, {"commentary": "Many cases."})
    assert ids(search(register, "case")) == ["R2", "R3", "R1"]


def test_rule_2_with_a_regex_is_the_heaviest_field_with_a_match() -> None:
    register = made_up({"commentary": "widgets, widgets, widgets"}, {"text": "a widget"})
    assert ids(search(register, r"\bwidgets?\b", regex=True)) == ["R2", "R1"]


def test_rule_4_a_glossary_form_or_a_word_start_counts_half() -> None:
    register = made_up(
        {"text": "Review with each Independent Sexual Violence Advisor."},
        {"text": "Review with each ISVA."},
        {"text": "Reviewers meet each ISVA."},
        {"text": "Reviews with each ISVA."},  # a plural "s" is still the word
    )
    glossary = Glossary(terms=(Term("ISVA", "Independent Sexual Violence Advisor", "A supporter of victims."),))
    hits = search(register, "ISVA review", glossary=glossary)
    # ISVA 3 (the expansion: 1.5) + review 3 (the start of "Reviewers": 1.5) + 2 × 3 for the text holding both.
    assert [(hit.action.id, hit.score) for hit in hits] == [("R2", 12.0), ("R4", 12.0), ("R1", 10.5), ("R3", 10.5)]


def test_rule_4_a_common_word_counts_for_nothing() -> None:
    register = made_up(
        {"text": "widget", "commentary": "The the the."},
        {"text": "A big widget and the rest."},
        {"theme": "The plan", "commentary": "widget"},
    )
    scored = [(hit.action.id, hit.score, hit.field) for hit in search(register, "widget")]
    assert scored == [("R1", 3.0, "text"), ("R2", 3.0, "text"), ("R3", 1.0, "commentary")]
    assert [(hit.action.id, hit.score, hit.field) for hit in search(register, "the widget")] == scored


# --- properties -----------------------------------------------------------------------------------

FIELDS = ("text", "theme", "commentary")  # heaviest first
WORDS = [
    "early",
    "advice",
    "Early Advice",
    "early investigative advice",
    "EA",
    "each",
    "ISVA",
    "ISVAs",
    "Independent Sexual Violence Advisors",
    "victim",
    "victims",
    "victimisation",
    "support",
    "the",
    "and",
    "case",
    "cases",
    "casework",
]
QUERIES = st.one_of(
    st.lists(
        st.sampled_from(["early advice", "EA", "ISVA", "advice", "victim", "case", "the", "support", "early"]),
        min_size=1,
        max_size=3,
    ).map(" ".join),
    st.sampled_from(['"early advice"', "independent sexual violence", "victims support", "the case"]),
)
FIELD_TEXTS = st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join)
ACTIONS = st.lists(st.tuples(FIELD_TEXTS, FIELD_TEXTS, FIELD_TEXTS), min_size=1, max_size=8)


def generated(actions: list[tuple[str, str, str]]) -> Register:
    return made_up(*({"text": text, "theme": theme, "commentary": commentary} for text, theme, commentary in actions))


def typed_words(query: str) -> list[str]:
    return query.replace('"', "").lower().split()


def as_typed(query: str, hit: Hit) -> tuple[int, bool]:
    """Rules 2 and 3 by hand: (how heavy the heaviest field holding the query as typed is, whether it begins it)."""
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, typed_words(query))) + r"s?(?!\w)")
    for weight, name in zip((3, 2, 1), FIELDS, strict=True):
        found = pattern.search(getattr(hit.action, name).lower())
        if found:
            return weight, found.start() == 0
    return 0, False


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=ACTIONS, query=QUERIES)
def test_the_query_as_typed_ranks_first_by_field(actions: list[tuple[str, str, str]], query: str) -> None:
    """Rules 2 and 3: no hit ranks above one holding the query as typed in a heavier field, or in the same
    field from its start; a glossary form (acronym, alias) or the start of a longer word does not count."""
    hits = search(generated(actions), query, glossary=GLOSSARY)
    keys = [as_typed(query, hit) for hit in hits]
    assert keys == sorted(keys, reverse=True), [hit.action.id for hit in hits]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=ACTIONS, query=QUERIES, chosen=st.integers(min_value=0), field=st.sampled_from(FIELDS))
def test_adding_the_query_as_typed_never_lowers_an_action(
    actions: list[tuple[str, str, str]], query: str, chosen: int, field: str
) -> None:
    """Writing the user's words into one more field of an action never puts below it an action it ranked above,
    and puts it above every action that matches only through the glossary or with words apart."""
    chosen %= len(actions)
    before = ids(search(generated(actions), query, glossary=GLOSSARY))
    fields = dict(zip(FIELDS, actions[chosen], strict=True))
    fields[field] = f"{fields[field]} {' '.join(typed_words(query))}"
    actions[chosen] = (fields["text"], fields["theme"], fields["commentary"])
    hits = search(generated(actions), query, glossary=GLOSSARY)
    after = ids(hits)
    name = f"R{chosen + 1}"
    below = set(after[after.index(name) + 1 :])
    if name in before:
        assert set(before[before.index(name) + 1 :]) <= below, (before, after)
    assert {hit.action.id for hit in hits if as_typed(query, hit)[0] == 0} <= below, after
