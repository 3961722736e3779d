"""The package's shape: one order inside it, readable from the folder names, which every import follows
(imports inside functions count too); the core never needs Typer or Rich; no module imports itself
back through others."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from jnap_cli.model.vocab import DiffFormat, FindingFormat, RecordFormat

from .conftest import ROOT

PACKAGE = ROOT / "src" / "jnap_cli"
# Bottom to top: a module imports from its own package or from a package on a layer below, never from
# one beside it or above it. `jnap_cli` itself holds `__version__` only.
ORDER: tuple[tuple[str, ...], ...] = (
    ("jnap_cli", "model", "text", "progress"),  # types, vocabularies, integrity; text folding; progress
    ("errors",),  # the failure vocabulary (its findings are the model's)
    ("files",),  # the one writer of files, and the writers' lock
    ("register",),  # reading: bytes → Register, the cache
    ("query", "checks"),  # selection, records, search; the rules `jnap check` reports
    ("diff",),  # versions, plans and history compared
    ("writing",),  # edits, lossless and locked; new registers
    ("render",),  # every output format
    ("cli",),  # Typer wiring
    ("entry",),  # the `jnap` script
    ("__main__",),  # `python -m jnap_cli`
)
LAYER = {package: layer for layer, packages in enumerate(ORDER) for package in packages}
CORE_TOP = LAYER["writing"]  # everything up to the writing side imports without Typer or Rich


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_imports(source: str, modules: set[str]) -> set[str]:
    """The jnap_cli modules that `source` imports anywhere: at the top, inside functions, when type checking."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("jnap_cli"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in modules else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("jnap_cli"))
    return {target for target in found if target in modules}


def imports() -> dict[str, set[str]]:
    """Each jnap_cli module → the jnap_cli modules it imports anywhere in its body."""
    paths = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: module_imports(path.read_text(encoding="utf-8"), set(paths)) - {name} for name, path in paths.items()}


def package(module: str) -> str:
    """`jnap_cli.register.cache` → `register`; `jnap_cli.errors` → `errors`; `jnap_cli` → `jnap_cli`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def against_the_order(graph: dict[str, set[str]]) -> list[str]:
    """Every import from one package to another that is not on a layer below it."""
    return sorted(
        f"{source} → {target}"
        for source, targets in graph.items()
        for target in targets
        if package(source) != package(target) and LAYER[package(target)] >= LAYER[package(source)]
    )


def test_every_package_has_its_place_in_the_order() -> None:
    assert {package(module) for module in imports()} <= set(LAYER)


def test_imports_follow_the_order() -> None:
    assert against_the_order(imports()) == []


def test_a_planted_import_against_the_order_is_found() -> None:
    """The test sees an import inside a function, and one between packages on the same layer."""
    modules = set(imports())
    planted = "def indexed():\n    from jnap_cli.query.search import search\n    return search\n"
    graph = {"jnap_cli.register.cache": module_imports(planted, modules)}
    assert against_the_order(graph) == ["jnap_cli.register.cache → jnap_cli.query.search"]
    assert against_the_order({"jnap_cli.query.stats": {"jnap_cli.checks.rules"}}) == [
        "jnap_cli.query.stats → jnap_cli.checks.rules"
    ]
    assert against_the_order({"jnap_cli.writing.edits": {"jnap_cli.query.select", "jnap_cli.checks.rules"}}) == []


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
    core = [m for m in imports() if LAYER[package(m)] <= CORE_TOP]
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
