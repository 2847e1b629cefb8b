"""Sign-in, the authorizer, refresh rotation and logout, through the handlers on moto."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import jwt
import pytest
import time_machine

from portal import tokens
from tests.support import STRONG_PASSWORD

ANN = "ann@example.org"


@pytest.fixture
def ann(api):
    api.confirmed_account(ANN)
    return ANN


def keyring():
    from portal import services

    return services.keyring()


def test_login_returns_a_bearer_pair_and_the_account_is_readable(api, aws, ann):
    result = api.login("  Ann@Example.ORG ")
    assert result.status == 200
    body = result.body
    assert body["tokenType"] == "Bearer" and body["expiresIn"] == 900
    assert set(body) == {"accessToken", "refreshToken", "expiresIn", "tokenType"}
    claims = jwt.decode(body["accessToken"], options={"verify_signature": False})
    assert claims["email"] == ANN and claims["email_verified"] is True and claims["token_use"] == "access"
    assert claims["exp"] - claims["iat"] <= 900 and claims["iss"] == "portal"

    account = api.call_as(body["accessToken"], "account_get")
    assert account.status == 200
    assert (
        account.body["email"] == ANN and account.body["status"] == "CONFIRMED" and account.body["emailVerified"] is True
    )
    assert (
        account.body["sub"] == claims["sub"] and account.body["language"] == "en" and account.body["newsletter"] == {}
    )
    assert set(account.body) == {
        "sub",
        "email",
        "status",
        "emailVerified",
        "language",
        "newsletter",
        "createdAt",
        "mfa",
    }
    assert account.body["mfa"] == {"totp": False, "recoveryCodesLeft": 0}

    # The session is stored with only a hash of the refresh token.
    stored = str(aws.items())
    assert body["refreshToken"] not in stored and body["refreshToken"].split(".")[1] not in stored
    assert tokens.refresh_hash(body["refreshToken"]) in stored


def test_the_authorizer_hands_over_sub_session_and_username(api, ann):
    pair = api.tokens(ann)
    claims = jwt.decode(pair["accessToken"], options={"verify_signature": False})
    for kind in ("REQUEST", "TOKEN"):
        context = api.authorize(pair["accessToken"], kind=kind)
        assert context == {"sub": claims["sub"], "sessionId": claims["sid"], "username": ANN, "emailVerified": "true"}


def test_wrong_password_and_unknown_address_get_the_same_answer(api, ann):
    wrong = api.login(ann, STRONG_PASSWORD + "x")
    unknown = api.login("nobody@example.org")
    assert wrong.status == unknown.status == 401
    assert wrong.body == unknown.body
    assert wrong.error["code"] == "NotAuthorized"


def test_unknown_address_spends_a_password_verification(api, monkeypatch):
    from portal.passwords import PasswordHasher

    spent = []
    monkeypatch.setattr(PasswordHasher, "verify_dummy", lambda self, pw: spent.append(pw))
    assert api.login("nobody@example.org").status == 401
    assert len(spent) == 1


def test_unconfirmed_account_with_the_right_password_is_told_to_confirm(api):
    api.register("new@example.org")
    assert api.login("new@example.org").error["code"] == "UserNotConfirmed"
    assert api.login("new@example.org").status == 403
    assert api.login("new@example.org", STRONG_PASSWORD + "x").status == 401


def test_disabled_account_cannot_log_in(api, ann):
    import boto3

    boto3.client("dynamodb").update_item(
        TableName="portal-test",
        Key={"pk": {"S": f"EMAIL#{ann}"}, "sk": {"S": "USER"}},
        UpdateExpression="SET enabled = :f",
        ExpressionAttributeValues={":f": {"BOOL": False}},
    )
    result = api.login(ann)
    assert result.status == 401 and result.error["code"] == "NotAuthorized"


def test_protected_routes_refuse_missing_and_bad_tokens(api, ann):
    pair = api.tokens(ann)
    assert api.call_as(None, "account_get").status == 401
    assert api.call_as("not-a-token", "account_get").status == 401
    assert api.call_as(pair["refreshToken"], "account_get").status == 401
    header, payload, signature = pair["accessToken"].split(".")
    assert api.call_as(f"{header}.{payload}.{signature[:-2]}AA", "account_get").status == 401


def test_a_token_signed_with_another_key_or_issuer_is_refused(api, ann):
    from portal.keys import Keyring

    good = api.tokens(ann)
    sid = jwt.decode(good["accessToken"], options={"verify_signature": False})["sid"]
    sub = jwt.decode(good["accessToken"], options={"verify_signature": False})["sub"]
    now = int(time.time())
    common = {"sub": sub, "username": ann, "email_verified": True, "session_id": sid, "now": now, "lifetime": 900}
    other = Keyring({"kid": keyring().current_kid, "secret": "another-secret" * 5})
    assert api.authorize(tokens.issue_access(other, "portal", **common)) is None
    assert api.authorize(tokens.issue_access(keyring(), "not-portal", **common)) is None
    assert api.authorize(tokens.issue_access(keyring(), "portal", **common)) is not None
    # Expired (issued 16 minutes ago) and not yet valid (issued in a minute).
    assert api.authorize(tokens.issue_access(keyring(), "portal", **{**common, "now": now - 960})) is None
    assert api.authorize(tokens.issue_access(keyring(), "portal", **{**common, "now": now + 60})) is None


def test_a_valid_token_of_someone_else_session_is_refused(api, ann):
    api.confirmed_account("bob@example.org")
    bob = jwt.decode(api.tokens("bob@example.org")["accessToken"], options={"verify_signature": False})
    ann_claims = jwt.decode(api.tokens(ann)["accessToken"], options={"verify_signature": False})
    # Ann's sub on Bob's session id: signed by us, but the session is not hers.
    forged = tokens.issue_access(
        keyring(),
        "portal",
        sub=ann_claims["sub"],
        username=ann,
        email_verified=True,
        session_id=bob["sid"],
        now=int(time.time()),
        lifetime=900,
    )
    assert api.authorize(forged) is None


def test_refresh_rotates_and_reuse_revokes_the_whole_session(api, aws, ann):
    first = api.tokens(ann)
    second = api.refresh(first["refreshToken"])
    assert second.status == 200 and second.body["refreshToken"] != first["refreshToken"]
    third = api.refresh(second.body["refreshToken"])
    assert third.status == 200
    # The first token, two rotations old, comes back: reuse.
    reused = api.refresh(first["refreshToken"])
    assert reused.status == 401 and reused.error["code"] == "NotAuthorized"
    # Everything of that session is dead now, the newest pair too.
    assert api.refresh(third.body["refreshToken"]).status == 401
    assert api.call_as(third.body["accessToken"], "account_get").status == 401
    assert api.call_as(first["accessToken"], "account_get").status == 401
    # Another session of the same account is untouched.
    other = api.tokens(ann)
    assert api.call_as(other["accessToken"], "account_get").status == 200


def test_twenty_parallel_refreshes_with_one_token_one_wins_and_the_session_dies(api, ann):
    pair = api.tokens(ann)
    results = []
    barrier = threading.Barrier(20)

    def attempt():
        barrier.wait()
        results.append(api.refresh(pair["refreshToken"]))

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [r for r in results if r.status == 200]
    assert len(results) == 20 and len(winners) == 1
    assert all(r.status == 401 for r in results if r.status != 200)
    # Reuse was detected, so the winner's new pair is revoked with its session.
    assert api.refresh(winners[0].body["refreshToken"]).status == 401
    assert api.call_as(winners[0].body["accessToken"], "account_get").status == 401


def test_malformed_and_unknown_refresh_tokens_are_refused(api, ann):
    pair = api.tokens(ann)
    sid = pair["refreshToken"].split(".")[0]
    forged, _ = tokens.new_refresh(sid)
    for token in ("x", forged, tokens.new_refresh("f" * 32)[0]):
        assert api.refresh(token).status == 401
    # A guessed token for a real session id is refused without ending the session.
    assert api.refresh(pair["refreshToken"]).status == 200


def test_logout_ends_this_session_only(api, ann):
    phone, laptop = api.tokens(ann), api.tokens(ann)
    out = api.call_as(phone["accessToken"], "auth_logout", raw_body="")
    assert out.status == 204 and out.body is None
    assert api.call_as(phone["accessToken"], "account_get").status == 401
    assert api.refresh(phone["refreshToken"]).status == 401
    assert api.call_as(laptop["accessToken"], "account_get").status == 200
    assert api.refresh(laptop["refreshToken"]).status == 200


def test_logout_everywhere_ends_every_session(api, ann):
    phone, laptop = api.tokens(ann), api.tokens(ann)
    assert api.call_as(phone["accessToken"], "auth_logout", {"allDevices": True}).status == 204
    for pair in (phone, laptop):
        assert api.call_as(pair["accessToken"], "account_get").status == 401
        assert api.refresh(pair["refreshToken"]).status == 401
    assert api.call_as(api.tokens(ann)["accessToken"], "account_get").status == 200


def test_logout_everywhere_holds_for_a_session_the_index_has_not_listed_yet(api, ann, monkeypatch):
    # GSI1 is eventually consistent: simulate it missing every session. The epoch still holds.
    from portal.dynamo.accounts import DynamoAccounts as Store

    pair, other = api.tokens(ann), api.tokens(ann)
    monkeypatch.setattr(Store, "sessions_of", lambda self, sub: [])
    assert api.call_as(pair["accessToken"], "auth_logout", {"allDevices": True}).status == 204
    assert api.refresh(other["refreshToken"]).status == 401


def audit_lines(caplog) -> list[dict]:
    """The audit records as the JSON lines carry them (event plus its fields)."""
    return [dict(vars(r)) for r in caplog.records if getattr(r, "event", None)]


def test_audit_lines_carry_no_secrets(api, ann, caplog):
    caplog.set_level("INFO")
    pair = api.tokens(ann)
    api.login(ann, "Wrong-Password-123!")
    api.refresh(pair["refreshToken"])
    api.refresh(pair["refreshToken"])
    lines = audit_lines(caplog)
    events = [line["event"] for line in lines]
    for event in ("login_succeeded", "login_failed", "token_refreshed", "refresh_reuse_detected"):
        assert event in events
    text = str(lines)
    for secret in (
        STRONG_PASSWORD,
        "Wrong-Password-123!",
        pair["refreshToken"].split(".")[1],
        pair["accessToken"],
        ann,
    ):
        assert secret not in text
    assert "a***@e***.org" in text


# -- AWS calls: the attempt counted before hashing, the un-count inside the session's transaction --


@contextmanager
def dynamodb_calls():
    """Every DynamoDB call the functions' client makes inside the block: (operation, parameters)."""
    from portal import services

    made: list[tuple[str, dict]] = []
    client = services.client("dynamodb")
    client.meta.events.register(
        "before-parameter-build.dynamodb",
        lambda params, model, **_: made.append((model.name, dict(params))),
        unique_id="test-calls",
    )
    try:
        yield made
    finally:
        client.meta.events.unregister("before-parameter-build.dynamodb", unique_id="test-calls")


def other_store():
    """The table through another client than the functions' (another request's doing, not counted)."""
    import boto3

    from portal.dynamo.accounts import DynamoAccounts as Store

    return Store(boto3.client("dynamodb"), "portal-test")


def logins_item(aws, address: str) -> dict:
    item = aws.item(f"EMAIL#{address}", "LOGINS")
    assert item is not None
    return {
        "consecutive": int(item["consecutive"]["N"]),
        "recent": len(item["recent"]["L"]),
        "version": int(item["version"]["N"]),
    }


def test_a_right_password_is_counted_then_un_counted_inside_the_session_transaction(api, aws, ann):
    with dynamodb_calls() as made:
        assert api.login(ann).status == 200
    assert [name for name, _ in made] == ["Query", "PutItem", "TransactWriteItems"]
    counted = made[1][1]
    assert counted["Item"]["sk"]["S"] == "LOGINS" and counted["Item"]["consecutive"]["N"] == "1"  # before hashing
    puts = [item["Put"] for item in made[2][1]["TransactItems"]]
    session, logins = puts[0], puts[-1]
    assert session["Item"]["sk"]["S"] == "SESSION"
    # The un-count holds only on the very record this attempt counted (its version).
    assert logins["Item"]["sk"]["S"] == "LOGINS" and logins["Item"]["consecutive"]["N"] == "0"
    assert logins["ExpressionAttributeValues"][":version"]["N"] == counted["Item"]["version"]["N"]
    assert logins_item(aws, ann)["consecutive"] == 0 and logins_item(aws, ann)["recent"] == 0


def test_a_wrong_password_is_one_read_and_one_counted_write(api, aws, ann):
    with dynamodb_calls() as made:
        assert api.login(ann, STRONG_PASSWORD + "x").status == 401
        assert api.login("nobody@example.org").status == 401
    assert [name for name, _ in made] == ["Query", "PutItem"] * 2
    assert logins_item(aws, ann)["consecutive"] == 1 and logins_item(aws, "nobody@example.org")["consecutive"] == 1


def test_parallel_wrong_guesses_are_all_counted(api, aws, ann):
    barrier = threading.Barrier(4)
    results = []

    def attempt():
        barrier.wait()
        results.append(api.login(ann, STRONG_PASSWORD + "x"))

    with time_machine.travel(time.time(), tick=False):
        threads = [threading.Thread(target=attempt) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [r.status for r in results] == [401] * 4
        assert logins_item(aws, ann)["consecutive"] == 4 and logins_item(aws, ann)["recent"] == 4
        assert api.login(ann, STRONG_PASSWORD + "x").status == 401  # the fifth, the last free one
        assert api.login(ann).status == 429


def test_a_success_racing_a_failure_stands_and_the_failure_stays_counted(api, aws, ann, monkeypatch):
    """Between counting this (right) attempt and its session transaction, another attempt's
    failure is counted: the un-count's condition fails, the sign-in stands without it."""
    from portal.passwords import PasswordHasher

    real_verify = PasswordHasher.verify
    raced = []

    def verify_while_another_fails(self, stored, password):
        if not raced:
            raced.append(True)
            store = other_store()
            logins = store.load_address(ann).logins
            store.save_logins(ann, logins, logins.with_failure(int(time.time())))  # the other attempt
        return real_verify(self, stored, password)

    monkeypatch.setattr(PasswordHasher, "verify", verify_while_another_fails)
    with dynamodb_calls() as made:
        result = api.login(ann)
    assert result.status == 200
    assert api.call_as(result.body["accessToken"], "account_get").status == 200
    assert [name for name, _ in made] == ["Query", "PutItem", "TransactWriteItems", "TransactWriteItems"]
    assert len(made[3][1]["TransactItems"]) == 2  # the session alone: no un-count
    # Both stay counted: this attempt (the safe side) and the other one.
    assert logins_item(aws, ann)["consecutive"] == 2


def test_the_authorizer_reads_session_and_account_in_one_call(api, ann):
    pair = api.tokens(ann)
    with dynamodb_calls() as made:
        assert api.authorize(pair["accessToken"]) is not None
    assert [name for name, _ in made] == ["BatchGetItem"]


def test_a_session_older_than_the_account_epoch_is_refused_by_the_authorizer(api, ann, monkeypatch):
    """Even a session GSI1 does not list (and so is never marked revoked) ends at once."""
    from portal.dynamo.accounts import DynamoAccounts as Store

    monkeypatch.setattr(Store, "sessions_of", lambda self, sub: [])
    here, other = api.tokens(ann), api.tokens(ann)
    assert api.call_as(here["accessToken"], "auth_logout", {"allDevices": True}).status == 204
    assert api.authorize(other["accessToken"]) is None and api.authorize(here["accessToken"]) is None
    assert api.refresh(other["refreshToken"]).status == 401


def test_log_out_everywhere_is_one_transaction(api, ann):
    pair = api.tokens(ann)
    principal = api.authorize(pair["accessToken"])
    with dynamodb_calls() as made:
        assert api.call("auth_logout", {"allDevices": True}, principal=principal).status == 204
    assert [name for name, _ in made] == ["TransactWriteItems"]
    assert api.authorize(pair["accessToken"]) is None


def test_refresh_checks_the_account_inside_the_rotation(api, aws, ann):
    import boto3

    pair = api.tokens(ann)
    with dynamodb_calls() as made:
        renewed = api.refresh(pair["refreshToken"])
    assert renewed.status == 200 and [name for name, _ in made] == ["TransactGetItems", "TransactWriteItems"]
    boto3.client("dynamodb").update_item(
        TableName="portal-test",
        Key={"pk": {"S": f"EMAIL#{ann}"}, "sk": {"S": "USER"}},
        UpdateExpression="SET enabled = :f",
        ExpressionAttributeValues={":f": {"BOOL": False}},
    )
    assert api.refresh(renewed.body["refreshToken"]).status == 401
    assert aws.item(f"SESSION#{renewed.body['refreshToken'].split('.')[0]}", "SESSION")["revoked"]["BOOL"] is True


def test_log_out_everywhere_after_this_session_was_revoked_still_ends_the_others(api, aws, ann):
    """The session item gone (its TTL) while its access token is still fresh: the epoch still goes up."""
    import boto3

    here, other = api.tokens(ann), api.tokens(ann)
    principal = api.authorize(here["accessToken"])
    boto3.client("dynamodb").delete_item(
        TableName="portal-test", Key={"pk": {"S": f"SESSION#{principal['sessionId']}"}, "sk": {"S": "SESSION"}}
    )
    assert api.call("auth_logout", {"allDevices": True}, principal=principal).status == 204
    assert api.authorize(other["accessToken"]) is None and api.refresh(other["refreshToken"]).status == 401
    assert aws.item(f"SESSION#{principal['sessionId']}", "SESSION") is None  # no stub written
