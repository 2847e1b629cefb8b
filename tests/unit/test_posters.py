"""Posters: a frame of the video file as a 640 px JPEG (`python -m ops.catalog poster`), the
catalogue's `thumbnail` that names it, and the sample catalogue that ships one per video."""

from __future__ import annotations

import io
import json
import struct
from pathlib import Path

import pytest
from pydantic import ValidationError

from ops.catalog import OK, REFUSED, main
from ops.posters import POSTER_WIDTH, site_path
from tests.unit.test_catalog import video

ROOT = Path(__file__).resolve().parents[2]
MEDIA = ROOT / "local" / "media"
SAMPLE_VIDEO = MEDIA / "foreign-ministers-2025-04-04-sample-sd.mp4"
SAMPLE_AUDIO = MEDIA / "foreign-ministers-2025-04-04-sample-audio.m4a"


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's start-of-frame marker."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    at = 2
    while at < len(data):
        marker, length = data[at + 1], struct.unpack(">H", data[at + 2 : at + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    raise AssertionError("no start-of-frame marker")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), make_clients=lambda args: pytest.fail("a poster needs no AWS"), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_a_poster_is_a_frame_of_the_file_as_a_640_px_jpeg(tmp_path):
    code, out, _ = run("poster", str(SAMPLE_VIDEO), "fm-0404", "--out", str(tmp_path))
    assert code == OK
    poster = tmp_path / "posters" / "fm-0404.jpg"
    assert jpeg_size(poster.read_bytes()) == (POSTER_WIDTH, 360)  # the 16:9 sample keeps its shape
    assert "thumbnail: posters/fm-0404.jpg" in out
    # Another moment of the video is another picture.
    assert run("poster", str(SAMPLE_VIDEO), "fm-late", "--out", str(tmp_path), "--at", "7")[0] == OK
    assert (tmp_path / "posters" / "fm-late.jpg").read_bytes() != poster.read_bytes()


def test_no_poster_from_a_file_without_pictures_or_for_a_bad_id(tmp_path):
    code, _, err = run("poster", str(SAMPLE_AUDIO), "tone", "--out", str(tmp_path))
    assert code == REFUSED and "no video stream" in err
    code, _, err = run("poster", str(SAMPLE_VIDEO), "../escape", "--out", str(tmp_path))
    assert code == REFUSED and "not a video id" in err
    code, _, err = run("poster", str(tmp_path / "missing.mp4"), "gone", "--out", str(tmp_path))
    assert code == REFUSED and "cannot take a poster" in err
    assert not (tmp_path / "posters").exists() or not any((tmp_path / "posters").iterdir())


def test_a_thumbnail_is_a_site_poster_path_or_a_public_url():
    assert video(thumbnail="posters/fm-0404.jpg").thumbnail == "posters/fm-0404.jpg"
    assert video(thumbnail="https://cdn.example.org/p.jpg").thumbnail
    for bad in ("posters/../x.jpg", "posters/x.gif", "/posters/x.jpg", "http://cdn.example.org/p.jpg", "media/x.jpg"):
        with pytest.raises(ValidationError):
            video(thumbnail=bad)


def test_the_sample_catalogue_ships_a_poster_for_every_video_with_pictures():
    document = json.loads((ROOT / "local" / "sample-catalog.json").read_text(encoding="utf-8"))
    for record in document["videos"]:
        has_pictures = any(r["contentType"].startswith("video/") for r in record["renditions"])
        if not has_pictures:
            assert "thumbnail" not in record
            continue
        assert record["thumbnail"] == site_path(record["id"])
        assert jpeg_size((MEDIA / record["thumbnail"]).read_bytes())[0] == POSTER_WIDTH
        # Object names say what they hold: an `sd` rendition is not named "-hd".
        for rendition in record["renditions"]:
            assert f"-{rendition['name']}." in rendition["key"] or rendition["name"] not in ("sd", "hd")
            assert Path(rendition["key"]).name in {p.name for p in MEDIA.iterdir()}
