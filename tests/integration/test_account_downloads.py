"""GET /v1/account/downloads: each issued download recorded, served newest first, paged."""

from __future__ import annotations

import pytest
import time_machine

from tests.videos_support import principal_of, record, seed

ANN, BOB = "ann@example.org", "bob@example.org"


@pytest.fixture
def two_videos(api):
    seed([record("first", "2025-01-01T00:00:00Z"), record("second", "2025-02-01T00:00:00Z")])
    return api


def download(api, principal, video_id, rendition="full_hd"):
    result = api.call(
        "videos_download", {"rendition": rendition}, principal=principal, path_params={"videoId": video_id}
    )
    assert result.status == 200, result.body


def history(api, principal, **query):
    return api.call("account_downloads", principal=principal, query={k: str(v) for k, v in query.items()} or None)


def test_the_history_is_the_accounts_own_newest_first_and_paged(two_videos, aws):
    api = two_videos
    api.confirmed_account(ANN)
    api.confirmed_account(BOB)
    ann, bob = principal_of(aws, ANN), principal_of(aws, BOB)
    with time_machine.travel("2026-01-05 10:00:00", tick=False) as clock:
        download(api, ann, "first")
        clock.shift(60)
        download(api, ann, "second", "audio")
        clock.shift(60)
        download(api, ann, "first", "audio")
        download(api, bob, "second")

    everything = history(api, ann)
    assert everything.status == 200
    items = everything.body["items"]
    assert [(i["videoId"], i["rendition"], i["issuedAt"]) for i in items] == [
        ("first", "audio", "2026-01-05T10:02:00Z"),
        ("second", "audio", "2026-01-05T10:01:00Z"),
        ("first", "full_hd", "2026-01-05T10:00:00Z"),
    ]

    first = history(api, ann, limit=2)
    assert len(first.body["items"]) == 2 and first.body["nextCursor"]
    rest = history(api, ann, limit=2, cursor=first.body["nextCursor"])
    assert rest.status == 200
    assert first.body["items"] + rest.body["items"] == items
    assert rest.body["nextCursor"] is None

    assert [i["videoId"] for i in history(api, bob).body["items"]] == ["second"]


def test_a_cursor_we_did_not_make_is_refused(two_videos, aws):
    two_videos.confirmed_account(ANN)
    result = history(two_videos, principal_of(aws, ANN), cursor="not-a-cursor")
    assert result.status == 400 and result.error["code"] == "InvalidParameter"


def test_an_unconfirmed_account_has_no_history_to_read(two_videos, aws):
    two_videos.register(ANN)
    result = history(two_videos, principal_of(aws, ANN))
    assert result.status == 403 and result.error["code"] == "UserNotConfirmed"
