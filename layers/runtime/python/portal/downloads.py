"""Downloads: a short-lived presigned link to one rendition, for confirmed accounts, within a quota.

Order matters: the account is checked first (403 for an unconfirmed one), then the video and the
rendition (404), and only then is the day's quota drawn on, so a mistyped id costs nothing.
Every link issued is one `download_issued` audit line and one entry of the account's download
history (GET /v1/account/downloads), kept a year: the entry is written with the day's count, in
one transaction, so a download is counted exactly when it is recorded.
"""

from __future__ import annotations

import re
import secrets
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

from portal.audit import audit
from portal.catalog import Catalog, Rendition, Video, decode_cursor, encode_cursor
from portal.errors import LimitExceeded
from portal.ports import Accounts
from portal.principal import Principal, active_account
from portal.users import iso

DAY_SECONDS = 86_400
# Counters outlive their day a little, for support questions, then DynamoDB removes them.
COUNTER_KEEP_SECONDS = 2 * DAY_SECONDS
MAX_FILENAME_STEM = 80
# The issue's ceiling for a link's life; Settings refuses more, and this holds for any caller.
MAX_URL_SECONDS = 900
HISTORY_KEEP_SECONDS = 365 * DAY_SECONDS
HISTORY_DEFAULT_LIMIT = 20
EXTENSIONS = {"video/mp4": "mp4", "audio/mp4": "m4a", "audio/mpeg": "mp3", "video/quicktime": "mov", "audio/wav": "wav"}


@dataclass(frozen=True)
class HistoryEntry:
    sort_key: str  # "<issuedAt>#<random id>": newest first, unique within the second
    video_id: str
    rendition: str
    issued_at: str


@dataclass(frozen=True)
class HistoryPage:
    items: tuple[HistoryEntry, ...]
    next_cursor: str | None


class Counter(Protocol):
    def take(self, sub: str, day: str, quota: int, expires_at: int, entry: HistoryEntry, entry_expires_at: int) -> bool:
        """Count one download on the day's counter (kept until `expires_at`) and add `entry` to the
        account's history (kept until `entry_expires_at`) in one write; False, and nothing written,
        when the day's quota is used up."""
        ...


class History(Protocol):
    def page(self, sub: str, after: str | None, limit: int) -> tuple[list[HistoryEntry], str | None]: ...


class Presigner(Protocol):
    def presign(self, key: str, content_type: str, disposition: str, expires_in: int) -> str: ...


@dataclass(frozen=True)
class Link:
    url: str
    expires_at: str
    filename: str
    size: int


def filename(video: Video, rendition: Rendition) -> str:
    """A clean ASCII file name: the title's words, the rendition, the type's extension."""
    folded = unicodedata.normalize("NFKD", video.title)
    ascii_title = folded.encode("ascii", "ignore").decode().lower()
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")[:MAX_FILENAME_STEM].rstrip("-") or video.id
    extension = EXTENSIONS.get(rendition.contentType) or rendition.key.rsplit(".", 1)[-1].lower()
    if not re.fullmatch(r"[a-z0-9]{1,5}", extension):
        extension = "bin"
    return f"{stem}-{rendition.name}.{extension}"


def content_disposition(name: str) -> str:
    # `name` is already plain ASCII without quotes; filename* repeats it for RFC 6266 clients.
    return f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"


class Downloads:
    def __init__(
        self,
        accounts: Accounts,
        catalog: Catalog,
        counter: Counter,
        presigner: Callable[[], Presigner],
        quota_per_day: int,
        url_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._accounts = accounts
        self._catalog = catalog
        self._counter = counter
        self._presigner = presigner
        self._quota = quota_per_day
        self._url_seconds = min(url_seconds, MAX_URL_SECONDS)
        self._clock = clock

    def issue(self, principal: Principal, video_id: str, rendition_name: str, source_ip: str) -> Link:
        user = active_account(self._accounts, principal)
        video = self._catalog.get(video_id)
        rendition = video.rendition(rendition_name)
        now = int(self._clock())
        day_start = now - now % DAY_SECONDS
        day = time.strftime("%Y-%m-%d", time.gmtime(now))
        issued_at = iso(now)
        entry = HistoryEntry(f"{issued_at}#{secrets.token_hex(8)}", video.id, rendition.name, issued_at)
        counted = self._counter.take(
            user.sub, day, self._quota, day_start + COUNTER_KEEP_SECONDS, entry, now + HISTORY_KEEP_SECONDS
        )
        if not counted:
            audit("download_quota_exceeded", address=user.username, sub=user.sub, videoId=video.id, quota=self._quota)
            raise LimitExceeded(
                day_start + DAY_SECONDS - now, f"The daily limit of {self._quota} downloads is reached."
            )
        name = filename(video, rendition)
        url = self._presigner().presign(
            rendition.key, rendition.contentType, content_disposition(name), self._url_seconds
        )
        audit(
            "download_issued",
            address=user.username,
            sub=user.sub,
            videoId=video.id,
            rendition=rendition.name,
            sourceIp=source_ip,
        )
        return Link(url=url, expires_at=iso(now + self._url_seconds), filename=name, size=rendition.size)


class DownloadHistory:
    """GET /v1/account/downloads: the account's own issued downloads, newest first, paged."""

    def __init__(self, accounts: Accounts, history: History) -> None:
        self._accounts = accounts
        self._history = history

    def list(self, principal: Principal, limit: int = HISTORY_DEFAULT_LIMIT, cursor: str | None = None) -> HistoryPage:
        # Validated before any read: a cursor we did not make is 400 InvalidParameter.
        after = decode_cursor(cursor) if cursor else None
        user = active_account(self._accounts, principal)
        entries, last = self._history.page(user.sub, after, limit)
        return HistoryPage(tuple(entries), encode_cursor(last) if last else None)
