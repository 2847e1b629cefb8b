"""Every pattern that checks a whole value matches the whole value: in Python `$` also matches
before a trailing newline, so "...#a\n" passed as "...#a" (a forged cursor reached DynamoDB)."""

from __future__ import annotations

import pytest

from functions.routes import ROUTES
from portal import tokens
from portal.catalog import decode_cursor, encode_cursor
from portal.errors import InvalidParameter, NotFound
from portal.keys import Keyring
from portal.newsletter import Newsletter
from portal.settings import Settings, SettingsError

SUB = "0f8fad5b-d9cb-469f-a165-70867728950e"
SID = "0123456789abcdef0123456789abcdef"


def test_a_cursor_with_a_trailing_newline_is_refused():
    key = "2025-04-04T15:00:00Z#foreign-ministers-2025-04-04"
    assert decode_cursor(encode_cursor(key)) == key
    with pytest.raises(InvalidParameter):
        decode_cursor(encode_cursor(key + "\n"))


def test_a_refresh_token_with_a_trailing_newline_is_refused():
    token, _ = tokens.new_refresh(SID)
    with pytest.raises(tokens.TokenRejected):
        tokens.parse_refresh(token + "\n")


def test_an_unsubscribe_token_with_a_trailing_newline_is_refused():
    keyring = Keyring({"kid": "k1", "secret": "s" * 64})
    links = Newsletter(None, None, None, lambda: keyring, "https://api.example.org", clock=lambda: 1_743_760_000)
    token = links.token(SUB)
    assert links.check(token) == SUB
    with pytest.raises(InvalidParameter):
        links.check(token + "\n")


def test_a_public_url_with_a_trailing_newline_is_refused():
    base = {"table_name": "t", "keys_secret_id": "k", "mail_sender": "no-reply@example.org"}
    Settings.from_env(_env(base, "https://api.example.org"))
    with pytest.raises(SettingsError):
        Settings.from_env(_env(base, "https://api.example.org\n"))


def _env(base: dict[str, str], url: str) -> dict[str, str]:
    return {
        "PORTAL_TABLE_NAME": base["table_name"],
        "PORTAL_KEYS_SECRET_ID": base["keys_secret_id"],
        "PORTAL_SIGNING_KEYS_SECRET_ID": "s",
        "PORTAL_MAIL_SENDER": base["mail_sender"],
        "PORTAL_PUBLIC_API_URL": url,
    }


FIXED = [r for r in ROUTES if "{" not in r.path]


@pytest.mark.parametrize("route", FIXED, ids=[f"{r.method} {r.path}" for r in FIXED])
def test_a_route_path_with_a_trailing_newline_is_no_route(route):
    assert route.pattern.match(route.path)
    assert not route.pattern.match(route.path + "\n")


def test_a_video_id_with_a_trailing_newline_is_not_looked_up():
    looked_up = []

    class Store:
        def get(self, video_id):
            looked_up.append(video_id)

    from portal.catalog import Catalog

    with pytest.raises(NotFound):
        Catalog(Store()).get("a-video\n")
    assert looked_up == []
