"""The local runner's sample catalogue: the media files of local/media/ and local/sample-catalog.json.

Each rendition key `media/samples/<name>` is uploaded from `local/media/<name>`, then the records
go in through ops.catalog.put, the same validation and object checks an operator's file meets.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ops.catalog import put
from portal.catalog import Video
from portal.dynamo.catalog import DynamoCatalog
from portal.media import S3Media
from portal.settings import Settings

HERE = Path(__file__).resolve().parent
SAMPLE_CATALOG = HERE / "sample-catalog.json"
SAMPLE_MEDIA = HERE / "media"


def media_file(key: str) -> Path:
    return SAMPLE_MEDIA / key.rsplit("/", 1)[-1]


def seed_sample_catalog(client: Callable[[str], Any], settings: Settings) -> list[Video]:
    assert settings.media_bucket, "the sample catalogue needs a media bucket"
    document = json.loads(SAMPLE_CATALOG.read_text(encoding="utf-8"))
    s3 = client("s3")
    uploaded: set[str] = set()
    for record in document["videos"]:
        for rendition in record["renditions"]:
            if rendition["key"] not in uploaded:
                s3.put_object(
                    Bucket=settings.media_bucket,
                    Key=rendition["key"],
                    Body=media_file(rendition["key"]).read_bytes(),
                    ContentType=rendition["contentType"],
                )
                uploaded.add(rendition["key"])
    return put(DynamoCatalog(client("dynamodb"), settings.table_name), S3Media(s3, settings.media_bucket), document)
