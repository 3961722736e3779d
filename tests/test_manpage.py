"""man/jnap.1 is the `--help` of every command, as docs/cli.md is, in roff; this test fails when it is stale.

Regenerate it with `JNAP_UPDATE_DOCS=1 pytest tests/test_manpage.py`. The wheel installs it as
share/man/man1/jnap.1 (tests/test_packaging.py), where `man jnap` finds it beside the `jnap` script.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from jnap_cli import __version__

from .conftest import ROOT
from .test_cli_reference import documented, help_text

PAGE = ROOT / "man" / "jnap.1"
REGENERATE = "JNAP_UPDATE_DOCS=1 pytest tests/test_manpage.py"
WIDTH = 80  # the help as a terminal 80 columns wide shows it


def roff(text: str) -> str:
    """Plain text as roff shows it literally: backslashes and minus signs escaped (a `-` would print as a
    hyphen, which a copied option would not match), a leading `.` or `'` made text, and anything beyond
    ASCII spelt as a `\\[uXXXX]` glyph, so that any roff reads the page whatever its input encoding."""
    escaped = text.replace("\\", "\\e").replace("-", "\\-")
    escaped = "".join(ch if ord(ch) < 128 else f"\\[u{ord(ch):04X}]" for ch in escaped)
    return f"\\&{escaped}" if escaped.startswith((".", "'")) else escaped


def preformatted(text: str) -> list[str]:
    """A block printed as it is written, line for line, from the left margin: the help indents itself,
    and its examples (up to 80 columns, tests/test_help_examples.py) would not fit behind man's indent."""
    return [".nf", ".in 0", *(roff(line) for line in text.strip("\n").splitlines()), ".in", ".fi"]


def exit_codes() -> list[str]:
    """The README's exit-code table (one place for that fact) as a roff list."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| `(\w+)` \| (.+) \|$", readme, flags=re.MULTILINE)
    assert rows, "README.md has no exit-code table"
    lines = []
    for code, name, meaning in rows:
        plain = meaning.replace("`", "").replace("\\|", "|")  # Markdown code spans and escaped bars
        lines += [".TP", f"\\fB{code}\\fR", roff(f"{name}: {plain}")]
    return lines


def manpage() -> str:
    root = help_text("", WIDTH)
    usage, _, description = root.partition("\n\n")
    summary = " ".join(description.partition("\n\n")[0].split()).rstrip(".")
    lines = [
        f'.TH JNAP 1 "" "jnap {__version__}" "User Commands"',
        ".nh",  # no hyphens: an option split across lines could not be copied
        ".ad l",
        ".\\\" Generated from `jnap --help` and each command's `--help` by tests/test_manpage.py; do not edit.",
        ".SH NAME",
        roff(f"jnap - {summary[:1].lower()}{summary[1:]}"),
        ".SH SYNOPSIS",
        roff(usage.removeprefix("Usage: ")),
        ".SH DESCRIPTION",
        *preformatted(description),
        ".SH COMMANDS",
        roff("Each command's --help, with its examples. The task pages in the docs/ folder of jnap's"),
        roff("repository have more; docs/cli.md holds this reference too."),
    ]
    for command in documented()[1:]:
        lines += [f'.SS "jnap {roff(command)}"', *preformatted(help_text(command, WIDTH).partition("\n\n")[2])]
    lines += [".SH EXIT STATUS", *exit_codes()]
    return "\n".join(lines) + "\n"


def test_the_man_page_is_current() -> None:
    expected = manpage()
    if os.environ.get("JNAP_UPDATE_DOCS"):
        PAGE.parent.mkdir(exist_ok=True)
        PAGE.write_text(expected, encoding="utf-8")
    assert PAGE.read_text(encoding="utf-8") == expected, f"man/jnap.1 is stale: run {REGENERATE}"


def test_roff_escapes_what_roff_would_read() -> None:
    assert roff("-o, --output") == "\\-o, \\-\\-output"
    assert roff(".TH injected") == "\\&.TH injected"
    assert roff("'quoted") == "\\&'quoted"
    assert roff("a\\b") == "a\\eb"
    assert roff("Police–CPS") == "Police\\[u2013]CPS"


@pytest.mark.skipif(shutil.which("man") is None or shutil.which("groff") is None, reason="man or groff is absent")
def test_man_renders_the_page_in_80_columns(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "MANWIDTH": "80", "MANPAGER": "cat"}
    env["LANG"] = "C.UTF-8"
    result = subprocess.run(
        ["man", "--warnings", "-l", str(PAGE)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    shown = re.sub(r".\x08", "", result.stdout)  # bold and underline by overstriking, when man does
    name = "jnap - the register of the Police–CPS Joint National Action Plan (JNAP)\n       on rape"
    assert f"NAME\n       {name}\n" in shown
    assert "SYNOPSIS\n       jnap [OPTIONS] COMMAND [ARGS]...\n" in shown
    assert "   jnap schema\n  The JSON Schema of a register file" in shown
    assert "\nOptions:\n  -o, --output FILE  Write the schema to FILE ('-': stdout);" in shown
    assert "\n  $ jnap schema -o jnap-register.schema.json\n" in shown
    assert "\n       130    INTERRUPTED: interrupted (Ctrl-C)\n" in shown
    too_wide = [line for line in shown.splitlines() if len(line) > 80]
    assert too_wide == []
