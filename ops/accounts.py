"""The operator's queries on accounts (ops/admin.py): listing, import, enable/disable, reset.

Here and not in portal/dynamo/ so that no Lambda function ships them: a Scan over every account
is for an offline tool, never a request path.
"""

from __future__ import annotations

from typing import Any

from portal import tables
from portal.dynamo.account_items import user_item, user_of
from portal.dynamo.accounts import account_of_sub
from portal.dynamo.calls import dynamo_call
from portal.dynamo.codec import from_item, to_item
from portal.dynamo.keys import USER_SK, account_key
from portal.dynamo.passkeys import DynamoPasskeyAccounts
from portal.users import Status, User


class OperatorAccounts(DynamoPasskeyAccounts):
    def username_of(self, sub: str) -> str | None:
        """The address of the account with this sub, or None."""
        values = account_of_sub(self._db, self._table, sub)
        return values["username"] if values else None

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
            request["ExclusiveStartKey"] = account_key(after)
        users: list[User] = []
        while True:
            with dynamo_call():
                response = self._db.scan(**request)
            items = response.get("Items", [])
            for index, item in enumerate(items):
                users.append(user_of(from_item(item)))
                if len(users) == limit:
                    more = index < len(items) - 1 or "LastEvaluatedKey" in response
                    return users, users[-1].username if more else None
            if "LastEvaluatedKey" not in response:
                return users, None
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def set_enabled(self, user: User, enabled: bool, now_iso: str) -> None:
        """Enable or disable; disabling also raises the session epoch (no session may refresh)."""
        with dynamo_call():
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
        with dynamo_call():
            self._db.update_item(**update)

    def import_user(self, user: User) -> None:
        """A migrated account; Conflict when the address (or the item) already exists."""
        with dynamo_call():
            self._db.put_item(
                TableName=self._table,
                Item=to_item(user_item(user)),
                ConditionExpression="attribute_not_exists(#pk)",
                ExpressionAttributeNames={"#pk": tables.PARTITION_KEY},
            )
