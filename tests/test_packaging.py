"""The wheel, as a package index gets it: built from the checkout, it carries the data, the schema and the
man page, and once installed in a fresh virtual environment its `jnap` reads the bundled register.

One build and one venv for the module (about 6 s): the venv has no pip and no copies of the
dependencies; a .pth file lends it this environment's site-packages, after its own, so that `jnap_cli`
is the wheel's and never the checkout's (an editable install's own .pth is not read from there).
"""

from __future__ import annotations

import email
import os
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from jnap_cli import __version__

from .conftest import ROOT

WHEEL_NAME = f"jnap_cli-{__version__}-py3-none-any.whl"
DATA = f"jnap_cli-{__version__}.data/data"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out / WHEEL_NAME


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; its folder."""
    prefix = tmp_path_factory.mktemp("venv")
    venv.create(prefix, with_pip=False, symlinks=True)
    python = prefix / "bin" / "python"
    purelib = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    lent = [path for path in site.getsitepackages() if Path(path).is_dir()]
    (purelib / "zz_lent_dependencies.pth").write_text("\n".join(lent) + "\n", encoding="utf-8")
    return prefix


def names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_wheel_carries_the_data_the_schema_and_the_man_page(wheel: Path) -> None:
    carried = names(wheel)
    for shipped, inside in [
        ("data/actions.toml", "jnap_cli/data/actions.toml"),
        ("data/glossary.toml", "jnap_cli/data/glossary.toml"),
        ("data/source/annex.txt", "jnap_cli/data/source/annex.txt"),
        ("data/jnap-register.schema.json", "jnap_cli/data/jnap-register.schema.json"),
        ("man/jnap.1", f"{DATA}/share/man/man1/jnap.1"),
    ]:
        assert inside in carried, inside
        with zipfile.ZipFile(wheel) as archive:
            assert archive.read(inside) == (ROOT / shipped).read_bytes(), shipped
    assert "jnap_cli/render/templates/report.html.j2" in carried
    strays = [name for name in carried if name.startswith(("tests/", "benchmarks/", "docs/")) or "__pycache__" in name]
    assert strays == []


def test_the_wheel_says_what_an_index_shows(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        metadata = email.message_from_bytes(archive.read(f"jnap_cli-{__version__}.dist-info/METADATA"))
    assert metadata["Requires-Python"] == ">=3.11"
    assert metadata["License-Expression"] == "MIT"
    classifiers = metadata.get_all("Classifier") or []
    assert "Environment :: Console" in classifiers
    versions = sorted(c.rsplit(" ", 1)[1] for c in classifiers if c.startswith("Programming Language :: Python :: 3."))
    assert versions == ["3.11", "3.12", "3.13"]
    assert "register" in (metadata["Keywords"] or "")
    assert metadata.get_all("Project-URL") is None  # no public address yet


def _run(prefix: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": f"{prefix / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(cwd),
        "XDG_CACHE_HOME": str(cwd / "cache"),
        "TMPDIR": str(cwd),
        "LANG": "C.UTF-8",
    }
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_the_installed_jnap_reads_its_bundled_register(installed: Path, tmp_path: Path) -> None:
    code = "import jnap_cli.register.paths as p; print(p.default_path())"
    where = _run(installed, "python", "-c", code, cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed), where.stdout  # the wheel's copy, not the checkout's
    listed = _run(installed, "jnap", "list", "--format", "ids", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split()[:3] == ["R1", "R2", "R3"]
    assert len(listed.stdout.split()) == 44
    checked = _run(installed, "jnap", "check", cwd=tmp_path)
    assert checked.stderr.endswith("jnap: 44 actions checked: 0 error(s), 2 warning(s)\n"), checked.stderr


def test_the_installed_jnap_prints_the_shipped_schema(installed: Path, tmp_path: Path) -> None:
    result = _run(installed, "jnap", "schema", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "data" / "jnap-register.schema.json").read_text(encoding="utf-8")


def test_the_man_page_is_installed_where_man_finds_it(installed: Path, tmp_path: Path) -> None:
    page = installed / "share" / "man" / "man1" / "jnap.1"
    assert page.read_bytes() == (ROOT / "man" / "jnap.1").read_bytes()
    if shutil.which("man") is None:
        pytest.skip("man is not installed: the page is in place, unread")
    found = _run(installed, "man", "-w", "jnap", cwd=tmp_path)  # man-db looks in ../share/man of each PATH bin
    assert found.returncode == 0, found.stderr
    assert Path(found.stdout.strip()) == page
