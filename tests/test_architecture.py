"""Dependency direction: app and scheduler depend on licensing and integrations, never back.

Import lines are read for every package; the web app and the scheduler are also started in a fresh
interpreter, to see what they really load (an import can arrive through a package's __init__).
"""

import ast
import json
import os
import subprocess
import sys
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


def test_web_app_loads_no_benchmark_module(tmp_path):
    env = {
        "CROSSCHECK_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "SECRET_KEY": TEST_SECRET,  # else development writes its own under instance/
    }
    loaded = modules_loaded_by("import app\napp.create_app()", env)
    assert "app.api" in loaded and "app.cli.demo" in loaded  # the whole app, its demo command included
    assert within_any(loaded, ("bench",)) == []


def test_scheduler_loads_no_view_or_web_framework():
    loaded = modules_loaded_by("import scheduler.__main__", {})
    assert "scheduler.jobs" in loaded and "app.config" in loaded and "app.logs" in loaded
    assert within_any(loaded, RULES["scheduler"]) == []
