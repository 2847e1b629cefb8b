"""The keys' loader (portal.keys.cached_secret): one GetSecretValue per `max_age`, one parse per
secret version, any failure a 503 DependencyFailure."""

from __future__ import annotations

import json

import pytest
import time_machine

from portal.errors import DependencyFailure
from portal.keys import cached_secret


class SecretsManager:
    def __init__(self, *values: object) -> None:
        self.values = list(values)
        self.asked = 0

    def get_secret_value(self, SecretId: str) -> dict[str, str]:  # noqa: N803 - botocore's name
        assert SecretId == "portal/keys"
        self.asked += 1
        value = self.values[0] if len(self.values) == 1 else self.values.pop(0)
        if isinstance(value, Exception):
            raise value
        return {"SecretString": json.dumps(value)}


def loader(client, parsed: list):
    def parse(document):
        parsed.append(document)
        return document["kid"]

    return cached_secret(client, "portal/keys", 300, parse, "keys")


def test_the_secret_is_asked_once_per_max_age_and_parsed_once_per_version():
    client, parsed = SecretsManager({"kid": "a"}, {"kid": "a"}, {"kid": "b"}), []
    with time_machine.travel(1_900_000_000, tick=False) as clock:
        load = loader(client, parsed)
        assert [load(), load()] == ["a", "a"] and client.asked == 1
        clock.shift(300)
        assert load() == "a" and client.asked == 1  # still within its 300 s
        clock.shift(1)
        assert load() == "a" and client.asked == 2 and len(parsed) == 1  # asked again, same version
        clock.shift(301)
        assert load() == "b" and client.asked == 3 and len(parsed) == 2


def test_a_failure_is_a_dependency_failure_and_the_next_call_asks_again():
    from botocore.exceptions import ClientError

    error = ClientError({"Error": {"Code": "InternalServiceError", "Message": "x"}}, "GetSecretValue")
    client = SecretsManager(error, {"kid": "a"})
    load = loader(client, [])
    with pytest.raises(DependencyFailure):
        load()
    assert load() == "a" and client.asked == 2
