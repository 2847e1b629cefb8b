"""The saved queries (infra/queries.py) proved against the product's own output.

A walk through the product (sign-up, a failed and a good sign-in, a download, a password reset, a
throttled send) is run on the handlers and its audit lines captured as CloudWatch receives them.
Every event a query filters on must occur in those lines, and every field it reads, filters or
groups by must be in the lines of those events (or, for the queries over the API access log or the
WAF log, in those logs' records): renaming `sub` or `videoId` in the code breaks this test, not the
auditor's Monday.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import pytest
import time_machine

from infra.queries import AUDIT_QUERIES, AuditQuery, Source
from tests.integration.test_erasure import downloaded
from tests.videos_support import record, seed

# Logs Insights words that are not fields.
KEYWORDS = {
    *("fields", "filter", "stats", "sort", "parse", "by", "as", "asc", "desc"),
    *("and", "or", "not", "in", "like", "limit"),
}

# The WAF log record as AWS WAF documents it (the suite cannot produce one: WAF does not run locally),
# for a request over the sign-in limit from the prod web client: the rate-based rule counted and
# labelled it, the rule for its origin answered (infra/waf.py; tests/infra/test_infra_waf.py builds
# the same record from each stage's template). Logs Insights flattens nested JSON: httpRequest.clientIp.
WAF_RECORD = {
    "timestamp": 1764633600000,
    "formatVersion": 1,
    "webaclId": "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/portal-prod/0f1e2d3c",
    "terminatingRuleId": "OverLimit-https-multimedia-example-org",
    "terminatingRuleType": "REGULAR",
    "action": "BLOCK",
    "httpSourceName": "APIGW",
    "httpSourceId": "123456789012:abcdef1234:prod",
    "ruleGroupList": [],
    "rateBasedRuleList": [],
    "nonTerminatingMatchingRules": [{"ruleId": "SensitiveRoutesPerIp", "action": "COUNT", "ruleMatchDetails": []}],
    "labels": [{"name": "awswaf:123456789012:webacl:portal-prod:portal:limit:SensitiveRoutesPerIp"}],
    "httpRequest": {
        "clientIp": "203.0.113.7",
        "country": "BE",
        "headers": [
            {"name": "Authorization", "value": "REDACTED"},
            {"name": "Origin", "value": "https://multimedia.example.org"},
        ],
        "uri": "/prod/v1/auth/login",
        "args": "",
        "httpVersion": "HTTP/1.1",
        "httpMethod": "POST",
        "requestId": "c6af9ac6",
    },
}


def flatten(record: dict[str, Any], prefix: str = "") -> set[str]:
    names: set[str] = set()
    for key, value in record.items():
        names.add(prefix + key)
        if isinstance(value, dict):
            names |= flatten(value, f"{prefix}{key}.")
    return names


def access_log_fields() -> set[str]:
    from infra.api import access_log_format

    return set(json.loads(access_log_format().to_string()))


def events_filtered(query: str) -> set[str]:
    return set(re.findall(r'\bevent\s*=\s*"([^"]+)"', query))


def parse_patterns(query: str) -> list[re.Pattern[str]]:
    """The regular expressions the query's `parse @message /.../` commands apply, in Python's syntax."""
    return [re.compile(p.replace("(?<", "(?P<")) for p in re.findall(r"\bparse\s+@message\s+/(.*?)/", query)]


def fields_read(query: str) -> set[str]:
    """Every field the query reads, filters, aggregates or groups by (not @-builtins, aliases, fields
    its `parse` extracts, or functions)."""
    text = re.sub(r'"[^"]*"', " ", query)  # string literals are values, not fields
    extracted = {name for pattern in parse_patterns(query) for name in pattern.groupindex}
    text = re.sub(r"/.*?/", " ", text)  # nor are a parse's regular expressions
    aliases = set(re.findall(r"\bas\s+([A-Za-z_][\w.]*)", text)) | extracted
    functions = set(re.findall(r"([A-Za-z_]\w*)\s*\(", text))
    words = set(re.findall(r"(?<![@\w.])([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)", text))
    return words - KEYWORDS - aliases - functions


def problems(
    queries: Iterable[AuditQuery], lines: list[dict[str, Any]], access: set[str], waf_record: dict[str, Any]
) -> list[str]:
    found = []
    waf = flatten(waf_record)
    by_event: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        by_event.setdefault(line.get("event", ""), []).append(line)
    for query in queries:
        events = events_filtered(query.query)
        if events and Source.FUNCTIONS not in query.sources:
            found.append(f"{query.name}: filters on audit events but reads no function logs")
        for event in sorted(events):
            if event not in by_event:
                found.append(f"{query.name}: no line of event {event!r} was written")
        audit_lines = [line for e in events for line in by_event.get(e, [])] if events else lines
        for field in sorted(fields_read(query.query)):
            in_audit = Source.FUNCTIONS in query.sources and any(field in line for line in audit_lines)
            in_access = Source.ACCESS in query.sources and field in access
            in_waf = Source.WAF in query.sources and field in waf
            if field != "event" and not (in_audit or in_access or in_waf):
                found.append(f"{query.name}: reads {field!r}, which no line it reads carries")
        # A parse that matches nothing leaves its fields empty: the query groups everything under none.
        raw = [json.dumps(line) for line in audit_lines] if Source.FUNCTIONS in query.sources else []
        raw += [json.dumps(waf_record, separators=(",", ":"))] if Source.WAF in query.sources else []
        for pattern in parse_patterns(query.query):
            if not any(pattern.search(message) for message in raw):
                found.append(f"{query.name}: its parse /{pattern.pattern}/ matches no line it reads")
    return found


@pytest.fixture
def walked(api, aws, audit_log) -> list[dict[str, Any]]:
    """The audit lines of one walk through the product."""
    seed([record("first", "2025-01-01T00:00:00Z")])
    ann = "ann@example.org"
    with time_machine.travel("2026-01-05 10:00:00", tick=False):
        api.confirmed_account(ann)
        assert api.login(ann, "Wrong-Password-123!").status == 401
        api.tokens(ann)
        downloaded(api, aws, ann)
    with time_machine.travel("2026-01-05 10:05:00", tick=False):
        assert api.forgot(ann).status == 202
        assert api.reset(ann, aws.last_code(ann), "Another-Strong-Pass-7").status == 200
        assert api.forgot(ann).status == 429  # a second code within the minute: refused by the send limit
    return audit_log.lines()


def test_the_walk_writes_what_the_queries_read(walked):
    events = {line.get("event") for line in walked}
    assert {"login_failed", "download_issued", "reset_completed", "send_throttled"} <= events


def test_every_saved_query_reads_events_and_fields_the_product_writes(walked):
    assert problems(AUDIT_QUERIES, walked, access_log_fields(), WAF_RECORD) == []


@pytest.mark.parametrize(("field", "query"), [("videoId", "downloads-by-video"), ("sub", "failed-logins-by-account")])
def test_renaming_a_field_the_code_writes_breaks_its_query(walked, field, query):
    renamed = [{(k + "_renamed" if k == field else k): v for k, v in line.items()} for line in walked]
    found = problems(AUDIT_QUERIES, renamed, access_log_fields(), WAF_RECORD)
    assert f"{query}: reads {field!r}, which no line it reads carries" in found


def test_renaming_an_event_breaks_the_queries_that_filter_on_it(walked):
    renamed = [
        {**line, "event": "password_reset_completed"} if line.get("event") == "reset_completed" else line
        for line in walked
    ]
    found = problems(AUDIT_QUERIES, renamed, access_log_fields(), WAF_RECORD)
    assert "password-resets: no line of event 'reset_completed' was written" in found


def test_renaming_the_limit_labels_breaks_the_blocked_requests_query(walked):
    renamed = json.loads(json.dumps(WAF_RECORD).replace(":portal:limit:", ":portal:over:"))
    found = problems(AUDIT_QUERIES, walked, access_log_fields(), renamed)
    assert [f for f in found if f.startswith("blocked-requests-by-rule-and-ip")] == [
        r"blocked-requests-by-rule-and-ip: its parse /:portal:limit:(?P<limitRule>[A-Za-z]+)/ matches no line it reads"
    ]


def test_the_field_reader_sees_fields_in_every_clause():
    query = (
        'fields @timestamp, event, email\n| filter sub = "x" and status = "429"\n'
        "| stats count(*) as n, count_distinct(sub) as accounts by videoId, httpRequest.clientIp\n| sort n desc"
    )
    assert fields_read(query) == {"event", "email", "sub", "status", "videoId", "httpRequest.clientIp"}
    assert events_filtered('filter event = "a" or event = "b"') == {"a", "b"}
    parsed = (
        'filter action = "BLOCK"\n| parse @message /:x:(?<rule>\\w+)/\n| stats count(*) as n by rule, terminatingRuleId'
    )
    assert fields_read(parsed) == {"action", "terminatingRuleId"}
