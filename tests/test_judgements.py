"""Where work went (`handed_to`) and what it waits on (`waits_on`): register judgements quoted from the
commentary, read, checked, shown, filtered, written and reported like the status evidence (issue 19)."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree.ElementTree import Element

import html5lib  # type: ignore[import-untyped]
import pytest

from .conftest import DATA, Run
from .registers import Data, action, set_field, small, write

HANDED = "the Joint Working Group"
WAITING = "once the review has reported"


def judged() -> Data:
    """`small()` with a transferred action that says where its work went, and a deferred one that waits."""
    data = small()
    data["actions"] += [
        action("R4", "refresh", 4, status="transferred", handed_to=HANDED,
               commentary="The work has passed to the Joint Working Group.", status_evidence="has passed to"),
        action("R5", "refresh", 5, status="deferred", waits_on=WAITING,
               commentary="We will review it once the review has reported.", status_evidence="We will review it"),
    ]  # fmt: skip
    return data


def checked(run: Run, path: Path) -> list[dict[str, object]]:
    result = run("check", "--strict", "--format", "json", "-r", str(path))
    findings: list[dict[str, object]] = json.loads(result.stdout)["findings"]
    return findings


# --- reading: the schema -------------------------------------------------------------------------


@pytest.mark.parametrize("value", [3, ["a"], " "])
def test_a_handed_to_that_is_not_a_quote_is_refused_with_its_line(run: Run, tmp_path: Path, value: object) -> None:
    path = write(tmp_path / "actions.toml", set_field(judged(), "R4", "handed_to", value))
    result = run("list", "-r", str(path))
    assert result.exit_code == 2, result.output
    lines = path.read_text(encoding="utf-8").split("\n")
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("handed_to =") and n > lines.index('id = "R4"'))
    assert result.stderr.startswith(f"jnap: {path}:{line}: action R4: handed_to: error: "), result.stderr
    assert result.stderr.endswith("[schema]\n")
    if value == " ":
        assert "' ' is blank: give the words, or leave the key out [schema]" in result.stderr


# --- check -----------------------------------------------------------------------------------------


def test_a_clean_register_with_both_judgements_has_no_finding(run: Run, tmp_path: Path) -> None:
    assert checked(run, write(tmp_path / "actions.toml", judged())) == []


def test_a_quote_not_in_the_commentary_is_an_error_with_its_line(run: Run, tmp_path: Path) -> None:
    data = set_field(judged(), "R4", "handed_to", "the  Joint\nWorking Group")  # whitespace runs: still found
    data = set_field(data, "R5", "waits_on", "once the review has been published")
    path = write(tmp_path / "actions.toml", data)
    result = run("check", "-r", str(path))
    assert result.exit_code == 1
    line = path.read_text(encoding="utf-8").split("\n").index('waits_on = "once the review has been published"') + 1
    assert result.stdout == (
        f"{path}:{line}: action R5: waits_on: error: waits_on 'once the review has been published' is not in "
        "the commentary [quote-not-found]\n"
    )


def test_control_characters_in_a_quote_are_an_error(run: Run, tmp_path: Path) -> None:
    hostile = "the Joint\x1b[31m Working\u202e Group"
    data = set_field(judged(), "R4", "commentary", f"The work has passed to {hostile}.")
    path = write(tmp_path / "actions.toml", set_field(data, "R4", "handed_to", hostile))
    codes = {(f["code"], f["field"]) for f in checked(run, path)}
    assert ("control-character", "handed_to") in codes
    shown = run("show", "R4", "-f", "table", "-r", str(path), env={"COLUMNS": "80"}).stdout
    assert "\x1b" not in shown and "\u202e" not in shown and "Handed to ʳ" in shown


def test_a_transferred_action_without_handed_to_is_a_warning(run: Run, tmp_path: Path) -> None:
    data = judged()
    del data["actions"][-2]["handed_to"]
    findings = checked(run, write(tmp_path / "actions.toml", data))
    assert [(f["code"], f["severity"], f["action"], f["field"]) for f in findings] == [
        ("handed-to-missing", "warning", "R4", "handed_to")
    ]
    assert findings[0]["message"] == "status 'transferred' does not say where the work went (handed_to)"


def test_waits_on_on_a_complete_action_is_a_warning_and_handed_to_is_not(run: Run, tmp_path: Path) -> None:
    data = set_field(judged(), "R5", "status", "complete")
    data = set_field(data, "R1", "handed_to", "every team")  # a hand-off inside a complete action: fine
    findings = checked(run, write(tmp_path / "actions.toml", data))
    assert [(f["code"], f["action"], f["message"]) for f in findings] == [
        ("waits-on-status", "R5", "waits_on on a 'complete' action: only a deferred or in-progress one waits")
    ]


# --- output ----------------------------------------------------------------------------------------

SHOW_O7 = """\
Status ʳ           transferred
Status basis ʳ     stated
Status evidence ʳ  The wider action to improve joint working has passed to the
                   Joint Case Progression working group.
Handed to ʳ        the Joint Case Progression working group
As of              2022
"""


def test_show_labels_the_judgements_in_words_with_the_register_mark(run: Run) -> None:
    shown = run("show", "O7", "-f", "table", "-r", str(DATA), env={"COLUMNS": "80", "NO_COLOR": "1"}).stdout
    assert SHOW_O7 in shown
    assert "Waits on" not in shown  # an empty field is left out of a block
    waiting = run("show", "R14", "-f", "table", "-r", str(DATA), env={"COLUMNS": "80"}).stdout
    assert "Waits on ʳ         dependent on timeliness of case progression\n" in waiting


def test_json_carries_both_keys_null_when_absent_and_their_provenance(run: Run) -> None:
    records = json.loads(run("show", "O7", "R11", "R1", "-f", "json", "-r", str(DATA)).stdout)
    assert [(r["handed_to"], r["waits_on"]) for r in records] == [
        ("the Joint Case Progression working group", None),
        (None, "once we have implemented and fully embedded the complementary NOMs"),
        (None, None),
    ]
    keys = list(records[0])
    assert keys[keys.index("status_evidence") + 1 : keys.index("status_evidence") + 3] == ["handed_to", "waits_on"]
    assert {"handed_to", "waits_on"} <= set(records[0]["provenance"]["register"])


def test_list_filters_on_hand_offs_and_waits(run: Run) -> None:
    handed = run("list", "--handed-off", "--fields", "id,status,handed_to", "-f", "tsv", "-r", str(DATA))
    assert handed.stdout == (
        "R3\ttransferred\tthe NPCC Diversity Equality and Inclusion Coordination Committee\n"
        "O7\ttransferred\tthe Joint Case Progression working group\n"
        "O10\tcomplete\tthe Operation Soteria pathfinder work\n"
        "O12\tcomplete\ta cross-CJS project team to manage the roll out of the tool\n"
    )
    waiting = run("list", "--waiting", "-S", "deferred", "-f", "csv", "--fields", "id,waits_on", "-r", str(DATA))
    assert waiting.stdout == (
        "id,waits_on\nR14,dependent on timeliness of case progression\n"
        "O11,The Action Plan processes continue to be tested by the Pathfinder Areas\n"
    )
    none = run("list", "--waiting", "--status", "complete", "-r", str(DATA))
    assert (none.exit_code, none.stderr) == (1, "jnap: no actions match\n")
    typo = run("list", "--fields", "id,handed_too", "-r", str(DATA))
    assert typo.exit_code == 2 and "did you mean handed_to?" in typo.stderr


def test_a_warm_run_from_the_cache_shows_them(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = write(tmp_path / "actions.toml", judged())
    cold = run("show", "R4", "R5", "-f", "json", "-r", str(path))
    assert [p.name for p in (tmp_path / "cache").rglob("*") if p.is_file()], "the cold run wrote a cache"
    warm = run("show", "R4", "R5", "-f", "json", "-r", str(path))
    assert cold.exit_code == warm.exit_code == 0 and warm.stdout == cold.stdout
    assert [(r["handed_to"], r["waits_on"]) for r in json.loads(warm.stdout)] == [(HANDED, None), (None, WAITING)]


# --- writers ---------------------------------------------------------------------------------------


def test_set_status_sets_a_quote_after_the_evidence_and_says_so(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", judged())
    result = run("set-status", "R3", "in-progress", "--evidence", "Work is under way", "--waits-on", "every area",
                 "-r", str(path))  # fmt: skip
    assert result.stderr == f"jnap: R3: status evidence replaced, status still in-progress, waits on set ({path})\n"
    lines = path.read_text(encoding="utf-8").split("\n")
    at = lines.index('status_evidence = "Work is under way"')
    assert lines[at + 1] == 'waits_on = "every area"'
    again = run("set-status", "R4", "transferred", "--evidence", "has passed to", "--handed-to", "", "-r", str(path))
    assert again.stderr == f"jnap: R4: handed to removed ({path})\n"
    assert "handed_to" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("option", "value", "code", "message"),
    [
        ("--handed-to", "the Working Group of Elsewhere", 3,
         "jnap: error: R4: --handed-to 'the Working Group of Elsewhere' is not in the commentary; quote the "
         "commentary word for word\n"),
        ("--waits-on", "Joint\x1b[2J", 2,
         "jnap: error: --waits-on contains U+001B control character; the register's text may not hold "
         "control, bidirectional or zero-width characters\n"),
        ("--handed-to", "   ", 2,
         'jnap: error: blank --handed-to; quote the commentary, or give --handed-to "" to remove it\n'),
    ],
)  # fmt: skip
def test_set_status_refuses_a_quote_that_is_not_the_commentarys(
    run: Run, tmp_path: Path, option: str, value: str, code: int, message: str
) -> None:
    path = write(tmp_path / "actions.toml", judged())
    before = path.read_bytes()
    result = run("set-status", "R4", "transferred", "--evidence", "has passed to", option, value, "-r", str(path))
    assert result.exit_code == code, result.output
    assert result.stderr.split("\n")[0] + "\n" == message
    assert path.read_bytes() == before


def test_comment_refuses_to_drop_a_quote_unless_it_is_replaced(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", judged())
    before = path.read_bytes()
    text = "We will review it when the year ends."
    dropped = run("comment", "R5", "--text", text, "-r", str(path))
    assert dropped.exit_code == 3
    assert dropped.stderr == (
        "jnap: error: R5: the new commentary no longer contains the waits_on quote 'once the review has reported'; "
        'give a new --waits-on with it, or --waits-on "" to remove it\n'
    )
    assert path.read_bytes() == before
    replaced = run("comment", "R5", "--text", text, "--waits-on", "when the year ends", "-r", str(path))
    assert replaced.stderr == f"jnap: R5: commentary replaced, waits on replaced ({path})\n"
    assert 'waits_on = "when the year ends"' in path.read_text(encoding="utf-8")


def test_edit_refuses_a_quote_that_is_not_in_the_commentary(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", judged())
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index('id = "R4"') - 1
    end = lines.index("", start)
    block = "\n".join(lines[start:end]).replace(f'handed_to = "{HANDED}"', 'handed_to = "the Board"') + "\n"
    result = run("edit", "R4", "--file", "-", "-r", str(path), input=block)
    assert (result.exit_code, result.stderr.split("\n")[0]) == (
        3, "jnap: error: R4: handed_to 'the Board' is not in the commentary; quote the commentary word for word"
    )  # fmt: skip


def test_add_takes_the_quotes_checked_against_its_commentary(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "actions.toml", judged())
    args = ("add", "--plan", "refresh", "--theme", "T", "--text", "Do it.", "--commentary", "It went to the Board.",
            "--status", "transferred", "--evidence", "It went to", "-r", str(path))  # fmt: skip
    refused = run(*args, "--handed-to", "the Council")
    assert refused.exit_code == 3 and "--handed-to 'the Council' is not in the commentary" in refused.stderr
    added = run(*args, "--handed-to", "the Board")
    assert added.exit_code == 0, added.output
    record = json.loads(run("show", "R6", "-f", "json", "-r", str(path)).stdout)[0]
    assert (record["handed_to"], record["waits_on"]) == ("the Board", None)


# --- the report ------------------------------------------------------------------------------------


def parse(text: str) -> Element:
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)  # type: ignore[no-any-return]


def words(element: Element | None) -> str:
    assert element is not None
    return " ".join("".join(element.itertext()).split())


def test_the_report_shows_them_and_lists_every_hand_off(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert run("report", "-r", str(DATA), "-o", str(out)).exit_code == 0
    root = parse(out.read_text(encoding="utf-8"))
    item = root.find(".//ol[@class='attention']/li[@data-id='O7']")
    assert words(item.find(".//dd[@class='handed-to']") if item is not None else None) == (
        "“the Joint Case Progression working group”"
    )
    item = root.find(".//ol[@class='attention']/li[@data-id='R14']")
    assert words(item.find(".//dd[@class='waits-on']") if item is not None else None) == (
        "“dependent on timeliness of case progression”"
    )
    handed = root.findall(".//section[@id='handed']//li")
    assert [(li.get("data-id"), li.get("data-status")) for li in handed] == [
        ("R3", "transferred"), ("O7", "transferred"), ("O10", "complete"), ("O12", "complete"),
    ]  # fmt: skip
    assert words(handed[3]).endswith("to “a cross-CJS project team to manage the roll out of the tool”")


def test_the_report_escapes_a_hostile_quote(run: Run, tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script> group"
    data = set_field(judged(), "R4", "commentary", f"The work has passed to the {hostile}.")
    path = write(tmp_path / "actions.toml", set_field(data, "R4", "handed_to", hostile))
    page = run("report", "-r", str(path), "-o", "-").stdout
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; group" in page
    markdown = run("report", "--format", "markdown", "-r", str(path), "-o", "-").stdout
    assert "- Handed to: “\\<script\\>alert(1)\\</script\\> group”" in markdown
