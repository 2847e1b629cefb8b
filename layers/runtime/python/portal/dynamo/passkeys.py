"""Passkeys (PASSKEY#<credential id>, listed per account through GSI1) and WebAuthn challenges.

A credential id is unique across the table: adding one that exists (another account's, or the
same twice) is a Conflict. A challenge is taken by deleting it: of any number of concurrent takers,
exactly one gets it back (a conditional DeleteItem), which is what makes it single-use.
"""

from __future__ import annotations

from typing import Any

from portal import tables
from portal.dynamo.accounts import DynamoAccounts, account_of_sub
from portal.dynamo.calls import dynamo_call, sub_index_items
from portal.dynamo.codec import from_item, to_item
from portal.dynamo.keys import CHALLENGE_SK, PASSKEY_PREFIX, PASSKEY_SK, challenge_pk, key, passkey_pk
from portal.dynamo.passkey_items import passkey_item, passkey_of
from portal.passkey_records import Challenge, Passkey
from portal.records import Conflict

# The condition of a change to one's own passkey: a missing or another account's one is a Conflict.
_OWNED = "#sub = :sub"


class DynamoPasskeys:
    def __init__(self, client: Any, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def passkeys_of(self, sub: str) -> list[Passkey]:
        """The account's passkeys, oldest first (GSI1: eventually consistent)."""
        found = [passkey_of(from_item(item)) for item in sub_index_items(self._db, self._table, sub, PASSKEY_PREFIX)]
        return sorted(found, key=lambda p: (p.created_at, p.credential_id))

    def username_of_sub(self, sub: str) -> str | None:
        """The address of the account with this sub (GSI1), or None: read it there, strongly."""
        item = account_of_sub(self._db, self._table, sub)
        return None if item is None else str(item["username"])

    def load_passkey(self, credential_id: str) -> Passkey | None:
        with dynamo_call():
            response = self._db.get_item(
                TableName=self._table, Key=key(passkey_pk(credential_id), PASSKEY_SK), ConsistentRead=True
            )
        item = response.get("Item")
        return passkey_of(from_item(item)) if item else None

    def add_passkey(self, passkey: Passkey) -> None:
        with dynamo_call():
            self._db.put_item(
                TableName=self._table,
                Item=to_item(passkey_item(passkey)),
                ConditionExpression="attribute_not_exists(#pk)",
                ExpressionAttributeNames={"#pk": tables.PARTITION_KEY},
            )

    def rename_passkey(self, sub: str, credential_id: str, name: str) -> Passkey:
        """Conflict when the account has no such passkey."""
        with dynamo_call():
            response = self._db.update_item(
                TableName=self._table,
                Key=key(passkey_pk(credential_id), PASSKEY_SK),
                UpdateExpression="SET #name = :name",
                ConditionExpression=_OWNED,
                ExpressionAttributeNames={"#sub": "sub", "#name": "name"},
                ExpressionAttributeValues=to_item({":name": name, ":sub": sub}),
                ReturnValues="ALL_NEW",
            )
        return passkey_of(from_item(response["Attributes"]))

    def remove_passkey(self, sub: str, credential_id: str) -> None:
        """Conflict when the account has no such passkey."""
        with dynamo_call():
            self._db.delete_item(
                TableName=self._table,
                Key=key(passkey_pk(credential_id), PASSKEY_SK),
                ConditionExpression=_OWNED,
                ExpressionAttributeNames={"#sub": "sub"},
                ExpressionAttributeValues=to_item({":sub": sub}),
            )

    def save_challenge(self, challenge: Challenge) -> None:
        """Replaces any earlier challenge under the same key (a new registration in this session)."""
        item = {
            tables.PARTITION_KEY: challenge_pk(challenge.key),
            tables.SORT_KEY: CHALLENGE_SK,
            "challenge": challenge.challenge,
            "purpose": challenge.purpose,
            "expiresAt": challenge.expires_at,
            "sub": challenge.sub,
            "sessionId": challenge.session_id,
            tables.TTL_ATTRIBUTE: challenge.expires_at,
        }
        with dynamo_call():
            self._db.put_item(TableName=self._table, Item=to_item(item))

    def take_challenge(self, challenge_key: str) -> Challenge | None:
        """The challenge, deleted as it is read: None when there is none (never issued, or already
        taken by this or a concurrent request)."""
        try:
            with dynamo_call():
                response = self._db.delete_item(
                    TableName=self._table,
                    Key=key(challenge_pk(challenge_key), CHALLENGE_SK),
                    ConditionExpression="attribute_exists(#pk)",
                    ExpressionAttributeNames={"#pk": tables.PARTITION_KEY},
                    ReturnValues="ALL_OLD",
                )
        except Conflict:
            return None
        item = from_item(response["Attributes"])
        return Challenge(
            key=challenge_key,
            challenge=bytes(item["challenge"]),
            purpose=item["purpose"],
            expires_at=int(item["expiresAt"]),
            sub=item.get("sub"),
            session_id=item.get("sessionId"),
        )


class DynamoPasskeyAccounts(DynamoAccounts, DynamoPasskeys):
    """The store the passkey use case gets: the account aggregate and its passkeys."""
