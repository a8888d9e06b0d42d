"""Every Markdown file the code and the docs name is in the repository, and so is every section they name."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEARCHED = (
    "app",
    "bench",
    "docs",
    "integrations",
    "licensing",
    "migrations",
    "scheduler",
    "tests",
    "README.md",
)
TEXT_SUFFIXES = {".py", ".md", ".html", ".js", ".css", ".toml", ".ini", ".txt"}
# Copied or written by tools, never edited here; and this file, whose examples name files that are not.
SKIPPED = ("app/static/govuk", "bench/out", "tests/test_references.py")
# A path ending in .md that is not part of a longer path or of a URL ("https://…/README.md" is not one).
MD_PATH = re.compile(r"(?<![\w./:-])((?:[\w.-]+/)*[\w.-]+\.md)\b")
# "docs/reference.md, access rules", "[reference.md](reference.md), retention" or `README, "Grant gate"`:
# a file (plain or a Markdown link) and its section, which ends at a bracket, a comma, a colon, a
# semicolon, a quote or a full stop.
SECTION = re.compile(
    r"""(?:\]\((?P<link>[\w./-]+\.md)\)|(?<![\w./:-])(?P<path>(?:[\w.-]+/)*[\w.-]+\.md)),\s*"?"""
    r"""(?P<section>[A-Za-z](?:[^"),:;`.]|\.(?=\S))*)"?(?=[)",:;]|\.(?:\s|$))"""
)
README_SECTION = re.compile(r"""\bREADME(?:\.md)?(?:,|:|\s*\()\s*"([^"]+)\"""")


def searched_files(root: Path) -> list[Path]:
    """Return the text files of the searched parts of `root`, leaving out hidden and generated folders."""
    found = []
    for name in SEARCHED:
        top = root / name
        found += [
            path for path in ([top] if top.is_file() else sorted(top.rglob("*"))) if is_text(root, path)
        ]
    return found


def is_text(root: Path, path: Path) -> bool:
    """Tell whether `path` is a text file of ours to search (not hidden, not copied or generated)."""
    relative = path.relative_to(root)
    hidden = any(part.startswith(".") for part in relative.parts)
    skipped = relative.as_posix().startswith(SKIPPED)
    return path.is_file() and path.suffix in TEXT_SUFFIXES and not hidden and not skipped


def flattened(text: str) -> str:
    """Join a text's lines, dropping the comment marks that continue a comment on the next line."""
    return re.sub(r"\s*\n\s*(?:#(?!#)\s*)?", " ", text)


def resolve(root: Path, naming: Path, named: str) -> Path | None:
    """Return the file `named` in `naming`'s text points at (from the repository root or beside it)."""
    for candidate in (root / named, naming.parent / named):
        if candidate.is_file():
            return candidate
    return None


def missing_markdown(root: Path) -> list[str]:
    """List every .md path named in the searched files that is not a file of the repository."""
    missing = []
    for path in searched_files(root):
        for named in MD_PATH.findall(path.read_text(encoding="utf-8")):
            if resolve(root, path, named) is None:
                missing.append(f"{path.relative_to(root)} names {named}")
    return sorted(set(missing))


def headings(markdown: Path) -> list[str]:
    """Return the headings of a Markdown file, lower case, without backticks."""
    lines = markdown.read_text(encoding="utf-8").splitlines()
    return [line.lstrip("#").strip().replace("`", "").lower() for line in lines if line.startswith("#")]


def missing_sections(root: Path) -> list[str]:
    """List every "<doc>.md, section" and README "section" named in the searched files that has no heading."""
    missing = []
    for path in searched_files(root):
        text = flattened(path.read_text(encoding="utf-8"))
        named = [(found["link"] or found["path"], found["section"]) for found in SECTION.finditer(text)]
        named += [("README.md", section) for section in README_SECTION.findall(text)]
        for file, section in named:
            target = resolve(root, path, file)
            wanted = section.strip().replace("`", "").lower()
            if target is not None and not any(heading.startswith(wanted) for heading in headings(target)):
                missing.append(f"{path.relative_to(root)} names {file}, {section.strip()}")
    return sorted(set(missing))


def test_every_markdown_file_named_exists():
    assert missing_markdown(ROOT) == []


def test_every_section_named_is_a_heading_of_its_file():
    assert missing_sections(ROOT) == []


def test_checker_reports_missing_files_and_sections(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("# Guide\n\n## Access rules\n")
    (tmp_path / "README.md").write_text("# Project\n\n## Dates on the way in\n")
    (tmp_path / "licensing" / "data").mkdir(parents=True)
    (tmp_path / "licensing" / "data" / "README.md").write_text("# Data\n")
    (tmp_path / "licensing" / "rules.py").write_text(
        '"""See docs/guide.md, access rules; data/README.md; https://example.org/x/notes.md."""\n'
        "# Gone: docs/missing.md (docs/guide.md, retention), and README\n"
        '# ("Dates on the way in"); README, "Grant gate"; (see data/README.md), as said.\n'
    )
    (tmp_path / "docs" / "notes.md").write_text(
        "See [guide](guide.md), access rules, and [it](guide.md), scope.\n"
    )

    assert missing_markdown(tmp_path) == ["licensing/rules.py names docs/missing.md"]
    assert missing_sections(tmp_path) == [
        "docs/notes.md names guide.md, scope",
        "licensing/rules.py names README.md, Grant gate",
        "licensing/rules.py names docs/guide.md, retention",
    ]
