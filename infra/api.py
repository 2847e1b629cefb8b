"""The REST API: one method per route, stage throttling, JSON access logs, request validation, CORS,
the authorizer on protected routes, API Gateway's own errors in the API's error shape, and WAF.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from aws_cdk import Acknowledgment, Duration, Validations
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from functions.routes import Route
from infra.config import StageConfig
from infra.cors import Cors
from infra.functions import log_group
from infra.waf import RateLimits


def error_body(code: str, message: str) -> str:
    """The API's error shape (portal/errors.py), as web.py writes it."""
    return json.dumps({"error": {"code": code, "message": message}})


# API Gateway's own answers (the request never reached a function): status, code, message.
# `$context.error.messageString` is API Gateway's message, already quoted for JSON.
_GATEWAY_ERRORS: dict[apigateway.ResponseType, tuple[str, str, str | None]] = {
    # An unknown route or method answers "Missing Authentication Token" unless told otherwise.
    apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN: ("404", "NotFound", "No such route."),
    apigateway.ResponseType.RESOURCE_NOT_FOUND: ("404", "NotFound", "No such route."),
    apigateway.ResponseType.THROTTLED: ("429", "LimitExceeded", "Too many requests. Try again later."),
    apigateway.ResponseType.QUOTA_EXCEEDED: ("429", "LimitExceeded", "Too many requests. Try again later."),
    apigateway.ResponseType.UNAUTHORIZED: ("401", "NotAuthorized", "Sign in to use this route."),
    apigateway.ResponseType.EXPIRED_TOKEN: ("401", "NotAuthorized", "Sign in to use this route."),
    apigateway.ResponseType.ACCESS_DENIED: ("403", "NotAuthorized", "Not allowed."),
    apigateway.ResponseType.BAD_REQUEST_BODY: ("400", "InvalidParameter", None),
    apigateway.ResponseType.BAD_REQUEST_PARAMETERS: ("400", "InvalidParameter", None),
    apigateway.ResponseType.REQUEST_TOO_LARGE: ("413", "RequestTooLarge", "The request is too large."),
    apigateway.ResponseType.UNSUPPORTED_MEDIA_TYPE: ("415", "UnsupportedMediaType", "Send application/json."),
    apigateway.ResponseType.INTEGRATION_TIMEOUT: ("504", "ServiceUnavailable", "The service did not answer in time."),
    # Anything else keeps API Gateway's status.
    apigateway.ResponseType.DEFAULT_4_XX: ("", "InvalidParameter", None),
    apigateway.ResponseType.DEFAULT_5_XX: ("", "InternalError", "Something went wrong on our side."),
}


def gateway_error_template(code: str, message: str | None) -> str:
    if message is None:
        return '{"error": {"code": "' + code + '", "message": $context.error.messageString}}'
    return error_body(code, message)


def access_log_format() -> apigateway.AccessLogFormat:
    """The API access log's JSON fields (the throttled-requests query reads `ip`, `resourcePath`, `status`)."""
    return apigateway.AccessLogFormat.json_with_standard_fields(
        caller=False,
        http_method=True,
        ip=True,
        protocol=True,
        request_time=True,
        resource_path=True,
        response_length=True,
        status=True,
        user=False,
    )


def gateway_cors_headers(origins: tuple[str, ...]) -> dict[str, str]:
    """CORS headers on API Gateway's own answers, so the client can read why it was refused.

    A gateway response's header is a static value or a copy of a request header: it cannot choose
    one of several allowed origins. One origin (prod) is named as is. With several (dev), the
    request's Origin is echoed, with `Vary: Origin`: these bodies are the same generic errors for
    everyone, carry no credentials (no Allow-Credentials), and a foreign page's JSON or
    authenticated requests still fail the preflight, which allows only the stage's origins
    (docs/decisions/0009-operations-and-audit.md).
    """
    if not origins:
        return {}
    if len(origins) == 1:
        return {"Access-Control-Allow-Origin": f"'{origins[0]}'"}
    return {"Access-Control-Allow-Origin": "method.request.header.Origin", "Vary": "'Origin'"}


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        routes: Sequence[Route],
        function_for: Callable[[Route], lambda_.IFunction],
        authorizer_function: Callable[[], lambda_.IFunction],
        edge_requests: wafv2.CfnWebACL.StatementProperty | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.access_logs = log_group(self, "AccessLogs", config)
        cors = Cors.of(config.cors_origins, routes)
        self.rest_api = apigateway.RestApi(
            self,
            "RestApi",
            rest_api_name=f"portal-{config.name}",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            cloud_watch_role=False,
            deploy_options=apigateway.StageOptions(
                stage_name=config.name,
                throttling_rate_limit=config.throttling.rate_limit,
                throttling_burst_limit=config.throttling.burst_limit,
                access_log_destination=apigateway.LogGroupLogDestination(self.access_logs),
                access_log_format=access_log_format(),
                tracing_enabled=config.functions.tracing,
                metrics_enabled=True,
            ),
            default_cors_preflight_options=apigateway.CorsOptions(
                allow_origins=list(cors.origins),
                allow_methods=list(cors.methods),
                allow_headers=list(cors.allow_headers),
                expose_headers=list(cors.expose_headers),
                max_age=Duration.seconds(cors.max_age_seconds),
            )
            if cors.origins
            else None,
        )
        self.body_validator = self.rest_api.add_request_validator(
            "BodyValidator", validate_request_body=True, validate_request_parameters=True
        )
        self.json_object = self.rest_api.add_model(
            "JsonObject",
            content_type="application/json",
            schema=apigateway.JsonSchema(
                schema=apigateway.JsonSchemaVersion.DRAFT4, type=apigateway.JsonSchemaType.OBJECT
            ),
        )
        self.authorizer: apigateway.TokenAuthorizer | None = None
        if any(route.auth for route in routes):
            self.authorizer = apigateway.TokenAuthorizer(
                self,
                "Authorizer",
                handler=authorizer_function(),
                results_cache_ttl=Duration.seconds(config.authorizer_cache_seconds),
            )
        for route in routes:
            self._add_route(route, function_for(route))
        self._add_gateway_responses(cors.origins)
        self.web_acl = RateLimits(
            self,
            "Waf",
            config=config,
            routes=routes,
            stage_arn=self.rest_api.deployment_stage.stage_arn,
            edge_requests=edge_requests,
        )
        Validations.of(self.rest_api).acknowledge(
            Acknowledgment(
                id="AwsSolutions-APIG6",
                reason="Execution logging needs the account-wide API Gateway CloudWatch role, which no stage stack "
                "owns; JSON access logs and X-Ray cover each request.",
            ),
        )

    def _add_route(self, route: Route, function: lambda_.IFunction) -> None:
        resource = self.rest_api.root.resource_for_path(route.path)
        options: dict[str, object] = {}
        if route.json_body:
            options.update(request_validator=self.body_validator, request_models={"application/json": self.json_object})
        if route.auth:
            assert self.authorizer is not None
            options.update(authorizer=self.authorizer, authorization_type=apigateway.AuthorizationType.CUSTOM)
        method = resource.add_method(
            route.method, apigateway.LambdaIntegration(function, allow_test_invoke=False), **options
        )  # type: ignore[arg-type]
        if not route.auth:
            for rule, reason in (
                ("AwsSolutions-APIG4", "Public route: signing up and signing in happen before there is a token."),
                ("AwsSolutions-COG4", "Protected routes use the Lambda token authorizer (our JWTs), not Cognito."),
            ):
                Validations.of(method).acknowledge(
                    Acknowledgment(id=rule, reason=f"{route.method} {route.path}: {reason}")
                )
        else:
            Validations.of(method).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-COG4", reason="Protected by the Lambda token authorizer (our JWTs), not Cognito."
                )
            )

    def _add_gateway_responses(self, cors: tuple[str, ...]) -> None:
        headers = {"Content-Type": "'application/json'", **gateway_cors_headers(cors)}
        for response_type, (status, code, message) in _GATEWAY_ERRORS.items():
            self.rest_api.add_gateway_response(
                f"{response_type.response_type}",
                type=response_type,
                status_code=status or None,
                response_headers=headers,
                templates={"application/json": gateway_error_template(code, message)},
            )
