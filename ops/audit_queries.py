"""`portal-admin audit`: run a stage's saved Logs Insights query and print its rows.

    portal-admin --stage prod audit --list
    portal-admin --stage prod audit failed-logins-by-account --since 7d [--until 2026-12-01T00:00:00Z]
    portal-admin --stage prod audit account-history-by-sub --since 30d --sub <sub> --format csv

The query is the one saved in the stage (`portal-<stage>/<name>`, infra/monitoring.py), read back with
DescribeQueryDefinitions so that it runs over the log groups it was saved with; then StartQuery and
GetQueryResults until the query is complete, with a progress line on stderr.
"""

from __future__ import annotations

import argparse
import csv
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

from infra.queries import AUDIT_QUERIES, QUERIES_BY_NAME, SUB_PLACEHOLDER, Source, saved_name
from ops.common import AWS_FAILED, OK, REFUSED, USAGE

FINISHED = {"Complete", "Failed", "Cancelled", "Timeout", "Unknown"}
# Logs Insights returns at most 10,000 rows.
MAX_ROWS = 10_000
_DURATION = re.compile(r"^(\d+)([mhd])$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}


def add_parser(commands: Any) -> None:
    audit = commands.add_parser("audit", help="run a saved audit query (needs --stage)")
    audit.add_argument("query", nargs="?", help="the saved query's name (--list names them)")
    audit.add_argument("--list", action="store_true", help="name the saved queries and what each answers")
    audit.add_argument("--since", default="24h", help="start: 30m, 12h, 7d ago, or a UTC time (default 24h)")
    audit.add_argument("--until", help="end: the same forms (default now)")
    audit.add_argument("--sub", help="only this account's lines")
    audit.add_argument("--format", choices=("table", "csv"), default="table")


def when(value: str, now: float) -> int:
    """Epoch seconds of `30m`/`12h`/`7d` ago, or of a UTC time YYYY-MM-DD[THH:MM:SSZ]."""
    match = _DURATION.match(value.strip())
    if match:
        return int(now) - int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    for form in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
        try:
            return int(datetime.strptime(value, form).replace(tzinfo=UTC).timestamp())
        except ValueError:
            continue
    raise ValueError(f"{value!r} is neither a duration (30m, 12h, 7d) nor a UTC time (YYYY-MM-DDTHH:MM:SSZ)")


def for_account(query: str, sub: str) -> str:
    """The query limited to one account: its placeholder filled in, or a filter in front."""
    if SUB_PLACEHOLDER in query:
        return query.replace(SUB_PLACEHOLDER, sub)
    return f'filter sub = "{sub}"\n| {query}'


def run(
    args: argparse.Namespace,
    clients: Callable[[str], Any],
    out: TextIO,
    err: TextIO,
    *,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], float] = time.time,
) -> int:
    if args.list:
        width = max(len(q.name) for q in AUDIT_QUERIES)
        for query in AUDIT_QUERIES:
            out.write(f"{query.name.ljust(width)}  {query.description}\n")
        return OK
    problem = _usage_problem(args)
    if problem:
        err.write(f"portal-admin audit: {problem}\n")
        return USAGE
    query = QUERIES_BY_NAME[args.query]
    start, end = when(args.since, now()), when(args.until, now()) if args.until else int(now())
    if start >= end:
        err.write("portal-admin audit: --since must be before --until\n")
        return USAGE
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    name = saved_name(args.stage, query.name)
    try:
        logs = clients("logs")
        found = logs.describe_query_definitions(queryDefinitionNamePrefix=name)["queryDefinitions"]
        saved = next((d for d in found if d["name"] == name), None)
        if saved is None:
            err.write(f"no saved query {name} in this account and region: is stage {args.stage} deployed here?\n")
            return REFUSED
        text = for_account(saved["queryString"], args.sub) if args.sub else saved["queryString"]
        query_id = logs.start_query(
            logGroupNames=saved["logGroupNames"], startTime=start, endTime=end, queryString=text, limit=MAX_ROWS
        )["queryId"]
        result = _wait(logs, query_id, err, sleep)
    except NoCredentialsError:
        err.write(
            "AWS failed: no AWS credentials found. Sign in (aws sso login, or --profile NAME / $AWS_PROFILE) "
            "with a role that may run Logs Insights queries (logs:DescribeQueryDefinitions, StartQuery, "
            "GetQueryResults).\n"
        )
        return AWS_FAILED
    except ClientError as exc:
        error = exc.response.get("Error", {})
        err.write(f"AWS failed: CloudWatch Logs: {error.get('Code')}: {error.get('Message')}\n")
        return AWS_FAILED
    except BotoCoreError as exc:
        err.write(f"AWS failed: CloudWatch Logs: {exc}\n")
        return AWS_FAILED
    if result["status"] != "Complete":
        err.write(f"the query ended {result['status']}: nothing to show\n")
        return AWS_FAILED
    rows = [{f["field"]: f["value"] for f in row if f["field"] != "@ptr"} for row in result.get("results", [])]
    _print(rows, args.format, out)
    err.write(f"{len(rows)} row(s), {_scanned(result)} records scanned\n")
    return OK


def _usage_problem(args: argparse.Namespace) -> str | None:
    if not args.query:
        return "name a query (--list names them)"
    query = QUERIES_BY_NAME.get(args.query)
    if query is None:
        return f"no query {args.query!r}; --list names them: {', '.join(QUERIES_BY_NAME)}"
    if not args.stage:
        return "--stage is needed: the queries are saved per stage (portal-<stage>/<name>)"
    if args.sub is not None:
        if Source.FUNCTIONS not in query.sources:
            return f"{query.name} reads no account's lines: --sub does not apply"
        try:
            uuid.UUID(args.sub)
        except ValueError:
            return f"--sub {args.sub!r} is not an account id (a UUID)"
    try:
        when(args.since, 0)
        if args.until:
            when(args.until, 0)
    except ValueError as exc:
        return str(exc)
    if query.name == "account-history-by-sub" and not args.sub:
        return "account-history-by-sub needs --sub"
    return None


def _wait(logs: Any, query_id: str, err: TextIO, sleep: Callable[[float], None]) -> dict[str, Any]:
    delay = 0.5
    while True:
        result: dict[str, Any] = logs.get_query_results(queryId=query_id)
        if result["status"] in FINISHED:
            err.write("\n" if delay > 0.5 else "")
            return result
        err.write(f"\r{result['status']}: {_scanned(result)} records scanned...")
        err.flush()
        sleep(delay)
        delay = min(delay * 2, 5.0)


def _scanned(result: dict[str, Any]) -> int:
    return int(result.get("statistics", {}).get("recordsScanned", 0))


def _print(rows: list[dict[str, str]], form: str, out: TextIO) -> None:
    columns = list(dict.fromkeys(name for row in rows for name in row))
    if form == "csv":
        writer = csv.DictWriter(out, fieldnames=columns, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    if not rows:
        out.write("(no rows)\n")
        return
    widths = {c: max(len(c), *(len(row.get(c, "")) for row in rows)) for c in columns}
    out.write("  ".join(c.ljust(widths[c]) for c in columns).rstrip() + "\n")
    for row in rows:
        out.write("  ".join(row.get(c, "").ljust(widths[c]) for c in columns).rstrip() + "\n")
