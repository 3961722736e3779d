"""jnap with its file-size cap lifted, to measure today's jnap on registers above 16 MiB (100k actions).

    python benchmarks/reference/jnap_uncapped.py search victim -r benchmarks/out/actions-100000-s1.toml

Not a reference: the same jnap, run as `jnap` is, with `jnap_cli.register.tomlfile.MAX_BYTES` set to
4 GiB first. Once jnap's cap is configurable (issue 11) this does nothing (the attribute may be gone).
"""

from __future__ import annotations

import contextlib

import jnap_cli.entry

with contextlib.suppress(ImportError):
    from jnap_cli.register import tomlfile

    if hasattr(tomlfile, "MAX_BYTES"):
        tomlfile.MAX_BYTES = 4 * 1024**3

if __name__ == "__main__":
    jnap_cli.entry.main()
