"""The bundled register: complete, word for word from the annex, and consistent."""

from __future__ import annotations

import re
import tomllib

import pytest

from jnap_cli.model.vocab import STATUSES
from jnap_cli.register.source import load

from .conftest import DATA, SOURCE

REGISTER = load(DATA)
SOURCE_TEXT = SOURCE.read_text(encoding="utf-8")


def squash(text: str) -> str:
    return " ".join(text.split())


def test_forty_four_actions_in_annex_order() -> None:
    ids = [a.id for a in REGISTER.actions]
    assert ids == [f"R{n}" for n in range(1, 21)] + [f"O{n}" for n in range(1, 25)]
    for action in REGISTER.actions:
        assert action.id == f"{action.plan[0].upper()}{action.number}"


def test_plans_metadata() -> None:
    assert [(p.id, p.year) for p in REGISTER.plans] == [("refresh", 2022), ("original", 2021)]
    assert REGISTER.source.startswith("Police-CPS joint national rape action plan – Final Report 2024")


def test_text_and_commentary_appear_in_the_annex_in_order() -> None:
    """Provenance: every text and commentary is in the source, in register order, modulo whitespace."""
    source = squash(SOURCE_TEXT)
    position = 0
    for action in REGISTER.actions:
        for part in (action.text, *action.commentary.split("\n\n")):
            found = source.find(squash(part), position)
            assert found >= 0, f"{action.id}: {part[:60]!r} not found after offset {position}"
            position = found + len(squash(part))


def test_each_action_is_preceded_by_its_number() -> None:
    source = squash(SOURCE_TEXT)
    for action in REGISTER.actions:
        assert re.search(rf"{action.number} ?{re.escape(squash(action.text)[:40])}", source), action.id


@pytest.mark.parametrize(
    ("plan", "themes"),
    [
        (
            "refresh",
            [
                "Our People",
                "Building a strong case as early as possible",
                "Working together to improve our engagement with victims",
                "Joint commitment to scrutiny of our decisions and learning",
            ],
        ),
        (
            "original",
            [
                "Supporting Victims",
                "Casework Quality and Progression",
                "Digital Capability and Disclosure",
                "Our People and Expertise",
                "Stakeholder Engagement",
            ],
        ),
    ],
)
def test_themes_as_their_headings_read(plan: str, themes: list[str]) -> None:
    seen = list(dict.fromkeys(a.theme for a in REGISTER.actions if a.plan == plan))
    assert seen == themes
    for theme in themes:
        assert re.search(rf"^{re.escape(theme)}\s*$", SOURCE_TEXT.replace("\xa0", " "), re.MULTILINE)


def test_typos_and_typography_are_the_record() -> None:
    by_id = {a.id: a for a in REGISTER.actions}
    assert "Bi-monthly meetings take pace" in by_id["O23"].commentary
    assert "Victims’ Commissioner" in by_id["R4"].text  # curly apostrophe
    assert by_id["R14"].text.endswith("inform case-building and decision-making")  # no full stop
    assert by_id["O20"].annex_marker == "Completed"
    assert by_id["O12"].commentary.count("\n\n") == 3  # four paragraphs


def test_statuses_and_evidence() -> None:
    for action in REGISTER.actions:
        assert action.status.value in STATUSES
        assert action.status_evidence and action.status_evidence in action.commentary, action.id
    used = {a.status.value for a in REGISTER.actions}
    assert used == {"complete", "in-progress", "ongoing", "transferred", "deferred"}


def test_links_go_from_refresh_to_original() -> None:
    by_id = {a.id: a for a in REGISTER.actions}
    for action in REGISTER.actions:
        if action.plan == "original":
            assert action.continues == ()
        for target in action.continues:
            assert by_id[target].plan == "original"
    assert by_id["R4"].continues == ("O23",)
    assert by_id["R5"].continues == ("O20",)


def test_cross_references_kept_as_written() -> None:
    by_id = {a.id: a for a in REGISTER.actions}
    assert by_id["O14"].references == ("Action 23 under Our People & Expertise",)
    assert by_id["O15"].references == ("action 7 under Supp Victims",)


def test_file_parses_as_plain_toml() -> None:
    assert len(tomllib.loads(DATA.read_text(encoding="utf-8"))["actions"]) == 44
