"""The video catalogue: what a video record is, and paging through it newest first.

Records are validated here (ops load them from JSON; the store reads them back). Listing is a
date-ordered DynamoDB Query on GSI1 (no Scan on a request path). Title search `q` keeps to that:
each record carries its normalized title words and the query pages are filtered on them, so a
search costs the pages it reads, not the size of its answer. One request reads at most
`SEARCH_READ_PAGES` pages of `SEARCH_PAGE_ITEMS` index entries; when that budget runs out before
`limit` matches are found the answer holds fewer items (possibly none) and a `nextCursor` to go on.
At the catalogue's size (hundreds to a few thousand videos) that is a handful of reads per search;
a word index would be the next step if it grows far beyond (docs/videos-and-newsletter.md).

The cursor is opaque to clients: base64url of the sort key of the last item returned. It is
validated strictly (shape, and inside the requested date range) so that a tampered or stale
cursor is 400 InvalidParameter and never reaches DynamoDB as a malformed start key.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from portal.errors import InvalidParameter, NotFound

# Also pydantic patterns (Rust regex, where `$` is the end of the text); Python code fullmatches them.
VIDEO_ID = r"^[a-z0-9][a-z0-9-]{0,63}$"
RENDITION_NAME = r"^[a-z0-9][a-z0-9_]{0,31}$"
MEDIA_PREFIX = "media/"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
SEARCH_PAGE_ITEMS = 100
SEARCH_READ_PAGES = 5
MAX_QUERY_WORDS = 8
# Public catalogue answers (list and one video), for browsers and the edge (docs/decisions/
# 0007-catalogue-edge-cache.md): fresh for a minute, so a rush reads DynamoDB about once a minute per
# distinct page whatever the number of visitors; for ten minutes more a stale copy is served at once
# while the edge fetches the new one; for a day if the API fails. A new video shows within minutes.
CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=600, stale-if-error=86400"
_TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"
_SORT_KEY = re.compile(r"\A(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)#(" + VIDEO_ID[1:-1] + r")\Z")
_WORD = re.compile(r"[a-z0-9]+")


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must carry a time zone, for example 2025-04-04T10:00:00Z")
    return value.astimezone(UTC).replace(microsecond=0)


UtcTime = Annotated[datetime, AfterValidator(_utc)]


class Rendition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=RENDITION_NAME, examples=["full_hd"])
    label: str = Field("", max_length=40, examples=["1080p"])
    key: str = Field(min_length=len(MEDIA_PREFIX) + 1, max_length=1024, examples=["media/2025/fm-0404-1080p.mp4"])
    contentType: str = Field(pattern=r"^[a-z]+/[a-z0-9.+-]+$", examples=["video/mp4"])
    size: int = Field(gt=0, description="Bytes.")

    @field_validator("key")
    @classmethod
    def _under_media(cls, key: str) -> str:
        # The download role may read only this prefix: a key elsewhere could never be served.
        if not key.startswith(MEDIA_PREFIX) or ".." in key.split("/") or "//" in key:
            raise ValueError(f"must be an object key under {MEDIA_PREFIX}")
        return key


class Video(BaseModel):
    """One catalogue record, as ops load it and as the store keeps it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=VIDEO_ID)
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=20_000)
    publishedAt: UtcTime
    durationSeconds: int = Field(gt=0)
    language: str = Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    tags: tuple[str, ...] = Field((), max_length=50)
    # A poster served as a static file of the site (posters/..., ops/posters.py), or any public image.
    thumbnail: str | None = Field(
        None,
        max_length=2048,
        pattern=r"^(https://\S+|posters/[a-z0-9][a-z0-9._-]{0,127}\.(jpg|png|webp))$",
        description="The poster: a path under the site's posters/ (served by its CDN), or a public image URL.",
    )
    renditions: tuple[Rendition, ...] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _unique_renditions(self) -> Video:
        names = [r.name for r in self.renditions]
        if len(names) != len(set(names)):
            raise ValueError("rendition names must be unique within a video")
        return self

    @property
    def published(self) -> str:
        return self.publishedAt.strftime(_TIMESTAMP)

    @property
    def sort_key(self) -> str:
        """Newest first is descending order of this key; the id breaks ties between equal times."""
        return f"{self.published}#{self.id}"

    @property
    def title_words(self) -> frozenset[str]:
        return words(self.title)

    def rendition(self, name: str) -> Rendition:
        for rendition in self.renditions:
            if rendition.name == name:
                return rendition
        raise NotFound("This video has no such rendition.")


def words(text: str) -> frozenset[str]:
    """Search words: accents folded, case folded, split on anything but letters and digits."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return frozenset(_WORD.findall(plain))


# -- paging ---------------------------------------------------------------------------------


def encode_cursor(sort_key: str) -> str:
    raw = json.dumps({"v": 1, "after": sort_key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The sort key a cursor continues after; InvalidParameter for anything we did not make."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
        after = value["after"]
        if value.get("v") != 1 or not isinstance(after, str) or not _SORT_KEY.match(after):
            raise ValueError
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _bad("cursor", "is not a cursor this API returned") from None
    return after


def _bad(field: str, problem: str) -> InvalidParameter:
    return InvalidParameter(fields=[{"field": field, "problem": problem}])


@dataclass(frozen=True)
class Range:
    """Sort-key bounds (inclusive) of a date filter; None where open."""

    low: str | None = None
    high: str | None = None

    @classmethod
    def of(cls, start: date | None, end: date | None) -> Range:
        if start and end and start > end:
            raise _bad("from", "must not be after `to`")
        # Keys are "<timestamp>#<id>": every key of day D sorts between "D" and "D~".
        return cls(start.isoformat() if start else None, f"{end.isoformat()}~" if end else None)

    def __contains__(self, sort_key: str) -> bool:
        return (self.low is None or sort_key >= self.low) and (self.high is None or sort_key <= self.high)


@dataclass(frozen=True)
class Page:
    items: tuple[Video, ...]
    next_cursor: str | None


class CatalogStore(Protocol):
    def get(self, video_id: str) -> Video | None: ...

    def page(
        self, bounds: Range, after: str | None, limit: int, all_words: frozenset[str]
    ) -> tuple[list[Video], str | None]:
        """Up to `limit` index entries newest first (those holding all `all_words` returned),
        and the sort key of the last entry read when more may follow."""
        ...


class Catalog:
    def __init__(self, store: CatalogStore) -> None:
        self._store = store

    def get(self, video_id: str) -> Video:
        video = self._store.get(video_id) if re.fullmatch(VIDEO_ID, video_id) else None
        if video is None:
            raise NotFound("No such video.")
        return video

    def list(
        self,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
        q: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> Page:
        bounds = Range.of(start, end)
        after = decode_cursor(cursor) if cursor else None
        if after is not None and after not in bounds:
            raise _bad("cursor", "does not belong to this date range")
        wanted = words(q or "")
        if len(wanted) > MAX_QUERY_WORDS:
            raise _bad("q", f"may hold at most {MAX_QUERY_WORDS} words")
        if q and not wanted:
            raise _bad("q", "must contain letters or digits")
        items: list[Video] = []
        # Without a search every entry read is returned, so one read normally fills the page.
        for _ in range(SEARCH_READ_PAGES if wanted else MAX_LIMIT):
            need = limit - len(items)
            found, last = self._store.page(bounds, after, SEARCH_PAGE_ITEMS if wanted else need, wanted)
            taken = found[:need]
            items += taken
            after = taken[-1].sort_key if len(found) > need else last
            if after is None or len(items) >= limit:
                break
        return Page(tuple(items), encode_cursor(after) if after else None)
