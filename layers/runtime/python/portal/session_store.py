"""DynamoDB access for "where one is signed in": the sessions of an account (GSI1, through the
store), and ending one of them only if it is the caller's (one conditional UpdateItem)."""

from __future__ import annotations

from typing import Any, Protocol

from portal import tables
from portal.catalog_store import dynamo_call
from portal.sessions import Session
from portal.store import Conflict


class SessionLister(Protocol):
    def sessions_of(self, sub: str) -> list[Session]: ...


class DynamoSessions:
    def __init__(self, lister: SessionLister, client: Any, table_name: str) -> None:
        self._lister = lister
        self._db = client
        self._table = table_name

    def sessions_of(self, sub: str) -> list[Session]:
        return self._lister.sessions_of(sub)

    def end_session(self, session_id: str, sub: str) -> bool:
        """Revoked (kept until its TTL, so a late refresh is still recognised as refused); the
        condition names the owner, so another account's id changes nothing and reads as absent."""
        try:
            with dynamo_call():
                self._db.update_item(
                    TableName=self._table,
                    Key={tables.PARTITION_KEY: {"S": f"SESSION#{session_id}"}, tables.SORT_KEY: {"S": "SESSION"}},
                    UpdateExpression="SET #revoked = :true",
                    ConditionExpression="attribute_exists(#pk) AND #sub = :sub",
                    ExpressionAttributeNames={"#revoked": "revoked", "#pk": tables.PARTITION_KEY, "#sub": "sub"},
                    ExpressionAttributeValues={":true": {"BOOL": True}, ":sub": {"S": sub}},
                )
        except Conflict:
            return False
        return True
