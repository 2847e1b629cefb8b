"""Over real HTTP: the local runner serves the sample catalogue, and its media downloads from a
presigned URL built exactly as the download route builds it.

The runner is started against a moto server this test owns (AWS_ENDPOINT_URL), so the test can
sign a URL for the same emulated bucket. The download route itself needs a signed-in caller; its
HTTP walk comes with sign-in (the handler walk is in tests/integration/test_videos.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
FIRST = "foreign-ministers-2025-04-04"
SAMPLE = ROOT / "local" / "sample-catalog.json"


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def runner(moto_endpoint) -> Iterator[str]:
    env = {
        **os.environ,
        "PORT": "0",
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_REGION": "eu-west-1",
        "PYTHONUNBUFFERED": "1",
    }
    for name in [n for n in env if n.startswith("PORTAL_")]:
        del env[name]  # the runner's settings come from the stage config, not the test's
    process = subprocess.Popen([sys.executable, "-m", "local"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = process.stdout.readline()
        assert first.startswith("Portal API listening on http://127.0.0.1:"), first
        yield first.split()[4]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_runner_serves_the_sample_catalogue_newest_first(runner):
    listed = requests.get(f"{runner}/v1/videos", timeout=10)
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert items[0]["id"] == FIRST and items[0]["publishedAt"] == "2025-04-04T15:00:00Z"
    assert items[0]["description"].startswith("NATO Foreign Ministers wrapped up two days of meetings in Brussels on Friday (4 April 2025)")
    assert [i["publishedAt"] for i in items] == sorted((i["publishedAt"] for i in items), reverse=True)

    page = requests.get(f"{runner}/v1/videos", params={"limit": 1}, timeout=10).json()
    rest = requests.get(f"{runner}/v1/videos", params={"limit": 10, "cursor": page["nextCursor"]}, timeout=10).json()
    assert [i["id"] for i in page["items"] + rest["items"]] == [i["id"] for i in items]
    assert [i["id"] for i in requests.get(f"{runner}/v1/videos", params={"q": "Foreign ministers"}, timeout=10).json()["items"]] == [FIRST]
    assert requests.get(f"{runner}/v1/videos", params={"cursor": "tampered"}, timeout=10).status_code == 400

    one = requests.get(f"{runner}/v1/videos/{FIRST}", timeout=10)
    assert one.status_code == 200 and {r["name"] for r in one.json()["renditions"]} == {"sd", "audio"}
    missing = requests.get(f"{runner}/v1/videos/no-such-video", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NotFound"


def test_the_seeded_media_downloads_from_a_presigned_url(runner, moto_endpoint, monkeypatch):
    from portal import runtime
    from portal.catalog import Video
    from portal.downloads import content_disposition, filename

    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("PORTAL_MEDIA_BUCKET", "portal-dev-media")
    for builder in (runtime.settings, runtime.media_client, runtime.media):
        builder.cache_clear()
    try:
        # The record as the runner seeded it (the public answer leaves out the S3 keys).
        record = next(v for v in json.loads(SAMPLE.read_text(encoding="utf-8"))["videos"] if v["id"] == FIRST)
        video = Video.model_validate(record)
        rendition = video.rendition("sd")
        name = filename(video, rendition)
        url = runtime.media().presign(rendition.key, rendition.contentType, content_disposition(name), 900)
    finally:
        for builder in (runtime.settings, runtime.media_client, runtime.media):
            builder.cache_clear()

    assert url.startswith(f"{moto_endpoint}/portal-dev-media/media/samples/")
    params = parse_qs(urlsplit(url).query)
    assert params["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and params["X-Amz-Expires"] == ["900"]
    fetched = requests.get(url, timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == (ROOT / "local/media" / rendition.key.rsplit("/", 1)[-1]).read_bytes()
    assert fetched.headers["Content-Disposition"].startswith(f'attachment; filename="{name}"')
    assert fetched.content[4:8] == b"ftyp"  # a real MP4
