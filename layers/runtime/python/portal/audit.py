"""Structured logs and metrics: one JSON line per security decision, with a stable `event` name.

Auditors query these lines in CloudWatch Logs Insights, so their shape is a public interface
(README: audit events). Request id and source IP are attached per request by web.py. Callers
pass the address as `address=`; only its masked form is ever written. Passwords, codes, tokens
and hashes are never passed here.

The decisions ops watch are also counted as CloudWatch metrics (EMF, flushed by web.py at the end
of each invocation), all with the one dimension service=<POWERTOOLS_SERVICE_NAME>, which the
alarms and the dashboard in infra/ read by these names.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from portal.addresses import mask

# Service name, level, metrics namespace come from POWERTOOLS_* variables set by the CDK app.
logger = Logger(utc=True)
metrics = Metrics()

COUNTED_EVENTS = {
    "registered": "SignUps",
    "verified": "Confirmations",
    "login_succeeded": "LoginsSucceeded",
    "login_failed": "LoginsFailed",
    "login_throttled": "Lockouts",
    "reset_completed": "PasswordResets",
    "download_issued": "Downloads",
    "mail_failed": "EmailFailures",
    "mfa_challenge_failed": "MfaChallengesFailed",
}


def audit(event: str, *, address: str | None = None, **fields: object) -> None:
    if address is not None:
        fields["email"] = mask(address)
    logger.info(event, extra={"event": event, **fields})
    metric = COUNTED_EVENTS.get(event)
    if metric is not None:
        metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)


def flush_metrics() -> None:
    if metrics.metric_set:
        metrics.flush_metrics()
