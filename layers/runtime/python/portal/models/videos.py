"""The catalogue, downloads and the download history. Request and response bodies (see portal.models)."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Annotated

from pydantic import BeforeValidator, Field, WithJsonSchema

from portal.models import Body, QueryParameters

if TYPE_CHECKING:
    from portal.catalog import Page, Video
    from portal.downloads import HistoryPage, Link


def _iso_day(value: object) -> object:
    # Lax mode would take `to=0` as 1970-01-01; a day is written YYYY-MM-DD and nothing else.
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("must be a day written YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_iso_day), WithJsonSchema({"type": "string", "format": "date"})]


class VideoListQuery(QueryParameters):
    limit: int = Field(20, ge=1, le=100, description="Items per page.")
    cursor: str | None = Field(None, max_length=512, description="`nextCursor` of the previous page.")
    q: str | None = Field(None, min_length=1, max_length=200, description="Words that must all appear in the title.")
    from_: Day | None = Field(None, alias="from", description="Published on or after this day (UTC).")
    to: Day | None = Field(None, description="Published on or before this day (UTC).")


class RenditionInfo(Body):
    name: str = Field(examples=["full_hd"])
    label: str = Field(examples=["1080p"])
    contentType: str = Field(examples=["video/mp4"])
    size: int = Field(description="Bytes.")


class VideoInfo(Body):
    id: str
    title: str
    description: str
    publishedAt: str = Field(examples=["2025-04-04T12:00:00Z"])
    durationSeconds: int
    language: str
    tags: list[str]
    thumbnail: str | None = None
    renditions: list[RenditionInfo]

    @classmethod
    def of(cls, video: Video) -> VideoInfo:
        # The S3 keys stay private: a client names a rendition, the download route finds the key.
        return cls(
            id=video.id,
            title=video.title,
            description=video.description,
            publishedAt=video.published,
            durationSeconds=video.durationSeconds,
            language=video.language,
            tags=list(video.tags),
            thumbnail=video.thumbnail,
            renditions=[
                RenditionInfo(name=r.name, label=r.label, contentType=r.contentType, size=r.size)
                for r in video.renditions
            ],
        )


class VideoList(Body):
    items: list[VideoInfo]
    nextCursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last one.")

    @classmethod
    def of(cls, page: Page) -> VideoList:
        return cls(items=[VideoInfo.of(v) for v in page.items], nextCursor=page.next_cursor)


class DownloadRequest(Body):
    rendition: str = Field(pattern=r"^[a-z0-9][a-z0-9_]{0,31}$", examples=["full_hd"])


class DownloadLink(Body):
    url: str = Field(description="Presigned HTTPS GET (SigV4); the file comes as an attachment.")
    expiresAt: str = Field(examples=["2025-04-04T12:15:00Z"])
    filename: str = Field(examples=["nato-foreign-ministers-meeting-full_hd.mp4"])
    size: int = Field(description="Bytes.")

    @classmethod
    def of(cls, link: Link) -> DownloadLink:
        return cls(url=link.url, expiresAt=link.expires_at, filename=link.filename, size=link.size)


class DownloadHistoryQuery(QueryParameters):
    limit: int = Field(20, ge=1, le=100, description="Items per page.")
    cursor: str | None = Field(None, max_length=512, description="`nextCursor` of the previous page.")


class DownloadHistoryItem(Body):
    videoId: str
    rendition: str = Field(examples=["full_hd"])
    issuedAt: str = Field(examples=["2025-04-04T12:00:00Z"])


class DownloadHistoryList(Body):
    items: list[DownloadHistoryItem]
    nextCursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last one.")

    @classmethod
    def of(cls, page: HistoryPage) -> DownloadHistoryList:
        return cls(
            items=[
                DownloadHistoryItem(videoId=e.video_id, rendition=e.rendition, issuedAt=e.issued_at) for e in page.items
            ],
            nextCursor=page.next_cursor,
        )
