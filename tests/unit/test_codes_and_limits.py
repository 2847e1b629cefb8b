from __future__ import annotations

from dataclasses import replace

from portal import codes
from portal.codes import CodeRecord, Outcome, Purpose
from portal.limits import SendLog

KEY = b"k" * 32
NOW = 1_800_000_000


def issued() -> tuple[str, CodeRecord]:
    return codes.issue("k1", KEY, Purpose.VERIFY_EMAIL, "ann@example.org", NOW)


def test_codes_are_six_digits_and_vary():
    drawn = {codes.new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in drawn)
    assert len(drawn) > 190


def test_the_digest_binds_key_purpose_address_and_code():
    base = codes.digest(KEY, Purpose.VERIFY_EMAIL, "ann@example.org", "123456")
    assert base != codes.digest(KEY, Purpose.RESET_PASSWORD, "ann@example.org", "123456")
    assert base != codes.digest(KEY, Purpose.VERIFY_EMAIL, "bob@example.org", "123456")
    assert base != codes.digest(KEY, Purpose.VERIFY_EMAIL, "ann@example.org", "123457")
    assert base != codes.digest(b"x" * 32, Purpose.VERIFY_EMAIL, "ann@example.org", "123456")


def test_outcomes():
    code, record = issued()
    user = "ann@example.org"
    other = f"{(int(code) + 1) % 10**6:06d}"
    assert codes.check(record, KEY, user, code, NOW + 1799) is Outcome.MATCH
    assert codes.check(record, KEY, user, other, NOW) is Outcome.MISMATCH
    assert codes.check(record, KEY, user, code, NOW + 1800) is Outcome.EXPIRED
    assert codes.check(None, KEY, user, code, NOW) is Outcome.EXPIRED
    assert codes.check(record, None, user, code, NOW) is Outcome.EXPIRED  # its key was retired
    locked = replace(record, attempts=5)
    assert codes.check(locked, KEY, user, code, NOW) is Outcome.LOCKED
    spent = replace(record, spent=True)
    assert codes.check(spent, KEY, user, code, NOW) is Outcome.SPENT_MATCH
    assert codes.check(spent, KEY, user, other, NOW) is Outcome.MISMATCH


def test_one_send_a_minute():
    log = SendLog().with_send(NOW)
    assert log.wait_before_next(NOW) == 60
    assert log.wait_before_next(NOW + 59) == 1
    assert log.wait_before_next(NOW + 60) == 0


def test_five_sends_an_hour():
    log = SendLog()
    for i in range(5):
        log = log.with_send(NOW + 100 * i)
    assert log.wait_before_next(NOW + 500) == 3600 - 500
    assert log.wait_before_next(NOW + 3600) == 0
    assert log.with_send(NOW + 3600).recent(NOW + 3600) == (NOW + 100, NOW + 200, NOW + 300, NOW + 400, NOW + 3600)


def test_refund_gives_back_one_send_and_bumps_the_version():
    log = SendLog().with_send(NOW)
    refunded = log.without_send(NOW)
    assert refunded.sent_at == () and refunded.version == log.version + 1
    assert refunded.wait_before_next(NOW) == 0
