"""Only the unit of work ends a transaction: no service, view, command or job commits one itself."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("licensing", "app", "scheduler", "integrations")
UNIT_OF_WORK = Path("licensing/persistence/unit_of_work.py")


def commits_in(root: Path, packages=PACKAGES, allowed: Path = UNIT_OF_WORK) -> list[str]:
    """List every `.commit(` call under `packages` of `root` outside `allowed`, as 'path:line'."""
    found = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if relative == allowed:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            calls = (node for node in ast.walk(tree) if isinstance(node, ast.Call))
            found += [
                f"{relative}:{call.lineno}"
                for call in calls
                if isinstance(call.func, ast.Attribute) and call.func.attr == "commit"
            ]
    return found


def test_only_the_unit_of_work_commits():
    assert (ROOT / UNIT_OF_WORK).is_file()
    assert commits_in(ROOT) == []


def test_the_check_finds_a_commit_anywhere_else(tmp_path):
    (tmp_path / "licensing" / "persistence").mkdir(parents=True)
    (tmp_path / "licensing" / "persistence" / "unit_of_work.py").write_text("session.commit()\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text(
        "def view(session):\n    session.add(1)\n    session.commit()\n"
    )

    assert commits_in(tmp_path, ("licensing", "app")) == ["app/views.py:3"]
