"""Tables lose no word at any width: every word of every cell appears, and no line is wider than the terminal."""

from __future__ import annotations

import json
import re

import pytest
from rich.cells import cell_len

from jnap_cli.render import views
from jnap_cli.render.cells import flat

from .conftest import Run

VIEWS = {
    "list": views.ACTION,
    "show": views.ACTION_DETAIL,
    "search": views.SEARCH_HIT,
    "plans": views.PLAN,
    "themes": views.THEME,
    "glossary": views.TERM,
    "check": views.FINDING,
}

WIDTHS = [40, 60, 80, 120, 200]
COMMANDS = [
    ["list"],
    ["list", "--fields", "id,plan,number,theme,text,commentary,status,status_evidence,continues,references"],
    ["show", "R4", "O12"],
    ["search", "victims"],
    ["plans"],
    ["themes", "--fields", "plan,theme,actions,ids"],
    ["glossary"],
    ["check", "--fields", "file,line,action,field,severity,code,message"],
]


def words(value: object) -> list[str]:
    """The words of a JSON value as a table shows them (escaped text, lists item by item)."""
    if value is None:
        return []
    if isinstance(value, list):
        return [word for item in value for word in words(item)]
    return re.findall(r"\S+", flat(value))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_word_of_every_cell_is_shown(run: Run, command: list[str], width: int) -> None:
    env = {"COLUMNS": str(width)}
    table = run(*command, "--format", "table", env=env)
    assert table.exit_code == 0, table.output
    lines = table.stdout.split("\n")
    assert max(cell_len(line) for line in lines) <= width
    shown = set(re.findall(r"\S+", table.stdout))
    folded = re.sub(r"\n *", "", table.stdout)  # a word longer than a block's line is folded onto the next
    fields = next((command[i + 1] for i, arg in enumerate(command) if arg == "--fields"), None)
    document = json.loads(run(*command, "--format", "json", env=env).stdout)
    records = document["findings"] if isinstance(document, dict) else document
    # Rich marks a cropped cell with an ellipsis: none may appear that the data does not have.
    assert table.stdout.count("…") <= json.dumps(records, ensure_ascii=False).count("…")
    names = fields.split(",") if fields else VIEWS[command[0]].summary
    for record in records:
        for name, value in record.items():
            if name not in names:
                continue
            for word in words(value):
                # A word may end a line with its list separator, or be folded in a block narrower than it.
                assert word in shown or f"{word}," in shown or word in folded, (name, word)
