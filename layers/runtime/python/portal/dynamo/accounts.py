"""Accounts with their codes, send logs, failure records and sessions: the account aggregate.

One module because its transactions span both partitions (a password change writes the account,
its code, its failure record and the caller's session at once). Every write that must not race is
conditional; a lost race surfaces as `Conflict` so the logic can read again and decide again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from portal import tables
from portal.codes import CodeRecord, Purpose
from portal.dynamo.account_items import (
    code_item,
    code_of,
    logins_put,
    restamp_update,
    revoke_update,
    sends_item,
    user_item,
    user_of,
)
from portal.dynamo.calls import TRANSACTION_ITEMS, dynamo_call, request_token, sub_index_items, transact
from portal.dynamo.codec import from_item, serialize, to_item
from portal.dynamo.keys import (
    CODE_SK_PREFIX,
    DEVICE_SK_PREFIX,
    LOGINS_SK,
    PASSKEY_PREFIX,
    PASSKEY_SK,
    SENDS_SK,
    SESSION_SK,
    SUPPRESSED_SK,
    USER_SK,
    address_pk,
    code_sk,
    key,
    passkey_pk,
    session_pk,
    sub_pk,
)
from portal.dynamo.sessions import DynamoSessions
from portal.limits import SendLog
from portal.lockout import LoginFailures
from portal.records import AddressState, LoginsChange
from portal.users import Status, User


def account_of_sub(db: Any, table: str, sub: str) -> dict[str, Any] | None:
    """The account item with this sub (GSI1: SUB#<sub> / USER), as plain values, or None."""
    with dynamo_call():
        response = db.query(
            TableName=table,
            IndexName=tables.GSI1,
            KeyConditionExpression="#gpk = :gpk AND #gsk = :user",
            ExpressionAttributeNames={"#gpk": tables.GSI1_PARTITION_KEY, "#gsk": tables.GSI1_SORT_KEY},
            ExpressionAttributeValues={":gpk": {"S": sub_pk(sub)}, ":user": {"S": USER_SK}},
        )
    items = response.get("Items", [])
    return from_item(items[0]) if items else None


def passkey_ids_of(db: Any, table: str, sub: str) -> list[str]:
    """The credential ids of the account's passkeys (GSI1: SUB#<sub> / PASSKEY#<id>)."""
    items = sub_index_items(db, table, sub, PASSKEY_PREFIX)
    return [item[tables.GSI1_SORT_KEY]["S"].removeprefix(PASSKEY_PREFIX) for item in items]


class DynamoAccounts(DynamoSessions):
    """The account store the use cases get (ports.AccountStore): the address partition's items and,
    through DynamoSessions, the account's sessions."""

    # -- reads -------------------------------------------------------------------------------

    def load_address(self, username: str) -> AddressState:
        """The account, its live codes and its send log: one strongly consistent Query."""
        with dynamo_call():
            response = self._db.query(
                TableName=self._table,
                KeyConditionExpression="#pk = :pk",
                ExpressionAttributeNames={"#pk": tables.PARTITION_KEY},
                ExpressionAttributeValues={":pk": {"S": address_pk(username)}},
                ConsistentRead=True,
            )
        user, codes, sends, logins = None, {}, SendLog(), LoginFailures()
        changes: dict[str, CodeRecord] = {}
        devices: dict[str, int] = {}
        for item in response.get("Items", []):
            values = from_item(item)
            sort_key = values[tables.SORT_KEY]
            if sort_key == USER_SK:
                user = user_of(values)
            elif sort_key == SENDS_SK:
                sends = SendLog(tuple(values.get("sentAt", [])), values.get("version", 0))
            elif sort_key == LOGINS_SK:
                logins = LoginFailures(
                    values.get("consecutive", 0),
                    values.get("lastFailedAt", 0),
                    tuple(values.get("recent", [])),
                    values.get("version", 0),
                )
            elif sort_key.startswith(DEVICE_SK_PREFIX):
                devices[sort_key.removeprefix(DEVICE_SK_PREFIX)] = values.get("lastSeenAt", 0)
            elif sort_key.startswith(code_sk(Purpose.CHANGE_EMAIL) + "#"):
                changes[sort_key.rsplit("#", 1)[1]] = code_of(values)
            elif sort_key.startswith(CODE_SK_PREFIX):
                code = code_of(values)
                codes[code.purpose] = code
        return AddressState(user, codes, sends, logins, changes, devices)

    # -- writes ------------------------------------------------------------------------------

    def _sends_put(self, username: str, before: SendLog, after: SendLog) -> dict[str, Any]:
        condition = "attribute_not_exists(#pk)" if before.version == 0 else "#version = :version"
        put: dict[str, Any] = {
            "TableName": self._table,
            "Item": to_item(sends_item(username, after)),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#pk": tables.PARTITION_KEY}
            if before.version == 0
            else {"#version": "version"},
        }
        if before.version:
            put["ExpressionAttributeValues"] = {":version": {"N": str(before.version)}}
        return {"Put": put}

    def _code_put(self, username: str, code: CodeRecord) -> dict[str, Any]:
        # Unconditional: a new code replaces the previous one of its purpose, which is the rule.
        return {"Put": {"TableName": self._table, "Item": to_item(code_item(username, code))}}

    def save_code(self, username: str, code: CodeRecord, sends_before: SendLog, sends_after: SendLog) -> None:
        """Store a freshly issued code and count its send, or neither."""
        with dynamo_call():
            self._db.transact_write_items(
                ClientRequestToken=request_token(),
                TransactItems=[self._code_put(username, code), self._sends_put(username, sends_before, sends_after)],
            )

    def save_signup(
        self, user: User, previous: User | None, code: CodeRecord, sends_before: SendLog, sends_after: SendLog
    ) -> None:
        """Create the account (or replace an unconfirmed one's password), its code and the send, at once."""
        if previous is None:
            condition = {
                "ConditionExpression": "attribute_not_exists(#pk)",
                "ExpressionAttributeNames": {"#pk": tables.PARTITION_KEY},
            }
        else:
            condition = {
                "ConditionExpression": "#status = :unconfirmed AND #sub = :sub",
                "ExpressionAttributeNames": {"#status": "status", "#sub": "sub"},
                "ExpressionAttributeValues": {":unconfirmed": {"S": Status.UNCONFIRMED}, ":sub": {"S": previous.sub}},
            }
        with dynamo_call():
            self._db.transact_write_items(
                ClientRequestToken=request_token(),
                TransactItems=[
                    {"Put": {"TableName": self._table, "Item": to_item(user_item(user)), **condition}},
                    self._code_put(user.username, code),
                    self._sends_put(user.username, sends_before, sends_after),
                ],
            )

    def refund_send(self, username: str, sends_after: SendLog, sent_at: int) -> None:
        """Give back a send whose mail never left, so the person can ask again at once."""
        with dynamo_call():
            self._db.put_item(**self._sends_put(username, sends_after, sends_after.without_send(sent_at))["Put"])

    def count_failed_attempt(self, username: str, code: CodeRecord, owner: str | None = None) -> int:
        """Add one wrong try to exactly the code that was judged; returns the tries so far."""
        with dynamo_call():
            response = self._db.update_item(
                TableName=self._table,
                Key=to_item(
                    {tables.PARTITION_KEY: address_pk(username), tables.SORT_KEY: code_sk(code.purpose, owner)}
                ),
                UpdateExpression="ADD #attempts :one",
                ConditionExpression="#digest = :digest AND #attempts = :seen",
                ExpressionAttributeNames={"#attempts": "attempts", "#digest": "digest"},
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":digest": {"S": code.digest},
                    ":seen": {"N": str(code.attempts)},
                },
                ReturnValues="UPDATED_NEW",
            )
        return int(response["Attributes"]["attempts"]["N"])

    def _spend_code(self, username: str, code: CodeRecord, owner: str | None = None) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_item(
                    {tables.PARTITION_KEY: address_pk(username), tables.SORT_KEY: code_sk(code.purpose, owner)}
                ),
                "UpdateExpression": "SET #spent = :true",
                "ConditionExpression": "#digest = :digest AND #attempts = :seen AND #spent = :false",
                "ExpressionAttributeNames": {"#spent": "spent", "#digest": "digest", "#attempts": "attempts"},
                "ExpressionAttributeValues": {
                    ":true": {"BOOL": True},
                    ":false": {"BOOL": False},
                    ":digest": {"S": code.digest},
                    ":seen": {"N": str(code.attempts)},
                },
            }
        }

    def confirm(self, user: User, code: CodeRecord, now_iso: str, password_hash: str) -> None:
        """UNCONFIRMED -> CONFIRMED with the password given with the code, and the code spent, in
        one transaction: exactly one request wins."""
        with dynamo_call():
            self._db.transact_write_items(
                ClientRequestToken=request_token(),
                TransactItems=[
                    self._spend_code(user.username, code),
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": to_item({tables.PARTITION_KEY: address_pk(user.username), tables.SORT_KEY: USER_SK}),
                            "UpdateExpression": (
                                "SET #status = :confirmed, #verified = :true, #updated = :now, #hash = :hash"
                            ),
                            "ConditionExpression": "#status = :unconfirmed AND #sub = :sub",
                            "ExpressionAttributeNames": {
                                "#status": "status",
                                "#verified": "emailVerified",
                                "#updated": "updatedAt",
                                "#sub": "sub",
                                "#hash": "passwordHash",
                            },
                            "ExpressionAttributeValues": {
                                ":confirmed": {"S": Status.CONFIRMED},
                                ":unconfirmed": {"S": Status.UNCONFIRMED},
                                ":true": {"BOOL": True},
                                ":now": {"S": now_iso},
                                ":sub": {"S": user.sub},
                                ":hash": {"S": password_hash},
                            },
                        }
                    },
                ],
            )

    def save_codes(self, username: str, codes: list[CodeRecord], sends_before: SendLog, sends_after: SendLog) -> None:
        """Store several freshly issued codes (a real one and a decoy) and count one send, or nothing."""
        with dynamo_call():
            self._db.transact_write_items(
                ClientRequestToken=request_token(),
                TransactItems=[
                    *(self._code_put(username, c) for c in codes),
                    self._sends_put(username, sends_before, sends_after),
                ],
            )

    # -- sign-in throttling ------------------------------------------------------------------

    def save_logins(self, username: str, before: LoginFailures, after: LoginFailures) -> None:
        """Replace the address's failure record if nobody else changed it since it was read."""
        with dynamo_call():
            self._db.put_item(**logins_put(self._table, username, before, after)["Put"])

    # -- accounts ----------------------------------------------------------------------------

    def _user_update(
        self, user: User, sets: dict[str, Any], *, bump_epoch: bool = False, extra_condition: str = ""
    ) -> dict[str, Any]:
        names = {"#sub": "sub"}
        values: dict[str, Any] = {":sub": serialize(user.sub)}
        clauses = []
        for i, (name, value) in enumerate(sets.items()):
            names[f"#f{i}"] = name
            values[f":v{i}"] = serialize(value)
            clauses.append(f"#f{i} = :v{i}")
        expression = "SET " + ", ".join(clauses) if clauses else ""
        if bump_epoch:
            names["#epoch"] = "sessionEpoch"
            values[":one"] = {"N": "1"}
            expression += " ADD #epoch :one"
        condition = "#sub = :sub" + (f" AND {extra_condition}" if extra_condition else "")
        return {
            "TableName": self._table,
            "Key": key(address_pk(user.username), USER_SK),
            "UpdateExpression": expression.strip(),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    def set_language(self, user: User, language: str, now_iso: str) -> User:
        """The account as it is after the change (ReturnValues=ALL_NEW: no read back)."""
        with dynamo_call():
            response = self._db.update_item(
                **self._user_update(user, {"language": language, "updatedAt": now_iso}), ReturnValues="ALL_NEW"
            )
        return user_of(from_item(response["Attributes"]))

    def set_password(
        self,
        user: User,
        password_hash: str,
        now_iso: str,
        *,
        spend: CodeRecord | None = None,
        confirm: bool = False,
        logins: LoginsChange | None = None,
        restamp: str | None = None,
    ) -> int:
        """New password hash and session epoch + 1 (every session made before is void), in one
        transaction with: spending the reset code (`spend`), the failure record's change
        (`logins`), and carrying the caller's own session `restamp` over to the new epoch.
        Conditional on the hash read (two changes racing cannot both win) and, with `restamp`, on
        the epoch read (a "log out everywhere" meanwhile ends this session too: Conflict on
        "user"). Conflict.parts names what failed: "user", "code", "logins", "session".
        Returns the new epoch."""
        update = self._user_update(
            user,
            {"passwordHash": password_hash, "updatedAt": now_iso}
            | ({"status": str(Status.CONFIRMED)} if confirm else {})
            | ({"sessionEpoch": user.session_epoch + 1} if restamp else {}),
            bump_epoch=not restamp,
            extra_condition="#old = :old" + (" AND #seen = :seen" if restamp else ""),
        )
        update["ExpressionAttributeNames"]["#old"] = "passwordHash"
        update["ExpressionAttributeValues"][":old"] = serialize(user.password_hash)
        if restamp:
            update["ExpressionAttributeNames"]["#seen"] = "sessionEpoch"
            update["ExpressionAttributeValues"][":seen"] = {"N": str(user.session_epoch)}
        items: list[tuple[str, dict[str, Any]]] = [("user", {"Update": update})]
        if spend is not None:
            items.append(("code", self._spend_code(user.username, spend)))
        if logins is not None:
            items.append(("logins", logins_put(self._table, logins.username, logins.before, logins.after)))
        if restamp is not None:
            items.append(("session", {"Update": restamp_update(self._table, restamp, user.session_epoch + 1)}))
        transact(self._db, items)
        return user.session_epoch + 1

    def upgrade_password_hash(self, user: User, password_hash: str, now_iso: str) -> None:
        """The same password under current hash parameters: no epoch change (sessions stay)."""
        update = self._user_update(
            user, {"passwordHash": password_hash, "updatedAt": now_iso}, extra_condition="#old = :old"
        )
        update["ExpressionAttributeNames"]["#old"] = "passwordHash"
        update["ExpressionAttributeValues"][":old"] = serialize(user.password_hash)
        with dynamo_call():
            self._db.update_item(**update)

    def bump_session_epoch(self, user: User) -> int:
        """Void every session of the account for refreshing (log out everywhere). Returns the new epoch."""
        update = self._user_update(user, {}, bump_epoch=True)
        with dynamo_call():
            response = self._db.update_item(**update, ReturnValues="UPDATED_NEW")
        return int(response["Attributes"]["sessionEpoch"]["N"])

    def end_sessions(self, username: str, sub: str, session_id: str | None) -> None:
        """Log out everywhere: this session revoked and the account's session epoch raised, at once
        (the authorizer and refresh refuse every session older than the epoch). Conflict ("user")
        when the account at `username` is no longer this sub; a missing session is no matter."""
        bump = {
            "TableName": self._table,
            "Key": key(address_pk(username), USER_SK),
            "UpdateExpression": "ADD #epoch :one",
            "ConditionExpression": "#sub = :sub",
            "ExpressionAttributeNames": {"#epoch": "sessionEpoch", "#sub": "sub"},
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":sub": {"S": sub}},
        }
        revoke = [("session", {"Update": revoke_update(self._table, session_id)})] if session_id else []
        transact(self._db, [*revoke, ("user", {"Update": bump})])

    def delete_account(self, user: User, session_ids: Sequence[str] = (), logins: LoginsChange | None = None) -> None:
        """The account, its codes, its passkeys and the given sessions at once, with the failure
        record's change (`logins`); the send and sign-in limits of the address stay. Passkeys and
        sessions beyond what one transaction holds are deleted after it (the account is gone: they
        can no longer be used).
        Conflict.parts: "user" (the account is not this one any more) or "logins"."""
        items: list[tuple[str, dict[str, Any]]] = [
            (
                "user",
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": key(address_pk(user.username), USER_SK),
                        "ConditionExpression": "#sub = :sub",
                        "ExpressionAttributeNames": {"#sub": "sub"},
                        "ExpressionAttributeValues": {":sub": {"S": user.sub}},
                    }
                },
            ),
            *(
                (
                    "code",
                    {"Delete": {"TableName": self._table, "Key": key(address_pk(user.username), CODE_SK_PREFIX + p)}},
                )
                for p in Purpose
            ),
        ]
        if logins is not None:
            items.append(("logins", logins_put(self._table, logins.username, logins.before, logins.after)))
        # The passkeys go in the same transaction (listed through GSI1: one added a moment ago may
        # be missed, and is then deleted after, or left unusable: its sub has no account).
        passkeys = [
            ("passkey", {"Delete": {"TableName": self._table, "Key": key(passkey_pk(c), PASSKEY_SK)}})
            for c in passkey_ids_of(self._db, self._table, user.sub)
        ]
        unique = list(dict.fromkeys(session_ids))
        sessions = [
            ("session", {"Delete": {"TableName": self._table, "Key": key(session_pk(s), SESSION_SK)}}) for s in unique
        ]
        room = TRANSACTION_ITEMS - len(items)
        later = [*passkeys, *sessions][room:]
        transact(self._db, items + [*passkeys, *sessions][:room])
        for _, request in later:
            with dynamo_call():
                self._db.delete_item(**request["Delete"])

    # -- email change --------------------------------------------------------------------------

    def save_email_change(
        self,
        user: User,
        new_email: str,
        new_username: str,
        code: CodeRecord,
        sends_before: SendLog,
        sends_after: SendLog,
        logins: LoginsChange | None = None,
        target_sub: str | None = None,
    ) -> None:
        """The pending address on the account, the code under the new address (bound to the sub)
        and its send counted there, at once; only while the new address is as read: free, or held
        by the account `target_sub` (a taken address costs the same writes as a free one; its code
        can never move anything). With `logins`, the un-count of the password that allowed it.
        Conflict.parts: "user", "sends", "target" (the new address changed hands), "logins"."""
        target_check: dict[str, Any] = {
            "TableName": self._table,
            "Key": key(address_pk(new_username), USER_SK),
            "ConditionExpression": "attribute_not_exists(#pk)",
            "ExpressionAttributeNames": {"#pk": tables.PARTITION_KEY},
        }
        if target_sub is not None:
            target_check["ConditionExpression"] = "#sub = :sub"
            target_check["ExpressionAttributeNames"] = {"#sub": "sub"}
            target_check["ExpressionAttributeValues"] = {":sub": {"S": target_sub}}
        pending = self._user_update(user, {"pendingEmail": new_email})
        items: list[tuple[str, dict[str, Any]]] = [
            ("user", {"Update": pending}),
            (
                "code",
                {"Put": {"TableName": self._table, "Item": to_item(code_item(new_username, code, owner=user.sub))}},
            ),
            ("sends", self._sends_put(new_username, sends_before, sends_after)),
            ("target", {"ConditionCheck": target_check}),
        ]
        if logins is not None:
            items.append(("logins", logins_put(self._table, logins.username, logins.before, logins.after)))
        transact(self._db, items)

    def move_account(self, user: User, moved: User, code: CodeRecord, session_id: str) -> None:
        """The account item moves to its new address key in one transaction: Put under the new
        address only if no account is there (two accounts racing for one address: one wins), the
        code spent, the old item deleted only if it is still this account with this pending change,
        and the caller's session carried over (address and epoch follow), only while it is live.
        The session moves in the same transaction so that a retry after a later failure finds
        the account through it (auth.verify_email_change)."""
        with dynamo_call():
            self._db.transact_write_items(
                ClientRequestToken=request_token(),
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": to_item(user_item(moved)),
                            "ConditionExpression": "attribute_not_exists(#pk)",
                            "ExpressionAttributeNames": {"#pk": tables.PARTITION_KEY},
                        }
                    },
                    self._spend_code(moved.username, code, owner=user.sub),
                    {
                        "Delete": {
                            "TableName": self._table,
                            "Key": key(address_pk(user.username), USER_SK),
                            # Unchanged since it was read: nothing written meanwhile is lost by the move.
                            "ConditionExpression": "#sub = :sub AND #pending = :pending AND #updated = :updated",
                            "ExpressionAttributeNames": {
                                "#sub": "sub",
                                "#pending": "pendingEmail",
                                "#updated": "updatedAt",
                            },
                            "ExpressionAttributeValues": {
                                ":sub": {"S": user.sub},
                                ":pending": {"S": user.pending_email or ""},
                                ":updated": {"S": user.updated_at},
                            },
                        }
                    },
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": key(session_pk(session_id), SESSION_SK),
                            "UpdateExpression": "SET #username = :username, #epoch = :epoch",
                            "ConditionExpression": "attribute_exists(#pk) AND #revoked = :false AND #sub = :sub",
                            "ExpressionAttributeNames": {
                                "#username": "username",
                                "#epoch": "epoch",
                                "#pk": tables.PARTITION_KEY,
                                "#revoked": "revoked",
                                "#sub": "sub",
                            },
                            "ExpressionAttributeValues": {
                                ":username": {"S": moved.username},
                                ":epoch": {"N": str(moved.session_epoch)},
                                ":false": {"BOOL": False},
                                ":sub": {"S": user.sub},
                            },
                        }
                    },
                ],
            )

    # -- mail suppression (SES bounces and complaints) ---------------------------------------

    def mark_suppressed(self, username: str, reason: str, now: int) -> None:
        """Record a permanent bounce or complaint (EMAIL#<username> / SUPPRESSED) for operators.

        Nothing in the product reads it: what stops mail to the address is SES's own suppression
        list, which the configuration set fills with bounces and complaints (infra/mail.py). The
        record is the table's trace of why, next to the account. `now` is epoch seconds.
        Unconditional: a later bounce or complaint just updates the reason.
        """
        item = {
            tables.PARTITION_KEY: address_pk(username),
            tables.SORT_KEY: SUPPRESSED_SK,
            "reason": reason,
            "suppressedAt": now,
        }
        with dynamo_call():
            self._db.put_item(TableName=self._table, Item=to_item(item))
