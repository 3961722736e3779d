"""Where the cache lives: jnap's own answer on Linux (no platformdirs import) is platformdirs' answer."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from platformdirs import user_cache_path

from jnap_cli.register import cache_files

SETTINGS = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "/", "/abs", "/abs/", "relative", "./x", "~/x", "~", "/a b/c", "//double", "/é"]),
    st.text(alphabet="/abc~. ", max_size=8),
)


@pytest.mark.skipif(sys.platform != "linux", reason="the shortcut is Linux's; elsewhere platformdirs answers")
@settings(max_examples=200, deadline=None)
@given(xdg=SETTINGS, home=SETTINGS)
def test_the_cache_directory_is_platformdirs_answer(xdg: str | None, home: str | None) -> None:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (("XDG_CACHE_HOME", xdg), ("HOME", home)):
            if value is None:
                patch.delenv(name, raising=False)
            else:
                patch.setenv(name, value)
        assert cache_files.directory() == user_cache_path("jnap", appauthor=False) / "registers"
