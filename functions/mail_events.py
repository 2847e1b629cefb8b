"""SNS -> this function: SES bounce and complaint notifications; the address gets no more mail.

Not an HTTP route: functions/routes.py lists it in EVENT_FUNCTIONS and infra/ subscribes it to the
topic the SES configuration set publishes to. Only permanent bounces suppress an address: a
transient one (mailbox full, greylisting) may deliver next time. A complaint always does.
"""

from __future__ import annotations

import json
import time
from email.utils import parseaddr
from typing import Any

from portal import addresses, services
from portal.audit import audit, logger


def suppressions(message: dict[str, Any]) -> list[tuple[str, str]]:
    """(address, reason) pairs from one SES notification, event-publishing or identity style."""
    kind = message.get("eventType") or message.get("notificationType")
    if kind == "Bounce":
        bounce = message.get("bounce", {})
        if bounce.get("bounceType") != "Permanent":
            return []
        reason = f"bounce:{bounce.get('bounceSubType', 'General')}"
        return [(r["emailAddress"], reason) for r in bounce.get("bouncedRecipients", [])]
    if kind == "Complaint":
        complaint = message.get("complaint", {})
        reason = f"complaint:{complaint.get('complaintFeedbackType', 'unspecified')}"
        return [(r["emailAddress"], reason) for r in complaint.get("complainedRecipients", [])]
    return []


def handler(event: dict[str, Any], context: Any) -> None:
    store = services.store()
    now = int(time.time())
    for record in event.get("Records", []):
        for raw, reason in suppressions(json.loads(record["Sns"]["Message"])):
            try:
                username = addresses.normalize(addresses.clean(parseaddr(raw)[1] or raw))
            except addresses.AddressError:
                # Retrying cannot make it parse: log (masked) and go on with the other recipients.
                logger.warning(
                    "suppression_skipped", extra={"event": "suppression_skipped", "email": addresses.mask(raw)}
                )
                continue
            store.mark_suppressed(username, reason, now)
            audit("mail_suppressed", address=username, reason=reason)
