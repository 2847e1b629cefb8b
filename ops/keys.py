"""`portal-admin keys`: the access-token signing keys (docs/operations.md: access-token keys).

    keys list                                    the key set: kid, signs from, dropped at (no private part)
    keys rotate --reason R [--delay-seconds N]   publish the next key; it signs after the delay, the
                                                 current one is dropped when its last token expires
    keys rotate --reason R --compromised --yes   the next key signs now, every other key is dropped now
                                                 (every access token ends; refresh gives new ones)
    keys ensure --reason R                       the first key, only if the stage has none that can sign;
                                                 the public item re-derived if it differs (`make deploy`)

The first `keys rotate` after a deploy (an empty set) makes a key that signs at once; `keys
ensure` does the same and nothing when a key exists, so `make deploy` runs it after every deploy.
Every change writes one `admin_action` audit line (operator, action, kids, reason).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

from ops.common import OK, REFUSED, Clients
from portal.dynamo.signing_keys import DynamoPublicKeys, publish
from portal.errors import DependencyFailure
from portal.signing_keys import PrivateKey, PrivateKeySet, RotationRefused


def add_parser(commands: Any) -> None:
    keys = commands.add_parser("keys", help="access-token signing keys: list, rotate")
    actions = keys.add_subparsers(dest="keys_command", required=True)
    actions.add_parser("list", help="the key set (public parts and times only)")
    rotate = actions.add_parser("rotate", help="publish the next key (it signs after --delay-seconds)")
    rotate.add_argument("--reason", required=True, help="why (written to the audit line)")
    rotate.add_argument(
        "--delay-seconds",
        type=int,
        help="how long the next key is published before it signs (default: the stage's key_rotation_delay_seconds)",
    )
    rotate.add_argument("--compromised", action="store_true", help="sign with the next key now and drop the others now")
    rotate.add_argument("--yes", action="store_true", help="with --compromised: do not ask for confirmation")
    ensure = actions.add_parser("ensure", help="make the first key if none can sign (idempotent: after every deploy)")
    ensure.add_argument("--reason", required=True, help="why (written to the audit line when it changes anything)")


def _when(epoch: int | None) -> str:
    return "-" if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def _state(key: PrivateKey, signing: str | None, now: int) -> str:
    if key.kid == signing:
        return "signing"
    if key.sign_from > now:
        return "next"
    return "verifying" if key.accepted(now) else "dropped"


def _rows(keys: PrivateKeySet, now: int) -> list[dict[str, Any]]:
    try:
        signing: str | None = keys.signing_key(now)[0]
    except DependencyFailure:  # no key signs yet (an empty set)
        signing = None
    return [
        {"kid": k.kid, "state": _state(k, signing, now), "signFrom": _when(k.sign_from), "dropAt": _when(k.drop_at)}
        for k in keys.keys
    ]


def _write(rows: list[dict[str, Any]], as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(rows, indent=2) + "\n")
    else:
        out.writelines(
            f"{r['kid']}  {r['state']:9}  signs from {r['signFrom']}  dropped at {r['dropAt']}\n" for r in rows
        )


def default_delay(stage: str | None) -> int:
    from infra.config import StageConfig, load_stage

    if stage:
        try:
            return load_stage(stage).key_rotation_delay_seconds
        except ValueError:  # a stage the local cdk.json does not define: the documented default
            pass
    default: int = StageConfig.model_fields["key_rotation_delay_seconds"].default
    return default


def run(
    args: argparse.Namespace,
    aws: Clients,
    out: TextIO,
    err: TextIO,
    ask: Callable[[str], str],
    clock: Callable[[], float] = time.time,
) -> int:
    if not args.signing_keys_secret:
        err.write("--signing-keys-secret (or --stage, or $PORTAL_SIGNING_KEYS_SECRET_ID) is needed\n")
        return REFUSED
    from botocore.exceptions import BotoCoreError, ClientError

    secrets = aws("secretsmanager")
    now = int(clock())
    try:
        raw = secrets.get_secret_value(SecretId=args.signing_keys_secret)["SecretString"]
    except (BotoCoreError, ClientError) as exc:
        raise DependencyFailure(f"Secrets Manager: {type(exc).__name__}") from exc
    keys = PrivateKeySet.of(json.loads(raw))
    if args.keys_command == "list":
        _write(_rows(keys, now), args.json, out)
        return OK
    if args.keys_command == "ensure":
        return _ensure(args, aws, keys, now, out, err)
    if args.compromised and not args.yes:
        answer = ask("Drop every current key now? Every access token ends at once. Type yes to go on: ")
        if answer.strip().lower() not in ("y", "yes"):
            err.write("not confirmed: nothing done\n")
            return REFUSED
    delay = args.delay_seconds if args.delay_seconds is not None else default_delay(args.stage)
    try:
        rotated = keys.rotated(now, delay, compromised=args.compromised)
    except RotationRefused as exc:
        err.write(f"refused: {exc}\n")
        return REFUSED
    publish(rotated, DynamoPublicKeys(aws("dynamodb"), args.table), secrets, args.signing_keys_secret)
    fresh = rotated.keys[-1]
    _audited(
        aws,
        "keys-rotate",
        args.reason,
        kid=fresh.kid,
        signFrom=fresh.sign_from,
        dropped=[k.kid for k in keys.keys if k.kid not in {r.kid for r in rotated.keys}],
        compromised=args.compromised,
    )
    _write(_rows(rotated, now), args.json, out)
    err.write(f"next key {fresh.kid} signs from {_when(fresh.sign_from)}\n")
    return OK


def _ensure(args: argparse.Namespace, aws: Clients, keys: PrivateKeySet, now: int, out: TextIO, err: TextIO) -> int:
    """The stage can sign and verify afterwards; an existing key is never replaced.

    No key that counts (an empty set after the first deploy, or only dropped keys): a first key that
    signs at once, as `keys rotate` makes it. Keys that count: the secret is left alone, and the
    public item is written again only if it is not the one derived from them (a restored table).
    """
    public = DynamoPublicKeys(aws("dynamodb"), args.table)
    if any(k.accepted(now) for k in keys.keys):
        if public.read().document() == keys.public().document():
            _write(_rows(keys, now), args.json, out)
            err.write("a key exists: nothing to do\n")
            return OK
        public.write(keys.public())
        _audited(
            aws, "keys-ensure", args.reason, effects=["public keys item re-derived"], kept=[k.kid for k in keys.keys]
        )
        _write(_rows(keys, now), args.json, out)
        err.write("a key exists; the public keys item was not the one derived from it: written again\n")
        return OK
    first = keys.rotated(now, 0)
    publish(first, public, aws("secretsmanager"), args.signing_keys_secret)
    fresh = first.keys[-1]
    _audited(aws, "keys-ensure", args.reason, kid=fresh.kid, signFrom=fresh.sign_from, effects=["first key"])
    _write(_rows(first, now), args.json, out)
    err.write(f"first key {fresh.kid} signs from now\n")
    return OK


def _audited(aws: Clients, action: str, reason: str, **fields: Any) -> None:
    from portal.audit import audit

    audit("admin_action", operator=_identity(aws), action=action, reason=reason, **fields)


def _identity(aws: Clients) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return str(aws("sts").get_caller_identity()["Arn"])
    except (BotoCoreError, ClientError) as exc:
        raise DependencyFailure(f"STS: {type(exc).__name__}") from exc
