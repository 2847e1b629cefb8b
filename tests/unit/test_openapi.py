"""The OpenAPI document is generated from the code; the committed copy must match it."""

from __future__ import annotations

from pathlib import Path

from functions import openapi
from functions.routes import ROUTES

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_committed_openapi_document_is_current():
    assert DOC.read_text() == openapi.render(), "docs/openapi.json is stale: run `make openapi`"


def test_every_route_is_documented_with_its_errors():
    document = openapi.generate()
    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        assert operation["operationId"] == route.module
        assert {"400", "413", "429", "500", "503"} <= set(operation["responses"])
    register = document["paths"]["/v1/account/register"]["post"]
    assert "InvalidPassword" in register["responses"]["400"]["description"]
    assert register["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/RegisterRequest")
    assert document["components"]["schemas"]["RegisterRequest"]["additionalProperties"] is False
