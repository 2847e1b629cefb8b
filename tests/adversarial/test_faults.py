"""Faults at every AWS call of every route: each answers as documented, and a retry succeeds.

For each route, the AWS calls of its happy path are recorded first (botocore `before-call`
hooks on the function's own clients, after a cold start, so Secrets Manager is in the list).
Then, for each call index and each fault, the same request runs again on a fresh address with
that one call failing like AWS fails:

- throttling (ThrottlingException), a 5xx (InternalServerError, HTTP 500), a timeout
  (ReadTimeoutError): raised in `before-call`, i.e. after botocore's own retries gave up;
- a conditional check lost to a race (ConditionalCheckFailedException, or TransactionCanceled
  with a ConditionalCheckFailed reason), on DynamoDB's conditional writes only.

AWS failures must answer 503 ServiceUnavailable with Retry-After (the authorizer: fail closed
with an error, which API Gateway answers 500, never "Unauthorized"), except where the route
documents that a mail failure does not fail it (notices after a change). A lost race must be
decided again (same answer as without it) or answered with a documented non-5xx status. In every
case the same request retried at once succeeds, or its effect is already in place and the
person can go on (log in with the new password; sign up again after a deletion).
"""

from __future__ import annotations

import importlib
import itertools
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from botocore.exceptions import ClientError, ReadTimeoutError

from functions.routes import AUTHORIZER, ROUTES
from tests.conftest import fresh_aws, load_handlers, reset_runtime
from tests.support import STRONG_PASSWORD, Api, LambdaContext, Result, authorizer_event
from tests.videos_support import record, seed

NEW_PASSWORD = "Another-Strong-Pass-42!"
CONDITIONAL_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"}


def aws_error(code: str, status: int) -> Callable[[str], Exception]:
    def make(operation: str) -> Exception:
        return ClientError(
            {"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {"HTTPStatusCode": status}}, operation
        )

    return make


def lost_race(operation: str) -> Exception:
    if operation == "TransactWriteItems":
        error = {
            "Error": {"Code": "TransactionCanceledException", "Message": "injected"},
            "CancellationReasons": [{"Code": "ConditionalCheckFailed"}],
        }
        return ClientError(error, operation)
    return ClientError({"Error": {"Code": "ConditionalCheckFailedException", "Message": "injected"}}, operation)


FAULTS: dict[str, Callable[[str], Exception]] = {
    "throttling": aws_error("ThrottlingException", 400),
    "server_error": aws_error("InternalServerError", 500),
    "timeout": lambda operation: ReadTimeoutError(endpoint_url="https://injected.amazonaws.com"),
    "lost_race": lost_race,
}


class Calls:
    """Records every AWS call of the functions' clients, and makes the n-th one fail."""

    def __init__(self) -> None:
        self.made: list[str] = []
        self.fail_at: int | None = None
        self.fault: Callable[[str], Exception] | None = None
        self.watching = True  # off once its request is judged: stale clients live on in other handlers

    def __call__(self, model: Any, **_: Any) -> None:
        if not self.watching:
            return
        index = len(self.made)
        self.made.append(f"{model.service_model.service_name}.{model.name}")
        if index == self.fail_at and self.fault is not None:
            raise self.fault(model.name)


def cold_start(module: str, calls: Calls) -> Callable[..., dict[str, Any]]:
    """A new process for this one function, its clients watched by `calls`."""
    from portal import services

    reset_runtime()
    clients = [services.client(s) for s in ("dynamodb", "sesv2", "secretsmanager")] + [services.media_client()]
    for client in clients:
        client.meta.events.register("before-call", calls, unique_id="adversarial-faults")
    name = f"functions.{module}"
    return importlib.reload(sys.modules[name]).handler if name in sys.modules else importlib.import_module(name).handler


# -- what each route needs before its request, and the request itself -------------------------


@dataclass
class Person:
    email: str
    principal: dict[str, str] = field(default_factory=dict)
    refresh_token: str = ""
    access_token: str = ""
    code: str = ""
    token: str = ""
    # Passkeys: the person's software authenticator and the response it gave for this request.
    device: Any = None
    credential: dict[str, Any] = field(default_factory=dict)
    secret: str = ""  # two-step: the authenticator app's secret
    session: str = ""  # two-step: an open challenge


def app_code(person: Person) -> str:
    """The code an authenticator app shows now for the person's secret."""
    import time

    from portal import totp
    from tests import secrets_watch

    code = totp.code_at(person.secret, totp.step_of(time.time()))
    secrets_watch.remember_secret(code)
    return code


def enrolled(api: Api, email: str, clock: Any) -> Person:
    person = confirmed(api, email)
    answer = api.call("account_mfa_totp_enrol", {"password": STRONG_PASSWORD}, principal=person.principal)
    assert answer.status == 200, answer.body
    person.secret = answer.body["secret"]
    return person


def two_step_on(api: Api, email: str, clock: Any) -> Person:
    person = enrolled(api, email, clock)
    confirmed_ = api.call("account_mfa_totp_confirm", {"code": app_code(person)}, principal=person.principal)
    assert confirmed_.status == 200, confirmed_.body
    clock.shift(30)
    return person


def challenged(api: Api, email: str, clock: Any) -> Person:
    person = two_step_on(api, email, clock)
    answer = api.login(email)
    assert answer.status == 200 and "session" in answer.body, answer.body
    person.session = answer.body["session"]
    return person


def confirmed(api: Api, email: str) -> Person:
    api.confirmed_account(email)
    person = Person(email)
    pair = api.tokens(email)
    person.access_token, person.refresh_token = pair["accessToken"], pair["refreshToken"]
    person.principal = api.authorize(person.access_token) or {}
    return person


def registered(api: Api, email: str) -> Person:
    assert api.register(email).status == 202
    return Person(email, code=api.aws.last_code(email))


def asked_reset(api: Api, email: str, clock: Any) -> Person:
    person = confirmed(api, email)
    clock.shift(61)
    assert api.forgot(email).status == 202
    person.code = api.aws.last_code(email)
    return person


def changing_email(api: Api, email: str, clock: Any) -> Person:
    person = confirmed(api, email)
    new = "new." + email
    asked = api.call("account_email_change", {"newEmail": new, "password": STRONG_PASSWORD}, principal=person.principal)
    assert asked.status == 202, asked.body
    person.code = api.aws.last_code(new)
    return person


def subscribed(api: Api, email: str, clock: Any) -> Person:
    from portal import services

    person = confirmed(api, email)
    assert api.call("newsletter_update", {"subscribed": True}, principal=person.principal).status == 200
    person.token = services.newsletter().token(person.principal["sub"])
    return person


def with_catalogue(api: Api, email: str, clock: Any) -> Person:
    seed([record("v1", "2025-01-01T00:00:00Z")])
    return confirmed(api, email)


def with_passkey(api: Api, email: str, clock: Any) -> Person:
    from tests.passkey_authenticator import SoftAuthenticator

    person = confirmed(api, email)
    person.device = SoftAuthenticator()
    assert adds_a_passkey(api, person, person.device)
    return person


def adds_a_passkey(api: Api, person: Person, device: Any) -> bool:
    options = api.call("account_passkey_options", principal=person.principal)
    credential = device.create(options.body["publicKey"])
    return api.call("account_passkey_add", {"credential": credential}, principal=person.principal).status == 201


def creating_a_passkey(api: Api, email: str, clock: Any) -> Person:
    from tests.passkey_authenticator import SoftAuthenticator

    person = confirmed(api, email)
    person.device = SoftAuthenticator()
    options = api.call("account_passkey_options", principal=person.principal)
    person.credential = person.device.create(options.body["publicKey"])
    return person


def can_add_a_passkey(api: Api, person: Person) -> bool:
    from tests.passkey_authenticator import SoftAuthenticator

    return adds_a_passkey(api, person, SoftAuthenticator())


def signing_in_with_a_passkey(api: Api, email: str, clock: Any) -> Person:
    person = with_passkey(api, email, clock)
    options = api.call("auth_passkey_options")
    person.token = options.body["session"]
    person.credential = person.device.get(options.body["publicKey"])
    return person


def signs_in_with_the_passkey(api: Api, person: Person) -> bool:
    options = api.call("auth_passkey_options")
    credential = person.device.get(options.body["publicKey"])
    return api.call("auth_passkey", {"session": options.body["session"], "credential": credential}).status == 200


def renames_the_passkey(api: Api, person: Person) -> bool:
    renamed = api.call(
        "account_passkey_rename", {"name": "Phone"}, principal=person.principal, path_params={"id": person.device.id}
    )
    return renamed.status == 200


def passkey_gone(api: Api, person: Person) -> bool:
    return api.aws.item(f"PASSKEY#{person.device.id}", "PASSKEY") is None


@dataclass(frozen=True)
class Scenario:
    module: str
    prepare: Callable[[Api, str, Any], Person]
    body: Callable[[Person], Any] = lambda p: None
    options: Callable[[Person], dict[str, Any]] = lambda p: {}
    # Calls whose failure the route survives by design (a notice mailed after the change is made).
    tolerated: frozenset[str] = frozenset()
    # The effect is in place even when the answer was a failure (the change was committed before
    # a later step failed): then a retry may be refused, but the person is not blocked.
    done: Callable[[Api, Person], bool] | None = None
    # What a lost race answers when it is a decision, not a hiccup, and how the person goes on
    # (None: the request is decided again, or answered 503 and retried).
    race_answer: tuple[int, Callable[[Api, Person], bool]] | None = None
    # A route that answers from its configuration alone: nothing to fail, it must make no call.
    aws_free: bool = False

    def call(self, handler: Callable[..., dict[str, Any]], person: Person) -> Result:
        from tests.support import api_event, invoke

        if self.module == AUTHORIZER.module:
            try:
                handler(authorizer_event("GET", "/v1/account", person.access_token), LambdaContext())
            except Exception as exc:
                return Result(401 if str(exc) == "Unauthorized" else 500, {}, {"error": {"code": str(exc)}})
            return Result(200, {}, None)
        route = next(r for r in ROUTES if r.module == self.module)
        options = {"principal": person.principal} if route.auth else {}
        return invoke(
            handler, api_event(route.method, route.path, self.body(person), **options, **self.options(person))
        )


def can_log_in_with(password: str) -> Callable[[Api, Person], bool]:
    return lambda api, person: api.login(person.email, password).status == 200


def signs_up_again(api: Api, person: Person) -> bool:
    return api.aws.item(f"EMAIL#{person.email}", "USER") is None and api.register(person.email).status == 202


NOTICE = frozenset({"sesv2.SendEmail"})
SCENARIOS = [
    Scenario(
        "account_register",
        lambda api, email, clock: Person(email),
        lambda p: {"email": p.email, "password": STRONG_PASSWORD},
    ),
    Scenario(
        "account_verify",
        lambda api, email, clock: registered(api, email),
        lambda p: {"email": p.email, "code": p.code, "password": STRONG_PASSWORD},
    ),
    Scenario("account_verify_resend", lambda api, email, clock: registered(api, email), lambda p: {"email": p.email}),
    # From a new device: the notice (a claim, then the mail) is a courtesy after the sign-in.
    Scenario(
        "auth_login",
        lambda api, email, clock: confirmed(api, email),
        lambda p: {"email": p.email, "password": STRONG_PASSWORD},
        options=lambda p: {"headers": {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Firefox/133.0"}},
        tolerated=NOTICE | {"dynamodb.UpdateItem"},
    ),
    Scenario(
        "auth_refresh",
        lambda api, email, clock: confirmed(api, email),
        lambda p: {"refreshToken": p.refresh_token},
        # Losing the rotation's condition means another request spent this token: that is reuse,
        # the session ends (401) and the person logs in again.
        race_answer=(401, can_log_in_with(STRONG_PASSWORD)),
    ),
    Scenario("auth_logout", lambda api, email, clock: confirmed(api, email), lambda p: {"allDevices": True}),
    Scenario("account_get", lambda api, email, clock: confirmed(api, email)),
    Scenario("account_update", lambda api, email, clock: confirmed(api, email), lambda p: {"language": "fr"}),
    Scenario(
        "account_delete",
        lambda api, email, clock: confirmed(api, email),
        lambda p: {"password": STRONG_PASSWORD},
        tolerated=NOTICE,
        done=signs_up_again,
    ),
    Scenario("password_forgot", lambda api, email, clock: confirmed(api, email), lambda p: {"email": p.email}),
    Scenario(
        "password_reset",
        asked_reset,
        lambda p: {"email": p.email, "code": p.code, "newPassword": NEW_PASSWORD},
        tolerated=NOTICE,
    ),
    Scenario(
        "password_change",
        lambda api, email, clock: confirmed(api, email),
        lambda p: {"currentPassword": STRONG_PASSWORD, "newPassword": NEW_PASSWORD},
        tolerated=NOTICE,
        done=can_log_in_with(NEW_PASSWORD),
    ),
    Scenario("videos_list", with_catalogue),
    Scenario("videos_get", with_catalogue, options=lambda p: {"path_params": {"videoId": "v1"}}),
    Scenario(
        "videos_download",
        with_catalogue,
        lambda p: {"rendition": "full_hd"},
        options=lambda p: {"path_params": {"videoId": "v1"}},
    ),
    # The welcome mail (its unsubscribe link needs the keys) is a courtesy: the consent stands without it.
    Scenario(
        "newsletter_update",
        lambda api, email, clock: confirmed(api, email),
        lambda p: {"subscribed": True},
        tolerated=NOTICE | {"secretsmanager.GetSecretValue"},
    ),
    Scenario("newsletter_unsubscribe_page", subscribed, options=lambda p: {"query": {"token": p.token}}),
    Scenario("newsletter_unsubscribe", subscribed, options=lambda p: {"query": {"token": p.token}}),
    Scenario(
        "account_email_change",
        lambda api, email, clock: confirmed(api, email),
        lambda p: {"newEmail": "other." + p.email, "password": STRONG_PASSWORD},
    ),
    # The move, the code and this session are one transaction; a failure after it (ending the
    # other sessions) is finished by the retry with the same code. The notice is a courtesy.
    Scenario("account_email_verify", changing_email, lambda p: {"code": p.code}, tolerated=NOTICE),
    Scenario("account_downloads", lambda api, email, clock: confirmed(api, email)),
    # Two-step sign-in. The login of an account with two-step on answers a challenge.
    Scenario("auth_login", two_step_on, lambda p: {"email": p.email, "password": STRONG_PASSWORD}),
    Scenario("auth_login_mfa", challenged, lambda p: {"session": p.session, "code": app_code(p)}),
    Scenario(
        "account_mfa_totp_enrol",
        lambda api, email, clock: confirmed(api, email),
        lambda p: {"password": STRONG_PASSWORD},
    ),
    Scenario("account_mfa_totp_confirm", enrolled, lambda p: {"code": app_code(p)}, tolerated=NOTICE),
    Scenario(
        "account_mfa_totp_delete",
        two_step_on,
        lambda p: {"password": STRONG_PASSWORD, "code": app_code(p)},
        tolerated=NOTICE,
    ),
    Scenario("account_mfa_recovery_codes", two_step_on, lambda p: {"password": STRONG_PASSWORD, "code": app_code(p)}),
    Scenario(AUTHORIZER.module, lambda api, email, clock: confirmed(api, email)),
    Scenario("account_sessions_list", lambda api, email, clock: confirmed(api, email)),
    Scenario(
        "account_sessions_delete",
        lambda api, email, clock: confirmed(api, email),
        options=lambda p: {"path_params": {"sessionId": p.principal["sessionId"]}},
    ),
    Scenario("well_known_jwks", lambda api, email, clock: Person(email)),
    Scenario("well_known_openid_configuration", lambda api, email, clock: Person(email), aws_free=True),
    # Passkeys. A challenge is spent by the request that takes it: when a later step fails, the
    # retry with the same response is refused (401) and the person starts again with new options.
    Scenario("account_passkey_options", lambda api, email, clock: confirmed(api, email)),
    Scenario(
        "account_passkey_add",
        creating_a_passkey,
        lambda p: {"credential": p.credential},
        tolerated=NOTICE,
        done=can_add_a_passkey,
        race_answer=(401, can_add_a_passkey),
    ),
    Scenario("account_passkeys_list", with_passkey),
    Scenario(
        "account_passkey_rename",
        with_passkey,
        lambda p: {"name": "Phone"},
        options=lambda p: {"path_params": {"id": p.device.id}},
        # A lost condition reads as "no such passkey of yours" (404); renaming again works.
        race_answer=(404, renames_the_passkey),
    ),
    Scenario(
        "account_passkey_delete",
        with_passkey,
        options=lambda p: {"path_params": {"id": p.device.id}},
        tolerated=NOTICE,
        race_answer=(404, lambda api, p: not passkey_gone(api, p) and renames_the_passkey(api, p)),
        done=passkey_gone,
    ),
    Scenario("auth_passkey_options", lambda api, email, clock: Person(email)),
    Scenario(
        "auth_passkey",
        signing_in_with_a_passkey,
        lambda p: {"session": p.token, "credential": p.credential},
        done=signs_in_with_the_passkey,
        race_answer=(401, signs_in_with_the_passkey),
    ),
]


def test_every_route_has_a_fault_scenario():
    covered = {s.module for s in SCENARIOS}
    assert covered == {r.module for r in ROUTES} | {AUTHORIZER.module}


def success(result: Result) -> bool:
    return 200 <= result.status < 300


def documented(module: str) -> set[int]:
    import json

    from tests.adversarial.test_fuzz import DOCUMENT

    if module == AUTHORIZER.module:
        return {200, 401, 500}  # allowed, Unauthorized, AUTHORIZER_FAILURE (API Gateway's answers)
    route = next(r for r in ROUTES if r.module == module)
    operation = json.loads(DOCUMENT.read_text())["paths"][route.path][route.method.lower()]
    return {int(status) for status in operation["responses"]}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.module)
def test_every_aws_call_failing_answers_as_documented_and_a_retry_succeeds(scenario: Scenario):
    emails = (f"person{n}@example.org" for n in itertools.count())
    with fresh_aws() as aws, time_machine.travel("2026-03-02 09:00:00", tick=False) as clock:
        api = Api(load_handlers(), aws)

        def attempt(
            fail_at: int | None, fault: Callable[[str], Exception] | None
        ) -> tuple[Person, Calls, Result, Callable]:
            person = scenario.prepare(api, next(emails), clock)
            clock.shift(120)  # past the one-a-minute send limit of the preparation's mails
            calls = Calls()
            handler = cold_start(scenario.module, calls)
            calls.fail_at, calls.fault = fail_at, fault
            return person, calls, scenario.call(handler, person), handler

        _, happy, result, _ = attempt(None, None)
        happy.watching = False
        assert success(result), (scenario.module, result)
        assert bool(happy.made) != scenario.aws_free, (scenario.module, happy.made)
        problems = []
        for index, call in enumerate(happy.made):
            for name, fault in FAULTS.items():
                if name == "lost_race" and not (
                    call.startswith("dynamodb.") and call.split(".")[1] in CONDITIONAL_WRITES
                ):
                    continue
                person, calls, result, handler = attempt(index, fault)
                where = f"{scenario.module}: {name} at call {index} ({call})"
                problems += judge(scenario, person, calls, result, handler, api, where, aws_failure=name != "lost_race")
                calls.watching = False
    assert not problems, "\n".join(problems)


def judge(
    scenario: Scenario,
    person: Person,
    calls: Calls,
    result: Result,
    handler: Callable,
    api: Api,
    where: str,
    aws_failure: bool,
) -> list[str]:
    failed_call = calls.made[calls.fail_at] if calls.fail_at is not None and calls.fail_at < len(calls.made) else None
    calls.fail_at = None  # healed: the retry, and whatever else uses these clients, meets no fault
    if failed_call is None:
        return [f"{where}: the call was not made again ({calls.made})"]
    if result.status not in documented(scenario.module):
        return [f"{where}: undocumented status {result.status} {result.body}"]
    if aws_failure and failed_call not in scenario.tolerated:
        expected_status = 500 if scenario.module == AUTHORIZER.module else 503
        if result.status != expected_status:
            return [f"{where}: answered {result.status} {result.body}, not {expected_status}"]
        if expected_status == 503 and (
            result.error["code"] != "ServiceUnavailable" or "Retry-After" not in result.headers
        ):
            return [f"{where}: 503 without ServiceUnavailable and Retry-After: {result.headers} {result.body}"]
    elif scenario.race_answer is not None and result.status == scenario.race_answer[0]:
        return (
            []
            if scenario.race_answer[1](api, person)
            else [f"{where}: answered {result.status}, and the person cannot go on"]
        )
    elif result.status >= 500 and (result.status != 503 or "Retry-After" not in result.headers):
        return [f"{where}: answered {result.status} {result.body}"]
    if success(result):
        return []
    retry = scenario.call(handler, person)
    if success(retry):
        return []
    if scenario.done is not None and scenario.done(api, person):
        return []
    return [f"{where}: answered {result.status}, then the retry answered {retry.status} {retry.body}"]
