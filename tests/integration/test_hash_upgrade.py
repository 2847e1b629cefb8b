"""Stored hashes follow the configured argon2 parameters: rewritten at the next good login."""

from __future__ import annotations

from tests.support import STRONG_PASSWORD

ANN = "ann@example.org"


def stored_hash(aws) -> str:
    return aws.item(f"EMAIL#{ANN}", "USER")["passwordHash"]["S"]


def test_a_change_of_parameters_rewrites_the_hash_at_the_next_good_login(api, aws, monkeypatch, audit_log):
    from portal import services

    api.confirmed_account(ANN)
    assert "$m=19456,t=2,p=1$" in stored_hash(aws)
    pair = api.tokens(ANN)
    assert audit_log.events().count("password_hash_upgraded") == 0

    monkeypatch.setenv("PORTAL_ARGON2_TIME_COST", "3")
    services.settings.cache_clear()
    services.password_hasher.cache_clear()
    assert api.login(ANN, "Wrong-Password-123!").status == 401
    assert "$m=19456,t=2,p=1$" in stored_hash(aws)  # a wrong password changes nothing
    assert api.login(ANN).status == 200
    assert "$m=19456,t=3,p=1$" in stored_hash(aws)
    assert audit_log.events().count("password_hash_upgraded") == 1
    assert api.login(ANN).status == 200 and audit_log.events().count("password_hash_upgraded") == 1
    # The upgrade is the same password: no session ended.
    assert api.refresh(pair["refreshToken"]).status == 200


def test_a_bcrypt_account_can_change_its_password_before_any_login_upgrade(api, aws):
    import bcrypt

    from portal import services
    from portal.principal import Principal

    api.confirmed_account(ANN)
    user = services.store().load_address(ANN).user
    legacy = bcrypt.hashpw(STRONG_PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    services.store().upgrade_password_hash(user, legacy, user.updated_at)  # as an import would leave it
    assert stored_hash(aws) == legacy
    pair = api.tokens(ANN)  # login upgrades it
    assert stored_hash(aws).startswith("$argon2id$")

    user = services.store().load_address(ANN).user
    services.store().upgrade_password_hash(user, legacy, user.updated_at)
    context = api.authorize(pair["accessToken"])
    principal = Principal.of(context)
    services.account().change_password(principal, STRONG_PASSWORD, "Another-Strong-Pass-7")
    assert stored_hash(aws).startswith("$argon2id$") and api.login(ANN, "Another-Strong-Pass-7").status == 200
