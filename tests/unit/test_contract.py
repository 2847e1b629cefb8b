"""The route table agrees with the handlers."""

from __future__ import annotations

import importlib

from functions.routes import AUTHORIZER, ROUTES, Access, Profile


def test_sign_in_routes_are_in_the_table():
    table = {(r.method, r.path): r for r in ROUTES}
    protected = {
        ("POST", "/v1/auth/logout"),
        ("GET", "/v1/account"),
        ("PATCH", "/v1/account"),
        ("DELETE", "/v1/account"),
        ("POST", "/v1/password/change"),
    }
    public = {
        ("POST", "/v1/auth/login"),
        ("POST", "/v1/auth/refresh"),
        ("POST", "/v1/password/forgot"),
        ("POST", "/v1/password/reset"),
    }
    assert protected | public <= set(table)
    assert all(table[k].auth for k in protected) and not any(table[k].auth for k in public)
    for key in (
        ("POST", "/v1/account/verify"),
        ("POST", "/v1/auth/login"),
        ("POST", "/v1/password/reset"),
        ("POST", "/v1/password/change"),
        ("DELETE", "/v1/account"),
    ):
        assert table[key].profile is Profile.HASHING
    assert table[("POST", "/v1/auth/login")].sensitive and table[("POST", "/v1/password/forgot")].sensitive


def test_the_authorizer_is_described_for_the_infra():
    module = importlib.import_module(f"functions.{AUTHORIZER.module}")
    assert callable(module.handler) and AUTHORIZER.handler == "authorizer.handler"
    # Public keys only (from the table): the authorizer can read no secret and so can sign nothing.
    assert AUTHORIZER.access == frozenset({Access.TABLE_READ})
    assert AUTHORIZER.identity_source == "method.request.header.Authorization"


def test_the_policy_covers_the_whole_stage_so_a_cached_allow_serves_every_route():
    from functions.authorizer import stage_arn

    arn = "arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/GET/v1/account"
    assert stage_arn(arn) == "arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/*/*"


def test_the_route_table_says_which_routes_need_a_json_body_as_their_handlers_do():
    """API Gateway refuses a missing body for json_body routes; the handlers must agree."""
    from functions.routes import ROUTES

    for route in ROUTES:
        contract = importlib.import_module(f"functions.{route.module}").handler.contract
        needs_body = contract.request_model is not None and contract.body_required
        assert route.json_body == needs_body, route.module


def test_every_two_step_function_may_read_the_keys_and_send_its_notice():
    """The sealed secret and the recovery codes' digests are keyed by the keys secret: without
    KEYS_READ the second step would be denied in AWS (moto checks no IAM). The second step also
    signs tokens and mails the new-device notice."""
    two_step = {r.module: r for r in ROUTES if r.module.startswith("account_mfa_") or r.module == "auth_login_mfa"}
    assert len(two_step) == 5
    for route in two_step.values():
        assert {Access.KEYS_READ, Access.MAIL_SEND} <= route.access, route.module
    assert Access.SIGNING_KEYS_READ in two_step["auth_login_mfa"].access


def test_a_function_that_builds_a_keys_client_at_init_may_read_those_keys():
    """A handler that preloads a secret's client reads that secret on its requests; without the
    access it is denied in AWS only (moto checks no IAM). auth_passkey once preloaded the code keys
    it never reads, and auth_login_mfa read them without the access."""
    from pathlib import Path

    needs = {"services.preload_keys()": Access.KEYS_READ, "services.preload_signing_keys()": Access.SIGNING_KEYS_READ}
    functions = Path(importlib.import_module("functions.routes").__file__).parent
    checked = 0
    for route in ROUTES:
        source = (functions / f"{route.module}.py").read_text()
        for call, access in needs.items():
            if call in source:
                checked += 1
                assert access in route.access, f"{route.module} calls {call} without {access}"
    assert checked >= 15  # the check saw the handlers that preload (it is not vacuous)
