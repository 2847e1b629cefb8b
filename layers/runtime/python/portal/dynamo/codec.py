"""Python values to and from DynamoDB's attribute-value format (numbers as int/float, sets as lists).

The one place that imports boto3's codec: `boto3.dynamodb.types` loads the whole boto3 package,
so a lighter codec can replace this module alone.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

serialize = TypeSerializer().serialize
_deserialize = TypeDeserializer().deserialize


def plain(value: Any) -> Any:
    """A deserialized value with numbers as int/float and sets as lists."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, set, frozenset, tuple)):
        return [plain(v) for v in value]
    return value


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """An item from plain values; None values are left out (DynamoDB has no "absent" value)."""
    return {name: serialize(value) for name, value in values.items() if value is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: plain(_deserialize(value)) for name, value in item.items()}
