"""Protected routes: the routes with auth=True sit behind one TOKEN authorizer built from
functions/authorizer.py; the download function alone reads media, under media/ only."""

from __future__ import annotations

import json

from functions.routes import AUTHORIZER, ROUTES


def test_protected_routes_use_one_token_authorizer_built_from_the_authorizer_module(synth):
    authorizer = synth.one("AWS::ApiGateway::Authorizer")["Properties"]
    assert authorizer["Type"] == "TOKEN"
    assert authorizer["IdentitySource"] == AUTHORIZER.identity_source == "method.request.header.Authorization"
    assert authorizer["AuthorizerResultTtlInSeconds"] == synth.config.authorizer_cache_seconds <= 300
    function_id, _ = synth.function(AUTHORIZER.handler)
    assert json.dumps(synth.invoked(function_id)) in json.dumps(authorizer["AuthorizerUri"])

    authorizer_id = next(iter(synth.of_type("AWS::ApiGateway::Authorizer")))
    methods = [
        m["Properties"]
        for m in synth.of_type("AWS::ApiGateway::Method").values()
        if m["Properties"]["HttpMethod"] != "OPTIONS"
    ]
    protected = [m for m in methods if m["AuthorizationType"] == "CUSTOM"]
    assert len(protected) == sum(route.auth for route in ROUTES) > 0
    assert all(m["AuthorizerId"] == {"Ref": authorizer_id} for m in protected)
    assert len([m for m in methods if m["AuthorizationType"] == "NONE"]) == sum(not route.auth for route in ROUTES)


def test_authorizer_reads_the_table_only(dev):
    # The public keys are in the table; no secret, so nothing that could sign (docs/decisions/0005-tokens-others-can-verify.md).
    _, function = dev.function(AUTHORIZER.handler)
    actions = {
        action
        for statement in dev.role_statements(function)
        for action in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
    }
    assert actions - {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    } == {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:BatchGetItem",
        "dynamodb:ConditionCheckItem",
    }


def test_authorizer_denials_answer_401_not_authorized(dev):
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in dev.of_type("AWS::ApiGateway::GatewayResponse").values()
    }
    body = json.loads(responses["UNAUTHORIZED"]["ResponseTemplates"]["application/json"])
    assert responses["UNAUTHORIZED"]["StatusCode"] == "401" and body["error"]["code"] == "NotAuthorized"


def test_media_read_grants_get_object_under_the_media_prefix_only(dev):
    _, function = dev.function("videos_download.handler")
    (statement,) = [s for s in dev.role_statements(function) if "s3:GetObject" in json.dumps(s["Action"])]
    assert statement["Action"] == "s3:GetObject"
    media_id = next(
        lid for lid, b in dev.of_type("AWS::S3::Bucket").items() if "VersioningConfiguration" in b["Properties"]
    )
    assert statement["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [media_id, "Arn"]}, "/media/*"]]}
    for route in ROUTES:
        if route.module != "videos_download":
            _, other = dev.function(route.handler)
            assert "s3:" not in json.dumps(dev.role_statements(other)), route.module
