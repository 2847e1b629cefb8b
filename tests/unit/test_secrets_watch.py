"""The session-wide log watch (tests/secrets_watch.py) does find what it looks for."""

from __future__ import annotations

from tests import secrets_watch


def test_the_watch_finds_secrets_and_whole_addresses_but_not_masked_ones(monkeypatch):
    monkeypatch.setattr(secrets_watch, "secrets", set())
    monkeypatch.setattr(secrets_watch, "addresses", set())
    secrets_watch.remember({"email": "Ann@Example.org", "password": "Correct-Horse-9!", "code": "042917"})
    lines = [
        '{"event":"code_sent","email":"a***@e***.org"}',
        '{"event":"oops","detail":"Correct-Horse-9!"}',
        '{"event":"oops","detail":"code 042917 sent"}',
        '{"event":"oops","detail":"to ann@example.org"}',
        '{"event":"fine","timestamp":"1042917000"}',
    ]
    assert len(secrets_watch.leaks(lines)) == 3
    # The session hands it a generator of lines: read once, all of them checked.
    assert len(secrets_watch.leaks(line for line in lines)) == 3
    assert [leak.split('"detail":')[1][:6] for leak in secrets_watch.leaks(lines)] == ['"Corre', '"code ', '"to an']


def test_the_watch_captures_what_the_functions_log(api):
    before = len(secrets_watch.log.getvalue())
    api.resend("watched@example.org")
    assert '"event":"resend_without_account"' in secrets_watch.log.getvalue()[before:]
