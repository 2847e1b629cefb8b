"""Items of the account aggregate, both ways, and the requests both of its stores put in transactions."""

from __future__ import annotations

from typing import Any

from portal import tables
from portal.codes import CodeRecord, Purpose
from portal.devices import DEVICE_MEMORY
from portal.dynamo.codec import to_item
from portal.dynamo.keys import (
    CODE_SK_PREFIX,
    DEVICE_SK_PREFIX,
    LOGINS_SK,
    REFRESH_SK_PREFIX,
    SENDS_SK,
    SESSION_PREFIX,
    SESSION_SK,
    USER_SK,
    address_pk,
    code_sk,
    key,
    session_pk,
    sub_pk,
)
from portal.dynamo.mfa_items import mfa_attributes, mfa_state
from portal.limits import WINDOW_SECONDS, SendLog
from portal.lockout import WINDOW_SECONDS as LOGIN_WINDOW_SECONDS
from portal.lockout import LoginFailures
from portal.sessions import RefreshRecord, Session
from portal.users import Status, User


def user_item(user: User) -> dict[str, Any]:
    return {
        tables.PARTITION_KEY: address_pk(user.username),
        tables.SORT_KEY: USER_SK,
        tables.GSI1_PARTITION_KEY: sub_pk(user.sub),
        tables.GSI1_SORT_KEY: USER_SK,
        "sub": user.sub,
        "username": user.username,
        "email": user.email,
        "status": str(user.status),
        "enabled": user.enabled,
        "emailVerified": user.email_verified,
        "passwordHash": user.password_hash,
        "language": user.language,
        "createdAt": user.created_at,
        "updatedAt": user.updated_at,
        "newsletter": user.newsletter or None,
        "sessionEpoch": user.session_epoch,
        "pendingEmail": user.pending_email,
        **mfa_attributes(user.mfa),
    }


def user_of(values: dict[str, Any]) -> User:
    return User(
        sub=values["sub"],
        username=values["username"],
        email=values["email"],
        status=Status(values["status"]),
        password_hash=values["passwordHash"],
        language=values.get("language", "en"),
        created_at=values["createdAt"],
        updated_at=values["updatedAt"],
        enabled=values.get("enabled", True),
        email_verified=values.get("emailVerified", False),
        newsletter=values.get("newsletter") or {},
        session_epoch=values.get("sessionEpoch", 0),
        pending_email=values.get("pendingEmail"),
        mfa=mfa_state(values),
    )


def code_item(username: str, code: CodeRecord, owner: str | None = None) -> dict[str, Any]:
    return {
        tables.PARTITION_KEY: address_pk(username),
        tables.SORT_KEY: code_sk(code.purpose, owner),
        "digest": code.digest,
        "keyId": code.key_id,
        "createdAt": code.created_at,
        "expiresAt": code.expires_at,
        "attempts": code.attempts,
        "spent": code.spent,
        tables.TTL_ATTRIBUTE: code.expires_at,
    }


def code_of(values: dict[str, Any]) -> CodeRecord:
    return CodeRecord(
        purpose=Purpose(values[tables.SORT_KEY].removeprefix(CODE_SK_PREFIX).split("#")[0]),
        digest=values["digest"],
        key_id=values["keyId"],
        created_at=values["createdAt"],
        expires_at=values["expiresAt"],
        attempts=values.get("attempts", 0),
        spent=values.get("spent", False),
    )


def sends_item(username: str, sends: SendLog) -> dict[str, Any]:
    return {
        tables.PARTITION_KEY: address_pk(username),
        tables.SORT_KEY: SENDS_SK,
        "sentAt": list(sends.sent_at),
        "version": sends.version,
        tables.TTL_ATTRIBUTE: (sends.sent_at[-1] + WINDOW_SECONDS) if sends.sent_at else None,
    }


def logins_item(username: str, logins: LoginFailures) -> dict[str, Any]:
    return {
        tables.PARTITION_KEY: address_pk(username),
        tables.SORT_KEY: LOGINS_SK,
        "consecutive": logins.consecutive,
        "lastFailedAt": logins.last_failed_at,
        "recent": list(logins.recent),
        "version": logins.version,
        # The backoff never outlasts 15 minutes and the window an hour: then the item is garbage.
        tables.TTL_ATTRIBUTE: max([logins.last_failed_at, *logins.recent]) + LOGIN_WINDOW_SECONDS,
    }


def session_item(session: Session) -> dict[str, Any]:
    return {
        tables.PARTITION_KEY: session_pk(session.session_id),
        tables.SORT_KEY: SESSION_SK,
        tables.GSI1_PARTITION_KEY: sub_pk(session.sub),
        tables.GSI1_SORT_KEY: session_pk(session.session_id),
        "sub": session.sub,
        "username": session.username,
        "emailVerified": session.email_verified,
        "epoch": session.epoch,
        "createdAt": session.created_at,
        "expiresAt": session.expires_at,
        "revoked": session.revoked,
        "userAgent": session.user_agent,
        "ip": session.ip,
        "method": session.method,
        "lastUsedAt": session.last_used_at or session.created_at,
        tables.TTL_ATTRIBUTE: session.expires_at,
    }


def session_of(values: dict[str, Any]) -> Session:
    return Session(
        session_id=values[tables.PARTITION_KEY].removeprefix(SESSION_PREFIX),
        sub=values["sub"],
        username=values["username"],
        email_verified=values.get("emailVerified", False),
        epoch=values.get("epoch", 0),
        created_at=values["createdAt"],
        expires_at=values["expiresAt"],
        revoked=values.get("revoked", False),
        user_agent=values.get("userAgent", ""),
        ip=values.get("ip", ""),
        method=values.get("method", "password"),
        last_used_at=values.get("lastUsedAt"),
    )


def refresh_item(session_id: str, record: RefreshRecord) -> dict[str, Any]:
    return {
        tables.PARTITION_KEY: session_pk(session_id),
        tables.SORT_KEY: REFRESH_SK_PREFIX + record.digest,
        "createdAt": record.created_at,
        "expiresAt": record.expires_at,
        "used": record.used,
        tables.TTL_ATTRIBUTE: record.expires_at,
    }


def refresh_of(values: dict[str, Any]) -> RefreshRecord:
    return RefreshRecord(
        digest=values[tables.SORT_KEY].removeprefix(REFRESH_SK_PREFIX),
        created_at=values["createdAt"],
        expires_at=values["expiresAt"],
        used=values.get("used", False),
    )


def session_puts(table: str, session: Session, refresh: RefreshRecord) -> list[tuple[str, dict[str, Any]]]:
    """A new session (which must not exist) and its first refresh record, as named transaction items."""
    return [
        (
            "session",
            {
                "Put": {
                    "TableName": table,
                    "Item": to_item(session_item(session)),
                    "ConditionExpression": "attribute_not_exists(#pk)",
                    "ExpressionAttributeNames": {"#pk": tables.PARTITION_KEY},
                }
            },
        ),
        ("refresh", {"Put": {"TableName": table, "Item": to_item(refresh_item(session.session_id, refresh))}}),
    ]


def device_seen(table: str, username: str, device: str, now: int) -> tuple[str, dict[str, Any]]:
    """The device a session was opened from, seen now (its `lastSeenAt`), as a named transaction item."""
    seen = {":now": {"N": str(now)}, ":ttl": {"N": str(now + DEVICE_MEMORY)}}
    update = {
        "TableName": table,
        "Key": key(address_pk(username), DEVICE_SK_PREFIX + device),
        "UpdateExpression": "SET #seen = :now, #ttl = :ttl",
        "ExpressionAttributeNames": {"#seen": "lastSeenAt", "#ttl": tables.TTL_ATTRIBUTE},
        "ExpressionAttributeValues": seen,
    }
    return ("device", {"Update": update})


def logins_put(table: str, username: str, before: LoginFailures, after: LoginFailures) -> dict[str, Any]:
    """Replace the address's failure record only if nobody changed it since `before` was read."""
    put: dict[str, Any] = {"TableName": table, "Item": to_item(logins_item(username, after))}
    if before.version == 0:
        put["ConditionExpression"] = "attribute_not_exists(#pk)"
        put["ExpressionAttributeNames"] = {"#pk": tables.PARTITION_KEY}
    else:
        put["ConditionExpression"] = "#version = :version"
        put["ExpressionAttributeNames"] = {"#version": "version"}
        put["ExpressionAttributeValues"] = {":version": {"N": str(before.version)}}
    return {"Put": put}


def revoke_update(table: str, session_id: str) -> dict[str, Any]:
    # Only an existing session: an update of a missing one would write a stub item.
    return {
        "TableName": table,
        "Key": key(session_pk(session_id), SESSION_SK),
        "UpdateExpression": "SET #revoked = :true",
        "ConditionExpression": "attribute_exists(#pk)",
        "ExpressionAttributeNames": {"#revoked": "revoked", "#pk": tables.PARTITION_KEY},
        "ExpressionAttributeValues": {":true": {"BOOL": True}},
    }


def restamp_update(table: str, session_id: str, epoch: int) -> dict[str, Any]:
    return {
        "TableName": table,
        "Key": key(session_pk(session_id), SESSION_SK),
        "UpdateExpression": "SET #epoch = :epoch",
        "ConditionExpression": "attribute_exists(#pk) AND #revoked = :false",
        "ExpressionAttributeNames": {"#epoch": "epoch", "#pk": tables.PARTITION_KEY, "#revoked": "revoked"},
        "ExpressionAttributeValues": {":epoch": {"N": str(epoch)}, ":false": {"BOOL": False}},
    }
