"""Posters: one frame of a video file, as the JPEG the catalogue shows (`python -m ops.catalog poster`).

PyAV (`av`, a dev/ops dependency: its wheels ship ffmpeg, so no tool needs installing) decodes
the frame; it is loaded only here, never in a Lambda function. Posters are served as static files
of the site under `posters/` (the CDN, or the local runner), so a page of videos costs no Lambda
call per image; a catalogue record names its poster by that path.
"""

from __future__ import annotations

from pathlib import Path

# Every poster is this wide (the height keeps the video's aspect ratio): the web client reserves
# a 16:9 box of this size, so the list never jumps while images load.
POSTER_WIDTH = 640
POSTER_DIR = "posters"


def site_path(video_id: str) -> str:
    """Where a video's poster is served, relative to the site's root (the record's `thumbnail`)."""
    return f"{POSTER_DIR}/{video_id}.jpg"


def take_poster(video_file: Path, out: Path, at: float | None = None) -> tuple[int, int]:
    """Write the frame at `at` seconds (default: a third of the way in) as a JPEG; its (width, height)."""
    import av  # heavy, and ops-only: loaded by the one command that needs it

    with av.open(str(video_file)) as source:
        if not source.streams.video:
            raise ValueError(f"{video_file} has no video stream")
        stream = source.streams.video[0]
        duration = source.duration / av.time_base if source.duration else 0.0
        target = duration / 3 if at is None else max(0.0, at)
        if target and stream.time_base:
            source.seek(int(target / stream.time_base), stream=stream)
        chosen = None
        for frame in source.decode(stream):
            chosen = frame
            if frame.time is None or frame.time >= target:
                break
        if chosen is None:
            raise ValueError(f"{video_file} has no frame to take")
        height = max(2, round(POSTER_WIDTH * chosen.height / chosen.width / 2) * 2)
        picture = chosen.reformat(width=POSTER_WIDTH, height=height, format="yuvj420p")
    out.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(out), "w", format="image2") as sink:
        encoder = sink.add_stream("mjpeg")
        encoder.width, encoder.height, encoder.pix_fmt = POSTER_WIDTH, height, "yuvj420p"
        encoder.options = {"q:v": "4"}
        for packet in [*encoder.encode(picture), *encoder.encode(None)]:
            sink.mux(packet)
    return POSTER_WIDTH, height
