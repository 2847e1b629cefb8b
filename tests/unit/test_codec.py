"""The DynamoDB item codec (portal/dynamo/codec.py) against boto3's TypeSerializer and
TypeDeserializer, which it replaces so that functions need not import boto3: every shape the
project stores, written the same and read back to the same plain values."""

from __future__ import annotations

from decimal import Decimal

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

from portal.dynamo.codec import deserialize, from_item, serialize, to_item

SHAPES = [
    "ann@example.org",
    "",
    "Défense : investissement ✓",
    0,
    -7,
    1_900_000_005,
    2**63,
    10**37,
    Decimal("1.5"),
    Decimal("-0.001"),
    Decimal("12345678901234567890.123456789012345678"),
    Decimal("1E+100"),
    True,
    False,
    None,
    b"\x00\xffbinary",
    bytearray(b"abc"),
    {"a", "b"},
    frozenset({"x"}),
    {1, 2, 30},
    {Decimal("1.5"), 2},
    {b"k1", b"k2"},
    [],
    ["one", 2, None, True, {"nested": [b"\x01"]}],
    ("tuple", 1),
    {},
    {"kid": "2026-06", "secret": "s", "n": 3, "list": [{"deep": {"deeper": Decimal("0.5")}}]},
]


def canonical(value):
    """Sets in a fixed order (their order on the wire is not part of the format)."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def sorted_sets(attribute):
    if isinstance(attribute, dict):
        return {k: sorted(v) if k in ("SS", "NS", "BS") else sorted_sets(v) for k, v in attribute.items()}
    if isinstance(attribute, list):
        return [sorted_sets(v) for v in attribute]
    return attribute


@pytest.mark.parametrize("value", SHAPES, ids=repr)
def test_values_are_written_as_boto3_writes_them(value):
    assert sorted_sets(serialize(value)) == sorted_sets(TypeSerializer().serialize(value))


def boto3_plain(value):
    """What the codec did with boto3: Decimal to int/float, sets to lists, Binary to bytes."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Binary):
        return bytes(value.value)
    if isinstance(value, dict):
        return {k: boto3_plain(v) for k, v in value.items()}
    if isinstance(value, list | set | frozenset | tuple):
        return [boto3_plain(v) for v in value]
    return value


def as_compared(value):
    if isinstance(value, list):
        items = [as_compared(v) for v in value]
        return sorted(items, key=repr) if all(not isinstance(v, dict | list) for v in items) else items
    if isinstance(value, dict):
        return {k: as_compared(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("value", SHAPES, ids=repr)
def test_values_read_back_as_boto3_read_them(value):
    attribute = TypeSerializer().serialize(value)
    mine = deserialize(attribute)
    assert as_compared(mine) == as_compared(boto3_plain(TypeDeserializer().deserialize(attribute)))


def test_read_back_types_are_plain():
    item = to_item({"n": 3, "d": Decimal("2.5"), "b": b"\x01", "ss": {"a"}, "ns": {1}, "bs": {b"x"}, "skip": None})
    assert "skip" not in item
    back = from_item(item)
    assert back == {"n": 3, "d": 2.5, "b": b"\x01", "ss": ["a"], "ns": [1], "bs": [b"x"]}
    assert type(back["n"]) is int and type(back["d"]) is float and type(back["b"]) is bytes


@pytest.mark.parametrize(
    "value",
    [
        1.5,
        {1.5},
        float("nan"),
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("1E+200"),
        Decimal("1." + "1" * 40),
        object(),
        {"a", 1},
    ],
    ids=repr,
)
def test_what_boto3_refuses_is_refused(value):
    with pytest.raises(Exception) as boto3_error:
        TypeSerializer().serialize(value)
    with pytest.raises(type(boto3_error.value)):
        serialize(value)


@pytest.mark.parametrize(
    "text", ["0", "-0", "7", "-12", "1900000005", "9" * 38, "-" + "9" * 38, "1" + "0" * 38, "1.0", "1E+3", "2.50"]
)
def test_numbers_read_back_as_boto3_reads_them(text):
    try:
        theirs = boto3_plain(TypeDeserializer().deserialize({"N": text}))
    except Exception as exc:  # beyond DynamoDB's 38 digits: refused alike
        with pytest.raises(type(exc)):
            deserialize({"N": text})
        return
    mine = deserialize({"N": text})
    assert mine == theirs and type(mine) is type(theirs)


def test_an_unknown_or_empty_attribute_is_refused_on_reading():
    for attribute in ({}, {"X": "1"}):
        with pytest.raises(TypeError):
            deserialize(attribute)
