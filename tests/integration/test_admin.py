"""`portal-admin` against moto: every command, its audit line, confirmations and exit codes."""

from __future__ import annotations

import io
import json
import re

import pytest
import time_machine

from ops import admin
from tests.support import STRONG_PASSWORD
from tests.videos_support import principal_of, record, seed

OPTIONS = ["--table", "portal-test", "--region", "eu-west-1"]
ANN, BOB, CY = "ann@example.org", "bob@example.org", "cy@example.org"


def run(*argv: str, answer: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = admin.main([*OPTIONS, *argv], out=out, err=err, ask=lambda _prompt: answer)
    return code, out.getvalue(), err.getvalue()


def sub_of(aws, email: str) -> str:
    return aws.item(f"EMAIL#{email}", "USER")["sub"]["S"]


def actions(audit_log) -> list[dict]:
    return [line for line in audit_log.lines() if line.get("event") == "admin_action"]


def test_find_by_email_or_sub_and_unknown_is_refused(api, aws):
    api.confirmed_account(ANN)
    sub = sub_of(aws, ANN)
    code, out, _ = run("--json", "find", "--email", "Ann@Example.org")
    assert code == 0 and json.loads(out)["sub"] == sub and json.loads(out)["status"] == "CONFIRMED"
    code, out, _ = run("find", "--sub", sub)
    assert code == 0 and out.splitlines()[0].split()[:3] == ["sub", "email", "status"] and sub in out
    assert run("find", "--email", "ghost@example.org")[:2] == (1, "")
    assert run("find", "--sub", "00000000-0000-0000-0000-000000000000")[0] == 1


def test_list_pages_and_filters_by_status_and_creation(api, aws):
    for address in (ANN, BOB, CY):
        api.confirmed_account(address)
    api.register("dan@example.org")
    seen, cursor = [], None
    while True:
        code, out, _ = run("--json", "list", "--limit", "2", *(["--cursor", cursor] if cursor else []))
        assert code == 0
        page = json.loads(out)
        assert len(page["users"]) <= 2
        seen += [u["email"] for u in page["users"]]
        cursor = page["cursor"]
        if not cursor:
            break
    assert sorted(seen) == [ANN, BOB, CY, "dan@example.org"]

    code, out, _ = run("--json", "list", "--status", "UNCONFIRMED")
    assert [u["email"] for u in json.loads(out)["users"]] == ["dan@example.org"]
    assert json.loads(run("--json", "list", "--created-from", "2999-01-01")[1])["users"] == []
    assert len(json.loads(run("--json", "list", "--created-to", "2999-01-01")[1])["users"]) == 4
    assert run("list", "--cursor", "bm9wZQ")[0] == 1


def test_disable_ends_sessions_and_refuses_login_until_enabled(api, aws, audit_log):
    api.confirmed_account(ANN)
    tokens = api.tokens(ANN)
    code, _, err = run("disable", "--email", ANN, "--reason", "ticket 1")
    assert code == 1 and "nothing done" in err  # no --yes and no "yes" typed
    assert api.authorize(tokens["accessToken"]) is not None

    assert run("disable", "--email", ANN, "--reason", "ticket 1", answer="yes")[0] == 0
    assert api.authorize(tokens["accessToken"]) is None
    assert api.refresh(tokens["refreshToken"]).status == 401
    assert api.login(ANN).status == 401

    assert run("enable", "--email", ANN, "--reason", "ticket 2")[0] == 0
    assert api.login(ANN).status == 200
    [disable, enable] = actions(audit_log)
    assert disable["action"] == "disable" and disable["reason"] == "ticket 1" and disable["sub"] == sub_of(aws, ANN)
    assert disable["operator"].startswith("arn:aws:") and enable["action"] == "enable"
    assert ANN not in audit_log.buffer.getvalue()


def test_sign_out_everywhere(api, aws, audit_log):
    api.confirmed_account(ANN)
    first, second = api.tokens(ANN), api.tokens(ANN)
    assert run("sign-out", "--sub", sub_of(aws, ANN), "--reason", "lost phone", "--yes")[0] == 0
    assert api.authorize(first["accessToken"]) is None and api.authorize(second["accessToken"]) is None
    assert api.refresh(second["refreshToken"]).status == 401
    assert api.login(ANN).status == 200
    assert [a["action"] for a in actions(audit_log)] == ["sign-out"]


def test_require_reset_then_login_is_403_until_the_password_is_reset(api, aws):
    with time_machine.travel("2026-01-05 10:00:00", tick=False):
        api.confirmed_account(ANN)
    tokens = api.tokens(ANN)
    assert run("require-reset", "--email", ANN, "--reason", "breach", "--yes")[0] == 0
    assert api.authorize(tokens["accessToken"]) is None
    refused = api.login(ANN)
    assert refused.status == 403 and refused.error["code"] == "PasswordResetRequired"
    assert api.login(ANN, "Wrong-Password-123!").status == 401  # a wrong password still tells nothing

    assert api.forgot(ANN).status == 202
    new_password = "Another-Strong-Pass-7"
    assert api.reset(ANN, aws.last_code(ANN), new_password).status == 200
    assert aws.item(f"EMAIL#{ANN}", "USER")["status"]["S"] == "CONFIRMED"
    assert api.login(ANN, new_password).status == 200


def test_require_reset_of_an_unconfirmed_account_is_refused(api, aws):
    api.register(ANN)
    code, _, err = run("require-reset", "--email", ANN, "--reason", "x", "--yes")
    assert code == 1 and "not confirmed" in err
    assert aws.item(f"EMAIL#{ANN}", "USER")["status"]["S"] == "UNCONFIRMED"


def test_resend_code_only_for_unconfirmed_accounts(api, aws, audit_log):
    with time_machine.travel("2026-01-05 10:00:00", tick=False):
        api.register(ANN)
    api.confirmed_account(BOB)
    before = len(aws.mail(ANN))
    assert (
        run(
            "--mail-sender",
            "no-reply@multimedia.test",
            "--keys-secret",
            "portal/test/keys",
            "resend-code",
            "--email",
            ANN,
            "--reason",
            "user asked",
        )[0]
        == 0
    )
    assert len(aws.mail(ANN)) == before + 1
    assert api.verify(ANN, aws.last_code(ANN)).status == 200
    code, _, err = run("--mail-sender", "no-reply@multimedia.test", "resend-code", "--email", BOB, "--reason", "x")
    assert code == 1 and "CONFIRMED" in err
    assert [a["action"] for a in actions(audit_log)] == ["resend-code"]


def test_delete_has_the_effects_of_self_service_deletion(api, aws, audit_log):
    api.confirmed_account(ANN)
    tokens = api.tokens(ANN)
    sub = sub_of(aws, ANN)
    assert (
        run("--mail-sender", "no-reply@multimedia.test", "delete", "--email", ANN, "--reason", "GDPR erasure", "--yes")[
            0
        ]
        == 0
    )
    assert aws.item(f"EMAIL#{ANN}", "USER") is None
    assert api.authorize(tokens["accessToken"]) is None
    assert not [i for i in aws.items() if i["pk"]["S"].startswith("SESSION#") and i["sk"]["S"] == "SESSION"]
    assert "deleted" in aws.mail(ANN)[-1].subject.lower()
    assert "account_deleted" in audit_log.events()
    [deleted] = actions(audit_log)
    assert deleted["action"] == "delete" and deleted["sub"] == sub and deleted["reason"] == "GDPR erasure"


def test_export_holds_everything_but_secrets(api, aws, audit_log):
    seed([record("first", "2025-01-01T00:00:00Z")])
    api.confirmed_account(ANN)
    api.call("newsletter_update", {"subscribed": True, "language": "fr"}, principal=principal_of(aws, ANN))
    api.tokens(ANN)
    assert (
        api.call(
            "videos_download",
            {"rendition": "audio"},
            principal=principal_of(aws, ANN),
            path_params={"videoId": "first"},
        ).status
        == 200
    )
    code, out, _ = run("export", "--email", ANN, "--reason", "data access request 7")
    assert code == 0
    document = json.loads(out)
    assert document["profile"]["email"] == ANN and document["profile"]["sub"] == sub_of(aws, ANN)
    assert document["consents"]["newsletter"]["subscribed"] is True
    assert len(document["sessions"]) == 1 and set(document["sessions"][0]) == {
        "sessionId",
        "createdAt",
        "expiresAt",
        "revoked",
    }
    assert [c["purpose"] for c in document["codes"]] == ["VERIFY_EMAIL"] and document["codes"][0]["spent"] is True
    assert [(d["videoId"], d["rendition"]) for d in document["downloads"]] == [("first", "audio")]
    stored = aws.item(f"EMAIL#{ANN}", "USER")["passwordHash"]["S"]
    assert stored not in out and "digest" not in out and "passwordHash" not in out
    assert [a["action"] for a in actions(audit_log)] == ["export"]


def test_every_targeted_command_needs_a_reason(aws):
    with pytest.raises(SystemExit) as exited:
        admin.main([*OPTIONS, "disable", "--email", ANN, "--yes"], out=io.StringIO(), err=io.StringIO())
    assert exited.value.code == 2


def test_a_missing_table_is_exit_3(aws):
    out, err = io.StringIO(), io.StringIO()
    assert admin.main(["--table", "nope", "--region", "eu-west-1", "find", "--email", ANN], out=out, err=err) == 3
    assert err.getvalue().startswith("AWS failed: DynamoDB: ResourceNotFoundException")


def test_stage_names_the_local_runners_table(aws, monkeypatch):
    monkeypatch.delenv("PORTAL_TABLE_NAME")
    out, err = io.StringIO(), io.StringIO()
    # The local runner's names for stage "test" are the ones the test stack is provisioned with.
    assert admin.main(["--stage", "test", "--region", "eu-west-1", "--json", "list"], out=out, err=err) == 0
    assert json.loads(out.getvalue())["users"] == []


# -- import -----------------------------------------------------------------------------------


def _bcrypt_hash(password: str) -> str:
    import bcrypt

    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()


def test_import_of_a_mixed_export(api, aws, tmp_path, audit_log):
    from argon2 import PasswordHasher as Argon2

    api.confirmed_account(CY)  # already here: skipped, untouched
    weak_argon = Argon2(time_cost=1, memory_cost=8192, parallelism=1).hash(STRONG_PASSWORD)
    users = [
        {
            "email": ANN,
            "sub": "3f1c1b1e-1111-4a4a-8b8b-000000000001",
            "passwordHash": _bcrypt_hash(STRONG_PASSWORD),
            "language": "fr",
            "createdAt": "2020-05-01T08:00:00Z",
        },
        {"email": BOB, "passwordHash": weak_argon},
        {"email": "dan@example.org", "passwordHash": "pbkdf2_sha256$600000$salt$hash"},
        {"email": "eve@example.org"},
        {"email": CY, "passwordHash": _bcrypt_hash("whatever")},
    ]
    path = tmp_path / "users.json"
    path.write_text(json.dumps({"users": users}), encoding="utf-8")
    code, out, err = run("import", str(path), "--reason", "migration from the old portal")
    assert code == 0, err
    assert "4 imported, 1 skipped" in err

    def status(address):
        return aws.item(f"EMAIL#{address}", "USER")["status"]["S"]

    assert [status(a) for a in (ANN, BOB, "dan@example.org", "eve@example.org")] == [
        "CONFIRMED",
        "CONFIRMED",
        "RESET_REQUIRED",
        "RESET_REQUIRED",
    ]
    assert sub_of(aws, ANN) == "3f1c1b1e-1111-4a4a-8b8b-000000000001"
    assert aws.item(f"EMAIL#{ANN}", "USER")["createdAt"]["S"] == "2020-05-01T08:00:00Z"
    assert api.login(CY).status == 200  # the existing account kept its password

    # bcrypt and weak argon2 hashes work once, and are rewritten as current argon2id.
    for address in (ANN, BOB):
        assert api.login(address).status == 200
        upgraded = aws.item(f"EMAIL#{address}", "USER")["passwordHash"]["S"]
        assert upgraded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert api.login(address).status == 200
    assert api.login(ANN, "Not-The-Password-1").status == 401

    refused = api.login("dan@example.org", STRONG_PASSWORD)
    assert refused.status == 401  # no usable hash: no password can be right; "Reset password" is the way
    assert api.forgot("eve@example.org").status == 202
    assert api.reset("eve@example.org", aws.last_code("eve@example.org"), "Brand-New-Pass-42").status == 200
    assert status("eve@example.org") == "CONFIRMED"
    assert api.login("eve@example.org", "Brand-New-Pass-42").status == 200

    imported = [a for a in actions(audit_log) if a["action"] == "import"]
    assert len(imported) == 4 and all(a["reason"] == "migration from the old portal" for a in imported)
    assert audit_log.events().count("password_hash_upgraded") == 2


def test_import_from_csv_and_invalid_records_write_nothing(aws, tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(
        "email,passwordHash,language\nann@example.org,,en\nnot-an-address,,en\nbob@example.org,,de\n", encoding="utf-8"
    )
    code, out, err = run("import", str(path), "--reason", "migration")
    assert code == 1 and "users[1]: email:" in err and "users[2]: language:" in err
    assert not [i for i in aws.items() if i["sk"]["S"] == "USER"]

    path.write_text("email,passwordHash,language\nann@example.org,,en\nbob@example.org,,fr\n", encoding="utf-8")
    code, out, err = run("--json", "import", str(path), "--reason", "migration")
    assert code == 0
    assert sorted(u["email"] for u in json.loads(out)["imported"]) == [ANN, BOB]
    assert aws.item(f"EMAIL#{BOB}", "USER")["language"]["S"] == "fr"


def test_import_skips_a_sub_that_belongs_to_another_account(api, aws, tmp_path):
    api.confirmed_account(ANN)
    path = tmp_path / "users.json"
    path.write_text(json.dumps([{"email": BOB, "sub": sub_of(aws, ANN)}, {"email": CY}]), encoding="utf-8")
    code, out, err = run("import", str(path), "--reason", "migration")
    assert code == 0 and "1 imported, 1 skipped" in err and f"skipped (address or sub taken) {BOB}" in out
    assert aws.item(f"EMAIL#{BOB}", "USER") is None and aws.item(f"EMAIL#{CY}", "USER") is not None


# -- issue 19: the operator tool, tried as an operator would ------------------------------------

SENDER = ["--mail-sender", "no-reply@multimedia.test", "--keys-secret", "portal/test/keys"]


def test_delete_without_a_mail_sender_is_refused_before_anything_is_deleted(api, aws, audit_log, monkeypatch):
    monkeypatch.delenv("PORTAL_MAIL_SENDER")
    api.confirmed_account(ANN)
    code, _, err = run("delete", "--email", ANN, "--reason", "GDPR erasure", "--yes")
    assert code == 1 and "--mail-sender" in err and "nothing done" in err
    assert aws.item(f"EMAIL#{ANN}", "USER") is not None  # still there: nothing was done
    assert actions(audit_log) == [] and "account_deleted" not in audit_log.events()


def test_resend_code_without_a_mail_sender_writes_nothing(api, aws, monkeypatch):
    monkeypatch.delenv("PORTAL_MAIL_SENDER")
    api.register(ANN)
    before = aws.item(f"EMAIL#{ANN}", "SENDS")
    code, _, err = run("--keys-secret", "portal/test/keys", "resend-code", "--email", ANN, "--reason", "asked")
    assert code == 1 and "--mail-sender" in err
    assert aws.item(f"EMAIL#{ANN}", "SENDS") == before  # no send counted for a mail that never left


def test_a_delete_that_fails_after_the_erasure_is_still_audited_with_what_happened(api, aws, audit_log, monkeypatch):
    from portal import emails

    api.confirmed_account(ANN)
    sub = sub_of(aws, ANN)

    def notice_fails(*args, **kwargs):
        raise RuntimeError("the notice could not be rendered")

    monkeypatch.setattr(emails, "render", notice_fails)  # after the deletion, before the mail
    with pytest.raises(RuntimeError):
        run(*SENDER, "delete", "--email", ANN, "--reason", "GDPR erasure", "--yes")
    assert aws.item(f"EMAIL#{ANN}", "USER") is None
    [deleted] = actions(audit_log)
    assert deleted["action"] == "delete" and deleted["sub"] == sub and deleted["reason"] == "GDPR erasure"
    assert deleted["effects"] == ["download_records_erased", "account_deleted"] and deleted["outcome"] == "failed"


def test_a_disable_that_fails_part_way_audits_the_part_done(api, aws, audit_log, monkeypatch):
    from portal.account import Account
    from portal.errors import DependencyFailure

    api.confirmed_account(ANN)

    def sessions_unreachable(*args, **kwargs):
        raise DependencyFailure("DynamoDB: ProvisionedThroughputExceededException")

    monkeypatch.setattr(Account, "end_all_sessions", sessions_unreachable)
    code, _, err = run("disable", "--email", ANN, "--reason", "ticket 9", "--yes")
    assert code == 3 and "AWS failed" in err
    assert aws.item(f"EMAIL#{ANN}", "USER")["enabled"]["BOOL"] is False
    [disable] = actions(audit_log)
    assert disable["effects"] == ["disabled"] and disable["outcome"] == "failed"


def test_every_action_line_lists_its_effects_and_the_cli_as_its_service(api, aws, audit_log):
    api.confirmed_account(ANN)
    assert run("disable", "--email", ANN, "--reason", "ticket 1", "--yes")[0] == 0
    [disable] = actions(audit_log)
    assert disable["effects"] == ["disabled", "signed_out"] and disable["outcome"] == "done"
    assert disable["service"] == "portal-admin"


@pytest.mark.parametrize("reason", ["", "   ", "\t\n"])
def test_a_blank_reason_is_a_usage_error(api, aws, audit_log, capsys, reason):
    api.confirmed_account(ANN)
    with pytest.raises(SystemExit) as exited:
        run("disable", "--email", ANN, "--reason", reason, "--yes")
    assert exited.value.code == 2 and "must say why" in capsys.readouterr().err
    assert actions(audit_log) == [] and aws.item(f"EMAIL#{ANN}", "USER")["enabled"]["BOOL"] is True


def test_a_closed_standard_input_at_the_prompt_is_not_a_confirmation(api, aws, audit_log):
    api.confirmed_account(ANN)

    def closed(_prompt: str) -> str:
        raise EOFError

    out, err = io.StringIO(), io.StringIO()
    code = admin.main([*OPTIONS, "disable", "--email", ANN, "--reason", "ticket 1"], out=out, err=err, ask=closed)
    assert code == 1 and "not confirmed" in err.getvalue() and "Traceback" not in err.getvalue()
    assert aws.item(f"EMAIL#{ANN}", "USER")["enabled"]["BOOL"] is True and actions(audit_log) == []


def test_export_holds_a_pending_email_change_and_the_failed_sign_ins(api, aws):
    api.confirmed_account(ANN)
    token = api.tokens(ANN)["accessToken"]
    new_address = "ann.new@example.org"
    changed = api.call_as(token, "account_email_change", {"newEmail": new_address, "password": STRONG_PASSWORD})
    assert changed.status == 202, changed.body
    assert api.login(ANN, "Wrong-Password-123!").status == 401
    code, out, _ = run("export", "--email", ANN, "--reason", "data access request 8")
    assert code == 0
    document = json.loads(out)
    pending = document["pendingEmailChange"]
    assert pending["newEmail"] == new_address
    assert pending["code"]["purpose"] == "CHANGE_EMAIL" and pending["code"]["spent"] is False
    assert len(pending["codeSends"]) == 1
    failed = document["failedSignIns"]
    assert failed["consecutive"] == 1 and len(failed["lastHour"]) == 1 and failed["lastFailedAt"]
    assert aws.last_code(new_address) not in out and "digest" not in out


def test_import_refuses_an_unusable_hash_as_usable_and_an_impossible_date(aws, tmp_path):
    path = tmp_path / "users.json"
    path.write_text(json.dumps([{"email": ANN, "createdAt": "2020-13-45T99:99:99Z"}]), encoding="utf-8")
    code, _, err = run("import", str(path), "--reason", "migration")
    assert code == 1 and "users[0]: createdAt: " in err and "not a real UTC time" in err

    path.write_text(
        json.dumps(
            [
                {"email": ANN, "passwordHash": "$2b$12$garbage"},
                {"email": BOB, "passwordHash": "$argon2id$v=19$m=19456,t=2,p=1$garbage"},
                {"email": CY, "passwordHash": _bcrypt_hash(STRONG_PASSWORD)},
            ]
        ),
        encoding="utf-8",
    )
    assert run("import", str(path), "--reason", "migration")[0] == 0
    statuses = [aws.item(f"EMAIL#{a}", "USER")["status"]["S"] for a in (ANN, BOB, CY)]
    assert statuses == ["RESET_REQUIRED", "RESET_REQUIRED", "CONFIRMED"]
    assert aws.item(f"EMAIL#{ANN}", "USER")["passwordHash"]["S"] == ""


def test_import_names_the_row_that_repeats_an_address_and_the_row_it_repeats(aws, tmp_path):
    path = tmp_path / "users.json"
    rows = [{"email": ANN}, {"email": "not-an-address"}, {"email": BOB}, {"email": "Ann@Example.org"}]
    path.write_text(json.dumps(rows), encoding="utf-8")
    code, _, err = run("import", str(path), "--reason", "migration")
    assert code == 1
    assert "users[3]: address appears more than once (first in users[0])" in err
    assert "users[1]: email:" in err and "users[2]" not in err


@pytest.mark.parametrize("option", ["--created-from", "--created-to"])
def test_list_refuses_a_date_it_cannot_read(aws, capsys, option):
    with pytest.raises(SystemExit) as exited:
        run("list", option, "yesterday")
    assert exited.value.code == 2 and "YYYY-MM-DD" in capsys.readouterr().err
    assert run("--json", "list", option, "2026-01-31T12:00:00Z")[0] == 0


def test_a_refused_resend_says_when_to_retry(api, aws):
    api.register(ANN)  # a code just went: the next may go in a minute
    code, _, err = run(*SENDER, "resend-code", "--email", ANN, "--reason", "user asked")
    assert code == 1 and "LimitExceeded" in err
    assert re.search(r"try again in \d+ s, after \d\d:\d\d:\d\d UTC", err), err
