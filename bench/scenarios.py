"""The routes' scenarios, run on moto: the happy path and the main error paths of each route.

Each scenario prepares the table through the API itself and returns what the request needs; then
one request is made. The bench counts the AWS calls of that request (bench/round_trips.json holds
the minimum) and the warm-overhead section replays it with every AWS call answered by Stubber.
A request is a dict of `tests.support.api_event` options: body, principal, query, path_params.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.support import STRONG_PASSWORD, Api

ANN = "ann@example.org"
NEW_PASSWORD = "Brand-New-Secret-42!"
VIDEO = "fm-2025-04-04"
Request = dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    route: str
    name: str
    prepare: Callable[[Api], Any]
    request: Callable[[Api, Any], Request]
    status: int
    # Seconds between preparing and the request: past the one-code-a-minute limit by default.
    delay: int = 61
    # True: the request hashes a password (argon2id); its warm time is reported apart.
    hashes: bool = False


def _nothing(api: Api) -> None:
    return None


def _registered(api: Api) -> None:
    api.register(ANN)


def _confirmed(api: Api) -> None:
    api.confirmed_account(ANN)


def _signed_in(api: Api) -> dict[str, Any]:
    """A confirmed account's tokens and the principal the authorizer hands protected routes."""
    api.confirmed_account(ANN)
    tokens = api.tokens(ANN)
    principal = api.authorize(tokens["accessToken"])
    assert principal is not None
    return {"tokens": tokens, "principal": principal}


def _catalogue_and_signed_in(api: Api) -> dict[str, Any]:
    from tests.videos_support import record, seed

    seed([record(VIDEO, "2025-04-04T15:00:00Z", "NATO Foreign Ministers meet in Brussels")])
    return _signed_in(api)


def _subscribed(api: Api) -> str:
    """A subscribed account; the unsubscribe token from its welcome mail."""
    from urllib.parse import parse_qs, urlsplit

    state = _signed_in(api)
    assert api.call("newsletter_update", {"subscribed": True}, principal=state["principal"]).status == 200
    link = next(m for m in reversed(api.aws.mail(ANN)) if "unsubscribe?token=" in m.text)
    url = next(word for word in link.text.split() if "unsubscribe?token=" in word)
    return parse_qs(urlsplit(url.strip("<>")).query)["token"][0]


def _reset_asked(api: Api) -> None:
    """A confirmed account with a reset code, asked a minute after the sign-up code (one a minute)."""
    import time

    import time_machine

    api.confirmed_account(ANN)
    with time_machine.travel(time.time() + 61, tick=False):
        assert api.forgot(ANN).status == 202


NEW_ADDRESS = "ann.new@example.org"


def _changing_email(api: Api) -> dict[str, Any]:
    """Signed in, with a change of address asked: the code went to the new address."""
    state = _signed_in(api)
    asked = api.call(
        "account_email_change", {"newEmail": NEW_ADDRESS, "password": STRONG_PASSWORD}, principal=state["principal"]
    )
    assert asked.status == 202, asked.body
    return state


def _downloaded(api: Api) -> dict[str, Any]:
    state = _catalogue_and_signed_in(api)
    got = api.call(
        "videos_download", {"rendition": "full_hd"}, principal=state["principal"], path_params={"videoId": VIDEO}
    )
    assert got.status == 200, got.body
    return state


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _body(**fields: Any) -> Callable[[Api, Any], Request]:
    return lambda api, state: {"body": fields}


def _as(**fields: Any) -> Callable[[Api, Any], Request]:
    """A protected route's request: the body and the signed-in principal."""
    return lambda api, state: {"body": fields or None, "principal": state["principal"]}


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("account_register", "new address", _nothing, _body(email=ANN, password=STRONG_PASSWORD), 202, hashes=True),
    Scenario(
        "account_register",
        "confirmed address",
        _confirmed,
        _body(email=ANN, password=STRONG_PASSWORD),
        202,
        hashes=True,
    ),
    Scenario(
        "account_register",
        "too soon",
        _registered,
        _body(email=ANN, password=STRONG_PASSWORD),
        429,
        delay=10,
        hashes=True,
    ),
    Scenario("account_register", "weak password", _nothing, _body(email=ANN, password="weak"), 400),
    Scenario(
        "account_verify",
        "right code",
        _registered,
        lambda api, _: {"body": {"email": ANN, "code": api.aws.last_code(ANN)}},
        200,
    ),
    Scenario(
        "account_verify",
        "wrong code",
        _registered,
        lambda api, _: {"body": {"email": ANN, "code": _wrong(api.aws.last_code(ANN))}},
        400,
    ),
    Scenario("account_verify", "no code", _nothing, _body(email=ANN, code="123456"), 400),
    Scenario("account_verify_resend", "unconfirmed account", _registered, _body(email=ANN), 202),
    Scenario("account_verify_resend", "no account", _nothing, _body(email=ANN), 202),
    Scenario("auth_login", "right password", _confirmed, _body(email=ANN, password=STRONG_PASSWORD), 200, hashes=True),
    Scenario("auth_login", "wrong password", _confirmed, _body(email=ANN, password=NEW_PASSWORD), 401, hashes=True),
    Scenario("auth_login", "unknown address", _nothing, _body(email=ANN, password=STRONG_PASSWORD), 401, hashes=True),
    Scenario(
        "auth_refresh",
        "rotation",
        _signed_in,
        lambda api, s: {"body": {"refreshToken": s["tokens"]["refreshToken"]}},
        200,
    ),
    Scenario("auth_refresh", "unknown token", _nothing, _body(refreshToken="x" * 40), 401),
    Scenario("auth_logout", "this session", _signed_in, _as(), 204),
    Scenario("account_get", "signed in", _signed_in, _as(), 200),
    Scenario("account_update", "language", _signed_in, _as(language="fr"), 200),
    Scenario("account_delete", "right password", _signed_in, _as(password=STRONG_PASSWORD), 204, hashes=True),
    Scenario("account_delete", "wrong password", _signed_in, _as(password=NEW_PASSWORD), 403, hashes=True),
    Scenario("password_forgot", "confirmed account", _confirmed, _body(email=ANN), 202),
    Scenario("password_forgot", "no account", _nothing, _body(email=ANN), 202),
    Scenario(
        "password_reset",
        "right code",
        _reset_asked,
        lambda api, _: {"body": {"email": ANN, "code": api.aws.last_code(ANN), "newPassword": NEW_PASSWORD}},
        200,
        hashes=True,
    ),
    Scenario(
        "password_reset",
        "wrong code",
        _reset_asked,
        lambda api, _: {"body": {"email": ANN, "code": _wrong(api.aws.last_code(ANN)), "newPassword": NEW_PASSWORD}},
        400,
    ),
    Scenario(
        "password_change",
        "right password",
        _signed_in,
        _as(currentPassword=STRONG_PASSWORD, newPassword=NEW_PASSWORD),
        200,
        hashes=True,
    ),
    Scenario(
        "password_change",
        "wrong password",
        _signed_in,
        _as(currentPassword=NEW_PASSWORD, newPassword=NEW_PASSWORD + "x"),
        403,
        hashes=True,
    ),
    Scenario("videos_list", "first page", _catalogue_and_signed_in, lambda api, _: {"query": {"limit": "10"}}, 200),
    Scenario(
        "videos_get", "one video", _catalogue_and_signed_in, lambda api, _: {"path_params": {"videoId": VIDEO}}, 200
    ),
    Scenario(
        "videos_get", "unknown video", _nothing, lambda api, _: {"path_params": {"videoId": "no-such-video"}}, 404
    ),
    Scenario(
        "videos_download",
        "full_hd",
        _catalogue_and_signed_in,
        lambda api, s: {
            "body": {"rendition": "full_hd"},
            "principal": s["principal"],
            "path_params": {"videoId": VIDEO},
        },
        200,
    ),
    Scenario(
        "videos_download",
        "unknown video",
        _signed_in,
        lambda api, s: {
            "body": {"rendition": "full_hd"},
            "principal": s["principal"],
            "path_params": {"videoId": "no-such-video"},
        },
        404,
    ),
    Scenario("newsletter_update", "subscribe", _signed_in, _as(subscribed=True), 200),
    Scenario(
        "newsletter_unsubscribe_page",
        "valid token",
        _subscribed,
        lambda api, token: {"query": {"token": token}, "body": None},
        200,
    ),
    Scenario("newsletter_unsubscribe", "valid token", _subscribed, lambda api, token: {"query": {"token": token}}, 200),
    Scenario(
        "newsletter_unsubscribe",
        "tampered token",
        _subscribed,
        lambda api, token: {"query": {"token": token[:-2] + "xx"}},
        400,
    ),
    Scenario(
        "account_email_change",
        "free address",
        _signed_in,
        _as(newEmail=NEW_ADDRESS, password=STRONG_PASSWORD),
        202,
        hashes=True,
    ),
    Scenario(
        "account_email_change",
        "wrong password",
        _signed_in,
        _as(newEmail=NEW_ADDRESS, password=NEW_PASSWORD),
        403,
        hashes=True,
    ),
    Scenario(
        "account_email_verify",
        "right code",
        _changing_email,
        lambda api, s: {"body": {"code": api.aws.last_code(NEW_ADDRESS)}, "principal": s["principal"]},
        200,
    ),
    Scenario(
        "account_email_verify",
        "wrong code",
        _changing_email,
        lambda api, s: {"body": {"code": _wrong(api.aws.last_code(NEW_ADDRESS))}, "principal": s["principal"]},
        400,
    ),
    Scenario(
        "account_downloads", "history", _downloaded, lambda api, s: {"principal": s["principal"], "body": None}, 200
    ),
)
