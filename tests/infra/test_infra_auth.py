"""Protected routes: synthesized with a route table that has auth=True routes (variants.py with-auth)."""

from __future__ import annotations

import json

from functions.routes import ROUTES


def test_protected_routes_use_one_token_authorizer_built_from_the_authorizer_module(with_auth):
    authorizer = with_auth.one("AWS::ApiGateway::Authorizer")["Properties"]
    assert authorizer["Type"] == "TOKEN"
    assert authorizer["IdentitySource"] == "method.request.header.Authorization"
    assert authorizer["AuthorizerResultTtlInSeconds"] == with_auth.config.authorizer_cache_seconds <= 300
    function_id, _ = with_auth.function("authorizer.handler")
    assert function_id in json.dumps(authorizer["AuthorizerUri"])

    authorizer_id = next(iter(with_auth.of_type("AWS::ApiGateway::Authorizer")))
    methods = [m["Properties"] for m in with_auth.of_type("AWS::ApiGateway::Method").values() if m["Properties"]["HttpMethod"] != "OPTIONS"]
    protected = [m for m in methods if m["AuthorizationType"] == "CUSTOM"]
    assert len(protected) == 3  # the auth=True routes of the variant
    assert all(m["AuthorizerId"] == {"Ref": authorizer_id} for m in protected)
    assert len([m for m in methods if m["AuthorizationType"] == "NONE"]) == len(ROUTES)


def test_authorizer_reads_keys_and_table_only(with_auth):
    _, function = with_auth.function("authorizer.handler")
    actions = {
        action
        for statement in with_auth.role_statements(function)
        for action in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
    }
    assert actions - {"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords"} == {
        "secretsmanager:GetSecretValue",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:BatchGetItem",
        "dynamodb:ConditionCheckItem",
    }


def test_without_protected_routes_there_is_no_authorizer(synth):
    assert synth.of_type("AWS::ApiGateway::Authorizer") == {}
    assert all(r["Properties"]["Handler"] != "authorizer.handler" for r in synth.of_type("AWS::Lambda::Function").values())


def test_authorizer_denials_answer_401_not_authorized(with_auth):
    responses = {r["Properties"]["ResponseType"]: r["Properties"] for r in with_auth.of_type("AWS::ApiGateway::GatewayResponse").values()}
    body = json.loads(responses["UNAUTHORIZED"]["ResponseTemplates"]["application/json"])
    assert responses["UNAUTHORIZED"]["StatusCode"] == "401" and body["error"]["code"] == "NotAuthorized"


def test_media_read_grants_get_object_under_the_media_prefix_only(with_auth):
    _, function = with_auth.function("downloads_issue.handler")
    (statement,) = [s for s in with_auth.role_statements(function) if "s3:GetObject" in json.dumps(s["Action"])]
    assert statement["Action"] == "s3:GetObject"
    media_id = next(
        lid for lid, b in with_auth.of_type("AWS::S3::Bucket").items() if "VersioningConfiguration" in b["Properties"]
    )
    assert statement["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [media_id, "Arn"]}, "/media/*"]]}
    for module in ("account_profile", "account_register", "authorizer"):
        _, other = with_auth.function(f"{module}.handler")
        assert "s3:" not in json.dumps(with_auth.role_statements(other))
