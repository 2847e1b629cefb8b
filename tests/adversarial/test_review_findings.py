"""The outside review's findings 1-3 (issue 14), as the attacks it made, through the handlers on moto.

1. A pending sign-up could be taken over: whoever signed up last chose the password the owner's
   code confirmed. Now the code confirms with the password given with it, by whoever holds the inbox.
2. The change of email told whether an address has an account (409 for a taken one).
3. Verify answered differently at an address with a live code and one without.
"""

from __future__ import annotations

import pytest
import time_machine

from portal import codes
from tests.secrets_watch import remember_secret
from tests.support import CODE_IN_TEXT, shape

OWNER = "v@example.org"
OWNER_PASSWORD = "Owners-Own-Password-42!"
OTHER_PASSWORD = "Someone-Elses-Password-7!"


# -- 1. a pending sign-up cannot be taken over --------------------------------------------------


@pytest.mark.parametrize("other_first", [False, True], ids=["other-after-owner", "other-before-owner"])
def test_whatever_the_order_of_sign_ups_the_inbox_holder_chooses_the_password(api, aws, other_first):
    sign_ups = [("V@example.org", OTHER_PASSWORD), (OWNER, OWNER_PASSWORD)]
    if not other_first:
        sign_ups.reverse()
    with time_machine.travel("2026-03-01 10:00:00", tick=False) as clock:
        for address, password in sign_ups:
            assert api.register(address, password).status == 202
            clock.shift(61)  # past the one-minute send limit
        # The owner enters the newest code from the inbox; the web client sends the password it
        # holds from the sign-up form (or the person types it).
        assert api.verify(OWNER, aws.last_code(OWNER), OWNER_PASSWORD).body == {"status": "CONFIRMED"}
    assert api.login(OWNER, OWNER_PASSWORD).status == 200
    assert api.login(OWNER, OTHER_PASSWORD).status == 401  # nobody else signs in


def test_a_code_entered_elsewhere_sets_the_password_typed_with_it(api, aws):
    with time_machine.travel("2026-03-01 10:00:00", tick=False) as clock:
        api.register(OWNER, OWNER_PASSWORD)
        clock.shift(61)
        api.register(OWNER, OTHER_PASSWORD)  # someone else, after the owner
        code = aws.last_code(OWNER)
        weak = api.verify(OWNER, code, "weak")
        assert weak.status == 400 and weak.error["code"] == "InvalidPassword"
        missing = api.call("account_verify", {"email": OWNER, "code": code})
        assert missing.status == 400 and missing.error["fields"][0]["field"] == "password"
        assert api.verify(OWNER, code, "A-New-Password-Typed-9!").status == 200
    assert api.login(OWNER, "A-New-Password-Typed-9!").status == 200
    assert api.login(OWNER, OTHER_PASSWORD).status == 401


def test_the_pending_password_cannot_be_checked_without_limit(api, aws):
    """A right password on an unconfirmed account answers 403 but is counted like a failure."""
    with time_machine.travel("2026-03-01 10:00:00", tick=False):
        api.register(OWNER, OTHER_PASSWORD)
        answers = [api.login(OWNER, OTHER_PASSWORD).status for _ in range(6)]
    assert answers[:5] == [403] * 5 and answers[5] == 429


# -- 2. the change of email tells nothing about the new address --------------------------------


@pytest.fixture
def signed_in(api, aws):
    """Ann signs in (the token is taken when first used, in the test's time); Bob owns bob@example.org."""
    with time_machine.travel("2029-12-31 10:00:00", tick=False):
        api.confirmed_account("ann@example.org")
        api.confirmed_account("bob@example.org", OWNER_PASSWORD)
    return lambda: api.tokens("ann@example.org")["accessToken"]


def change(api, token, new_email: str):
    from tests.support import STRONG_PASSWORD

    return api.call_as(token(), "account_email_change", {"newEmail": new_email, "password": STRONG_PASSWORD})


def test_a_taken_address_answers_like_a_free_one_and_its_owner_gets_a_notice(api, aws, signed_in):
    with time_machine.travel("2030-01-01 10:00:00", tick=False) as clock:
        taken = change(api, signed_in, "BOB@example.org")
        clock.shift(61)
        free = change(api, signed_in, "carol@example.org")
    assert (taken.status, shape(taken.body)) == (free.status, shape(free.body)) == (202, shape(free.body))
    assert set(taken.headers) == set(free.headers)
    [notice] = [m for m in aws.mail("bob@example.org") if "code" not in m.subject.lower()]
    assert not CODE_IN_TEXT.search(notice.text)  # a notice, no code
    assert aws.item("EMAIL#bob@example.org", "USER")["status"]["S"] == "CONFIRMED"  # Bob's account is untouched


def test_the_send_budget_of_the_target_address_applies_taken_or_free(api, aws, signed_in):
    with time_machine.travel("2030-01-01 10:00:00", tick=False):
        assert change(api, signed_in, "bob@example.org").status == 202
        again = change(api, signed_in, "bob@example.org")
        assert again.status == 429 and again.error["code"] == "LimitExceeded"
        assert change(api, signed_in, "carol@example.org").status == 202
        assert change(api, signed_in, "carol@example.org").status == 429


def test_a_code_for_a_taken_address_never_moves_the_account(api, aws, signed_in):
    with time_machine.travel("2030-01-01 10:00:00", tick=False):
        assert change(api, signed_in, "bob@example.org").status == 202
        for guess in range(codes.MAX_ATTEMPTS):
            wrong = api.call_as(signed_in(), "account_email_verify", {"code": f"{guess:06d}"})
            assert wrong.error["code"] in ("CodeMismatch", "TooManyFailedAttempts")
    assert aws.item("EMAIL#ann@example.org", "USER") is not None
    assert aws.item("EMAIL#bob@example.org", "USER")["sub"] != aws.item("EMAIL#ann@example.org", "USER")["sub"]
    assert api.login("bob@example.org", OWNER_PASSWORD).status == 200


# -- 3. verify answers alike with a live code or none -------------------------------------------


def test_a_wrong_code_answers_alike_at_an_address_with_a_live_code_and_one_without(api, aws):
    with time_machine.travel("2026-03-01 10:00:00", tick=False):
        api.register(OWNER, OWNER_PASSWORD)
        code = aws.last_code(OWNER)
        remember_secret(code)
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        live = api.verify(OWNER, wrong, OWNER_PASSWORD)
        none = api.verify("nobody@example.org", wrong, OWNER_PASSWORD)
    assert (live.status, shape(live.body)) == (none.status, shape(none.body))
    assert set(live.headers) == set(none.headers)


def test_a_wrong_reset_code_answers_alike_whether_or_not_a_reset_was_asked_for(api, aws):
    with time_machine.travel("2026-03-01 10:00:00", tick=False) as clock:
        api.confirmed_account(OWNER, OWNER_PASSWORD)
        clock.shift(61)
        assert api.forgot(OWNER).status == 202
        code = aws.last_code(OWNER)
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        asked = api.reset(OWNER, wrong, "A-Brand-New-Password-9!")
        never = api.reset("nobody@example.org", wrong, "A-Brand-New-Password-9!")
    assert (asked.status, shape(asked.body)) == (never.status, shape(never.body))
    assert asked.error["attemptsRemaining"] == never.error["attemptsRemaining"]


# -- 4. a cached authorizer answer does not outlive a disable or an ended session ---------------


def dynamodb_calls(api, module, principal, body=None):
    """The route's answer, as API Gateway would call it with a cached authorizer answer, and its DynamoDB calls."""
    from portal import services

    calls = []
    events = services.client("dynamodb").meta.events
    events.register("before-call.dynamodb.*", lambda **kw: calls.append(kw["event_name"]), unique_id="count-calls")
    try:
        return api.call(module, body, principal=principal), calls
    finally:
        events.unregister("before-call.dynamodb.*", unique_id="count-calls")


def test_a_disabled_account_is_refused_at_once_with_no_extra_call(api, aws):
    import boto3

    from portal.services import settings

    api.confirmed_account(OWNER, OWNER_PASSWORD)
    cached = api.authorize(api.tokens(OWNER, OWNER_PASSWORD)["accessToken"])  # what API Gateway keeps
    before, calls_before = dynamodb_calls(api, "account_get", cached)
    assert before.status == 200
    boto3.client("dynamodb").update_item(  # the operator disables the account
        TableName=settings().table_name,
        Key={"pk": {"S": f"EMAIL#{OWNER}"}, "sk": {"S": "USER"}},
        UpdateExpression="SET enabled = :false",
        ExpressionAttributeValues={":false": {"BOOL": False}},
    )
    after, calls_after = dynamodb_calls(api, "account_get", cached)
    assert after.status == 401 and len(calls_after) == len(calls_before)
    assert dynamodb_calls(api, "newsletter_update", cached, {"subscribed": True})[0].status == 401


def test_log_out_everywhere_ends_a_session_whose_authorizer_answer_is_cached(api, aws):
    api.confirmed_account(OWNER, OWNER_PASSWORD)
    elsewhere = api.tokens(OWNER, OWNER_PASSWORD)
    cached = api.authorize(elsewhere["accessToken"])
    here = api.tokens(OWNER, OWNER_PASSWORD)["accessToken"]
    assert api.call_as(here, "auth_logout", {"allDevices": True}).status == 204
    for module, body in (("account_get", None), ("account_update", {"language": "fr"})):
        assert api.call(module, body, principal=cached).status == 401, module
    assert api.call("newsletter_update", {"subscribed": True}, principal=cached).status == 401


def test_a_password_change_keeps_the_callers_cached_session_and_ends_the_others(api, aws):
    api.confirmed_account(OWNER, OWNER_PASSWORD)
    mine = api.tokens(OWNER, OWNER_PASSWORD)["accessToken"]
    other = api.authorize(api.tokens(OWNER, OWNER_PASSWORD)["accessToken"])
    cached = api.authorize(mine)
    changed = api.call(
        "password_change",
        {"currentPassword": OWNER_PASSWORD, "newPassword": "Another-Strong-Password-3!"},
        principal=cached,
    )
    assert changed.status == 200
    assert api.call("account_get", principal=cached).status == 200  # carried over to the new epoch
    assert api.call("account_get", principal=other).status == 401


# -- 4. sessions end 30 days after sign-in, however often refreshed ----------------------------


def test_a_session_ends_thirty_days_after_its_sign_in_however_often_refreshed(api, aws):
    with time_machine.travel("2026-03-01 10:00:00", tick=False) as clock:
        api.confirmed_account(OWNER, OWNER_PASSWORD)
        refresh = api.tokens(OWNER, OWNER_PASSWORD)["refreshToken"]
        for _ in range(29):
            clock.shift(86400)  # refreshed every day, as an app left open does
            renewed = api.refresh(refresh)
            assert renewed.status == 200, renewed.body
            refresh = renewed.body["refreshToken"]
        clock.shift(86400 - 1)
        refresh = api.refresh(refresh).body["refreshToken"]  # 30 days less a second: still on
        clock.shift(1)
        ended = api.refresh(refresh)
        assert ended.status == 401 and ended.error["code"] == "NotAuthorized"
        assert api.login(OWNER, OWNER_PASSWORD).status == 200  # signing in again starts a new one


def test_the_session_lifetime_is_a_stage_setting_of_30_days_by_default():
    from infra.config import StageConfig
    from portal.settings import Settings

    base = {
        "PORTAL_TABLE_NAME": "t",
        "PORTAL_KEYS_SECRET_ID": "k",
        "PORTAL_SIGNING_KEYS_SECRET_ID": "s",
        "PORTAL_MAIL_SENDER": "no-reply@example.org",
    }
    assert Settings.from_env(base).session_seconds == 30 * 86400
    assert Settings.from_env({**base, "PORTAL_SESSION_SECONDS": "604800"}).session_seconds == 7 * 86400
    assert StageConfig.model_fields["session_days"].default == 30
