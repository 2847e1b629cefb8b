"""Erasure (issue 19, item 5): deleting an account, by its owner or by an operator, also deletes its
download history and its daily download counters (SUB#<sub>), not only after their year of TTL."""

from __future__ import annotations

import io
import json

import pytest

from ops import admin
from tests.support import STRONG_PASSWORD
from tests.videos_support import principal_of, record, seed

ANN, BOB = "ann@example.org", "bob@example.org"


def sub_items(aws, sub: str) -> list[str]:
    return sorted(i["sk"]["S"] for i in aws.items() if i["pk"]["S"] == f"SUB#{sub}")


def downloaded(api, aws, address: str, times: int = 1) -> str:
    for _ in range(times):
        result = api.call(
            "videos_download",
            {"rendition": "audio"},
            principal=principal_of(aws, address),
            path_params={"videoId": "first"},
        )
        assert result.status == 200
    return aws.item(f"EMAIL#{address}", "USER")["sub"]["S"]


@pytest.fixture
def two_downloaders(api, aws):
    seed([record("first", "2025-01-01T00:00:00Z")])
    api.confirmed_account(ANN)
    api.confirmed_account(BOB)
    ann, bob = downloaded(api, aws, ANN, 2), downloaded(api, aws, BOB)
    assert [k.split("#")[0] for k in sub_items(aws, ann)] == ["DOWNLOAD", "DOWNLOAD", "DOWNLOADS"]
    return ann, bob


def test_self_service_deletion_erases_the_download_history_and_counters(api, aws, two_downloaders):
    ann, bob = two_downloaders
    token = api.tokens(ANN)["accessToken"]
    assert api.call_as(token, "account_delete", {"password": STRONG_PASSWORD}).status == 204
    assert sub_items(aws, ann) == []
    assert len(sub_items(aws, bob)) == 2  # someone else's records stay


def test_operator_deletion_erases_them_too_and_says_so(api, aws, audit_log, two_downloaders):
    ann, bob = two_downloaders
    out, err = io.StringIO(), io.StringIO()
    argv = ["--table", "portal-test", "--region", "eu-west-1", "--mail-sender", "no-reply@multimedia.test"]
    code = admin.main([*argv, "delete", "--sub", ann, "--reason", "erasure request", "--yes"], out=out, err=err)
    assert code == 0, err.getvalue()
    assert sub_items(aws, ann) == [] and len(sub_items(aws, bob)) == 2
    [line] = [line for line in audit_log.lines() if line.get("event") == "admin_action"]
    assert line["effects"] == ["download_records_erased", "account_deleted"]


def test_erasure_goes_in_batches_past_one_batch_write(api, aws):
    import boto3

    from local.emulation import make_requests_atomic  # noqa: F401  (the table is moto's)
    from portal.dynamo.downloads import DynamoDownloadHistory

    db = boto3.client("dynamodb")
    sub = "3f1c1b1e-1111-4a4a-8b8b-000000000001"
    for n in range(60):
        db.put_item(TableName="portal-test", Item={"pk": {"S": f"SUB#{sub}"}, "sk": {"S": f"DOWNLOAD#{n:03d}"}})
    db.put_item(TableName="portal-test", Item={"pk": {"S": "SUB#other"}, "sk": {"S": "DOWNLOAD#000"}})
    assert DynamoDownloadHistory(db, "portal-test").erase(sub) == 60
    assert sub_items(aws, sub) == [] and sub_items(aws, "other") == ["DOWNLOAD#000"]


def test_a_failed_erasure_leaves_the_account_and_a_retry_deletes_everything(api, aws, two_downloaders, monkeypatch):
    from portal.dynamo.downloads import DynamoDownloadHistory
    from portal.errors import DependencyFailure

    ann, _ = two_downloaders
    token = api.tokens(ANN)["accessToken"]
    erase = DynamoDownloadHistory.erase

    def unavailable(self, sub):
        raise DependencyFailure("DynamoDB: InternalServerError")

    monkeypatch.setattr(DynamoDownloadHistory, "erase", unavailable)
    assert api.call_as(token, "account_delete", {"password": STRONG_PASSWORD}).status == 503
    assert aws.item(f"EMAIL#{ANN}", "USER") is not None and len(sub_items(aws, ann)) == 3
    monkeypatch.setattr(DynamoDownloadHistory, "erase", erase)
    assert api.call_as(token, "account_delete", {"password": STRONG_PASSWORD}).status == 204
    assert aws.item(f"EMAIL#{ANN}", "USER") is None and sub_items(aws, ann) == []


def test_export_lists_the_daily_counters(api, aws, two_downloaders):
    out, err = io.StringIO(), io.StringIO()
    argv = ["--table", "portal-test", "--region", "eu-west-1", "--json"]
    assert admin.main([*argv, "export", "--email", ANN, "--reason", "access request"], out=out, err=err) == 0
    counters = json.loads(out.getvalue())["downloadCounters"]
    assert len(counters) == 1 and counters[0]["count"] == 2
