"""`portal-admin audit`: the stage's saved query run with StartQuery/GetQueryResults, against a
stubbed CloudWatch Logs (botocore's Stubber), and a clear error without credentials."""

from __future__ import annotations

import io

import boto3
import pytest
from botocore.stub import ANY, Stubber

from infra.queries import AUDIT_QUERIES, QUERIES_BY_NAME, saved_name
from ops import admin

NOW = 1_764_633_600  # 2025-12-02T00:00:00Z
SUB = "3f1c1b1e-1111-4a4a-8b8b-000000000001"
GROUPS = ["/aws/lambda/one", "/aws/lambda/two"]


@pytest.fixture
def logs():
    client = boto3.client("logs", region_name="eu-west-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def run(client, *argv: str, sleeps: list | None = None) -> tuple[int, str, str]:
    from ops import audit_queries

    out, err = io.StringIO(), io.StringIO()
    original = audit_queries.run

    def run_with_clock(args, clients, out, err):
        return original(args, clients, out, err, sleep=(sleeps if sleeps is not None else []).append, now=lambda: NOW)

    audit_queries.run = run_with_clock
    try:
        code = admin.main(
            ["--stage", "prod", *argv], make_clients=lambda args: lambda service: client, out=out, err=err
        )
    finally:
        audit_queries.run = original
    return code, out.getvalue(), err.getvalue()


def saved(stubber, name: str, query: str | None = None) -> None:
    full = saved_name("prod", name)
    stubber.add_response(
        "describe_query_definitions",
        {
            "queryDefinitions": [
                {"queryDefinitionId": "other", "name": full + "-old", "queryString": "x", "logGroupNames": []},
                {
                    "queryDefinitionId": "q1",
                    "name": full,
                    "queryString": query or QUERIES_BY_NAME[name].query,
                    "logGroupNames": GROUPS,
                },
            ]
        },
        {"queryDefinitionNamePrefix": full},
    )


def started(stubber, query_id: str, query: str, start: object, end: object) -> None:
    """StartQuery over the saved groups, expected with exactly these times and text."""
    expected = {"logGroupNames": GROUPS, "startTime": start, "endTime": end, "queryString": query, "limit": 10000}
    stubber.add_response("start_query", {"queryId": query_id}, expected)


def test_list_names_every_saved_query_without_aws():
    code, out, _ = run(None, "audit", "--list")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == [q.name for q in AUDIT_QUERIES]
    assert "blocked-requests-by-rule-and-ip" in out


def test_a_query_runs_over_its_saved_groups_and_prints_a_table_after_a_progress_line(logs):
    client, stubber = logs
    name = "failed-logins-by-account"
    saved(stubber, name)
    started(stubber, "run-1", QUERIES_BY_NAME[name].query, NOW - 7 * 86400, NOW)
    stubber.add_response(
        "get_query_results",
        {"status": "Running", "results": [], "statistics": {"recordsScanned": 1200.0}},
        {"queryId": "run-1"},
    )
    row = [
        {"field": "email", "value": "a***@e***.org"},
        {"field": "sub", "value": SUB},
        {"field": "failures", "value": "7"},
        {"field": "@ptr", "value": "CmAKJwoj"},
    ]
    stubber.add_response(
        "get_query_results",
        {"status": "Complete", "results": [row], "statistics": {"recordsScanned": 2400.0}},
        {"queryId": "run-1"},
    )
    sleeps: list = []
    code, out, err = run(client, "audit", name, "--since", "7d", sleeps=sleeps)
    assert code == 0, err
    assert out.splitlines()[0].split() == ["email", "sub", "failures"]
    assert out.splitlines()[1].split() == ["a***@e***.org", SUB, "7"]
    assert "Running: 1200 records scanned" in err and "1 row(s), 2400 records scanned" in err
    assert len(sleeps) == 1


def test_sub_fills_the_placeholder_and_csv_and_until_are_honoured(logs):
    client, stubber = logs
    name = "account-history-by-sub"
    saved(stubber, name)
    started(
        stubber, "run-2", QUERIES_BY_NAME[name].query.replace("REPLACE-WITH-SUB", SUB), 1_764_547_200, 1_764_590_400
    )
    rows = [
        [{"field": "@timestamp", "value": "2025-12-01 10:00:00.000"}, {"field": "event", "value": "registered"}],
        [{"field": "@timestamp", "value": "2025-12-01 10:01:00.000"}, {"field": "event", "value": "verified"}],
    ]
    stubber.add_response("get_query_results", {"status": "Complete", "results": rows}, {"queryId": "run-2"})
    code, out, _ = run(
        client,
        "audit",
        name,
        "--since",
        "2025-12-01",
        "--until",
        "2025-12-01T12:00:00Z",
        "--sub",
        SUB,
        "--format",
        "csv",
    )
    assert code == 0
    assert out.splitlines() == [
        "@timestamp,event",
        "2025-12-01 10:00:00.000,registered",
        "2025-12-01 10:01:00.000,verified",
    ]


def test_sub_on_a_query_without_a_placeholder_filters_first(logs):
    client, stubber = logs
    name = "downloads-by-video"
    saved(stubber, name)
    expected = f'filter sub = "{SUB}"\n| ' + QUERIES_BY_NAME[name].query
    started(stubber, "run-3", expected, ANY, NOW)
    stubber.add_response("get_query_results", {"status": "Complete", "results": []}, {"queryId": "run-3"})
    code, out, _ = run(client, "audit", name, "--sub", SUB)
    assert code == 0 and out == "(no rows)\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["audit"], "name a query"),
        (["audit", "nope"], "no query 'nope'"),
        (["audit", "downloads-by-video", "--since", "last week"], "neither a duration"),
        (["audit", "downloads-by-video", "--sub", 'x" or 1=1'], "not an account id"),
        (["audit", "blocked-requests-by-rule-and-ip", "--sub", SUB], "--sub does not apply"),
        (["audit", "account-history-by-sub"], "needs --sub"),
        (["audit", "downloads-by-video", "--since", "2025-12-02", "--until", "2025-12-01"], "before --until"),
    ],
)
def test_usage_errors_call_no_aws(logs, argv, message):
    client, _ = logs  # nothing stubbed: any call would fail the test
    code, _, err = run(client, *argv)
    assert code == 2 and message in err


def test_a_missing_saved_query_or_an_aws_error_is_said_plainly(logs):
    client, stubber = logs
    stubber.add_response("describe_query_definitions", {"queryDefinitions": []}, {"queryDefinitionNamePrefix": ANY})
    code, _, err = run(client, "audit", "password-resets")
    assert code == 1 and "no saved query portal-prod/password-resets" in err
    stubber.add_client_error("describe_query_definitions", "AccessDeniedException", "not allowed", 400)
    code, _, err = run(client, "audit", "password-resets")
    assert code == 3 and err.startswith("AWS failed: CloudWatch Logs: AccessDeniedException: not allowed")


def test_a_failed_query_is_reported(logs):
    client, stubber = logs
    saved(stubber, "password-resets")
    stubber.add_response("start_query", {"queryId": "run-4"}, None)
    stubber.add_response("get_query_results", {"status": "Failed", "results": []}, {"queryId": "run-4"})
    code, _, err = run(client, "audit", "password-resets")
    assert code == 3 and "ended Failed" in err


def test_without_credentials_the_error_says_what_to_do(monkeypatch, tmp_path):
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SECURITY_TOKEN",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    out, err = io.StringIO(), io.StringIO()
    code = admin.main(
        ["--stage", "prod", "--region", "eu-west-1", "audit", "failed-logins-by-account"], out=out, err=err
    )
    assert code == 3
    assert "no AWS credentials found" in err.getvalue() and "--profile" in err.getvalue()
    assert "Traceback" not in err.getvalue()
