"""Catalogue records and a seeded media bucket for the video and newsletter tests (moto)."""

from __future__ import annotations

from typing import Any

MEDIA_BYTES = b"\x00\x00\x00\x18ftypmp42 not really a movie, but bytes to compare" * 8


def record(video_id: str, published: str, title: str | None = None, **overrides: Any) -> dict[str, Any]:
    return {
        "id": video_id,
        "title": title or f"Video {video_id}",
        "description": "A test video.",
        "publishedAt": published,
        "durationSeconds": 60,
        "language": "en",
        "tags": ["test"],
        "renditions": [
            {
                "name": "full_hd",
                "label": "1080p",
                "key": "media/test/clip.mp4",
                "contentType": "video/mp4",
                "size": len(MEDIA_BYTES),
            },
            {
                "name": "audio",
                "label": "AAC",
                "key": "media/test/clip.m4a",
                "contentType": "audio/mp4",
                "size": len(MEDIA_BYTES),
            },
        ],
        **overrides,
    }


def principal_of(aws: Any, email: str) -> dict[str, str]:
    """What the sign-in authorizer hands a protected route for this account (requestContext.authorizer)."""
    user = aws.item(f"EMAIL#{email}", "USER")
    verified = "true" if user["emailVerified"]["BOOL"] else "false"
    return {"sub": user["sub"]["S"], "sessionId": "session-1", "username": email, "emailVerified": verified}


def upload_media() -> None:
    import boto3

    from portal.services import settings

    s3 = boto3.client("s3")
    for key, content_type in (("media/test/clip.mp4", "video/mp4"), ("media/test/clip.m4a", "audio/mp4")):
        s3.put_object(Bucket=settings().media_bucket, Key=key, Body=MEDIA_BYTES, ContentType=content_type)


def seed(records: list[dict[str, Any]]) -> None:
    """Through ops.catalog.put, the one way records enter the catalogue."""
    import boto3

    from ops.catalog import put
    from portal.dynamo.catalog import DynamoCatalog
    from portal.media import S3Media
    from portal.services import settings

    upload_media()
    put(
        DynamoCatalog(boto3.client("dynamodb"), settings().table_name),
        S3Media(boto3.client("s3"), settings().media_bucket),
        records,
    )


class AuditLines:
    """The JSON lines the audit logger writes, read back as dicts."""

    def __init__(self) -> None:
        import io

        from portal.audit import logger

        self.stream = io.StringIO()
        self._handler = logger.registered_handler
        self._previous = self._handler.setStream(self.stream)

    def events(self, name: str) -> list[dict[str, Any]]:
        import json

        lines = [json.loads(line) for line in self.stream.getvalue().splitlines() if line.startswith("{")]
        return [line for line in lines if line.get("event") == name]

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def close(self) -> None:
        self._handler.setStream(self._previous)
