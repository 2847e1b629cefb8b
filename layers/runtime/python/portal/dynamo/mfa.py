"""Two-step state in the one table: the factor on the account item, the challenge items.

Every change of the factor is conditional on the account's `sub` and on the `mfaVersion` read, so
of two concurrent changes one wins and the other is decided again (Conflict). Passing a challenge
is one transaction: the challenge deleted (conditional on the attempts read), the factor's last
step or recovery codes written (conditional on its version: the same code twice, or a code in two
requests, succeeds once), the session and its refresh record created, and the password's
failure record un-counted (conditional on the version this attempt counted).
"""

from __future__ import annotations

from typing import Any

from portal import tables
from portal.dynamo.account_items import device_seen, logins_put, session_puts
from portal.dynamo.calls import dynamo_call, transact
from portal.dynamo.codec import from_item, serialize, to_item
from portal.dynamo.keys import USER_SK, address_pk, key
from portal.dynamo.mfa_items import CHALLENGE_SK, challenge_of, challenge_pk, challenge_values, mfa_attributes
from portal.mfa_records import Challenge, MfaState
from portal.records import LoginsChange
from portal.sessions import RefreshRecord, Session
from portal.users import User


class DynamoMfa:
    def __init__(self, client: Any, table_name: str) -> None:
        self._db = client
        self._table = table_name

    # -- the factor on the account -------------------------------------------------------------

    def _factor_update(self, user: User, after: MfaState) -> dict[str, Any]:
        names = {"#sub": "sub", "#version": "mfaVersion"}
        values: dict[str, Any] = {":sub": serialize(user.sub)}
        sets, removes = [], []
        for i, (name, value) in enumerate(mfa_attributes(after).items()):
            names[f"#a{i}"] = name
            if value is None:
                removes.append(f"#a{i}")
            else:
                values[f":a{i}"] = serialize(value)
                sets.append(f"#a{i} = :a{i}")
        expression = ("SET " + ", ".join(sets) if sets else "") + (" REMOVE " + ", ".join(removes) if removes else "")
        before = user.mfa.version
        if before == 0:
            condition = "#sub = :sub AND attribute_not_exists(#version)"
        else:
            condition = "#sub = :sub AND #version = :before"
            values[":before"] = {"N": str(before)}
        return {
            "TableName": self._table,
            "Key": key(address_pk(user.username), USER_SK),
            "UpdateExpression": expression.strip(),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    def save(self, user: User, after: MfaState, logins: LoginsChange | None = None) -> None:
        """The account's two-step state becomes `after` (its version = the one read + 1), with the
        un-count of the password that allowed it. Conflict.parts: "user" or "logins"."""
        assert after.version == user.mfa.version + 1
        items: list[tuple[str, dict[str, Any]]] = [("user", {"Update": self._factor_update(user, after)})]
        if logins is not None:
            items.append(("logins", logins_put(self._table, logins.username, logins.before, logins.after)))
        if len(items) == 1:
            with dynamo_call(["user"]):
                self._db.update_item(**items[0][1]["Update"])
            return
        transact(self._db, items)

    # -- challenges ----------------------------------------------------------------------------

    def _challenge_item(self, challenge: Challenge) -> dict[str, Any]:
        return to_item(
            {
                tables.PARTITION_KEY: challenge_pk(challenge.digest),
                tables.SORT_KEY: CHALLENGE_SK,
                **challenge_values(challenge),
                tables.TTL_ATTRIBUTE: challenge.expires_at,
            }
        )

    def create_challenge(self, challenge: Challenge, logins: LoginsChange | None = None) -> None:
        """The challenge, with the un-count of the right password. Conflict.parts: "challenge", "logins"."""
        put = {
            "TableName": self._table,
            "Item": self._challenge_item(challenge),
            "ConditionExpression": "attribute_not_exists(#pk)",
            "ExpressionAttributeNames": {"#pk": tables.PARTITION_KEY},
        }
        if logins is None:
            with dynamo_call(["challenge"]):
                self._db.put_item(**put)
            return
        transact(
            self._db,
            [
                ("challenge", {"Put": put}),
                ("logins", logins_put(self._table, logins.username, logins.before, logins.after)),
            ],
        )

    def load_challenge(self, digest: str) -> Challenge | None:
        with dynamo_call():
            response = self._db.get_item(
                TableName=self._table, Key=key(challenge_pk(digest), CHALLENGE_SK), ConsistentRead=True
            )
        item = response.get("Item")
        return challenge_of(digest, from_item(item)) if item else None

    def _challenge_condition(self, challenge: Challenge) -> dict[str, Any]:
        return {
            "ConditionExpression": "#attempts = :attempts",
            "ExpressionAttributeNames": {"#attempts": "attempts"},
            "ExpressionAttributeValues": {":attempts": {"N": str(challenge.attempts)}},
        }

    def count_challenge_failure(self, challenge: Challenge) -> None:
        """attempts + 1, only over the attempts read (a concurrent wrong code: Conflict, judge again)."""
        condition = self._challenge_condition(challenge)
        condition["ExpressionAttributeValues"][":next"] = {"N": str(challenge.attempts + 1)}
        with dynamo_call():
            self._db.update_item(
                TableName=self._table,
                Key=key(challenge_pk(challenge.digest), CHALLENGE_SK),
                UpdateExpression="SET #attempts = :next",
                **condition,
            )

    def delete_challenge(self, digest: str) -> None:
        with dynamo_call():
            self._db.delete_item(TableName=self._table, Key=key(challenge_pk(digest), CHALLENGE_SK))

    def pass_challenge(
        self,
        challenge: Challenge,
        user: User,
        after: MfaState,
        session: Session,
        refresh: RefreshRecord,
        logins: LoginsChange | None = None,
        device: str | None = None,
    ) -> None:
        """One transaction (module docstring), with the device seen now (`device`), as a password-only
        sign-in records it. Conflict.parts: "challenge", "user", "session", "logins"."""
        items: list[tuple[str, dict[str, Any]]] = [
            (
                "challenge",
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": key(challenge_pk(challenge.digest), CHALLENGE_SK),
                        **self._challenge_condition(challenge),
                    }
                },
            ),
            ("user", {"Update": self._factor_update(user, after)}),
            *session_puts(self._table, session, refresh),
        ]
        if logins is not None:
            items.append(("logins", logins_put(self._table, logins.username, logins.before, logins.after)))
        if device is not None:
            items.append(device_seen(self._table, session.username, device, session.created_at))
        transact(self._db, items)
