"""Test helpers: API Gateway events, calling handlers, reading the emulated mailbox and table."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests import secrets_watch

CODE_IN_TEXT = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)
STRONG_PASSWORD = "Correct-Horse-Battery-9"


def api_event(
    method: str,
    path: str,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    raw_body: str | None = None,
    source_ip: str = "203.0.113.7",
    principal: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    path_params: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A REST API (v1) proxy event as API Gateway delivers it."""
    text = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
    context: dict[str, Any] = {
        "requestId": "test-request",
        "identity": {"sourceIp": source_ip},
        "resourcePath": path,
        "httpMethod": method,
        "stage": "v1",
    }
    if principal is not None:
        context["authorizer"] = principal
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "queryStringParameters": query,
        "pathParameters": path_params,
        "requestContext": context,
        "body": text,
        "isBase64Encoded": False,
    }


@dataclass(frozen=True)
class LambdaContext:
    function_name: str = "test-function"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:test-function"
    aws_request_id: str = "test-invocation"


@dataclass
class Result:
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def error(self) -> dict[str, Any]:
        return self.body["error"]


def invoke(handler: Callable[[dict[str, Any], Any], dict[str, Any]], event: dict[str, Any]) -> Result:
    try:
        secrets_watch.remember(json.loads(event.get("body") or "null"))
    except (ValueError, RecursionError):
        pass  # bodies that are not JSON carry nothing to remember
    response = handler(event, LambdaContext())
    text = response.get("body") or ""
    body = (
        json.loads(text)
        if text and response.get("headers", {}).get("Content-Type", "").startswith("application/json")
        else text
    )
    secrets_watch.remember(body if isinstance(body, dict) else None)
    return Result(response["statusCode"], response.get("headers") or {}, body or None)


class AuditLog:
    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.buffer.getvalue().splitlines() if line.strip()]

    def events(self) -> list[str]:
        return [line.get("event", "") for line in self.lines()]


class Aws:
    """Views into the moto-backed AWS of one test."""

    def mail(self, to: str | None = None) -> list[Any]:
        from local.emulation import sent_mail
        from portal.addresses import normalize

        # Mail goes out with the domain in punycode: compare keys, as the account does.
        return [m for m in sent_mail() if to is None or normalize(m.to) == normalize(to)]

    def last_code(self, to: str) -> str:
        messages = self.mail(to)
        assert messages, f"no mail to {to}"
        match = CODE_IN_TEXT.search(messages[-1].text)
        assert match, f"no code in the last mail to {to}: {messages[-1].subject}"
        secrets_watch.remember_secret(match.group(1))
        return match.group(1)

    def items(self) -> list[dict[str, Any]]:
        """What requests wrote: every item but the public access-token keys the stage is provisioned with."""
        import boto3

        from portal.dynamo.keys import PUBLIC_KEYS_PK
        from portal.services import settings

        client = boto3.client("dynamodb")
        items = [
            item
            for item in client.scan(TableName=settings().table_name, ConsistentRead=True)["Items"]
            if item["pk"]["S"] != PUBLIC_KEYS_PK
        ]
        for item in items:
            for name in ("passwordHash", "digest"):
                if name in item:
                    secrets_watch.remember_secret(item[name]["S"])
        return items

    def item(self, pk: str, sk: str) -> dict[str, Any] | None:
        import boto3

        from portal.services import settings

        response = boto3.client("dynamodb").get_item(
            TableName=settings().table_name, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True
        )
        return response.get("Item")


def authorizer_event(method: str, path: str, token: str | None, *, kind: str = "REQUEST") -> dict[str, Any]:
    """What API Gateway sends a Lambda authorizer (REQUEST or TOKEN type) for a protected route."""
    method_arn = f"arn:aws:execute-api:eu-west-1:123456789012:api1234/v1/{method}{path}"
    if kind == "TOKEN":
        return {"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": method_arn}
    return {
        "type": "REQUEST",
        "methodArn": method_arn,
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {} if token is None else {"Authorization": f"Bearer {token}"},
        "queryStringParameters": None,
        "pathParameters": None,
        "requestContext": {"resourcePath": path, "httpMethod": method, "stage": "v1", "requestId": "test-request"},
    }


UNAUTHORIZED = Result(401, {}, {"error": {"code": "NotAuthorized", "message": "Unauthorized"}})


@dataclass
class Api:
    """Calls route handlers by module name with API Gateway events."""

    handlers: dict[str, Callable[[dict[str, Any], Any], dict[str, Any]]]
    aws: Aws
    calls: list[str] = field(default_factory=list)

    def call(self, module: str, body: Any = None, **event_options: Any) -> Result:
        from functions.routes import ROUTES

        route = next(r for r in ROUTES if r.module == module)
        self.calls.append(module)
        return invoke(self.handlers[module], api_event(route.method, route.path, body, **event_options))

    def register(self, email: str, password: str = STRONG_PASSWORD, **extra: Any) -> Result:
        return self.call("account_register", {"email": email, "password": password, **extra})

    def verify(self, email: str, code: str, password: str = STRONG_PASSWORD) -> Result:
        return self.call("account_verify", {"email": email, "code": code, "password": password})

    def resend(self, email: str) -> Result:
        return self.call("account_verify_resend", {"email": email})

    def confirmed_account(self, email: str, password: str = STRONG_PASSWORD) -> None:
        assert self.register(email, password).status == 202
        assert self.verify(email, self.aws.last_code(email), password).status == 200

    # -- sign-in and protected routes ----------------------------------------------------------

    def authorize(
        self, token: str | None, method: str = "GET", path: str = "/v1/account", kind: str = "REQUEST"
    ) -> dict[str, Any] | None:
        """The authorizer's answer for this token: its context when allowed, None when it says Unauthorized."""
        try:
            answer = self.handlers["authorizer"](authorizer_event(method, path, token, kind=kind), LambdaContext())
        except Exception as exc:
            assert str(exc) == "Unauthorized", f"the authorizer failed otherwise: {exc!r}"
            return None
        [statement] = answer["policyDocument"]["Statement"]
        assert statement["Effect"] == "Allow" and statement["Action"] == "execute-api:Invoke"
        assert answer["principalId"] == answer["context"]["sub"]
        return answer["context"]

    def call_as(self, token: str | None, module: str, body: Any = None, **event_options: Any) -> Result:
        """A protected route as deployed: the authorizer first (401 when it refuses), then the function."""
        from functions.routes import ROUTES

        route = next(r for r in ROUTES if r.module == module)
        assert route.auth, f"{module} is not a protected route"
        context = self.authorize(token, route.method, route.path)
        if context is None:
            self.calls.append(module)
            return UNAUTHORIZED
        return self.call(module, body, principal=context, **event_options)

    def login(self, email: str, password: str = STRONG_PASSWORD) -> Result:
        return self.call("auth_login", {"email": email, "password": password})

    def tokens(self, email: str, password: str = STRONG_PASSWORD) -> dict[str, Any]:
        result = self.login(email, password)
        assert result.status == 200, result.body
        return result.body

    def refresh(self, refresh_token: str) -> Result:
        return self.call("auth_refresh", {"refreshToken": refresh_token})

    def forgot(self, email: str) -> Result:
        return self.call("password_forgot", {"email": email})

    def reset(self, email: str, code: str, new_password: str) -> Result:
        return self.call("password_reset", {"email": email, "code": code, "newPassword": new_password})


def shape(value):
    """A body with its values blanked, except the error code: what a client can compare."""
    if isinstance(value, dict):
        return {k: (v if k == "code" else shape(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__
