"""Passkey items (PASSKEY#<credential id>) and the update that records a passkey's use: shared by
the passkey store and the session transaction a passkey sign-in writes (portal/dynamo/sessions.py)."""

from __future__ import annotations

from typing import Any

from portal import tables
from portal.dynamo.codec import to_item
from portal.dynamo.keys import PASSKEY_PREFIX, PASSKEY_SK, key, passkey_pk, sub_pk
from portal.passkey_records import Passkey, PasskeyUse


def passkey_item(passkey: Passkey) -> dict[str, Any]:
    return {
        tables.PARTITION_KEY: passkey_pk(passkey.credential_id),
        tables.SORT_KEY: PASSKEY_SK,
        tables.GSI1_PARTITION_KEY: sub_pk(passkey.sub),
        tables.GSI1_SORT_KEY: PASSKEY_PREFIX + passkey.credential_id,
        "credentialId": passkey.credential_id,
        "sub": passkey.sub,
        "userHandle": passkey.user_handle,
        "credentialData": passkey.credential_data,
        "signCount": passkey.sign_count,
        "name": passkey.name,
        "createdAt": passkey.created_at,
        "lastUsedAt": passkey.last_used_at,
        "backedUp": passkey.backed_up,
    }


def passkey_of(item: dict[str, Any]) -> Passkey:
    return Passkey(
        credential_id=item["credentialId"],
        sub=item["sub"],
        user_handle=item["userHandle"],
        credential_data=bytes(item["credentialData"]),
        sign_count=int(item["signCount"]),
        name=item["name"],
        created_at=item["createdAt"],
        last_used_at=item.get("lastUsedAt"),
        backed_up=bool(item.get("backedUp", False)),
    )


def passkey_use_update(table: str, use: PasskeyUse) -> dict[str, Any]:
    """The new sign count and last use, only if nobody recorded another use since the passkey was
    read (and it is still this account's): a transaction item."""
    passkey = use.passkey
    return {
        "Update": {
            "TableName": table,
            "Key": key(passkey_pk(passkey.credential_id), PASSKEY_SK),
            "UpdateExpression": "SET #count = :new, #used = :used, #backed = :backed",
            "ConditionExpression": "#sub = :sub AND #count = :old",
            "ExpressionAttributeNames": {
                "#count": "signCount",
                "#used": "lastUsedAt",
                "#backed": "backedUp",
                "#sub": "sub",
            },
            "ExpressionAttributeValues": to_item(
                {
                    ":new": use.sign_count,
                    ":old": passkey.sign_count,
                    ":used": use.used_at,
                    ":backed": use.backed_up,
                    ":sub": passkey.sub,
                }
            ),
        }
    }
