"""The local runner: HTTP in, the API Gateway REST proxy event the deployed function receives,
the same handler, and its answer back out as HTTP.

Routes come from the route table. Besides them it serves /openapi.json, Swagger UI at /docs,
the web client (web/) at / and, only here, /_local/mailbox. Every email the emulated SES accepts
is printed to the terminal.
"""

from __future__ import annotations

import base64
import importlib
import json
import mimetypes
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from functions.routes import AUTHORIZER, ROUTES, Route
from infra.web_headers import CACHE_CONTROL, security_headers
from local.emulation import CapturedMail, Emulation
from portal import errors
from portal.addresses import normalize

# API Gateway's own payload limit; the functions enforce their much smaller ones.
MAX_REQUEST_BYTES = 10 * 1024 * 1024
STAGE = "v1"

# The web client, as the CDN serves it: static files, same origin as the API here (so its
# config.js says apiBaseUrl ""), behind the headers CloudFront sends too (infra/web_headers.py).
WEB_ROOT = Path(__file__).resolve().parents[1] / "web"
# The catalogue's posters, served at the site's posters/ as the CDN serves them deployed (ops/posters.py).
POSTER_ROOT = Path(__file__).resolve().parent / "media" / "posters"
WEB_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".jpg": "image/jpeg",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}
WEB_HEADERS = {**security_headers(), "Cache-Control": CACHE_CONTROL}


def web_file(path: str) -> Path | None:
    """The file of web/ that a GET of `path` serves (`/` is index.html); None outside web/."""
    root, path = (POSTER_ROOT, path.removeprefix("/posters")) if path.startswith("/posters/") else (WEB_ROOT, path)
    try:
        file = (root / (path.lstrip("/") or "index.html")).resolve()
        if root not in file.parents or not file.is_file() or file.suffix not in WEB_TYPES:
            return None
    except (OSError, ValueError):  # a NUL byte, a name too long: not a file of ours
        return None
    return file


@dataclass(frozen=True)
class LambdaContext:
    """The attributes of the Lambda context object that our code and Powertools read."""

    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = ""
    function_version: str = "$LATEST"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def to_event(request: Request, route: Route, path_params: dict[str, str], body: bytes) -> dict[str, Any]:
    """The REST API (v1) proxy event for this request, as API Gateway would build it."""
    try:
        text, is_base64 = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, is_base64 = base64.b64encode(body).decode(), True
    headers = dict(request.headers.items())
    query = request.args
    return {
        "resource": route.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": {name: request.headers.getlist(name) for name in headers},
        "queryStringParameters": {k: query.getlist(k)[-1] for k in query} or None,
        "multiValueQueryStringParameters": {k: query.getlist(k) for k in query} or None,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": route.path,
            "httpMethod": request.method,
            "path": f"/{STAGE}{request.path}",
            "stage": STAGE,
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "identity": {"sourceIp": request.remote_addr or "127.0.0.1", "userAgent": request.user_agent.string},
            "accountId": "123456789012",
            "apiId": "local",
        },
        "body": text if body else None,
        "isBase64Encoded": is_base64 if body else False,
    }


def to_authorizer_event(request: Request, route: Route, event: dict[str, Any]) -> dict[str, Any]:
    """The REQUEST authorizer event API Gateway sends before invoking a protected route."""
    context = event["requestContext"]
    return {
        "type": "REQUEST",
        "methodArn": f"arn:aws:execute-api:eu-west-1:{context['accountId']}:{context['apiId']}/{STAGE}/{request.method}{request.path}",
        "resource": route.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": event["headers"],
        "multiValueHeaders": event["multiValueHeaders"],
        "queryStringParameters": event["queryStringParameters"],
        "multiValueQueryStringParameters": event["multiValueQueryStringParameters"],
        "pathParameters": event["pathParameters"],
        "stageVariables": None,
        "requestContext": context,
    }


def allowed_context(result: dict[str, Any]) -> dict[str, Any] | None:
    """The context of an authorizer answer whose policy allows the call; None when it does not."""
    statements = (result.get("policyDocument") or {}).get("Statement") or []
    if not any(s.get("Effect") == "Allow" for s in statements) or any(s.get("Effect") == "Deny" for s in statements):
        return None
    return {**(result.get("context") or {}), "principalId": result.get("principalId", "")}


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(payload), status=status, headers=headers or {}, content_type="application/json")


def per_request_log_context(logger: Any) -> None:
    """Give each thread its own copy of `logger`'s keys (the Lambda context, request id, source IP).

    Powertools keeps them in one dict on the formatter: right in Lambda, where an environment
    serves one request at a time, wrong here, where the server runs requests in parallel threads and
    one request's audit line would carry another's function name and request id. Each thread
    starts from the keys set before the server started (service name and the like).
    """
    formatter = logger.registered_formatter
    if getattr(type(formatter), "per_thread", False):
        return
    shared = dict(formatter.log_format)
    local = threading.local()

    class PerThread(type(formatter)):  # type: ignore[misc]  # the formatter's own class, known at run time
        per_thread = True

        @property
        def log_format(self) -> dict[str, Any]:
            if not hasattr(local, "keys"):
                local.keys = dict(shared)
            keys: dict[str, Any] = local.keys
            return keys

        @log_format.setter
        def log_format(self, value: dict[str, Any]) -> None:
            local.keys = value

    formatter.__class__ = PerThread


def _error(error: errors.ApiError) -> Response:
    return _json(error.status, error.body(), error.headers())


class LocalApi:
    def __init__(self, emulation: Emulation, out: TextIO = sys.stdout) -> None:
        self.emulation = emulation
        self.out = out
        self.handlers: dict[str, Callable[[dict[str, Any], Any], dict[str, Any]]] = {
            route.module: importlib.import_module(f"functions.{route.module}").handler for route in ROUTES
        }
        self.authorizer = importlib.import_module(f"functions.{AUTHORIZER.module}").handler
        from portal.audit import logger

        per_request_log_context(logger)
        self.cors_origins = emulation.settings().cors_origins
        self._printed = 0
        self._print_lock = threading.Lock()

    # -- WSGI --------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        request.max_content_length = MAX_REQUEST_BYTES
        started = time.perf_counter()
        try:
            response = self.dispatch(request)
        finally:
            self.print_new_mail()
        elapsed = (time.perf_counter() - started) * 1000
        self.out.write(
            f"{request.method} {request.full_path.rstrip('?')} -> {response.status_code} ({elapsed:.0f} ms)\n"
        )
        self.out.flush()
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = request.path
        if path == "/openapi.json":
            from functions.openapi import generate

            return _json(200, generate())
        if path in ("/docs", "/docs/"):
            return Response(SWAGGER_PAGE, content_type="text/html; charset=utf-8")
        if path.startswith("/docs/assets/"):
            return self._swagger_asset(path.removeprefix("/docs/assets/"))
        if path == "/_local/mailbox":
            return self._mailbox(request)
        if request.method in ("GET", "HEAD") and not path.startswith("/v1/") and (file := web_file(path)):
            return Response(file.read_bytes(), headers=WEB_HEADERS, content_type=WEB_TYPES[file.suffix])
        matched = [(route, m) for route in ROUTES if (m := route.pattern.match(path))]
        if not matched:
            return _error(errors.NotFound("No such route."))
        if request.method == "OPTIONS":
            return self._preflight(request, [route.method for route, _ in matched])
        for route, match in matched:
            if route.method == request.method:
                return self._invoke(request, route, match.groupdict())
        response = _error(errors.MethodNotAllowed())
        response.headers["Allow"] = ", ".join(sorted({route.method for route, _ in matched} | {"OPTIONS"}))
        return response

    # -- routes ------------------------------------------------------------------------------

    def _invoke(self, request: Request, route: Route, path_params: dict[str, str]) -> Response:
        try:
            body = request.get_data(cache=False)
        except RequestEntityTooLarge:
            return _error(errors.RequestTooLarge())
        event = to_event(request, route, path_params, body)
        if route.auth:
            # As API Gateway does: no Authorization header, or any failure of the authorizer, is a
            # 401 before the route function runs (the deployed API does not cache here: we never do).
            if not request.headers.get(AUTHORIZER.identity_header):
                return _error(errors.NotAuthorized("Log in to continue."))
            authorizer_context = LambdaContext(function_name=AUTHORIZER.module, aws_request_id=str(uuid.uuid4()))
            try:
                allowed = allowed_context(
                    self.authorizer(to_authorizer_event(request, route, event), authorizer_context)
                )
            except Exception as exc:
                if str(exc) != "Unauthorized":
                    return _error(errors.InternalError())
                allowed = None
            if allowed is None:
                return _error(errors.NotAuthorized("Log in to continue."))
            event["requestContext"]["authorizer"] = allowed
        context = LambdaContext(function_name=route.module, aws_request_id=event["requestContext"]["requestId"])
        result = self.handlers[route.module](event, context)
        payload = result.get("body") or ""
        raw = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode()
        return Response(raw, status=result["statusCode"], headers=result.get("headers") or {})

    def _preflight(self, request: Request, methods: list[str]) -> Response:
        origin = request.headers.get("Origin", "")
        if origin not in self.cors_origins:
            return Response(status=403)
        return Response(
            status=204,
            headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": ", ".join(sorted({*methods, "OPTIONS"})),
                "Access-Control-Allow-Headers": "Authorization, Content-Type",
                "Access-Control-Max-Age": "600",
                "Vary": "Origin",
            },
        )

    # -- local extras --------------------------------------------------------------------------

    def _mailbox(self, request: Request) -> Response:
        to = request.args.get("to", "")
        wanted = normalize(to.strip())
        messages = [m.as_json() for m in reversed(self.emulation.mailbox()) if not to or normalize(m.to) == wanted]
        return _json(200, {"messages": messages})

    def _swagger_asset(self, name: str) -> Response:
        from swagger_ui_bundle import swagger_ui_path

        root = Path(swagger_ui_path).resolve()
        file = (root / name).resolve()
        if root not in file.parents or not file.is_file():
            return _error(errors.NotFound())
        return Response(
            file.read_bytes(), content_type=mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        )

    def print_new_mail(self) -> None:
        with self._print_lock:
            mail = self.emulation.mailbox()
            for message in mail[self._printed :]:
                self.out.write(format_mail(message))
            self._printed = len(mail)
            self.out.flush()


def format_mail(message: CapturedMail) -> str:
    rule = "-" * 72
    return f"\n{rule}\nMAIL to {message.to} | {message.subject}\n{rule}\n{message.text}{rule}\n"


SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Portal API - Swagger UI</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>
"""
