"""`python -m ops.catalog`: add, update, list and remove catalogue videos.

put FILE       validate every record of FILE (a JSON list, or {"videos": [...]}), check that
               each rendition's object exists in the bucket with the declared size, and only
               then write them all (create or replace). Nothing is written if anything fails.
list           the catalogue, newest first (--json for the full records)
remove ID...   delete records (the media objects stay in the bucket)
poster FILE ID take a frame of the video FILE as ID's poster: a JPEG written to
               --out/posters/ID.jpg, to upload under the site's posters/ (docs/videos-and-newsletter.md);
               the record's "thumbnail" is then "posters/ID.jpg". Needs no AWS access.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from ops.common import AWS_FAILED, OK, REFUSED, Clients, add_aws_options, clients, require
from portal.catalog import VIDEO_ID, Video
from portal.dynamo.catalog import DynamoCatalog
from portal.errors import DependencyFailure
from portal.media import S3Media

VIDEO_ID_RE = re.compile(VIDEO_ID)


class Refused(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def parse_records(document: Any) -> list[Video]:
    """Every record validated; Refused listing each problem by record index and field."""
    records = document.get("videos") if isinstance(document, dict) else document
    if not isinstance(records, list) or not records:
        raise Refused(['expected a non-empty JSON list of videos, or {"videos": [...]}'])
    videos, problems = [], []
    for index, record in enumerate(records):
        label = f"videos[{index}]" + (f" ({record.get('id')})" if isinstance(record, dict) and record.get("id") else "")
        try:
            videos.append(Video.model_validate(record))
        except ValidationError as exc:
            for error in exc.errors(include_url=False, include_input=False):
                where = ".".join(str(p) for p in error["loc"]) or "record"
                problems.append(f"{label}: {where}: {error['msg']}")
    ids = [v.id for v in videos]
    problems += [f"video id {i!r} appears more than once" for i in sorted({i for i in ids if ids.count(i) > 1})]
    if problems:
        raise Refused(problems)
    return videos


def check_media(media: S3Media, videos: Sequence[Video]) -> None:
    problems = []
    for video in videos:
        for rendition in video.renditions:
            size = media.size(rendition.key)
            if size is None:
                problems.append(f"{video.id}/{rendition.name}: s3://{media.bucket}/{rendition.key} does not exist")
            elif size != rendition.size:
                problems.append(
                    f"{video.id}/{rendition.name}: size is {rendition.size} but the object has {size} bytes"
                )
    if problems:
        raise Refused(problems)


def put(store: DynamoCatalog, media: S3Media, document: Any) -> list[Video]:
    """Validate, check, then write: the one path by which records enter the catalogue."""
    videos = parse_records(document)
    check_media(media, videos)
    for video in videos:
        store.put(video)
    return videos


def main(
    argv: Sequence[str] | None = None, make_clients: Any = clients, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ops.catalog", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_aws_options(parser, bucket=True)
    commands = parser.add_subparsers(dest="command", required=True)
    put_parser = commands.add_parser("put", help="add or update videos from a JSON file")
    put_parser.add_argument("file", type=Path)
    list_parser = commands.add_parser("list", help="list the catalogue, newest first")
    list_parser.add_argument("--json", action="store_true", help="full records as JSON")
    remove_parser = commands.add_parser("remove", help="remove videos by id")
    remove_parser.add_argument("ids", nargs="+")
    poster_parser = commands.add_parser("poster", help="take a frame of a video file as its poster")
    poster_parser.add_argument("file", type=Path)
    poster_parser.add_argument("id")
    poster_parser.add_argument("--out", type=Path, default=Path("."), help="folder that gets posters/ID.jpg")
    poster_parser.add_argument("--at", type=float, default=None, help="seconds into the video (default: a third)")
    args = parser.parse_args(argv)
    if args.command == "poster":
        return _poster(args, out, err)
    require(parser, args, "table", *(["bucket"] if args.command == "put" else []))
    try:
        return _run(args, make_clients(args), out, err)
    except DependencyFailure as exc:
        err.write(f"AWS failed: {exc} (cause: {exc.__cause__})\n")
        return AWS_FAILED


def _poster(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ops.posters import site_path, take_poster

    if not VIDEO_ID_RE.match(args.id):
        err.write(f"not a video id: {args.id!r}\n")
        return REFUSED
    target = args.out / site_path(args.id)
    try:
        width, height = take_poster(args.file, target, args.at)
    except (OSError, ValueError) as exc:  # av's errors are OSError/ValueError subclasses
        err.write(f"cannot take a poster from {args.file}: {exc}\n")
        return REFUSED
    out.write(f"wrote {target} ({width}x{height}); thumbnail: {site_path(args.id)}\n")
    return OK


def _run(args: argparse.Namespace, aws: Clients, out: TextIO, err: TextIO) -> int:
    store = DynamoCatalog(aws("dynamodb"), args.table)

    if args.command == "put":
        try:
            document = json.loads(args.file.read_text(encoding="utf-8"))
            videos = put(store, S3Media(aws("s3"), args.bucket), document)
        except (OSError, ValueError) as exc:
            err.write(f"cannot read {args.file}: {exc}\n")
            return REFUSED
        except Refused as exc:
            err.write("nothing written:\n" + "".join(f"  {p}\n" for p in exc.problems))
            return REFUSED
        out.write("".join(f"put {v.id}\n" for v in videos))
        return OK
    if args.command == "list":
        videos = list(store.all())
        if args.json:
            out.write(
                json.dumps(
                    [v.model_dump(mode="json") | {"publishedAt": v.published} for v in videos],
                    indent=2,
                    ensure_ascii=False,
                )
                + "\n"
            )
        else:
            for v in videos:
                out.write(f"{v.published}  {v.id}  {', '.join(r.name for r in v.renditions)}  {v.title}\n")
        return OK
    missing = [video_id for video_id in args.ids if not store.delete(video_id)]
    for video_id in args.ids:
        if video_id not in missing:
            out.write(f"removed {video_id}\n")
    for video_id in missing:
        err.write(f"no video {video_id!r}\n")
    return REFUSED if missing else OK


if __name__ == "__main__":
    sys.exit(main())
