"""The video catalogue: VIDEO#<id> / VIDEO, read newest first through GSI1's CATALOG partition."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from portal import tables
from portal.catalog import Range, Video
from portal.dynamo.calls import dynamo_call
from portal.dynamo.codec import from_item, to_item
from portal.dynamo.keys import CATALOG_PARTITION, VIDEO_SK, video_pk

TITLE_WORDS = "titleWords"
_KEYS = {*tables.KEY_ATTRIBUTES, TITLE_WORDS}


def video_key(video_id: str) -> dict[str, Any]:
    return to_item({tables.PARTITION_KEY: video_pk(video_id), tables.SORT_KEY: VIDEO_SK})


def _video_item(video: Video) -> dict[str, Any]:
    record = video.model_dump(mode="json", exclude_none=True)
    record["publishedAt"] = video.published
    return to_item(
        {
            tables.PARTITION_KEY: video_pk(video.id),
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
