"""Structured logs and metrics: one JSON line per security decision, with a stable `event` name.

Auditors query these lines in CloudWatch Logs Insights, so their shape is a public interface. It
is defined once, here: `EVENTS` names every event, when it is written, and the fields it may carry
beyond the common ones; `audit()` refuses any other name or field, README's event table is generated
from it (`python -m portal.audit`, a test fails when stale), and the saved queries are proved
against real lines (tests/integration/test_audit_queries.py).

Request id and source IP are attached per request by web.py. Callers pass the address as
`address=`; only its masked form is ever written. Passwords, codes, tokens and hashes are never
passed here.

The decisions ops watch are also counted as CloudWatch metrics (EMF, flushed by web.py at the end
of each invocation), all with the one dimension service=<POWERTOOLS_SERVICE_NAME>, which the
alarms and the dashboard in infra/ read by these names.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from portal.addresses import mask

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics

    # What the module __getattr__ below returns, for the type checker.
    logger: Logger
    metrics: Metrics

# On every line where known: the account, its masked address (from `address=`), and per request
# (web.py) the API Gateway request id and the caller's IP.
COMMON_FIELDS = {
    "sub": "the account's id",
    "email": "its address, masked (`a***@e***.org`)",
    "requestId": "API Gateway's request id",
    "sourceIp": "the caller's IP address",
}


@dataclass(frozen=True)
class Event:
    when: str
    fields: tuple[str, ...] = ()
    # The CloudWatch metric (Count) the event adds 1 to.
    metric: str | None = None
    # Written by the logger directly (errors), not through audit().
    direct: bool = False


EVENTS: dict[str, Event] = {
    # sign-up and codes
    "registered": Event("a new account", metric="SignUps"),
    "registration_replaced": Event("an unconfirmed account signed up again (password and code replaced)"),
    "duplicate_signup": Event("sign-up with the address of a confirmed account (its owner gets a notice)"),
    "code_sent": Event("a code left by mail", ("kind",)),
    "notice_sent": Event("a notice left by mail", ("kind",)),
    "mail_failed": Event("SES refused a mail (the send is refunded)", ("kind",), metric="EmailFailures"),
    "resend_without_account": Event("a new code was asked for an address without an unconfirmed account"),
    "verified": Event("the address was confirmed", metric="Confirmations"),
    "verify_repeated": Event("the same right code again"),
    "code_mismatch": Event(
        "a wrong code (`decoy`: where no code was live, a decoy took its place with this guess counted)",
        ("purpose", "attempts", "decoy"),
    ),
    "code_expired": Event("an expired code", ("purpose",)),
    "code_locked": Event("a code dead after too many wrong tries", ("purpose",)),
    "send_throttled": Event("a send refused by the limits", ("retryAfter",)),
    # sign-in and sessions
    "login_succeeded": Event("a sign-in", ("sessionId", "mfa", "method"), metric="LoginsSucceeded"),
    "login_failed": Event("a refused sign-in or password check", ("reason", "purpose"), metric="LoginsFailed"),
    "login_throttled": Event(
        "a sign-in refused by the backoff or the hourly cap", ("retryAfter", "purpose"), metric="Lockouts"
    ),
    "password_hash_upgraded": Event("an imported or weaker hash rewritten as current argon2id at sign-in"),
    "token_refreshed": Event("a refresh token rotated", ("sessionId",)),
    "refresh_refused": Event("a refresh token refused", ("sessionId", "reason")),
    "refresh_reuse_detected": Event("a spent refresh token presented again: the session is revoked", ("sessionId",)),
    "logout": Event("sign-out, on this device or everywhere", ("sessionId", "allDevices")),
    "access_denied": Event(
        "the authorizer refused a token, or a route refused a cached answer (`disabled`, `session_ended`)",
        ("reason",),
    ),
    "session_ended": Event("one session ended from the list of sessions", ("sessionId", "by", "current")),
    "notice_skipped": Event("a new-device notice not claimed: DynamoDB failed", ("kind",)),
    # passwords
    "reset_requested": Event('"Reset password" asked', ("sent",)),
    "reset_completed": Event('"Create a new password" done', metric="PasswordResets"),
    "password_changed": Event("a signed-in password change", ("sessionId",)),
    # two-step sign-in (authenticator app and recovery codes)
    "mfa_enrolment_started": Event("an authenticator app enrolment started (password checked)"),
    "mfa_enabled": Event("two-step sign-in turned on", ("method",)),
    "mfa_disabled": Event("two-step sign-in turned off by the owner", ("method",)),
    "mfa_reset_by_operator": Event("two-step sign-in turned off by an operator", ("operator", "reason")),
    "mfa_code_refused": Event("a wrong app or recovery code on a signed-in route", ("purpose",)),
    "mfa_challenge_issued": Event("a right password with two-step on: the second step is asked"),
    "mfa_challenge_passed": Event("the second step passed", ("method",)),
    "mfa_challenge_failed": Event(
        "the second step refused", ("reason", "attemptsRemaining"), metric="MfaChallengesFailed"
    ),
    "mfa_secret_unreadable": Event("a sealed authenticator secret did not open (key missing)", ("reason",)),
    "recovery_code_used": Event("a recovery code spent", ("left",)),
    "recovery_codes_renewed": Event("ten new recovery codes (the old ones dead)"),
    # the account
    "account_updated": Event("the account's settings changed", ("fields",)),
    "account_deleted": Event("the account deleted by its owner or an operator"),
    "email_change_requested": Event("a new address asked for (masked)", ("newEmail",)),
    "email_change_refused": Event(
        "the new address is taken: its owner gets a notice, the caller the same answer as for a free one",
        ("reason",),
    ),
    "email_changed": Event("the new address confirmed (the old one masked)", ("previous",)),
    # downloads
    "download_issued": Event("a download link issued", ("videoId", "rendition"), metric="Downloads"),
    "download_quota_exceeded": Event(
        "a download refused by the daily quota", ("videoId", "quota"), metric="DownloadRefusals"
    ),
    # newsletter and mail feedback
    "newsletter_subscribed": Event("newsletter consent given", ("source", "language")),
    "newsletter_unsubscribed": Event("newsletter consent withdrawn", ("via",)),
    "unsubscribe_token_rejected": Event("a tampered or unknown unsubscribe link"),
    "unsubscribe_without_account": Event("an unsubscribe link of a deleted account"),
    "mail_suppressed": Event("SES reported a bounce or complaint: no more mail to the address", ("reason",)),
    # operators (portal-admin, on the operator's terminal)
    "admin_action": Event(
        "an operator's action",
        (
            "operator",
            "action",
            "reason",
            "kept",
            "effects",
            "outcome",
            "kid",
            "signFrom",
            "dropped",
            "compromised",
            "credentialId",
        ),
    ),
    # passkeys
    "passkey_added": Event("a passkey added to the account", ("credentialId",)),
    "passkey_add_refused": Event("a new passkey refused (a check failed; nothing kept)", ("reason", "detail")),
    "passkey_renamed": Event("a passkey renamed", ("credentialId",)),
    "passkey_removed": Event("a passkey removed by its owner or an operator", ("credentialId", "by", "reason")),
    "passkey_sign_in": Event("a sign-in with a passkey (with login_succeeded)", ("credentialId", "userVerified")),
    "passkey_sign_in_refused": Event(
        "a sign-in with a passkey refused (one answer, the reason here)", ("credentialId", "reason", "detail")
    ),
    # failures, written by the logger directly
    "dependency_failed": Event("an AWS service failed (503)", ("detail",), direct=True),
    "race_lost": Event("a conditional write lost to a concurrent request (503)", direct=True),
    "unhandled_error": Event("a bug (500)", direct=True),
    "suppression_skipped": Event("a bounce for an address that does not parse", direct=True),
}

COUNTED_EVENTS = {name: event.metric for name, event in EVENTS.items() if event.metric}


class UnknownAuditEvent(ValueError):
    """A call site names an event or a field the table above does not: fix the table or the call."""


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
    spec = EVENTS.get(event)
    if spec is None or spec.direct:
        raise UnknownAuditEvent(f"audit event {event!r} is not in portal.audit.EVENTS")
    unknown = set(fields) - set(COMMON_FIELDS) - set(spec.fields)
    if unknown:
        raise UnknownAuditEvent(f"audit event {event!r} has no field(s) {sorted(unknown)} in portal.audit.EVENTS")
    if address is not None:
        fields["email"] = mask(address)
    logger, metrics = _powertools()
    logger.info(event, extra={"event": event, **fields})
    if spec.metric is not None:
        from aws_lambda_powertools.metrics import MetricUnit

        metrics.add_metric(name=spec.metric, unit=MetricUnit.Count, value=1)


def flush_metrics() -> None:
    metrics = _powertools()[1]
    if metrics.metric_set:
        metrics.flush_metrics()


def events_table() -> str:
    """README's event table (Markdown), from EVENTS."""
    rows = ["| event | fields besides sub, email, requestId, sourceIp | metric | when |", "|---|---|---|---|"]
    for name, spec in EVENTS.items():
        fields = ", ".join(f"`{f}`" for f in spec.fields) or "-"
        rows.append(f"| `{name}` | {fields} | {f'`{spec.metric}`' if spec.metric else '-'} | {spec.when} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(events_table(), end="")
