"""Downloads per account: the daily counter (SUB#<sub> / DOWNLOADS#<day>) and the history
(SUB#<sub> / DOWNLOAD#<iso>#<id>), both under the account's own partition."""

from __future__ import annotations

from typing import Any

from portal import tables
from portal.downloads import HistoryEntry
from portal.dynamo.calls import dynamo_call
from portal.dynamo.codec import from_item, to_item
from portal.dynamo.keys import DOWNLOADS_SK_PREFIX, HISTORY_SK_PREFIX, sub_pk
from portal.records import Conflict


class DynamoDownloadCounter:
    """One counter item per account per UTC day, raised only while it is under the quota."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def take(self, sub: str, day: str, quota: int, expires_at: int) -> int | None:
        """Count one download; the count so far, or None when the day's quota is used up."""
        try:
            with dynamo_call():
                response = self._db.update_item(
                    TableName=self._table,
                    Key=to_item({tables.PARTITION_KEY: sub_pk(sub), tables.SORT_KEY: DOWNLOADS_SK_PREFIX + day}),
                    UpdateExpression="ADD #count :one SET #ttl = :ttl",
                    ConditionExpression="attribute_not_exists(#count) OR #count < :quota",
                    ExpressionAttributeNames={"#count": "count", "#ttl": tables.TTL_ATTRIBUTE},
                    ExpressionAttributeValues={
                        ":one": {"N": "1"},
                        ":quota": {"N": str(quota)},
                        ":ttl": {"N": str(expires_at)},
                    },
                    ReturnValues="UPDATED_NEW",
                )
        except Conflict:
            return None
        return int(response["Attributes"]["count"]["N"])


class DynamoDownloadHistory:
    """One item per issued download under the account's SUB# partition, read newest first."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def record(self, sub: str, entry: HistoryEntry, expires_at: int) -> None:
        with dynamo_call():
            self._db.put_item(
                TableName=self._table,
                Item=to_item(
                    {
                        tables.PARTITION_KEY: sub_pk(sub),
                        tables.SORT_KEY: HISTORY_SK_PREFIX + entry.sort_key,
                        "videoId": entry.video_id,
                        "rendition": entry.rendition,
                        "issuedAt": entry.issued_at,
                        tables.TTL_ATTRIBUTE: expires_at,
                    }
                ),
            )

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

    def everything(self, sub: str) -> list[dict[str, Any]]:
        """The whole history, newest first, for an operator's data-access export."""
        found, after = [], None
        while True:
            entries, after = self.page(sub, after, 100)
            found += [{"videoId": e.video_id, "rendition": e.rendition, "issuedAt": e.issued_at} for e in entries]
            if after is None:
                return found
