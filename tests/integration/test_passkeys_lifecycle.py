"""Passkeys at the end of an account: self-service deletion, the operator's delete, the data-access
export, and `portal-admin passkeys list|remove`."""

from __future__ import annotations

import json

import pytest

from tests.integration.test_admin import actions, run
from tests.integration.test_passkeys import ANN, REFUSED, add, clock, sign_in
from tests.passkey_authenticator import SoftAuthenticator
from tests.support import STRONG_PASSWORD

MAIL = ("--mail-sender", "no-reply@multimedia.test")
__all__ = ["clock"]  # the fixture, shared with test_passkeys.py


@pytest.fixture
def ann_with_two(api, aws, clock):
    api.confirmed_account(ANN)
    token = api.tokens(ANN)["accessToken"]
    devices = [SoftAuthenticator(), SoftAuthenticator()]
    for device, name in zip(devices, ("Laptop", "Phone"), strict=True):
        assert add(api, token, device, name=name).status == 201
    return token, devices


def passkey_items(aws) -> list[dict]:
    return [i for i in aws.items() if i["sk"]["S"] == "PASSKEY"]


def test_deleting_the_account_deletes_its_passkeys(api, aws, ann_with_two):
    token, devices = ann_with_two
    assert len(passkey_items(aws)) == 2
    assert api.call_as(token, "account_delete", {"password": STRONG_PASSWORD}).status == 204
    assert passkey_items(aws) == []
    for device in devices:
        assert sign_in(api, device).body == REFUSED


def test_the_operators_delete_deletes_the_passkeys(api, aws, ann_with_two):
    assert run(*MAIL, "delete", "--email", ANN, "--reason", "erasure", "--yes")[0] == 0
    assert passkey_items(aws) == []


def test_the_export_lists_the_passkeys_without_key_material(api, aws, ann_with_two):
    _, devices = ann_with_two
    code, out, _ = run("export", "--email", ANN, "--reason", "data access request")
    assert code == 0
    exported = json.loads(out)["passkeys"]
    assert sorted((p["name"], p["id"]) for p in exported) == [("Laptop", devices[0].id), ("Phone", devices[1].id)]
    assert set(exported[0]) == {"id", "name", "createdAt", "lastUsedAt", "backedUp"}
    stored = passkey_items(aws)[0]["credentialData"]["B"]
    assert "credentialData" not in out and str(stored) not in out


def test_portal_admin_lists_and_removes_a_passkey(api, aws, audit_log, ann_with_two):
    _, devices = ann_with_two
    code, out, _ = run("--json", "passkeys", "list", "--email", ANN, "--reason", "ticket 12")
    assert code == 0 and sorted(p["name"] for p in json.loads(out)["passkeys"]) == ["Laptop", "Phone"]
    # Unconfirmed at the prompt: nothing removed.
    assert run(*MAIL, "passkeys", "remove", "--id", devices[0].id, "--email", ANN, "--reason", "lost")[0] == 1
    assert len(passkey_items(aws)) == 2
    code, out, _ = run(*MAIL, "passkeys", "remove", "--id", devices[0].id, "--email", ANN, "--reason", "lost", "--yes")
    assert code == 0 and "done" in out
    assert [i["pk"]["S"] for i in passkey_items(aws)] == [f"PASSKEY#{devices[1].id}"]
    assert aws.mail(ANN)[-1].subject == "A passkey has been removed from your account"
    assert sign_in(api, devices[0]).body == REFUSED and sign_in(api, devices[1]).status == 200
    # An id the account does not have, and no id at all: refused.
    assert run(*MAIL, "passkeys", "remove", "--id", devices[0].id, "--email", ANN, "--reason", "x", "--yes")[0] == 1
    assert run("passkeys", "remove", "--email", ANN, "--reason", "x", "--yes")[0] == 1
    removed = [a for a in actions(audit_log) if a["action"] == "passkeys-remove"]
    assert len(removed) == 1 and removed[0]["reason"] == "lost" and removed[0]["credentialId"] == devices[0].id
    assert [a["action"] for a in actions(audit_log)][0] == "passkeys-list"


def test_passkeys_commands_need_a_reason(aws):
    with pytest.raises(SystemExit):
        run("passkeys", "list", "--email", ANN)
