"""DynamoDB access for accounts, codes and send logs: the only module that knows item shapes.

Every write that must not race is conditional; a lost race surfaces as `Conflict` so the logic
can read again and decide again. Any other failure of DynamoDB surfaces as `DependencyFailure`.
The logic above never sees boto3 types.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from portal import tables
from portal.codes import CodeRecord, Purpose
from portal.errors import DependencyFailure
from portal.limits import WINDOW_SECONDS, SendLog
from portal.lockout import WINDOW_SECONDS as LOGIN_WINDOW_SECONDS
from portal.lockout import LoginFailures
from portal.sessions import RefreshRecord, Session
from portal.users import Status, User

USER_SK = "USER"
SENDS_SK = "SENDS"
LOGINS_SK = "LOGINS"
CODE_SK_PREFIX = "CODE#"
SESSION_SK = "SESSION"
# EMAIL#<username> / DEVICE#<devices.device_key>: when that device last signed in (new-device notice).
DEVICE_SK_PREFIX = "DEVICE#"
# A device not seen for this long is new again; its record goes with the TTL then.
DEVICE_MEMORY = 90 * 86400
REFRESH_SK_PREFIX = "REFRESH#"
# A page of GSI results: how many sessions one sweep (log out everywhere, delete) reads at a time.
SESSION_PAGE = 100

_serialize = TypeSerializer().serialize
_deserialize = TypeDeserializer().deserialize


class Conflict(Exception):
    """A conditional write lost to a concurrent one: read again and decide again.

    `parts`: for a transaction, the names of its items whose condition failed (see `_aws_call`),
    or None when DynamoDB did not say (then any of them may have failed)."""

    def __init__(self, parts: frozenset[str] | None = None) -> None:
        super().__init__(*sorted(parts or ()))
        self.parts = parts

    def only(self, part: str) -> bool:
        """True when exactly this part's condition failed (known, not guessed)."""
        return self.parts == frozenset({part})

    def maybe(self, part: str) -> bool:
        """True when this part's condition failed, or when nobody said which failed."""
        return self.parts is None or part in self.parts


@dataclass(frozen=True)
class AddressState:
    """Everything held under one address, read at once."""

    user: User | None = None
    codes: dict[Purpose, CodeRecord] = field(default_factory=dict)
    sends: SendLog = SendLog()
    # Kept per address, account or not, so that throttling does not tell which addresses exist.
    logins: LoginFailures = LoginFailures()
    # Codes for accounts moving to this address, by the sub of each account.
    email_changes: dict[str, CodeRecord] = field(default_factory=dict)
    # Devices that signed in to the account (devices.device_key) and when each last did.
    devices: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LoginsChange:
    """A change of an address's failure record, made only if the record is still `before`: the
    un-count of a right password (or the clearing after a reset) folded into the transaction of
    the success's own write."""

    username: str
    before: LoginFailures
    after: LoginFailures


# A transaction holds at most 100 items: an account deletion puts this many sessions in its own
# transaction and deletes any beyond one by one after it.
TRANSACTION_ITEMS = 100


def address_pk(username: str) -> str:
    return f"EMAIL#{username}"


def _to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _serialize(value) for name, value in values.items() if value is not None}


def session_pk(session_id: str) -> str:
    return f"SESSION#{session_id}"


def _from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _plain(_deserialize(value)) for name, value in item.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, set)):
        return [_plain(v) for v in value]
    return value


def _user_item(user: User) -> dict[str, Any]:
    return {
        tables.PARTITION_KEY: address_pk(user.username),
        tables.SORT_KEY: USER_SK,
        tables.GSI1_PARTITION_KEY: f"SUB#{user.sub}",
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
    }


def _user(values: dict[str, Any]) -> User:
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
    )


def code_sk(purpose: str, owner: str | None = None) -> str:
    """CODE#<purpose>, or CODE#CHANGE_EMAIL#<sub> for the code of an account moving here."""
    return CODE_SK_PREFIX + purpose + (f"#{owner}" if owner else "")


def _code_item(username: str, code: CodeRecord, owner: str | None = None) -> dict[str, Any]:
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


def _code(values: dict[str, Any]) -> CodeRecord:
    return CodeRecord(
        purpose=Purpose(values[tables.SORT_KEY].removeprefix(CODE_SK_PREFIX).split("#")[0]),
        digest=values["digest"],
        key_id=values["keyId"],
        created_at=values["createdAt"],
        expires_at=values["expiresAt"],
        attempts=values.get("attempts", 0),
        spent=values.get("spent", False),
    )


def _sends_item(username: str, sends: SendLog) -> dict[str, Any]:
    return {
        tables.PARTITION_KEY: address_pk(username),
        tables.SORT_KEY: SENDS_SK,
        "sentAt": list(sends.sent_at),
        "version": sends.version,
        tables.TTL_ATTRIBUTE: (sends.sent_at[-1] + WINDOW_SECONDS) if sends.sent_at else None,
    }


def _logins_item(username: str, logins: LoginFailures) -> dict[str, Any]:
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


def _session_item(session: Session) -> dict[str, Any]:
    return {
        tables.PARTITION_KEY: session_pk(session.session_id),
        tables.SORT_KEY: SESSION_SK,
        tables.GSI1_PARTITION_KEY: f"SUB#{session.sub}",
        tables.GSI1_SORT_KEY: f"SESSION#{session.session_id}",
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


def _session(values: dict[str, Any]) -> Session:
    return Session(
        session_id=values[tables.PARTITION_KEY].removeprefix("SESSION#"),
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


def _refresh_item(session_id: str, record: RefreshRecord) -> dict[str, Any]:
    return {
        tables.PARTITION_KEY: session_pk(session_id),
        tables.SORT_KEY: REFRESH_SK_PREFIX + record.digest,
        "createdAt": record.created_at,
        "expiresAt": record.expires_at,
        "used": record.used,
        tables.TTL_ATTRIBUTE: record.expires_at,
    }


def _refresh(values: dict[str, Any]) -> RefreshRecord:
    return RefreshRecord(
        digest=values[tables.SORT_KEY].removeprefix(REFRESH_SK_PREFIX),
        created_at=values["createdAt"],
        expires_at=values["expiresAt"],
        used=values.get("used", False),
    )


def _key(pk: str, sk: str) -> dict[str, Any]:
    return _to_item({tables.PARTITION_KEY: pk, tables.SORT_KEY: sk})


def _request_token() -> str:
    """One per transaction, the same on botocore's retries of it: a write that was applied but whose
    answer was lost (a timeout) is not applied again, nor refused as a lost race, on the retry
    (DynamoDB keeps the token 10 minutes; moto ignores it)."""
    return secrets.token_hex(16)


@contextmanager
def _aws_call(parts: list[str] | None = None) -> Iterator[None]:
    """DynamoDB's failures as ours. `parts` names a transaction's items in order, so that a lost
    condition says which item lost it (Conflict.parts)."""
    try:
        yield
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in (
            "ConditionalCheckFailedException",
            "TransactionCanceledException",
        ):
            reasons = exc.response.get("CancellationReasons") or [{"Code": "ConditionalCheckFailed"}]
            lost = ("ConditionalCheckFailed", "TransactionConflict")
            if any(r.get("Code") in lost for r in reasons):
                known = parts is not None and len(reasons) == len(parts)
                failed = (
                    frozenset(p for p, r in zip(parts or [], reasons, strict=False) if r.get("Code") in lost)
                    if known
                    else None
                )
                raise Conflict(failed) from None
        raise DependencyFailure(f"DynamoDB: {exc.response.get('Error', {}).get('Code')}") from exc
    except BotoCoreError as exc:
        raise DependencyFailure(f"DynamoDB: {type(exc).__name__}") from exc


class Store:
    def __init__(self, client: Any, table_name: str) -> None:
        self._db = client
        self._table = table_name

    # -- reads -------------------------------------------------------------------------------

    def load_address(self, username: str) -> AddressState:
        """The account, its live codes and its send log: one strongly consistent Query."""
        with _aws_call():
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
            values = _from_item(item)
            sort_key = values[tables.SORT_KEY]
            if sort_key == USER_SK:
                user = _user(values)
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
                changes[sort_key.rsplit("#", 1)[1]] = _code(values)
            elif sort_key.startswith(CODE_SK_PREFIX):
                code = _code(values)
                codes[code.purpose] = code
        return AddressState(user, codes, sends, logins, changes, devices)

    # -- writes ------------------------------------------------------------------------------

    def _sends_put(self, username: str, before: SendLog, after: SendLog) -> dict[str, Any]:
        condition = "attribute_not_exists(#pk)" if before.version == 0 else "#version = :version"
        put: dict[str, Any] = {
            "TableName": self._table,
            "Item": _to_item(_sends_item(username, after)),
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
        return {"Put": {"TableName": self._table, "Item": _to_item(_code_item(username, code))}}

    def save_code(self, username: str, code: CodeRecord, sends_before: SendLog, sends_after: SendLog) -> None:
        """Store a freshly issued code and count its send, or neither."""
        with _aws_call():
            self._db.transact_write_items(
                ClientRequestToken=_request_token(),
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
        with _aws_call():
            self._db.transact_write_items(
                ClientRequestToken=_request_token(),
                TransactItems=[
                    {"Put": {"TableName": self._table, "Item": _to_item(_user_item(user)), **condition}},
                    self._code_put(user.username, code),
                    self._sends_put(user.username, sends_before, sends_after),
                ],
            )

    def refund_send(self, username: str, sends_after: SendLog, sent_at: int) -> None:
        """Give back a send whose mail never left, so the person can ask again at once."""
        with _aws_call():
            self._db.put_item(**self._sends_put(username, sends_after, sends_after.without_send(sent_at))["Put"])

    def count_failed_attempt(self, username: str, code: CodeRecord, owner: str | None = None) -> int:
        """Add one wrong try to exactly the code that was judged; returns the tries so far."""
        with _aws_call():
            response = self._db.update_item(
                TableName=self._table,
                Key=_to_item(
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
                "Key": _to_item(
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

    def confirm(self, user: User, code: CodeRecord, now_iso: str) -> None:
        """UNCONFIRMED -> CONFIRMED and the code spent, in one transaction: exactly one request wins."""
        with _aws_call():
            self._db.transact_write_items(
                ClientRequestToken=_request_token(),
                TransactItems=[
                    self._spend_code(user.username, code),
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": _to_item(
                                {tables.PARTITION_KEY: address_pk(user.username), tables.SORT_KEY: USER_SK}
                            ),
                            "UpdateExpression": "SET #status = :confirmed, #verified = :true, #updated = :now",
                            "ConditionExpression": "#status = :unconfirmed AND #sub = :sub",
                            "ExpressionAttributeNames": {
                                "#status": "status",
                                "#verified": "emailVerified",
                                "#updated": "updatedAt",
                                "#sub": "sub",
                            },
                            "ExpressionAttributeValues": {
                                ":confirmed": {"S": Status.CONFIRMED},
                                ":unconfirmed": {"S": Status.UNCONFIRMED},
                                ":true": {"BOOL": True},
                                ":now": {"S": now_iso},
                                ":sub": {"S": user.sub},
                            },
                        }
                    },
                ],
            )

    def save_codes(self, username: str, codes: list[CodeRecord], sends_before: SendLog, sends_after: SendLog) -> None:
        """Store several freshly issued codes (a real one and a decoy) and count one send, or nothing."""
        with _aws_call():
            self._db.transact_write_items(
                ClientRequestToken=_request_token(),
                TransactItems=[
                    *(self._code_put(username, c) for c in codes),
                    self._sends_put(username, sends_before, sends_after),
                ],
            )

    # -- sign-in throttling ------------------------------------------------------------------

    def _logins_put(self, username: str, before: LoginFailures, after: LoginFailures) -> dict[str, Any]:
        """Replace the address's failure record only if nobody changed it since `before` was read."""
        put: dict[str, Any] = {"TableName": self._table, "Item": _to_item(_logins_item(username, after))}
        if before.version == 0:
            put["ConditionExpression"] = "attribute_not_exists(#pk)"
            put["ExpressionAttributeNames"] = {"#pk": tables.PARTITION_KEY}
        else:
            put["ConditionExpression"] = "#version = :version"
            put["ExpressionAttributeNames"] = {"#version": "version"}
            put["ExpressionAttributeValues"] = {":version": {"N": str(before.version)}}
        return {"Put": put}

    def save_logins(self, username: str, before: LoginFailures, after: LoginFailures) -> None:
        """Replace the address's failure record if nobody else changed it since it was read."""
        with _aws_call():
            self._db.put_item(**self._logins_put(username, before, after)["Put"])

    # -- accounts ----------------------------------------------------------------------------

    def _user_update(
        self, user: User, sets: dict[str, Any], *, bump_epoch: bool = False, extra_condition: str = ""
    ) -> dict[str, Any]:
        names = {"#sub": "sub"}
        values: dict[str, Any] = {":sub": _serialize(user.sub)}
        clauses = []
        for i, (name, value) in enumerate(sets.items()):
            names[f"#f{i}"] = name
            values[f":v{i}"] = _serialize(value)
            clauses.append(f"#f{i} = :v{i}")
        expression = "SET " + ", ".join(clauses) if clauses else ""
        if bump_epoch:
            names["#epoch"] = "sessionEpoch"
            values[":one"] = {"N": "1"}
            expression += " ADD #epoch :one"
        condition = "#sub = :sub" + (f" AND {extra_condition}" if extra_condition else "")
        return {
            "TableName": self._table,
            "Key": _key(address_pk(user.username), USER_SK),
            "UpdateExpression": expression.strip(),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    def set_language(self, user: User, language: str, now_iso: str) -> User:
        """The account as it is after the change (ReturnValues=ALL_NEW: no read back)."""
        with _aws_call():
            response = self._db.update_item(
                **self._user_update(user, {"language": language, "updatedAt": now_iso}), ReturnValues="ALL_NEW"
            )
        return _user(_from_item(response["Attributes"]))

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
        update["ExpressionAttributeValues"][":old"] = _serialize(user.password_hash)
        if restamp:
            update["ExpressionAttributeNames"]["#seen"] = "sessionEpoch"
            update["ExpressionAttributeValues"][":seen"] = {"N": str(user.session_epoch)}
        items: list[tuple[str, dict[str, Any]]] = [("user", {"Update": update})]
        if spend is not None:
            items.append(("code", self._spend_code(user.username, spend)))
        if logins is not None:
            items.append(("logins", self._logins_put(logins.username, logins.before, logins.after)))
        if restamp is not None:
            items.append(("session", {"Update": self._restamp(restamp, user.session_epoch + 1)}))
        self._transact(items)
        return user.session_epoch + 1

    def _transact(self, items: list[tuple[str, dict[str, Any]]]) -> None:
        """One TransactWriteItems of named items: a lost condition names its items (Conflict.parts)."""
        with _aws_call([name for name, _ in items]):
            self._db.transact_write_items(
                ClientRequestToken=_request_token(), TransactItems=[item for _, item in items]
            )

    def upgrade_password_hash(self, user: User, password_hash: str, now_iso: str) -> None:
        """The same password under current hash parameters: no epoch change (sessions stay)."""
        update = self._user_update(
            user, {"passwordHash": password_hash, "updatedAt": now_iso}, extra_condition="#old = :old"
        )
        update["ExpressionAttributeNames"]["#old"] = "passwordHash"
        update["ExpressionAttributeValues"][":old"] = _serialize(user.password_hash)
        with _aws_call():
            self._db.update_item(**update)

    def bump_session_epoch(self, user: User) -> int:
        """Void every session of the account for refreshing (log out everywhere). Returns the new epoch."""
        update = self._user_update(user, {}, bump_epoch=True)
        with _aws_call():
            response = self._db.update_item(**update, ReturnValues="UPDATED_NEW")
        return int(response["Attributes"]["sessionEpoch"]["N"])

    def end_sessions(self, username: str, sub: str, session_id: str | None) -> None:
        """Log out everywhere: this session revoked and the account's session epoch raised, at once
        (the authorizer and refresh refuse every session older than the epoch). Conflict ("user")
        when the account at `username` is no longer this sub; a missing session is no matter."""
        bump = {
            "TableName": self._table,
            "Key": _key(address_pk(username), USER_SK),
            "UpdateExpression": "ADD #epoch :one",
            "ConditionExpression": "#sub = :sub",
            "ExpressionAttributeNames": {"#epoch": "sessionEpoch", "#sub": "sub"},
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":sub": {"S": sub}},
        }
        revoke = [("session", {"Update": self._revoke(session_id)})] if session_id else []
        self._transact([*revoke, ("user", {"Update": bump})])

    def delete_account(
        self, user: User, session_ids: list[str] | tuple[str, ...] = (), logins: LoginsChange | None = None
    ) -> None:
        """The account, its codes and the given sessions at once, with the failure record's change
        (`logins`); the send and sign-in limits of the address stay. Sessions beyond what one
        transaction holds are deleted after it (the account is gone: they can no longer be used).
        Conflict.parts: "user" (the account is not this one any more) or "logins"."""
        items: list[tuple[str, dict[str, Any]]] = [
            (
                "user",
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": _key(address_pk(user.username), USER_SK),
                        "ConditionExpression": "#sub = :sub",
                        "ExpressionAttributeNames": {"#sub": "sub"},
                        "ExpressionAttributeValues": {":sub": {"S": user.sub}},
                    }
                },
            ),
            *(
                (
                    "code",
                    {"Delete": {"TableName": self._table, "Key": _key(address_pk(user.username), CODE_SK_PREFIX + p)}},
                )
                for p in Purpose
            ),
        ]
        if logins is not None:
            items.append(("logins", self._logins_put(logins.username, logins.before, logins.after)))
        unique = list(dict.fromkeys(session_ids))
        room = TRANSACTION_ITEMS - len(items)
        items += [
            ("session", {"Delete": {"TableName": self._table, "Key": _key(session_pk(s), SESSION_SK)}})
            for s in unique[:room]
        ]
        self._transact(items)
        for session_id in unique[room:]:
            self.delete_session(session_id)

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
    ) -> None:
        """The pending address on the account, the code under the new address (bound to the sub)
        and its send counted there, at once; only while no account holds the new address. With
        `logins`, the un-count of the password that allowed it. Conflict.parts: "user", "sends",
        "target" (the new address was taken), "logins"."""
        pending = self._user_update(user, {"pendingEmail": new_email})
        items: list[tuple[str, dict[str, Any]]] = [
            ("user", {"Update": pending}),
            (
                "code",
                {"Put": {"TableName": self._table, "Item": _to_item(_code_item(new_username, code, owner=user.sub))}},
            ),
            ("sends", self._sends_put(new_username, sends_before, sends_after)),
            (
                "target",
                {
                    "ConditionCheck": {
                        "TableName": self._table,
                        "Key": _key(address_pk(new_username), USER_SK),
                        "ConditionExpression": "attribute_not_exists(#pk)",
                        "ExpressionAttributeNames": {"#pk": tables.PARTITION_KEY},
                    }
                },
            ),
        ]
        if logins is not None:
            items.append(("logins", self._logins_put(logins.username, logins.before, logins.after)))
        self._transact(items)

    def move_account(self, user: User, moved: User, code: CodeRecord, session_id: str) -> None:
        """The account item moves to its new address key in one transaction: Put under the new
        address only if no account is there (two accounts racing for one address: one wins), the
        code spent, the old item deleted only if it is still this account with this pending change,
        and the caller's session carried over (address and epoch follow), only while it is live.
        The session moves in the same transaction so that a retry after a later failure finds
        the account through it (auth.verify_email_change)."""
        with _aws_call():
            self._db.transact_write_items(
                ClientRequestToken=_request_token(),
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": _to_item(_user_item(moved)),
                            "ConditionExpression": "attribute_not_exists(#pk)",
                            "ExpressionAttributeNames": {"#pk": tables.PARTITION_KEY},
                        }
                    },
                    self._spend_code(moved.username, code, owner=user.sub),
                    {
                        "Delete": {
                            "TableName": self._table,
                            "Key": _key(address_pk(user.username), USER_SK),
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
                            "Key": _key(session_pk(session_id), SESSION_SK),
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

    # -- operators ---------------------------------------------------------------------------

    def username_of(self, sub: str) -> str | None:
        """The address of the account with this sub (GSI1: SUB#<sub> / USER), or None."""
        with _aws_call():
            response = self._db.query(
                TableName=self._table,
                IndexName=tables.GSI1,
                KeyConditionExpression="#gpk = :gpk AND #gsk = :user",
                ExpressionAttributeNames={"#gpk": tables.GSI1_PARTITION_KEY, "#gsk": tables.GSI1_SORT_KEY},
                ExpressionAttributeValues={":gpk": {"S": f"SUB#{sub}"}, ":user": {"S": USER_SK}},
            )
        items = response.get("Items", [])
        return items[0]["username"]["S"] if items else None

    def users_page(
        self,
        limit: int,
        after: str | None = None,
        status: str | None = None,
        created_from: str | None = None,
        created_to: str | None = None,
    ) -> tuple[list[User], str | None]:
        """Up to `limit` accounts after the address `after`, and where the next page starts.

        A filtered, paginated Scan: this is for the operator CLI only, never a request path (the
        table has no index over all accounts, and one is not worth its cost for an offline tool).
        Scan order is the table's, stable between pages; the resume point is the last address
        returned (the base table key EMAIL#<username> / USER).
        """
        names = {"#sk": tables.SORT_KEY}
        values: dict[str, Any] = {":user": {"S": USER_SK}}
        clauses = ["#sk = :user"]
        if status:
            names["#status"], values[":status"] = "status", {"S": status}
            clauses.append("#status = :status")
        if created_from:
            names["#created"], values[":from"] = "createdAt", {"S": created_from}
            clauses.append("#created >= :from")
        if created_to:
            names["#created"], values[":to"] = "createdAt", {"S": created_to}
            clauses.append("#created < :to")
        request: dict[str, Any] = {
            "TableName": self._table,
            "FilterExpression": " AND ".join(clauses),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        if after:
            request["ExclusiveStartKey"] = _key(address_pk(after), USER_SK)
        users: list[User] = []
        while True:
            with _aws_call():
                response = self._db.scan(**request)
            items = response.get("Items", [])
            for index, item in enumerate(items):
                users.append(_user(_from_item(item)))
                if len(users) == limit:
                    more = index < len(items) - 1 or "LastEvaluatedKey" in response
                    return users, users[-1].username if more else None
            if "LastEvaluatedKey" not in response:
                return users, None
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def set_enabled(self, user: User, enabled: bool, now_iso: str) -> None:
        """Enable or disable; disabling also raises the session epoch (no session may refresh)."""
        with _aws_call():
            self._db.update_item(
                **self._user_update(user, {"enabled": enabled, "updatedAt": now_iso}, bump_epoch=not enabled)
            )

    def require_reset(self, user: User, now_iso: str) -> None:
        """Status RESET_REQUIRED and the session epoch raised, unless the account is still unconfirmed."""
        update = self._user_update(
            user,
            {"status": str(Status.RESET_REQUIRED), "updatedAt": now_iso},
            bump_epoch=True,
            extra_condition="#st <> :unconfirmed",
        )
        update["ExpressionAttributeNames"]["#st"] = "status"
        update["ExpressionAttributeValues"][":unconfirmed"] = {"S": Status.UNCONFIRMED}
        with _aws_call():
            self._db.update_item(**update)

    def import_user(self, user: User) -> None:
        """A migrated account; Conflict when the address (or the item) already exists."""
        with _aws_call():
            self._db.put_item(
                TableName=self._table,
                Item=_to_item(_user_item(user)),
                ConditionExpression="attribute_not_exists(#pk)",
                ExpressionAttributeNames={"#pk": tables.PARTITION_KEY},
            )

    def sessions_of(self, sub: str) -> list[Session]:
        """Every session record of the account (GSI1 projects all attributes; no secrets in them)."""
        found: list[Session] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": tables.GSI1,
            "KeyConditionExpression": "#gpk = :gpk AND begins_with(#gsk, :prefix)",
            "ExpressionAttributeNames": {"#gpk": tables.GSI1_PARTITION_KEY, "#gsk": tables.GSI1_SORT_KEY},
            "ExpressionAttributeValues": {":gpk": {"S": f"SUB#{sub}"}, ":prefix": {"S": "SESSION#"}},
        }
        while True:
            with _aws_call():
                response = self._db.query(**request)
            found += [_session(_from_item(item)) for item in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    # -- sessions ----------------------------------------------------------------------------

    def create_session(
        self, session: Session, refresh: RefreshRecord, logins: LoginsChange | None = None, device: str | None = None
    ) -> None:
        """The session and its first refresh record, with the failure record's change (`logins`: the
        un-count of the right password) and the device seen now (`device`), at once.
        Conflict.parts: "session" or "logins"."""
        items: list[tuple[str, dict[str, Any]]] = [
            (
                "session",
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": _to_item(_session_item(session)),
                        "ConditionExpression": "attribute_not_exists(#pk)",
                        "ExpressionAttributeNames": {"#pk": tables.PARTITION_KEY},
                    }
                },
            ),
            (
                "refresh",
                {"Put": {"TableName": self._table, "Item": _to_item(_refresh_item(session.session_id, refresh))}},
            ),
        ]
        if logins is not None:
            items.append(("logins", self._logins_put(logins.username, logins.before, logins.after)))
        if device is not None:
            seen = {":now": {"N": str(session.created_at)}, ":ttl": {"N": str(session.created_at + DEVICE_MEMORY)}}
            update = {
                "TableName": self._table,
                "Key": _key(address_pk(session.username), DEVICE_SK_PREFIX + device),
                "UpdateExpression": "SET #seen = :now, #ttl = :ttl",
                "ExpressionAttributeNames": {"#seen": "lastSeenAt", "#ttl": tables.TTL_ATTRIBUTE},
                "ExpressionAttributeValues": seen,
            }
            items.append(("device", {"Update": update}))
        self._transact(items)

    def claim_device_notice(self, username: str, device: str, now: int) -> bool:
        """Whether this request may mail the new-device notice: at most one per device per day,
        whoever asks (parallel sign-ins from one new device mail once)."""
        try:
            with _aws_call():
                self._db.update_item(
                    TableName=self._table,
                    Key=_key(address_pk(username), DEVICE_SK_PREFIX + device),
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

    def load_session(self, session_id: str) -> Session | None:
        """One strongly consistent GetItem: a revocation is seen at once."""
        with _aws_call():
            response = self._db.get_item(
                TableName=self._table, Key=_key(session_pk(session_id), SESSION_SK), ConsistentRead=True
            )
        item = response.get("Item")
        return _session(_from_item(item)) if item else None

    def load_access(self, session_id: str, username: str) -> tuple[Session | None, User | None]:
        """The session and the account at `username`, strongly consistent, in one BatchGetItem:
        what the authorizer needs to judge an access token (revoked, expired, or older than the
        account's session epoch). Keys DynamoDB leaves unprocessed are asked again (rare)."""
        keys = {
            session_pk(session_id): _key(session_pk(session_id), SESSION_SK),
            address_pk(username): _key(address_pk(username), USER_SK),
        }
        found: dict[str, dict[str, Any]] = {}
        pending = list(keys.values())
        for _ in range(3):
            with _aws_call():
                response = self._db.batch_get_item(
                    RequestItems={self._table: {"Keys": pending, "ConsistentRead": True}}
                )
            for item in response.get("Responses", {}).get(self._table, []):
                values = _from_item(item)
                found[values[tables.PARTITION_KEY]] = values
            pending = response.get("UnprocessedKeys", {}).get(self._table, {}).get("Keys", [])
            if not pending:
                break
        else:
            raise DependencyFailure("DynamoDB: keys left unprocessed")
        session = found.get(session_pk(session_id))
        user = found.get(address_pk(username))
        return (_session(session) if session else None, _user(user) if user else None)

    def load_refresh(self, session_id: str, digest: str) -> tuple[Session | None, RefreshRecord | None]:
        """The session and the presented refresh token's record, read together (consistent)."""
        with _aws_call():
            response = self._db.transact_get_items(
                TransactItems=[
                    {"Get": {"TableName": self._table, "Key": _key(session_pk(session_id), SESSION_SK)}},
                    {
                        "Get": {
                            "TableName": self._table,
                            "Key": _key(session_pk(session_id), REFRESH_SK_PREFIX + digest),
                        }
                    },
                ]
            )
        session_item, refresh_item = (r.get("Item") for r in response["Responses"])
        return (
            _session(_from_item(session_item)) if session_item else None,
            _refresh(_from_item(refresh_item)) if refresh_item else None,
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
                "Key": _key(address_pk(session.username), USER_SK),
                "ConditionExpression": "#sub = :sub AND #enabled = :true AND #epoch <= :epoch",
                "ExpressionAttributeNames": {"#sub": "sub", "#enabled": "enabled", "#epoch": "sessionEpoch"},
                "ExpressionAttributeValues": {
                    ":sub": {"S": session.sub},
                    ":true": {"BOOL": True},
                    ":epoch": {"N": str(session.epoch)},
                },
            }
        }
        self._transact(
            [
                (
                    "refresh",
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": _key(session_pk(session.session_id), REFRESH_SK_PREFIX + used.digest),
                            "UpdateExpression": "SET #used = :true",
                            "ConditionExpression": "#used = :false",
                            "ExpressionAttributeNames": {"#used": "used"},
                            "ExpressionAttributeValues": {":true": {"BOOL": True}, ":false": {"BOOL": False}},
                        }
                    },
                ),
                ("new", {"Put": {"TableName": self._table, "Item": _to_item(_refresh_item(session.session_id, new))}}),
                (
                    "session",
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": _key(session_pk(session.session_id), SESSION_SK),
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
            ]
        )

    def _revoke(self, session_id: str) -> dict[str, Any]:
        # Only an existing session: an update of a missing one would write a stub item.
        return {
            "TableName": self._table,
            "Key": _key(session_pk(session_id), SESSION_SK),
            "UpdateExpression": "SET #revoked = :true",
            "ConditionExpression": "attribute_exists(#pk)",
            "ExpressionAttributeNames": {"#revoked": "revoked", "#pk": tables.PARTITION_KEY},
            "ExpressionAttributeValues": {":true": {"BOOL": True}},
        }

    def revoke_session(self, session_id: str) -> None:
        """Mark the session revoked (kept until its TTL, so a late refresh is still recognised)."""
        try:
            with _aws_call():
                self._db.update_item(**self._revoke(session_id))
        except Conflict:
            pass  # no such session: nothing to revoke

    def _restamp(self, session_id: str, epoch: int) -> dict[str, Any]:
        return {
            "TableName": self._table,
            "Key": _key(session_pk(session_id), SESSION_SK),
            "UpdateExpression": "SET #epoch = :epoch",
            "ConditionExpression": "attribute_exists(#pk) AND #revoked = :false",
            "ExpressionAttributeNames": {"#epoch": "epoch", "#pk": tables.PARTITION_KEY, "#revoked": "revoked"},
            "ExpressionAttributeValues": {":epoch": {"N": str(epoch)}, ":false": {"BOOL": False}},
        }

    def restamp_session(self, session_id: str, epoch: int) -> None:
        """Carry the caller's own session over a password change (its epoch follows the account's)."""
        with _aws_call():
            self._db.update_item(**self._restamp(session_id, epoch))

    def session_ids(self, sub: str) -> list[str]:
        """Every session of the account, through GSI1. The index is eventually consistent: a session
        created within the last moment may be missing; the account's session epoch covers it."""
        ids: list[str] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": tables.GSI1,
            "KeyConditionExpression": "#gpk = :gpk AND begins_with(#gsk, :prefix)",
            "ExpressionAttributeNames": {"#gpk": tables.GSI1_PARTITION_KEY, "#gsk": tables.GSI1_SORT_KEY},
            "ExpressionAttributeValues": {":gpk": {"S": f"SUB#{sub}"}, ":prefix": {"S": "SESSION#"}},
            "Limit": SESSION_PAGE,
        }
        while True:
            with _aws_call():
                response = self._db.query(**request)
            ids += [item[tables.GSI1_SORT_KEY]["S"].removeprefix("SESSION#") for item in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                return ids
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def delete_session(self, session_id: str) -> None:
        """The session item goes; its refresh token records are left to their TTL (hashes only,
        useless without the session)."""
        with _aws_call():
            self._db.delete_item(TableName=self._table, Key=_key(session_pk(session_id), SESSION_SK))

    # -- mail suppression (SES bounces and complaints) ---------------------------------------

    SUPPRESSED_SK = "SUPPRESSED"

    def mark_suppressed(self, username: str, reason: str, now: int) -> None:
        """Record that no more mail may go to this address (EMAIL#<username> / SUPPRESSED).

        `now` is epoch seconds. Unconditional: a later bounce or complaint just updates the reason.
        """
        item = {
            tables.PARTITION_KEY: address_pk(username),
            tables.SORT_KEY: self.SUPPRESSED_SK,
            "reason": reason,
            "suppressedAt": now,
        }
        with _aws_call():
            self._db.put_item(TableName=self._table, Item=_to_item(item))
