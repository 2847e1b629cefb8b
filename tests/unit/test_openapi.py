"""The OpenAPI document documents every route with its errors (test_openapi_document.py: the committed copy is current)."""

from __future__ import annotations

from functions import openapi
from functions.routes import ROUTES


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
