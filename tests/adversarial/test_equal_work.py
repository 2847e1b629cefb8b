"""No enumeration through timing, proved without a clock: for each public flow, an address with
an account and one without make the same work: the same AWS calls in the same order with
requests of the same sizes, the same password hashing, the same mail work (a mail sent, or the
wait that stands in for one), the same one-time-code HMACs.

Replaces a timing assertion (machine-dependent, and too weak to find a leak smaller than the
noise). The timing comparison is a figure of `make bench` (bench/enumeration.py), never pass/fail.
All three addresses have the same length, so sizes compare; values that are random (tokens,
digests, ids) have fixed lengths.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
import time_machine

CONFIRMED, UNCONFIRMED, NOBODY = "aaaaa@example.org", "bbbbb@example.org", "zzzzz@example.org"
WRONG_PASSWORD = "Wrong-Password-Guess-1!"
WORK_SERVICES = ("dynamodb", "sesv2", "secretsmanager")


# A condition is judged on the item where it is stored: its text is no work of its size. (An
# address sent to before has a send log to condition on, a new one has none: not the account.)
CONDITION_ONLY = ("ConditionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues")


def size_shape(value: Any) -> Any:
    """A request with every value replaced by its size: what its cost depends on."""
    if isinstance(value, dict):
        # In a Put the expression values serve only the condition; in an Update they are the data.
        dropped = CONDITION_ONLY if "Item" in value else CONDITION_ONLY[:1]
        return {key: size_shape(v) for key, v in sorted(value.items()) if key not in dropped}
    if isinstance(value, list | tuple):
        return [size_shape(v) for v in value]
    if isinstance(value, str | bytes):
        return len(value)
    return type(value).__name__


class Work:
    """Every unit of work a request does that takes time, in order."""

    def __init__(self) -> None:
        self.steps: list[tuple[Any, ...]] = []

    def aws(self, event_name: str, params: dict[str, Any], **_: Any) -> None:
        _, service, operation = event_name.split(".")
        if service == "sesv2":
            self.steps.append(("mail",))  # the send itself; its stand-in records the same
        else:
            self.steps.append(("aws", service, operation, size_shape(params)))


@contextmanager
def recorded() -> Iterator[Work]:
    from portal import code_steps, codes, emails, services
    from portal.passwords import PasswordHasher

    work = Work()
    clients = [services.client(service) for service in WORK_SERVICES]
    for client in clients:
        client.meta.events.register_first("provide-client-params", work.aws, unique_id="equal-work")

    def traced(name: str, original: Any, step: str) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            work.steps.append((step,))
            return original(*args, **kwargs)

        return mock.patch.object(name, original.__name__, wrapper)

    real_hash, real_verify, real_dummy = PasswordHasher.hash, PasswordHasher.verify, PasswordHasher.verify_dummy

    def dummy(self: PasswordHasher, password: str) -> None:
        work.steps.append(("password_verify",))
        if self._dummy_hash is None:
            self._dummy_hash = self._argon2.hash("not a password of anybody")
        real_verify(self, self._dummy_hash, password)

    def verify(self: PasswordHasher, stored_hash: str, password: str) -> bool:
        work.steps.append(("password_verify",))
        return real_verify(self, stored_hash, password)

    def as_long_as_a_send(self: Any) -> None:
        work.steps.append(("mail",))

    patches = [
        traced(PasswordHasher, real_hash, "password_hash"),
        mock.patch.object(PasswordHasher, "verify", verify),
        mock.patch.object(PasswordHasher, "verify_dummy", dummy),
        mock.patch.object(code_steps.CodeSteps, "as_long_as_a_send", as_long_as_a_send),
        traced(codes, codes.digest, "code_hmac"),
        traced(emails, emails.render, "mail_render"),
    ]
    del real_dummy
    for patch in patches:
        patch.start()
    try:
        yield work
    finally:
        for patch in patches:
            patch.stop()
        for client in clients:
            client.meta.events.unregister("provide-client-params", unique_id="equal-work")


@pytest.fixture
def people(api, aws):
    api.confirmed_account(CONFIRMED)
    api.register(UNCONFIRMED)
    return {"confirmed": CONFIRMED, "unconfirmed": UNCONFIRMED}


def request(api, route: str, email: str):
    return {
        "register": lambda: api.register(email, "Attacker-Password-7!"),
        "resend": lambda: api.resend(email),
        "verify": lambda: api.verify(email, "000000"),
        "forgot": lambda: api.forgot(email),
        "reset": lambda: api.reset(email, "000000", "Attacker-Password-7!"),
        "login": lambda: api.login(email, WRONG_PASSWORD),
    }[route]


def work_of(api, route: str, email: str) -> list[tuple[Any, ...]]:
    """The work of one request (the keys already cached, as in a warm function)."""
    if route in ("verify", "reset"):  # a code (real, or a decoy for nobody) waits at the address
        assert (api.resend if route == "verify" else api.forgot)(email).status == 202
    with recorded() as work:
        result = request(api, route, email)()
    assert 400 <= result.status < 500 or result.status == 202, result.body
    return work.steps


def differences(known: list[tuple[Any, ...]], unknown: list[tuple[Any, ...]]) -> str:
    import difflib

    def lines(steps: list[tuple[Any, ...]]) -> list[str]:
        return [" ".join(str(part) for part in step) for step in steps]

    return "\n".join(difflib.unified_diff(lines(known), lines(unknown), "with an account", "without", lineterm=""))


ROUTES = ("register", "resend", "verify", "forgot", "reset", "login")


def without_the_new_account(steps: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The steps with the new account's item taken out of the sign-up transaction."""

    def kept(entry: dict[str, Any]) -> bool:
        return "passwordHash" not in entry.get("Put", {}).get("Item", {})

    return [
        (*step[:3], {**step[3], "TransactItems": [e for e in step[3]["TransactItems"] if kept(e)]})
        if step[:3] == ("aws", "dynamodb", "TransactWriteItems")
        else step
        for step in steps
    ]


# Differences still there, each exactly as stated (docs/adversarial.md): the test fails when one
# changes, so a fix shows and so does a new difference.
RESIDUAL = {
    # A sign-up at a confirmed address writes a decoy code and the send log; a new sign-up also
    # writes the account (one more item of about 350 bytes in the same transaction).
    ("register", "confirmed"): without_the_new_account,
}


@pytest.mark.parametrize("kind", ["confirmed", "unconfirmed"])
@pytest.mark.parametrize("route", ROUTES)
def test_an_address_with_an_account_costs_the_same_work_as_one_without(api, aws, people, route, kind):
    with time_machine.travel("2030-01-01 00:00:00", tick=False):  # past every limit of the setup
        api.resend("warm-up@example.org")  # the keys fetched and cached, as in a warm function
        known = work_of(api, route, people[kind])
        unknown = work_of(api, route, NOBODY)
    assert any(step[0] == "aws" for step in known)  # the recording saw the work at all
    residual = RESIDUAL.get((route, kind))
    if residual is not None:
        assert known != unknown, f"{route}/{kind} no longer differs: take it out of RESIDUAL"
        known, unknown = residual(known), residual(unknown)
    assert known == unknown, f"{route}: the branches differ\n" + differences(known, unknown)
