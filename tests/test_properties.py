"""Property tests (hypothesis): registers and records survive TOML, the source map and every output format.

Registers are generated as data (valid ids, unique ids and per-plan numbers, statuses from the
vocabulary, `continues` only to ids that exist) with free text drawn from any Unicode text plus
fragments chosen to fool a line scanner: quotes and triple quotes, backslashes, `#`, `=`,
`[[actions]]`, `key = `, CR, CRLF, U+2028, controls and characters beyond U+FFFF.

What TOML and tomli-w cannot do, and so what the generators leave out or the tests expect:

- surrogates (U+D800–U+DFFF) are not Unicode scalar values, so TOML cannot hold them; tomli_w.dumps
  writes them raw all the same (and tomllib reads them back from a `str`), but the text cannot be
  encoded as UTF-8 to become a file;
- tomli-w refuses None (TOML has no null), so an absent `annex_marker` is an absent key;
- with `multiline_strings=True`, tomli-w writes a string holding "\\n" as a multi-line string after
  `s.replace("\\r\\n", "\\n")`: a CR before LF is lost (tomllib would have normalised a raw CRLF
  anyway). `crlf_lost` is that change; the round trip holds up to it, and exactly without the option;
- tomli-w writes an array of short tables inline (`plans = [{ id = … }]`): such tables have no header
  and no key lines for the source map to find.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from jnap_cli.cli import app
from jnap_cli.model.schema import Register
from jnap_cli.model.vocab import STATUSES, RecordFormat
from jnap_cli.query.records import PROVENANCE
from jnap_cli.register.load import load_text
from jnap_cli.register.sourcemap import scan
from jnap_cli.render.cells import flat
from jnap_cli.render.records import Output, emit
from jnap_cli.render.views import ACTION
from jnap_cli.text import UNSAFE

FIELDS = ACTION.fields
PLAN_EXTRAS = ("commentary_as_of", "commentary_source", "title_from", "year_from")
FORMATS = [member.value for member in RecordFormat]

Data = dict[str, Any]
Record = dict[str, Any]
Lines = dict[tuple[str, int, str], int]

INT64 = st.integers(-(2**63), 2**63 - 1)
IDS = st.from_regex(r"[A-Za-z][A-Za-z0-9_.-]{0,11}", fullmatch=True)
ASCII_CONTROLS = frozenset(chr(c) for c in range(32)) | {"\x7f"}

# Pieces of TOML syntax and awkward characters, mixed into otherwise arbitrary text.
FRAGMENTS = (
    '"', "'", '""', "''", '"""', "'''", '""""', "''''", "\\", "\\\\", '\\"', "\\\n", "#", "=", " = ",
    "[[actions]]", "[[plans]]", "[actions]", "\n[[actions]]\n", "\n  [[ actions ]]  # x\n", "text = ",
    'id = "X"', "\ncommentary = '''\n", '\n"""\n', "\n'''\n", '"""\n', "\n", "\r\n", "\r", "\t", "\x0c",
    "\x00", "\x1b[31m", "\x7f", "\x85", "\u2028", "\u2029", "\u202e", "\u200b", "\ufeff", "\U0001f600",
    "\U0010ffff", "\U000e0041", "\\u0041", "\\U0001F600", "\\n", "\\t", "<U+202E>", "\\x1b", ",", "|",
)  # fmt: skip
ANY_CHARACTER = st.characters(exclude_categories=["Cs"])  # every Unicode scalar value
TEXT = st.lists(st.one_of(st.text(ANY_CHARACTER, max_size=12), st.sampled_from(FRAGMENTS)), max_size=6).map("".join)
QUOTE = TEXT.filter(lambda s: re.search(r"\S", s) is not None)  # a quote is never blank (the schema's `Text`)
# Text without the characters the human-readable formats show escaped (`jnap_cli.text.UNSAFE`).
SAFE_TEXT = TEXT.map(lambda s: UNSAFE.sub("", s))


def crlf_lost(s: str) -> str:
    """What tomli-w's `multiline_strings=True` makes of a string: CRLF → LF when it holds a newline."""
    return s.replace("\r\n", "\n") if "\n" in s else s


def same(s: str) -> str:
    return s


# ---------------------------------------------------------------------------------------------
# Registers as data


@st.composite
def registers(draw: st.DrawFn, max_actions: int = 5) -> Data:
    """A valid register as TOML-ready data: every integrity rule holds."""
    # The duplicate-id rule compares action ids and plan ids case-insensitively.
    plan_ids = draw(st.lists(IDS, min_size=1, max_size=3, unique_by=str.casefold))
    action_ids = draw(st.lists(IDS, min_size=1, max_size=max_actions, unique_by=str.casefold))
    numbers = draw(
        st.lists(st.integers(1, 2**63 - 1), min_size=len(action_ids), max_size=len(action_ids), unique=True)
    )  # unique over the register, so unique within each plan
    actions = []
    for action_id, number in zip(action_ids, numbers, strict=True):
        entry: Data = {
            "id": action_id,
            "plan": draw(st.sampled_from(plan_ids)),
            "number": number,
            "theme": draw(TEXT),
            "text": draw(TEXT),
            "status": draw(st.sampled_from(STATUSES)),
        }
        optional: Data = {
            "commentary": draw(TEXT),
            "status_evidence": draw(TEXT),
            "continues": draw(st.lists(st.sampled_from(action_ids), max_size=3)),
            "references": draw(st.lists(TEXT, max_size=3)),
            "annex_marker": draw(TEXT),
            "handed_to": draw(QUOTE),
            "waits_on": draw(QUOTE),
        }
        for key, value in optional.items():
            if draw(st.booleans()):
                entry[key] = value
        keys = draw(st.permutations(list(entry)))
        actions.append({key: entry[key] for key in keys})
    plans = [{"id": plan_id, "title": draw(TEXT), "year": draw(INT64)} for plan_id in plan_ids]
    return {"title": draw(TEXT), "source": draw(TEXT), "plans": plans, "actions": actions}


def expected_action(entry: Data, fix: Callable[[str], str]) -> Data:
    """Every field of the loaded action, defaults filled in, as `model_dump(mode="json")` gives it."""
    marker = entry.get("annex_marker")
    return {
        "id": entry["id"],
        "plan": entry["plan"],
        "number": entry["number"],
        "theme": fix(entry["theme"]),
        "text": fix(entry["text"]),
        "commentary": fix(entry.get("commentary", "")),
        "status": entry["status"],
        "status_basis": entry.get("status_basis"),
        "status_evidence": fix(entry.get("status_evidence", "")),
        "handed_to": None if entry.get("handed_to") is None else fix(entry["handed_to"]),
        "waits_on": None if entry.get("waits_on") is None else fix(entry["waits_on"]),
        "continues": list(entry.get("continues", [])),
        "builds_on": [{"id": link["id"], "reason": fix(link["reason"])} for link in entry.get("builds_on", [])],
        "references": [fix(r) for r in entry.get("references", [])],
        "annex_marker": None if marker is None else fix(marker),
    }


def assert_same_register(register: Register, data: Data, fix: Callable[[str], str] = same) -> None:
    assert json.loads(json.dumps(asdict(register))) == {
        "title": fix(data["title"]),
        "source": fix(data["source"]),
        "publication": None,
        "plans": [
            {"id": p["id"], "title": fix(p["title"]), "year": p["year"], **dict.fromkeys(PLAN_EXTRAS)}
            for p in data["plans"]
        ],
        "actions": [expected_action(a, fix) for a in data["actions"]],
    }


# ---------------------------------------------------------------------------------------------
# 1. TOML round trip


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("multiline", [False, True], ids=["one-line-strings", "multiline-strings"])
@settings(max_examples=60, deadline=None)
@given(data=registers())
def test_toml_round_trip(data: Data, multiline: bool, newline: str) -> None:
    text = tomli_w.dumps(data, multiline_strings=multiline).replace("\n", newline)
    register = load_text(text, "x")
    assert_same_register(register, data, crlf_lost if multiline else same)


# ---------------------------------------------------------------------------------------------
# 2. Source map, checked against a tokenizer of the test's own (tomli-w files, with comments)


def _string_end(text: str, i: int) -> int:
    """The offset just after the TOML string that starts at `i`."""
    if text.startswith(('"""', "'''"), i):
        delim = text[i : i + 3]
        j = i + 3
        while True:
            if delim == '"""' and text[j] == "\\":
                j += 2  # an escape, or a line-ending backslash with its newline
            elif text.startswith(delim, j):
                run = 3
                while run < 5 and text[j + run : j + run + 1] == delim[0]:
                    run += 1  # up to two quotes of content just before the closing delimiter
                return j + run
            else:
                j += 1
    if text[i] == "'":
        return text.index("'", i + 1) + 1
    j = i + 1
    while text[j] != '"':
        j += 2 if text[j] == "\\" else 1
    return j + 1


def _key_at(text: str, i: int) -> tuple[str, int]:
    """The key (bare or quoted) that starts at `i`, and the offset after it."""
    if text[i] in "\"'":
        end = _string_end(text, i)
        return str(tomllib.loads(f"k = {text[i:end]}")["k"]), end
    match = re.compile(r"[A-Za-z0-9_-]+").match(text, i)
    assert match, f"no key at {text[i : i + 20]!r}"
    return match.group(), match.end()


def toml_layout(text: str) -> tuple[Lines, list[int]]:
    """Lines of `[[table]]` headers (key "") and of statement keys, the way `SourceMap.lines` keys them,
    and the offsets of the newlines that are outside strings (where a comment may go).

    A character-by-character pass over the whole text, sharing nothing with `scan`.
    """
    lines: Lines = {}
    free: list[int] = []
    counts: dict[str, int] = {}
    table, index = "", -1
    depth, statement, line, i = 0, True, 1, 0
    while i < len(text):
        ch = text[i]
        if ch == "\n":
            free.append(i)
            line += 1
            statement = statement or depth == 0
            i += 1
        elif ch in " \t\r":
            i += 1
        elif ch == "#":
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
        elif statement:
            statement = False
            if text.startswith("[[", i):
                end = text.index("]]", i)
                table = text[i + 2 : end].strip(" \t")
                index = counts.get(table, 0)
                counts[table] = index + 1
                lines[(table, index, "")] = line
                i = end + 2
            else:
                key, i = _key_at(text, i)
                assert (table, index, key) not in lines
                lines[(table, index, key)] = line
        elif ch in "\"'":
            end = _string_end(text, i)
            line += text.count("\n", i, end)
            i = end
        else:
            depth += (ch in "[{") - (ch in "]}")
            i += 1
    return lines, free


def check_layout(text: str, lines: Lines, data: Data) -> None:
    """The tokenizer's answer, checked once more by looking at the lines themselves."""
    rows = text.split("\n")
    for (table, _, key), number in lines.items():
        row = rows[number - 1].lstrip(" \t")
        if key:
            assert re.match(rf"""({re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')[ \t]*=""", row), row
        else:
            assert re.match(rf"\[\[[ \t]*{table}[ \t]*\]\]", row), row
    for index, entry in enumerate(data["actions"]):
        if ("actions", index, "") in lines:  # tomli-w writes short actions as inline tables, without headers
            assert {k for (t, i, k) in lines if t == "actions" and i == index} == {"", *entry}


COMMENT_FRAGMENTS = ("[[actions]]", "[[plans]]", "text = ", 'id = "X"', '"', "'", '"""', "'''", "\\", "#", "=")
COMMENT_TEXT = st.text(ANY_CHARACTER, max_size=8).map(
    lambda s: "".join(c for c in s if c not in ASCII_CONTROLS - {"\t"})
)
COMMENTS = st.lists(st.one_of(COMMENT_TEXT, st.sampled_from(COMMENT_FRAGMENTS)), max_size=4).map("".join)


@st.composite
def commented(draw: st.DrawFn, text: str) -> str:
    """`text` with comments at the ends of lines and on lines of their own, wherever TOML allows them."""
    _, free = toml_layout(text)
    if not free:
        return text
    picks = draw(
        st.lists(st.tuples(st.sampled_from(free), st.booleans(), st.sampled_from(["", " ", "\t  "]), COMMENTS))
    )
    insertions = [
        (offset + 1, f"{indent}#{comment}\n") if own_line else (offset, f"{indent}#{comment}")
        for offset, own_line, indent, comment in picks
    ]
    for at, insert in sorted(insertions, key=lambda item: item[0], reverse=True):
        text = text[:at] + insert + text[at:]
    return text


@settings(max_examples=150, deadline=None)
@given(data=registers(), multiline=st.booleans(), newline=st.sampled_from(["\n", "\r\n"]), draw=st.data())
def test_source_map_of_tomli_w_files(data: Data, multiline: bool, newline: str, draw: st.DataObject) -> None:
    plain = tomli_w.dumps(data, multiline_strings=multiline)
    text = draw.draw(commented(plain), label="commented").replace("\n", newline)
    assert tomllib.loads(text) == tomllib.loads(plain)  # the comments went where TOML allows them
    truth, _ = toml_layout(text)
    check_layout(text, truth, data)
    assert scan(text).lines == truth


# ---------------------------------------------------------------------------------------------
# 2b. Source map of registers written by hand: literal strings, quoted keys, spacing, interleaved tables

HEADER_FORMS = ("[[{}]]", "[[ {} ]]", "  [[{}]]", "[[\t{}]]  ")
KEY_FORMS = ("{} = ", "{}=", "{}  =\t", '"{}" = ', "'{}' = ", "  {} = ", "\t{}= ")


def _basic_multiline(s: str, continued: bool = False) -> str:
    """A multi-line basic string that escapes only what it must (quotes only where three would meet).

    `continued`: open and close it with line-ending backslashes, which trim the newline and the
    whitespace after them (so only for text that does not start with whitespace).
    """
    out, quotes = ['"""\\\n  ' if continued else '"""\n'], 0
    for ch in s:
        if ch == '"':
            out.append('\\"' if quotes == 2 else '"')
            quotes = 0 if quotes == 2 else quotes + 1
            continue
        quotes = 0
        if ch == "\\":
            out.append("\\\\")
        elif ch in ASCII_CONTROLS and ch not in "\t\n":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out) + ('\\\n  """' if continued else '"""')


def string_forms(s: str) -> list[str]:
    """Every way of writing `s` as a TOML string that reads back exactly `s`."""
    forms = [tomli_w.dumps({"k": s})[4:-1], _basic_multiline(s)]
    if s[:1] not in ("", " ", "\t", "\n"):
        forms.append(_basic_multiline(s, continued=True))
    if "\n" in s and "\r\n" not in s:
        forms.append(tomli_w.dumps({"k": s}, multiline_strings=True)[4:-1])
    controls = ASCII_CONTROLS.intersection(s)
    if "'" not in s and controls <= {"\t"}:
        forms.append(f"'{s}'")
    if "'''" not in s and controls <= {"\t", "\n"}:
        forms.append(f"'''\n{s}'''")
    return forms


@st.composite
def hand_written(draw: st.DrawFn, data: Data, headers: tuple[str, ...] = HEADER_FORMS) -> tuple[str, Lines]:
    """`data` written as a person might write it, and the line of every header and key, counted while writing."""
    chunks: list[str] = []
    lines: Lines = {}

    def line() -> int:
        return sum(chunk.count("\n") for chunk in chunks) + 1

    def comments() -> None:
        for comment in draw(st.lists(COMMENTS, max_size=2)):
            chunks.append(f"{draw(st.sampled_from(['', '  ', chr(9)]))}#{comment}\n")

    def trailing() -> str:
        return draw(st.one_of(st.just(""), COMMENTS.map(lambda c: f"  #{c}")))

    def value(v: Any) -> str:
        if isinstance(v, int):
            return str(v)
        if isinstance(v, str):
            return draw(st.sampled_from(string_forms(v)))
        items = [value(item) for item in v]
        if not items or draw(st.booleans()):
            return "[" + ", ".join(items) + "]"
        return "[" + trailing() + "\n" + "".join(f"    {item},{trailing()}\n" for item in items) + "]"

    def table(name: str, index: int, entry: Data) -> None:
        if name:
            lines[(name, index, "")] = line()
            chunks.append(draw(st.sampled_from(headers)).format(name) + trailing() + "\n")
        for key, v in entry.items():
            comments()
            lines[(name, index, key)] = line()
            chunks.append(draw(st.sampled_from(KEY_FORMS)).format(key) + value(v) + trailing() + "\n")
        comments()

    table("", -1, {"title": data["title"], "source": data["source"]})
    # Arrays of tables may be interleaved: [[plans]] [[actions]] [[plans]] is one array of each.
    order = draw(st.permutations(["plans"] * len(data["plans"]) + ["actions"] * len(data["actions"])))
    seen = {"plans": 0, "actions": 0}
    for name in order:
        table(name, seen[name], data[name][seen[name]])
        seen[name] += 1
    return "".join(chunks), lines


@settings(max_examples=150, deadline=None)
@given(data=registers(), newline=st.sampled_from(["\n", "\r\n"]), draw=st.data())
def test_source_map_of_hand_written_files(data: Data, newline: str, draw: st.DataObject) -> None:
    text, truth = draw.draw(hand_written(data), label="hand_written")
    text = text.replace("\n", newline)
    assert tomllib.loads(text) == data  # the file says what the test meant it to say
    assert scan(text).lines == truth
    register = load_text(text, "x")
    assert_same_register(register, data)


# TOML allows the table name of a header to be quoted: `[["actions"]]` is an `[[actions]]` header.
# Found by running `test_source_map_of_hand_written_files` with these spellings among HEADER_FORMS;
# this is the example hypothesis shrank it to. (Not left to hypothesis: shrinking it took over a minute.)
@pytest.mark.parametrize("header", ['[["actions"]]', "[['actions']]", '[[ "actions" ]]'])
def test_source_map_with_a_quoted_table_name(header: str) -> None:
    text = (
        'title = ""\nsource = ""\n[[plans]]\nid = "A"\ntitle = ""\nyear = 0\n'
        f'{header}\nid = "A"\nplan = "A"\nnumber = 1\ntheme = ""\ntext = ""\nstatus = "complete"\n'
    )
    assert len(tomllib.loads(text)["actions"]) == 1
    keys = [("", -1, "title"), ("", -1, "source")]
    keys += [("plans", 0, key) for key in ("", "id", "title", "year")]
    keys += [("actions", 0, key) for key in ("", "id", "plan", "number", "theme", "text", "status")]
    assert scan(text).lines == {key: line for line, key in enumerate(keys, start=1)}


# ---------------------------------------------------------------------------------------------
# 3. Records through the output formats


@st.composite
def records(
    draw: st.DrawFn, text: st.SearchStrategy[str], items: st.SearchStrategy[str]
) -> tuple[list[Record], list[str]]:
    """Records shaped like `list`/`show` output, and the fields to render (a subset, in any order)."""
    rows = [
        {
            "id": draw(IDS),
            "plan": draw(IDS),
            "number": draw(st.integers()),
            "theme": draw(text),
            "text": draw(text),
            "commentary": draw(text),
            "status": draw(st.sampled_from(STATUSES)),
            "status_basis": draw(st.none() | st.sampled_from(["stated", "inferred"])),
            "status_evidence": draw(text),
            "handed_to": draw(st.none() | text),
            "waits_on": draw(st.none() | text),
            "as_of": draw(st.none() | st.integers(0, 3000)),
            "continues": draw(st.lists(IDS, max_size=3)),
            "continued_by": draw(st.lists(IDS, max_size=3)),
            "builds_on": draw(st.lists(st.fixed_dictionaries({"id": IDS, "reason": IDS}), max_size=2)),
            "built_on_by": draw(st.lists(IDS, max_size=3)),
            "references": draw(st.lists(items, max_size=3)),
            "annex_marker": draw(st.none() | text),
            "provenance": PROVENANCE,
        }
        for _ in range(draw(st.integers(0, 4)))
    ]
    assert all(list(row) == list(FIELDS) for row in rows)
    return rows, draw(st.lists(st.sampled_from(FIELDS), min_size=1, unique=True))


def rendered(rows: list[Record], fields: list[str], fmt: str) -> str:
    """The output in `fmt`; of a workbook, the text of its cells, one a line (a newline in a cell as `\\n`)."""
    if fmt == "xlsx":
        import openpyxl

        binary = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        emit(rows, ACTION, Output(RecordFormat(fmt), ",".join(fields), stream=binary))
        book = openpyxl.load_workbook(io.BytesIO(binary.buffer.getvalue()))
        cells = [cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row]
        return "".join(str(cell).replace("\n", "\\n") + "\n" for cell in cells if cell is not None)
    out = io.StringIO()
    emit(rows, ACTION, Output(RecordFormat(fmt), ",".join(fields), stream=out))
    return out.getvalue()


def cell_text(value: Any) -> str:
    """The text a scalar stands for in a cell: None is empty, numbers are digits, a mapping as `flat` says."""
    return "" if value is None else flat(value) if isinstance(value, dict) else str(value)


def cell_list(text: str) -> list[str]:
    return text.split(",") if text else []


def items_of(value: list[Any]) -> list[str]:
    """A list's items as cells show them: ids as they are, a builds_on link as `id (reason)`."""
    return [flat(item) for item in value]


# Found by `test_source_map_of_tomli_w_files` (with many more examples than it runs by default), as
# hypothesis shrank it: a line of an array that starts with a string holding `"=` (or `".`) was taken
# for a `key =` line.
def test_source_map_reports_no_key_inside_an_array() -> None:
    text = 'references = [\n    "\\"=",\n    1.5,\n]\n'
    assert tomllib.loads(text) == {"references": ['"=', 1.5]}
    assert scan(text).lines == {("", -1, "references"): 1}


@settings(max_examples=100, deadline=None)
@given(case=records(TEXT, TEXT))
def test_json_and_jsonl_give_back_the_records(case: tuple[list[Record], list[str]]) -> None:
    rows, fields = case
    expected = [{f: row[f] for f in fields} for row in rows]
    document = json.loads(rendered(rows, fields, "json"))
    assert document == expected
    assert all(list(entry) == fields for entry in document)
    lines = rendered(rows, fields, "jsonl")
    assert lines.splitlines() == lines.split("\n")[:-1]  # no line break but "\n", even for splitlines()
    assert [json.loads(line) for line in lines.splitlines()] == expected


@settings(max_examples=100, deadline=None)
@given(case=records(SAFE_TEXT, IDS))
def test_csv_gives_back_the_text(case: tuple[list[Record], list[str]]) -> None:
    rows, fields = case
    table = list(csv.reader(io.StringIO(rendered(rows, fields, "csv"), newline="")))
    assert table[0] == fields
    assert len(table) == len(rows) + 1
    for row, cells in zip(rows, table[1:], strict=True):
        for field, cell in zip(fields, cells, strict=True):
            value = row[field]
            if isinstance(value, list):  # items one per line
                assert (cell.split("\n") if cell else []) == items_of(value)
            elif isinstance(value, str) and any(line.startswith("'") for line in value.split("\n")):
                continue  # a leading ' of its own cannot be told from the neutralising one
            else:
                assert csv_decode(cell) == cell_text(value)


def csv_decode(cell: str) -> str:
    """Undo the documented neutralisation: a `'` before a formula start or a CI command line."""
    lines = [line[1:] if line.startswith(("'::", "'##[")) else line for line in cell.split("\n")]
    text = "\n".join(lines)
    return text[1:] if text.startswith(("'=", "'+", "'-", "'@", "'\t", "'\r")) else text


@settings(max_examples=100, deadline=None)
@given(case=records(SAFE_TEXT, IDS))
def test_csv_runs_no_formula_and_no_ci_command(case: tuple[list[Record], list[str]]) -> None:
    rows, fields = case
    table = list(csv.reader(io.StringIO(rendered(rows, fields, "csv"), newline="")))
    for row, cells in zip(rows, table[1:], strict=True):
        for field, cell in zip(fields, cells, strict=True):
            if not isinstance(row[field], int):  # -1 is a number to a spreadsheet, not a formula
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
            assert not any(line.startswith(("::", "##[")) for line in cell.split("\n"))


TSV_ESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def tsv_unescape(cell: str) -> str:
    """Undo the documented TSV escapes `\\\\ \\t \\n \\r` (any other escape is a failure: KeyError)."""
    return re.sub(r"\\(.)", lambda m: TSV_ESCAPES[m.group(1)], cell, flags=re.DOTALL)


@settings(max_examples=100, deadline=None)
@given(case=records(st.one_of(SAFE_TEXT, st.sampled_from(["\r", "a\rb", "\\r", "\\\r"])), IDS))
def test_tsv_gives_back_the_text(case: tuple[list[Record], list[str]]) -> None:
    # CR is among the unsafe characters, but TSV's own `\r` escape comes first, so it comes back too.
    rows, fields = case
    out = rendered(rows, fields, "tsv")
    assert out.count("\n") == len(rows)
    for row, line in zip(rows, out.split("\n")[:-1], strict=True):
        cells = [tsv_unescape(cell) for cell in line.split("\t")]
        assert len(cells) == len(fields)
        for field, cell in zip(fields, cells, strict=True):
            if isinstance(row[field], list):
                assert cell_list(cell) == items_of(row[field])
            else:
                assert cell == cell_text(row[field])


@settings(max_examples=40, deadline=None)
@given(case=records(TEXT, TEXT))
def test_unsafe_characters_never_appear_raw(case: tuple[list[Record], list[str]]) -> None:
    rows, fields = case
    for fmt in FORMATS:
        out = rendered(rows, fields, fmt)
        assert not UNSAFE.search(out), (fmt, UNSAFE.findall(out))
        assert out.splitlines() == out.split("\n")[:-1]  # so no line break but "\n" (U+2028, \x85, \x0c…)


# ---------------------------------------------------------------------------------------------
# 4. Through the real CLI


def continued_by(data: Data) -> dict[str, list[str]]:
    reverse: dict[str, list[str]] = {}
    for entry in data["actions"]:
        for target in entry.get("continues", []):
            reverse.setdefault(target, []).append(entry["id"])
    return reverse


@settings(max_examples=15, deadline=None)
@given(data=registers(), multiline=st.booleans())
def test_cli_list_json_gives_the_records(data: Data, multiline: bool) -> None:
    fix = crlf_lost if multiline else same
    reverse = continued_by(data)
    expected = []
    for entry in data["actions"]:
        record = expected_action(entry, fix) | {
            "as_of": None,  # the generated plans say no commentary_as_of
            "continued_by": reverse.get(entry["id"], []),
            "built_on_by": [],  # nor any builds_on link
            "provenance": PROVENANCE,
        }
        expected.append({name: record[name] for name in FIELDS})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.toml"
        path.write_text(tomli_w.dumps(data, multiline_strings=multiline), encoding="utf-8", newline="")
        result = CliRunner().invoke(app, ["list", "--format", "json", "-r", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document == expected
    assert all(list(record) == list(FIELDS) for record in document)
