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

from functools import cache
from typing import TYPE_CHECKING, Any

from portal.addresses import mask

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics

    # What the module __getattr__ below returns, for the type checker.
    logger: Logger
    metrics: Metrics

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


@cache
def _powertools() -> tuple[Logger, Metrics]:
    """Powertools' Logger imports botocore, so it loads on the first use, not on import: the use
    cases import this module and load no AWS library (tests/unit/test_layout.py). Every function
    uses it on its first request or at init (web.py), so a cold start loads it once either way.
    Service name, level, metrics namespace come from POWERTOOLS_* variables set by the CDK app."""
    from aws_lambda_powertools import Logger, Metrics

    return Logger(utc=True), Metrics()


def __getattr__(name: str) -> Any:
    """`logger` and `metrics`, built on first use (see _powertools)."""
    if name == "logger":
        return _powertools()[0]
    if name == "metrics":
        return _powertools()[1]
    raise AttributeError(name)


def audit(event: str, *, address: str | None = None, **fields: object) -> None:
    if address is not None:
        fields["email"] = mask(address)
    logger, metrics = _powertools()
    logger.info(event, extra={"event": event, **fields})
    metric = COUNTED_EVENTS.get(event)
    if metric is not None:
        from aws_lambda_powertools.metrics import MetricUnit

        metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)


def flush_metrics() -> None:
    metrics = _powertools()[1]
    if metrics.metric_set:
        metrics.flush_metrics()
