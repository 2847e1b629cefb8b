"""Python values to and from DynamoDB's attribute-value format (numbers as int/float, sets as lists).

Thin, and without boto3: `boto3.dynamodb.types` loads the whole boto3 package (and with it
s3transfer and urllib3) into functions that only call DynamoDB through botocore
(docs/decisions/0013-cold-start-floor.md). It follows boto3's TypeSerializer rule for rule, for the
types this project stores (tests/unit/test_codec.py compares the two on every shape):
None -> NULL, bool -> BOOL, int/Decimal -> N (DynamoDB's 38-digit number context; a float is
refused, as boto3 refuses it), str -> S, bytes -> B, sets -> NS/SS/BS, mappings -> M,
lists and tuples -> L. Read back, numbers are int or float, sets are lists and binary is bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

# DynamoDB's numbers: 38 significant digits, exponents -130..125 (boto3's DYNAMODB_CONTEXT).
_NUMBERS = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])


def _number(value: int | Decimal) -> str:
    text = str(_NUMBERS.create_decimal(value))
    if text in ("Infinity", "-Infinity", "NaN", "sNaN"):
        raise TypeError("Infinity and NaN not supported")
    return text


def _is_number(value: Any) -> bool:
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    return isinstance(value, int | Decimal)  # bool too, inside a set (serialize tests bool first)


def _set(value: Set[Any]) -> dict[str, Any]:
    # An empty set passes the first test, as in boto3 (DynamoDB itself refuses it).
    if all(_is_number(v) for v in value):
        return {"NS": [_number(v) for v in value]}
    if all(isinstance(v, str) for v in value):
        return {"SS": list(value)}
    if all(isinstance(v, bytes | bytearray) for v in value):
        return {"BS": list(value)}
    raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')


def serialize(value: Any) -> dict[str, Any]:
    """One attribute value."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if _is_number(value):
        return {"N": _number(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes | bytearray):
        return {"B": value}
    if isinstance(value, Set):
        return _set(value)
    if isinstance(value, Mapping):
        return {"M": {k: serialize(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [serialize(v) for v in value]}
    raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')


def _plain_number(text: str) -> int | float:
    if len(text) <= 38 and text.lstrip("-").isdigit():  # an integer within 38 digits: exact as is
        return int(text)
    number = _NUMBERS.create_decimal(text)
    return int(number) if number == number.to_integral_value() else float(number)


def deserialize(value: dict[str, Any]) -> Any:
    """One attribute value, as plain Python."""
    if not value:
        raise TypeError("Value must be a nonempty dictionary whose key is a valid dynamodb type.")
    kind, inner = next(iter(value.items()))
    if kind == "S" or kind == "BOOL":
        return inner
    if kind == "N":
        return _plain_number(inner)
    if kind == "M":
        return {k: deserialize(v) for k, v in inner.items()}
    if kind == "L":
        return [deserialize(v) for v in inner]
    if kind == "NULL":
        return None
    if kind == "B":
        return bytes(inner)
    if kind == "SS":
        return list(set(inner))
    if kind == "NS":
        return [_plain_number(n) for n in set(inner)]
    if kind == "BS":
        return [bytes(b) for b in set(inner)]
    raise TypeError(f"Dynamodb type {kind} is not supported")


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """An item from plain values; None values are left out (DynamoDB has no "absent" value)."""
    return {name: serialize(value) for name, value in values.items() if value is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: deserialize(value) for name, value in item.items()}
