"""The register's JSON Schema (`jnap schema`): generated from the loader's models, shipped in data/, and
held to agree with the loader by a real validator (jsonschema) and by taplo, the editors' TOML tool."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from jnap_cli.errors import JnapError
from jnap_cli.model.json_schema import FILE_NAME, REGENERATE, register_schema_text
from jnap_cli.register.load import load_document, load_text

from .conftest import DATA, ROOT, Run

SHIPPED = ROOT / "data" / FILE_NAME
# .ci/run installs taplo here with npm; a taplo on PATH will do too.
TAPLO = shutil.which("taplo", path=str(ROOT / ".tools" / "taplo" / "node_modules" / ".bin")) or shutil.which("taplo")


def shipped_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SHIPPED.read_text(encoding="utf-8"))
    return loaded


def register_document() -> dict[str, Any]:
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


def test_the_shipped_schema_is_current() -> None:
    assert SHIPPED.read_text(encoding="utf-8") == register_schema_text(), (
        f"data/{FILE_NAME} is stale (the register's models changed): run `{REGENERATE}`"
    )


def test_schema_prints_the_shipped_schema(run: Run) -> None:
    result = run("schema")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == SHIPPED.read_text(encoding="utf-8")
    assert result.stdout.endswith("}\n")
    assert run("schema", "-o", "-").stdout == result.stdout


def test_schema_writes_a_file(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "register.schema.json"
    target.write_text("an older schema\n", encoding="utf-8")
    result = run("schema", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"jnap: wrote {target}: the JSON Schema of a register file\n"
    assert target.read_bytes() == SHIPPED.read_bytes()
    assert sorted(os.listdir(tmp_path)) == ["register.schema.json"]


def test_schema_refuses_a_directory(run: Run, tmp_path: Path) -> None:
    result = run("schema", "-o", str(tmp_path))
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"jnap: error: invalid value for '--output' / '-o': file '{tmp_path}' is a directory; "
        "see 'jnap schema --help'\n"
    )
    assert os.listdir(tmp_path) == []


def test_schema_never_writes_over_the_register(run: Run, register_copy: Path) -> None:
    """`-o` naming the register (by any spelling) is refused before anything is written: it once replaced
    the register with the schema."""
    before = register_copy.read_bytes()
    for spelling in (str(register_copy), f"{register_copy.parent}/../{register_copy.parent.name}/actions.toml"):
        result = run("-r", str(register_copy), "schema", "-o", spelling)
        assert (result.exit_code, result.stdout) == (2, "")
        assert (
            result.stderr
            == f"jnap: error: {spelling}: that is the register (or one of its files); write the schema elsewhere\n"
        )
    assert register_copy.read_bytes() == before


def test_the_schema_says_what_the_loader_checks() -> None:
    schema = shipped_schema()
    action = schema["$defs"]["Action"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["title", "source", "plans"]
    assert schema["additionalProperties"] is False
    assert action["additionalProperties"] is False
    assert action["required"] == ["id", "plan", "number", "theme", "text", "status"]
    assert action["properties"]["number"] == {"minimum": 1, "type": "integer"}
    assert action["properties"]["annex_marker"] == {"type": "string"}  # TOML has no null
    assert schema["$defs"]["Status"]["enum"] == [
        "complete",
        "in-progress",
        "ongoing",
        "transferred",
        "deferred",
        "not-started",
    ]
    assert schema["$defs"]["StatusBasis"]["enum"] == ["stated", "inferred"]
    assert action["properties"]["continues"]["items"]["pattern"] == "^[A-Za-z][A-Za-z0-9_.-]*$"
    assert schema["$defs"]["BuildsOn"]["required"] == ["id"]
    assert "title" not in action["properties"]["id"]  # no titles made from key names


def test_the_shipped_register_passes_the_schema() -> None:
    jsonschema.validate(register_document(), shipped_schema(), cls=jsonschema.Draft202012Validator)


Mutation = Callable[[dict[str, Any]], None]


def _set(*path: str | int, value: object) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        target: Any = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return mutate


def _delete(*path: str | int) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        target: Any = document
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return mutate


BROKEN: dict[str, tuple[Mutation, str]] = {
    "an unknown status": (_set("actions", 0, "status", value="done"), "'done' is not one of"),
    "an unknown status basis": (_set("actions", 0, "status_basis", value="guessed"), "'guessed' is not one of"),
    "a string number": (_set("actions", 0, "number", value="3"), "'3' is not of type 'integer'"),
    "a number below 1": (_set("actions", 0, "number", value=0), "0 is less than the minimum of 1"),
    "a string year": (_set("plans", 0, "year", value="2022"), "'2022' is not of type 'integer'"),
    "an unknown action key": (_set("actions", 0, "statuss", value="complete"), "('statuss' was unexpected)"),
    "an unknown plan key": (_set("plans", 0, "colour", value="red"), "('colour' was unexpected)"),
    "an unknown top-level key": (_set("owner", value="CPS"), "('owner' was unexpected)"),
    "an unknown link key": (_set("actions", 1, "builds_on", 0, "why", value="x"), "('why' was unexpected)"),
    "a missing status": (_delete("actions", 0, "status"), "'status' is a required property"),
    "a missing title": (_delete("title"), "'title' is a required property"),
    "a missing link id": (_delete("actions", 1, "builds_on", 0, "id"), "'id' is a required property"),
    "an id with a space": (_set("actions", 0, "id", value="R 1"), "does not match"),
    "a continues id with a slash": (_set("actions", 0, "continues", value=["O/1"]), "does not match"),
    "an id too long": (_set("actions", 0, "id", value="R" * 65), "is too long"),
    "a references string": (_set("actions", 0, "references", value="Annex A"), "is not of type 'array'"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_the_schema_and_the_loader_refuse_the_same_mistakes(case: str) -> None:
    mutate, message = BROKEN[case]
    document = copy.deepcopy(register_document())
    mutate(document)
    assert document["actions"][1]["builds_on"] or "link" not in case  # the link cases need a link to break
    with pytest.raises(jsonschema.ValidationError) as refused:
        jsonschema.validate(document, shipped_schema(), cls=jsonschema.Draft202012Validator)
    assert message in refused.value.message
    with pytest.raises(JnapError):
        load_document(document, "", "actions.toml")


def _taplo(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert TAPLO is not None
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(cwd), "XDG_CACHE_HOME": str(cwd / ".cache"), "NO_COLOR": "1"}
    return subprocess.run([TAPLO, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False)


needs_taplo = pytest.mark.skipif(
    TAPLO is None, reason="taplo is not installed (.ci/run installs it: npm install --prefix .tools/taplo @taplo/cli)"
)


@needs_taplo
def test_taplo_checks_the_shipped_register_by_its_schema_line(tmp_path: Path) -> None:
    """data/actions.toml names data/jnap-register.schema.json in its `#:schema` line, as an editor reads it."""
    assert DATA.read_text(encoding="utf-8").startswith(f"#:schema ./{FILE_NAME}\n")
    shutil.copyfile(DATA, tmp_path / "actions.toml")
    shutil.copyfile(SHIPPED, tmp_path / FILE_NAME)
    result = _taplo("check", "actions.toml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr


@needs_taplo
def test_taplo_follows_the_schema_line_jnap_init_writes(run: Run, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    for path in (good, bad):
        assert run("init", str(path), "--plan", "p:A plan:2025").exit_code == 0
    action = 'id = "P1"\nplan = "p"\nnumber = {number}\ntheme = "T"\ntext = "Do it."\nstatus = "{status}"\n'
    good.write_text(good.read_text(encoding="utf-8") + "\n[[actions]]\n" + action.format(number=1, status="ongoing"))
    bad.write_text(bad.read_text(encoding="utf-8") + "\n[[actions]]\n" + action.format(number='"1"', status="done"))
    load_text(good.read_text(encoding="utf-8"), "good.toml")  # the loader takes what taplo takes
    result = _taplo("check", "good.toml", "bad.toml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert errors == [
        'error: "1" is not of type "integer"',
        'error: "done" is not one of ["complete","in-progress","ongoing","transferred","deferred","not-started"]',
    ], result.stderr
    assert "good.toml" not in result.stderr.replace("collect_files", "")
    assert f"{bad}:" in result.stderr
