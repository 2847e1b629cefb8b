"""Audit events are defined once (portal/audit.py EVENTS): every call site names a defined event with
defined fields, every defined event is written somewhere, audit() refuses anything else, and the
README's table is generated from the definition."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ops import generated_docs
from portal.audit import COMMON_FIELDS, EVENTS, UnknownAuditEvent, audit

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    *sorted((ROOT / "layers" / "runtime" / "python" / "portal").glob("*.py")),
    *sorted((ROOT / "layers" / "runtime" / "python" / "portal").glob("*/*.py")),
    *sorted((ROOT / "functions").glob("*.py")),
    *sorted((ROOT / "ops").glob("*.py")),
]


def _names(node: ast.expr) -> list[str]:
    """The event names an argument can evaluate to: a constant, or both branches of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return [*_names(node.body), *_names(node.orelse)]
    raise AssertionError(f"an audit event name must be a literal, not {ast.unparse(node)}")


def written() -> dict[str, list[tuple[str, set[str], bool]]]:
    """event -> (where, fields, direct) for every audit() call and every logger call with extra={"event": ...}."""
    found: dict[str, list[tuple[str, set[str], bool]]] = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if isinstance(node.func, ast.Name) and node.func.id == "audit" and node.args:
                fields = {k.arg for k in node.keywords if k.arg and k.arg != "address"}
                fields |= {"email"} if any(k.arg == "address" for k in node.keywords) else set()
                for name in _names(node.args[0]):
                    found.setdefault(name, []).append((where, fields, False))
            operator_audit = (
                isinstance(node.func, ast.Attribute) and node.func.attr == "audit" and path.name == "admin.py"
            )
            keys_audit = isinstance(node.func, ast.Name) and node.func.id == "_audited" and path.name == "keys.py"
            if operator_audit or keys_audit:
                # Operator.audit(action, user, reason, **fields) and ops/keys.py's _audited(aws, action,
                # reason, **fields) write admin_action with those fields.
                found.setdefault("admin_action", []).append((where, {k.arg for k in node.keywords if k.arg}, False))
            for keyword in node.keywords:
                if keyword.arg == "extra" and isinstance(keyword.value, ast.Dict):
                    keys = [k.value for k in keyword.value.keys if isinstance(k, ast.Constant)]
                    if "event" not in keys:
                        continue
                    value = keyword.value.values[keys.index("event")]
                    if isinstance(value, ast.Constant):
                        found.setdefault(value.value, []).append((where, set(keys) - {"event"}, True))
    return found


def test_every_call_site_names_a_defined_event_with_defined_fields():
    problems = []
    for name, sites in written().items():
        spec = EVENTS.get(name)
        for where, fields, direct in sites:
            if spec is None:
                problems.append(f"{where}: {name!r} is not in portal.audit.EVENTS")
                continue
            if spec.direct != direct:
                problems.append(f"{where}: {name!r} is written {'directly' if direct else 'by audit()'}")
            extra = fields - set(COMMON_FIELDS) - set(spec.fields)
            if extra:
                problems.append(f"{where}: {name!r} carries undefined field(s) {sorted(extra)}")
    assert problems == []


def test_every_defined_event_is_written_somewhere():
    assert sorted(set(EVENTS) - set(written())) == []


def test_every_defined_field_is_written_by_some_call_of_its_event():
    sites = written()
    unused = [
        (name, field)
        for name, spec in EVENTS.items()
        for field in spec.fields
        if not any(field in fields for _, fields, _ in sites.get(name, []))
    ]
    assert unused == []


def test_audit_refuses_an_undefined_event_or_field():
    with pytest.raises(UnknownAuditEvent, match="not in portal.audit.EVENTS"):
        audit("login_suceeded", sub="x")
    with pytest.raises(UnknownAuditEvent, match=r"\['videoID'\]"):
        audit("download_issued", sub="x", videoID="v", rendition="audio")
    with pytest.raises(UnknownAuditEvent):
        audit("unhandled_error")  # written by the logger itself, with its stack trace


def test_readme_and_operations_tables_are_generated_from_the_code():
    assert generated_docs.stale() == [], "run `make docs`"


def test_the_generated_tables_say_what_the_code_says():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "| `download_quota_exceeded` | `videoId`, `quota` | `DownloadRefusals` |" in readme
    changed = generated_docs.render(
        readme.replace("| `download_quota_exceeded` | `videoId`, `quota`", "| `download_quota_exceeded` | `videoId`"),
        generated_docs.PARTS["README.md"],
    )
    assert changed == readme  # a hand edit is overwritten by what EVENTS says
