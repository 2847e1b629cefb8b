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


def _known_device(api: Api) -> None:
    """A confirmed account that signed in once from this device already (no new-device notice)."""
    api.confirmed_account(ANN)
    api.tokens(ANN)


def _two_sessions(api: Api) -> dict[str, Any]:
    state = _signed_in(api)
    other = api.tokens(ANN)
    state["other"] = api.authorize(other["accessToken"])["sessionId"]
    return state


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


# -- two-step sign-in and passkeys ------------------------------------------------------------------


def _app_code(secret: str) -> str:
    """The code an authenticator app shows now (the bench's clock is frozen)."""
    import time

    from portal import totp

    return totp.code_at(secret, totp.step_of(time.time()))


def _enrolling(api: Api) -> dict[str, Any]:
    """Signed in, with an enrolment started: the secret the app was given."""
    state = _signed_in(api)
    enrolled = api.call("account_mfa_totp_enrol", {"password": STRONG_PASSWORD}, principal=state["principal"])
    assert enrolled.status == 200, enrolled.body
    return state | {"secret": enrolled.body["secret"]}


def _two_step_on(api: Api) -> dict[str, Any]:
    """Two-step sign-in on (the scenario's delay then moves the app to a later code)."""
    state = _enrolling(api)
    confirmed = api.call("account_mfa_totp_confirm", {"code": _app_code(state["secret"])}, principal=state["principal"])
    assert confirmed.status == 200, confirmed.body
    return state


def _challenged(api: Api) -> dict[str, Any]:
    """Two-step sign-in on and the password step passed: the challenge session."""
    state = _two_step_on(api)
    result = api.login(ANN)
    assert result.status == 200 and "session" in result.body, result.body
    return state | {"session": result.body["session"]}


def _password_and_app_code(api: Api, state: dict[str, Any]) -> Request:
    """A signed-in request that proves both factors (new recovery codes, turning two-step off)."""
    return {"body": {"password": STRONG_PASSWORD, "code": _app_code(state["secret"])}, "principal": state["principal"]}


def _passkey_offered(api: Api) -> dict[str, Any]:
    """Signed in, the creation options asked: an authenticator to answer them."""
    from tests.passkey_authenticator import SoftAuthenticator

    state = _signed_in(api)
    options = api.call("account_passkey_options", None, principal=state["principal"])
    assert options.status == 200, options.body
    return state | {"device": SoftAuthenticator(), "options": options.body["publicKey"]}


def _passkey_added(api: Api) -> dict[str, Any]:
    state = _passkey_offered(api)
    credential = state["device"].create(state["options"])
    added = api.call("account_passkey_add", {"credential": credential}, principal=state["principal"])
    assert added.status == 201, added.body
    return state


def _passkey_sign_in_offered(api: Api) -> dict[str, Any]:
    state = _passkey_added(api)
    options = api.call("auth_passkey_options", {})
    assert options.status == 200, options.body
    return state | {"session": options.body["session"], "options": options.body["publicKey"]}


def _with_passkey(**fields: Any) -> Callable[[Api, Any], Request]:
    return lambda api, s: {"body": fields or None, "principal": s["principal"], "path_params": {"id": s["device"].id}}


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
    ),
    Scenario("account_register", "weak password", _nothing, _body(email=ANN, password="weak"), 400),
    Scenario(
        "account_verify",
        "right code",
        _registered,
        lambda api, _: {"body": {"email": ANN, "code": api.aws.last_code(ANN), "password": STRONG_PASSWORD}},
        200,
        hashes=True,
    ),
    Scenario(
        "account_verify",
        "wrong code",
        _registered,
        lambda api, _: {"body": {"email": ANN, "code": _wrong(api.aws.last_code(ANN)), "password": STRONG_PASSWORD}},
        400,
    ),
    Scenario("account_verify", "no code", _nothing, _body(email=ANN, code="123456", password=STRONG_PASSWORD), 400),
    Scenario("account_verify_resend", "unconfirmed account", _registered, _body(email=ANN), 202),
    Scenario("account_verify_resend", "no account", _nothing, _body(email=ANN), 202),
    Scenario(
        "auth_login", "right password", _known_device, _body(email=ANN, password=STRONG_PASSWORD), 200, hashes=True
    ),
    Scenario("auth_login", "new device", _confirmed, _body(email=ANN, password=STRONG_PASSWORD), 200, hashes=True),
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
    Scenario("account_sessions_list", "two sessions", _two_sessions, _as(), 200),
    Scenario(
        "account_sessions_delete",
        "another session",
        _two_sessions,
        lambda api, s: {"principal": s["principal"], "path_params": {"sessionId": s["other"]}, "body": None},
        204,
    ),
    Scenario("well_known_jwks", "public keys", _nothing, lambda api, s: {"body": None}, 200),
    Scenario("well_known_openid_configuration", "discovery", _nothing, lambda api, s: {"body": None}, 200),
    # Two-step sign-in (authenticator app): enrol, confirm, the second step of sign-in, new
    # recovery codes, turn off. Enrolment, the new codes and turning off check the password.
    Scenario("account_mfa_totp_enrol", "password", _signed_in, _as(password=STRONG_PASSWORD), 200, hashes=True),
    Scenario(
        "account_mfa_totp_confirm",
        "app code",
        _enrolling,
        lambda api, s: {"body": {"code": _app_code(s["secret"])}, "principal": s["principal"]},
        200,
    ),
    Scenario(
        "auth_login_mfa",
        "app code",
        _challenged,
        lambda api, s: {"body": {"session": s["session"], "code": _app_code(s["secret"])}},
        200,
    ),
    Scenario(
        "account_mfa_recovery_codes",
        "app code",
        _two_step_on,
        _password_and_app_code,
        200,
        hashes=True,
    ),
    Scenario(
        "account_mfa_totp_delete",
        "app code",
        _two_step_on,
        _password_and_app_code,
        204,
        hashes=True,
    ),
    # Passkeys: creation options, adding one, the list, renaming, removing; signing in with one.
    Scenario("account_passkey_options", "creation options", _signed_in, _as(), 200),
    Scenario(
        "account_passkey_add",
        "new passkey",
        _passkey_offered,
        lambda api, s: {"body": {"credential": s["device"].create(s["options"])}, "principal": s["principal"]},
        201,
    ),
    Scenario("account_passkeys_list", "one passkey", _passkey_added, _as(), 200),
    Scenario("account_passkey_rename", "new name", _passkey_added, _with_passkey(name="Phone"), 200),
    Scenario("account_passkey_delete", "one passkey", _passkey_added, _with_passkey(), 204),
    Scenario("auth_passkey_options", "sign-in options", _nothing, _body(), 200),
    Scenario(
        "auth_passkey",
        "passkey",
        _passkey_sign_in_offered,
        lambda api, s: {"body": {"session": s["session"], "credential": s["device"].get(s["options"])}},
        200,
    ),
)
