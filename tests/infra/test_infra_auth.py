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
    assert len(protected) == 2  # the two auth=True routes of the variant
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
