"""Catalogue logic without AWS: records, search words, cursors, date ranges and the paging loop."""

from __future__ import annotations

import base64
import json
from datetime import date

import pytest
from pydantic import ValidationError

from portal.catalog import SEARCH_READ_PAGES, Catalog, Range, Video, decode_cursor, encode_cursor, words
from portal.downloads import content_disposition, filename
from portal.errors import InvalidParameter, NotFound
from tests.videos_support import record


def video(video_id: str = "v1", published: str = "2025-04-04T15:00:00Z", **overrides) -> Video:
    return Video.model_validate(record(video_id, published, **overrides))


def test_a_record_is_validated_field_by_field():
    v = video(publishedAt="2025-04-04T17:00:00+02:00")
    assert v.published == "2025-04-04T15:00:00Z"  # kept in UTC, so keys sort by instant
    assert v.sort_key == "2025-04-04T15:00:00Z#v1"
    with pytest.raises(ValidationError, match="time zone"):
        video(publishedAt="2025-04-04T15:00:00")
    with pytest.raises(ValidationError, match="under media/"):
        video(renditions=[{"name": "hd", "key": "private/x.mp4", "contentType": "video/mp4", "size": 1}])
    with pytest.raises(ValidationError, match="under media/"):
        video(renditions=[{"name": "hd", "key": "media/../secrets", "contentType": "video/mp4", "size": 1}])
    twice = {"name": "hd", "key": "media/x.mp4", "contentType": "video/mp4", "size": 1}
    with pytest.raises(ValidationError, match="unique"):
        video(renditions=[twice, twice])
    with pytest.raises(ValidationError):
        video(renditions=[])
    with pytest.raises(ValidationError):
        video("Not An Id")


def test_search_words_fold_case_and_accents():
    assert words("Mire de TEST : échantillon, local!") == {"mire", "de", "test", "echantillon", "local"}
    assert words("  ") == frozenset()


def test_a_cursor_round_trips_and_anything_else_is_invalid_parameter():
    key = "2025-04-04T15:00:00Z#foreign-ministers-2025-04-04"
    assert decode_cursor(encode_cursor(key)) == key
    forged = base64.urlsafe_b64encode(json.dumps({"v": 1, "after": "x#<script>"}).encode()).decode()
    for bad in (
        "abc",
        "!!!",
        "",
        forged,
        encode_cursor("2025-04-04T15:00:00Z#BAD ID"),
        base64.urlsafe_b64encode(b"[1]").decode(),
    ):
        with pytest.raises(InvalidParameter) as caught:
            decode_cursor(bad)
        assert caught.value.extra["fields"][0]["field"] == "cursor"


def test_a_date_range_covers_whole_days():
    days = Range.of(date(2025, 4, 1), date(2025, 4, 4))
    assert "2025-04-04T23:59:59Z#late" in days and "2025-04-01T00:00:00Z#early" in days
    assert "2025-04-05T00:00:00Z#next" not in days and "2025-03-31T23:59:59Z#before" not in days
    with pytest.raises(InvalidParameter):
        Range.of(date(2025, 4, 5), date(2025, 4, 4))


class FakeStore:
    """The store's contract over a list: filters by words, pages by sort key, counts reads."""

    def __init__(self, videos: list[Video]) -> None:
        self.videos = sorted(videos, key=lambda v: v.sort_key, reverse=True)
        self.reads: list[int] = []

    def get(self, video_id):
        return next((v for v in self.videos if v.id == video_id), None)

    def page(self, bounds, after, limit, all_words):
        self.reads.append(limit)
        entries = [v for v in self.videos if v.sort_key in bounds and (after is None or v.sort_key < after)]
        read = entries[:limit]
        last = read[-1].sort_key if len(entries) > limit else None
        return [v for v in read if all_words <= v.title_words], last


def test_paging_without_a_search_returns_every_video_once_newest_first():
    store = FakeStore([video(f"v{i}", f"2025-01-{i + 1:02d}T10:00:00Z") for i in range(7)])
    catalog = Catalog(store)
    seen, cursor = [], None
    while True:
        page = catalog.list(limit=3, cursor=cursor)
        seen += [v.id for v in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [f"v{i}" for i in reversed(range(7))]
    assert all(limit == 3 for limit in store.reads[:2])


def test_a_search_stops_at_its_read_budget_and_hands_back_a_cursor():
    # 600 non-matching videos, then one match: more than one request's budget of reads.
    others = [video(f"o{i}", f"2025-02-01T{i // 60 % 24:02d}:{i % 60:02d}:00Z", title="Other") for i in range(600)]
    target = video("match", "2024-12-01T10:00:00Z", title="Needle in the haystack")
    store = FakeStore([*others, target])
    catalog = Catalog(store)
    first = catalog.list(limit=5, q="needle")
    assert first.items == () and first.next_cursor is not None
    assert len(store.reads) == SEARCH_READ_PAGES
    second = catalog.list(limit=5, q="needle", cursor=first.next_cursor)
    assert [v.id for v in second.items] == ["match"] and second.next_cursor is None


def test_a_search_that_finds_more_than_it_needs_continues_after_the_last_item_returned():
    store = FakeStore([video(f"v{i}", f"2025-01-{i + 1:02d}T10:00:00Z", title=f"Summit day {i}") for i in range(5)])
    catalog = Catalog(store)
    first = catalog.list(limit=2, q="SUMMIT")
    assert [v.id for v in first.items] == ["v4", "v3"]
    rest = catalog.list(limit=10, q="summit", cursor=first.next_cursor)
    assert [v.id for v in rest.items] == ["v2", "v1", "v0"] and rest.next_cursor is None


def test_a_cursor_outside_the_date_range_and_an_empty_search_are_refused():
    catalog = Catalog(FakeStore([video()]))
    cursor = encode_cursor("2025-04-04T15:00:00Z#v1")
    with pytest.raises(InvalidParameter):
        catalog.list(cursor=cursor, start=date(2025, 5, 1))
    with pytest.raises(InvalidParameter):
        catalog.list(q="!!!")
    with pytest.raises(NotFound):
        catalog.get("no-such-video")
    with pytest.raises(NotFound):
        catalog.get("../../etc")


def test_download_file_names_are_clean_ascii():
    v = video(title='Réunion des ministres : « OTAN » / Bruxelles\r\n"2025"')
    name = filename(v, v.rendition("full_hd"))
    assert name == "reunion-des-ministres-otan-bruxelles-2025-full_hd.mp4"
    assert filename(v, v.rendition("audio")).endswith("-audio.m4a")
    assert content_disposition(name) == f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    only_symbols = video("v9", title="«»")
    assert filename(only_symbols, only_symbols.rendition("audio")) == "v9-audio.m4a"
    with pytest.raises(NotFound):
        v.rendition("4k")
