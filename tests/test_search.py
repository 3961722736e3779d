"""Full-text search: matching rules, ranking, snippets and suggestions, on the real register and made-up ones."""

from __future__ import annotations

import pytest

from jnap_cli.errors import UsageError
from jnap_cli.model.terms import Glossary, Term
from jnap_cli.query.glossary import load_glossary
from jnap_cli.query.search import Hit, search, suggest
from jnap_cli.register.source import load
from jnap_cli.text import fold, match_form

from .conftest import DATA
from .registers import made_up

REGISTER = load(DATA)
GLOSSARY = load_glossary()


def ids(hits: list[Hit]) -> list[str]:
    return [hit.action.id for hit in hits]


def marked(hit: Hit) -> list[str]:
    """The highlighted parts of the snippet."""
    return [hit.snippet[start:end] for start, end in hit.spans]


# --- the real register -----------------------------------------------------------------------------


def test_prefix_match_at_word_starts() -> None:
    hits = search(REGISTER, "prosecut")
    assert len(hits) == 15
    for hit in hits:
        assert all(fold(part) == "prosecut" for part in marked(hit))
        assert " prosecut" in " " + fold(hit.snippet).replace("(", " ")
    assert search(REGISTER, "cution") == []


def test_acronym_finds_its_expansion_with_the_glossary() -> None:
    [hit] = search(REGISTER, "PRFI", glossary=GLOSSARY)
    assert hit.action.id == "R7"
    assert hit.score == 7.5  # text: the expansion (half of 3) and the acronym (3); commentary: 3 × "PRFI" (1 × 3)
    assert hit.field == "text"
    assert hit.snippet == (
        "…to significantly reduce the number of cases pending response further investigation (PRFI) following"
        " an action plan."
    )
    assert marked(hit) == ["pending response further investigation", "PRFI"]


def test_acronym_and_expansion_find_the_same_actions() -> None:
    by_acronym = search(REGISTER, "ISVA", glossary=GLOSSARY)
    by_expansion = search(REGISTER, "Independent Sexual Violence Adviser", glossary=GLOSSARY)
    assert ids(by_acronym) == ids(by_expansion) == ["O2", "R15", "O3", "O21"]
    r15 = by_acronym[1]
    assert r15.field == "commentary"
    assert marked(r15) == ["Independent Sexual Violence Advisors", "ISVAs"]
    # Without the glossary the spelling "Adviser" is nowhere in the register.
    assert search(REGISTER, "Independent Sexual Violence Adviser") == []
    assert ids(search(REGISTER, "ISVA")) == ["O2", "R15", "O3", "O21"]


def test_glossary_forms_match_whole_words() -> None:
    """ "EA" is Early Advice, not every word starting with "ea"."""
    # O6 writes "early investigative advice", a glossary alias of EA; only O7 writes "EA" itself, so it comes first.
    assert ids(search(REGISTER, "EA", glossary=GLOSSARY)) == ["O7", "O6", "R6", "R7"]
    plain = search(REGISTER, "EA")
    assert len(plain) == 13
    # Without the glossary "ea" is any word's start; O7, whose commentary has the word "EA" whole, comes first.
    assert plain[0].action.id == "O7"
    assert (plain[1].action.id, plain[1].snippet, marked(plain[1])) == (
        "R6",
        "Early advice and case conferences take place across police forces and CPS Areas to drive our commitment to"
        " building…",
        ["Ea"],
    )


def test_glossary_synonyms_inside_a_longer_query() -> None:
    hits = search(REGISTER, "Independent Sexual Violence Adviser special measures", glossary=GLOSSARY)
    # "special measures" is a glossary term: one phrase, one term. "ISVAs" is another form of "Adviser": half.
    assert [(hit.action.id, hit.score, hit.field) for hit in hits] == [("O3", 3.5, "text"), ("O21", 3.5, "commentary")]
    assert marked(hits[1]) == ["ISVAs", "special measures"]
    # Without the glossary the four words are searched one by one, and "Adviser" is nowhere.
    assert search(REGISTER, "Independent Sexual Violence Adviser special measures") == []


def test_centric_synonyms() -> None:
    # O18 pilots an "offender-centric" model and reports a "perpetrator-centric" one: one glossary entry.
    assert ids(search(REGISTER, "offender-centric", glossary=GLOSSARY)) == ["O18"]
    assert ids(search(REGISTER, "perpetrator-centric", glossary=GLOSSARY)) == ["O18"]
    # The annex never says that R8's "suspect-centric approach" is that model: its own entry, not a synonym.
    assert ids(search(REGISTER, "suspect-centric", glossary=GLOSSARY)) == ["R8"]


def test_every_word_must_match() -> None:
    both = search(REGISTER, "soteria training")
    assert ids(both) == ["R18", "R10"]
    assert set(ids(both)) < set(ids(search(REGISTER, "soteria")))
    assert set(ids(both)) < set(ids(search(REGISTER, "training")))
    assert search(REGISTER, "soteria zebra") == []


def test_quoted_phrase_matches_in_order() -> None:
    assert ids(search(REGISTER, '"early advice memorandum"')) == ["O6", "O7"]
    assert search(REGISTER, '"memorandum early"') == []
    hit = search(REGISTER, "“Early Advice Memorandum”")[0]  # curly quotes work too
    assert marked(hit) == ["Early Advice Memorandum"]


def test_phrase_spans_line_breaks() -> None:
    """R4's commentary has two paragraphs; a phrase across the break still matches."""
    hits = search(REGISTER, '"JNAP work. Regular meetings"')
    assert ids(hits) == ["R4", "O23"]
    assert hits[0].snippet == (
        "…to discuss, agree and progress the JNAP work. Regular meetings with the Victims’ Commissioner, London’s"
        " Victims’…"
    )
    assert marked(hits[0]) == ["JNAP work. Regular meetings"]


def test_curly_apostrophe_matches_straight() -> None:
    [hit] = search(REGISTER, "Attorney General's guidelines", fields=["text"])
    assert hit.action.id == "R13"
    assert marked(hit) == ["Attorney", "General’s", "guidelines"]


def test_fields_restrict_the_search() -> None:
    hits = search(REGISTER, "victims", fields=("theme",))
    assert ids(hits) == ["R14", "R15", "R16", "R17", "O1", "O2", "O3", "O4", "O5"]
    assert {hit.field for hit in hits} == {"theme"}
    assert hits[0].snippet == "Working together to improve our engagement with victims"
    assert hits[0].spans == ((48, 55),)


def test_regex() -> None:
    hits = search(REGISTER, r"\bJOIMs?\b", regex=True)
    assert ids(hits) == ["O9", "O10", "O11"]
    assert [hit.score for hit in hits] == [3.0, 3.0, 1.0]
    assert marked(hits[0]) == ["JOIM", "JOIM"]
    [hit] = search(REGISTER, r"\d+/\d+/\d+-day", regex=True)
    assert hit.action.id == "O10"
    assert marked(hit) == ["28/56/90-day"]


def test_regex_is_case_insensitive() -> None:
    assert ids(search(REGISTER, "operation SOTERIA BLUESTONE", regex=True)) == ["R19"]


def test_invalid_regex() -> None:
    with pytest.raises(UsageError) as caught:
        search(REGISTER, "(unclosed", regex=True)
    assert caught.value.message == "invalid regular expression: missing ), unterminated subpattern at position 0"


@pytest.mark.parametrize("query", ["", "   ", '""', '" "'])
def test_blank_query(query: str) -> None:
    with pytest.raises(UsageError) as caught:
        search(REGISTER, query)
    assert caught.value.message == "empty search query"


def test_blank_regex() -> None:
    with pytest.raises(UsageError, match="empty search query"):
        search(REGISTER, " ", regex=True)


def test_unknown_field() -> None:
    with pytest.raises(UsageError) as caught:
        search(REGISTER, "victims", fields=("status",))
    assert caught.value.lines() == ["error: cannot search field 'status'; choose from theme, text, commentary"]


def test_suggestions_for_a_misspelling() -> None:
    assert search(REGISTER, "soteira") == []
    assert suggest(REGISTER, "soteira") == ["Soteria"]
    assert suggest(REGISTER, "soteira", glossary=GLOSSARY) == ["Soteria"]
    assert suggest(REGISTER, "operation soteira", glossary=GLOSSARY) == ["Operation Soteria", "Soteria"]
    assert suggest(REGISTER, "prosecusion", limit=2) == ["prosecution", "prosecutions"]
    assert suggest(REGISTER, "isav", glossary=GLOSSARY) == ["ISVA"]
    assert suggest(REGISTER, "xyzzyq") == []


# --- made-up registers --------------------------------------------------------------------------


def test_accents_are_ignored_both_ways() -> None:
    register = made_up({"text": "An updated résumé for the café"}, {"text": "A plain resume"})
    hits = search(register, "resume")
    assert ids(hits) == ["R1", "R2"]
    assert marked(hits[0]) == ["résumé"]
    assert ids(search(register, "RÉSUMÉ CAFE")) == ["R1"]


def test_decomposed_accents_stay_with_their_letters() -> None:
    text = "Le re\u0301sume\u0301 final"
    [hit] = search(made_up({"text": text}), "resume")
    assert marked(hit) == ["re\u0301sume\u0301"]


def test_sharp_s_positions_map_back_to_the_original() -> None:
    register = made_up({"text": "Die Straße ist groß, die Straße ist lang"})
    [hit] = search(register, "strasse")
    assert marked(hit) == ["Straße", "Straße"]
    assert hit.spans == ((4, 10), (25, 31))
    [hit] = search(register, "GROSS lang")
    assert marked(hit) == ["groß", "lang"]
    # A match that ends inside the folding of "ß" covers the whole character.
    [hit] = search(register, "stras")
    assert marked(hit) == ["Straß", "Straß"]


def test_case_is_ignored() -> None:
    register = made_up({"text": "The CPS and the police"})
    assert ids(search(register, "cps POLICE")) == ["R1"]


def test_every_word_must_match_but_may_match_in_different_fields() -> None:
    register = made_up(
        {"theme": "Victims", "text": "Letters", "commentary": "published"},
        {"theme": "Victims", "text": "Letters"},
        {"commentary": "victims letters published"},
    )
    assert set(ids(search(register, "victims letters published"))) == {"R1", "R3"}


def test_ranking_by_field_then_count() -> None:
    register = made_up(
        {"commentary": "one widget"},
        {"text": "one widget"},
        {"theme": "Widgets"},
        {"commentary": "a widget, widget widget widget"},  # four occurrences count as three
        {"commentary": "another widget"},
    )
    hits = search(register, "widget")
    assert [(hit.action.id, hit.score, hit.field) for hit in hits] == [
        ("R2", 3.0, "text"),  # rule 2: the heaviest field holding the word
        ("R3", 2.0, "theme"),
        ("R4", 3.0, "commentary"),  # rule 4: more occurrences in the same field
        ("R1", 1.0, "commentary"),  # rule 5: a tie keeps register order
        ("R5", 1.0, "commentary"),
    ]


def test_ranking_bonus_when_all_terms_share_a_field() -> None:
    register = made_up(
        {"theme": "Alpha", "commentary": "beta"},  # 2 + 1
        {"commentary": "beta alpha"},  # 1 + 1 + 2 × 1
        {"text": "alpha and beta"},  # 3 + 3 + 2 × 3
        {"commentary": "and then alpha beta"},  # 1 + 1 + 2 × 1, but the words as typed (rule 2)
    )
    hits = search(register, "alpha beta")
    assert [(hit.action.id, hit.score) for hit in hits] == [("R4", 4.0), ("R3", 12.0), ("R2", 4.0), ("R1", 3.0)]
    # The snippet comes from the action's own words (commentary) before the theme it shares.
    assert [hit.field for hit in hits] == ["commentary", "text", "commentary", "commentary"]


def test_snippet_field_is_the_one_matching_most_terms() -> None:
    register = made_up({"theme": "Our People", "text": "Training for our people in every area"})
    [hit] = search(register, "people training")
    assert hit.field == "text"
    assert marked(hit) == ["Training", "people"]


def test_snippet_is_cut_at_spaces_around_the_first_match() -> None:
    words = [f"w{n:02d}" for n in range(60)]
    words[30] = "needle"
    text = " ".join(words)  # 242 characters; "needle" starts at 120
    [hit] = search(made_up({"text": text}), "needle")
    # From the first word start at least 40 characters before the match, to the last space within 120.
    expected = " ".join(words[20:49])
    assert hit.snippet == f"…{expected}…"
    assert len(expected) == 118
    start = hit.snippet.index("needle")
    assert hit.spans == ((start, start + 6),)


def test_snippet_collapses_whitespace() -> None:
    text = "First\tparagraph ends.\n\nSecond\u00a0paragraph   starts."
    [hit] = search(made_up({"commentary": text}), '"ends. second"')
    assert hit.snippet == "First paragraph ends. Second paragraph starts."
    assert marked(hit) == ["ends. Second"]


def test_snippet_spans_fold_to_the_query_words() -> None:
    hits = search(REGISTER, "victims prosecution team")
    assert hits
    for hit in hits:
        for part in marked(hit):
            assert fold(part) in {"victims", "prosecution", "team"}


def test_hostile_text_is_returned_literally() -> None:
    text = "[bold]Red[/bold] alert \x1b[31m and [link=http://x]here[/link]"
    [hit] = search(made_up({"text": text}), "red alert")
    assert hit.snippet == text
    assert marked(hit) == ["Red", "alert"]
    [hit] = search(made_up({"text": text}), "[bold]", regex=False)
    assert marked(hit) == ["[bold]"]


def test_regex_on_made_up_text() -> None:
    register = made_up({"text": "colour"}, {"text": "color"}, {"text": "hue"})
    assert ids(search(register, "colou?r", regex=True)) == ["R1", "R2"]
    # Matches of nothing at all do not count.
    assert search(register, "z*", regex=True) == []


def test_unclosed_quote_runs_to_the_end() -> None:
    register = made_up({"text": "early advice given"}, {"text": "advice given early"})
    assert ids(search(register, '"early advice')) == ["R1"]


def test_glossary_both_ways_on_made_up_text() -> None:
    glossary = Glossary(
        terms=(
            Term(
                term="ISVA",
                expansion="Independent Sexual Violence Adviser",
                description="A supporter of victims.",
                aliases=("Independent Sexual Violence Advisor",),
            ),
        )
    )
    register = made_up(
        {"text": "Meetings with Independent Sexual Violence Advisors."},
        {"text": "Meetings with the ISVA."},
        {"text": "An Independent review of sexual violence."},
    )
    # The form the user typed first (rule 2), then the others.
    assert ids(search(register, "isva", glossary=glossary)) == ["R2", "R1"]
    assert ids(search(register, "independent sexual violence adviser", glossary=glossary)) == ["R1", "R2"]
    assert ids(search(register, '"Independent Sexual Violence Advisor"', glossary=glossary)) == ["R1", "R2"]
    assert ids(search(register, "isva")) == ["R2"]


def test_match_form() -> None:
    assert match_form("  Attorney  General’s\u00a0Guidelines ") == "attorney general's guidelines"
    assert match_form("Police–CPS") == "police-cps"
    assert match_form("Straße") == "strasse"
