"""The catalogue and download routes through their handlers on moto."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.videos_support import MEDIA_BYTES, principal_of, record, seed

ANN = "ann@example.org"


def ids(result) -> list[str]:
    return [item["id"] for item in result.body["items"]]


@pytest.fixture
def catalogue(api):
    seed(
        [
            record("fm-2025-04-04", "2025-04-04T15:00:00Z", "NATO Foreign Ministers meet in Brussels"),
            record("summit-2025-06-25", "2025-06-25T12:00:00Z", "Summit in The Hague"),
            record("ukraine-2025-03-01", "2025-03-01T09:00:00Z", "Support to Ukraine"),
            record("brussels-2025-01-10", "2025-01-10T09:00:00Z", "Brussels press conference"),
            record("defence-2024-11-05", "2024-11-05T09:00:00Z", "Défense : investment"),
        ]
    )
    return api


def list_videos(api, **query):
    return api.call("videos_list", query={k: str(v) for k, v in query.items()} or None)


def test_the_catalogue_pages_newest_first_with_a_cursor(catalogue):
    first = list_videos(catalogue, limit=2)
    assert first.status == 200
    assert ids(first) == ["summit-2025-06-25", "fm-2025-04-04"]
    second = list_videos(catalogue, limit=2, cursor=first.body["nextCursor"])
    third = list_videos(catalogue, limit=2, cursor=second.body["nextCursor"])
    assert ids(second) == ["ukraine-2025-03-01", "brussels-2025-01-10"]
    assert ids(third) == ["defence-2024-11-05"] and third.body["nextCursor"] is None
    item = first.body["items"][1]
    assert item["publishedAt"] == "2025-04-04T15:00:00Z" and item["durationSeconds"] == 60
    # The bucket's keys stay private; a client names the rendition.
    assert item["renditions"][0] == {
        "name": "full_hd",
        "label": "1080p",
        "contentType": "video/mp4",
        "size": len(MEDIA_BYTES),
    }


def test_title_words_and_dates_filter(catalogue):
    assert ids(list_videos(catalogue, q="brussels")) == ["fm-2025-04-04", "brussels-2025-01-10"]
    assert ids(list_videos(catalogue, q="BRUSSELS press")) == ["brussels-2025-01-10"]
    assert ids(list_videos(catalogue, q="defense")) == ["defence-2024-11-05"]  # accents folded
    assert ids(list_videos(catalogue, q="bruss")) == []  # whole words, not substrings
    assert ids(list_videos(catalogue, **{"from": "2025-03-01", "to": "2025-04-04"})) == [
        "fm-2025-04-04",
        "ukraine-2025-03-01",
    ]
    assert ids(list_videos(catalogue, to="2025-01-10")) == ["brussels-2025-01-10", "defence-2024-11-05"]
    paged = list_videos(catalogue, limit=1, q="brussels", **{"from": "2025-01-01"})
    assert ids(paged) == ["fm-2025-04-04"]
    assert ids(
        list_videos(catalogue, limit=1, q="brussels", cursor=paged.body["nextCursor"], **{"from": "2025-01-01"})
    ) == ["brussels-2025-01-10"]


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "ten"},
        {"cursor": "garbage"},
        {"cursor": "eyJ2IjoxLCJhZnRlciI6IjIwMjUtMDQtMDRUMTU6MDA6MDBaI2ZtIn0x"},
        {"from": "2025-13-01"},
        {"from": "2025-05-01", "to": "2025-04-01"},
        {"sort": "title"},
    ],
)
def test_bad_parameters_are_invalid_parameter(catalogue, query):
    result = catalogue.call("videos_list", query=query)
    assert result.status == 400 and result.error["code"] == "InvalidParameter"


def test_a_cursor_from_another_date_range_is_refused(catalogue):
    cursor = list_videos(catalogue, limit=1).body["nextCursor"]
    result = list_videos(catalogue, cursor=cursor, to="2025-01-31")
    assert result.status == 400 and result.error["fields"][0]["field"] == "cursor"


def test_one_video_or_not_found(catalogue):
    found = catalogue.call("videos_get", path_params={"videoId": "fm-2025-04-04"})
    assert found.status == 200 and found.body["title"] == "NATO Foreign Ministers meet in Brussels"
    for missing in ("nope", "FM-2025-04-04", "a" * 200):
        result = catalogue.call("videos_get", path_params={"videoId": missing})
        assert result.status == 404 and result.error["code"] == "NotFound"


# -- caching --------------------------------------------------------------------------------


def test_catalogue_answers_are_cacheable_and_their_etag_follows_the_content(catalogue):
    first = list_videos(catalogue, limit=2)
    tag, cache_control = first.headers["ETag"], first.headers["Cache-Control"]
    assert cache_control.startswith("public, max-age=") and "stale-while-revalidate=" in cache_control
    assert list_videos(catalogue, limit=2).headers["ETag"] == tag  # same answer, same tag
    held = catalogue.call("videos_list", query={"limit": "2"}, headers={"If-None-Match": f'"other", {tag}'})
    assert held.status == 304 and not held.body and held.headers["ETag"] == tag
    assert catalogue.call("videos_list", query={"limit": "2"}, headers={"If-None-Match": "*"}).status == 304

    # A newer video changes the first page: the old tag no longer matches, the new page comes whole.
    seed([record("new-2025-07-01", "2025-07-01T09:00:00Z", "Newest")])
    changed = catalogue.call("videos_list", query={"limit": "2"}, headers={"If-None-Match": tag})
    assert changed.status == 200 and ids(changed)[0] == "new-2025-07-01" and changed.headers["ETag"] != tag

    one = catalogue.call("videos_get", path_params={"videoId": "fm-2025-04-04"})
    assert one.headers["Cache-Control"] == cache_control
    again = catalogue.call(
        "videos_get", path_params={"videoId": "fm-2025-04-04"}, headers={"If-None-Match": one.headers["ETag"]}
    )
    assert again.status == 304 and not again.body


def test_catalogue_errors_and_private_answers_are_never_cached(catalogue, aws):
    for result in (
        catalogue.call("videos_get", path_params={"videoId": "nope"}, headers={"If-None-Match": "*"}),
        catalogue.call("videos_list", query={"limit": "0"}, headers={"If-None-Match": "*"}),
    ):
        assert result.status in (400, 404) and result.headers["Cache-Control"] == "no-store"
        assert "ETag" not in result.headers
    catalogue.confirmed_account(ANN)
    history = catalogue.call("account_downloads", principal=principal_of(aws, ANN), headers={"If-None-Match": "*"})
    assert history.status == 200 and history.headers["Cache-Control"] == "no-store" and "ETag" not in history.headers


# -- downloads ------------------------------------------------------------------------------


def download(api, principal, video_id="fm-2025-04-04", rendition="full_hd"):
    return api.call("videos_download", {"rendition": rendition}, principal=principal, path_params={"videoId": video_id})


def test_a_confirmed_account_gets_a_short_lived_sigv4_link_that_downloads_the_file(catalogue, aws, audit_lines):
    catalogue.confirmed_account(ANN)
    before = int(time.time())
    result = download(catalogue, principal_of(aws, ANN))
    assert result.status == 200, result.body
    link = result.body
    assert link["filename"] == "nato-foreign-ministers-meet-in-brussels-full_hd.mp4"
    assert link["size"] == len(MEDIA_BYTES)

    url = urlsplit(link["url"])
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert url.scheme == "https" and url.netloc == "portal-test-media.s3.eu-west-1.amazonaws.com"
    assert url.path == "/media/test/clip.mp4"
    assert params["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"  # SigV4, not SigV2's Signature/Expires
    assert "Signature" not in params and "AWSAccessKeyId" not in params
    assert params["X-Amz-Credential"].split("/")[2:4] == ["eu-west-1", "s3"]
    signed_at = int(datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp())
    assert before - 5 <= signed_at <= time.time() + 5
    assert int(params["X-Amz-Expires"]) == 900
    expires_at = datetime.strptime(link["expiresAt"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    assert abs(expires_at - (signed_at + 900)) <= 5
    assert params["response-content-disposition"] == (
        'attachment; filename="nato-foreign-ministers-meet-in-brussels-full_hd.mp4"; '
        "filename*=UTF-8''nato-foreign-ministers-meet-in-brussels-full_hd.mp4"
    )

    fetched = requests.get(link["url"], timeout=5)
    assert fetched.status_code == 200 and fetched.content == MEDIA_BYTES
    assert fetched.headers["Content-Disposition"].startswith('attachment; filename="nato-foreign')

    [issued] = audit_lines.events("download_issued")
    assert issued["videoId"] == "fm-2025-04-04" and issued["rendition"] == "full_hd"
    assert issued["sourceIp"] == "203.0.113.7" and issued["sub"] == principal_of(aws, ANN)["sub"]
    assert issued["email"] == "a***@e***.org"
    assert ANN not in audit_lines.text and params["X-Amz-Signature"] not in audit_lines.text


def test_the_link_lifetime_is_capped_at_fifteen_minutes(aws):
    from portal.downloads import Downloads

    class Presigner:
        def presign(self, key, content_type, disposition, expires_in):
            self.expires_in = expires_in
            return "https://example/"

    presigner = Presigner()
    seed([record("v1", "2025-01-01T00:00:00Z")])

    class Accounts:
        def load_address(self, username):
            from portal.records import AddressState
            from portal.users import Status, User

            return AddressState(User("s", username, username, Status.CONFIRMED, "h", "en", "t", "t"))

    class Counter:
        def take(self, *args):
            return 1

    from portal import services
    from portal.principal import Principal

    downloads = Downloads(
        Accounts(), services.catalog(), Counter(), lambda: presigner, 100, 3600, clock=lambda: 1_700_000_000
    )
    link = downloads.issue(Principal("s", "session-1", "a@b.org"), "v1", "audio", "198.51.100.1")
    assert presigner.expires_in == 900 and link.expires_at == "2023-11-14T22:28:20Z"


def test_an_unconfirmed_account_is_refused(catalogue, aws):
    assert catalogue.register(ANN).status == 202
    result = download(catalogue, principal_of(aws, ANN))
    assert result.status == 403 and result.error["code"] == "UserNotConfirmed"


def test_unknown_videos_and_renditions_are_not_found_and_cost_no_quota(catalogue, aws):
    catalogue.confirmed_account(ANN)
    principal = principal_of(aws, ANN)
    assert download(catalogue, principal, video_id="nope").error["code"] == "NotFound"
    assert download(catalogue, principal, rendition="uhd_4k").status == 404
    assert not [i for i in aws.items() if i["sk"]["S"].startswith("DOWNLOADS#")]


def test_a_principal_without_a_matching_account_is_not_authorized(catalogue, aws):
    catalogue.confirmed_account(ANN)
    real = principal_of(aws, ANN)
    for principal in (
        {},
        {**real, "sub": "00000000-0000-0000-0000-000000000000"},
        {**real, "username": "bob@example.org"},
    ):
        result = download(catalogue, principal)
        assert result.status == 401 and result.error["code"] == "NotAuthorized"


def test_a_disabled_account_is_not_authorized(catalogue, aws):
    import boto3

    catalogue.confirmed_account(ANN)
    boto3.client("dynamodb").update_item(
        TableName="portal-test",
        Key={"pk": {"S": f"EMAIL#{ANN}"}, "sk": {"S": "USER"}},
        UpdateExpression="SET enabled = :false",
        ExpressionAttributeValues={":false": {"BOOL": False}},
    )
    result = download(catalogue, principal_of(aws, ANN))
    assert result.status == 401 and result.error["code"] == "NotAuthorized"


@pytest.fixture
def small_quota(monkeypatch):
    monkeypatch.setenv("PORTAL_DOWNLOAD_QUOTA_PER_DAY", "2")


def test_the_daily_quota_is_per_account(small_quota, catalogue, aws):
    catalogue.confirmed_account(ANN)
    catalogue.confirmed_account("bob@example.org")
    ann = principal_of(aws, ANN)
    assert [download(catalogue, ann).status for _ in range(2)] == [200, 200]
    refused = download(catalogue, ann)
    assert refused.status == 429 and refused.error["code"] == "LimitExceeded"
    assert 0 < int(refused.headers["Retry-After"]) <= 86_400
    assert download(catalogue, principal_of(aws, "bob@example.org")).status == 200
    day = time.strftime("%Y-%m-%d", time.gmtime())
    counter = aws.item(f"SUB#{ann['sub']}", f"DOWNLOADS#{day}")
    assert counter["count"]["N"] == "2" and int(counter["ttl"]["N"]) > time.time()
    # The history holds exactly the counted downloads: the refused one wrote neither.
    history = [i for i in aws.items() if i["pk"]["S"] == f"SUB#{ann['sub']}" and i["sk"]["S"].startswith("DOWNLOAD#")]
    assert len(history) == 2


def cancelled(*codes: str):
    from botocore.exceptions import ClientError

    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": [{"Code": code} for code in codes],
        },
        "TransactWriteItems",
    )


class Transactions:
    """A DynamoDB client whose TransactWriteItems answers with the given failures, then succeeds."""

    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.sent: list[dict] = []

    def transact_write_items(self, **request):
        self.sent.append(request)
        if self.failures:
            raise self.failures.pop(0)
        return {}


def take(client) -> bool:
    from portal.downloads import HistoryEntry
    from portal.dynamo.downloads import DynamoDownloadCounter

    entry = HistoryEntry("2025-04-04T09:00:00Z#ab", "v1", "audio", "2025-04-04T09:00:00Z")
    return DynamoDownloadCounter(client, "portal-test").take("s", "2025-04-04", 5, 1, entry, 2)


def test_the_count_and_the_history_entry_are_one_transaction():
    client = Transactions()
    assert take(client) is True
    [request] = client.sent
    update, put = request["TransactItems"]
    assert update["Update"]["Key"]["sk"] == {"S": "DOWNLOADS#2025-04-04"}
    assert "#count < :quota" in update["Update"]["ConditionExpression"]
    assert put["Put"]["Item"]["sk"] == {"S": "DOWNLOAD#2025-04-04T09:00:00Z#ab"}
    assert request["ClientRequestToken"]


def test_a_used_up_quota_is_refused_without_sending_again():
    client = Transactions(cancelled("ConditionalCheckFailed", "None"))
    assert take(client) is False and len(client.sent) == 1


def test_a_race_with_another_download_is_sent_again_not_read_as_the_quota():
    client = Transactions(cancelled("TransactionConflict", "None"))
    assert take(client) is True and len(client.sent) == 2
    assert client.sent[0]["ClientRequestToken"] != client.sent[1]["ClientRequestToken"]


def test_a_counter_that_stays_contended_is_a_dependency_failure():
    from portal.errors import DependencyFailure

    client = Transactions(*(cancelled("TransactionConflict", "None") for _ in range(3)))
    with pytest.raises(DependencyFailure):
        take(client)
    assert len(client.sent) == 3
