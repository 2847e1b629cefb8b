"""Regenerate the parts of README.md and docs/ that are written from code: `make docs`.

    python -m ops.generated_docs [--check]

Each part sits between `<!-- generated: NAME -->` and `<!-- end: NAME -->`; --check exits 1 when a
file is stale (tests/unit/test_audit_events.py runs the same comparison).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def audit_events() -> str:
    from portal.audit import events_table

    return events_table()


def audit_queries() -> str:
    from infra.queries import AUDIT_QUERIES, Source

    rows = ["| saved query | reads | what it answers |", "|---|---|---|"]
    for query in AUDIT_QUERIES:
        reads = ", ".join(source.value for source in Source if source in query.sources)
        rows.append(f"| `{query.name}` | {reads} | {query.description} |")
    return "\n".join(rows) + "\n"


# file -> the parts generated in it
PARTS: dict[str, dict[str, Callable[[], str]]] = {
    "README.md": {"audit-events": audit_events},
    "docs/operations.md": {"audit-queries": audit_queries},
}


def render(text: str, parts: dict[str, Callable[[], str]]) -> str:
    for name, make in parts.items():
        pattern = re.compile(rf"(<!-- generated: {name} -->\n).*?(<!-- end: {name} -->)", re.DOTALL)
        if not pattern.search(text):
            raise ValueError(f"no <!-- generated: {name} --> ... <!-- end: {name} --> markers")
        match = pattern.search(text)
        assert match is not None
        text = text[: match.start()] + match.group(1) + make() + match.group(2) + text[match.end() :]
    return text


def stale() -> list[str]:
    """The files whose generated parts differ from what the code says now."""
    return [
        name
        for name, parts in PARTS.items()
        if render((ROOT / name).read_text(encoding="utf-8"), parts) != (ROOT / name).read_text(encoding="utf-8")
    ]


def main(argv: list[str]) -> int:
    if "--check" in argv:
        files = stale()
        for name in files:
            print(f"{name} is stale: run `make docs`", file=sys.stderr)
        return 1 if files else 0
    for name, parts in PARTS.items():
        path = ROOT / name
        path.write_text(render(path.read_text(encoding="utf-8"), parts), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
