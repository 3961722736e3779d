"""What the output stream is: a terminal or not, colour or not, and a Rich console that prints text literally."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import IO, Any, Literal

MIN_WIDTH = 20  # narrower than this, even a record per block cannot show a word a line
DEFAULT_WIDTH = 80


def isatty(stream: IO[str]) -> bool:
    """`stream.isatty()`, false for streams that cannot say (closed, or not files)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def use_color(stream: IO[str], no_color_flag: bool) -> bool:
    """Colour on a terminal unless --no-color, NO_COLOR or TERM=dumb; FORCE_COLOR forces it on."""
    if no_color_flag or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return isatty(stream)


def console_width(stream: IO[str]) -> int:
    """The terminal's width (or $COLUMNS), at least `MIN_WIDTH`; 80 when it cannot be known.

    As Rich's `Console(file=stream).width` finds it (the first of stdin, stdout and stderr that is a
    terminal, then $COLUMNS), without importing Rich.
    """
    if os.environ.get("TERM", "").lower() in ("dumb", "unknown") and isatty(stream):
        return DEFAULT_WIDTH
    width = 0
    for descriptor in (0, 1, 2):
        try:
            width = os.get_terminal_size(descriptor).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        width = int(columns)
    width = width or DEFAULT_WIDTH
    return width if width >= MIN_WIDTH else MIN_WIDTH


def console(stream: IO[str], color: bool, width: int | None = None) -> Any:
    """A Rich console on `stream`: no markup, emoji or highlighting of its own; colour only if asked."""
    from rich.console import Console

    # Rich turns colour off for TERM=dumb even when forced; FORCE_COLOR wins here, as documented.
    system: Literal["auto", "standard"] | None = None
    if color:
        system = "standard" if os.environ.get("TERM") == "dumb" else "auto"
    return Console(
        file=stream,
        width=width if width is not None else console_width(stream),
        color_system=system,
        force_terminal=color or None,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
    )


def print_renderables(
    stream: IO[str], color: bool, *renderables: Any, separate: bool = False, width: int | None = None
) -> None:
    """Print Rich renderables; without colour, trailing padding is trimmed from every line."""
    term = console(stream, color, width)
    with term.capture() as captured:
        for number, renderable in enumerate(renderables):
            if number and separate:
                term.print()
            term.print(renderable)
    text = captured.get()
    if not color:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    stream.write(text)


def write_lines(stream: IO[str], lines: Sequence[Any], *, color: bool, width: int) -> None:
    """Rich `Text` lines, already laid out to fit, written as they are: styled on a colour terminal,
    trailing spaces trimmed otherwise (as `print_renderables` does)."""
    if not color:
        stream.write("".join(line.plain.rstrip() + "\n" for line in lines))
        return
    from rich.console import COLOR_SYSTEMS

    term = console(stream, color, width)
    system = COLOR_SYSTEMS.get(term.color_system or "standard")
    parts: list[str] = []
    for line in lines:
        base = term.get_style(line.style) if line.style else None
        for segment in line.render(term):
            style = base + segment.style if base and segment.style else base or segment.style
            parts.append(style.render(segment.text, color_system=system) if style else segment.text)
        parts.append("\n")
    stream.write("".join(parts))
