"""The routes' scenarios, run on moto: the happy path and the main error paths of each route.

Each scenario prepares the table through the API itself, then makes one request; the bench counts
the AWS calls of that request (bench/round_trips.json holds the minimum) and the warm-overhead
section replays the happy paths with every AWS call answered by botocore's Stubber.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.support import STRONG_PASSWORD, Api


@dataclass(frozen=True)
class Scenario:
    route: str
    name: str
    prepare: Callable[[Api], None]
    body: Callable[[Api], dict[str, Any]]
    status: int
    # Seconds between preparing and the request: past the one-code-a-minute limit by default.
    delay: int = 61


def _nothing(api: Api) -> None:
    return None


def _registered(api: Api) -> None:
    api.register("ann@example.org")


def _confirmed(api: Api) -> None:
    api.confirmed_account("ann@example.org")


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("account_register", "new address", _nothing, lambda api: {"email": "ann@example.org", "password": STRONG_PASSWORD}, 202),
    Scenario("account_register", "confirmed address", _confirmed, lambda api: {"email": "ann@example.org", "password": STRONG_PASSWORD}, 202),
    Scenario("account_register", "too soon", _registered, lambda api: {"email": "ann@example.org", "password": STRONG_PASSWORD}, 429, delay=10),
    Scenario("account_register", "weak password", _nothing, lambda api: {"email": "ann@example.org", "password": "weak"}, 400),
    Scenario("account_verify", "right code", _registered, lambda api: {"email": "ann@example.org", "code": api.aws.last_code("ann@example.org")}, 200),
    Scenario("account_verify", "wrong code", _registered, lambda api: {"email": "ann@example.org", "code": _wrong(api.aws.last_code("ann@example.org"))}, 400),
    Scenario("account_verify", "no code", _nothing, lambda api: {"email": "ann@example.org", "code": "123456"}, 400),
    Scenario("account_verify_resend", "unconfirmed account", _registered, lambda api: {"email": "ann@example.org"}, 202),
    Scenario("account_verify_resend", "no account", _nothing, lambda api: {"email": "ann@example.org"}, 202),
)
