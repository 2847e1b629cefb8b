"""Two-step sign-in with an authenticator app, end to end through the handlers on moto.

Codes are computed as an app computes them (RFC 6238 from the secret the enrolment answered), at
times set with time-machine: a code is accepted once, so each step of a walk uses a later one.
"""

from __future__ import annotations

import threading
import time

import pytest
import time_machine

from portal import totp
from portal.lockout import MAX_PER_WINDOW, WINDOW_SECONDS
from tests import secrets_watch
from tests.support import STRONG_PASSWORD

ANN = "ann@example.org"
START = 1_900_000_005.0  # 5 s into a 30 s step
NEW_PASSWORD = "Another-Strong-Pass-42!"


class App:
    """An authenticator app: the secret from the QR code, the code of the current step."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def code(self, offset_steps: int = 0) -> str:
        code = totp.code_at(self.secret, totp.step_of(time.time()) + offset_steps)
        secrets_watch.remember_secret(code)
        return code

    def wrong(self) -> str:
        """A 6-digit code no step near now has."""
        near = {self.code(s) for s in range(-3, 4)}
        return next(c for c in (f"{n:06d}" for n in range(1000)) if c not in near)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ann(api, clock):
    api.confirmed_account(ANN)
    return ANN


def access(api, email=ANN):
    return api.tokens(email)["accessToken"]


def enable(api, clock, token) -> tuple[App, list[str]]:
    enrolled = api.call_as(token, "account_mfa_totp_enrol", {"password": STRONG_PASSWORD})
    assert enrolled.status == 200, enrolled.body
    app = App(enrolled.body["secret"])
    confirmed = api.call_as(token, "account_mfa_totp_confirm", {"code": app.code()})
    assert confirmed.status == 200, confirmed.body
    clock.shift(30)  # the next code the app shows is a new one
    return app, confirmed.body["recoveryCodes"]


def challenge(api, email=ANN) -> str:
    result = api.login(email)
    assert result.status == 200 and set(result.body) == {"challenge", "session", "expiresIn"}, result.body
    return result.body["session"]


def second_step(api, session, code=None, recovery=None):
    body = {"session": session} | ({"code": code} if code is not None else {"recoveryCode": recovery})
    return api.call("auth_login_mfa", body)


def mfa_of(api, token):
    return api.call_as(token, "account_get").body["mfa"]


# -- turning it on ---------------------------------------------------------------------------------


def test_enrol_then_confirm_turns_two_step_on_with_ten_recovery_codes(api, aws, clock, ann, audit_log):
    token = access(api)
    assert mfa_of(api, token) == {"totp": False, "recoveryCodesLeft": 0}
    enrolled = api.call_as(token, "account_mfa_totp_enrol", {"password": STRONG_PASSWORD})
    assert enrolled.status == 200
    secret = enrolled.body["secret"]
    assert enrolled.body["otpauthUri"] == (
        f"otpauth://totp/NATO%20Multimedia:ann%40example.org?secret={secret}&issuer=NATO%20Multimedia"
    )
    assert enrolled.body["qrSvg"].startswith("<svg") and secret not in enrolled.body["qrSvg"]
    # Nothing changes at sign-in before the confirmation.
    assert mfa_of(api, token)["totp"] is False
    assert set(api.login(ANN).body) >= {"accessToken"}

    app = App(secret)
    wrong = api.call_as(token, "account_mfa_totp_confirm", {"code": app.wrong()})
    assert wrong.status == 400 and wrong.error["code"] == "CodeMismatch" and "attemptsRemaining" in wrong.error
    confirmed = api.call_as(token, "account_mfa_totp_confirm", {"code": app.code()})
    assert confirmed.status == 200
    codes = confirmed.body["recoveryCodes"]
    assert len(codes) == len(set(codes)) == 10
    assert mfa_of(api, token) == {"totp": True, "recoveryCodesLeft": 10}

    # Neither the secret nor any recovery code is in the table; the secret is sealed.
    stored = str(aws.items())
    assert secret not in stored and not any(c in stored or c.replace("-", "") in stored for c in codes)
    assert "v1.k1." in stored

    [notice] = [m for m in aws.mail(ANN) if m.subject == "Two-step verification is on"]
    assert "authenticator app" in notice.text
    assert {"mfa_enrolment_started", "mfa_enabled"} <= set(audit_log.events())


def test_the_notice_is_in_the_accounts_language(api, aws, clock):
    api.register("marie@example.org", language="fr")
    api.verify("marie@example.org", aws.last_code("marie@example.org"))
    enable(api, clock, access(api, "marie@example.org"))
    assert aws.mail("marie@example.org")[-1].subject == "La validation en deux étapes est activée"


def test_enrolment_needs_the_password_and_cannot_replace_a_confirmed_app(api, clock, ann):
    token = access(api)
    wrong = api.call_as(token, "account_mfa_totp_enrol", {"password": STRONG_PASSWORD + "x"})
    assert wrong.status == 403 and wrong.error["code"] == "WrongPassword"
    assert api.call_as(token, "account_mfa_totp_confirm", {"code": "123456"}).error["code"] == "ExpiredCode"
    enable(api, clock, token)
    again = api.call_as(token, "account_mfa_totp_enrol", {"password": STRONG_PASSWORD})
    assert again.status == 400 and again.error["code"] == "InvalidParameter"


def test_a_restarted_enrolment_voids_the_first_secret(api, clock, ann):
    token = access(api)
    first = App(api.call_as(token, "account_mfa_totp_enrol", {"password": STRONG_PASSWORD}).body["secret"])
    second = App(api.call_as(token, "account_mfa_totp_enrol", {"password": STRONG_PASSWORD}).body["secret"])
    assert first.secret != second.secret
    refused = api.call_as(token, "account_mfa_totp_confirm", {"code": first.code()})
    if first.code() != second.code():
        assert refused.error["code"] == "CodeMismatch"
    assert api.call_as(token, "account_mfa_totp_confirm", {"code": second.code()}).status == 200


# -- signing in ------------------------------------------------------------------------------------


def test_login_asks_for_the_code_and_the_code_gives_the_tokens(api, clock, ann, audit_log):
    app, _ = enable(api, clock, access(api))
    result = api.login(ANN)
    assert result.status == 200
    assert result.body["challenge"] == "TOTP" and result.body["expiresIn"] == 300
    assert "accessToken" not in result.body and "refreshToken" not in result.body
    session = result.body["session"]

    # The challenge is no bearer token and no refresh token.
    assert api.authorize(session) is None
    assert api.call_as(session, "account_get").status == 401
    assert api.refresh(session).status in (400, 401)

    passed = second_step(api, session, app.code())
    assert passed.status == 200 and set(passed.body) == {"accessToken", "refreshToken", "expiresIn", "tokenType"}
    assert api.call_as(passed.body["accessToken"], "account_get").status == 200
    assert api.refresh(passed.body["refreshToken"]).status == 200
    # The challenge is spent.
    clock.shift(30)
    again = second_step(api, session, app.code())
    assert again.status == 400 and again.error["code"] == "ExpiredCode"
    events = audit_log.events()
    assert {"mfa_challenge_issued", "mfa_challenge_passed", "login_succeeded"} <= set(events)


def test_a_used_code_is_refused_within_its_window(api, clock, ann):
    app, _ = enable(api, clock, access(api))
    code = app.code()
    assert second_step(api, challenge(api), code).status == 200
    clock.shift(20)  # still the same step
    replay = second_step(api, challenge(api), code)
    assert replay.status == 400 and replay.error["code"] == "CodeMismatch"
    # ... and so is the previous step's code, still within the skew.
    assert second_step(api, challenge(api), app.code(-1)).error["code"] == "CodeMismatch"
    clock.shift(10)
    assert second_step(api, challenge(api), app.code()).status == 200


@pytest.mark.parametrize(("skew", "accepted"), [(-2, False), (-1, True), (1, True), (2, False)])
def test_clock_skew_of_one_step_is_accepted_two_refused(api, clock, ann, skew, accepted):
    app, _ = enable(api, clock, access(api))
    clock.shift(90)
    result = second_step(api, challenge(api), app.code(skew))
    assert (result.status == 200) is accepted, result.body


def test_five_wrong_codes_kill_the_challenge_and_count_as_failed_logins(api, aws, clock, ann, audit_log):
    app, _ = enable(api, clock, access(api))
    session = challenge(api)
    remaining = []
    for _ in range(5):
        wrong = second_step(api, session, app.wrong())
        assert wrong.status == 400 and wrong.error["code"] == "CodeMismatch"
        remaining.append(wrong.error["attemptsRemaining"])
    assert remaining == [4, 3, 2, 1, 0]
    clock.shift(2)  # past the lockout's first wait
    dead = second_step(api, session, app.code())
    assert dead.status == 400 and dead.error["code"] == "ExpiredCode"
    assert audit_log.events().count("mfa_challenge_failed") == 6
    logins = aws.item("EMAIL#ann@example.org", "LOGINS")
    assert int(logins["consecutive"]["N"]) == 5
    # The lockout applies to the next password too: five failures in a row, then a wait.
    clock.shift(-2)
    throttled = api.login(ANN)
    assert throttled.status == 429 and throttled.error["code"] == "LimitExceeded"


def test_a_challenge_expires_after_five_minutes(api, clock, ann):
    app, _ = enable(api, clock, access(api))
    session = challenge(api)
    clock.shift(300)
    expired = second_step(api, session, app.code())
    assert expired.status == 400 and expired.error["code"] == "ExpiredCode"


@pytest.mark.parametrize("session", ["", "mfa_" + "A" * 43, "x" * 129, "not-a-session"])
def test_unknown_or_malformed_challenges(api, clock, ann, session):
    result = api.call("auth_login_mfa", {"session": session, "code": "123456"})
    assert result.status == 400 and result.error["code"] in ("ExpiredCode", "InvalidParameter")


@pytest.mark.parametrize(
    "body",
    [{"session": "mfa_x"}, {"session": "mfa_x", "code": "123456", "recoveryCode": "abcde-fghjk"}, {"code": "123456"}],
)
def test_exactly_one_of_code_and_recovery_code(api, body):
    result = api.call("auth_login_mfa", body)
    assert result.status == 400 and result.error["code"] == "InvalidParameter"


def test_a_recovery_code_signs_in_once(api, clock, ann, audit_log):
    app, codes = enable(api, clock, access(api))
    passed = second_step(api, challenge(api), recovery=codes[0].upper().replace("-", " "))
    assert passed.status == 200
    [used] = [line for line in audit_log.lines() if line.get("event") == "recovery_code_used"]
    assert used["left"] == 9
    assert mfa_of(api, passed.body["accessToken"]) == {"totp": True, "recoveryCodesLeft": 9}
    again = second_step(api, challenge(api), recovery=codes[0])
    assert again.status == 400 and again.error["code"] == "CodeMismatch"
    assert second_step(api, challenge(api), recovery=codes[1]).status == 200


def test_twenty_parallel_second_steps_with_one_code_one_succeeds(api, clock, ann):
    app, _ = enable(api, clock, access(api))
    sessions = []
    for _ in range(20):
        sessions.append(challenge(api))
    code = app.code()
    barrier = threading.Barrier(20)
    results = []

    def attempt(session):
        barrier.wait()
        results.append(second_step(api, session, code))

    threads = [threading.Thread(target=attempt, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 20
    assert sum(r.status == 200 for r in results) == 1, [r.body for r in results]
    assert all(r.status in (400, 429, 503) for r in results if r.status != 200)


def test_twenty_parallel_answers_to_one_challenge_one_succeeds(api, clock, ann):
    app, _ = enable(api, clock, access(api))
    session, code = challenge(api), app.code()
    barrier = threading.Barrier(20)
    results = []

    def attempt():
        barrier.wait()
        results.append(second_step(api, session, code))

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.status == 200 for r in results) == 1, [r.body for r in results]


def test_guessing_bound_per_account_and_hour(api, clock, ann):
    """Even with the password, at most MAX_PER_WINDOW (100) codes are checked in any hour: each
    guess hits one of the 3 live codes with probability 3/10^6, so at most 3 * 10^-4 an hour."""
    app, _ = enable(api, clock, access(api))
    started = time.time()
    checked = 0
    while time.time() - started < WINDOW_SECONDS:
        login = api.login(ANN)
        if login.status == 429:
            wait = login.error["retryAfter"]
            if time.time() + wait - started >= WINDOW_SECONDS:
                break
            clock.shift(wait)
            continue
        session = login.body["session"]
        for _ in range(5):
            guess = second_step(api, session, app.wrong())
            if guess.status == 429:
                break
            assert guess.error["code"] in ("CodeMismatch", "ExpiredCode")
            checked += guess.error["code"] == "CodeMismatch"
    assert checked == MAX_PER_WINDOW
    # Now even the right code is not checked until the oldest failure leaves the hour.
    refused = api.login(ANN)
    assert refused.status == 429 and refused.error["retryAfter"] > 60


# -- turning it off, new recovery codes, other flows -------------------------------------------------


def test_turning_it_off_needs_the_password_and_a_code(api, aws, clock, ann, audit_log):
    app, codes = enable(api, clock, access(api))
    token = second_step(api, challenge(api), app.code()).body["accessToken"]
    clock.shift(30)
    bad_password = api.call_as(token, "account_mfa_totp_delete", {"password": NEW_PASSWORD, "code": app.code()})
    assert bad_password.status == 403 and bad_password.error["code"] == "WrongPassword"
    clock.shift(2)
    bad_code = api.call_as(token, "account_mfa_totp_delete", {"password": STRONG_PASSWORD, "code": app.wrong()})
    assert bad_code.status == 400 and bad_code.error["code"] == "CodeMismatch"
    clock.shift(4)
    off = api.call_as(token, "account_mfa_totp_delete", {"password": STRONG_PASSWORD, "code": codes[5]})
    assert off.status == 204
    assert mfa_of(api, token) == {"totp": False, "recoveryCodesLeft": 0}
    assert "accessToken" in api.login(ANN).body
    assert aws.mail(ANN)[-1].subject == "Two-step verification is off"
    assert "mfa_disabled" in audit_log.events()
    # Off already: nothing to turn off.
    assert api.call_as(token, "account_mfa_totp_delete", {"password": STRONG_PASSWORD, "code": "123456"}).status == 400


def test_new_recovery_codes_void_the_old_ones(api, clock, ann):
    app, old = enable(api, clock, access(api))
    token = second_step(api, challenge(api), app.code()).body["accessToken"]
    clock.shift(30)
    renewed = api.call_as(token, "account_mfa_recovery_codes", {"password": STRONG_PASSWORD, "code": app.code()})
    assert renewed.status == 200 and len(renewed.body["recoveryCodes"]) == 10
    assert set(renewed.body["recoveryCodes"]).isdisjoint(old)
    assert second_step(api, challenge(api), recovery=old[0]).error["code"] == "CodeMismatch"
    assert second_step(api, challenge(api), recovery=renewed.body["recoveryCodes"][0]).status == 200


def test_a_password_reset_keeps_two_step_on_and_ends_open_challenges(api, aws, clock, ann):
    app, _ = enable(api, clock, access(api))
    before = challenge(api)
    clock.shift(60)  # the send budget: one mail a minute
    assert api.forgot(ANN).status == 202
    assert api.reset(ANN, aws.last_code(ANN), NEW_PASSWORD).status == 200
    assert second_step(api, before, app.code()).error["code"] == "ExpiredCode"
    after = api.login(ANN, NEW_PASSWORD)
    assert after.status == 200 and after.body["challenge"] == "TOTP"
    assert second_step(api, after.body["session"], app.code()).status == 200


def test_a_change_of_email_keeps_two_step_on(api, aws, clock, ann):
    app, _ = enable(api, clock, access(api))
    token = second_step(api, challenge(api), app.code()).body["accessToken"]
    new = "ann.new@example.org"
    asked = api.call_as(token, "account_email_change", {"newEmail": new, "password": STRONG_PASSWORD})
    assert asked.status == 202, asked.body
    assert api.call_as(token, "account_email_verify", {"code": aws.last_code(new)}).status == 200
    clock.shift(30)
    moved = api.login(new)
    assert moved.status == 200 and moved.body["challenge"] == "TOTP"
    assert second_step(api, moved.body["session"], app.code()).status == 200


# -- the operator ----------------------------------------------------------------------------------


def admin_run(*argv: str, answer: str = "") -> tuple[int, str, str]:
    import io

    from ops import admin

    out, err = io.StringIO(), io.StringIO()
    code = admin.main(
        [
            "--table",
            "portal-test",
            "--region",
            "eu-west-1",
            "--mail-sender",
            "NATO Multimedia <no-reply@multimedia.test>",
            "--keys-secret",
            "portal/test/keys",
            *argv,
        ],
        out=out,
        err=err,
        ask=lambda _prompt: answer,
    )
    return code, out.getvalue(), err.getvalue()


def test_operator_mfa_reset_turns_it_off_with_confirmation_and_audit(api, aws, clock, ann, audit_log):
    app, _ = enable(api, clock, access(api))
    open_challenge = challenge(api)
    assert admin_run("mfa-reset", ANN, "--reason", "ticket 42: lost phone and codes", answer="no")[0] == 1
    assert api.login(ANN).body["challenge"] == "TOTP"  # not confirmed: nothing done
    code, out, _ = admin_run("mfa-reset", ANN, "--reason", "ticket 42: lost phone and codes", answer="yes")
    assert code == 0 and "mfa-reset: done" in out
    [line] = [x for x in audit_log.lines() if x.get("event") == "mfa_reset_by_operator"]
    assert line["reason"] == "ticket 42: lost phone and codes" and line["operator"].startswith("arn:aws:")
    assert any(x.get("event") == "admin_action" and x.get("action") == "mfa-reset" for x in audit_log.lines())
    assert aws.mail(ANN)[-1].subject == "Two-step verification is off"
    # A challenge issued before the reset is dead; the next login gives tokens.
    assert second_step(api, open_challenge, app.code()).error["code"] == "ExpiredCode"
    assert "accessToken" in api.login(ANN).body
    # Nothing left to reset: refused (exit 1), and --email works as for every command.
    assert admin_run("mfa-reset", "--email", ANN, "--reason", "again", "--yes")[0] == 1


def test_a_session_opened_by_the_second_step_says_so_in_the_list_of_sessions(api, clock, ann):
    app, _ = enable(api, clock, access(api))
    token = second_step(api, challenge(api), app.code()).body["accessToken"]
    items = api.call_as(token, "account_sessions_list").body["items"]
    (current,) = [item for item in items if item["current"]]
    assert current["method"] == "password + app code"


FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


def device_notices(aws, device: str) -> list:
    return [m for m in aws.mail(ANN) if m.subject == "New sign-in to your NATO Multimedia account" and device in m.text]


def second_step_from(api, user_agent: str, code=None, recovery=None, ip="198.51.100.4"):
    """Both steps from one browser: the password's challenge, then the code, with its User-Agent."""
    first = api.call(
        "auth_login", {"email": ANN, "password": STRONG_PASSWORD}, headers={"User-Agent": user_agent}, source_ip=ip
    )
    assert first.status == 200 and "session" in first.body, first.body
    body = {"session": first.body["session"]} | ({"code": code} if code is not None else {"recoveryCode": recovery})
    return api.call("auth_login_mfa", body, headers={"User-Agent": user_agent}, source_ip=ip)


def test_a_new_device_signing_in_with_the_second_step_gets_one_notice_a_day(api, aws, clock, ann):
    app, codes = enable(api, clock, access(api))
    # The password alone opens no session: no notice for the challenge, nor for a wrong code.
    assert second_step_from(api, FIREFOX_WINDOWS, app.wrong()).status == 400
    assert device_notices(aws, "Firefox on Windows") == []

    assert second_step_from(api, FIREFOX_WINDOWS, app.code()).status == 200
    [notice] = device_notices(aws, "Firefox on Windows")
    assert "198.51.100.4" in notice.text and "Reset your password" in notice.text

    # The same device again (a later code, an hour on): known now, no second notice.
    clock.shift(3600)
    assert second_step_from(api, FIREFOX_WINDOWS, app.code()).status == 200
    assert len(device_notices(aws, "Firefox on Windows")) == 1
    # Two days on: the once-a-day claim has lapsed, but the second step recorded the device as seen.
    clock.shift(2 * 86400)
    assert second_step_from(api, FIREFOX_WINDOWS, app.code()).status == 200
    assert len(device_notices(aws, "Firefox on Windows")) == 1

    # Another device, with a recovery code: its own notice.
    assert second_step_from(api, SAFARI_IPHONE, recovery=codes[0], ip="203.0.113.9").status == 200
    [phone] = device_notices(aws, "Mobile Safari on iOS")
    assert "203.0.113.9" in phone.text
