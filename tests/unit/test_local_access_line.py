"""The local runner's access line: one line per request, whatever the URL holds."""

from __future__ import annotations

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request


def line(url: str) -> str:
    from local.server import access_target

    return access_target(
        Request(EnvironBuilder(path=url.split("?")[0], query_string=url.partition("?")[2]).get_environ())
    )


@pytest.mark.parametrize(
    "url",
    [
        "/v1/x%0aGET%20/v1/forged%20-%3E%20200",  # LF in the path
        "/v1/x%0d%0aforged",  # CR LF
        "/nothing%0a%1b[31mred?q=%0a%1b",  # LF and an escape in the path and the query
    ],
)
def test_a_percent_encoded_newline_cannot_forge_an_access_line(url):
    written = line(url)
    assert "\n" not in written and "\r" not in written and "\x1b" not in written
    assert written.startswith("GET /") and "%0A" in written.upper()


def test_an_ordinary_request_is_logged_as_sent():
    assert line("/v1/videos/nope?limit=5") == "GET /v1/videos/nope?limit=5"
