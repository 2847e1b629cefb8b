"""Newsletter consent: the `newsletter` map on the account item.

  EMAIL#<username> / USER   newsletter = {subscribed, language, source, consentAt, withdrawnAt, withdrawnVia}
Accounts are found by sub through GSI1 (SUB#<sub> / USER) for unsubscribe links. The subscriber
export (ops, offline) scans the table with a filter: never on a request path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from portal import tables
from portal.dynamo.accounts import account_of_sub
from portal.dynamo.calls import dynamo_call
from portal.dynamo.codec import from_item, to_item
from portal.dynamo.keys import USER_SK, account_key
from portal.newsletter import Member, Subscription

NEWSLETTER = "newsletter"


def _member(values: dict[str, Any]) -> Member:
    return Member(
        sub=values["sub"],
        username=values["username"],
        email=values["email"],
        language=values.get("language", "en"),
        subscription=Subscription.of(values.get(NEWSLETTER) or {}),
    )


class DynamoSubscriptions:
    def __init__(self, client: Any, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def save(self, username: str, sub: str, state: Subscription) -> None:
        with dynamo_call():
            self._db.update_item(
                TableName=self._table,
                Key=account_key(username),
                UpdateExpression="SET #newsletter = :state",
                # Never create an item, and never write onto an account that is not this sub's.
                ConditionExpression="attribute_exists(#pk) AND #sub = :sub",
                ExpressionAttributeNames={"#newsletter": NEWSLETTER, "#pk": tables.PARTITION_KEY, "#sub": "sub"},
                ExpressionAttributeValues=to_item({":state": state.as_map(), ":sub": sub}),
            )

    def find(self, sub: str) -> Member | None:
        values = account_of_sub(self._db, self._table, sub)
        return _member(values) if values else None

    def subscribers(self) -> Iterator[Member]:
        """Every account subscribed now (ops export: a filtered Scan, paged)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "FilterExpression": "#sk = :user AND #newsletter.#subscribed = :true",
            "ExpressionAttributeNames": {
                "#sk": tables.SORT_KEY,
                "#newsletter": NEWSLETTER,
                "#subscribed": "subscribed",
            },
            "ExpressionAttributeValues": {":user": {"S": USER_SK}, ":true": {"BOOL": True}},
        }
        while True:
            with dynamo_call():
                response = self._db.scan(**request)
            for item in response.get("Items", []):
                yield _member(from_item(item))
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
