"""DynamoDB access for accounts, codes and send logs: the only module that knows item shapes.

Every write that must not race is conditional; a lost race surfaces as `Conflict` so the logic
can read again and decide again. Any other failure of DynamoDB surfaces as `DependencyFailure`.
The logic above never sees boto3 types.
"""

from __future__ import annotations

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
from portal.users import Status, User

USER_SK = "USER"
SENDS_SK = "SENDS"
CODE_SK_PREFIX = "CODE#"

_serialize = TypeSerializer().serialize
_deserialize = TypeDeserializer().deserialize


class Conflict(Exception):
    """A conditional write lost to a concurrent one: read again and decide again."""


@dataclass(frozen=True)
class AddressState:
    """Everything held under one address, read at once."""

    user: User | None = None
    codes: dict[Purpose, CodeRecord] = field(default_factory=dict)
    sends: SendLog = SendLog()


def address_pk(username: str) -> str:
    return f"EMAIL#{username}"


def _to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _serialize(value) for name, value in values.items() if value is not None}


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
    )


def _code_item(username: str, code: CodeRecord) -> dict[str, Any]:
    return {
        tables.PARTITION_KEY: address_pk(username),
        tables.SORT_KEY: CODE_SK_PREFIX + code.purpose,
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
        purpose=Purpose(values[tables.SORT_KEY].removeprefix(CODE_SK_PREFIX)),
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


@contextmanager
def _aws_call() -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("ConditionalCheckFailedException", "TransactionCanceledException"):
            reasons = exc.response.get("CancellationReasons") or [{"Code": "ConditionalCheckFailed"}]
            if any(r.get("Code") in ("ConditionalCheckFailed", "TransactionConflict") for r in reasons):
                raise Conflict() from None
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
        user, codes, sends = None, {}, SendLog()
        for item in response.get("Items", []):
            values = _from_item(item)
            sort_key = values[tables.SORT_KEY]
            if sort_key == USER_SK:
                user = _user(values)
            elif sort_key == SENDS_SK:
                sends = SendLog(tuple(values.get("sentAt", [])), values.get("version", 0))
            elif sort_key.startswith(CODE_SK_PREFIX):
                code = _code(values)
                codes[code.purpose] = code
        return AddressState(user, codes, sends)

    # -- writes ------------------------------------------------------------------------------

    def _sends_put(self, username: str, before: SendLog, after: SendLog) -> dict[str, Any]:
        condition = "attribute_not_exists(#pk)" if before.version == 0 else "#version = :version"
        put: dict[str, Any] = {
            "TableName": self._table,
            "Item": _to_item(_sends_item(username, after)),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#pk": tables.PARTITION_KEY} if before.version == 0 else {"#version": "version"},
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
                TransactItems=[self._code_put(username, code), self._sends_put(username, sends_before, sends_after)]
            )

    def save_signup(
        self, user: User, previous: User | None, code: CodeRecord, sends_before: SendLog, sends_after: SendLog
    ) -> None:
        """Create the account (or replace an unconfirmed one's password), its code and the send, at once."""
        if previous is None:
            condition = {"ConditionExpression": "attribute_not_exists(#pk)", "ExpressionAttributeNames": {"#pk": tables.PARTITION_KEY}}
        else:
            condition = {
                "ConditionExpression": "#status = :unconfirmed AND #sub = :sub",
                "ExpressionAttributeNames": {"#status": "status", "#sub": "sub"},
                "ExpressionAttributeValues": {":unconfirmed": {"S": Status.UNCONFIRMED}, ":sub": {"S": previous.sub}},
            }
        with _aws_call():
            self._db.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self._table, "Item": _to_item(_user_item(user)), **condition}},
                    self._code_put(user.username, code),
                    self._sends_put(user.username, sends_before, sends_after),
                ]
            )

    def refund_send(self, username: str, sends_after: SendLog, sent_at: int) -> None:
        """Give back a send whose mail never left, so the person can ask again at once."""
        with _aws_call():
            self._db.put_item(**self._sends_put(username, sends_after, sends_after.without_send(sent_at))["Put"])

    def count_failed_attempt(self, username: str, code: CodeRecord) -> int:
        """Add one wrong try to exactly the code that was judged; returns the tries so far."""
        with _aws_call():
            response = self._db.update_item(
                TableName=self._table,
                Key=_to_item({tables.PARTITION_KEY: address_pk(username), tables.SORT_KEY: CODE_SK_PREFIX + code.purpose}),
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

    def _spend_code(self, username: str, code: CodeRecord) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._table,
                "Key": _to_item({tables.PARTITION_KEY: address_pk(username), tables.SORT_KEY: CODE_SK_PREFIX + code.purpose}),
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
                TransactItems=[
                    self._spend_code(user.username, code),
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": _to_item({tables.PARTITION_KEY: address_pk(user.username), tables.SORT_KEY: USER_SK}),
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
                ]
            )

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
