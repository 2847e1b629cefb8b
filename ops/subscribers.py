"""`python -m ops.subscribers export --format csv|json [--output FILE]`: current newsletter
subscribers with their language, for the mailing tool.

Columns: email, language, consentAt, source, sub. The file holds addresses: keep it off shared
drives and delete it once imported. Reading is a filtered Scan of the table (offline, paged).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from ops.common import AWS_FAILED, OK, add_aws_options, clients, require
from portal.dynamo.newsletter import DynamoSubscriptions
from portal.errors import DependencyFailure

COLUMNS = ("email", "language", "consentAt", "source", "sub")


def rows(subscriptions: DynamoSubscriptions) -> list[dict[str, str]]:
    found = [
        {
            "email": m.email,
            "language": m.subscription.language or m.language,
            "consentAt": m.subscription.consent_at or "",
            "source": m.subscription.source or "",
            "sub": m.sub,
        }
        for m in subscriptions.subscribers()
    ]
    return sorted(found, key=lambda r: (r["consentAt"], r["email"]))


def write(found: list[dict[str, str]], form: str, out: TextIO) -> None:
    if form == "json":
        out.write(json.dumps(found, indent=2, ensure_ascii=False) + "\n")
        return
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(found)


def main(
    argv: Sequence[str] | None = None, make_clients: Any = clients, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ops.subscribers", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_aws_options(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="current subscribers with their language")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--output", help="write to this file instead of stdout")
    args = parser.parse_args(argv)
    require(parser, args, "table")
    try:
        found = rows(DynamoSubscriptions(make_clients(args)("dynamodb"), args.table))
    except DependencyFailure as exc:
        err.write(f"AWS failed: {exc} (cause: {exc.__cause__})\n")
        return AWS_FAILED
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as file:
            write(found, args.format, file)
    else:
        write(found, args.format, out)
    err.write(f"{len(found)} subscriber(s)\n")
    return OK


if __name__ == "__main__":
    sys.exit(main())
