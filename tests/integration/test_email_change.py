"""Change of email: a code to the new address, the account moves on verification, races lose."""

from __future__ import annotations

import threading

import time_machine

from tests.support import STRONG_PASSWORD

ANN, BOB, NEW = "ann@example.org", "bob@example.org", "ann.new@example.org"


def change(api, token, new_email, password=STRONG_PASSWORD):
    return api.call_as(token, "account_email_change", {"newEmail": new_email, "password": password})


def confirm(api, token, code):
    return api.call_as(token, "account_email_verify", {"code": code})


def test_the_account_moves_only_when_the_new_address_is_verified(api, aws, audit_log):
    api.confirmed_account(ANN)
    mine, other = api.tokens(ANN), api.tokens(ANN)
    requested = change(api, mine["accessToken"], "Ann.New@Example.org")
    assert requested.status == 202 and requested.body["destination"] == "A***@e***.org"
    code = aws.last_code(NEW)

    # Until verified, the old address is the login and the new one is nobody's.
    assert api.login(ANN).status == 200
    assert api.login(NEW).status == 401
    assert confirm(api, mine["accessToken"], "000000" if code != "000000" else "111111").status == 400

    done = confirm(api, mine["accessToken"], code)
    assert done.status == 200 and done.body["email"] == "Ann.New@example.org" and done.body["emailVerified"] is True
    assert aws.item(f"EMAIL#{ANN}", "USER") is None
    assert aws.item(f"EMAIL#{NEW}", "USER")["sub"]["S"] == done.body["sub"]
    assert api.login(ANN).status == 401 and api.login(NEW).status == 200

    # This session follows the account (refresh for a token with the new address); others end.
    renewed = api.refresh(mine["refreshToken"])
    assert renewed.status == 200
    assert api.call_as(renewed.body["accessToken"], "account_get").body["email"] == "Ann.New@example.org"
    assert api.authorize(other["accessToken"]) is None and api.refresh(other["refreshToken"]).status == 401

    notice = aws.mail(ANN)[-1]
    assert "changed" in notice.subject.lower() and code not in notice.text
    events = audit_log.events()
    assert "email_change_requested" in events and "email_changed" in events
    assert NEW not in audit_log.buffer.getvalue() and ANN not in audit_log.buffer.getvalue()


def test_the_new_address_must_be_free_and_the_password_right(api, aws):
    api.confirmed_account(ANN)
    api.confirmed_account(BOB)
    token = api.tokens(ANN)["accessToken"]
    taken = change(api, token, BOB)
    assert taken.status == 409 and taken.error["code"] == "AliasExists"
    wrong = change(api, token, NEW, "Wrong-Password-123!")
    assert wrong.status == 403 and wrong.error["code"] == "WrongPassword"
    same = change(api, token, "ANN@example.org")
    assert same.status == 400 and same.error["code"] == "InvalidParameter"
    assert change(api, token, "not an address").status == 400
    assert aws.item(f"EMAIL#{ANN}", "USER").get("pendingEmail") is None
    assert not aws.mail(NEW) and not aws.mail(BOB)[1:]


def test_an_address_taken_after_the_request_is_refused_at_verification(api, aws):
    with time_machine.travel("2026-01-05 10:00:00", tick=False) as clock:
        api.confirmed_account(ANN)
        token = api.tokens(ANN)["accessToken"]
        assert change(api, token, NEW).status == 202
        code = aws.last_code(NEW)
        clock.shift(120)
        assert api.register(NEW).status == 202  # someone signs up with it meanwhile
        refused = confirm(api, token, code)
    assert refused.status == 409 and refused.error["code"] == "AliasExists"
    assert aws.item(f"EMAIL#{ANN}", "USER")["sub"]["S"] != aws.item(f"EMAIL#{NEW}", "USER")["sub"]["S"]


def test_two_accounts_claiming_one_address_at_once_exactly_one_wins(api, aws):
    with time_machine.travel("2026-01-05 10:00:00", tick=True) as clock:
        api.confirmed_account(ANN)
        api.confirmed_account(BOB)
        tokens = [api.tokens(ANN)["accessToken"], api.tokens(BOB)["accessToken"]]
        codes = []
        for token in tokens:
            assert change(api, token, NEW).status == 202
            codes.append(aws.last_code(NEW))
            clock.shift(120)  # the new address's send limit: one code a minute
        barrier = threading.Barrier(2)
        results = {}

        def claim(index):
            barrier.wait()
            results[index] = confirm(api, tokens[index], codes[index])

        threads = [threading.Thread(target=claim, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    statuses = sorted(r.status for r in results.values())
    assert statuses == [200, 409]
    winner = next(i for i, r in results.items() if r.status == 200)
    owner = aws.item(f"EMAIL#{NEW}", "USER")["sub"]["S"]
    assert owner == results[winner].body["sub"]
    loser_address = (ANN, BOB)[1 - winner]
    assert aws.item(f"EMAIL#{loser_address}", "USER") is not None  # the loser keeps its address
    assert len([i for i in aws.items() if i["sk"]["S"] == "USER"]) == 2


def test_the_move_itself_is_conditional_on_the_new_address_being_free(api, aws):
    """Another account taking the address between the read and the write: the transaction alone refuses."""
    from dataclasses import replace

    import jwt
    import pytest

    from portal import services
    from portal.records import Conflict

    api.confirmed_account(ANN)
    access = api.tokens(ANN)["accessToken"]
    assert change(api, access, NEW).status == 202
    session_id = jwt.decode(access, options={"verify_signature": False})["sid"]
    store = services.store()
    ann = store.load_address(ANN).user
    record = store.load_address(NEW).email_changes[ann.sub]
    rival = replace(ann, sub="00000000-0000-4000-8000-000000000001", username=NEW, email=NEW, pending_email=None)
    from ops.accounts import OperatorAccounts

    OperatorAccounts(services.client("dynamodb"), services.settings().table_name).import_user(
        rival
    )  # wins the address first

    with pytest.raises(Conflict):
        store.move_account(ann, replace(ann, username=NEW, email=NEW, pending_email=None), record, session_id)
    assert store.load_address(NEW).user.sub == rival.sub
    assert store.load_address(ANN).user.sub == ann.sub
    assert store.load_address(NEW).email_changes[ann.sub].spent is False  # nothing of the move was written
    assert store.load_session(session_id).username == ANN  # nor the session's move


def test_a_retry_after_the_move_ends_the_other_sessions_only_with_the_same_code(api, aws):
    """The move is stored, then the request fails before the other sessions end (as if the
    function stopped there): the retry with the same code finishes; another code does not."""
    from dataclasses import replace

    import jwt

    from portal import services

    api.confirmed_account(ANN)
    mine, other = api.tokens(ANN), api.tokens(ANN)
    assert change(api, mine["accessToken"], NEW).status == 202
    code = aws.last_code(NEW)
    store = services.store()
    ann = store.load_address(ANN).user
    record = store.load_address(NEW).email_changes[ann.sub]
    moved = replace(
        ann, username=NEW, email=NEW, pending_email=None, email_verified=True, session_epoch=ann.session_epoch + 1
    )
    session_id = jwt.decode(mine["accessToken"], options={"verify_signature": False})["sid"]
    store.move_account(ann, moved, record, session_id)
    assert api.authorize(other["accessToken"]) is not None  # not ended yet: the failed attempt stopped

    wrong = confirm(api, mine["accessToken"], "000000" if code != "000000" else "111111")
    assert wrong.status == 401
    assert api.authorize(other["accessToken"]) is not None

    retried = confirm(api, mine["accessToken"], code)
    assert retried.status == 200 and retried.body["email"] == NEW
    assert api.authorize(other["accessToken"]) is None
    assert api.refresh(mine["refreshToken"]).status == 200  # this session followed the account
