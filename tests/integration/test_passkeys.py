"""Passkeys through the handlers on moto, with a software authenticator (tests/passkey_authenticator.py):
adding, listing, renaming and removing one, signing in with one, and every attack the issue names."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from portal.passkeys import PASSKEY_NOT_ADDED, PASSKEY_REFUSED, PASSWORD_AGAIN
from tests.passkey_authenticator import SoftAuthenticator, b64url
from tests.support import STRONG_PASSWORD, Result

ANN = "ann@example.org"
BOB = "bob@example.org"
START = datetime(2025, 4, 4, 9, 0, tzinfo=UTC)
REFUSED = {"error": {"code": "NotAuthorized", "message": PASSKEY_REFUSED}}


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ann(api, clock):
    api.confirmed_account(ANN)
    return api.tokens(ANN)["accessToken"]


def creation_options(api, token: str, **body: Any) -> dict[str, Any]:
    result = api.call_as(token, "account_passkey_options", body or None)
    assert result.status == 200, result.body
    return result.body["publicKey"]


def add(api, token: str, device: SoftAuthenticator, name: str | None = None, **create: Any) -> Result:
    credential = device.create(creation_options(api, token), **create)
    return api.call_as(token, "account_passkey_add", {"credential": credential, **({"name": name} if name else {})})


def sign_in_options(api) -> tuple[str, dict[str, Any]]:
    result = api.call("auth_passkey_options", {})
    assert result.status == 200, result.body
    return result.body["session"], result.body["publicKey"]


def sign_in(api, device: SoftAuthenticator, **get: Any) -> Result:
    session, public_key = sign_in_options(api)
    return api.call("auth_passkey", {"session": session, "credential": device.get(public_key, **get)})


def stored(aws, device: SoftAuthenticator) -> dict[str, Any] | None:
    return aws.item(f"PASSKEY#{device.id}", "PASSKEY")


# -- adding one -----------------------------------------------------------------------------------


def test_creation_options_follow_the_contract(api, aws, ann):
    options = creation_options(api, ann)
    sub = aws.item(f"EMAIL#{ANN}", "USER")["sub"]["S"]
    assert options["rp"] == {"id": "portal.test", "name": "NATO Multimedia"}
    assert options["user"]["id"] == b64url(sub.encode()) and ANN not in options["user"]["id"]
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert [p["alg"] for p in options["pubKeyCredParams"]] == [-7, -8, -257]
    assert options["attestation"] == "none" and options["excludeCredentials"] == []
    assert len(options["challenge"]) >= 43  # 32 random bytes at least


def test_add_list_and_sign_in_with_a_passkey(api, aws, ann, audit_log, clock):
    device = SoftAuthenticator()
    added = add(api, ann, device, name="Ann's laptop")
    assert added.status == 201
    assert added.body == {
        "id": device.id,
        "name": "Ann's laptop",
        "createdAt": "2025-04-04T09:00:00Z",
        "backedUp": True,
    } | {"lastUsedAt": None}
    assert [m.subject for m in aws.mail(ANN)][-1] == "A passkey has been added to your account"
    assert api.call_as(ann, "account_passkeys_list").body == {"items": [added.body]}
    # The next options exclude it, so the browser does not create a second one on this device.
    assert [c["id"] for c in creation_options(api, ann)["excludeCredentials"]] == [device.id]

    clock.shift(3600)
    signed_in = sign_in(api, device)
    assert signed_in.status == 200 and set(signed_in.body) == {"accessToken", "refreshToken", "expiresIn", "tokenType"}
    assert api.call_as(signed_in.body["accessToken"], "account_get").body["email"] == ANN
    assert api.refresh(signed_in.body["refreshToken"]).status == 200
    [item] = api.call_as(signed_in.body["accessToken"], "account_passkeys_list").body["items"]
    assert item["lastUsedAt"] == "2025-04-04T10:00:00Z"
    assert stored(aws, device)["signCount"]["N"] == "1"
    lines = [line for line in audit_log.lines() if line.get("event") == "passkey_sign_in"]
    assert lines and lines[-1]["credentialId"] == device.id and lines[-1]["userVerified"] is True
    assert "passkey_added" in audit_log.events()


def test_a_passkey_that_does_not_count_signs_in_again_and_again(api, aws, ann):
    device = SoftAuthenticator()
    assert add(api, ann, device).status == 201
    for _ in range(3):
        assert sign_in(api, device, sign_count=0).status == 200


def test_adding_needs_a_recent_sign_in_or_the_password(api, aws, ann, clock):
    clock.shift(601)
    asked = api.call_as(ann, "account_passkey_options", {})
    assert asked.status == 401 and asked.error == {
        "code": "NotAuthorized",
        "message": PASSWORD_AGAIN,
        "passwordRequired": True,
    }
    wrong = api.call_as(ann, "account_passkey_options", {"password": "Wrong-Password-123!"})
    assert wrong.status == 403 and wrong.error["code"] == "WrongPassword"
    assert api.call_as(ann, "account_passkey_options", {"password": STRONG_PASSWORD}).status == 200
    assert not [i for i in aws.items() if i["sk"]["S"] == "PASSKEY"]


def test_registration_refusals_write_nothing(api, aws, ann, clock):
    cases = {
        "wrong origin": {"origin": "https://evil.example"},
        "wrong RP ID": {"rp_id": "evil.example"},
        "another challenge": {"challenge": b64url(b"x" * 32)},
        "a sign-in response": {"kind": "webauthn.get"},
    }
    for case, create in cases.items():
        refused = add(api, ann, SoftAuthenticator(), **create)
        assert refused.status == 401 and refused.error["message"] == PASSKEY_NOT_ADDED, case
    # Without options first, and a second finish on one challenge.
    device = SoftAuthenticator()
    credential = device.create(creation_options(api, ann))
    assert api.call_as(ann, "account_passkey_add", {"credential": credential}).status == 201
    again = SoftAuthenticator(credential_id=b"other-device-id!")
    replay = api.call_as(ann, "account_passkey_add", {"credential": again.create(device_options(credential))})
    assert replay.status == 401
    assert [i["pk"]["S"] for i in aws.items() if i["sk"]["S"] == "PASSKEY"] == [f"PASSKEY#{device.id}"]


def device_options(credential: dict[str, Any]) -> dict[str, Any]:
    """Options rebuilt from a response already used: the same challenge again (a replay)."""
    import base64
    import json

    text = credential["response"]["clientDataJSON"]
    client_data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    return {"challenge": client_data["challenge"], "rp": {"id": "portal.test"}, "user": {"id": b64url(b"x")}}


def test_expired_registration_challenge_is_refused(api, aws, ann, clock):
    device = SoftAuthenticator()
    credential = device.create(creation_options(api, ann))
    clock.shift(300)
    assert api.call_as(ann, "account_passkey_add", {"credential": credential}).status == 401
    assert stored(aws, device) is None


def test_a_challenge_from_another_session_is_refused(api, aws, ann):
    other_session = api.tokens(ANN)["accessToken"]
    device = SoftAuthenticator()
    credential = device.create(creation_options(api, ann))
    refused = api.call_as(other_session, "account_passkey_add", {"credential": credential})
    assert refused.status == 401 and stored(aws, device) is None
    # The challenge is still this session's to use.
    assert api.call_as(ann, "account_passkey_add", {"credential": credential}).status == 201


def test_another_accounts_credential_cannot_be_added_or_taken_over(api, aws, ann):
    device = SoftAuthenticator()
    assert add(api, ann, device).status == 201
    api.confirmed_account(BOB)
    bob = api.tokens(BOB)["accessToken"]
    # Bob presents Ann's credential id with his own key: refused, Ann's record untouched.
    thief = SoftAuthenticator(credential_id=device.credential_id)
    refused = add(api, bob, thief)
    assert refused.status == 401
    ann_sub = aws.item(f"EMAIL#{ANN}", "USER")["sub"]["S"]
    assert stored(aws, device)["sub"]["S"] == ann_sub
    # Ann's passkey presented with Bob's user handle: refused.
    bob_handle = aws.item(f"EMAIL#{BOB}", "USER")["sub"]["S"].encode()
    assert sign_in(api, device, user_handle=bob_handle).body == REFUSED
    # Bob cannot rename nor remove Ann's passkey.
    assert api.call_as(bob, "account_passkey_rename", {"name": "mine"}, path_params={"id": device.id}).status == 404
    assert api.call_as(bob, "account_passkey_delete", path_params={"id": device.id}).status == 404
    assert stored(aws, device)["name"]["S"] == "Passkey"


# -- signing in ------------------------------------------------------------------------------------


@pytest.fixture
def device(api, ann):
    device = SoftAuthenticator()
    assert add(api, ann, device).status == 201
    return device


@pytest.mark.parametrize(
    "attack",
    [
        {"origin": "https://evil.example"},
        {"origin": "http://portal.test"},
        {"rp_id": "evil.example"},
        {"tamper": True},
        {"sign_count": 0},  # a device that counts (6 now) may not go back to "does not count"
    ],
)
def test_sign_in_refusals_answer_one_401(api, aws, device, attack):
    device.sign_count = 5
    assert sign_in(api, device).status == 200
    refused = sign_in(api, device, **attack)
    assert refused.status == 401 and refused.body == REFUSED
    assert stored(aws, device)["signCount"]["N"] == "6"


def test_a_sign_count_that_went_backwards_is_refused(api, aws, device):
    assert sign_in(api, device, sign_count=10).status == 200
    assert sign_in(api, device, sign_count=9).body == REFUSED
    assert sign_in(api, device, sign_count=10).body == REFUSED
    assert sign_in(api, device, sign_count=11).status == 200


def test_unknown_credential_and_bad_sessions_are_refused(api, aws, device, clock):
    assert sign_in(api, SoftAuthenticator(user_handle=device.user_handle)).body == REFUSED
    session, public_key = sign_in_options(api)
    credential = device.get(public_key)
    # Another session's name for the same challenge: nothing stored under it.
    assert api.call("auth_passkey", {"session": "x" + session[1:], "credential": credential}).body == REFUSED
    assert api.call("auth_passkey", {"session": session, "credential": credential}).status == 200
    replayed = api.call("auth_passkey", {"session": session, "credential": device.get(public_key)})
    assert replayed.body == REFUSED
    # Expired: five minutes after the options.
    session, public_key = sign_in_options(api)
    clock.shift(300)
    assert api.call("auth_passkey", {"session": session, "credential": device.get(public_key)}).body == REFUSED


def test_a_registration_challenge_does_not_sign_in(api, aws, ann, device):
    options = creation_options(api, ann)
    # The registration challenge is keyed by the Bearer session, never by a sign-in session.
    public_key = {"challenge": options["challenge"], "rpId": "portal.test"}
    for session in ("REGISTER", options["challenge"]):
        answer = api.call("auth_passkey", {"session": session, "credential": device.get(public_key)})
        assert answer.body == REFUSED


def test_twenty_parallel_uses_of_one_challenge_make_one_session(api, aws, device):
    session, public_key = sign_in_options(api)
    credentials = [device.get(public_key) for _ in range(20)]
    barrier = threading.Barrier(20)

    def use(i: int) -> int:
        barrier.wait()
        return api.call("auth_passkey", {"session": session, "credential": credentials[i]}).status

    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(use, range(20)))
    assert sorted(statuses) == [200] + [401] * 19
    # The sign-in that counted, and the one session besides Ann's password one.
    assert len([i for i in aws.items() if i["sk"]["S"] == "SESSION"]) == 2


def test_a_use_recorded_between_reading_the_passkey_and_opening_the_session_refuses(
    api, aws, device, audit_log, monkeypatch
):
    """Two sign-ins with one passkey (two challenges): the second reads the passkey, and before it
    writes, the first is recorded. The sign count's condition rides in the session's transaction,
    so the second opens no session and does not move the count back."""
    from portal.dynamo.passkeys import DynamoPasskeys

    first_session, first_key = sign_in_options(api)
    second_session, second_key = sign_in_options(api)
    first = device.get(first_key, sign_count=7)
    second = device.get(second_key, sign_count=8)
    real = DynamoPasskeys.username_of_sub
    answers: list[int] = []

    def first_lands_meanwhile(store: DynamoPasskeys, sub: str) -> str | None:
        if not answers:  # the second sign-in has read the passkey (count 0) and verified it
            monkeypatch.setattr(DynamoPasskeys, "username_of_sub", real)
            answers.append(api.call("auth_passkey", {"session": first_session, "credential": first}).status)
        return real(store, sub)

    monkeypatch.setattr(DynamoPasskeys, "username_of_sub", first_lands_meanwhile)
    sessions_before = len([i for i in aws.items() if i["sk"]["S"] == "SESSION"])
    refused = api.call("auth_passkey", {"session": second_session, "credential": second})
    assert answers == [200]
    assert refused.status == 401 and refused.body == REFUSED
    assert stored(aws, device)["signCount"]["N"] == "7"
    assert len([i for i in aws.items() if i["sk"]["S"] == "SESSION"]) == sessions_before + 1
    raced = [line for line in audit_log.lines() if line.get("reason") == "raced"]
    assert [line["credentialId"] for line in raced] == [device.id]


def test_disabled_unconfirmed_and_reset_accounts_as_at_password_sign_in(api, aws, device):
    import boto3

    def set_user(**values: Any) -> None:
        names = {f"#{k}": k for k in values}
        boto3.client("dynamodb").update_item(
            TableName="portal-test",
            Key={"pk": {"S": f"EMAIL#{ANN}"}, "sk": {"S": "USER"}},
            UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in values),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={f":{k}": v for k, v in values.items()},
        )

    set_user(status={"S": "RESET_REQUIRED"})
    assert sign_in(api, device).error["code"] == "PasswordResetRequired"
    set_user(status={"S": "UNCONFIRMED"})
    assert sign_in(api, device).error["code"] == "UserNotConfirmed"
    set_user(status={"S": "CONFIRMED"}, enabled={"BOOL": False})
    assert sign_in(api, device).body == REFUSED
    set_user(enabled={"BOOL": True})
    assert sign_in(api, device).status == 200


CHROME_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
NEW_SIGN_IN = "New sign-in to your NATO Multimedia account"


def sign_in_from(api, device: SoftAuthenticator, user_agent: str, ip: str) -> dict[str, Any]:
    session, public_key = sign_in_options(api)
    answer = api.call(
        "auth_passkey",
        {"session": session, "credential": device.get(public_key)},
        headers={"User-Agent": user_agent},
        source_ip=ip,
    )
    assert answer.status == 200, answer.body
    return answer.body


def new_sign_in_notices(aws) -> list[Any]:
    return [m for m in aws.mail(ANN) if m.subject == NEW_SIGN_IN]


def test_a_passkey_session_shows_its_device_and_address(api, aws, device):
    pair = sign_in_from(api, device, SAFARI_IPHONE, "198.51.100.23")
    items = api.call_as(pair["accessToken"], "account_sessions_list").body["items"]
    here = next(item for item in items if item["current"])
    assert (here["device"], here["ip"], here["method"]) == ("Mobile Safari on iOS", "198.51.100.23", "passkey")


def test_a_new_device_signing_in_with_a_passkey_gets_one_notice_a_day(api, aws, device, clock):
    # Ann's password sign-in (the `ann` fixture) came from no browser at all; each browser below is new.
    before = len(new_sign_in_notices(aws))
    sign_in_from(api, device, CHROME_MAC, "198.51.100.23")
    [notice] = new_sign_in_notices(aws)[before:]
    assert "Chrome on Mac OS X" in notice.text and "198.51.100.23" in notice.text
    # The same device again, the same day and the next: known now, no notice.
    sign_in_from(api, device, CHROME_MAC, "198.51.100.24")
    clock.shift(86400)
    sign_in_from(api, device, CHROME_MAC, "198.51.100.24")
    assert len(new_sign_in_notices(aws)) == before + 1
    # Another device: its own notice.
    sign_in_from(api, device, SAFARI_IPHONE, "203.0.113.80")
    assert len(new_sign_in_notices(aws)) == before + 2


def test_a_device_known_from_a_password_sign_in_gets_no_notice_for_a_passkey(api, aws, device):
    assert (
        api.call("auth_login", {"email": ANN, "password": STRONG_PASSWORD}, headers={"User-Agent": CHROME_MAC}).status
        == 200
    )
    before = len(new_sign_in_notices(aws))
    sign_in_from(api, device, CHROME_MAC, "198.51.100.23")
    assert len(new_sign_in_notices(aws)) == before


# -- managing them ---------------------------------------------------------------------------------


def test_rename_and_remove(api, aws, ann, device):
    renamed = api.call_as(ann, "account_passkey_rename", {"name": "Phone"}, path_params={"id": device.id})
    assert renamed.status == 200 and renamed.body["name"] == "Phone"
    for bad in ({"name": ""}, {"name": "   "}, {"name": "x" * 65}, {}):
        assert api.call_as(ann, "account_passkey_rename", bad, path_params={"id": device.id}).status == 400
    assert api.call_as(ann, "account_passkey_delete", path_params={"id": device.id}).status == 204
    assert [m.subject for m in aws.mail(ANN)][-1] == "A passkey has been removed from your account"
    assert api.call_as(ann, "account_passkeys_list").body == {"items": []}
    assert api.call_as(ann, "account_passkey_delete", path_params={"id": device.id}).status == 404
    # The same sign-in now fails.
    assert sign_in(api, device).body == REFUSED


def test_notices_speak_the_accounts_language(api, aws, ann):
    api.call_as(ann, "account_update", {"language": "fr"})
    assert add(api, ann, SoftAuthenticator()).status == 201
    assert aws.mail(ANN)[-1].subject == "Une clé d'accès a été ajoutée à votre compte"


def test_signed_out_callers_cannot_touch_passkeys(api, device):
    for module, extra in (
        ("account_passkey_options", {}),
        ("account_passkeys_list", {}),
        ("account_passkey_delete", {"path_params": {"id": device.id}}),
    ):
        assert api.call_as(None, module, **extra).status == 401


def test_a_verified_passkey_counts_as_both_steps(api, aws, ann, device, clock):
    from tests.adversarial.test_faults import Person, app_code

    enrolled = api.call_as(ann, "account_mfa_totp_enrol", {"password": STRONG_PASSWORD})
    assert enrolled.status == 200, enrolled.body
    person = Person(ANN, secret=enrolled.body["secret"])
    assert api.call_as(ann, "account_mfa_totp_confirm", {"code": app_code(person)}).status == 200
    assert "session" in api.login(ANN).body  # the password alone now asks for a code
    verified = sign_in(api, device)
    assert verified.status == 200 and "accessToken" in verified.body
    # Presence without verification is one factor: refused on a two-step account.
    assert sign_in(api, device, user_verified=False).body == REFUSED
