"""The committed OpenAPI document is the generated one, and it documents the new parameters."""

from __future__ import annotations

import json
from pathlib import Path

from functions.openapi import generate, render

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_committed_document_is_current():
    assert DOCUMENT.read_text(encoding="utf-8") == render(), "run `make openapi` and commit docs/openapi.json"


def test_query_path_and_html_answers_are_documented():
    paths = generate()["paths"]
    listing = {p["name"]: p for p in paths["/v1/videos"]["get"]["parameters"] if p["in"] == "query"}
    assert set(listing) == {"limit", "cursor", "q", "from", "to"}
    assert listing["limit"]["schema"] == {"default": 20, "maximum": 100, "minimum": 1, "type": "integer"}
    assert listing["from"]["schema"] == {"format": "date", "type": "string"} and not listing["from"]["required"]
    download = paths["/v1/videos/{videoId}/download"]["post"]
    assert download["parameters"] == [{"name": "videoId", "in": "path", "required": True, "schema": {"type": "string"}}]
    assert download["security"] == [{"bearerAuth": []}]
    assert {"401", "403", "404", "429"} <= set(download["responses"])
    page = paths["/v1/newsletter/unsubscribe"]["get"]
    assert page["responses"]["200"]["content"] == {"text/html": {"schema": {"type": "string"}}}
    assert page["parameters"][0]["name"] == "token" and page["parameters"][0]["required"] is True
    json.dumps(generate())  # serializable as a whole


def test_cacheable_reads_document_their_validator_and_304_and_no_other_route_does():
    paths = generate()["paths"]
    catalogue = {("/v1/videos", "get"), ("/v1/videos/{videoId}", "get")}
    # The public keys and the discovery document are cacheable too (with their own max-age).
    cacheable = catalogue | {("/.well-known/jwks.json", "get"), ("/.well-known/openid-configuration", "get")}
    for path, methods in paths.items():
        for method, operation in methods.items():
            headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
            if (path, method) in cacheable:
                assert [h["name"] for h in headers] == ["If-None-Match"]
                assert set(operation["responses"]["200"]["headers"]) == {"ETag", "Cache-Control"}
                cache_control = operation["responses"]["200"]["headers"]["Cache-Control"]["schema"]["const"]
                assert ("stale-while-revalidate=" in cache_control) == ((path, method) in catalogue)
                assert "ETag" in operation["responses"]["304"]["headers"]
            else:
                assert not headers and "304" not in operation["responses"], (path, method)
