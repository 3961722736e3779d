"""The glossary: the bundled data, its loader's one-line errors, and lookup."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, asdict
from pathlib import Path

import pytest
from pydantic import ValidationError

from jnap_cli.errors import InputUnreadable, UsageError
from jnap_cli.model import validation
from jnap_cli.model.schema import Term
from jnap_cli.query.glossary import load_glossary, lookup
from jnap_cli.query.search import search
from jnap_cli.register.source import load
from jnap_cli.text import match_form

from .conftest import DATA, ROOT

GLOSSARY = load_glossary()
REGISTER = load(DATA)


def terms(entries: list[Term]) -> list[str]:
    return [entry.term for entry in entries]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "glossary.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the bundled glossary --------------------------------------------------------------------------


def test_bundled_glossary_has_the_plans_terms() -> None:
    assert terms(list(GLOSSARY.terms)) == [
        "JNAP",
        "CPS",
        "NPCC",
        "RASSO",
        "VAWG",
        "ISVA",
        "ABE",
        "PRFI",
        "NOM",
        "Operation Soteria (Bluestone)",
        "JOIM",
        "PTPM",
        "EA",
        "APR",
        "CJS",
        "MoJ",
        "A&S",
        "YJCEA",
        "NFA",
        "SRO",
        "DEI",
        "VLO",
        "FME",
        "AG's guidelines",
        "Bad character",
        "Suspect-/offender-/perpetrator-centric",
        "special measures",
        "third-party material",
        "Rape Data Tool",
        "Havens",
        "JNAP Steering Group",
        "JNAP Senior Steering Group",
        "National Rape Working Group",
        "External Consultation Group",
        "Joint Case Progression Working Group",
        "NPCC DEI Coordination Committee",
        "Joint Rape Improvement Group",
        "Joint Rape Improvement Steering Group",
        "cross-agency RASSO working group",
        "Performance and Data subgroup",
    ]
    assert load_glossary(ROOT / "data" / "glossary.toml") == GLOSSARY


def test_isva_entry() -> None:
    [isva] = lookup(GLOSSARY, "ISVA")
    assert isva.expansion == "Independent Sexual Violence Adviser"
    assert "Independent Sexual Violence Advisor" in isva.aliases


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
    assert terms(lookup(GLOSSARY, "Sotéria")) == ["Operation Soteria (Bluestone)"]
    assert terms(lookup(GLOSSARY, "AG’s   guidelines")) == ["AG's guidelines"]


def test_lookup_by_alias() -> None:
    assert terms(lookup(GLOSSARY, "ISVAs")) == ["ISVA"]
    assert terms(lookup(GLOSSARY, "perpetrator-centric")) == ["Suspect-/offender-/perpetrator-centric"]


def test_lookup_puts_exact_matches_first() -> None:
    assert terms(lookup(GLOSSARY, "ea")) == ["EA", "PTPM", "APR", "YJCEA", "special measures"]
    assert terms(lookup(GLOSSARY, "violence")) == ["VAWG", "ISVA"]
    assert terms(lookup(GLOSSARY, "centric")) == ["Suspect-/offender-/perpetrator-centric"]


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
        '[[terms]]\nterm = "A"\nexpansion = "a"\ndescription = "d."\n\n[[terms]]\nterm = "B"\ndescription = "d."\n',
    )
    with pytest.raises(InputUnreadable) as caught:
        load_glossary(path)
    assert caught.value.lines() == [
        f"error: {path}:6: invalid glossary: terms[2].expansion: required key is missing; fix the glossary file"
    ]


def test_wrong_type_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, '[[terms]]\nterm = "A"\nexpansion = 1\ndescription = "d."\naliases = ["a", 2]\n')
    with pytest.raises(InputUnreadable) as caught:
        load_glossary(path)
    assert (
        caught.value.message
        == f"{path}:3: invalid glossary: terms[1].expansion: input should be a valid string (and 1 more)"
    )


def test_unknown_and_blank_keys(tmp_path: Path) -> None:
    path = write(tmp_path, '[[terms]]\nterm = "A"\nexpansion = "a"\ndescription = "d."\nmeaning = "m"\n')
    with pytest.raises(
        InputUnreadable, match=r":5: invalid glossary: terms\[1\]\.meaning: unknown key \(misspelt\?\)$"
    ):
        load_glossary(path)
    path = write(tmp_path, '[[terms]]\nterm = " "\nexpansion = "a"\ndescription = "d."\n')
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
    entry = '[[terms]]\nterm = "{}"\nexpansion = "a"\ndescription = "d."\n'
    path = write(tmp_path, entry.format("ISVA") + entry.format("isva"))
    with pytest.raises(InputUnreadable) as caught:
        load_glossary(path)
    assert caught.value.message == f"{path}:6: invalid glossary: term 'isva' is already defined in entry 1"


def test_glossary_model_round_trip() -> None:
    assert validation.glossary(asdict(GLOSSARY)) == GLOSSARY
