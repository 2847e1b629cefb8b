"""Structured logs: one JSON line per security decision, with a stable `event` name.

Auditors query these lines in CloudWatch Logs Insights, so their shape is a public interface
(README: audit events). Request id and source IP are attached per request by web.py. Callers
pass the address as `address=`; only its masked form is ever written. Passwords, codes, tokens
and hashes are never passed here.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger

from portal.addresses import mask

# Service name, level and sampling come from POWERTOOLS_* variables set by the CDK app.
logger = Logger(utc=True)


def audit(event: str, *, address: str | None = None, **fields: object) -> None:
    if address is not None:
        fields["email"] = mask(address)
    logger.info(event, extra={"event": event, **fields})
