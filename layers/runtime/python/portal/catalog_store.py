"""DynamoDB access for the catalogue and the daily download counters (same single table).

Items (pk / sk):
  VIDEO#<id> / VIDEO                   a catalogue record (gsi1: CATALOG / <publishedAt>#<id>)
  SUB#<sub>  / DOWNLOADS#<yyyy-mm-dd>  downloads issued to an account that UTC day (TTL)
  SUB#<sub>  / DOWNLOAD#<iso>#<id>     one issued download, for the account's history (TTL 1 year)
The catalogue is read newest first by querying GSI1's CATALOG partition in descending order.
The logic above (catalog.py, downloads.py) never sees boto3 types.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from portal import tables
from portal.catalog import Range, Video
from portal.downloads import HistoryEntry
from portal.store import Conflict

VIDEO_SK = "VIDEO"
CATALOG_PARTITION = "CATALOG"
DOWNLOADS_SK_PREFIX = "DOWNLOADS#"
HISTORY_SK_PREFIX = "DOWNLOAD#"
# BatchWriteItem takes at most 25 requests; what DynamoDB leaves unprocessed is sent again this often.
BATCH_WRITE_ITEMS = 25
BATCH_WRITE_ATTEMPTS = 5
TITLE_WORDS = "titleWords"
_KEYS = {*tables.KEY_ATTRIBUTES, TITLE_WORDS}

_serialize = TypeSerializer().serialize
_deserialize = TypeDeserializer().deserialize


@contextmanager
def dynamo_call() -> Iterator[None]:
    """A lost condition is `Conflict`; any other DynamoDB failure is `DependencyFailure` (503)."""
    from portal.errors import DependencyFailure

    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code == "ConditionalCheckFailedException":
            raise Conflict() from None
        raise DependencyFailure(f"DynamoDB: {code}") from exc
    except BotoCoreError as exc:
        raise DependencyFailure(f"DynamoDB: {type(exc).__name__}") from exc


def plain(value: Any) -> Any:
    """A deserialized DynamoDB value with numbers as int/float and sets as lists."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, set, frozenset, tuple)):
        return [plain(v) for v in value]
    return value


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _serialize(value) for name, value in values.items() if value is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: plain(_deserialize(value)) for name, value in item.items()}


def video_key(video_id: str) -> dict[str, Any]:
    return to_item({tables.PARTITION_KEY: f"VIDEO#{video_id}", tables.SORT_KEY: VIDEO_SK})


def _video_item(video: Video) -> dict[str, Any]:
    record = video.model_dump(mode="json", exclude_none=True)
    record["publishedAt"] = video.published
    return to_item(
        {
            tables.PARTITION_KEY: f"VIDEO#{video.id}",
            tables.SORT_KEY: VIDEO_SK,
            tables.GSI1_PARTITION_KEY: CATALOG_PARTITION,
            tables.GSI1_SORT_KEY: video.sort_key,
            # A string set: `contains` on it is an exact word match (a filter on a substring is not).
            TITLE_WORDS: set(video.title_words) or None,
            **record,
        }
    )


def _video(item: dict[str, Any]) -> Video:
    values = from_item(item)
    return Video.model_validate({k: v for k, v in values.items() if k not in _KEYS})


class DynamoCatalog:
    def __init__(self, client: Any, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def get(self, video_id: str) -> Video | None:
        with dynamo_call():
            item = self._db.get_item(TableName=self._table, Key=video_key(video_id)).get("Item")
        return _video(item) if item else None

    def page(
        self, bounds: Range, after: str | None, limit: int, all_words: frozenset[str]
    ) -> tuple[list[Video], str | None]:
        names = {"#pk": tables.GSI1_PARTITION_KEY}
        values: dict[str, Any] = {":pk": {"S": CATALOG_PARTITION}}
        condition = "#pk = :pk"
        if bounds.low is not None or bounds.high is not None:
            names["#sk"] = tables.GSI1_SORT_KEY  # DynamoDB refuses names an expression does not use
        if bounds.low is not None and bounds.high is not None:
            condition += " AND #sk BETWEEN :low AND :high"
        elif bounds.low is not None:
            condition += " AND #sk >= :low"
        elif bounds.high is not None:
            condition += " AND #sk <= :high"
        for name, bound in (("low", bounds.low), ("high", bounds.high)):
            if bound is not None:
                values[f":{name}"] = {"S": bound}
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": tables.GSI1,
            "KeyConditionExpression": condition,
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if all_words:
            names["#words"] = TITLE_WORDS
            request["FilterExpression"] = " AND ".join(f"contains(#words, :w{i})" for i in range(len(all_words)))
            values.update({f":w{i}": {"S": word} for i, word in enumerate(sorted(all_words))})
        if after is not None:
            video_id = after.split("#", 1)[1]
            request["ExclusiveStartKey"] = {
                **video_key(video_id),
                tables.GSI1_PARTITION_KEY: {"S": CATALOG_PARTITION},
                tables.GSI1_SORT_KEY: {"S": after},
            }
        with dynamo_call():
            response = self._db.query(ExpressionAttributeNames=names, ExpressionAttributeValues=values, **request)
        last = response.get("LastEvaluatedKey")
        return [_video(item) for item in response.get("Items", [])], (last[tables.GSI1_SORT_KEY]["S"] if last else None)

    def all(self) -> Iterator[Video]:
        """Every record, newest first (ops listing; pages through the index)."""
        after: str | None = None
        while True:
            items, after = self.page(Range(), after, 100, frozenset())
            yield from items
            if after is None:
                return

    def put(self, video: Video) -> None:
        """Create or replace a record (ops)."""
        with dynamo_call():
            self._db.put_item(TableName=self._table, Item=_video_item(video))

    def delete(self, video_id: str) -> bool:
        """Remove a record (ops); False when there was none."""
        with dynamo_call():
            response = self._db.delete_item(TableName=self._table, Key=video_key(video_id), ReturnValues="ALL_OLD")
        return bool(response.get("Attributes"))


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
                    Key=to_item({tables.PARTITION_KEY: f"SUB#{sub}", tables.SORT_KEY: DOWNLOADS_SK_PREFIX + day}),
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
                        tables.PARTITION_KEY: f"SUB#{sub}",
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
            "ExpressionAttributeValues": {":pk": {"S": f"SUB#{sub}"}, ":prefix": {"S": HISTORY_SK_PREFIX}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if after:
            request["ExclusiveStartKey"] = to_item(
                {tables.PARTITION_KEY: f"SUB#{sub}", tables.SORT_KEY: HISTORY_SK_PREFIX + after}
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
            {tables.PARTITION_KEY: {"S": f"SUB#{sub}"}, tables.SORT_KEY: {"S": item[tables.SORT_KEY]}}
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
                from portal.errors import DependencyFailure

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
            "ExpressionAttributeValues": {":pk": {"S": f"SUB#{sub}"}},
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
