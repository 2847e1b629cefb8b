"""The public catalogue at the edge (infra/edge.py): the site's distribution caches the catalogue's
GET routes from the API as long as their Cache-Control says, and only those; the API's per-IP WAF
rule leaves the edge's requests (named by a secret origin header) to the stage's throttling."""

from __future__ import annotations

import json

from functions.routes import ROUTES
from portal.models.videos import VideoListQuery


def _distribution(synth) -> dict:
    return synth.one("AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]


def _api_origin(synth) -> dict:
    (origin,) = [o for o in _distribution(synth)["Origins"] if "CustomOriginConfig" in o]
    return origin


def _edge_secret_id(synth) -> str:
    (secret_id,) = [
        lid
        for lid, s in synth.of_type("AWS::SecretsManager::Secret").items()
        if "catalogue edge" in s["Properties"].get("Description", "")
    ]
    return secret_id


def _resolves_secret(value: dict, secret_id: str) -> bool:
    return value == {"Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": secret_id}, ":SecretString:::}}"]]}


def test_only_the_public_catalogue_reads_go_through_the_edge_to_the_api(synth):
    behaviors = _distribution(synth)["CacheBehaviors"]
    assert sorted(b["PathPattern"] for b in behaviors) == ["/v1/videos", "/v1/videos/*"]
    public_reads = {r.path for r in ROUTES if r.method == "GET" and not r.auth and r.path.startswith("/v1/videos")}
    assert public_reads == {"/v1/videos", "/v1/videos/{videoId}"}
    origin = _api_origin(synth)
    for behavior in behaviors:
        assert behavior["TargetOriginId"] == origin["Id"]
        # Reads only: the download (POST /v1/videos/{id}/download) and every write stay off the edge.
        assert behavior["AllowedMethods"] == ["GET", "HEAD"] and behavior["CachedMethods"] == ["GET", "HEAD"]
        assert behavior["ViewerProtocolPolicy"] == "https-only" and behavior["Compress"] is True
    # The API's own origin: execute-api over TLS, the stage as the origin path.
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    domain = json.dumps(origin["DomainName"])
    (rest_api_id,) = synth.of_type("AWS::ApiGateway::RestApi")
    assert ".execute-api." in domain and json.dumps({"Ref": rest_api_id}) in domain
    assert origin["OriginShield"] == {"Enabled": True, "OriginShieldRegion": synth.config.region}


def test_the_cache_keys_on_the_catalogue_parameters_only_and_follows_the_api_cache_control(synth):
    (policy,) = synth.of_type("AWS::CloudFront::CachePolicy").values()
    config = policy["Properties"]["CachePolicyConfig"]
    # No Cache-Control (errors say no-store): not kept. The API's max-age and stale-* fit under MaxTTL.
    assert (config["MinTTL"], config["DefaultTTL"]) == (0, 0) and config["MaxTTL"] >= 86400 + 600 + 60
    key = config["ParametersInCacheKeyAndForwardedToOrigin"]
    names = {field.alias or name for name, field in VideoListQuery.model_fields.items()}
    assert names == {"limit", "cursor", "q", "from", "to"}
    assert key["QueryStringsConfig"]["QueryStringBehavior"] == "whitelist"
    assert set(key["QueryStringsConfig"]["QueryStrings"]) == names
    # No header (so no Authorization, no Origin) and no cookie: one copy serves every visitor.
    assert key["HeadersConfig"] == {"HeaderBehavior": "none"}
    assert key["CookiesConfig"] == {"CookieBehavior": "none"}
    assert key["EnableAcceptEncodingGzip"] is True and key["EnableAcceptEncodingBrotli"] is True
    behaviors = _distribution(synth)["CacheBehaviors"]
    (policy_id,) = synth.of_type("AWS::CloudFront::CachePolicy")
    assert all(b["CachePolicyId"] == {"Ref": policy_id} for b in behaviors)


def test_the_waf_per_ip_rule_spares_the_edge_named_by_its_secret_header_and_nothing_else(synth):
    secret_id = _edge_secret_id(synth)
    (header,) = _api_origin(synth)["OriginCustomHeaders"]
    assert header["HeaderName"] == "X-Portal-Edge" and _resolves_secret(header["HeaderValue"], secret_id)

    rules = {
        r["Name"]: r["Statement"]["RateBasedStatement"]
        for r in synth.one("AWS::WAFv2::WebACL")["Properties"]["Rules"]
        if "RateBasedStatement" in r["Statement"]
    }
    # Not counted: the edge's requests, and sign-ins the tighter limit refused (tests/infra/test_infra_waf.py).
    not_counted = rules["AllRoutesPerIp"]["ScopeDownStatement"]["NotStatement"]["Statement"]["OrStatement"]
    (spared,) = [s["ByteMatchStatement"] for s in not_counted["Statements"] if "ByteMatchStatement" in s]
    assert spared["FieldToMatch"] == {"SingleHeader": {"Name": "x-portal-edge"}}
    assert spared["PositionalConstraint"] == "EXACTLY" and _resolves_secret(spared["SearchString"], secret_id)
    assert spared["TextTransformations"] == [{"Priority": 0, "Type": "NONE"}]
    # The sign-up and sign-in limit never spares anyone: those routes are not behind the edge.
    assert "x-portal-edge" not in json.dumps(rules["SensitiveRoutesPerIp"])
    # The value lives in Secrets Manager only: generated there, never in the template.
    generated = synth.resources[secret_id]["Properties"]["GenerateSecretString"]
    assert generated["PasswordLength"] >= 32 and "SecretString" not in synth.resources[secret_id]["Properties"]
