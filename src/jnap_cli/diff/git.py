"""Running git itself (no git library): its stdout, or one line that says what went wrong.

A register may sit in a repository someone else made (an unpacked archive, a clone), and a
repository's configuration can name programs for git to run. Every git call jnap makes is built by
`git_command`, which lets git run none of them: jnap runs only the read-only commands in `SUBCOMMANDS`
(none applies filters or textconv, signs, runs hooks or opens an editor), and each run overrides the
settings below, whatever the repository's `.git/config`, its includes or `.gitattributes` say.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from jnap_cli.errors import InputUnreadable
from jnap_cli.text import escape_unsafe, one_line

GIT_TIMEOUT = 10.0  # seconds; a local `git cat-file` or `git log` of one file takes milliseconds

# The git commands jnap runs, each with the options that turn off what it could otherwise run. Blobs
# are read with `cat-file blob`, the stored bytes whatever the configuration says; never `git show`,
# whose output log.*, diff.* and pager settings shape (and textconv, given --textconv).
SUBCOMMANDS: dict[str, tuple[str, ...]] = {
    "cat-file": (),  # never `--textconv` or `--filters`: `blob`, `-t`, `-s` and `--batch-check` run nothing
    "for-each-ref": (),
    "log": ("--no-show-signature", "--no-textconv", "--no-ext-diff"),
    "ls-tree": (),
    "rev-parse": (),
}

# `-c KEY=VALUE` comes after every configuration file, include and includeIf, so it wins; it is
# public and stable on every git, and git hands it on to any git it starts (a lazy fetch), which
# GIT_CONFIG_PARAMETERS (internal quoting) and GIT_CONFIG_COUNT (git >= 2.31) would do no better.
# Every key of git-config(1) whose value is a program, and what answers it:
#   core.pager, pager.<cmd>         --no-pager and GIT_PAGER (below); stdout is a pipe anyway
#   log.showSignature + gpg.program, gpg.<format>.program   showSignature off, and the programs put
#                                   back to git's defaults (gpg, gpgsm, ssh-keygen) found on PATH
#   core.fsmonitor                  false: a hook path here runs whenever git reads the index (`:path`)
#   core.hooksPath                  the null device: no hook can exist under it
#   diff.external, GIT_EXTERNAL_DIFF   --no-ext-diff on log; the variable is removed
#   diff.<driver>.textconv/.command    --no-textconv on log; blobs read by `cat-file blob`
#   filter.<driver>.clean/.smudge/.process   applied only between work tree and index, which no
#                                   command here touches (drivers are named by .gitattributes, so
#                                   they cannot be overridden by name)
#   remote.<name>.uploadpack/.receivepack/.vcs, url `ext::`, core.sshCommand, ssh.variant,
#   core.gitProxy, core.askPass, credential.helper, http.*   reached only by a fetch, which a
#                                   partial clone starts on its own for a missing object: no lazy
#                                   fetch, no transport allowed, no proxy, no helper, no prompt
#   core.alternateRefsCommand, uploadpack.packObjectsHook   only in upload-pack/receive-pack, which
#                                   need a transport (and git reads the hook from no repository)
#   core.editor, sequence.editor, interactive.diffFilter, merge.<driver>.driver, difftool.*,
#   mergetool.*, guitool.*, browser.*, man.*, help.browser, web.browser, instaweb.*, sendemail.*,
#   gpg.ssh.defaultKeyCommand, alias.*   used only by commands jnap never runs (commit, rebase,
#                                   add -p, merge, the tools, help, signing; builtins beat aliases)
SAFE_CONFIG: tuple[str, ...] = (
    "core.fsmonitor=false",
    f"core.hooksPath={os.devnull}",
    "log.showSignature=false",
    "gpg.program=gpg",
    "gpg.openpgp.program=gpg",
    "gpg.x509.program=gpgsm",
    "gpg.ssh.program=ssh-keygen",
    "core.pager=cat",
    "core.sshCommand=ssh",
    "core.askPass=",
    "credential.helper=",  # an empty value empties the list of helpers
    "protocol.allow=never",
    "core.quotePath=false",  # paths as they are
)

SAFE_ENVIRONMENT: dict[str, str] = {
    "GIT_NO_LAZY_FETCH": "1",  # a partial clone fetches no missing object (git's April 2024 releases on)
    "GIT_ALLOW_PROTOCOL": "",  # and an older git may start the fetch, but no transport: this beats every
    # protocol.<name>.allow of the repository, which protocol.allow=never alone does not
    "GIT_PROXY_COMMAND": "",  # the first core.gitProxy wins, so `-c` cannot undo one: this can
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "GIT_TERMINAL_PROMPT": "0",  # fail rather than ask for a user name or password
    "GIT_OPTIONAL_LOCKS": "0",  # read-only: take no index.lock to refresh the index
}
UNSET_ENVIRONMENT: tuple[str, ...] = ("GIT_EXTERNAL_DIFF",)


def git_command(args: Sequence[str]) -> tuple[list[str], dict[str, str]] | None:
    """The argv and environment that run `git ARGS` safely (see the module doc), or None when git is
    not installed. `ARGS[0]` is the command; it must be one of `SUBCOMMANDS`."""
    subcommand, *rest = args
    if subcommand not in SUBCOMMANDS:
        raise ValueError(f"jnap does not run 'git {subcommand}'")
    git = shutil.which("git")
    if git is None:
        return None
    options = [item for pair in SAFE_CONFIG for item in ("-c", pair)]
    environment = {key: value for key, value in os.environ.items() if key not in UNSET_ENVIRONMENT}
    environment.update(SAFE_ENVIRONMENT)
    return [git, "--no-pager", *options, subcommand, *SUBCOMMANDS[subcommand], *rest], environment


def run_git(
    args: list[str],
    where: Path,
    label: str,
    *,
    missing: tuple[str, str],
    failure: str,
    hint: str,
    stdin: bytes | None = None,
) -> bytes:
    """git's stdout. Errors name `label`: git not installed is `missing` (message, hint); git failing is
    `LABEL: FAILURE: <git's first line>`; a hang past `GIT_TIMEOUT` or a git that cannot start, one line.

    git reads `stdin` when given, else nothing (it never waits for input)."""
    import subprocess

    command = git_command(args)
    if command is None:
        raise InputUnreadable(*missing)
    argv, environment = command
    try:
        done = subprocess.run(
            argv,
            cwd=where,
            env=environment,
            input=stdin,
            stdin=subprocess.DEVNULL if stdin is None else None,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InputUnreadable(f"{one_line(label)}: git did not answer within {GIT_TIMEOUT:g} s") from None
    except OSError as exc:
        raise InputUnreadable(f"{one_line(label)}: cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        # git's own reason, not a warning before it ("lazy fetching disabled").
        lines = [line for line in lines if line.startswith(("fatal:", "error:"))] or lines
        said = escape_unsafe(lines[0]).rstrip(".") if lines else f"git exited with status {done.returncode}"
        raise InputUnreadable(f"{one_line(label)}: {failure}: {said}", hint)
    return done.stdout
