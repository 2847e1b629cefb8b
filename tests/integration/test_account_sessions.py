"""Where one is signed in, through the handlers on moto: listing, ending one session (and not
someone else's), lastUsedAt moved by refresh, and the new-device notice once per device and day."""

from __future__ import annotations

import time

import pytest
import time_machine

from tests.support import STRONG_PASSWORD

ANN, BOB = "ann@example.org", "bob@example.org"
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
FIREFOX_WINDOWS_NEXT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
T0 = 1_800_000_000
DAY = 86400


@pytest.fixture
def ann(api):
    api.confirmed_account(ANN)
    return ANN


def sign_in(api, email: str, user_agent: str = FIREFOX_WINDOWS, ip: str = "203.0.113.7") -> dict:
    result = api.call(
        "auth_login", {"email": email, "password": STRONG_PASSWORD}, headers={"User-Agent": user_agent}, source_ip=ip
    )
    assert result.status == 200, result.body
    return result.body


def listed(api, pair: dict) -> list[dict]:
    answer = api.call_as(pair["accessToken"], "account_sessions_list")
    assert answer.status == 200, answer.body
    return answer.body["items"]


def end(api, pair: dict, session_id: str):
    return api.call_as(pair["accessToken"], "account_sessions_delete", path_params={"sessionId": session_id})


def session_id(api, pair: dict) -> str:
    import jwt

    return jwt.decode(pair["accessToken"], options={"verify_signature": False})["sid"]


def notices(aws, email: str) -> list:
    return [m for m in aws.mail(email) if m.subject == "New sign-in to your NATO Multimedia account"]


def test_the_list_shows_each_live_session_with_its_device_and_marks_this_one(api, ann):
    with time_machine.travel(T0, tick=False) as clock:
        laptop = sign_in(api, ANN, FIREFOX_WINDOWS, "198.51.100.4")
        clock.shift(60)
        phone = sign_in(api, ANN, SAFARI_IPHONE, "203.0.113.9")
        items = listed(api, laptop)
    assert [i["current"] for i in items] == [True, False]
    here, other = items
    assert here["id"] == session_id(api, laptop) and other["id"] == session_id(api, phone)
    assert (here["device"], here["ip"], here["method"]) == ("Firefox on Windows", "198.51.100.4", "password")
    assert (other["device"], other["ip"]) == ("Mobile Safari on iOS", "203.0.113.9")
    assert here["createdAt"] == here["lastUsedAt"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(T0))


def test_refresh_moves_last_used_at(api, ann):
    with time_machine.travel(T0, tick=False) as clock:
        pair = sign_in(api, ANN)
        clock.shift(3600)
        refreshed = api.refresh(pair["refreshToken"])
        assert refreshed.status == 200
        [item] = listed(api, refreshed.body)
    assert item["createdAt"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(T0))
    assert item["lastUsedAt"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(T0 + 3600))


def test_ended_and_logged_out_sessions_are_not_listed(api, ann):
    first, second, third = sign_in(api, ANN), sign_in(api, ANN), sign_in(api, ANN)
    assert api.call_as(second["accessToken"], "auth_logout", {"allDevices": False}).status == 204
    assert {i["id"] for i in listed(api, first)} == {session_id(api, first), session_id(api, third)}
    assert api.call_as(first["accessToken"], "auth_logout", {"allDevices": True}).status == 204
    fresh = sign_in(api, ANN)
    assert [i["id"] for i in listed(api, fresh)] == [session_id(api, fresh)]


def test_ending_another_session_kills_its_refresh_at_once_and_its_access_token(api, ann, audit_log):
    here, there = sign_in(api, ANN), sign_in(api, ANN, SAFARI_IPHONE)
    there_id = session_id(api, there)
    assert end(api, here, there_id).status == 204
    assert api.refresh(there["refreshToken"]).status == 401
    # The local runner and these tests do not cache the authorizer; deployed, API Gateway may
    # serve a cached allow for up to authorizer_cache_seconds (at most 300 s).
    assert api.authorize(there["accessToken"]) is None
    assert [i["id"] for i in listed(api, here)] == [session_id(api, here)]
    [line] = [entry for entry in audit_log.lines() if entry.get("event") == "session_ended"]
    assert line["sessionId"] == there_id and line["current"] is False
    # Ending it again is no error (it is still Ann's), and ending one's own session is a logout.
    assert end(api, here, there_id).status == 204
    assert end(api, here, session_id(api, here)).status == 204
    assert api.refresh(here["refreshToken"]).status == 401


def test_someone_elses_session_is_404_and_stays_alive(api, ann):
    api.confirmed_account(BOB)
    anns, bobs = sign_in(api, ANN), sign_in(api, BOB)
    bob_id = session_id(api, bobs)
    for target in (bob_id, "0" * 32, "not-a-session", bob_id.upper()):
        answer = end(api, anns, target)
        assert answer.status == 404 and answer.error["code"] == "NotFound", target
    assert api.authorize(bobs["accessToken"]) is not None and api.refresh(bobs["refreshToken"]).status == 200
    assert bob_id not in {i["id"] for i in listed(api, anns)}


def test_signed_out_callers_are_refused(api, ann):
    pair = sign_in(api, ANN)
    assert api.call_as(None, "account_sessions_list").status == 401
    api.call_as(pair["accessToken"], "auth_logout", {"allDevices": True})
    assert api.call_as(pair["accessToken"], "account_sessions_list").status == 401
    assert end(api, pair, session_id(api, sign_in(api, ANN))).status == 401


def test_a_new_device_gets_one_notice_a_day_and_a_known_one_none(api, ann, aws):
    with time_machine.travel(T0, tick=False) as clock:
        sign_in(api, ANN, FIREFOX_WINDOWS, "198.51.100.4")
        [notice] = notices(aws, ANN)
        assert "Firefox on Windows" in notice.text and "198.51.100.4" in notice.text
        assert "Reset your password" in notice.text
        # The same browser again, even after an update: known, no notice.
        clock.shift(3600)
        sign_in(api, ANN, FIREFOX_WINDOWS_NEXT)
        assert len(notices(aws, ANN)) == 1
        # Another device: its own notice.
        sign_in(api, ANN, SAFARI_IPHONE)
        assert len(notices(aws, ANN)) == 2
        # 89 days later the laptop is still known; 91 days after its last sign-in it is new again.
        clock.shift(89 * DAY)
        sign_in(api, ANN, FIREFOX_WINDOWS)
        assert len(notices(aws, ANN)) == 2
        clock.shift(91 * DAY)
        sign_in(api, ANN, FIREFOX_WINDOWS)
        assert len(notices(aws, ANN)) == 3


def test_the_notice_is_in_the_account_language(api, aws):
    assert api.register(ANN, language="fr").status == 202
    assert api.verify(ANN, aws.last_code(ANN)).status == 200
    sign_in(api, ANN, SAFARI_IPHONE)
    [notice] = [m for m in aws.mail(ANN) if m.subject == "Nouvelle connexion à votre compte multimédia de l'OTAN"]
    assert "Mobile Safari sous iOS" in notice.text and "Réinitialisez votre mot de passe" in notice.text


def test_parallel_sign_ins_from_one_new_device_send_one_notice(api, ann, aws):
    import threading

    barrier = threading.Barrier(4)
    results = []

    def attempt():
        barrier.wait()
        results.append(
            api.call(
                "auth_login",
                {"email": ANN, "password": STRONG_PASSWORD},
                headers={"User-Agent": SAFARI_IPHONE},
            ).status
        )

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 4 and len(notices(aws, ANN)) == 1


def test_the_operator_export_holds_the_sessions_devices_and_addresses(api, ann):
    import io
    import json

    from ops import admin

    with time_machine.travel(T0, tick=False):
        sign_in(api, ANN, FIREFOX_WINDOWS, "198.51.100.4")
        out = io.StringIO()
        code = admin.main(
            ["--table", "portal-test", "--region", "eu-west-1", "export", "--email", ANN, "--reason", "subject access"],
            out=out,
            err=io.StringIO(),
        )
    assert code == 0
    document = json.loads(out.getvalue())
    [session] = [s for s in document["sessions"] if s["userAgent"] == FIREFOX_WINDOWS]
    assert session["ip"] == "198.51.100.4" and session["method"] == "password"
    assert {"lastSeenAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(T0))} in document["devices"]
