"""The repository names only documents it contains: no file cites the style,
design or pitfall notes that were kept outside it, and every docs/<file>.md
a file cites exists, with the section it names (docs/conventions.md,
"Comments").

This file is left out of the scan: it has to spell the names it looks for.
"""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUFFIXES = {".py", ".html", ".md", ".txt", ".toml", ".js", ".css", ".sh"}
NAMES = {"Makefile"}
# Folders of other people's files, installed packages and run-time output.
SKIPPED = {
    ".git",
    ".venv",
    "var",
    "staticfiles",
    "vendor",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
}
SELF = Path(__file__).resolve()

# The notes the code once cited, which the repository does not hold.
OUTSIDE = re.compile(r"\b(?:STYLE|DESIGN|PITFALLS)\b|\.\./shared\b|/work/shared\b")
DOC = re.compile(r"\bdocs/([\w./-]+?\.md)\b")
# docs/x.md, "Section" (a comma or not; straight or curly quotes).
SECTION = re.compile(r"\bdocs/([\w./-]+?\.md),?\s*[\"“]([^\"”]+)[\"”]")
# Markdown links to a .md file or an anchor: [text](file.md#anchor).
LINK = re.compile(r"\]\(([^)\s#]*\.md)?(?:#([^)\s]+))?\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
# What starts a comment line, taken off before lines are joined so that a
# citation wrapped over two comment lines reads as one.
COMMENT_START = re.compile(r"^\s*(?:#+|//|\*|<!--|\{#)?\s*")


def repository_files(root: Path = ROOT) -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED)
        for name in sorted(files):
            path = Path(folder) / name
            in_ci = path.parent.name == ".ci"
            if (path.suffix in SUFFIXES or name in NAMES or in_ci) and path != SELF:
                found.append(path)
    return found


def joined(text: str) -> str:
    """The text as one line, comment markers and indentation removed."""
    return " ".join(COMMENT_START.sub("", line) for line in text.splitlines())


def headings(path: Path) -> list[str]:
    """The headings of a Markdown file, outside fenced code."""
    out: list[str] = []
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := HEADING.match(line)):
            out.append(match[1])
    return out


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.lower())
    return text.replace(" ", "-")


def names_section(path: Path, section: str) -> bool:
    """Whether the document has this heading; "Contact-list import" names
    "Contact-list import (50,000 rows)" too."""
    return any(h == section or h.startswith(section + " (") for h in headings(path))


def problems(root: Path = ROOT) -> list[str]:
    out: list[str] = []
    for path in repository_files(root):
        name = path.relative_to(root)
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if match := OUTSIDE.search(line):
                out.append(f"{name}:{number} cites {match[0]!r}, not in the repo")
        one_line = joined(text)
        for doc in sorted(set(DOC.findall(one_line))):
            if not (root / "docs" / doc).is_file():
                out.append(f"{name} cites docs/{doc}, which does not exist")
        for doc, section in SECTION.findall(one_line):
            target = root / "docs" / doc
            section = " ".join(section.split())
            if target.is_file() and not names_section(target, section):
                out.append(f'{name} cites docs/{doc}, "{section}": no such heading')
        if path.suffix == ".md":
            out += _link_problems(root, path, text)
    return out


def _link_problems(root: Path, path: Path, text: str) -> list[str]:
    out: list[str] = []
    for target, anchor in LINK.findall(text):
        linked = (path.parent / target).resolve() if target else path
        if target and not linked.is_file():
            out.append(f"{path.relative_to(root)} links to {target}, which is missing")
        elif anchor and anchor not in {slug(h) for h in headings(linked)}:
            out.append(
                f"{path.relative_to(root)} links to {target}#{anchor}: no such heading"
            )
    return out


def test_every_cited_document_and_section_is_in_the_repository():
    assert problems() == []


def test_the_documents_the_code_cites_are_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for doc in ("docs/architecture.md", "docs/conventions.md"):
        assert f"]({doc})" in readme, doc


def test_the_check_catches_each_kind_of_wrong_citation(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text(
        "# Guide\n\n## The outbox\n\n```\n## Not a heading\n```\n"
        "[there](missing.md) [here](#the-outbox) [gone](#nowhere)\n",
        encoding="utf-8",
    )
    (tmp_path / "app.py").write_text(
        # Spelled in two parts so that this file does not cite them itself.
        '"""Claims (STYLE §4), see ..' + "/shared/DESIGN" + '.md."""\n'
        '# Delivery (docs/guide.md, "The\n'
        '# outbox"), retries (docs/guide.md, "Retries").\n'
        "# Setup: docs/setup.md.\n"
        '# Fenced: docs/guide.md, "Not a heading".\n',
        encoding="utf-8",
    )
    assert problems(tmp_path) == [
        "app.py:1 cites 'STYLE', not in the repo",
        "app.py cites docs/setup.md, which does not exist",
        'app.py cites docs/guide.md, "Retries": no such heading',
        'app.py cites docs/guide.md, "Not a heading": no such heading',
        "docs/guide.md links to missing.md, which is missing",
        "docs/guide.md links to #nowhere: no such heading",
    ]
