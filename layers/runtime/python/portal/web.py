"""The thin HTTP edge of every route function: API Gateway REST proxy event in, response out.

`endpoint` turns a plain function into a Lambda handler: it reads the event, enforces the body
limits, validates the body with the route's pydantic model, calls the function, and maps every
exception to the one error shape (errors.py). It is the only place that does so. Each function
serves one route (API Gateway routes), so no router is needed here; see docs/decisions.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from portal import field_words, services
from portal.audit import flush_metrics, logger
from portal.errors import (
    ApiError,
    DependencyFailure,
    InternalError,
    InvalidParameter,
    RequestTooLarge,
    ServiceUnavailable,
    UnsupportedMediaType,
)
from portal.records import Conflict

MAX_BODY_BYTES = 8 * 1024
BASE_HEADERS = {
    "Content-Type": "application/json",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    query: dict[str, str]
    path_params: dict[str, str]
    body: bytes | None
    source_ip: str
    request_id: str
    # What the authorizer established about the caller (sub, session id); empty on public routes.
    principal: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> Request:
        context = event.get("requestContext") or {}
        body = event.get("body")
        if body is not None:
            body = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
        return cls(
            method=event.get("httpMethod", ""),
            path=event.get("path", ""),
            headers={k.lower(): v for k, v in (event.get("headers") or {}).items()},
            query=dict(event.get("queryStringParameters") or {}),
            path_params=dict(event.get("pathParameters") or {}),
            body=body,
            source_ip=(context.get("identity") or {}).get("sourceIp", ""),
            request_id=context.get("requestId", ""),
            principal={k: str(v) for k, v in (context.get("authorizer") or {}).items()},
        )


@dataclass(frozen=True)
class Contract:
    """What a route accepts and answers: read by the OpenAPI generator."""

    request_model: type[BaseModel] | None
    response_model: type[BaseModel] | None
    status: int
    errors: tuple[type[ApiError], ...]
    # False: the route takes an empty body as the request model's defaults (POST /v1/auth/logout).
    body_required: bool = True
    query_model: type[BaseModel] | None = None
    media_type: str = "application/json"


@dataclass(frozen=True)
class Html:
    """A small HTML page as the answer (the unsubscribe confirmation); everything else is JSON."""

    text: str


# A page we write ourselves, with no script: nothing may load from elsewhere, forms post only here.
HTML_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


def _problem(error: Mapping[str, Any]) -> dict[str, str]:
    # Never echo the input: it may be a password.
    location = ".".join(str(part) for part in error.get("loc", ())) or "body"
    return {"field": location, "problem": str(error.get("msg", "")).removeprefix("Value error, ")}


def parse_body(model: type[BaseModel], request: Request) -> BaseModel:
    if request.body is None or not request.body.strip():
        raise InvalidParameter("A JSON body is required.")
    if len(request.body) > MAX_BODY_BYTES:
        raise RequestTooLarge()
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType()
    try:
        return model.model_validate_json(request.body)
    except ValidationError as exc:
        raise InvalidParameter(
            fields=[_problem(e) for e in exc.errors(include_url=False, include_input=False)]
        ) from None


def parse_query(model: type[BaseModel], request: Request) -> BaseModel:
    """Query string parameters, validated like a body (all strings on the wire, so lax mode)."""
    try:
        return model.model_validate(request.query)
    except ValidationError as exc:
        raise InvalidParameter(
            fields=[_problem(e) for e in exc.errors(include_url=False, include_input=False)]
        ) from None


def _response(status: int, payload: Any, headers: dict[str, str]) -> dict[str, Any]:
    if isinstance(payload, Html):
        return {
            "statusCode": status,
            "headers": {**BASE_HEADERS, **HTML_HEADERS, **headers},
            "body": payload.text,
            "isBase64Encoded": False,
        }
    if payload is None:
        body = ""
    elif isinstance(payload, BaseModel):
        body = payload.model_dump_json()
    else:
        body = json.dumps(payload, separators=(",", ":"))
    return {"statusCode": status, "headers": {**BASE_HEADERS, **headers}, "body": body, "isBase64Encoded": False}


def error_response(error: ApiError) -> dict[str, Any]:
    return _response(error.status, error.body(), error.headers())


def _cors(request: Request, response: dict[str, Any], allowed_origins: tuple[str, ...]) -> None:
    origin = request.headers.get("origin")
    if origin and origin in allowed_origins:
        response["headers"].update(
            {"Access-Control-Allow-Origin": origin, "Vary": "Origin", "Access-Control-Expose-Headers": "Retry-After"}
        )


def endpoint(
    request_model: type[BaseModel] | None = None,
    *,
    response_model: type[BaseModel] | None = None,
    status: int = 200,
    errors: tuple[type[ApiError], ...] = (),
    cors_origins: Callable[[], tuple[str, ...]] | None = None,
    body_required: bool = True,
    query_model: type[BaseModel] | None = None,
    media_type: str = "application/json",
) -> Callable[[Callable[..., Any]], Callable[[dict[str, Any], Any], dict[str, Any]]]:
    """Make a Lambda handler of `fn(body, request)` (or `fn(request)` for a route without a body).

    With `query_model`, the validated query string comes before the request: `fn(query, request)`
    or `fn(body, query, request)`. `media_type` is for the OpenAPI document; a function answers
    HTML by returning `Html`. `errors` lists the route's own error codes for the OpenAPI
    document; the ones every route can answer (bad body, 5xx) are added there for all.
    """
    allowed_origins = cors_origins or services.cors_origins
    for model in (request_model, response_model, query_model):
        if model is not None:
            model.model_rebuild(force=True)  # this route's validators now, at init, not on first request

    def decorate(fn: Callable[..., Any]) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        @logger.inject_lambda_context(clear_state=True)
        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            request = Request.from_event(event)
            logger.append_keys(requestId=request.request_id, sourceIp=request.source_ip)
            try:
                arguments: list[Any] = []
                if request_model is not None:
                    if not body_required and (request.body is None or not request.body.strip()):
                        arguments.append(request_model())
                    else:
                        arguments.append(parse_body(request_model, request))
                if query_model is not None:
                    arguments.append(parse_query(query_model, request))
                result = fn(*arguments, request)
                response = _response(status, result, {})
            except ApiError as exc:
                response = error_response(field_words.in_words(exc, request.headers.get("accept-language")))
            except DependencyFailure as exc:
                logger.warning("dependency_failed", extra={"event": "dependency_failed", "detail": str(exc)})
                response = error_response(ServiceUnavailable())
            except Conflict:
                # A conditional write lost to a concurrent request where the use case has no
                # decision of its own to make again: nothing was written, so the client retries.
                logger.warning("race_lost", extra={"event": "race_lost"})
                response = error_response(ServiceUnavailable())
            except Exception:
                logger.exception("unhandled_error", extra={"event": "unhandled_error"})
                response = error_response(InternalError())
            _cors(request, response, allowed_origins())
            flush_metrics()
            return response

        # What openapi.py and the contract tests read from each handler.
        contract = Contract(request_model, response_model, status, errors, body_required, query_model, media_type)
        handler.contract = contract  # type: ignore[attr-defined]
        return handler

    return decorate
