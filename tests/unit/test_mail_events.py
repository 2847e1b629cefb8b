"""functions/mail_events.py under moto: SES feedback via SNS marks addresses suppressed."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from portal import services, tables

TABLE = "portal-test"


@pytest.fixture
def db(monkeypatch: pytest.MonkeyPatch):
    for name, value in {
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "PORTAL_TABLE_NAME": TABLE,
        "PORTAL_KEYS_SECRET_ID": "portal/test/keys",
        "PORTAL_SIGNING_KEYS_SECRET_ID": "portal/test/signing-keys",
        "PORTAL_MAIL_SENDER": "Portal <no-reply@example.org>",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for cached in (services.settings, services.client, services.store):
        cached.cache_clear()
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(**tables.create_table_request(TABLE))
        yield client
    for cached in (services.settings, services.client, services.store):
        cached.cache_clear()


def sns_event(*messages: dict) -> dict:
    return {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": json.dumps(m)}} for m in messages]}


def bounce(bounce_type: str, *addresses: str) -> dict:
    return {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": a} for a in addresses],
        },
        "mail": {"destination": list(addresses)},
    }


def suppressed(client, username: str) -> dict | None:
    item = client.get_item(TableName=TABLE, Key={"pk": {"S": f"EMAIL#{username}"}, "sk": {"S": "SUPPRESSED"}})
    return item.get("Item")


def test_permanent_bounce_suppresses_the_normalized_address(db):
    from functions import mail_events

    mail_events.handler(sns_event(bounce("Permanent", "Ann.Smith@Example.ORG")), None)

    item = suppressed(db, "ann.smith@example.org")
    assert item is not None
    assert item["reason"] == {"S": "bounce:General"}
    assert int(item["suppressedAt"]["N"]) > 1_700_000_000


def test_complaint_suppresses_every_complaining_recipient(db):
    from functions import mail_events

    complaint = {
        "notificationType": "Complaint",  # identity-notification style, as SES also sends
        "complaint": {
            "complaintFeedbackType": "abuse",
            "complainedRecipients": [{"emailAddress": "a@example.org"}, {"emailAddress": "Bee <b@example.org>"}],
        },
    }
    mail_events.handler(sns_event(complaint), None)

    assert suppressed(db, "a@example.org")["reason"] == {"S": "complaint:abuse"}
    assert suppressed(db, "b@example.org")["reason"] == {"S": "complaint:abuse"}


def test_transient_bounces_and_deliveries_suppress_nothing(db):
    from functions import mail_events

    delivery = {"eventType": "Delivery", "mail": {"destination": ["c@example.org"]}}
    mail_events.handler(sns_event(bounce("Transient", "c@example.org"), delivery), None)

    assert db.scan(TableName=TABLE)["Items"] == []


def test_an_unparsable_recipient_does_not_stop_the_others(db):
    from functions import mail_events

    mail_events.handler(sns_event(bounce("Permanent", "not an address", "d@example.org")), None)

    assert suppressed(db, "d@example.org") is not None
    assert len(db.scan(TableName=TABLE)["Items"]) == 1
