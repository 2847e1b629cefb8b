"""The account itself (read, edit, delete) and sign-in throttling, through the handlers on moto."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from tests.support import STRONG_PASSWORD

ANN = "ann@example.org"
WRONG = "Wrong-Password-123!"


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2025, 4, 4, 9, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def ann(api):
    api.confirmed_account(ANN)
    return ANN


def test_patch_changes_the_language(api, aws, ann):
    token = api.tokens(ann)["accessToken"]
    result = api.call_as(token, "account_update", {"language": "fr"})
    assert result.status == 200 and result.body["language"] == "fr"
    assert api.call_as(token, "account_get").body["language"] == "fr"
    assert aws.item(f"EMAIL#{ann}", "USER")["language"]["S"] == "fr"
    for bad in ({"language": "de"}, {"language": "fr", "status": "CONFIRMED"}, {"email": "x@example.org"}):
        refused = api.call_as(token, "account_update", bad)
        assert refused.status == 400 and refused.error["code"] == "InvalidParameter"


def test_delete_needs_the_password(api, aws, ann):
    token = api.tokens(ann)["accessToken"]
    wrong = api.call_as(token, "account_delete", {"password": WRONG})
    assert wrong.status == 403 and wrong.error["code"] == "WrongPassword"
    assert aws.item(f"EMAIL#{ann}", "USER") is not None


def test_delete_removes_the_account_its_sessions_and_codes(api, aws, ann, caplog):
    caplog.set_level("INFO")
    here, elsewhere = api.tokens(ann), api.tokens(ann)
    result = api.call_as(here["accessToken"], "account_delete", {"password": STRONG_PASSWORD})
    assert result.status == 204 and result.body is None
    items = aws.items()
    assert not [
        i
        for i in items
        if i["pk"]["S"] == f"EMAIL#{ann}" and (i["sk"]["S"] == "USER" or i["sk"]["S"].startswith("CODE#"))
    ]
    assert not [i for i in items if i["sk"]["S"] == "SESSION"]
    for pair in (here, elsewhere):
        assert api.call_as(pair["accessToken"], "account_get").status == 401
        assert api.refresh(pair["refreshToken"]).status == 401
    assert api.login(ann).status == 401
    assert aws.mail(ann)[-1].subject == "Your account has been deleted"
    assert "account_deleted" in [getattr(r, "event", None) for r in caplog.records]


def test_a_deleted_address_can_sign_up_again(api, aws, ann):
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        token = api.tokens(ann)["accessToken"]
        old_sub = api.call_as(token, "account_get").body["sub"]
        assert api.call_as(token, "account_delete", {"password": STRONG_PASSWORD}).status == 204
        clock.shift(61)
        assert api.register(ann, "Another-Good-Pass-7").status == 202
        assert api.verify(ann, aws.last_code(ann), "Another-Good-Pass-7").status == 200
        fresh = api.tokens(ann, "Another-Good-Pass-7")["accessToken"]
        assert api.call_as(fresh, "account_get").body["sub"] != old_sub
        # A token of the old account does not reach the new one.
        assert api.call_as(token, "account_get").status == 401


def test_five_failures_then_exponential_waits_and_a_success_resets(api, ann, clock):
    for _ in range(5):
        assert api.login(ann, WRONG).status == 401
    throttled = api.login(ann)  # even the right password is not checked while waiting
    assert throttled.status == 429 and throttled.error["code"] == "LimitExceeded"
    assert throttled.headers["Retry-After"] == "1" and throttled.error["retryAfter"] == 1
    clock.shift(1)
    assert api.login(ann, WRONG).status == 401  # the 6th failure: now 2 s
    assert api.login(ann).headers["Retry-After"] == "2"
    clock.shift(2)
    assert api.login(ann, WRONG).status == 401  # 7th: 4 s
    clock.shift(3)
    assert api.login(ann).status == 429
    clock.shift(1)
    assert api.login(ann).status == 200  # a success ends the run
    for _ in range(5):
        assert api.login(ann, WRONG).status == 401
    assert api.login(ann).status == 429


def test_the_wait_stops_growing_at_fifteen_minutes(api, ann, clock):
    for _ in range(5 + 12):
        clock.shift(900)
        assert api.login(ann, WRONG).status == 401
    refused = api.login(ann)
    assert refused.status == 429 and refused.headers["Retry-After"] == "900"


def test_never_more_than_a_hundred_failures_an_hour(api, ann, clock):
    # Log in right after every four failures: the backoff never starts, the hourly cap still holds.
    failures = 0
    while failures < 100:
        assert api.login(ann, WRONG).status == 401
        failures += 1
        clock.shift(30)
        if failures % 4 == 0 and failures < 100:
            assert api.login(ann).status == 200
    refused = api.login(ann)  # the right password, but the hour's hundred failures are used up
    assert refused.status == 429
    first_failure_leaves = 3600 - 100 * 30
    assert refused.headers["Retry-After"] == str(first_failure_leaves)


def test_throttling_looks_the_same_for_unknown_addresses(api, ann, clock):
    for address in (ann, "nobody@example.org"):
        answers = [api.login(address, WRONG) for _ in range(6)]
        assert [a.status for a in answers] == [401] * 5 + [429]
        assert answers[-1].body == {"error": {**answers[-1].error}} and answers[-1].headers["Retry-After"] == "1"


def test_a_burst_of_parallel_guesses_gets_no_more_than_the_five_free_checks(api, ann, clock):
    import threading

    from portal.passwords import PasswordHasher

    checked = []
    real_verify = PasswordHasher.verify

    def counting_verify(self, stored, password):
        checked.append(password)
        return real_verify(self, stored, password)

    barrier = threading.Barrier(20)
    results = []

    def attempt():
        barrier.wait()
        results.append(api.login(ann, WRONG))

    import unittest.mock

    with unittest.mock.patch.object(PasswordHasher, "verify", counting_verify):
        threads = [threading.Thread(target=attempt) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    statuses = sorted(r.status for r in results)
    assert len(checked) == 5
    assert statuses == [401] * 5 + [429] * 15


def test_every_decision_leaves_its_audit_line(api, aws, ann, clock, caplog):
    caplog.set_level("INFO")
    pair = api.tokens(ann)
    assert api.call_as(pair["accessToken"], "auth_logout", raw_body="").status == 204
    for _ in range(6):
        api.login(ann, WRONG)
    lines = [vars(r) for r in caplog.records if getattr(r, "event", None)]
    events = [line["event"] for line in lines]
    assert events.count("login_failed") == 5 and events.count("login_throttled") == 1
    logout = next(line for line in lines if line["event"] == "logout")
    assert logout["sessionId"] and logout["allDevices"] is False and logout["email"] == "a***@e***.org"
    throttled = next(line for line in lines if line["event"] == "login_throttled")
    assert throttled["retryAfter"] == 1
    assert all(ann not in str(line) and WRONG not in str(line) for line in lines)


# -- AWS calls and races of the routes that check the password ---------------------------------


def test_update_returns_the_written_account_without_reading_it_back(api, ann):
    from tests.integration.test_signin import dynamodb_calls

    principal = api.authorize(api.tokens(ann)["accessToken"])
    with dynamodb_calls() as made:
        result = api.call("account_update", {"language": "fr"}, principal=principal)
    assert result.status == 200 and result.body["language"] == "fr"
    assert [name for name, _ in made] == ["Query", "UpdateItem"]
    assert made[1][1]["ReturnValues"] == "ALL_NEW"


def test_delete_is_one_transaction_with_the_un_count_and_every_session(api, aws, ann):
    from tests.integration.test_signin import dynamodb_calls, logins_item

    here, elsewhere = api.tokens(ann), api.tokens(ann)
    principal = api.authorize(here["accessToken"])
    with dynamodb_calls() as made:
        assert api.call("account_delete", {"password": STRONG_PASSWORD}, principal=principal).status == 204
    # account + attempts, count the attempt, the sessions, the download records (none), the passkeys, the transaction
    assert [name for name, _ in made] == ["Query", "PutItem", "Query", "Query", "Query", "TransactWriteItems"]
    items = made[5][1]["TransactItems"]
    deleted = [
        (i["Delete"]["Key"]["pk"]["S"].split("#")[0], i["Delete"]["Key"]["sk"]["S"]) for i in items if "Delete" in i
    ]
    assert ("EMAIL", "USER") in deleted
    assert deleted.count(("SESSION", "SESSION")) == 2  # both sessions, in the same transaction
    logins = next(i["Put"] for i in items if "Put" in i)
    assert logins["Item"]["sk"]["S"] == "LOGINS" and logins["ExpressionAttributeValues"][":version"]
    # The address's limits stay (the sign-in record, un-counted), the rest is gone.
    assert logins_item(aws, ann)["consecutive"] == 0
    assert api.authorize(elsewhere["accessToken"]) is None


def test_a_delete_racing_a_failure_stands_and_the_failure_stays_counted(api, aws, ann, monkeypatch):
    from portal.passwords import PasswordHasher
    from tests.integration.test_signin import logins_item, other_store

    real_verify = PasswordHasher.verify
    raced = []

    def verify_while_another_fails(self, stored, password):
        if not raced:
            raced.append(True)
            store = other_store()
            logins = store.load_address(ann).logins
            store.save_logins(ann, logins, logins.with_failure(logins.last_failed_at))
        return real_verify(self, stored, password)

    token = api.tokens(ann)["accessToken"]
    monkeypatch.setattr(PasswordHasher, "verify", verify_while_another_fails)
    assert api.call_as(token, "account_delete", {"password": STRONG_PASSWORD}).status == 204
    assert aws.item(f"EMAIL#{ann}", "USER") is None
    assert logins_item(aws, ann)["consecutive"] == 2


def test_many_sessions_are_all_deleted_beyond_one_transaction(api, aws, ann, monkeypatch):
    from portal.dynamo import accounts as store_module

    monkeypatch.setattr(store_module, "TRANSACTION_ITEMS", 7)  # room for 2 sessions in the transaction
    pairs = [api.tokens(ann) for _ in range(4)]
    assert api.call_as(pairs[0]["accessToken"], "account_delete", {"password": STRONG_PASSWORD}).status == 204
    assert not [i for i in aws.items() if i["sk"]["S"] == "SESSION"]
