"""Long output on a terminal goes through a pager: the installed `jnap` on a pseudo-terminal, with a stand-in
pager (a Python script that keeps what it reads in a file). A real `less` never runs here."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from jnap_cli.render.pager import pager_command

from .conftest import JNAP, Run
from .registers import set_field, small, write

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")

PAGER = """\
import os, pathlib, sys
kept = pathlib.Path(sys.argv[1])
lines = int(sys.argv[2]) if len(sys.argv) > 2 else None
text = sys.stdin.read() if lines is None else "".join(sys.stdin.readline() for _ in range(lines))
kept.write_text(f"LESS={os.environ.get('LESS')} LV={os.environ.get('LV')}\\n" + text, encoding="utf-8")
print("pager: done", flush=True)
"""


@dataclass
class Seen:
    """What a run on a terminal left: its exit code, the screen (stdout, and stderr when it shares the
    terminal), stderr when it does not, and what the stand-in pager read (None: it never ran)."""

    code: int
    screen: str
    stderr: str
    paged: str | None


@pytest.fixture
def pager(tmp_path: Path) -> str:
    """The command of a stand-in pager that keeps what it reads in `paged.txt` (a count after it: reads
    that many lines and quits, as `q` in less does)."""
    script = tmp_path / "pager.py"
    script.write_text(PAGER, encoding="utf-8")
    return f"{sys.executable} {script} {tmp_path / 'paged.txt'}"


def on_terminal(
    tmp_path: Path, *args: str, env: dict[str, str], rows: int = 24, shared: bool = False, piped: bool = False
) -> Seen:
    """Run `jnap args` with stdout on a pseudo-terminal `rows` high and 80 wide (stderr too when `shared`;
    stdout a pipe when `piped`), reading the terminal as it writes."""
    import fcntl
    import pty
    import struct
    import termios

    (tmp_path / "paged.txt").unlink(missing_ok=True)
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", rows, 80, 0, 0))
    ours = ("PAGER", "JNAP_PAGER", "LESS", "LV", "COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "JNAP_REGISTER")
    environment = {name: value for name, value in os.environ.items() if name not in ours}
    environment.update({"NO_COLOR": "1", "TERM": "xterm", **env})
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(controller, 65536)
            except OSError:  # the terminal's last writer closed it
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        done = subprocess.run(
            [JNAP, *args], cwd=tmp_path, env=environment, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if piped else terminal, stderr=terminal if shared else subprocess.PIPE,
            timeout=60, check=False,
        )  # fmt: skip
    finally:
        os.close(terminal)
        reader.join(timeout=30)
        os.close(controller)
    paged = tmp_path / "paged.txt"
    screen = b"".join(chunks).decode("utf-8").replace("\r\n", "\n")
    if piped:
        screen = done.stdout.decode("utf-8")
    return Seen(
        done.returncode,
        screen,
        "" if shared else done.stderr.decode("utf-8"),
        paged.read_text(encoding="utf-8") if paged.exists() else None,
    )


def glossary_at_80(run: Run) -> str:
    return run("glossary", "-f", "table", env={"COLUMNS": "80", "NO_COLOR": "1"}).stdout


def test_long_output_on_a_terminal_goes_through_the_pager(run: Run, tmp_path: Path, pager: str) -> None:
    seen = on_terminal(tmp_path, "glossary", env={"JNAP_PAGER": pager})
    assert (seen.code, seen.stderr) == (0, "")
    assert seen.paged == "LESS=FRX LV=-c\n" + glossary_at_80(run)  # as git sets them for less
    assert seen.screen == "pager: done\n"


def test_the_users_less_options_are_kept(tmp_path: Path, pager: str) -> None:
    seen = on_terminal(tmp_path, "glossary", env={"PAGER": pager, "LESS": "-SR", "LV": ""})
    assert seen.paged is not None
    assert seen.paged.startswith("LESS=-SR LV=\n")


def test_short_output_is_printed_as_it_is(tmp_path: Path, pager: str) -> None:
    seen = on_terminal(tmp_path, "show", "R4", "--fields", "id,status", env={"JNAP_PAGER": pager})
    assert (seen.code, seen.screen, seen.paged) == (0, "ID      R4\nStatus  ongoing\n", None)
    # The same on a terminal too short for it is paged.
    short = on_terminal(tmp_path, "show", "R4", "--fields", "id,status", env={"JNAP_PAGER": pager}, rows=2)
    assert short.paged == "LESS=FRX LV=-c\nID      R4\nStatus  ongoing\n"


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--no-pager"], {}),
        ([], {"JNAP_PAGER": ""}),
        ([], {"JNAP_PAGER": "cat"}),
        ([], {"JNAP_PAGER": None, "PAGER": ""}),
    ],
    ids=["--no-pager", "JNAP_PAGER=", "JNAP_PAGER=cat", "PAGER="],
)
def test_the_pager_can_be_turned_off(
    run: Run, tmp_path: Path, pager: str, args: list[str], env: dict[str, str | None]
) -> None:
    chosen = {"JNAP_PAGER": pager, "PAGER": pager}
    assert on_terminal(tmp_path, "glossary", env=chosen).paged is not None
    turned_off = {name: value for name, value in {**chosen, **env}.items() if value is not None}
    seen = on_terminal(tmp_path, *args, "glossary", env=turned_off)
    assert (seen.code, seen.stderr, seen.paged) == (0, "", None)
    assert seen.screen == glossary_at_80(run)


def test_jnap_pager_comes_before_pager(tmp_path: Path, pager: str) -> None:
    assert on_terminal(tmp_path, "glossary", env={"PAGER": pager}).paged is not None
    other = tmp_path / "other.txt"
    seen = on_terminal(
        tmp_path, "glossary", env={"PAGER": pager.replace("paged.txt", "other.txt"), "JNAP_PAGER": pager}
    )
    assert seen.paged is not None
    assert not other.exists()


def test_piped_output_never_pages(tmp_path: Path, pager: str) -> None:
    seen = on_terminal(tmp_path, "glossary", "CPS", env={"JNAP_PAGER": pager}, rows=2, piped=True)
    assert (seen.code, seen.paged) == (0, None)
    assert seen.screen.startswith("CPS\tCrown Prosecution Service\t")  # TSV, as ever
    assert on_terminal(tmp_path, "glossary", "CPS", env={"JNAP_PAGER": pager}, rows=2).paged is not None


def test_a_pager_that_cannot_start_is_passed_by(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-pager"
    seen = on_terminal(tmp_path, "glossary", env={"JNAP_PAGER": f"{missing} -R"})
    assert seen.code == 0
    assert seen.stderr == (
        f"jnap: warning: cannot start the pager '{missing} -R' (No such file or directory); printing instead\n"
    )
    assert seen.screen == glossary_at_80(run)


def test_quitting_the_pager_early_ends_jnap_quietly(tmp_path: Path, pager: str) -> None:
    """`q` in less before the end: what jnap still writes has no reader, which is no failure (exit 0)."""
    commentary = "\n\n".join(" ".join(f"word{n}x{m}" for m in range(200)) for n in range(200))  # 2 MB of lines
    path = write(tmp_path / "actions.toml", set_field(small(), "R1", "commentary", commentary))
    seen = on_terminal(tmp_path, "show", "R1", "-r", str(path), env={"JNAP_PAGER": f"{pager} 3"})
    assert (seen.code, seen.stderr, seen.screen) == (0, "", "pager: done\n")
    assert seen.paged == "LESS=FRX LV=-c\nID                 R1\nPlan               refresh\nNumber ᵃ           1\n"


def test_a_note_on_stderr_keeps_its_place(tmp_path: Path, pager: str, register_copy: Path) -> None:
    """`check` writes its findings, then a summary on stderr: after what it printed, or, when the findings
    were paged, once the pager has ended (never onto the pager's screen). The register is named by a
    relative path, so the file column (and the wrapping) is the same wherever jnap is installed."""
    args = ("check", "-r", register_copy.name, "-f", "table", "--fields", "file,line,action,message")
    summary = "jnap: 44 actions checked: 0 error(s), 2 warning(s)\n"
    printed = on_terminal(tmp_path, *args, env={"JNAP_PAGER": pager}, shared=True)
    assert printed.paged is None
    assert printed.screen.startswith("file ")
    assert printed.screen.endswith("Progression'\n" + summary)
    paged = on_terminal(tmp_path, *args, env={"JNAP_PAGER": pager}, rows=5, shared=True)
    assert paged.paged is not None and paged.paged.endswith("Progression'\n")
    assert paged.screen == "pager: done\n" + summary


@pytest.mark.parametrize(
    ("environ", "command"),
    [
        ({}, ["less"]),
        ({"PAGER": "more -d"}, ["more", "-d"]),
        ({"PAGER": "more", "JNAP_PAGER": "less -S"}, ["less", "-S"]),
        ({"PAGER": "more", "JNAP_PAGER": ""}, None),
        ({"PAGER": ""}, None),
        ({"PAGER": " "}, None),
        ({"PAGER": "cat"}, None),
        ({"PAGER": "'my pager' --flag"}, ["my pager", "--flag"]),
        ({"PAGER": "less 'unclosed"}, ["less 'unclosed"]),  # cannot start: printed instead
    ],
)
def test_which_pager(environ: dict[str, str], command: list[str] | None) -> None:
    assert pager_command(environ) == command


def test_a_dumb_terminal_is_never_paged(run: Run, tmp_path: Path, pager: str) -> None:
    assert on_terminal(tmp_path, "glossary", env={"JNAP_PAGER": pager}).paged is not None
    seen = on_terminal(tmp_path, "glossary", env={"JNAP_PAGER": pager, "TERM": "dumb"})
    assert (seen.code, seen.paged) == (0, None)
    assert seen.screen == glossary_at_80(run)
