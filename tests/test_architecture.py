"""The package's shape: arrows point one way (cli → render → core), the core never needs Typer or Rich,
and no module imports itself back through others (imports inside functions count too)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from jnap_cli.model.vocab import DiffFormat, FindingFormat, RecordFormat

from .conftest import ROOT

PACKAGE = ROOT / "src" / "jnap_cli"
CORE = ("model", "register", "query", "diff", "checks", "errors", "text", "files")
LAYERS = {"cli": 2, "render": 1, **dict.fromkeys(CORE, 0)}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Each jnap_cli module → the jnap_cli modules it imports anywhere in its body."""
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("jnap_cli"):
                for alias in node.names:
                    candidate = f"{node.module}.{alias.name}"
                    found.add(candidate if candidate in modules else node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names if alias.name.startswith("jnap_cli"))
        graph[name] = {target for target in found if target != name and target in modules}
    return graph


def layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_arrows_point_one_way() -> None:
    wrong = [
        f"{source} → {target}"
        for source, targets in imports().items()
        for target in targets
        if (s := layer(source)) is not None and (t := layer(target)) is not None and t > s
    ]
    assert wrong == []


def test_no_import_cycles() -> None:
    graph = imports()
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str], on_path: set[str], done: set[str]) -> None:
        for target in sorted(graph[node]):
            # A package's __init__ importing its own modules (cli → cli.app) is how packages work.
            if target in on_path and not node.startswith(target + "."):
                cycles.append([*path[path.index(target) :], target])
            elif target not in done and target not in on_path:
                on_path.add(target)
                visit(target, [*path, target], on_path, done)
                on_path.discard(target)
        done.add(node)

    done: set[str] = set()
    for start in sorted(graph):
        if start not in done:
            visit(start, [start], {start}, done)
    assert cycles == []


def test_the_core_imports_without_typer_or_rich() -> None:
    core = [m for m in imports() if layer(m) == 0]
    script = (
        "import importlib, sys\n"
        f"for name in {core!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'rich', 'click')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"
    assert len(core) >= 20


def test_start_up_imports_only_the_wiring_and_the_vocabularies() -> None:
    """Rich, pydantic and the core are imported by the commands that need them, not by `import jnap_cli.cli`."""
    script = (
        "import sys\nfrom jnap_cli.cli import app\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'pydantic', 'jnap_cli')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    loaded = set(done.stdout.strip()[2:-2].split("', '"))
    wiring = {m for m in loaded if m.startswith("jnap_cli.cli")}
    assert loaded - wiring == {"jnap_cli", "jnap_cli.errors", "jnap_cli.model", "jnap_cli.model.vocab",
                               "jnap_cli.render", "jnap_cli.render.views", "jnap_cli.text"}  # fmt: skip


def test_every_record_format_is_a_finding_and_a_diff_format() -> None:
    records = {member.value for member in RecordFormat}
    assert records <= {member.value for member in FindingFormat}
    assert records <= {member.value for member in DiffFormat}
    assert {member.value for member in FindingFormat} - records == {"text", "github"}
    assert {member.value for member in DiffFormat} - records == {"text"}


def test_a_run_builds_only_the_command_it_names() -> None:
    from jnap_cli.cli.application import COMMANDS, build, invoked

    assert invoked(["-r", "x.toml", "--no-color", "list", "--status", "ongoing"]) == "list"
    assert invoked(["--register", "show", "show", "R4"]) == "show"  # the option's value is not the command
    assert invoked(["--version"]) == ""
    assert invoked(["--help"]) is invoked(["lst"]) is invoked([]) is None
    assert [c.name for c in build("list").registered_commands] == ["list"]
    assert build("").registered_commands == []
    everything = build(None)
    assert len(everything.registered_commands) + len(everything.registered_groups) == len(COMMANDS)
    assert invoked(["cache", "info", "-f", "json"]) == "cache"  # a group: its sub-commands come with it
    only_cache = build("cache")
    assert (only_cache.registered_commands, [g.name for g in only_cache.registered_groups]) == ([], ["cache"])
