"""The saved CloudWatch Logs Insights queries auditors and on-call open by name.

Plain data, no aws_cdk import: infra/monitoring.py saves them in each stage (`portal-<stage>/<name>`)
and `portal-admin audit` runs them. tests/integration/test_audit_queries.py proves every event a
query filters on and every field it reads against the lines the product really writes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Source(enum.Enum):
    """Which log groups a query reads."""

    FUNCTIONS = "the function log groups (audit lines)"
    ACCESS = "the API access log"
    WAF = "the WAF log"


@dataclass(frozen=True)
class AuditQuery:
    name: str
    description: str
    query: str
    sources: frozenset[Source] = frozenset({Source.FUNCTIONS})


# The placeholder account-history-by-sub carries; `portal-admin audit --sub` fills it in.
SUB_PLACEHOLDER = "REPLACE-WITH-SUB"

AUDIT_QUERIES = (
    AuditQuery(
        "failed-logins-by-account",
        "`login_failed` counts per account, most first",
        'filter event = "login_failed"\n| stats count(*) as failures, latest(@timestamp) as last by email, sub\n| sort failures desc',
    ),
    AuditQuery(
        "downloads-by-video",
        "`download_issued` per video and rendition, with distinct accounts",
        'filter event = "download_issued"\n| stats count(*) as downloads, count_distinct(sub) as accounts by videoId, rendition\n| sort downloads desc',
    ),
    AuditQuery(
        "account-history-by-sub",
        f"every event of one account in order (replace `{SUB_PLACEHOLDER}`, or `portal-admin audit --sub`)",
        f'fields @timestamp, event, email, requestId, sourceIp\n| filter sub = "{SUB_PLACEHOLDER}"\n| sort @timestamp asc',
    ),
    AuditQuery(
        "password-resets",
        "`reset_completed` events: who reset a password, when, from where",
        'filter event = "reset_completed"\n| fields @timestamp, sub, email, requestId, sourceIp\n| sort @timestamp desc',
    ),
    AuditQuery(
        "throttled-requests",
        # Both the runtime's send limits and API Gateway/WAF 429s (the access log's `status`).
        "the runtime's `send_throttled` events and every 429 in the API access log",
        "fields @timestamp, event, email, sourceIp, ip, resourcePath, status\n"
        '| filter event = "send_throttled" or status = "429"\n| sort @timestamp desc',
        frozenset({Source.FUNCTIONS, Source.ACCESS}),
    ),
    AuditQuery(
        "blocked-requests-by-rule-and-ip",
        # The rate-based rules count and label (infra/waf.py); the rule that answers only says to which
        # origin (`terminatingRuleId`), so the limit an address went over is read from its label.
        "requests the WAF blocked, per limit (`limitRule`), answering rule and source IP, most first",
        'filter action = "BLOCK"\n| parse @message /:portal:limit:(?<limitRule>[A-Za-z]+)/\n'
        "| stats count(*) as blocked, latest(@timestamp) as last by limitRule, terminatingRuleId, httpRequest.clientIp\n"
        "| sort blocked desc",
        frozenset({Source.WAF}),
    ),
)
QUERIES_BY_NAME = {query.name: query for query in AUDIT_QUERIES}


def saved_name(stage: str, query: str) -> str:
    """The name a query is saved under in a stage (its folder in the console)."""
    return f"portal-{stage}/{query}"
