"""Dependency direction: app and scheduler depend on licensing and integrations, never back.

Import lines are read for every package; the web app and the scheduler are also started in a fresh
interpreter, to see what they really load (an import can arrive through a package's __init__). And the
diagrams of docs/architecture.md show the package-level import graph as the code has it.
"""

import ast
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

WEB = ("flask", "flask_smorest", "flask_wtf", "webargs", "marshmallow", "werkzeug", "app")
# package -> modules it must not import (a module forbids its submodules too).
# Benchmarks use the product, never the other way round: its synthetic data comes from licensing.synthetic.
RULES = {
    "app": ("bench", "scheduler"),
    "licensing": ("httpx", "apscheduler", "integrations", "scheduler", "bench", *WEB),
    "integrations": (
        "flask",
        "flask_smorest",
        "flask_wtf",
        "webargs",
        "werkzeug",
        "app",
        "scheduler",
        "bench",
    ),
    # The scheduler runs outside any web worker; it may read app.config, but never load views.
    "scheduler": ("app.api", "app.officer", "app.public", "flask_smorest", "flask_wtf", "webargs", "bench"),
}
TEST_SECRET = "architecture-test-secret-0123456789abcdef"


def imports_of(tree: ast.AST):
    """Yield (line, names) for each absolute import statement; `from a import b` names `a` and `a.b`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, [alias.name]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]


def is_within(module: str, forbidden: str) -> bool:
    """Tell whether `module` is `forbidden` or one of its submodules."""
    return module == forbidden or module.startswith(forbidden + ".")


def forbidden_imports(package_dir: Path, forbidden: tuple[str, ...]) -> list[str]:
    """List every import under `package_dir` of a forbidden module, as 'path:line imports module'."""
    found = []
    for path in sorted(package_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, names in imports_of(tree):
            bad = [name for name in names if any(is_within(name, f) for f in forbidden)]
            if bad:
                found.append(f"{path.relative_to(package_dir.parent)}:{line} imports {bad[0]}")
    return sorted(found)


def module_name(path: Path, root: Path) -> str:
    """Return the dotted name of the module at `path`, relative to the folder `root`."""
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_cycle(root: Path, package: str) -> list[str]:
    """Return modules of `package` (a folder of `root`) importing one another in a circle, or []."""
    package_dir = root.joinpath(*package.split("."))
    paths = {module_name(p, root): p for p in sorted(package_dir.rglob("*.py"))}
    graph = {
        module: sorted(
            {n for _, names in imports_of(ast.parse(path.read_text(encoding="utf-8"))) for n in names}
            & (paths.keys() - {module})
        )
        for module, path in paths.items()
    }
    done: set[str] = set()

    def visit(chain: list[str]) -> list[str]:
        for imported in graph[chain[-1]]:
            if imported in chain:
                return [*chain[chain.index(imported) :], imported]
            if imported not in done and (found := visit([*chain, imported])):
                return found
        done.add(chain[-1])
        return []

    for module in graph:
        if module not in done and (found := visit([module])):
            return found
    return []


@pytest.mark.parametrize("package", sorted(RULES))
def test_package_keeps_the_dependency_direction(package):
    assert (ROOT / package).is_dir()
    assert forbidden_imports(ROOT / package, RULES[package]) == []


def test_checker_reports_forbidden_imports_in_a_source_tree(tmp_path):
    package = tmp_path / "licensing"
    (package / "services").mkdir(parents=True)
    (package / "__init__.py").write_text("from . import services\nimport datetime\n")
    (package / "services" / "check.py").write_text(
        "import sqlalchemy\n"
        "from .rules import score\n"
        "import flask.json as fj\n"
        "\n"
        "def send():\n"
        "    from httpx import Client\n"
        "    return Client\n"
    )
    (package / "services" / "views.py").write_text("from app import api\nfrom flaskish import x\n")

    found = forbidden_imports(package, RULES["licensing"])

    assert found == [
        "licensing/services/check.py:3 imports flask.json",
        "licensing/services/check.py:6 imports httpx",
        "licensing/services/views.py:1 imports app",
    ]


def test_matching_engine_modules_import_no_cycle():
    assert import_cycle(ROOT, "licensing.matching") == []


def test_cycle_finder_sees_a_cycle_closed_by_an_import_inside_a_function(tmp_path):
    package = tmp_path / "engine"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "frequencies.py").write_text("def count():\n    from engine.keys import keys\n")
    (package / "keys.py").write_text("from engine import kinds\nfrom engine.frequencies import GIVEN\n")
    (package / "kinds.py").write_text("SURNAME = 'sn'\n")

    assert import_cycle(tmp_path, "engine") == ["engine.frequencies", "engine.keys", "engine.frequencies"]
    (package / "frequencies.py").write_text("from engine.kinds import SURNAME\n")
    assert import_cycle(tmp_path, "engine") == []


def test_scheduler_may_read_app_config_but_not_views(tmp_path):
    package = tmp_path / "scheduler"
    package.mkdir()
    (package / "jobs.py").write_text("from app.config import load_config\nfrom app import api\n")
    assert forbidden_imports(package, RULES["scheduler"]) == ["scheduler/jobs.py:2 imports app.api"]


def modules_loaded_by(code: str, env: dict[str, str]) -> list[str]:
    """Run `code` in a fresh interpreter at the repository root; return every module it left loaded."""
    report = "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code + report],
        cwd=ROOT,
        env=os.environ | env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def within_any(modules: list[str], forbidden: tuple[str, ...]) -> list[str]:
    """Return the modules of `modules` that are, or are inside, one of `forbidden`."""
    return [m for m in modules if any(is_within(m, f) for f in forbidden)]


def test_web_app_loads_no_benchmark_or_scheduler_module(tmp_path):
    env = {
        "CROSSCHECK_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "SECRET_KEY": TEST_SECRET,  # else development writes its own under instance/
    }
    loaded = modules_loaded_by("import app\napp.create_app()", env)
    assert "app.api" in loaded and "app.cli.demo" in loaded  # the whole app, its demo command included
    assert "app.cli.jobs" in loaded  # `flask jobs` runs the periodic jobs without the scheduler
    assert within_any(loaded, ("bench", "scheduler")) == []


def test_scheduler_loads_no_view_or_web_framework():
    loaded = modules_loaded_by("import scheduler.__main__", {})
    assert "scheduler.jobs" in loaded and "app.config" in loaded and "app.logs" in loaded
    assert "app.periodic_jobs" in loaded and "app.migrate" in loaded
    assert within_any(loaded, RULES["scheduler"]) == []


# The package-level import graph, and the diagrams of docs/architecture.md that must show it.
PARTS = ("app", "bench", "integrations", "licensing", "scheduler")
ARCHITECTURE = ROOT / "docs/architecture.md"
MERMAID = re.compile(r"```mermaid\n(.*?)```", re.DOTALL)
ARROW = re.compile(r"^\s*(\w+)\s*-->\s*(\w+(?:\s*&\s*\w+)*)\s*$")


def part_of(module: str, root: Path) -> str | None:
    """Name the part a dotted module is in: a top-level part, `licensing.<package>`, or `licensing`.

    `licensing` alone stands for its root modules (clock, dates, errors, ...); None is anything not ours.
    """
    first, _, rest = module.partition(".")
    if first not in PARTS:
        return None
    package = rest.partition(".")[0]
    if first == "licensing" and package and (root / "licensing" / package).is_dir():
        return f"licensing.{package}"
    return first


def imported_modules(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Yield what each import statement of `module` imports, as dotted names (`from a import b`: a.b)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: None if is_package else -1]
                anchor = ".".join(package[: len(package) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_arrows(root: Path) -> set[tuple[str, str]]:
    """Return (importer, imported) for each two different parts where a module of one imports the other."""
    arrows = set()
    for folder in PARTS:
        for path in sorted((root / folder).rglob("*.py")):
            if any(part.startswith(".") for part in path.relative_to(root).parts):
                continue  # a virtual environment (bench/.venv) or other hidden folder, not our code
            module = module_name(path, root)
            source = part_of(module, root)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for name in imported_modules(tree, module, path.name == "__init__.py"):
                target = part_of(name, root)
                if target is not None and target != source:
                    arrows.add((source, target))
    return arrows


def declared_arrows(markdown: str, marker: str) -> set[tuple[str, str]]:
    """Return the arrows of the Mermaid diagram marked `%% marker` ("a --> b & c" is a->b and a->c)."""
    [diagram] = [block for block in MERMAID.findall(markdown) if f"%% {marker}\n" in block]
    arrows = set()
    for line in diagram.splitlines():
        found = ARROW.match(line)
        if found is None and "-->" in line:
            raise ValueError(f"Not an arrow this test reads (write `a --> b & c`): {line.strip()!r}")
        if found:
            arrows |= {(found[1], target.strip()) for target in found[2].split("&")}
    return arrows


def top(part: str) -> str:
    """Return the top-level part of a part (`licensing.screening` is in `licensing`)."""
    return part.partition(".")[0]


def short(part: str) -> str:
    """Return a licensing package's name as the diagrams write it (`licensing.screening`: screening)."""
    return part.removeprefix("licensing.")


@cache
def code_arrows() -> frozenset[tuple[str, str]]:
    """Return the import arrows of this repository's code, worked out once per test run."""
    return frozenset(import_arrows(ROOT))


def test_licensing_root_modules_import_no_other_part_of_ours():
    # So any package may use the root modules (actors, clock, dates, errors, csvfiles, counts, words,
    # workers): the diagrams leave the arrows into them out.
    assert {arrow for arrow in code_arrows() if arrow[0] == "licensing"} == set()


def test_diagram_of_the_parts_matches_the_imports():
    arrows = {(top(a), top(b)) for a, b in code_arrows() if top(a) != top(b)}
    assert declared_arrows(ARCHITECTURE.read_text(encoding="utf-8"), "the parts") == arrows


def test_diagram_inside_licensing_matches_the_imports():
    arrows = {(short(a), short(b)) for a, b in code_arrows() if "." in a and "." in b}
    assert declared_arrows(ARCHITECTURE.read_text(encoding="utf-8"), "inside licensing") == arrows


def test_diagram_into_licensing_matches_the_imports():
    arrows = {(a, short(b)) for a, b in code_arrows() if top(a) != "licensing" and "." in b}
    assert declared_arrows(ARCHITECTURE.read_text(encoding="utf-8"), "into licensing") == arrows


def test_import_arrows_are_computed_from_the_source_tree(tmp_path):
    for folder in ("app", "bench", "integrations", "scheduler", "licensing/screening", "licensing/matching"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "licensing" / "errors.py").write_text("import json\n")
    (tmp_path / "licensing" / "screening" / "service.py").write_text(
        "from licensing import errors\nfrom licensing.matching import compare\nfrom . import rules\n"
    )
    (tmp_path / "licensing" / "matching" / "keys.py").write_text("from ..screening import service\n")
    (tmp_path / "app" / "views.py").write_text("def view():\n    from licensing import screening\n")
    (tmp_path / "scheduler" / "jobs.py").write_text("import app.config\nimport httpx\n")

    assert import_arrows(tmp_path) == {
        ("app", "licensing.screening"),
        ("licensing.matching", "licensing.screening"),
        ("licensing.screening", "licensing"),
        ("licensing.screening", "licensing.matching"),
        ("scheduler", "app"),
    }


def test_declared_arrows_are_read_from_the_marked_diagram():
    markdown = (
        "```mermaid\nflowchart LR\n    %% the parts\n    app --> licensing & integrations\n"
        "    scheduler --> app\n```\n\n"
        "```mermaid\nflowchart LR\n    %% other\n    a --> b\n"
        '    c["c/"] --> d\n```\n'
    )
    assert declared_arrows(markdown, "the parts") == {
        ("app", "licensing"),
        ("app", "integrations"),
        ("scheduler", "app"),
    }
    with pytest.raises(ValueError, match="Not an arrow"):
        declared_arrows(markdown, "other")


# What builds a SQL statement: SQLAlchemy's constructors, and statement text written by hand.
STATEMENT_BUILDERS = frozenset(
    {"select", "insert", "update", "delete", "text", "func", "and_", "or_", "not_", "case", "exists"}
    | {"literal", "literal_column", "bindparam", "union", "union_all", "tuple_", "null", "column", "table"}
)
SQL_TEXT = re.compile(r"^\s*(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|WITH \w+|PRAGMA|VACUUM|ANALYZE)\b")
# The parts whose code runs statements. licensing/persistence is the layer under every query module.
STATEMENT_PARTS = ("app", "integrations", "licensing", "scheduler")


def is_query_module(path: Path, root: Path) -> bool:
    """Tell whether `path` may build statements: an area's queries.py, or the persistence layer."""
    return path.name == "queries.py" or path.relative_to(root).parts[:2] == ("licensing", "persistence")


def statements_outside_query_modules(root: Path) -> list[str]:
    """List every statement built outside a query module, as 'path:line what'."""
    found = []
    for part in STATEMENT_PARTS:
        for path in sorted((root / part).rglob("*.py")):
            if is_query_module(path, root):
                continue
            where = path.relative_to(root)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
                    "sqlalchemy",
                    "sqlmodel",
                ):
                    built = sorted(alias.name for alias in node.names if alias.name in STATEMENT_BUILDERS)
                    found += [f"{where}:{node.lineno} imports {name}" for name in built]
                elif isinstance(node, ast.Import):
                    found += [
                        f"{where}:{node.lineno} imports {a.name}"
                        for a in node.names
                        if a.name == "sqlalchemy"
                    ]
                elif (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and SQL_TEXT.match(node.value)
                ):
                    found.append(f"{where}:{node.lineno} writes SQL {node.value.split()[0]}")
    return found


def test_statements_are_built_only_in_the_query_modules():
    # Services call named queries of their area (licensing/<area>/queries.py); see docs/architecture.md.
    assert statements_outside_query_modules(ROOT) == []


def test_statement_checker_sees_constructors_and_written_sql(tmp_path):
    (tmp_path / "licensing" / "area").mkdir(parents=True)
    (tmp_path / "app").mkdir()
    (tmp_path / "licensing" / "area" / "service.py").write_text(
        "from sqlmodel import Session, select\n\nSTATEMENT = 'DELETE FROM licence WHERE id = ?'\n"
    )
    (tmp_path / "licensing" / "area" / "queries.py").write_text("from sqlalchemy import select, update\n")
    (tmp_path / "app" / "view.py").write_text('"""Select the council."""\nimport sqlalchemy as sa\n')
    assert statements_outside_query_modules(tmp_path) == [
        "app/view.py:2 imports sqlalchemy",
        "licensing/area/service.py:1 imports select",
        "licensing/area/service.py:3 writes SQL DELETE",
    ]
