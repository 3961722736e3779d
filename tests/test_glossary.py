"""The glossary: the bundled data, its loader's one-line errors, and lookup."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError, asdict
from pathlib import Path

import pytest
from pydantic import ValidationError

from jnap_cli.errors import InputUnreadable, UsageError
from jnap_cli.model import validation
from jnap_cli.model.terms import Term
from jnap_cli.model.vocab import TermSource
from jnap_cli.query import glossary as glossary_module
from jnap_cli.query.glossary import load_glossary, lookup
from jnap_cli.query.search import search
from jnap_cli.register.source import load
from jnap_cli.text import match_form, squash

from .conftest import DATA, ROOT, Run

GLOSSARY = load_glossary()
REGISTER = load(DATA)
ANNEX = (ROOT / "data" / "source" / "annex.txt").read_text(encoding="utf-8")


def terms(entries: list[Term]) -> list[str]:
    return [entry.term for entry in entries]


# A source that needs no annex, for entries whose other keys a test is about.
CITED = 'source = "cited"\ncited_title = "A title"\ncited_url = "https://example.org/a"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "glossary.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the bundled glossary --------------------------------------------------------------------------


def test_bundled_glossary_has_the_annexs_named_things() -> None:
    names = terms(list(GLOSSARY.terms))
    assert len(names) == 73
    assert names[:6] == ["JNAP", "JNAP Refresh", "CPS", "NPCC", "RASSO", "VAWG"]
    # Acronyms the annex never uses are gone; the things they named stay, in the annex's words.
    for gone in ("NFA", "SRO", "DEI", "VLO", "FME", "AG's guidelines"):
        assert lookup(GLOSSARY, gone) == [], gone
    assert load_glossary(ROOT / "data" / "glossary.toml") == GLOSSARY


# Named things of the annex that `jnap glossary TERM` finds, each as the annex writes it.
ANNEX_NAMES = (
    "Operation Soteria", "Bluestone", "Joint Rape Improvement Group", "Joint Rape Improvement Steering Group",
    "Joint Case Progression working group", "JOIM", "PTPM", "NOMs", "Rape Data Tool", "Case Progression Toolkit",
    "Knowledge Hub", "Victim Transformation Programme", "National ISVA Framework", "Havens",
    "Police Digital Service", "Delivery Data Dashboards", "PRFI", "ABE", "APRs", "No Further Action letters",
    "Early Advice Memorandum of Understanding", "RASSO Quarterly Assurance Report", "Rape Scrutiny Panel",
    "Protected Characteristics Recording Data Standard", "Victim Liaison Officers", "Section 25 Information sheet",
    "College of Policing", "cross-CJS project team", "Performance and Data subgroup", "pathfinder areas",
    "Victim Familiarisation meetings", "Domestic Abuse Commissioner", "London's Victims' Commissioner",
    "Early Case Planning Conferences", "Case Management Panels", "National Protocol", "forensic evidence toolkit",
)  # fmt: skip


@pytest.mark.parametrize("name", ANNEX_NAMES)
def test_the_annexs_named_things_are_found(name: str) -> None:
    assert match_form(name) in match_form(ANNEX), name
    assert lookup(GLOSSARY, name), name


def test_every_entry_is_sourced() -> None:
    for entry in GLOSSARY.terms:
        assert entry.quotes, entry.term  # even a cited entry shows where the annex uses the name
        if entry.source is TermSource.CITED:
            assert entry.cited_title and entry.cited_url.startswith("https://"), entry.term
        else:
            assert (entry.cited_title, entry.cited_url) == ("", ""), entry.term
            assert any(match_form(entry.expansion) in match_form(quote) for quote in entry.quotes), entry.term


def test_every_quote_is_word_for_word_in_the_annex() -> None:
    for entry in GLOSSARY.terms:
        for quote in entry.quotes:
            assert squash(quote) in squash(ANNEX), f"{entry.term}: {quote!r}"


def test_the_annexs_own_forms_come_first() -> None:
    [rasso] = lookup(GLOSSARY, "RASSO")[:1]
    assert rasso.expansion == "rape and serious sexual assault"
    assert rasso.other_forms == ("Rape and Serious Sexual Offences",)
    [isva] = lookup(GLOSSARY, "ISVA")[:1]
    assert isva.expansion == "Independent Sexual Violence Advisor"
    assert isva.other_forms == ("Independent Sexual Violence Adviser",)
    annex = match_form(ANNEX)
    for entry in GLOSSARY.terms:
        for form in (entry.term, *entry.aliases):
            assert match_form(form).removesuffix("s") in annex, f"{entry.term}: {form!r}"
        for form in entry.other_forms:
            assert match_form(form) not in annex, f"{entry.term}: {form!r} is the annex's: make it an alias"


def test_descriptions_are_one_sentence() -> None:
    for entry in GLOSSARY.terms:
        assert entry.description.endswith("."), entry.term
        assert entry.description.count(". ") == 0, entry.term


def test_every_alias_occurs_in_the_register() -> None:
    text = " ".join(
        match_form(part) for action in REGISTER.actions for part in (action.theme, action.text, action.commentary)
    )
    for entry in GLOSSARY.terms:
        for alias in entry.aliases:
            assert match_form(alias) in text, f"{entry.term}: alias {alias!r} is not in the register"


def test_every_entry_is_found_in_the_register() -> None:
    for entry in GLOSSARY.terms:
        assert search(REGISTER, entry.term, glossary=GLOSSARY), entry.term


def test_no_form_names_two_entries() -> None:
    owners: dict[str, str] = {}
    for entry in GLOSSARY.terms:
        for form in dict.fromkeys(match_form(form) for form in entry.forms):
            assert form not in owners, f"{form!r} is in {owners.get(form)} and {entry.term}"
            owners[form] = entry.term


# --- lookup and synonyms ---------------------------------------------------------------------------


def test_lookup_is_case_and_accent_insensitive() -> None:
    assert terms(lookup(GLOSSARY, "moj")) == ["MoJ"]
    assert terms(lookup(GLOSSARY, "MINISTRY OF JUSTICE")) == ["MoJ"]
    assert terms(lookup(GLOSSARY, "Sotéria")) == ["Operation Soteria", "Joint Unit"]  # the Joint Unit's expansion
    assert terms(lookup(GLOSSARY, "ATTORNEY General’s   guidelines")) == ["Attorney General's guidelines"]


def test_lookup_by_alias() -> None:
    assert terms(lookup(GLOSSARY, "ISVAs")) == ["ISVA"]
    assert terms(lookup(GLOSSARY, "perpetrator-centric")) == ["offender-centric investigation model"]
    assert terms(lookup(GLOSSARY, "Independent Sexual Violence Adviser")) == ["ISVA"]  # an other form


def test_lookup_puts_exact_matches_first() -> None:
    assert terms(lookup(GLOSSARY, "ea")) == [
        "EA", "PTPM", "APR", "YJCEA", "cross-CJS project team", "pathfinder areas",
        "Early Case Planning Conferences", "Early Advice Memorandum of Understanding", "special measures",
    ]  # fmt: skip
    assert terms(lookup(GLOSSARY, "violence")) == ["VAWG", "ISVA"]
    assert terms(lookup(GLOSSARY, "centric")) == ["suspect-centric approach", "offender-centric investigation model"]


def test_lookup_of_nothing() -> None:
    assert lookup(GLOSSARY, "zebra") == []
    with pytest.raises(UsageError) as caught:
        lookup(GLOSSARY, "  ")
    assert caught.value.message == "empty glossary term"


def test_term_is_strict_and_frozen() -> None:
    with pytest.raises(ValidationError):
        validation.Term.model_validate({"term": 1, "expansion": "x", "description": "y"})
    with pytest.raises(ValidationError):
        validation.Term.model_validate({"term": "X", "expansion": "x", "description": "y", "meaning": "z"})
    entry = Term(term="X", expansion="x", description="y")
    assert entry.aliases == ()
    with pytest.raises(FrozenInstanceError):
        entry.term = "Y"  # type: ignore[misc]


# --- loading errors --------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(InputUnreadable) as caught:
        load_glossary(path)
    assert caught.value.lines() == [f"error: {path}: no such file; reinstall jnap, or pass the path of a glossary"]


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputUnreadable) as caught:
        load_glossary(tmp_path)
    assert caught.value.message == f"{tmp_path}: is a directory"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "glossary.toml"
    path.write_bytes(b'[[terms]]\nterm = "\xff"\n')
    with pytest.raises(InputUnreadable) as caught:
        load_glossary(path)
    assert caught.value.message == f"{path}:2:9: not valid UTF-8 (byte 0xff)"  # the register's own rules


def test_bad_toml(tmp_path: Path) -> None:
    path = write(tmp_path, '[[terms]]\nterm = "ISVA\n')
    with pytest.raises(InputUnreadable) as caught:
        load_glossary(path)
    assert caught.value.message == f"{path}:2:13: invalid TOML: Illegal character '\\n'"


def test_missing_key_is_located(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[terms]]\nterm = "A"\nexpansion = "a"\ndescription = "d."\n'
        + CITED
        + '\n[[terms]]\nterm = "B"\ndescription = "d."\n'
        + CITED,
    )
    with pytest.raises(InputUnreadable) as caught:
        load_glossary(path)
    assert caught.value.lines() == [
        f"error: {path}:9: invalid glossary: terms[2].expansion: required key is missing; fix the glossary file"
    ]


def test_wrong_type_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, '[[terms]]\nterm = "A"\nexpansion = 1\ndescription = "d."\naliases = ["a", 2]\n' + CITED)
    with pytest.raises(InputUnreadable) as caught:
        load_glossary(path)
    assert (
        caught.value.message
        == f"{path}:3: invalid glossary: terms[1].expansion: input should be a valid string (and 1 more)"
    )


def test_unknown_and_blank_keys(tmp_path: Path) -> None:
    path = write(tmp_path, '[[terms]]\nterm = "A"\nexpansion = "a"\ndescription = "d."\nmeaning = "m"\n' + CITED)
    with pytest.raises(
        InputUnreadable, match=r":5: invalid glossary: terms\[1\]\.meaning: unknown key \(misspelt\?\)$"
    ):
        load_glossary(path)
    path = write(tmp_path, '[[terms]]\nterm = " "\nexpansion = "a"\ndescription = "d."\n' + CITED)
    with pytest.raises(InputUnreadable, match=r":2: invalid glossary: terms\[1\]\.term: must not be blank$"):
        load_glossary(path)


def test_top_level_problems(tmp_path: Path) -> None:
    with pytest.raises(InputUnreadable) as caught:
        load_glossary(write(tmp_path, "# nothing\n"))
    assert caught.value.message.endswith("glossary.toml: invalid glossary: terms: required key is missing")
    with pytest.raises(InputUnreadable) as caught:
        load_glossary(write(tmp_path, 'terms = []\ntitle = "x"\n'))
    assert caught.value.message.endswith("glossary.toml:2: invalid glossary: title: unknown key (misspelt?)")


def test_duplicate_term(tmp_path: Path) -> None:
    entry = '[[terms]]\nterm = "{}"\nexpansion = "{}"\ndescription = "d."\n' + CITED
    path = write(tmp_path, entry.format("ISVA", "a") + entry.format("isva", "b"))
    with pytest.raises(InputUnreadable) as caught:
        load_glossary(path)
    assert (
        caught.value.message
        == f"{path}:9: invalid glossary: terms[2].term: 'isva' is already a form of entry 1 ('ISVA')"
    )


def test_glossary_model_round_trip() -> None:
    assert validation.glossary(asdict(GLOSSARY)) == GLOSSARY


# --- sources: what the loader refuses --------------------------------------------------------------

SMALL_ANNEX = "Victims’ guide published.\nIndependent Sexual Violence Advisors (ISVAs) were   trained.\n"
ISVA_ENTRY = """
[[terms]]
term = "ISVA"
expansion = "Independent Sexual Violence Advisor"
description = "Advisors."
aliases = ["ISVAs"]
source = "annex"
quotes = ["Independent Sexual Violence Advisors (ISVAs) were trained."]
"""


def sourced(tmp_path: Path, entries: str = ISVA_ENTRY, annex: str = 'annex = "source/annex.txt"\n') -> Path:
    """A glossary naming its own small annex (`source/annex.txt`, beside it), with `entries`."""
    (tmp_path / "source").mkdir(exist_ok=True)
    (tmp_path / "source" / "annex.txt").write_text(SMALL_ANNEX, encoding="utf-8")
    return write(tmp_path, annex + entries)


def refusal(path: Path) -> str:
    with pytest.raises(InputUnreadable) as caught:
        load_glossary(path, cache=False)
    [line] = caught.value.lines()
    return line.removeprefix(f"error: {path}")


def test_a_sourced_entry_loads(tmp_path: Path) -> None:
    """A quote is found word for word with its whitespace runs as one space (the annex has three)."""
    [entry] = load_glossary(sourced(tmp_path), cache=False).terms
    assert (entry.source, entry.quotes) == (
        TermSource.ANNEX,
        ("Independent Sexual Violence Advisors (ISVAs) were trained.",),
    )


def test_a_quote_not_in_the_annex(tmp_path: Path) -> None:
    path = sourced(tmp_path, ISVA_ENTRY.replace("were trained", "were all trained"))
    assert refusal(path) == (
        ":9: invalid glossary: terms[1].quotes[1]: 'Independent Sexual Violence Advisors (ISVAs) were all train…'"
        " is not word for word in the annex; fix the glossary file"
    )
    # Word for word: the annex's curly apostrophe is not a straight one.
    path = sourced(tmp_path, ISVA_ENTRY.replace("quotes = [", 'quotes = ["Victims\' guide", '))
    assert refusal(path) == (
        ':9: invalid glossary: terms[1].quotes[1]: "Victims\' guide" is not word for word in the annex;'
        " fix the glossary file"
    )


def test_an_annex_expansion_must_be_in_its_quotes(tmp_path: Path) -> None:
    path = sourced(
        tmp_path, ISVA_ENTRY.replace('"Independent Sexual Violence Advisors (ISVAs) were trained."', '"(ISVAs)"')
    )
    assert refusal(path) == (
        ":5: invalid glossary: terms[1].expansion: expansion 'Independent Sexual Violence Advisor' is in none of the"
        " entry's quotes; fix the glossary file"
    )


def test_an_entry_without_a_source(tmp_path: Path) -> None:
    path = sourced(tmp_path, ISVA_ENTRY.replace('source = "annex"\n', ""))
    assert refusal(path) == ":3: invalid glossary: terms[1].source: required key is missing; fix the glossary file"
    path = sourced(tmp_path, ISVA_ENTRY.replace('source = "annex"', 'source = "wikipedia"'))
    assert refusal(path) == (
        ":8: invalid glossary: terms[1].source: input should be 'annex' or 'cited'; fix the glossary file"
    )


def test_an_annex_source_needs_quotes_and_a_cited_one_its_title_and_address(tmp_path: Path) -> None:
    no_quotes = ISVA_ENTRY.replace('quotes = ["Independent Sexual Violence Advisors (ISVAs) were trained."]\n', "")
    assert refusal(sourced(tmp_path, no_quotes)) == (
        ":3: invalid glossary: terms[1].quotes: source 'annex' needs quotes: the annex's words the entry rests on;"
        " fix the glossary file"
    )
    cited = ISVA_ENTRY.replace('source = "annex"', 'source = "cited"\ncited_title = "Guide"')
    assert refusal(sourced(tmp_path, cited)) == (
        ":3: invalid glossary: terms[1].cited_url: source 'cited' needs cited_url: its https:// address;"
        " fix the glossary file"
    )
    plain = ISVA_ENTRY.replace(
        'source = "annex"', 'source = "cited"\ncited_title = "Guide"\ncited_url = "http://x.org"'
    )
    assert refusal(sourced(tmp_path, plain)) == (
        ":10: invalid glossary: terms[1].cited_url: must be an https:// address; fix the glossary file"
    )


def test_an_alias_in_two_entries(tmp_path: Path) -> None:
    second = ISVA_ENTRY.replace('term = "ISVA"', 'term = "Advisors"').replace(
        'expansion = "Independent Sexual Violence Advisor"',
        'expansion = "Independent Sexual Violence Advisors (ISVAs)"',
    )
    assert refusal(sourced(tmp_path, ISVA_ENTRY + second)) == (
        ":15: invalid glossary: terms[2].aliases: 'ISVAs' is already a form of entry 1 ('ISVA'); fix the glossary file"
    )


def test_a_term_or_alias_the_annex_never_uses(tmp_path: Path) -> None:
    entry = ISVA_ENTRY.replace('aliases = ["ISVAs"]', 'aliases = ["ISVAs", "Independent Sexual Violence Adviser"]')
    assert refusal(sourced(tmp_path, entry)) == (
        ":7: invalid glossary: terms[1].aliases: 'Independent Sexual Violence Adviser' is not a form the annex uses;"
        " put it in other_forms; fix the glossary file"
    )
    moved = ISVA_ENTRY.replace("source =", 'other_forms = ["Independent Sexual Violence Adviser"]\nsource =')
    assert load_glossary(sourced(tmp_path, moved), cache=False).terms[0].other_forms == (
        "Independent Sexual Violence Adviser",
    )


def test_quotes_need_an_annex_and_the_annex_must_be_there(tmp_path: Path) -> None:
    assert refusal(sourced(tmp_path, annex="")) == (
        ":8: invalid glossary: terms[1].quotes: quotes need the annex: name its text with `annex = PATH` at the top;"
        " fix the glossary file"
    )
    path = sourced(tmp_path, annex='annex = "source/gone.txt"\n')
    assert refusal(path) == (
        f":1: invalid glossary: annex: {tmp_path / 'source' / 'gone.txt'}: no such file; fix `annex` in the glossary"
    )


def test_a_sourced_glossary_is_cached_whole(tmp_path: Path) -> None:
    path = sourced(tmp_path)
    first = load_glossary(path)
    assert load_glossary(path) == first == load_glossary(path, cache=False)


def test_control_characters_in_a_description_are_escaped_on_a_terminal(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = sourced(tmp_path, ISVA_ENTRY.replace('"Advisors."', '"Advisors\\u001b[2J \\u202eevil."'))
    monkeypatch.setattr(glossary_module, "default_path", lambda: path)
    result = run("glossary", "-f", "table", env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert result.stdout.splitlines()[2] == (
        "ISVA   Independent Sexual Violence        Advisors\\x1b[2J <U+202E>evil.   annex"
    )
    # JSON carries the text as it is (escaped by JSON itself), with every field.
    [entry] = json.loads(run("glossary", "-f", "json").stdout)
    assert entry["description"] == "Advisors\x1b[2J \u202eevil."
    assert list(entry) == [
        "term", "expansion", "description", "source", "aliases", "other_forms", "quotes", "cited_title", "cited_url",
    ]  # fmt: skip
