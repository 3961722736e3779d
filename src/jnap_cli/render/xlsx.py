"""Records → an Excel workbook (`--format xlsx`), for colleagues who work in a spreadsheet.

The first sheet holds every record, as JSON holds them (the same rows, the same fields, in order), so
that a filter, a sort or a pivot table sees all of them in one range. When the records come from two or
more plans, a sheet per plan follows with that plan's rows: each plan is a document of its own, with its
own numbering, and is often read alone. Each sheet has a bold header row, panes frozen below it (and
right of a narrow key column such as the id), an autofilter, prose wrapped in wide columns, statuses as
plain values a filter picks (with a list of the six on a status column, for whoever edits the sheet),
numbers as numbers and yes/no as booleans.

Register text is untrusted: text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, OWASP's
list) is stored as text with a quote prefix, never as a formula; control, bidi and zero-width characters
(which XML cannot hold, or which reorder what is shown) are shown as escapes, as in CSV.

openpyxl is imported here only, when a workbook is asked for. With SOURCE_DATE_EPOCH set, the same
records make the same bytes: the document's dates and every zip entry's time come from it.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from jnap_cli.model.vocab import STATUSES
from jnap_cli.render.cells import FORMULA_STARTS, flat
from jnap_cli.render.views import View
from jnap_cli.text import escape_unsafe

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

Record = Mapping[str, Any]

PROSE_WIDTH = 70  # a `wide` column (text, commentary): a readable measure, wrapped
MEDIUM_WIDTH = 30  # a `medium` column (a theme, a list of ids), wrapped
MAX_WIDTH = 40  # any other column fits its longest value up to this
MIN_WIDTH = 6  # room for the autofilter's button beside a short header
KEY_WIDTH = 20  # a first column at most this wide (an id, a term) stays in view when scrolling right
MAX_SHEET_NAME = 31  # Excel's limit
# Statuses a filter or an editor picks from a list: the columns that hold one.
STATUS_COLUMNS = frozenset({"status", "old_status", "new_status", "from", "to"})
# What XML 1.0 cannot hold and `escape_unsafe` leaves: the noncharacters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\ufffe\uffff]")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def workbook(
    records: Sequence[Record], fields: Sequence[str], view: View, *, title: str, environ: Mapping[str, str] = os.environ
) -> bytes:
    """The workbook of `records` (only `fields`, in order) as `.xlsx` bytes; `title` names the document.

    Dates (the document's created and modified, the zip entries' times) are SOURCE_DATE_EPOCH's in
    `environ` when it is set, so that the same records give the same bytes; else now."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    when = _when(environ)
    book = Workbook()
    sheets = _sheets(records, view)
    first = True
    for name, rows in sheets:
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None  # a new workbook has its one sheet
        sheet.title = name
        _fill(sheet, rows, fields, view)
        first = False
    book.properties.title = title
    book.properties.creator = "jnap"
    book.properties.lastModifiedBy = "jnap"
    book.properties.created = book.properties.modified = when
    packed = io.BytesIO()
    import zipfile

    # ExcelWriter, not `save_workbook`, which would stamp the modified date with the time of the run.
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    return _restamped(packed.getvalue(), when)


def _when(environ: Mapping[str, str]) -> datetime:
    """SOURCE_DATE_EPOCH (reproducible builds' convention) as a naive UTC time, else now; never before 1980,
    which a zip entry cannot record."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    return max(moment.replace(tzinfo=None, microsecond=0), datetime(1980, 1, 1))


def _restamped(data: bytes, when: datetime) -> bytes:
    """The zip `data` with every entry dated `when` (zipfile dates each entry with the time it is written)."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            stamped = zipfile.ZipInfo(entry.filename, date_time=when.timetuple()[:6])
            stamped.compress_type = zipfile.ZIP_DEFLATED
            stamped.external_attr = 0o644 << 16
            target.writestr(stamped, source.read(entry))
    return out.getvalue()


def _sheets(records: Sequence[Record], view: View) -> list[tuple[str, Sequence[Record]]]:
    """The sheets: every record on the first; then, when the records span two or more plans, one per plan."""
    plans = list(dict.fromkeys(str(r["plan"]) for r in records if r.get("plan") not in (None, "")))
    if len(plans) < 2:
        return [(_sheet_name(view.name.capitalize(), set()), records)]
    taken: set[str] = set()
    sheets: list[tuple[str, Sequence[Record]]] = [(_sheet_name("All", taken), records)]
    for plan in plans:
        sheets.append((_sheet_name(plan, taken), [r for r in records if str(r.get("plan")) == plan]))
    return sheets


def _sheet_name(wanted: str, taken: set[str]) -> str:
    """A sheet name Excel accepts: no `[]:*?/\\`, at most 31 characters, unique ignoring case."""
    base = _SHEET_NAME_FORBIDDEN.sub("_", escape_unsafe(wanted)).strip("'") or "Sheet"
    name, n = base[:MAX_SHEET_NAME], 1
    while name.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
    taken.add(name.casefold())
    return name


def _fill(sheet: Worksheet, records: Sequence[Record], fields: Sequence[str], view: View) -> None:
    """The header, a row per record, and the sheet's layout: widths, wrapping, frozen panes, the filter."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.append(list(fields))
    bold, top = Font(bold=True), Alignment(vertical="top")
    wrapped = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = bold
    for row, record in enumerate(records, start=2):
        for column, name in enumerate(fields, start=1):
            _set(sheet.cell(row=row, column=column), record.get(name), name)
    widths = [_width(name, [record.get(name) for record in records], view) for name in fields]
    for column, (name, width) in enumerate(zip(fields, widths, strict=True), start=1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = width
        wraps = name in view.wide or name in view.medium or width >= MAX_WIDTH
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.alignment = wrapped if wraps or (isinstance(cell.value, str) and "\n" in cell.value) else top
    last = f"{get_column_letter(len(fields))}{len(records) + 1}"
    sheet.auto_filter.ref = f"A1:{last}"
    key = len(fields) > 1 and widths[0] <= KEY_WIDTH and fields[0] not in view.wide
    sheet.freeze_panes = "B2" if key else "A2"
    _status_lists(sheet, fields, len(records))


def _set(cell: Any, value: Any, name: str) -> None:
    """A cell's value: numbers and booleans as themselves, None empty, anything else as escaped text;
    text that starts like a formula stays text (a quote prefix keeps it so when the cell is edited)."""
    if value is None or isinstance(value, bool | int | float):
        cell.value = value
        if name == "share" and isinstance(value, float):
            cell.number_format = "0%"
        return
    text = _NOT_XML.sub(lambda m: f"<U+{ord(m.group()):04X}>", escape_unsafe(flat(value, "\n")))
    cell.value = text
    cell.data_type = "s"  # openpyxl makes a formula of any text starting with `=`
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def _width(name: str, values: Sequence[Any], view: View) -> float:
    """A column's width in characters: prose wide, a medium column capped, the rest fitting their longest line."""
    if name in view.wide:
        return PROSE_WIDTH
    longest = max([len(name), *(len(line) for v in values for line in flat(v, "\n").splitlines())])
    cap = MEDIUM_WIDTH if name in view.medium else MAX_WIDTH
    return float(max(MIN_WIDTH, min(longest + 2, cap)))


def _status_lists(sheet: Worksheet, fields: Sequence[str], rows: int) -> None:
    """On each status column, a list of the six statuses to pick from: a typo cannot creep in when a
    colleague edits the sheet (the list lives in the rule itself, no hidden sheet)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for column, name in enumerate(fields, start=1):
        if name not in STATUS_COLUMNS or rows == 0:
            continue
        letter = get_column_letter(column)
        rule = DataValidation(
            type="list",
            formula1='"' + ",".join(STATUSES) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Not a status",
            error="A status is one of: " + ", ".join(STATUSES) + ".",
        )
        rule.add(f"{letter}2:{letter}{rows + 1}")
        sheet.add_data_validation(rule)
