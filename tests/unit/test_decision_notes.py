"""The decision notes (docs/decisions/) stay one numbered sequence, all in the index, every link to
one leading to it. Notes were once numbered twice (three 0004s, two 0005s) and some not at all."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DECISIONS = ROOT / "docs" / "decisions"
NOTE = re.compile(r"\A(\d{4})-[a-z0-9]+(?:-[a-z0-9]+)*\.md\Z")
# A note named by its file: after `decisions/`, or alone (`0005-tokens-others-can-verify.md`).
LINK = re.compile(r"(?:decisions/|(?<![\w/.-]))((?:\d{4}-)?[a-z0-9]+(?:-[a-z0-9]+)*\.md)")
# A note named by its number alone (`decisions/0004`): numbers were reused once, so a link names the file.
BARE = re.compile(r"decisions/(\d{4})(?![\d-])")
NOT_SCANNED = {".git", ".venv", "node_modules", "cdk.out", "build", "__pycache__", ".mypy_cache", ".ruff_cache"}
SCANNED = {".md", ".py", ".js", ".html", ".css", ".toml", ".yml", ".yaml", ""}


def numbering_problems(names: list[str]) -> list[str]:
    problems = [f"{name}: not NNNN-words.md" for name in names if not NOTE.match(name)]
    numbers = sorted(int(match[1]) for name in names if (match := NOTE.match(name)))
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"numbers {numbers}: not 1..{len(numbers)} once each")
    return problems


def broken_links(text: str, notes: set[str]) -> list[str]:
    """Names that look like a note's file (in a decisions/ path, or NNNN-words.md) but name none."""
    found = []
    for match in LINK.finditer(text):
        name = match[1]
        in_decisions = text[max(0, match.start() - 10) : match.start(1)].endswith("decisions/")
        if (in_decisions or NOTE.match(name)) and name not in notes and name != "README.md":
            found.append(name)
    found += [f"decisions/{match[1]}" for match in BARE.finditer(text)]
    return found


def tree_files() -> Iterator[Path]:
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in NOT_SCANNED]
        for name in files:
            path = Path(folder) / name
            # This file's examples name old notes on purpose.
            if path.suffix in SCANNED and path.name != "openapi.json" and path != Path(__file__):
                yield path


def notes() -> list[str]:
    return sorted(p.name for p in DECISIONS.glob("*.md") if p.name != "README.md")


def test_the_notes_are_one_sequence_each_headed_by_its_number():
    assert numbering_problems(notes()) == []
    for name in notes():
        heading = (DECISIONS / name).read_text().splitlines()[0]
        assert heading.startswith(f"# {name[:4]} "), name


def test_the_numbering_check_finds_a_number_used_twice_and_a_note_without_one():
    assert numbering_problems(["0001-a.md", "0002-b.md", "0002-c.md", "d.md"]) == [
        "d.md: not NNNN-words.md",
        "numbers [1, 2, 2]: not 1..3 once each",
    ]


def test_the_index_lists_every_note_once_in_order():
    index = (DECISIONS / "README.md").read_text()
    listed = re.findall(r"^- \[(\d{4})\]\((\S+?\.md)\)", index, flags=re.MULTILINE)
    assert [name for _, name in listed] == notes()
    assert all(name.startswith(number + "-") for number, name in listed)


def test_every_link_to_a_note_in_the_tree_leads_to_one():
    known = set(notes())
    broken = {
        str(path.relative_to(ROOT)): found
        for path in tree_files()
        if (found := broken_links(path.read_text(errors="replace"), known))
    }
    assert broken == {}


def test_the_link_check_sees_an_old_name_in_a_path_or_alone():
    known = {"0005-tokens-others-can-verify.md"}
    text = (
        "see docs/decisions/0004-tokens-others-can-verify.md, decisions/passkeys.md, "
        "0003-sign-in-and-sessions.md and docs/decisions/0005-tokens-others-can-verify.md; docs/operations.md "
        "(docs/decisions/0004)"
    )
    assert broken_links(text, known) == [
        "0004-tokens-others-can-verify.md",
        "passkeys.md",
        "0003-sign-in-and-sessions.md",
        "decisions/0004",
    ]
