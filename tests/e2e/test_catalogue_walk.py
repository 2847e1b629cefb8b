"""Over real HTTP: the local runner serves the sample catalogue, and a signed-in account downloads.

The download walk signs up, confirms with the mailed code, logs in, asks for a link and fetches
it: the bytes that arrive are the committed sample file.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

ROOT = Path(__file__).resolve().parents[2]
FIRST = "foreign-ministers-2025-04-04"
SAMPLE = ROOT / "local" / "sample-catalog.json"


def test_the_runner_serves_the_sample_catalogue_newest_first(runner):
    listed = runner.get("/v1/videos")
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert items[0]["id"] == FIRST and items[0]["publishedAt"] == "2025-04-04T15:00:00Z"
    assert items[0]["description"].startswith(
        "NATO Foreign Ministers wrapped up two days of meetings in Brussels on Friday (4 April 2025)"
    )
    assert [i["publishedAt"] for i in items] == sorted((i["publishedAt"] for i in items), reverse=True)

    page = runner.get("/v1/videos", params={"limit": 1}).json()
    rest = runner.get("/v1/videos", params={"limit": 10, "cursor": page["nextCursor"]}).json()
    assert [i["id"] for i in page["items"] + rest["items"]] == [i["id"] for i in items]
    assert [i["id"] for i in runner.get("/v1/videos", params={"q": "Foreign ministers"}).json()["items"]] == [FIRST]
    assert runner.get("/v1/videos", params={"cursor": "tampered"}).status_code == 400

    one = runner.get(f"/v1/videos/{FIRST}")
    assert one.status_code == 200 and {r["name"] for r in one.json()["renditions"]} == {"sd", "audio"}
    missing = runner.get("/v1/videos/no-such-video")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NotFound"


def test_download_walk_sign_up_confirm_log_in_download_and_the_bytes_arrive(runner):
    tokens = runner.signed_up("downloader@example.org", "Download-Walk-2025!")
    issued = runner.post(f"/v1/videos/{FIRST}/download", {"rendition": "sd"}, token=tokens["accessToken"])
    assert issued.status_code == 200, issued.text
    link = issued.json()
    params = parse_qs(urlsplit(link["url"]).query)
    assert params["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and int(params["X-Amz-Expires"][0]) <= 900
    fetched = requests.get(link["url"], timeout=10)
    assert fetched.status_code == 200 and len(fetched.content) == link["size"]
    record = next(v for v in json.loads(SAMPLE.read_text(encoding="utf-8"))["videos"] if v["id"] == FIRST)
    key = next(r["key"] for r in record["renditions"] if r["name"] == "sd")
    assert fetched.content == (ROOT / "local" / "media" / key.rsplit("/", 1)[-1]).read_bytes()
    assert fetched.headers["Content-Disposition"].startswith(f'attachment; filename="{link["filename"]}"')
    assert fetched.content[4:8] == b"ftyp"  # a real MP4

    anonymous = runner.post(f"/v1/videos/{FIRST}/download", {"rendition": "sd"})
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "NotAuthorized"
    unknown = runner.post(f"/v1/videos/{FIRST}/download", {"rendition": "8k"}, token=tokens["accessToken"])
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "NotFound"


def get(runner, path, params=None, headers=None):
    return requests.get(runner.url + path, params=params, headers=headers, timeout=30)


def test_a_repeated_catalogue_read_with_its_etag_is_answered_304_without_a_body(runner):
    for path, params in (("/v1/videos", {"limit": 2}), (f"/v1/videos/{FIRST}", None)):
        first = get(runner, path, params=params)
        assert first.status_code == 200 and first.content
        tag = first.headers["ETag"]
        assert tag.startswith('"') and tag.endswith('"')
        assert (
            "public" in first.headers["Cache-Control"] and "stale-while-revalidate=" in first.headers["Cache-Control"]
        )

        again = get(runner, path, params=params, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["ETag"] == tag and again.headers["Cache-Control"] == first.headers["Cache-Control"]
        # The weak form CloudFront gives compressed copies still matches; another tag does not.
        assert get(runner, path, params=params, headers={"If-None-Match": f"W/{tag}"}).status_code == 304
        other = get(runner, path, params=params, headers={"If-None-Match": '"0123"'})
        assert other.status_code == 200 and other.content == first.content

    # Another page is another answer: its own tag, and the first page's tag does not match it.
    page_one = get(runner, "/v1/videos", params={"limit": 1})
    page_two = get(runner, "/v1/videos", params={"limit": 1, "cursor": page_one.json()["nextCursor"]})
    assert page_two.headers["ETag"] != page_one.headers["ETag"]
    stale = get(
        runner,
        "/v1/videos",
        params={"limit": 1, "cursor": page_one.json()["nextCursor"]},
        headers={"If-None-Match": page_one.headers["ETag"]},
    )
    assert stale.status_code == 200 and stale.json() == page_two.json()
