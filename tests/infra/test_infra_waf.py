"""The API's web ACL (infra/waf.py) in each stage: the per-IP limits as they were, refusals a browser
can read from each of the stage's origins and from no other, the saved query that names the limit,
and the ACL within WAF's capacity. Requests go through tests/infra/waf_model.py, which evaluates the
template's rules as WAF documents them (WAF does not run locally)."""

from __future__ import annotations

import json

import pytest
import waf_model
from waf_model import Request, WebAcl

from functions.routes import ROUTES
from infra.queries import QUERIES_BY_NAME
from portal.errors import LimitExceeded
from tests.integration.test_audit_queries import WAF_RECORD, fields_read, flatten, parse_patterns

SIGN_IN = "/v1/auth/login"
EVIL = "https://multimedia.example.org.evil.example"


def web_acl(synth) -> WebAcl:
    return WebAcl(synth.one("AWS::WAFv2::WebACL")["Properties"], f"portal-{synth.config.name}")


def at(synth, path: str) -> str:
    """The path WAF sees: the stage's name before the route's."""
    return f"/{synth.config.name}{path}"


def exceed(waf: WebAcl, request: Request, limit: int) -> waf_model.Answer:
    """Send `limit` requests (each let through), then one more; its answer."""
    for _ in range(limit):
        assert waf.handle(request).status is None
    return waf.handle(request)


def api_preflight(synth) -> tuple[int, dict[str, str]]:
    """API Gateway's own preflight answer (the OPTIONS method of a route's path), header by header."""
    (options, *_) = [
        m["Properties"]
        for m in synth.of_type("AWS::ApiGateway::Method").values()
        if m["Properties"]["HttpMethod"] == "OPTIONS"
    ]
    (response,) = options["Integration"]["IntegrationResponses"]
    headers = {
        name.removeprefix("method.response.header."): value.strip("'")
        for name, value in response["ResponseParameters"].items()
    }
    return int(response["StatusCode"]), headers


def test_the_limits_keep_their_numbers_and_scope_and_only_count(synth):
    rules = {rule["Name"]: rule for rule in web_acl(synth).rules}
    sensitive, everything = rules["SensitiveRoutesPerIp"], rules["AllRoutesPerIp"]
    assert [sensitive["Priority"], everything["Priority"]] == [0, 1]
    for rule, limit in ((sensitive, synth.config.waf.sensitive_rate_limit), (everything, synth.config.waf.rate_limit)):
        assert rule["Action"] == {"Count": {}}
        assert rule["RuleLabels"] == [{"Name": f"portal:limit:{rule['Name']}"}]
        statement = rule["Statement"]["RateBasedStatement"]
        assert (statement["Limit"], statement["AggregateKeyType"], statement["EvaluationWindowSec"]) == (
            limit,
            "IP",
            300,
        )
    assert synth.config.waf.sensitive_rate_limit < synth.config.waf.rate_limit
    matches = sensitive["Statement"]["RateBasedStatement"]["ScopeDownStatement"]["OrStatement"]["Statements"]
    sensitive_paths = [r.path for r in ROUTES if r.sensitive]
    assert sorted(m["ByteMatchStatement"]["SearchString"] for m in matches) == sorted(
        [*sensitive_paths, *(p + "/" for p in sensitive_paths)]
    )
    # Everything else blocks: only requests the counting rules labelled.
    for rule in rules.values():
        if rule not in (sensitive, everything):
            assert "Block" in rule["Action"] and "portal:limit:" in json.dumps(rule["Statement"])
    association = synth.one("AWS::WAFv2::WebACLAssociation")["Properties"]
    stage_id = next(iter(synth.of_type("AWS::ApiGateway::Stage")))
    assert stage_id in json.dumps(association["ResourceArn"])


@pytest.mark.parametrize("uri_path", ["/v1/auth/login", "/v1/auth/logi%6E", "/V1/AUTH/LOGIN", "/v1/auth/%6c%6fgin/"])
def test_an_encoded_or_uppercased_sign_in_path_counts_against_the_tighter_limit(synth, uri_path):
    waf = web_acl(synth)
    refused = exceed(waf, Request("POST", at(synth, uri_path)), synth.config.waf.sensitive_rate_limit)
    assert refused.status == 429 and refused.counted_by == ("SensitiveRoutesPerIp",)


def test_over_the_sign_in_limit_each_allowed_origin_reads_a_429_in_the_error_shape(synth):
    waf = web_acl(synth)
    preflight_status, preflight_headers = api_preflight(synth)
    for n, origin in enumerate(synth.config.cors_origins):
        ip = f"203.0.113.{n + 1}"
        login = Request("POST", at(synth, SIGN_IN), ip, {"Origin": origin, "Content-Type": "application/json"})
        refused = exceed(waf, login, synth.config.waf.sensitive_rate_limit)
        assert refused.status == LimitExceeded.status == 429
        assert refused.body == {
            "error": {
                "code": LimitExceeded.code,
                "message": "Too many requests from your address. Try again in a few minutes.",
                "retryAfter": 300,
            }
        }
        assert refused.headers == {
            "Retry-After": "300",
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Expose-Headers": "Retry-After",
            "Vary": "Origin",
        }
        # The browser asks first (JSON body): it gets the API's own preflight answer, not a refusal
        # that would stop it before it sends the request whose 429 it can read.
        ask = Request("OPTIONS", at(synth, SIGN_IN), ip, {"Origin": origin, "Access-Control-Request-Method": "POST"})
        preflight = waf.handle(ask)
        assert preflight.status == preflight_status == 204
        assert preflight.headers == preflight_headers | {"Access-Control-Allow-Origin": origin}
        assert preflight.body is None
        # Someone else signing in from the same page is not affected.
        assert waf.handle(Request("POST", at(synth, SIGN_IN), "198.51.100.9", {"Origin": origin})).status is None


@pytest.mark.parametrize("origin", [None, EVIL, "null", "http://localhost:3000/", "HTTPS://MULTIMEDIA.EXAMPLE.ORG"])
def test_a_refusal_for_any_other_origin_or_none_carries_no_cors_header(synth, origin):
    waf = web_acl(synth)
    headers = {"Origin": origin} if origin else {}
    refused = exceed(waf, Request("POST", at(synth, SIGN_IN), headers=headers), synth.config.waf.sensitive_rate_limit)
    assert refused.status == 429 and refused.rule == "OverLimit"
    assert refused.headers == {"Retry-After": "300"}
    assert refused.body is not None and refused.body["error"]["code"] == "LimitExceeded"
    # Nor does its preflight pass.
    assert waf.handle(Request("OPTIONS", at(synth, SIGN_IN), headers=headers)).status == 429


def test_each_stage_answers_exactly_its_own_origins(dev, prod, options):
    assert len(dev.config.cors_origins) == 2 and len(prod.config.cors_origins) == 1
    assert len(options.config.cors_origins) == 3
    for synth in (dev, prod, options):
        allowed = {
            header["Value"]
            for rule in web_acl(synth).rules
            for header in rule["Action"].get("Block", {}).get("CustomResponse", {}).get("ResponseHeaders", [])
            if header["Name"] == "Access-Control-Allow-Origin"
        }
        assert allowed == set(synth.config.cors_origins), synth.config.name
        # Per origin a preflight answer and a refusal, then the refusal without CORS.
        assert len(web_acl(synth).rules) == 2 + 2 * len(synth.config.cors_origins) + 1


def test_the_all_routes_limit_spares_the_edge_and_counts_no_refused_sign_in(synth):
    waf = web_acl(synth)
    limit = synth.config.waf.rate_limit
    videos = Request("GET", at(synth, "/v1/videos"), "203.0.113.50")
    refused = exceed(waf, videos, limit)
    assert refused.status == 429 and refused.counted_by == ("AllRoutesPerIp",)
    # The catalogue edge (CloudFront, one address for many visitors) names itself with its secret header.
    spared = next(
        s["ByteMatchStatement"]["SearchString"]
        for s in web_acl(synth).rule("AllRoutesPerIp")["Statement"]["RateBasedStatement"]["ScopeDownStatement"][
            "NotStatement"
        ]["Statement"]["OrStatement"]["Statements"]
        if "ByteMatchStatement" in s
    )
    edge = Request("GET", at(synth, "/v1/videos"), "130.176.0.1", {"X-Portal-Edge": waf_model.opaque(spared)})
    assert all(waf.handle(edge).status is None for _ in range(limit + 10))
    # Sign-ins refused by the tighter limit never reached the all-routes rule when it blocked; they
    # are still not counted there, so this address may browse once it stops.
    ip = "203.0.113.60"
    for _ in range(limit):
        waf.handle(Request("POST", at(synth, SIGN_IN), ip))
    assert waf.counts[("AllRoutesPerIp", ip)] == synth.config.waf.sensitive_rate_limit
    assert waf.handle(Request("GET", at(synth, "/v1/videos"), ip)).status is None


def test_the_web_acl_fits_wafs_capacity(synth):
    units = sum(waf_model.capacity(rule["Statement"]) for rule in web_acl(synth).rules)
    # 403 for the two limits (the sign-up and sign-in paths, decoded and lowercased, cost 396), 8 per
    # allowed origin, 1 for the last refusal: dev 420, prod 412 today.
    assert units <= waf_model.FREE_CAPACITY, (
        f"{units} WCUs, over the {waf_model.FREE_CAPACITY} WAF charges nothing extra for"
    )


def test_the_blocked_requests_query_names_the_limit_each_refused_address_went_over(synth):
    query = QUERIES_BY_NAME["blocked-requests-by-rule-and-ip"].query
    (pattern,) = parse_patterns(query)
    waf = web_acl(synth)
    origin = synth.config.cors_origins[0]
    cases = {
        "SensitiveRoutesPerIp": (Request("POST", at(synth, SIGN_IN), "203.0.113.70", {"Origin": origin}), "sensitive"),
        "AllRoutesPerIp": (Request("GET", at(synth, "/v1/videos"), "203.0.113.71"), "all"),
    }
    answers = {}
    for rule, (request, kind) in cases.items():
        limit = synth.config.waf.sensitive_rate_limit if kind == "sensitive" else synth.config.waf.rate_limit
        answers[rule] = answer = exceed(waf, request, limit)
        record = answer.log_record(request, waf.name)
        # WAF writes each record as one line of compact JSON; the query's parse reads the label.
        found = pattern.search(json.dumps(record, separators=(",", ":")))
        assert found is not None and found["limitRule"] == rule
        assert fields_read(query) <= flatten(record)
        assert record["terminatingRuleId"] == answer.rule != rule
    if synth.config.name == "prod":
        # The record test_audit_queries.py proves the query against is the one prod writes.
        sensitive = answers["SensitiveRoutesPerIp"]
        assert sensitive.rule == WAF_RECORD["terminatingRuleId"]
        assert [{"name": label} for label in sensitive.labels] == WAF_RECORD["labels"]
