"""Every DynamoDB call goes through `dynamo_call`: DynamoDB's failures become ours."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from portal.errors import DependencyFailure
from portal.records import Conflict

# A transaction holds at most 100 items.
TRANSACTION_ITEMS = 100


def request_token() -> str:
    """One per transaction, the same on botocore's retries of it: a write that was applied but whose
    answer was lost (a timeout) is not applied again, nor refused as a lost race, on the retry
    (DynamoDB keeps the token 10 minutes; moto ignores it)."""
    return secrets.token_hex(16)


@contextmanager
def dynamo_call(parts: list[str] | None = None) -> Iterator[None]:
    """A lost condition is `Conflict`; any other DynamoDB failure is `DependencyFailure` (503).
    `parts` names a transaction's items in order, so that a lost condition says which item lost
    it (Conflict.parts)."""
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
                race = not any(r.get("Code") == "ConditionalCheckFailed" for r in reasons)
                raise Conflict(failed, race=race) from None
        raise DependencyFailure(f"DynamoDB: {exc.response.get('Error', {}).get('Code')}") from exc
    except BotoCoreError as exc:
        raise DependencyFailure(f"DynamoDB: {type(exc).__name__}") from exc


def transact(db: Any, items: list[tuple[str, dict[str, Any]]]) -> None:
    """One TransactWriteItems of named items: a lost condition names its items (Conflict.parts)."""
    with dynamo_call([name for name, _ in items]):
        db.transact_write_items(ClientRequestToken=request_token(), TransactItems=[item for _, item in items])


def sub_index_items(db: Any, table: str, sub: str, prefix: str, page: int | None = None) -> list[dict[str, Any]]:
    """Every item of the account's GSI1 partition (SUB#<sub>) whose sort key starts with `prefix`
    (its sessions, its passkeys), page after page. GSI1 is eventually consistent."""
    from portal import tables
    from portal.dynamo.keys import sub_pk

    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": tables.GSI1,
        "KeyConditionExpression": "#gpk = :gpk AND begins_with(#gsk, :prefix)",
        "ExpressionAttributeNames": {"#gpk": tables.GSI1_PARTITION_KEY, "#gsk": tables.GSI1_SORT_KEY},
        "ExpressionAttributeValues": {":gpk": {"S": sub_pk(sub)}, ":prefix": {"S": prefix}},
        **({"Limit": page} if page else {}),
    }
    items: list[dict[str, Any]] = []
    while True:
        with dynamo_call():
            response = db.query(**request)
        items += response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return items
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
