"""The sign-up rules, attacked through the handlers: codes, limits, enumeration, races, faults."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from botocore.exceptions import ClientError

from portal import limits, services
from tests.support import STRONG_PASSWORD

ANN = "ann@example.org"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# -- codes -------------------------------------------------------------------------------------


def test_five_wrong_codes_kill_the_code_even_for_the_right_one(api, aws):
    api.register(ANN)
    code = aws.last_code(ANN)
    remaining = []
    for _ in range(5):
        result = api.verify(ANN, wrong(code))
        assert result.status == 400 and result.error["code"] == "CodeMismatch"
        remaining.append(result.error["attemptsRemaining"])
    assert remaining == [4, 3, 2, 1, 0]
    locked = api.verify(ANN, code)
    assert locked.status == 400 and locked.error["code"] == "TooManyFailedAttempts"
    assert aws.item("EMAIL#ann@example.org", "USER")["status"]["S"] == "UNCONFIRMED"


def test_a_code_expires_after_30_minutes_whatever_ttl_says(api, aws):
    with time_machine.travel("2026-01-05 10:00:00", tick=False) as clock:
        api.register(ANN)
        code = aws.last_code(ANN)
        clock.shift(1799)
        assert api.verify(ANN, wrong(code)).error["code"] == "CodeMismatch"
        clock.shift(1)  # exactly 30 minutes: no longer valid, even though the item is still there
        expired = api.verify(ANN, code)
    assert expired.status == 400 and expired.error["code"] == "ExpiredCode"
    assert aws.item("EMAIL#ann@example.org", "CODE#VERIFY_EMAIL") is not None


@pytest.fixture
def distinct_codes(monkeypatch):
    """Codes drawn in sequence, so that two consecutive codes are surely different."""
    drawn = iter(range(111111, 1_000_000, 111111))
    monkeypatch.setattr("portal.codes.secrets.randbelow", lambda _: next(drawn))


def test_a_new_code_invalidates_the_previous_one(api, aws, distinct_codes):
    with time_machine.travel("2026-01-05 10:00:00", tick=False) as clock:
        api.register(ANN)
        first = aws.last_code(ANN)
        clock.shift(61)
        assert api.resend(ANN).status == 202
        second = aws.last_code(ANN)
        assert (first, second) == ("111111", "222222")
        assert api.verify(ANN, first).error["code"] == "CodeMismatch"
        assert api.verify(ANN, second).body == {"status": "CONFIRMED"}


def test_codes_are_stored_only_as_a_keyed_hash_bound_to_purpose_and_address(api, aws):
    api.register(ANN)
    code = aws.last_code(ANN)
    item = aws.item("EMAIL#ann@example.org", "CODE#VERIFY_EMAIL")
    assert code not in str(item)
    import hashlib

    assert item["digest"]["S"] != hashlib.sha256(code.encode()).hexdigest()
    # The same code submitted for another address is wrong there.
    api.register("bob@example.org")
    assert api.verify("bob@example.org", code).status == 400


def test_verifying_again_with_the_spent_code_answers_alike_without_a_second_transition(api, aws, audit_log):
    api.register(ANN)
    code = aws.last_code(ANN)
    assert api.verify(ANN, code).body == {"status": "CONFIRMED"}
    assert api.verify(ANN, code).body == {"status": "CONFIRMED"}
    assert audit_log.events().count("verified") == 1 and "verify_repeated" in audit_log.events()


# -- sending limits ----------------------------------------------------------------------------


def test_one_code_a_minute_with_retry_after(api, aws):
    with time_machine.travel("2026-01-05 10:00:00", tick=False) as clock:
        api.register(ANN)
        clock.shift(20)
        throttled = api.resend(ANN)
        assert throttled.status == 429 and throttled.error["code"] == "LimitExceeded"
        assert throttled.headers["Retry-After"] == "40" and throttled.error["retryAfter"] == 40
        assert throttled.error["message"] == limits.RECENT_SEND
        clock.shift(40)
        assert api.resend(ANN).status == 202
    assert len(aws.mail(ANN)) == 2


def test_five_codes_an_hour_then_wait_for_the_oldest_to_age_out(api, aws):
    with time_machine.travel("2026-01-05 10:00:00", tick=False) as clock:
        api.register(ANN)
        for _ in range(4):
            clock.shift(60)
            assert api.resend(ANN).status == 202
        clock.shift(60)  # 10:05: five sends since 10:00
        throttled = api.resend(ANN)
        assert throttled.status == 429
        assert throttled.error["retryAfter"] == 3600 - 300
        # Not "a code was sent recently" with a 55-minute wait: it says it is the hourly limit.
        assert throttled.error["message"] == limits.HOURLY_LIMIT and "hour" in limits.HOURLY_LIMIT
        clock.shift(3600 - 300)
        assert api.resend(ANN).status == 202
    assert len(aws.mail(ANN)) == 6


def test_limits_hold_for_addresses_without_an_account(api, aws):
    assert api.resend("nobody@example.org").status == 202
    throttled = api.resend("NOBODY@example.org")
    assert throttled.status == 429 and throttled.headers["Retry-After"] == "60"
    assert aws.mail("nobody@example.org") == []


# -- no enumeration ----------------------------------------------------------------------------


def test_register_answers_alike_for_a_taken_address_and_warns_its_owner(api, aws):
    api.confirmed_account(ANN)
    with time_machine.travel("2030-01-01 00:00:00", tick=False):  # past the send limits
        taken = api.register(ANN, "Another-Password-77!")
        fresh = api.register("new@example.org", "Another-Password-77!")
    assert (
        (taken.status, sorted(taken.body))
        == (fresh.status, sorted(fresh.body))
        == (202, ["codeExpiresIn", "destination"])
    )
    notice = aws.mail(ANN)[-1]
    assert notice.subject == "Someone tried to create an account with your email"
    assert not any(ch.isdigit() for ch in notice.text)
    # The owner's password and status are untouched.
    user = aws.item("EMAIL#ann@example.org", "USER")
    assert user["status"]["S"] == "CONFIRMED"
    from portal.passwords import PasswordHasher

    assert PasswordHasher(19456, 2, 1).verify(user["passwordHash"]["S"], STRONG_PASSWORD)


def test_resend_and_verify_answer_alike_with_and_without_an_account(api, aws):
    api.register(ANN)
    with time_machine.travel("2030-01-01 00:00:00", tick=False):
        known, unknown = api.resend(ANN), api.resend("ghost@example.org")
        assert (known.status, sorted(known.body)) == (unknown.status, sorted(unknown.body))
        code = aws.last_code(ANN)
        a, b = api.verify(ANN, wrong(code)), api.verify("ghost@example.org", wrong(code))
    assert (a.status, a.error["code"], a.error["attemptsRemaining"]) == (
        b.status,
        b.error["code"],
        b.error["attemptsRemaining"],
    )
    never_asked = api.verify("never@example.org", "123456")
    assert never_asked.status == 400 and never_asked.error["code"] == "ExpiredCode"


def test_signing_up_again_while_unconfirmed_replaces_the_password_and_the_code(api, aws, distinct_codes):
    with time_machine.travel("2026-01-05 10:00:00", tick=False) as clock:
        api.register(ANN, "Squatter-Password-1!")
        squatter_code = aws.last_code(ANN)
        sub = aws.item("EMAIL#ann@example.org", "USER")["sub"]["S"]
        clock.shift(61)
        assert api.register(ANN, STRONG_PASSWORD, language="fr").status == 202
        owner_code = aws.last_code(ANN)
        assert squatter_code != owner_code
        assert api.verify(ANN, squatter_code).error["code"] == "CodeMismatch"
        assert api.verify(ANN, owner_code).body == {"status": "CONFIRMED"}
    user = aws.item("EMAIL#ann@example.org", "USER")
    from portal.passwords import PasswordHasher

    hasher = PasswordHasher(19456, 2, 1)
    assert hasher.verify(user["passwordHash"]["S"], STRONG_PASSWORD)
    assert not hasher.verify(user["passwordHash"]["S"], "Squatter-Password-1!")
    assert user["sub"]["S"] == sub and user["language"]["S"] == "fr"


# -- password policy ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "rules"),
    [
        ("short", ["minLength", "uppercase", "digit", "symbol"]),
        ("Has Spaces In It 9!", ["noWhitespace"]),
        ("alllowercase-9-x", ["uppercase"]),
        ("ALLUPPERCASE-9-X", ["lowercase"]),
        ("No-Digits-Here-At-All", ["digit"]),
        ("NoSymbolsHere12345", ["symbol"]),
        ("Ann-Password-1234!", ["containsEmail"]),
        ("A" + "b1!" * 43, ["maxLength"]),
    ],
)
def test_weak_passwords_are_refused_with_every_failed_rule_and_nothing_written(api, aws, password, rules):
    result = api.register(ANN, password)
    assert result.status == 400 and result.error["code"] == "InvalidPassword"
    assert result.error["failedRules"] == rules
    assert aws.items() == [] and aws.mail() == []


def test_common_passwords_are_refused(api, aws):
    result = api.register(ANN, "1qaz2wsx3edc")
    assert "common" in result.error["failedRules"]


# -- races ------------------------------------------------------------------------------------


def test_twenty_concurrent_signups_of_one_address_leave_one_account(api, aws):
    barrier = threading.Barrier(20)

    def sign_up(i: int) -> int:
        barrier.wait()
        return api.register(ANN.upper() if i % 2 else ANN, f"Parallel-Password-{i:02d}!").status

    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(sign_up, range(20)))
    users = [i for i in aws.items() if i["sk"]["S"] == "USER"]
    assert len(users) == 1
    assert statuses.count(202) == 1 and statuses.count(429) == 19
    assert len(aws.mail(ANN)) == 1


def test_fifty_concurrent_verifications_make_one_transition(api, aws, audit_log):
    api.register(ANN)
    code = aws.last_code(ANN)
    barrier = threading.Barrier(50)

    def verify(_: int):
        barrier.wait()
        result = api.verify(ANN, code)
        return result.status, result.body

    with ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(verify, range(50)))
    assert answers == [(200, {"status": "CONFIRMED"})] * 50
    assert audit_log.events().count("verified") == 1


# -- faults -------------------------------------------------------------------------------------


def fail(service: str, operation: str, code: str = "ServiceUnavailable"):
    """Make every call of `operation` on the function's own client fail like AWS would."""

    def raise_error(**_):
        raise ClientError({"Error": {"Code": code, "Message": "injected"}}, operation)

    client = services.client(service)
    client.meta.events.register(
        f"before-call.{client.meta.service_model.service_name}.{operation}", raise_error, unique_id="fault"
    )
    return lambda: client.meta.events.unregister(
        f"before-call.{client.meta.service_model.service_name}.{operation}", unique_id="fault"
    )


def test_mail_failure_is_503_and_the_person_can_ask_again_at_once(api, aws):
    heal = fail("sesv2", "SendEmail")
    failed = api.register(ANN)
    assert failed.status == 503 and failed.error["code"] == "ServiceUnavailable" and "Retry-After" in failed.headers
    heal()
    again = api.resend(ANN)
    assert again.status == 202
    assert api.verify(ANN, aws.last_code(ANN)).body == {"status": "CONFIRMED"}


def test_database_failure_is_503_and_nothing_is_written(api, aws):
    heal = fail("dynamodb", "TransactWriteItems", "ProvisionedThroughputExceededException")
    failed = api.register(ANN)
    assert failed.status == 503 and failed.error["code"] == "ServiceUnavailable"
    assert aws.items() == [] and aws.mail() == []
    heal()
    assert api.register(ANN).status == 202


def test_keys_unavailable_is_503(api, aws):
    heal = fail("secretsmanager", "GetSecretValue", "InternalServiceError")
    assert api.register(ANN).status == 503
    heal()
    assert api.register(ANN).status == 202
