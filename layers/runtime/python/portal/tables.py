"""The single DynamoDB table's definition, shared by the store, the CDK app and the local runner.

Items (pk / sk):
  EMAIL#<username> / USER                the account (gsi1: SUB#<sub> / USER)
  EMAIL#<username> / CODE#<purpose>      the live one-time code of that purpose (hash only, TTL)
  EMAIL#<username> / SENDS               the address's sends of the last hour (TTL)
  EMAIL#<username> / LOGINS              the address's failed sign-ins (backoff, hourly cap; TTL)
  SESSION#<id> / SESSION                 one sign-in's session (gsi1: SUB#<sub> / SESSION#<id>, TTL)
  SESSION#<id> / REFRESH#<sha256>        each refresh token the session was given, used or not (TTL)
Everything keyed by an address sits under one partition, so one strongly consistent Query reads
all a sign-up or a verification needs.
"""

from __future__ import annotations

PARTITION_KEY = "pk"
SORT_KEY = "sk"
TTL_ATTRIBUTE = "ttl"
GSI1 = "gsi1"
GSI1_PARTITION_KEY = "gsi1pk"
GSI1_SORT_KEY = "gsi1sk"

KEY_ATTRIBUTES = (PARTITION_KEY, SORT_KEY, GSI1_PARTITION_KEY, GSI1_SORT_KEY)


def create_table_request(table_name: str) -> dict[str, object]:
    """boto3 `create_table` arguments for the local emulation and tests; infra/ builds the same."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": name, "AttributeType": "S"} for name in KEY_ATTRIBUTES],
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": GSI1,
                "KeySchema": [
                    {"AttributeName": GSI1_PARTITION_KEY, "KeyType": "HASH"},
                    {"AttributeName": GSI1_SORT_KEY, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    }
