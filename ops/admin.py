"""`portal-admin`: the operator's account console, against AWS with the operator's own credentials.

    find (--email ADDRESS | --sub SUB)            one account
    list [--status S] [--created-from D] [--created-to D] [--limit N] [--cursor C]
    disable | enable | sign-out | require-reset | resend-code | delete | export   (--email | --sub)
    passkeys list | passkeys remove --id CREDENTIAL_ID   (--email | --sub)  an account's passkeys
    mfa-reset (ADDRESS | --email | --sub)          two-step sign-in off (lost phone and codes)
    import FILE [--format json|csv]               migrate accounts (see docs/operator-cli.md)
    keys list | keys rotate --reason R | keys ensure --reason R   access-token signing keys (ops/keys.py)
    audit QUERY --since 7d [--until T] [--sub S] [--format table|csv]   a saved audit query (--stage)
    audit --list                                  the saved queries

Every command but find and list changes or reads one person's data and needs --reason; each
writes one `admin_action` audit line (operator from STS GetCallerIdentity, action, target sub,
reason, effects). disable, sign-out, require-reset, delete and mfa-reset ask for confirmation unless --yes.
Exit codes: 0 done, 1 refused (no such account, not confirmed, invalid input), 2 usage, 3 AWS failed.
"""

from __future__ import annotations

import argparse
import base64
import csv
import io
import json
import logging
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ops import audit_queries
from ops import keys as access_keys
from ops.accounts import OperatorAccounts
from ops.common import AWS_FAILED, OK, REFUSED, Clients, add_aws_options, clients, require
from portal.addresses import normalize
from portal.errors import ApiError, DependencyFailure
from portal.passwords import usable_hash
from portal.records import Conflict
from portal.users import Status, User, iso

DESTRUCTIVE = {"disable", "sign-out", "require-reset", "delete", "mfa-reset"}
TARGETED = ("disable", "enable", "sign-out", "require-reset", "resend-code", "delete", "export", "mfa-reset")
DEFAULT_PAGE = 50
# The `service` of the CLI's audit lines.
SERVICE = "portal-admin"


class Refused(Exception):
    """The command cannot be done as asked; the message says why (exit 1)."""


# -- the logic: no argparse, no boto3 types ------------------------------------------------------


@dataclass
class Operator:
    """What the operator commands do, over the same store and use cases as the API."""

    store: OperatorAccounts
    auth_factory: Callable[[], Any]
    signup_factory: Callable[[], Any]
    downloads: Callable[[str], list[dict[str, Any]]]
    identity: str
    clock: Callable[[], float]
    two_step_factory: Callable[[], Any] | None = None
    passkeys_factory: Callable[[], Any] | None = None
    # Raise Refused when mail cannot be sent (no sender given): checked before any action that mails.
    mail_ready: Callable[[], None] = lambda: None
    # The account's daily download counters, for the export.
    download_counters: Callable[[str], list[dict[str, Any]]] = lambda sub: []

    def audit(self, action: str, user: User | None, reason: str, **fields: object) -> None:
        from portal.audit import audit

        audit(
            "admin_action",
            address=user.username if user else None,
            operator=self.identity,
            action=action,
            sub=user.sub if user else None,
            reason=reason,
            **fields,
        )

    @contextmanager
    def acting(self, action: str, user: User, reason: str) -> Iterator[list[str]]:
        """One audit line for an action, whatever happens: the caller lists each effect as it
        happens, and a failure part-way is audited with the effects that did happen, then raised."""
        effects: list[str] = []
        try:
            yield effects
        except BaseException:
            self.audit(action, user, reason, effects=effects, outcome="failed")
            raise
        self.audit(action, user, reason, effects=effects, outcome="done")

    def find(self, email: str | None = None, sub: str | None = None) -> User:
        username = normalize(email) if email else self.store.username_of(sub or "")
        user = self.store.load_address(username).user if username else None
        if user is None or (sub and user.sub != sub):
            raise Refused("no such account")
        return user

    def disable(self, user: User, reason: str) -> None:
        with self.acting("disable", user, reason) as effects:
            self.store.set_enabled(user, False, iso(self.clock()))
            effects.append("disabled")
            self.auth_factory().end_all_sessions(user, bump=False)
            effects.append("signed_out")

    def enable(self, user: User, reason: str) -> None:
        with self.acting("enable", user, reason) as effects:
            self.store.set_enabled(user, True, iso(self.clock()))
            effects.append("enabled")

    def sign_out(self, user: User, reason: str) -> None:
        with self.acting("sign-out", user, reason) as effects:
            self.auth_factory().end_all_sessions(user)
            effects.append("signed_out")

    def require_reset(self, user: User, reason: str) -> None:
        if user.status == Status.UNCONFIRMED:
            raise Refused("the account is not confirmed yet: there is no password to reset")
        with self.acting("require-reset", user, reason) as effects:
            self.store.require_reset(user, iso(self.clock()))
            effects.append("reset_required")
            self.auth_factory().end_all_sessions(user, bump=False)
            effects.append("signed_out")

    def resend_code(self, user: User, reason: str) -> None:
        if user.status != Status.UNCONFIRMED:
            raise Refused(f"the account is {user.status}: only an unconfirmed account gets a verification code")
        self.mail_ready()
        with self.acting("resend-code", user, reason) as effects:
            self.signup_factory().resend(user.email)
            effects.append("code_sent")

    def mfa_reset(self, user: User, reason: str) -> None:
        """Two-step sign-in off for someone who lost both the app and the recovery codes (after
        checking who they are, outside this tool): the owner gets the "off" notice."""
        assert self.two_step_factory is not None
        if not user.mfa.on and user.mfa.pending is None:
            raise Refused("two-step sign-in is not on for this account: nothing to reset")
        self.mail_ready()  # the owner is told: know that we can before anything changes
        with self.acting("mfa-reset", user, reason) as effects:
            if self.two_step_factory().reset_by_operator(user, self.identity, reason):
                effects.append("two_step_off")

    def delete(self, user: User, reason: str) -> None:
        self.mail_ready()  # its owner is told: know that we can before anything is deleted
        with self.acting("delete", user, reason) as effects:
            try:
                self.auth_factory().remove_account(user)
            finally:
                # remove_account erases, deletes, then mails: what a failure left is read back, not guessed.
                if not self.downloads(user.sub) and not self.download_counters(user.sub):
                    effects.append("download_records_erased")
                if self.store.load_address(user.username).user is None:
                    effects.append("account_deleted")

    def passkeys(self, user: User, reason: str) -> list[dict[str, Any]]:
        listed = [_passkey(p) for p in self.store.passkeys_of(user.sub)]
        self.audit("passkeys-list", user, reason)
        return listed

    def remove_passkey(self, user: User, credential_id: str, reason: str) -> None:
        from portal.errors import NotFound

        assert self.passkeys_factory is not None, "wired by _build"
        try:
            self.passkeys_factory().remove_of(user, credential_id, by="operator", reason=reason)
        except NotFound:
            raise Refused("the account has no passkey with this id") from None
        self.audit("passkeys-remove", user, reason, credentialId=credential_id)

    def export(self, user: User, reason: str) -> dict[str, Any]:
        """Everything held about the person, without secrets (no hashes, code digests or tokens)."""
        state = self.store.load_address(user.username)
        document = {
            "profile": {
                "sub": user.sub,
                "email": user.email,
                "status": str(user.status),
                "enabled": user.enabled,
                "emailVerified": user.email_verified,
                "language": user.language,
                "createdAt": user.created_at,
                "updatedAt": user.updated_at,
            },
            "consents": {"newsletter": user.newsletter},
            "sessions": [
                {
                    "sessionId": s.session_id,
                    "createdAt": iso(s.created_at),
                    "expiresAt": iso(s.expires_at),
                    "revoked": s.revoked,
                    "lastUsedAt": iso(s.last_used_at or s.created_at),
                    "userAgent": s.user_agent,
                    "ip": s.ip,
                    "method": s.method,
                }
                for s in sorted(self.store.sessions_of(user.sub), key=lambda s: s.created_at)
            ],
            # Devices seen signing in (a hash of the User-Agent without versions), for the new-device notice.
            "devices": [{"lastSeenAt": iso(seen)} for seen in sorted(state.devices.values())],
            "codes": [_code_summary(c) for c in state.codes.values()],
            "codeSends": [iso(at) for at in state.sends.sent_at],
            "passkeys": [_passkey(p) for p in self.store.passkeys_of(user.sub)],
            # Kept per address (account or not) so that throttling tells nothing: this address's.
            "failedSignIns": {
                "consecutive": state.logins.consecutive,
                "lastFailedAt": iso(state.logins.last_failed_at) if state.logins.last_failed_at else None,
                "lastHour": [iso(at) for at in state.logins.recent],
            },
            "pendingEmailChange": self._pending_email_change(user),
            "downloads": self.downloads(user.sub),
            "downloadCounters": self.download_counters(user.sub),
        }
        self.audit("export", user, reason)
        return document

    def _pending_email_change(self, user: User) -> dict[str, Any] | None:
        """The new address asked for, and what is held under it for this account: its code and the
        address's send record."""
        if not user.pending_email:
            return None
        target = self.store.load_address(normalize(user.pending_email))
        code = target.email_changes.get(user.sub)
        return {
            "newEmail": user.pending_email,
            "code": _code_summary(code) if code else None,
            "codeSends": [iso(at) for at in target.sends.sent_at],
        }

    def import_users(self, records: list[ImportRecord], reason: str) -> tuple[list[User], list[str]]:
        """Create each account whose address is free; returns those created and the addresses skipped."""
        created, skipped = [], []
        now = iso(self.clock())
        for record in records:
            user = record.user(now)
            if record.sub and self.store.username_of(record.sub) is not None:
                skipped.append(user.email)  # that sub is another account's already
                continue
            try:
                self.store.import_user(user)
            except Conflict:
                skipped.append(user.email)
                continue
            created.append(user)
            self.audit("import", user, reason, kept=("hash" if user.status == Status.CONFIRMED else "none"))
        return created, skipped


def _code_summary(code: Any) -> dict[str, Any]:
    """A code record without its digest."""
    return {
        "purpose": str(code.purpose),
        "createdAt": iso(code.created_at),
        "expiresAt": iso(code.expires_at),
        "attempts": code.attempts,
        "spent": code.spent,
    }


class ImportRecord(BaseModel):
    """One migrated account: JSON objects or CSV rows with these column names."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    email: str = Field(min_length=3, max_length=254)
    sub: str | None = None
    passwordHash: str | None = None
    emailVerified: bool = True
    language: str = Field("en", pattern=r"^(en|fr)$")
    createdAt: str | None = Field(None, pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    @field_validator("createdAt")
    @classmethod
    def _real_time(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
            except ValueError:
                raise ValueError("not a real UTC time (YYYY-MM-DDTHH:MM:SSZ)") from None
        return value

    @field_validator("email")
    @classmethod
    def _address(cls, value: str) -> str:
        from email_validator import EmailNotValidError, validate_email

        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("sub")
    @classmethod
    def _uuid(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        return str(uuid.UUID(value))

    @field_validator("passwordHash", "createdAt", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    def user(self, now_iso: str) -> User:
        # A hash we can verify is kept (argon2 or bcrypt, upgraded at the next good login); anything
        # else (none, or a scheme we cannot check) leaves the account waiting for "Reset password".
        keep = usable_hash(self.passwordHash)
        return User(
            sub=self.sub or str(uuid.uuid4()),
            username=normalize(self.email),
            email=self.email,
            status=Status.CONFIRMED if keep else Status.RESET_REQUIRED,
            password_hash=self.passwordHash if keep else "",  # type: ignore[arg-type]
            language=self.language,
            created_at=self.createdAt or now_iso,
            updated_at=now_iso,
            email_verified=self.emailVerified,
        )


def parse_import(text: str, form: str) -> list[ImportRecord]:
    """Every record validated, or Refused listing each problem (nothing is written then)."""
    if form == "csv":
        rows: Any = list(csv.DictReader(io.StringIO(text)))
    else:
        try:
            rows = json.loads(text)
        except ValueError as exc:
            raise Refused(f"not JSON: {exc}") from None
        rows = rows.get("users") if isinstance(rows, dict) else rows
    if not isinstance(rows, list) or not rows:
        raise Refused('expected a non-empty list of users (JSON list, {"users": [...]}, or CSV rows)')
    records, problems = [], []
    first_row: dict[str, int] = {}  # address -> the row it first appears in
    for index, row in enumerate(rows):
        try:
            record = ImportRecord.model_validate(row)
        except ValidationError as exc:
            for error in exc.errors(include_url=False, include_input=False):
                where = ".".join(str(p) for p in error["loc"]) or "record"
                problems.append(f"users[{index}]: {where}: {error['msg']}")
            continue
        records.append(record)
        address = normalize(record.email)
        if address in first_row:
            problems.append(f"users[{index}]: address appears more than once (first in users[{first_row[address]}])")
        else:
            first_row[address] = index
    if problems:
        raise Refused("nothing written:\n" + "\n".join(f"  {p}" for p in problems))
    return records


# -- the command line ------------------------------------------------------------------------------


def encode_cursor(username: str) -> str:
    return base64.urlsafe_b64encode(username.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        value = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except ValueError:
        raise Refused("--cursor is not one this command printed") from None
    if "@" not in value:
        raise Refused("--cursor is not one this command printed")
    return value


def _summary(user: User) -> dict[str, Any]:
    return {
        "sub": user.sub,
        "email": user.email,
        "status": str(user.status),
        "enabled": user.enabled,
        "emailVerified": user.email_verified,
        "createdAt": user.created_at,
    }


def _passkey(passkey: Any) -> dict[str, Any]:
    """A passkey as the operator sees it and the export gives it: no key material."""
    return {
        "id": passkey.credential_id,
        "name": passkey.name,
        "createdAt": passkey.created_at,
        "lastUsedAt": passkey.last_used_at,
        "backedUp": passkey.backed_up,
    }


def _table(rows: list[dict[str, Any]], out: TextIO) -> None:
    if not rows:
        out.write("(no accounts)\n")
        return
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    out.write("  ".join(c.ljust(widths[c]) for c in columns).rstrip() + "\n")
    for row in rows:
        out.write("  ".join(str(row[c]).ljust(widths[c]) for c in columns).rstrip() + "\n")


def _reason(value: str) -> str:
    """--reason: what the audit line says why; blank is no reason."""
    value = " ".join(value.split())
    if not value:
        raise argparse.ArgumentTypeError("must say why (it is written to the audit line)")
    return value


def _date_or_time(value: str) -> str:
    """--created-from/--created-to: a date or a UTC time, compared with the ISO `createdAt`."""
    for form in ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            datetime.strptime(value, form)
            return value
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"{value!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="portal-admin", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_aws_options(parser)
    parser.add_argument(
        "--stage", help="stage name: table portal-<stage>, keys portal/<stage>/keys (as the local runner names them)"
    )
    parser.add_argument(
        "--stack-outputs",
        type=Path,
        help="a `cdk deploy --outputs-file` JSON: table, secrets and region of the deployed stage (`make deploy`)",
    )
    parser.add_argument(
        "--keys-secret",
        default=os.environ.get("PORTAL_KEYS_SECRET_ID"),
        help="keys secret id (default $PORTAL_KEYS_SECRET_ID)",
    )
    parser.add_argument(
        "--signing-keys-secret",
        default=os.environ.get("PORTAL_SIGNING_KEYS_SECRET_ID"),
        help="access-token signing keys secret id (default $PORTAL_SIGNING_KEYS_SECRET_ID)",
    )
    parser.add_argument(
        "--mail-sender",
        default=os.environ.get("PORTAL_MAIL_SENDER"),
        help="verified SES sender (default $PORTAL_MAIL_SENDER)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    commands = parser.add_subparsers(dest="command", required=True)
    audit_queries.add_parser(commands)

    find = commands.add_parser("find", help="one account by --email or --sub")
    listing = commands.add_parser("list", help="accounts page by page")
    listing.add_argument("--status", choices=[str(s) for s in Status])
    listing.add_argument(
        "--created-from", type=_date_or_time, help="created at or after (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)"
    )
    listing.add_argument("--created-to", type=_date_or_time, help="created before (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)")
    listing.add_argument("--limit", type=int, default=DEFAULT_PAGE)
    listing.add_argument("--cursor", help="where the previous page ended (printed with it)")
    passkeys = commands.add_parser("passkeys", help="list or remove one account's passkeys")
    passkeys.add_argument("action", choices=("list", "remove"))
    passkeys.add_argument("--id", help="the passkey's credential id (remove)")
    passkeys.add_argument("--reason", required=True, help="why (written to the audit line)")
    passkeys.add_argument("--yes", action="store_true", help="do not ask for confirmation (remove)")
    targets = [find, passkeys]
    for name in TARGETED:
        sub = commands.add_parser(name, help=f"{name} one account")
        sub.add_argument("--reason", required=True, type=_reason, help="why (written to the audit line)")
        if name in DESTRUCTIVE:
            sub.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        if name == "export":
            sub.add_argument("--output", help="write the JSON to this file instead of stdout")
        targets.append(sub)
    for sub in targets:
        # mfa-reset also takes the address as its argument (`portal-admin mfa-reset ann@example.org`).
        positional = sub.prog.endswith(" mfa-reset")
        who = sub.add_mutually_exclusive_group(required=not positional)
        if positional:
            who.add_argument("address", nargs="?", help="the account's email address")
        who.add_argument("--email")
        who.add_argument("--sub")
    importing = commands.add_parser("import", help="create accounts from a JSON or CSV export")
    importing.add_argument("file", type=Path)
    importing.add_argument("--format", choices=("json", "csv"), help="default: from the file's extension")
    importing.add_argument("--reason", required=True, type=_reason, help="why (written to each audit line)")
    access_keys.add_parser(commands)
    return parser


def _build(args: argparse.Namespace, aws: Clients) -> Operator:
    from portal.account import Account
    from portal.dynamo.downloads import DynamoDownloadHistory
    from portal.keys import secrets_manager_keyring
    from portal.mailer import SesMailer
    from portal.passwords import PasswordHasher
    from portal.settings import Settings
    from portal.signup import Signup

    store = OperatorAccounts(aws("dynamodb"), args.table)

    def hasher() -> PasswordHasher:
        return PasswordHasher(
            *(Settings.default(f"argon2_{name}") for name in ("memory_kib", "time_cost", "parallelism"))
        )

    def keyring() -> Any:
        if not args.keys_secret:
            raise Refused("--keys-secret (or --stage, or $PORTAL_KEYS_SECRET_ID) is needed to issue codes")
        return secrets_manager_keyring(aws("secretsmanager"), args.keys_secret, 300)()

    def mail_ready() -> None:
        if not args.mail_sender:
            raise Refused("--mail-sender (or $PORTAL_MAIL_SENDER) is needed to send mail: nothing done")

    def mailer() -> SesMailer:
        mail_ready()
        return SesMailer(aws("sesv2"), args.mail_sender)

    def two_step() -> Any:
        from portal.dynamo.mfa import DynamoMfa
        from portal.signin import SignIn
        from portal.two_step import TwoStep

        factors = DynamoMfa(aws("dynamodb"), args.table)
        return TwoStep(store, mailer, keyring, hasher, SignIn(store, keyring, hasher), factors)

    history = DynamoDownloadHistory(aws("dynamodb"), args.table)
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        identity = aws("sts").get_caller_identity()["Arn"]
    except (BotoCoreError, ClientError) as exc:
        raise DependencyFailure(f"STS: {type(exc).__name__}") from exc

    def passkeys() -> Any:
        from portal.passkeys import Passkeys

        def not_here() -> Any:
            raise Refused("passkeys are created and used in a browser, not from the console")

        return Passkeys(store, mailer, keyring, hasher, not_here, not_here)

    return Operator(
        store=store,
        auth_factory=lambda: Account(store, mailer, keyring, hasher, erase_downloads=history.erase),
        signup_factory=lambda: Signup(store, mailer, keyring, hasher),
        downloads=history.everything,
        download_counters=history.counters,
        identity=identity,
        clock=time.time,
        passkeys_factory=passkeys,
        two_step_factory=two_step,
        mail_ready=mail_ready,
    )


def _audit_to(stream: TextIO | None) -> None:
    """The CLI's own audit lines go to stderr, so stdout carries only the answer (--json)."""
    from portal.audit import logger

    if stream is None:
        return
    for handler in logger.handlers:
        if isinstance(handler, logging.StreamHandler) and getattr(handler, "stream", None) is sys.stdout:
            handler.setStream(stream)


def main(
    argv: Sequence[str] | None = None,
    make_clients: Any = clients,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    ask: Callable[[str], str] = input,
) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.stage:
        # --stage names win over the environment's defaults; an explicit --table/--keys-secret wins over --stage.
        given = list(sys.argv[1:] if argv is None else argv)
        if not any(a.startswith("--table") for a in given):
            args.table = f"portal-{args.stage}"
        if not any(a.startswith("--keys-secret") for a in given):
            args.keys_secret = f"portal/{args.stage}/keys"
        if not any(a.startswith("--signing-keys-secret") for a in given):
            args.signing_keys_secret = f"portal/{args.stage}/signing-keys"
    if args.stack_outputs:
        _use_stack_outputs(parser, args, list(sys.argv[1:] if argv is None else argv))
    if args.command == "audit":  # reads CloudWatch Logs only: no table, no operator identity
        return audit_queries.run(args, make_clients(args), out, err)
    require(parser, args, "table")
    if args.command == "mfa-reset":
        args.email = args.email or args.address
        if not (args.email or args.sub):
            parser.error("mfa-reset needs the account: ADDRESS, --email or --sub")
    if args.command == "list" and not 1 <= args.limit <= 1000:
        parser.error("--limit must be between 1 and 1000")
    _audit_to(sys.stderr if out is sys.stdout else None)
    from portal.audit import logger

    # Not a function's line: say which tool wrote it (Powertools would write "service_undefined").
    service = logger.get_current_keys().get("service")
    logger.append_keys(service=SERVICE)
    try:
        if args.command == "keys":
            return access_keys.run(args, make_clients(args), out, err, ask)
        return _run(args, _build(args, make_clients(args)), out, err, ask)
    except Refused as exc:
        err.write(f"{exc}\n")
        return REFUSED
    except ApiError as exc:
        err.write(f"refused: {exc.code}: {exc.message}{_retry_hint(exc)}\n")
        return REFUSED
    except DependencyFailure as exc:
        err.write(f"AWS failed: {exc} (cause: {exc.__cause__})\n")
        return AWS_FAILED
    finally:
        logger.append_keys(service=service)


# The stack's outputs (infra/stack.py) that name what the commands work on, and the option each fills.
STACK_OUTPUTS = {
    "TableName": "table",
    "KeysSecretArn": "keys_secret",
    "SigningKeysSecretArn": "signing_keys_secret",
    "Region": "region",
}


def _use_stack_outputs(parser: argparse.ArgumentParser, args: argparse.Namespace, given: list[str]) -> None:
    """Fill --table, the secrets and --region from `cdk deploy --outputs-file` (one stack); an
    option given on the command line wins, as it does over --stage."""
    try:
        stacks = json.loads(args.stack_outputs.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        parser.error(f"--stack-outputs: cannot read {args.stack_outputs}: {exc}")
    if not isinstance(stacks, dict) or len(stacks) != 1:
        parser.error(f"--stack-outputs: expected the outputs of one stack, found {len(stacks)}")
    (outputs,) = stacks.values()
    missing = sorted(set(STACK_OUTPUTS) - set(outputs))
    if missing:
        parser.error(f"--stack-outputs: {', '.join(missing)} missing (deployed before the stack had them?)")
    for output, option in STACK_OUTPUTS.items():
        flag = "--" + option.replace("_", "-")
        if not any(a == flag or a.startswith(flag + "=") for a in given):
            setattr(args, option, outputs[output])


def _retry_hint(exc: ApiError) -> str:
    if exc.retry_after is None:
        return ""
    at = datetime.fromtimestamp(time.time() + exc.retry_after, tz=UTC).strftime("%H:%M:%S UTC")
    return f" (try again in {exc.retry_after} s, after {at})"


def _run(args: argparse.Namespace, operator: Operator, out: TextIO, err: TextIO, ask: Callable[[str], str]) -> int:
    if args.command == "list":
        after = decode_cursor(args.cursor) if args.cursor else None
        users, last = operator.store.users_page(args.limit, after, args.status, args.created_from, args.created_to)
        cursor = encode_cursor(last) if last else None
        if args.json:
            out.write(
                json.dumps({"users": [_summary(u) for u in users], "cursor": cursor}, indent=2, ensure_ascii=False)
                + "\n"
            )
        else:
            _table([_summary(u) for u in users], out)
            if cursor:
                err.write(f"more: --cursor {cursor}\n")
        return OK
    if args.command == "import":
        form = args.format or ("csv" if args.file.suffix.lower() == ".csv" else "json")
        try:
            text = args.file.read_text(encoding="utf-8")
        except OSError as exc:
            raise Refused(f"cannot read {args.file}: {exc}") from None
        created, skipped = operator.import_users(parse_import(text, form), args.reason)
        if args.json:
            out.write(
                json.dumps(
                    {"imported": [_summary(u) for u in created], "skipped": skipped}, indent=2, ensure_ascii=False
                )
                + "\n"
            )
        else:
            for user in created:
                out.write(f"imported {user.sub} {user.status}\n")
            for address in skipped:
                out.write(f"skipped (address or sub taken) {address}\n")
        err.write(f"{len(created)} imported, {len(skipped)} skipped\n")
        return OK

    user = operator.find(args.email, args.sub)
    if args.command == "find":
        if args.json:
            out.write(json.dumps(_summary(user), indent=2, ensure_ascii=False) + "\n")
        else:
            _table([_summary(user)], out)
        return OK
    if args.command == "passkeys":
        return _passkeys(args, operator, user, out, err, ask)
    if args.command in DESTRUCTIVE and not args.yes:
        try:
            answer = ask(f"{args.command} account {user.sub} ({user.email})? Type yes to go on: ")
        except (EOFError, KeyboardInterrupt):
            err.write("\nnot confirmed (no answer): nothing done; --yes confirms without asking\n")
            return REFUSED
        if answer.strip().lower() not in ("y", "yes"):
            err.write("not confirmed: nothing done\n")
            return REFUSED
    if args.command == "export":
        document = json.dumps(operator.export(user, args.reason), indent=2, ensure_ascii=False) + "\n"
        if args.output:
            Path(args.output).write_text(document, encoding="utf-8")
        else:
            out.write(document)
        return OK
    action = {
        "disable": operator.disable,
        "enable": operator.enable,
        "sign-out": operator.sign_out,
        "require-reset": operator.require_reset,
        "resend-code": operator.resend_code,
        "delete": operator.delete,
        "mfa-reset": operator.mfa_reset,
    }[args.command]
    try:
        action(user, args.reason)
    except Conflict:
        raise Refused("the account changed meanwhile: look again and retry") from None
    if args.json:
        out.write(json.dumps({"action": args.command, "sub": user.sub, "done": True}) + "\n")
    else:
        out.write(f"{args.command}: done for {user.sub}\n")
    return OK


def _passkeys(
    args: argparse.Namespace, operator: Operator, user: User, out: TextIO, err: TextIO, ask: Callable[[str], str]
) -> int:
    if args.action == "list":
        listed = operator.passkeys(user, args.reason)
        if args.json:
            out.write(json.dumps({"sub": user.sub, "passkeys": listed}, indent=2, ensure_ascii=False) + "\n")
        elif listed:
            _table(listed, out)
        else:
            out.write("(no passkeys)\n")
        return OK
    if not args.id:
        raise Refused("passkeys remove needs --id (see passkeys list)")
    if not args.yes:
        answer = ask(f"remove passkey {args.id} of account {user.sub} ({user.email})? Type yes to go on: ")
        if answer.strip().lower() not in ("y", "yes"):
            err.write("not confirmed: nothing done\n")
            return REFUSED
    operator.remove_passkey(user, args.id, args.reason)
    if args.json:
        out.write(json.dumps({"action": "passkeys remove", "sub": user.sub, "id": args.id, "done": True}) + "\n")
    else:
        out.write(f"passkeys remove: done for {user.sub}\n")
    return OK


if __name__ == "__main__":
    sys.exit(main())
