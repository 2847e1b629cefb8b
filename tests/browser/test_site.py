"""The web client as files and as code: how the runner serves it, and that it speaks the API's
vocabulary (every error code, every password rule id) in both languages.

The client's own modules are imported in Chromium (the same files the page loads), so these
tests check the code that runs, not a copy of its tables.
"""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest
import requests

from portal import errors
from portal.passwords import RULE_IDS, failed_rules
from tests.local_runner import ROOT

pytestmark = pytest.mark.browser

CSP = "Content-Security-Policy"
WEB = ROOT / "web"


def raw_get(url: str, path: str) -> http.client.HTTPResponse:
    """A GET with the path sent exactly as written (no client-side normalising of `..`)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", path)
    return connection.getresponse()


def test_the_runner_serves_the_site_at_the_root_with_strict_headers(runner):
    page = requests.get(runner.url + "/", timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<script type="module" src="app.js">' in page.text
    policy = page.headers[CSP]
    for directive in (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"

    # Every module of the client (screens/ included), as the page imports them.
    modules = {path.relative_to(WEB).as_posix(): "text/javascript; charset=utf-8" for path in WEB.rglob("*.js")}
    assert {"app.js", "router.js", "forms.js", "screens/account.js"} <= modules.keys()
    for name, content_type in {
        **modules,
        "styles.css": "text/css; charset=utf-8",
        "favicon.svg": "image/svg+xml",
    }.items():
        asset = requests.get(f"{runner.url}/{name}", timeout=10)
        assert asset.status_code == 200, name
        assert asset.headers["Content-Type"] == content_type
        assert CSP in asset.headers


def test_the_runner_serves_the_catalogues_posters_as_the_cdn_does(runner):
    """Posters are static files of the site (posters/...): one plain GET each, no API call."""
    items = requests.get(runner.url + "/v1/videos", timeout=10).json()["items"]
    with_posters = [item for item in items if item.get("thumbnail")]
    assert with_posters, "the sample catalogue ships posters"
    for item in with_posters:
        assert item["thumbnail"] == f"posters/{item['id']}.jpg"
        poster = requests.get(f"{runner.url}/{item['thumbnail']}", timeout=10)
        assert poster.status_code == 200 and poster.headers["Content-Type"] == "image/jpeg"
        assert poster.content[:2] == b"\xff\xd8" and CSP in poster.headers
    assert requests.get(runner.url + "/posters/no-such-video.jpg", timeout=10).status_code == 404
    assert raw_get(runner.url, "/posters/../sample-catalog.json").status == 404


def test_the_local_config_points_the_client_at_its_own_origin(runner):
    config = requests.get(runner.url + "/config.js", timeout=10).text
    assert 'apiBaseUrl: ""' in config


def test_nothing_outside_the_site_folder_is_served(runner):
    for path in (
        "/../pyproject.toml",
        "/%2e%2e/pyproject.toml",
        "/..%2fpyproject.toml",
        "/local/server.py",
        "/README.md",
    ):
        response = raw_get(runner.url, path)
        body = response.read()
        assert response.status != 200 or b"[project]" not in body, path
        assert b"portal-accounts" not in body, path
    for path in ("/%00", "/index.html%00.js", "/" + "a" * 5000 + ".js"):
        response = raw_get(runner.url, path)
        response.read()
        assert response.status == 404, path


def test_the_api_and_the_runner_extras_keep_their_paths(runner):
    assert requests.get(runner.url + "/v1/videos", timeout=10).json()["items"]
    assert requests.get(runner.url + "/openapi.json", timeout=10).json()["openapi"]
    assert "swagger-ui" in requests.get(runner.url + "/docs", timeout=10).text
    assert requests.get(runner.url + "/_local/mailbox", params={"to": "nobody@example.org"}, timeout=10).json() == {
        "messages": []
    }
    missing = requests.get(runner.url + "/no-such-page.html", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NotFound"
    # A POST to a page is not a route.
    assert requests.post(runner.url + "/", timeout=10).status_code == 404


@pytest.fixture
def site(open_portal):
    portal = open_portal("en")
    portal.open()
    return portal.page


def in_page(page, script: str, arg=None):
    return page.evaluate(f"async (arg) => {{ {script} }}", arg)


def test_every_api_error_code_has_a_message_in_both_languages(site):
    codes = [error.code for error in errors.VOCABULARY] + ["NetworkError", "SessionEnded"]
    messages = in_page(
        site,
        """
        const i18n = await import('/i18n.js');
        const out = {};
        for (const lang of ['en', 'fr']) {
          i18n.setLanguage(lang);
          out[lang] = Object.fromEntries(arg.map((code) => [code, i18n.t('errors.' + code)]));
        }
        i18n.setLanguage('en');
        return out;
        """,
        codes,
    )
    for code in codes:
        assert messages["en"][code] != f"errors.{code}", f"no English message for {code}"
        assert messages["fr"][code] != f"errors.{code}", f"no French message for {code}"
        assert messages["en"][code] != messages["fr"][code], f"{code} is not translated"
    # The portal's own sentence for a refused password.
    assert messages["en"]["InvalidPassword"] == errors.InvalidPassword.message


def test_the_checklist_knows_every_rule_id_the_api_returns(site):
    client = in_page(
        site,
        """
        const passwords = await import('/passwords.js');
        const i18n = await import('/i18n.js');
        const labels = {};
        for (const lang of ['en', 'fr']) {
          i18n.setLanguage(lang);
          labels[lang] = passwords.RULE_IDS.map((id) => i18n.t('rules.' + id));
        }
        i18n.setLanguage('en');
        return {ids: passwords.RULE_IDS, labels};
        """,
    )
    assert tuple(client["ids"]) == RULE_IDS
    for lang in ("en", "fr"):
        assert not [label for label in client["labels"][lang] if label.startswith("rules.")], lang


# Passwords whose local verdicts must match the API's (every rule but `common`, which only the
# API's list can decide): accents, full-width digits (NFKC), non-Latin scripts, whitespace,
# invisible characters, the address's local part, lengths at the edges.
SAMPLES = [
    "weak",
    "Correct-Horse-Battery-9",
    "alllowercase1!xyz",
    "ALLUPPERCASE1!XYZ",
    "NoDigitsHere!!abc",
    "NoSymbols123abcDEF",
    "Has Space 123!abcD",
    "Tab\tinside123!abcD",
    "Zero\u200bwidth123!Ab",
    "Ünïcödé-Pässwörd-12",
    "ＦｕｌｌＷｉｄｔｈ１２３！ａｂ",
    "Пароль-Надёжный-42",
    "密码密码密码密码密码密码1!",
    "Walker-Lantern-77!",
    "Aa1!" * 3,
    "Aa1!" * 32,
    "Aa1!" * 32 + "x",
    "emoji-🙂-Password-9",
]


def test_local_checks_agree_with_the_api_rules(site):
    email = "walker@example.org"
    local = in_page(
        site,
        """
        const passwords = await import('/passwords.js');
        return arg.samples.map((pw) => passwords.checkLocally(pw, arg.email));
        """,
        {"samples": SAMPLES, "email": email},
    )
    import unicodedata

    for password, verdict in zip(SAMPLES, local, strict=True):
        expected = set(failed_rules(unicodedata.normalize("NFKC", password), email)) - {"common"}
        broken = {rule for rule, holds in verdict.items() if holds is False}
        assert broken == expected, f"{password!r}: browser {sorted(broken)} vs API {sorted(expected)}"
        assert verdict["common"] is None


def test_dates_read_as_people_write_them(site):
    dates = in_page(
        site,
        """
        const i18n = await import('/i18n.js');
        const out = {};
        for (const lang of ['en', 'fr']) {
          i18n.setLanguage(lang);
          out[lang] = arg.map((iso) => i18n.formatDate(iso));
        }
        i18n.setLanguage('en');
        return out;
        """,
        ["2026-12-01T10:00:00Z", "2025-04-04T15:00:00Z", "2026-01-11T00:00:00Z"],
    )
    assert dates["fr"] == ["1er décembre 2026", "4 avril 2025", "11 janvier 2026"]
    assert dates["en"] == ["1 December 2026", "4 April 2025", "11 January 2026"]
