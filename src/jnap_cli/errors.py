"""The failure vocabulary: named exit codes and the one exception family the CLI turns into them."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jnap_cli.model.finding import Finding


class ExitCode(IntEnum):
    """Exit codes shared by every command (tabled in the README)."""

    OK = 0
    FINDINGS = 1  # check problems, differences, no match
    USAGE = 2  # usage error, or a register that cannot be read or is invalid
    WRITE_REFUSED = 3  # a write refused, register unchanged
    INTERNAL = 70  # a bug in jnap (EX_SOFTWARE)
    INTERRUPTED = 130  # Ctrl-C


class JnapError(Exception):
    """A failure the user can act on: a one-line message, an optional hint and an exit code."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def lines(self) -> list[str]:
        """The lines to print on stderr, each after `jnap: `."""
        return [f"error: {self.message}" if self.hint is None else f"error: {self.message}; {self.hint}"]


class Terminated(BaseException):
    """SIGTERM or SIGHUP (a CI cancel, `timeout`, a closed terminal): like Ctrl-C's KeyboardInterrupt, it
    unwinds the command, so that temporary files are removed and locks let go, before jnap dies of the
    signal as if it had not caught it (a shell shows exit 143 or 129)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class UsageError(JnapError):
    """The command line asks for something that cannot be done (unknown id, field, status...)."""


class InputUnreadable(JnapError):
    """An input cannot be read or parsed: the register, the glossary, a git revision, standard input.

    Made with `at`, it also knows which input (`origin`), where in it (`line`, `column`) and what
    (`problem`), so that `jnap check` can report it as a located finding.
    """

    origin: str | None = None
    line: int | None = None
    column: int | None = None
    problem: str | None = None

    @classmethod
    def at(
        cls, origin: str, problem: str, hint: str | None = None, *, line: int | None = None, column: int | None = None
    ) -> InputUnreadable:
        """`origin:line:column: problem` (the position as far as it is known)."""
        where = ":".join(str(part) for part in (origin, line, column) if part is not None)
        error = cls(f"{where}: {problem}", hint)
        error.origin, error.line, error.column, error.problem = origin, line, column, problem
        return error


class OutputFailed(JnapError):
    """Standard output cannot be written (a full disk, a vanished terminal); a closed pipe is not this."""


class NoMatch(JnapError):
    """A query matched nothing: exit 1, like grep."""

    exit_code = ExitCode.FINDINGS

    def lines(self) -> list[str]:
        return [self.message]


class WriteRefused(JnapError):
    """A write was refused and the register left unchanged."""

    exit_code = ExitCode.WRITE_REFUSED


class RegisterInvalid(JnapError):
    """The register parsed but breaks the schema or its integrity rules: one line per finding."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(f"invalid register: {len(findings)} problem(s)")
        self.findings = findings

    def lines(self) -> list[str]:
        return [finding.describe() for finding in self.findings]
