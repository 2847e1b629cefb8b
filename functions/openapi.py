"""Generates the OpenAPI 3.1 document from the route table and the handlers' contracts.

    python -m functions.openapi > docs/openapi.json      (make openapi)

The committed copy in docs/ is what reviewers and client authors read; a test fails when it
differs from what this module generates, and the local runner serves the generated one.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from typing import Any

from pydantic.json_schema import models_json_schema

from functions.routes import ROUTES, Route
from portal import errors

TITLE = "NATO Multimedia account API"
VERSION = "1.0.0"
DESCRIPTION = """\
The account backend of the multimedia portal: sign-up with an emailed 6-digit code, sign-in
with rotating refresh tokens, password recovery, the account itself, the public video
catalogue, presigned downloads for confirmed accounts, and the newsletter.

Protected routes take `Authorization: Bearer <accessToken>` (a JWT from `POST /v1/auth/login`
or `/v1/auth/refresh`, valid `expiresIn` seconds); without a valid one they answer
`401 NotAuthorized`.

Every error is the HTTP status plus `{"error": {"code", "message", ...}}` with a code from
Amazon Cognito's vocabulary. `429 LimitExceeded` and `503 ServiceUnavailable` carry a
`Retry-After` header and `retryAfter` seconds in the body. Request bodies are JSON
(`Content-Type: application/json`), at most 8 KB, and unknown fields are refused.
"""
# What any route with a JSON body may answer, whatever its logic.
COMMON_ERRORS: tuple[type[errors.ApiError], ...] = (
    errors.InvalidParameter,
    errors.RequestTooLarge,
    errors.UnsupportedMediaType,
    errors.LimitExceeded,  # also API Gateway's throttling and the WAF's rate rules when deployed
    errors.InternalError,
    errors.ServiceUnavailable,
)
REF = "#/components/schemas/{model}"


def _error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "enum": [e.code for e in errors.VOCABULARY]},
                    "message": {"type": "string", "description": "For a person; clients localize by `code`."},
                    "retryAfter": {"type": "integer", "minimum": 1, "description": "Seconds to wait (429, 503)."},
                    "failedRules": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "InvalidPassword: every unmet rule.",
                    },
                    "attemptsRemaining": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "CodeMismatch: tries left for this code.",
                    },
                    "fields": {
                        "type": "array",
                        "description": "InvalidParameter: which fields are wrong.",
                        "items": {
                            "type": "object",
                            "properties": {
                                "field": {"type": "string"},
                                "problem": {"type": "string", "description": "The validator's words, for developers."},
                                "message": {
                                    "type": "string",
                                    "description": "For a person, in the Accept-Language's language (en, fr).",
                                },
                            },
                        },
                    },
                },
            }
        },
    }


def _contract(route: Route) -> Any:
    return importlib.import_module(f"functions.{route.module}").handler.contract


def _parameters(route: Route, contract: Any) -> list[dict[str, Any]]:
    """Path parameters from the route's `{name}`s, query parameters from its query model."""
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in route.pattern.groupindex
    ]
    if contract.query_model is not None:
        schema = contract.query_model.model_json_schema(by_alias=True)
        required = set(schema.get("required", []))
        for name, field_schema in schema.get("properties", {}).items():
            parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required}
            if "description" in field_schema:
                parameter["description"] = field_schema.pop("description")
            field_schema.pop("title", None)
            # An optional parameter is simply absent: drop pydantic's `anyOf [..., null]`.
            options = [o for o in field_schema.pop("anyOf", []) if o.get("type") != "null"]
            if len(options) == 1:
                field_schema.update(options[0])
            if field_schema.get("default", 0) is None:
                del field_schema["default"]
            parameter["schema"] = field_schema
            parameters.append(parameter)
    return parameters


def _operation(route: Route, contract: Any) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": route.module,
        "summary": route.summary,
        "tags": [route.tag],
        "responses": {},
    }
    parameters = _parameters(route, contract)
    if parameters:
        operation["parameters"] = parameters
    if route.auth:
        operation["security"] = [{"bearerAuth": []}]
    if contract.request_model is not None:
        operation["requestBody"] = {
            "required": contract.body_required,
            "content": {"application/json": {"schema": {"$ref": REF.format(model=contract.request_model.__name__)}}},
        }
    success: dict[str, Any] = {"description": "Success."}
    if contract.media_type != "application/json":
        success["content"] = {contract.media_type: {"schema": {"type": "string"}}}
    elif contract.response_model is not None:
        success["content"] = {
            "application/json": {"schema": {"$ref": REF.format(model=contract.response_model.__name__)}}
        }
    operation["responses"][str(contract.status)] = success

    by_status: dict[int, list[type[errors.ApiError]]] = {}
    route_errors = [*contract.errors, *COMMON_ERRORS] + ([errors.NotAuthorized] if route.auth else [])
    for error in route_errors:
        if error not in by_status.setdefault(error.status, []):
            by_status[error.status].append(error)
    for status in sorted(by_status):
        codes = by_status[status]
        response: dict[str, Any] = {
            "description": ", ".join(e.code for e in codes),
            "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
        }
        if any(e in (errors.LimitExceeded, errors.ServiceUnavailable) for e in codes):
            response["headers"] = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}
        operation["responses"][str(status)] = response
    return operation


def generate() -> dict[str, Any]:
    contracts = {route: _contract(route) for route in ROUTES}
    models = {m for c in contracts.values() for m in (c.request_model, c.response_model) if m is not None}
    ordered = sorted(models, key=lambda m: m.__name__)
    _, definitions = models_json_schema(
        [(m, "validation" if m in {c.request_model for c in contracts.values()} else "serialization") for m in ordered],
        ref_template=REF,
    )
    schemas = dict(sorted(definitions.get("$defs", {}).items()))
    schemas["Error"] = _error_schema()
    paths: dict[str, dict[str, Any]] = {}
    for route, contract in contracts.items():
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, contract)
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "paths": paths,
        "components": {"schemas": schemas},
    }
    if any(route.auth for route in ROUTES):
        document["components"]["securitySchemes"] = {
            "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
        }
    return document


def render() -> str:
    return json.dumps(generate(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    # Handlers build their AWS clients at import; generating the document needs no AWS at all.
    for name, value in {
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "none",
        "AWS_SECRET_ACCESS_KEY": "none",
    }.items():
        os.environ.setdefault(name, value)
    for name, value in {"PORTAL_TABLE_NAME": "-", "PORTAL_KEYS_SECRET_ID": "-", "PORTAL_MAIL_SENDER": "-"}.items():
        os.environ.setdefault(name, value)
    sys.stdout.write(render())
