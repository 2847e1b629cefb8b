"""Downloads per account: the daily counter (SUB#<sub> / DOWNLOADS#<day>) and the history
(SUB#<sub> / DOWNLOAD#<iso>#<id>), both under the account's own partition."""

from __future__ import annotations

from typing import Any

from portal import tables
from portal.downloads import HistoryEntry
from portal.dynamo.calls import dynamo_call, transact
from portal.dynamo.codec import from_item, to_item
from portal.dynamo.keys import DOWNLOADS_SK_PREFIX, HISTORY_SK_PREFIX, sub_pk
from portal.errors import DependencyFailure
from portal.records import Conflict

# BatchWriteItem takes at most 25 requests; what DynamoDB leaves unprocessed is sent again this often.
BATCH_WRITE_ITEMS = 25
BATCH_WRITE_ATTEMPTS = 5


class DynamoDownloadCounter:
    """One counter item per account per UTC day, raised only while it is under the quota, and the
    history item of the download it counts, written in the same transaction (one call)."""

    # A transaction that meets a concurrent one on the counter (the same account downloading twice
    # at once) is cancelled with TransactionConflict, which says nothing about the quota: sent again.
    ATTEMPTS = 3

    def __init__(self, client: Any, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def take(self, sub: str, day: str, quota: int, expires_at: int, entry: HistoryEntry, entry_expires_at: int) -> bool:
        """Count one download and record it; False (nothing written) when the day's quota is used up."""
        count = {
            "Update": {
                "TableName": self._table,
                "Key": to_item({tables.PARTITION_KEY: sub_pk(sub), tables.SORT_KEY: DOWNLOADS_SK_PREFIX + day}),
                "UpdateExpression": "ADD #count :one SET #ttl = :ttl",
                "ConditionExpression": "attribute_not_exists(#count) OR #count < :quota",
                "ExpressionAttributeNames": {"#count": "count", "#ttl": tables.TTL_ATTRIBUTE},
                "ExpressionAttributeValues": {
                    ":one": {"N": "1"},
                    ":quota": {"N": str(quota)},
                    ":ttl": {"N": str(expires_at)},
                },
            }
        }
        record = {"Put": {"TableName": self._table, "Item": history_item(sub, entry, entry_expires_at)}}
        for _ in range(self.ATTEMPTS):
            try:
                transact(self._db, [("counter", count), ("history", record)])
                return True
            except Conflict as lost:
                if not lost.race:
                    return False  # the counter's condition failed: the quota is used up
        raise DependencyFailure("DynamoDB: the download counter stayed contended")


def history_item(sub: str, entry: HistoryEntry, expires_at: int) -> dict[str, Any]:
    return to_item(
        {
            tables.PARTITION_KEY: sub_pk(sub),
            tables.SORT_KEY: HISTORY_SK_PREFIX + entry.sort_key,
            "videoId": entry.video_id,
            "rendition": entry.rendition,
            "issuedAt": entry.issued_at,
            tables.TTL_ATTRIBUTE: expires_at,
        }
    )


class DynamoDownloadHistory:
    """One item per issued download under the account's SUB# partition, read newest first."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def page(self, sub: str, after: str | None, limit: int) -> tuple[list[HistoryEntry], str | None]:
        """Up to `limit` entries newest first after the sort key `after`, and the last key read
        when more may follow."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :prefix)",
            "ExpressionAttributeNames": {"#pk": tables.PARTITION_KEY, "#sk": tables.SORT_KEY},
            "ExpressionAttributeValues": {":pk": {"S": sub_pk(sub)}, ":prefix": {"S": HISTORY_SK_PREFIX}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if after:
            request["ExclusiveStartKey"] = to_item(
                {tables.PARTITION_KEY: sub_pk(sub), tables.SORT_KEY: HISTORY_SK_PREFIX + after}
            )
        with dynamo_call():
            response = self._db.query(**request)
        entries = [
            HistoryEntry(
                sort_key=values[tables.SORT_KEY].removeprefix(HISTORY_SK_PREFIX),
                video_id=values["videoId"],
                rendition=values["rendition"],
                issued_at=values["issuedAt"],
            )
            for values in (from_item(item) for item in response.get("Items", []))
        ]
        last = response.get("LastEvaluatedKey")
        return entries, (last[tables.SORT_KEY]["S"].removeprefix(HISTORY_SK_PREFIX) if last else None)

    def erase(self, sub: str) -> int:
        """Delete everything under the account's SUB# partition (history and daily counters) when
        the account goes; the number of items deleted."""
        keys = [
            {tables.PARTITION_KEY: {"S": sub_pk(sub)}, tables.SORT_KEY: {"S": item[tables.SORT_KEY]}}
            for item in self._partition(sub)
        ]
        for start in range(0, len(keys), BATCH_WRITE_ITEMS):
            requests = [{"DeleteRequest": {"Key": key}} for key in keys[start : start + BATCH_WRITE_ITEMS]]
            for _ in range(BATCH_WRITE_ATTEMPTS):
                with dynamo_call():
                    response = self._db.batch_write_item(RequestItems={self._table: requests})
                requests = response.get("UnprocessedItems", {}).get(self._table, [])
                if not requests:
                    break
            else:
                raise DependencyFailure(f"DynamoDB: {len(requests)} download records left after retries")
        return len(keys)

    def counters(self, sub: str) -> list[dict[str, Any]]:
        """The account's daily download counters (day and count), for an operator's export."""
        return [
            {"day": values[tables.SORT_KEY].removeprefix(DOWNLOADS_SK_PREFIX), "count": int(values["count"])}
            for values in self._partition(sub, DOWNLOADS_SK_PREFIX)
        ]

    def _partition(self, sub: str, prefix: str | None = None) -> list[dict[str, Any]]:
        """Every item under SUB#<sub> (whose sort key starts with `prefix`)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": tables.PARTITION_KEY},
            "ExpressionAttributeValues": {":pk": {"S": sub_pk(sub)}},
        }
        if prefix:
            request["KeyConditionExpression"] += " AND begins_with(#sk, :prefix)"
            request["ExpressionAttributeNames"]["#sk"] = tables.SORT_KEY
            request["ExpressionAttributeValues"][":prefix"] = {"S": prefix}
        found: list[dict[str, Any]] = []
        while True:
            with dynamo_call():
                response = self._db.query(**request)
            found += [from_item(item) for item in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def everything(self, sub: str) -> list[dict[str, Any]]:
        """The whole history, newest first, for an operator's data-access export."""
        found, after = [], None
        while True:
            entries, after = self.page(sub, after, 100)
            found += [{"videoId": e.video_id, "rendition": e.rendition, "issuedAt": e.issued_at} for e in entries]
            if after is None:
                return found
