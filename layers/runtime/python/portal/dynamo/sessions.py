"""Sign-in sessions and their refresh tokens (SESSION#<id>), listed per account through GSI1."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portal import tables
from portal.devices import DEVICE_MEMORY
from portal.dynamo.account_items import (
    device_seen,
    logins_put,
    refresh_item,
    refresh_of,
    revoke_update,
    session_of,
    session_puts,
    user_of,
)
from portal.dynamo.calls import dynamo_call, sub_index_items, transact
from portal.dynamo.codec import from_item, to_item
from portal.dynamo.keys import (
    DEVICE_SK_PREFIX,
    REFRESH_SK_PREFIX,
    SESSION_PREFIX,
    SESSION_SK,
    USER_SK,
    address_pk,
    key,
    session_pk,
)
from portal.errors import DependencyFailure
from portal.records import Conflict, LoginsChange
from portal.sessions import RefreshRecord, Session
from portal.users import User

if TYPE_CHECKING:
    from portal.passkey_records import PasskeyUse

# A page of GSI results: how many sessions one sweep (log out everywhere, delete) reads at a time.
SESSION_PAGE = 100


class DynamoSessions:
    def __init__(self, client: Any, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def sessions_of(self, sub: str) -> list[Session]:
        """Every session of the account, through GSI1 (which projects all attributes; no secrets in
        them). The index is eventually consistent: a session created within the last moment may be
        missing; the account's session epoch covers it."""
        items = sub_index_items(self._db, self._table, sub, SESSION_PREFIX, SESSION_PAGE)
        return [session_of(from_item(item)) for item in items]

    def create_session(
        self,
        session: Session,
        refresh: RefreshRecord,
        logins: LoginsChange | None = None,
        device: str | None = None,
        passkey_use: PasskeyUse | None = None,
    ) -> None:
        """The session and its first refresh record, with the failure record's change (`logins`: the
        un-count of the right password), the device seen now (`device`) and the passkey's new sign
        count (`passkey_use`), at once. Conflict.parts: "session", "logins" or "passkey"."""
        items: list[tuple[str, dict[str, Any]]] = [
            *session_puts(self._table, session, refresh),
        ]
        if logins is not None:
            items.append(("logins", logins_put(self._table, logins.username, logins.before, logins.after)))
        if device is not None:
            items.append(device_seen(self._table, session.username, device, session.created_at))
        if passkey_use is not None:
            # Imported here: only the passkey sign-in function writes it.
            from portal.dynamo.passkey_items import passkey_use_update

            items.append(("passkey", passkey_use_update(self._table, passkey_use)))
        transact(self._db, items)

    def claim_device_notice(self, username: str, device: str, now: int) -> bool:
        """Whether this request may mail the new-device notice: at most one per device per day,
        whoever asks (parallel sign-ins from one new device mail once)."""
        try:
            with dynamo_call():
                self._db.update_item(
                    TableName=self._table,
                    Key=key(address_pk(username), DEVICE_SK_PREFIX + device),
                    UpdateExpression="SET #notified = :now, #ttl = if_not_exists(#ttl, :ttl)",
                    ConditionExpression="attribute_not_exists(#notified) OR #notified <= :day_ago",
                    ExpressionAttributeNames={"#notified": "notifiedAt", "#ttl": tables.TTL_ATTRIBUTE},
                    ExpressionAttributeValues={
                        ":now": {"N": str(now)},
                        ":day_ago": {"N": str(now - 86400)},
                        ":ttl": {"N": str(now + DEVICE_MEMORY)},
                    },
                )
        except Conflict:
            return False
        return True

    def end_session(self, session_id: str, sub: str) -> bool:
        """Revoked (kept until its TTL, so a late refresh is still recognised as refused); the
        condition names the owner, so another account's id changes nothing and reads as absent."""
        try:
            with dynamo_call():
                self._db.update_item(
                    TableName=self._table,
                    Key=key(session_pk(session_id), SESSION_SK),
                    UpdateExpression="SET #revoked = :true",
                    ConditionExpression="attribute_exists(#pk) AND #sub = :sub",
                    ExpressionAttributeNames={"#revoked": "revoked", "#pk": tables.PARTITION_KEY, "#sub": "sub"},
                    ExpressionAttributeValues={":true": {"BOOL": True}, ":sub": {"S": sub}},
                )
        except Conflict:
            return False
        return True

    def load_session(self, session_id: str) -> Session | None:
        """One strongly consistent GetItem: a revocation is seen at once."""
        with dynamo_call():
            response = self._db.get_item(
                TableName=self._table, Key=key(session_pk(session_id), SESSION_SK), ConsistentRead=True
            )
        item = response.get("Item")
        return session_of(from_item(item)) if item else None

    def load_access(self, session_id: str, username: str) -> tuple[Session | None, User | None]:
        """The session and the account at `username`, strongly consistent, in one BatchGetItem:
        what the authorizer needs to judge an access token (revoked, expired, or older than the
        account's session epoch). Keys DynamoDB leaves unprocessed are asked again (rare)."""
        keys = {
            session_pk(session_id): key(session_pk(session_id), SESSION_SK),
            address_pk(username): key(address_pk(username), USER_SK),
        }
        found: dict[str, dict[str, Any]] = {}
        pending = list(keys.values())
        for _ in range(3):
            with dynamo_call():
                response = self._db.batch_get_item(
                    RequestItems={self._table: {"Keys": pending, "ConsistentRead": True}}
                )
            for item in response.get("Responses", {}).get(self._table, []):
                values = from_item(item)
                found[values[tables.PARTITION_KEY]] = values
            pending = response.get("UnprocessedKeys", {}).get(self._table, {}).get("Keys", [])
            if not pending:
                break
        else:
            raise DependencyFailure("DynamoDB: keys left unprocessed")
        session = found.get(session_pk(session_id))
        user = found.get(address_pk(username))
        return (session_of(session) if session else None, user_of(user) if user else None)

    def load_refresh(self, session_id: str, digest: str) -> tuple[Session | None, RefreshRecord | None]:
        """The session and the presented refresh token's record, read together (consistent)."""
        with dynamo_call():
            response = self._db.transact_get_items(
                TransactItems=[
                    {"Get": {"TableName": self._table, "Key": key(session_pk(session_id), SESSION_SK)}},
                    {
                        "Get": {
                            "TableName": self._table,
                            "Key": key(session_pk(session_id), REFRESH_SK_PREFIX + digest),
                        }
                    },
                ]
            )
        session_item, refresh_item = (r.get("Item") for r in response["Responses"])
        return (
            session_of(from_item(session_item)) if session_item else None,
            refresh_of(from_item(refresh_item)) if refresh_item else None,
        )

    def rotate_refresh(self, session: Session, used: RefreshRecord, new: RefreshRecord) -> None:
        """Mark the presented token used and store its successor, only if nobody used it first, the
        session is still live and its account still lets it refresh (the account at the session's
        address has its sub, is enabled, and its session epoch is not above the session's): of
        concurrent refreshes with one token exactly one gets here. Conflict.parts: "refresh" (used
        already), "session" (revoked), "account" (deleted, moved, disabled, or a newer epoch)."""
        account_check = {
            "ConditionCheck": {
                "TableName": self._table,
                "Key": key(address_pk(session.username), USER_SK),
                "ConditionExpression": "#sub = :sub AND #enabled = :true AND #epoch <= :epoch",
                "ExpressionAttributeNames": {"#sub": "sub", "#enabled": "enabled", "#epoch": "sessionEpoch"},
                "ExpressionAttributeValues": {
                    ":sub": {"S": session.sub},
                    ":true": {"BOOL": True},
                    ":epoch": {"N": str(session.epoch)},
                },
            }
        }
        transact(
            self._db,
            [
                (
                    "refresh",
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": key(session_pk(session.session_id), REFRESH_SK_PREFIX + used.digest),
                            "UpdateExpression": "SET #used = :true",
                            "ConditionExpression": "#used = :false",
                            "ExpressionAttributeNames": {"#used": "used"},
                            "ExpressionAttributeValues": {":true": {"BOOL": True}, ":false": {"BOOL": False}},
                        }
                    },
                ),
                ("new", {"Put": {"TableName": self._table, "Item": to_item(refresh_item(session.session_id, new))}}),
                (
                    "session",
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": key(session_pk(session.session_id), SESSION_SK),
                            "UpdateExpression": "SET #expires = :expires, #ttl = :expires, #used_at = :now",
                            "ConditionExpression": "#revoked = :false",
                            "ExpressionAttributeNames": {
                                "#expires": "expiresAt",
                                "#ttl": tables.TTL_ATTRIBUTE,
                                "#revoked": "revoked",
                                "#used_at": "lastUsedAt",
                            },
                            "ExpressionAttributeValues": {
                                ":expires": {"N": str(new.expires_at)},
                                ":false": {"BOOL": False},
                                ":now": {"N": str(new.created_at)},
                            },
                        }
                    },
                ),
                ("account", account_check),
            ],
        )

    def revoke_session(self, session_id: str) -> None:
        """Mark the session revoked (kept until its TTL, so a late refresh is still recognised)."""
        try:
            with dynamo_call():
                self._db.update_item(**revoke_update(self._table, session_id))
        except Conflict:
            pass  # no such session: nothing to revoke

    def delete_session(self, session_id: str) -> None:
        """The session item goes; its refresh token records are left to their TTL (hashes only,
        useless without the session)."""
        with dynamo_call():
            self._db.delete_item(TableName=self._table, Key=key(session_pk(session_id), SESSION_SK))
