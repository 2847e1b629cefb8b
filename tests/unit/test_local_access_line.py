"""The local runner's access line: one line per request, whatever the URL holds."""

from __future__ import annotations

import io

import pytest
from werkzeug.test import Client


class Emulation:
    """What LocalApi reads of the emulation for a request that sends no mail."""

    def settings(self):
        from portal.settings import Settings

        return Settings.from_env()

    def mailbox(self):
        return []


@pytest.fixture
def runner_out():
    from local.server import LocalApi

    out = io.StringIO()
    return Client(LocalApi(Emulation(), out=out)), out


@pytest.mark.parametrize(
    "url",
    [
        "/v1/x%0aGET%20/v1/forged%20-%3E%20200",  # LF in the path
        "/v1/x%0d%0aforged",  # CR LF
        "/nothing%0a%1b[31mred?q=%0a%1b",  # LF and an escape in the path and the query
    ],
)
def test_a_percent_encoded_newline_cannot_forge_an_access_line(runner_out, url):
    client, out = runner_out
    client.get(url)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "\x1b" not in lines[0] and "\r" not in lines[0]
    assert lines[0].startswith("GET /") and "%0A" in lines[0].upper()


def test_an_ordinary_request_is_logged_as_sent(runner_out):
    client, out = runner_out
    client.get("/no/such/route?limit=5")
    assert out.getvalue().startswith("GET /no/such/route?limit=5 -> 404")
