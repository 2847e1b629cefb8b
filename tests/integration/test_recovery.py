"""'Reset password', 'Create a new password' and changing the password, through the handlers on moto."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
import time_machine

from tests.support import STRONG_PASSWORD

ANN = "ann@example.org"
NEW_PASSWORD = "Brand-New-Secret-42"


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2025, 4, 4, 9, 0, tzinfo=UTC), tick=True) as traveller:
        yield traveller


@pytest.fixture
def ann(api, clock):
    api.confirmed_account(ANN)
    clock.shift(61)  # the sign-up code used this minute's send
    return ANN


def test_forgot_emails_a_reset_code_and_reset_sets_the_new_password(api, aws, ann, caplog):
    caplog.set_level("INFO")
    old_session = api.tokens(ann)
    result = api.forgot(ann)
    assert result.status == 202 and result.body == {"destination": "a***@e***.org", "codeExpiresIn": 1800}
    mail = aws.mail(ann)[-1]
    assert mail.subject == "Reset password" and "This code will expire in 30 minutes." in mail.text
    code = aws.last_code(ann)

    done = api.reset(ann, code, NEW_PASSWORD)
    assert done.status == 200 and done.body == {"status": "PASSWORD_UPDATED"}
    assert api.login(ann).status == 401
    assert api.login(ann, NEW_PASSWORD).status == 200
    # Every session from before is over, the access token at once.
    assert api.refresh(old_session["refreshToken"]).status == 401
    assert api.call_as(old_session["accessToken"], "account_get").status == 401
    notice = aws.mail(ann)[-1]
    assert notice.subject == "Your password has been updated"
    # The code is spent.
    again = api.reset(ann, code, NEW_PASSWORD + "x")
    assert again.status == 400 and again.error["code"] == "ExpiredCode"
    events = [r.event for r in caplog.records if getattr(r, "event", None)]
    assert "reset_requested" in events and "reset_completed" in events
    assert code not in str([vars(r) for r in caplog.records]) and NEW_PASSWORD not in str(
        [vars(r) for r in caplog.records]
    )


def test_reset_mail_in_french(api, aws, clock):
    assert api.register("zoe@example.org", language="fr").status == 202
    assert api.verify("zoe@example.org", aws.last_code("zoe@example.org")).status == 200
    clock.shift(61)
    assert api.forgot("zoe@example.org").status == 202
    assert aws.mail("zoe@example.org")[-1].subject == "Réinitialiser le mot de passe"


def test_reset_applies_the_password_policy(api, aws, ann):
    api.forgot(ann)
    result = api.reset(ann, aws.last_code(ann), "short")
    assert result.status == 400 and result.error["code"] == "InvalidPassword"
    assert {"minLength", "uppercase", "digit", "symbol"} <= set(result.error["failedRules"])
    # The code was not spent by the refused password.
    assert api.reset(ann, aws.last_code(ann), NEW_PASSWORD).status == 200


def test_a_verification_code_cannot_reset_a_password(api, aws, clock):
    api.register("new@example.org")
    code = aws.last_code("new@example.org")
    assert api.reset("new@example.org", code, NEW_PASSWORD).status == 400


def test_forgot_for_an_unconfirmed_account_sends_a_new_verification_code(api, aws, clock):
    api.register("new@example.org")
    clock.shift(61)
    assert api.forgot("new@example.org").status == 202
    mail = aws.mail("new@example.org")
    assert len(mail) == 2 and mail[-1].subject == "Your verification code"
    assert api.verify("new@example.org", aws.last_code("new@example.org")).status == 200


def test_forgot_and_reset_answer_alike_for_unknown_addresses(api, aws, ann):
    known, unknown = api.forgot(ann), api.forgot("nobody@example.org")
    assert known.status == unknown.status == 202
    assert known.body["codeExpiresIn"] == unknown.body["codeExpiresIn"]
    assert aws.mail("nobody@example.org") == []
    # Guessing: the same answers, the same count of tries, the same lock.
    for address in (ann, "nobody@example.org"):
        answers = [api.reset(address, "000000", NEW_PASSWORD) for _ in range(6)]
        assert [a.status for a in answers] == [400] * 6
        assert [a.error["code"] for a in answers] == ["CodeMismatch"] * 5 + ["TooManyFailedAttempts"]
        assert [a.error.get("attemptsRemaining") for a in answers[:5]] == [4, 3, 2, 1, 0]
    # And the limits: a second request within the minute is refused for both.
    assert api.forgot(ann).status == api.forgot("nobody@example.org").status == 429


def test_reset_codes_share_the_send_budget_with_sign_up(api, aws, clock):
    api.register("new@example.org")
    refused = api.forgot("new@example.org")
    assert refused.status == 429 and int(refused.headers["Retry-After"]) > 0


def test_an_expired_reset_code_is_refused(api, aws, ann, clock):
    api.forgot(ann)
    code = aws.last_code(ann)
    clock.shift(1800)
    result = api.reset(ann, code, NEW_PASSWORD)
    assert result.status == 400 and result.error["code"] == "ExpiredCode"
    assert api.login(ann).status == 200


def test_twenty_parallel_resets_with_one_code_one_wins(api, aws, ann):
    api.forgot(ann)
    code = aws.last_code(ann)
    results = []
    barrier = threading.Barrier(20)

    def attempt(i):
        barrier.wait()
        results.append((i, api.reset(ann, code, f"{NEW_PASSWORD}-{i}")))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [(i, r) for i, r in results if r.status == 200]
    assert len(results) == 20 and len(winners) == 1
    assert all(r.status == 400 and r.error["code"] == "ExpiredCode" for _, r in results if r.status != 200)
    login = api.login(ann, f"{NEW_PASSWORD}-{winners[0][0]}")
    assert login.status == 200, (login.body, [(i, r.status, r.body) for i, r in results])


def test_change_password_keeps_this_session_and_ends_the_others(api, aws, ann, caplog):
    caplog.set_level("INFO")
    here, elsewhere = api.tokens(ann), api.tokens(ann)
    result = api.call_as(
        here["accessToken"], "password_change", {"currentPassword": STRONG_PASSWORD, "newPassword": NEW_PASSWORD}
    )
    assert result.status == 200 and result.body == {"status": "PASSWORD_UPDATED"}
    assert api.call_as(here["accessToken"], "account_get").status == 200
    assert api.refresh(here["refreshToken"]).status == 200
    assert api.call_as(elsewhere["accessToken"], "account_get").status == 401
    assert api.refresh(elsewhere["refreshToken"]).status == 401
    assert api.login(ann).status == 401 and api.login(ann, NEW_PASSWORD).status == 200
    assert aws.mail(ann)[-1].subject == "Your password has been updated"
    assert "password_changed" in [getattr(r, "event", None) for r in caplog.records]


def test_change_password_checks_the_current_one_and_the_policy(api, ann):
    pair = api.tokens(ann)
    wrong = api.call_as(
        pair["accessToken"], "password_change", {"currentPassword": "Not-The-Password-1", "newPassword": NEW_PASSWORD}
    )
    assert wrong.status == 403 and wrong.error["code"] == "WrongPassword"
    weak = api.call_as(
        pair["accessToken"], "password_change", {"currentPassword": STRONG_PASSWORD, "newPassword": "password"}
    )
    assert weak.status == 400 and weak.error["code"] == "InvalidPassword"
    assert api.login(ann).status == 200
    assert (
        api.call_as(None, "password_change", {"currentPassword": STRONG_PASSWORD, "newPassword": NEW_PASSWORD}).status
        == 401
    )


def test_a_wrong_current_password_counts_as_a_failed_login(api, ann):
    # The clock stands still: the one-second wait after five failures must not pass by itself
    # on a slow machine.
    with time_machine.travel(time.time(), tick=False):
        pair = api.tokens(ann)
        for _ in range(5):
            body = {"currentPassword": "Not-The-Password-1", "newPassword": NEW_PASSWORD}
            wrong = api.call_as(pair["accessToken"], "password_change", body)
            assert wrong.status == 403 and wrong.error["code"] == "WrongPassword"  # the session is fine
        throttled = api.login(ann)
    assert throttled.status == 429 and throttled.error["code"] == "LimitExceeded"


# -- AWS calls and races --------------------------------------------------------------------------


def test_change_is_one_transaction_un_count_hash_epoch_and_this_session(api, aws, ann, monkeypatch):
    from portal.dynamo.accounts import DynamoAccounts as Store
    from tests.integration.test_signin import dynamodb_calls, logins_item

    monkeypatch.setattr(Store, "sessions_of", lambda self, sub: [])  # the epoch alone ends the others
    here, elsewhere = api.tokens(ann), api.tokens(ann)
    principal = api.authorize(here["accessToken"])
    body = {"currentPassword": STRONG_PASSWORD, "newPassword": NEW_PASSWORD}
    with dynamodb_calls() as made:
        assert api.call("password_change", body, principal=principal).status == 200
    assert [name for name, _ in made] == ["Query", "PutItem", "TransactWriteItems"]
    parts = [next(iter(i.values())) for i in made[2][1]["TransactItems"]]
    assert [p["Key"]["sk"]["S"] if "Key" in p else p["Item"]["sk"]["S"] for p in parts] == ["USER", "LOGINS", "SESSION"]
    assert logins_item(aws, ann)["consecutive"] == 0
    assert api.authorize(here["accessToken"]) is not None and api.authorize(elsewhere["accessToken"]) is None
    assert api.refresh(elsewhere["refreshToken"]).status == 401 and api.refresh(here["refreshToken"]).status == 200


def test_a_change_racing_a_failure_stands_and_the_failure_stays_counted(api, aws, ann, monkeypatch):
    from portal.passwords import PasswordHasher
    from tests.integration.test_signin import logins_item, other_store

    real_hash = PasswordHasher.hash

    def hash_while_another_fails(self, password):
        store = other_store()
        logins = store.load_address(ann).logins
        store.save_logins(ann, logins, logins.with_failure(logins.last_failed_at))
        return real_hash(self, password)

    pair = api.tokens(ann)
    monkeypatch.setattr(PasswordHasher, "hash", hash_while_another_fails)
    body = {"currentPassword": STRONG_PASSWORD, "newPassword": NEW_PASSWORD}
    assert api.call_as(pair["accessToken"], "password_change", body).status == 200
    monkeypatch.undo()
    assert logins_item(aws, ann)["consecutive"] == 2
    assert api.call_as(pair["accessToken"], "account_get").status == 200  # this session carried over
    assert api.login(ann, NEW_PASSWORD).status == 200


def test_a_change_racing_log_out_everywhere_stands_and_this_session_stays_ended(api, aws, ann, monkeypatch):
    from portal.passwords import PasswordHasher
    from tests.integration.test_signin import other_store

    real_hash = PasswordHasher.hash

    def hash_while_signed_out_everywhere(self, password):
        store = other_store()
        store.bump_session_epoch(store.load_address(ann).user)
        return real_hash(self, password)

    pair = api.tokens(ann)
    monkeypatch.setattr(PasswordHasher, "hash", hash_while_signed_out_everywhere)
    body = {"currentPassword": STRONG_PASSWORD, "newPassword": NEW_PASSWORD}
    assert api.call_as(pair["accessToken"], "password_change", body).status == 200
    monkeypatch.undo()
    assert api.authorize(pair["accessToken"]) is None and api.refresh(pair["refreshToken"]).status == 401
    assert api.login(ann, NEW_PASSWORD).status == 200


def test_a_change_after_another_change_is_void(api, aws, ann, monkeypatch):
    from portal.passwords import PasswordHasher
    from tests.integration.test_signin import other_store

    real_hash = PasswordHasher.hash
    other = []

    def hash_while_changed_elsewhere(self, password):
        if not other:
            store = other_store()
            user = store.load_address(ann).user
            other.append(real_hash(self, "Someone-Else-Set-9!"))
            store.set_password(user, other[0], "2025-04-04T09:00:00Z")
        return real_hash(self, password)

    pair = api.tokens(ann)
    monkeypatch.setattr(PasswordHasher, "hash", hash_while_changed_elsewhere)
    body = {"currentPassword": STRONG_PASSWORD, "newPassword": NEW_PASSWORD}
    refused = api.call_as(pair["accessToken"], "password_change", body)
    assert refused.status == 403 and refused.error["code"] == "WrongPassword"  # the password it knew is gone
    monkeypatch.undo()
    assert api.login(ann, NEW_PASSWORD).status == 401 and api.login(ann, "Someone-Else-Set-9!").status == 200


def test_reset_is_one_transaction_that_ends_sessions_and_forgets_failures(api, aws, ann, monkeypatch):
    from portal.dynamo.accounts import DynamoAccounts as Store
    from tests.integration.test_signin import dynamodb_calls

    with time_machine.travel(time.time(), tick=False):
        old = api.tokens(ann)
        monkeypatch.setattr(Store, "sessions_of", lambda self, sub: [])  # the epoch alone ends them
        for _ in range(5):
            assert api.login(ann, "Wrong-Password-123!").status == 401
        assert api.login(ann).status == 429
        assert api.forgot(ann).status == 202
        with dynamodb_calls() as made:
            assert api.reset(ann, aws.last_code(ann), NEW_PASSWORD).status == 200
        assert [name for name, _ in made] == ["Query", "TransactWriteItems"]
        assert api.authorize(old["accessToken"]) is None and api.refresh(old["refreshToken"]).status == 401
        assert api.login(ann, NEW_PASSWORD).status == 200  # the failures before the reset no longer count
