"""Shared fixtures: a moto-backed AWS provisioned like the stack, and the route handlers on it.

Unit tests (tests/unit) run with the network blocked (pytest-socket); only tests marked
`enable_socket` (the end-to-end walks over the local runner) may open sockets.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

# Before any portal import: the environment a deployed function has (dummy credentials).
TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    "POWERTOOLS_SERVICE_NAME": "portal",
    "POWERTOOLS_METRICS_NAMESPACE": "PortalTest",
    "PORTAL_STAGE": "test",
    "PORTAL_TABLE_NAME": "portal-test",
    "PORTAL_KEYS_SECRET_ID": "portal/test/keys",
    "PORTAL_MAIL_SENDER": "NATO Multimedia <no-reply@multimedia.test>",
    "PORTAL_CORS_ORIGINS": "https://portal.test",
    "PORTAL_MEDIA_BUCKET": "portal-test-media",
    "PORTAL_PUBLIC_API_URL": "https://api.portal.test",
}
MAIL_DOMAIN = "multimedia.test"
os.environ.update(TEST_ENV)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

import urllib3.util.connection  # noqa: E402,F401  probes IPv6 with a socket at import: do it before sockets are blocked

from tests.support import Api, Aws  # noqa: E402


def reset_runtime() -> None:
    """Forget every cached client and service: the next use builds them anew, as on a cold start."""
    from portal import runtime

    for value in vars(runtime).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


@pytest.fixture
def aws() -> Iterator[Aws]:
    from moto import mock_aws

    from local.emulation import provision
    from portal.settings import Settings

    with mock_aws():
        import boto3

        reset_runtime()
        provision(boto3.client, Settings.from_env(), MAIL_DOMAIN)
        yield Aws()
    reset_runtime()


@pytest.fixture
def api(aws: Aws) -> Api:
    """Every route's handler, freshly imported inside the mock (a cold start per test)."""
    from functions.routes import ROUTES

    handlers = {}
    for route in ROUTES:
        name = f"functions.{route.module}"
        module = importlib.reload(sys.modules[name]) if name in sys.modules else importlib.import_module(name)
        handlers[route.module] = module.handler
    return Api(handlers, aws)


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.enable_socket)




@pytest.fixture
def audit_lines() -> Iterator[Any]:
    from tests.videos_support import AuditLines

    lines = AuditLines()
    yield lines
    lines.close()
