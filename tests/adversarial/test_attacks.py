"""Concurrency, brute force, enumeration (status and body shape) and input limits.

Through the handlers in-process on moto (the `api` fixture); moto's request handling is
serialized (local.emulation.make_requests_atomic) because moto is not thread-safe, as each
DynamoDB request is atomic. Earlier tests that already prove a part are named in
docs/adversarial.md; this file fills the gaps.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine

from portal import codes, limits
from tests.secrets_watch import remember_secret
from tests.support import CODE_IN_TEXT, STRONG_PASSWORD, api_event, invoke, shape

ANN = "ann@example.org"
WRONG_PASSWORD = "Wrong-Password-Guess-1!"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# -- concurrency --------------------------------------------------------------------------------


def test_fifty_parallel_signups_of_one_address_leave_one_account(api, aws):
    barrier = threading.Barrier(50)

    def sign_up(i: int) -> int:
        barrier.wait()
        return api.register(ANN.upper() if i % 2 else ANN, f"Parallel-Password-{i:02d}!").status

    with ThreadPoolExecutor(50) as pool:
        statuses = list(pool.map(sign_up, range(50)))
    assert [i for i in aws.items() if i["sk"]["S"] == "USER"] and len(
        [i for i in aws.items() if i["sk"]["S"] == "USER"]
    ) == 1
    assert statuses.count(202) == 1 and statuses.count(429) == 49
    assert len(aws.mail(ANN)) == 1


# -- brute force ------------------------------------------------------------------------------


def test_an_hour_of_guessing_codes_at_one_address_judges_at_most_25_guesses(api, aws):
    """Five codes an hour, five tries each: at most 25 guesses judged per address and hour against
    a code that was sent. Once the last one has expired, guesses meet a decoy nobody was sent
    (answered alike, so the answer does not tell whether a code was asked for lately)."""
    judged = at_decoys = 0
    with time_machine.travel("2026-01-05 10:00:00", tick=False) as clock:
        api.register(ANN)
        last_sent = 0
        for minute in range(60):
            for _ in range(codes.MAX_ATTEMPTS + 1):
                answer = api.verify(ANN, "000000" if aws.last_code(ANN) != "000000" else "000001").error["code"]
                assert answer in ("CodeMismatch", "TooManyFailedAttempts")
                if answer == "CodeMismatch":
                    if (minute - last_sent) * 60 < codes.LIFETIME_SECONDS:
                        judged += 1
                    else:
                        at_decoys += 1
            clock.shift(60)
            if api.resend(ANN).status == 202:  # as often as the limits let it: 429 most of the hour
                last_sent = minute + 1
    assert judged == limits.MAX_PER_WINDOW * codes.MAX_ATTEMPTS == 25
    assert at_decoys == codes.MAX_ATTEMPTS  # one decoy, from the first guess after the last code died
    assert aws.item("EMAIL#ann@example.org", "USER")["status"]["S"] == "UNCONFIRMED"


# -- enumeration --------------------------------------------------------------------------------


@pytest.fixture
def people(api, aws):
    """A confirmed account, an unconfirmed one, and addresses nobody has."""
    api.confirmed_account("known@example.org")
    api.register("pending@example.org")
    return {"confirmed": "known@example.org", "unconfirmed": "pending@example.org"}


def attempts(api, aws, route: str, email: str, n: int):
    """The request of `route` for `email` as an attacker would send it, ready to repeat."""
    if route == "register":
        return lambda: api.register(email, "Attacker-Password-7!")
    if route == "resend":
        return lambda: api.resend(email)
    if route == "forgot":
        return lambda: api.forgot(email)
    if route == "login":
        return lambda: api.login(email, WRONG_PASSWORD)
    if route == "verify":
        return lambda: api.verify(email, "000000")
    return lambda: api.reset(email, "000000", "Attacker-Password-7!")


ROUTES = ("register", "resend", "verify", "forgot", "reset", "login")


@pytest.mark.parametrize("kind", ["confirmed", "unconfirmed"])
@pytest.mark.parametrize("route", ROUTES)
def test_an_address_with_an_account_answers_like_one_without(api, aws, people, route, kind):
    with time_machine.travel("2030-01-01 00:00:00", tick=False):  # past every limit of the setup
        if route in ("verify", "reset"):  # both addresses were sent a code (a decoy for nobody)
            send = api.resend if route == "verify" else api.forgot
            assert send(people[kind]).status == send("nobody@example.org").status == 202
        known = attempts(api, aws, route, people[kind], 1)()
        unknown = attempts(api, aws, route, "nobody@example.org", 1)()
    if route == "login" and kind == "unconfirmed":
        assert known.status == unknown.status == 401  # a wrong password says nothing either way
    assert (known.status, shape(known.body)) == (unknown.status, shape(unknown.body)), route
    assert set(known.headers) == set(unknown.headers)


# Timing: tests/adversarial/test_equal_work.py proves both branches do the same work; the times
# themselves are a figure of `make bench` (bench/enumeration.py), never an assertion here.


# -- input limits -------------------------------------------------------------------------------

REGISTER = "/v1/account/register"


def test_a_one_megabyte_body_is_refused_unread(api, aws):
    body = json.dumps({"email": ANN, "password": "A-1" + "x" * (1024 * 1024)})
    result = invoke(api.handlers["account_register"], api_event("POST", REGISTER, raw_body=body))
    assert result.status == 413 and aws.items() == []


@pytest.mark.parametrize("depth", [100, 10_000, 100_000])
def test_deeply_nested_json_is_a_4xx(api, aws, depth):
    body = '{"email": ' * depth + '"a@b.org"' + "}" * depth
    result = invoke(api.handlers["account_register"], api_event("POST", REGISTER, raw_body=body))
    assert 400 <= result.status < 500 and aws.items() == []


def test_nfc_and_nfd_spellings_of_an_address_are_one_account(api, aws):
    nfc = unicodedata.normalize("NFC", "zoe@exämple.org")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    assert api.register(nfd).status == 202
    [mail] = aws.mail()  # the mail goes to the address as typed
    code = CODE_IN_TEXT.search(mail.text).group(1)
    remember_secret(code)
    assert api.verify(nfc, code).status == 200
    assert api.login(nfc).status == 200
    assert len([i for i in aws.items() if i["sk"]["S"] == "USER"]) == 1


def test_nfc_and_nfd_spellings_of_a_password_are_one_password(api, aws):
    password = unicodedata.normalize("NFC", "Crème-Brûlée-2024!")
    api.confirmed_account(ANN, unicodedata.normalize("NFD", password))
    assert api.login(ANN, password).status == 200


def test_a_confusable_address_is_another_address(api, aws):
    api.confirmed_account(ANN)
    cyrillic = "\u0430nn@example.org"  # Cyrillic a
    result = api.register(cyrillic)
    assert result.status in (202, 400)
    assert aws.item("EMAIL#ann@example.org", "USER")["status"]["S"] == "CONFIRMED"
    assert api.login(cyrillic).status in (401, 403)  # its own unconfirmed account at most, never the owner's


def test_an_internationalized_domain_signs_up_and_its_mail_goes_out_in_punycode(api, aws):
    assert api.register("ann@пример.рф").status == 202
    [mail] = aws.mail()
    assert mail.to == "ann@xn--e1afmkfd.xn--p1ai"  # the only form SES takes
    assert api.verify("ann@ПРИМЕР.РФ", aws.last_code("ann@пример.рф")).status == 200
    assert api.login("ann@xn--e1afmkfd.xn--p1ai").status == 200  # the punycode spelling is the same account
    assert aws.item("EMAIL#ann@пример.рф", "USER")["status"]["S"] == "CONFIRMED"


@pytest.mark.parametrize("address", ["zoë@example.org", "straße@example.org", "ıan@example.org"])
def test_an_address_ses_cannot_take_is_refused_at_sign_up_and_nothing_is_written(api, aws, address):
    result = api.register(address)
    assert result.status == 400 and result.error["code"] == "InvalidParameter"
    assert result.error["fields"][0]["field"] == "email"
    assert aws.items() == [] and aws.mail() == []


@pytest.mark.parametrize(
    ("owner", "other"),
    [("ann@straße.de", "ann@strasse.de"), ("ann@σίσυφος.gr", "ann@σίσυφοσ.gr"), ("ann@ıstanbul.tr", "ann@istanbul.tr")],
)
def test_addresses_at_distinct_domains_are_distinct_accounts(api, aws, owner, other):
    api.confirmed_account(owner)
    assert api.register(other, "Other-Person-Password-7!").status == 202
    assert len([i for i in aws.items() if i["sk"]["S"] == "USER"]) == 2
    assert api.login(owner).status == 200 and api.login(other, "Other-Person-Password-7!").status == 403


# Control and invisible characters: CR/LF (header and log injection), NUL, right-to-left marks.
HOSTILE = ["\r\nBcc: all@example.org", '\n{"event": "verified"}', "\x00", "\u202e", "\u200f"]
STRING_FIELDS = {
    "account_register": {"email": ANN, "password": STRONG_PASSWORD},
    "account_verify": {"email": ANN, "code": "123456", "password": STRONG_PASSWORD},
    "account_verify_resend": {"email": ANN},
    "auth_login": {"email": ANN, "password": STRONG_PASSWORD},
    "auth_refresh": {"refreshToken": "a" * 40},
    "password_forgot": {"email": ANN},
    "password_reset": {"email": ANN, "code": "123456", "newPassword": STRONG_PASSWORD},
    "auth_login_mfa": {"session": "mfa_" + "a" * 43, "code": "123456"},
    "auth_passkey": {
        "session": "a" * 43,
        "credential": {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}},
    },
}
CASES = [(m, f, h) for m, body in STRING_FIELDS.items() for f, v in body.items() if isinstance(v, str) for h in HOSTILE]


@pytest.mark.parametrize(
    ("module", "field", "hostile"), CASES, ids=[f"{m}.{f}.{HOSTILE.index(h)}" for m, f, h in CASES]
)
def test_control_characters_in_every_string_field_are_a_4xx_and_write_nothing(
    api, aws, audit_log, module, field, hostile
):
    body = dict(STRING_FIELDS[module])
    body[field] = body[field][:3] + hostile + body[field][3:]
    result = api.call(module, body)
    assert 400 <= result.status < 500, (module, field, result.status, result.body)
    assert hostile not in json.dumps(result.body, ensure_ascii=False)
    assert not any("\r" in v or "\n" in v for v in result.headers.values())
    # A sign-in with an odd password is a wrong password: it is counted, so that odd characters
    # cannot dodge the lockout; nothing else is written.
    counted = [("LOGINS",)] if (module, field) == ("auth_login", "password") else []
    assert [(i["sk"]["S"],) for i in aws.items()] == counted and aws.mail() == []
    for line in audit_log.buffer.getvalue().splitlines():
        json.loads(line)  # one JSON object per line: nothing injected a line of its own
