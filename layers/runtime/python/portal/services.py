"""The composition root: settings, AWS clients and the use cases, each built once per process on
first use.

A function builds only what its route uses (the register function never creates an S3 client).
Clients honour AWS_ENDPOINT_URL, which is how the local runner points them at its emulation.
Tests replace services by building them from their own parts instead of calling these.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from portal.settings import Settings

if TYPE_CHECKING:
    from portal.account import Account
    from portal.account_sessions import AccountSessions
    from portal.catalog import Catalog
    from portal.challenges import Challenges
    from portal.downloads import DownloadHistory, Downloads
    from portal.dynamo.accounts import DynamoAccounts
    from portal.dynamo.downloads import DynamoDownloadHistory
    from portal.dynamo.mfa import DynamoMfa
    from portal.email_change import EmailChange
    from portal.keys import Keyring
    from portal.mailer import SesMailer
    from portal.media import S3Media
    from portal.newsletter import Newsletter, UnsubscribeLinks
    from portal.passkeys import Passkeys, RelyingParty
    from portal.passwords import PasswordHasher
    from portal.recovery import Recovery
    from portal.signin import SignIn, TokenSettings
    from portal.signing_keys import PrivateKeySet, TokenKeys
    from portal.signup import Signup
    from portal.two_step import TwoStep


@cache
def settings() -> Settings:
    return Settings.from_env()


_SESSION: list[Any] = []


def aws_session() -> Any:
    """One botocore session per process, as boto3's default session was: its loaded service models
    are shared by the clients, and it outlives the caches below (tests clear those to start cold).
    Clients come from botocore, not boto3: `import boto3` also loads s3transfer and urllib3 (its
    S3 transfer manager), which no function here uses (docs/decisions/0013-cold-start-floor.md)."""
    if not _SESSION:
        from botocore.session import get_session

        _SESSION.append(get_session())
    return _SESSION[0]


@cache
def client(service: str) -> Any:
    from botocore.config import Config

    # Fail fast and answer 503 rather than let API Gateway's 29 s limit answer for us.
    # No client-side parameter validation: our requests are built by code, AWS validates them
    # anyway, and botocore's walk of every item's attributes cost about half of a warm request
    # (bench/: warm overhead, measured before and after in docs/performance.md).
    config = Config(
        parameter_validation=False,
        connect_timeout=2,
        read_timeout=5,
        retries={"mode": "standard", "max_attempts": 3},
        tcp_keepalive=True,
    )
    return aws_session().create_client(service, config=config)


def cors_origins() -> tuple[str, ...]:
    return settings().cors_origins


@cache
def store() -> DynamoAccounts:
    from portal.dynamo.accounts import DynamoAccounts

    return DynamoAccounts(client("dynamodb"), settings().table_name)


@cache
def mailer() -> SesMailer:
    from portal.mailer import SesMailer

    return SesMailer(client("sesv2"), settings().mail_sender, settings().mail_configuration_set)


def preload_mail() -> None:
    """For the functions that send mail: the SES client and the mailer at init (into a SnapStart
    snapshot) rather than on the first send. The floor these functions are measured against
    (bench/cold_start.py) includes the SES client already."""
    mailer()


def preload_hashing() -> None:
    """For the functions that hash or check a password: argon2 loaded at init (into a SnapStart
    snapshot) rather than on the first request."""
    password_hasher()


def keyring() -> Keyring:
    """The keys, from Secrets Manager (cached). Services get this function, not its result: the
    Secrets Manager client and Powertools Parameters are built on the first use of a key, so
    routes that never sign or hash a code (account, videos) never build them."""
    return _keyring_loader()()


def preload_keys() -> None:
    """For the functions whose requests read the keys: the Secrets Manager client at init (and so
    into a SnapStart snapshot). The secret itself is fetched on the first request, never at init."""
    _keyring_loader()


@cache
def _keyring_loader() -> Callable[[], Keyring]:
    from portal.keys import secrets_manager_keyring

    return secrets_manager_keyring(client("secretsmanager"), settings().keys_secret_id, settings().keys_cache_seconds)


@cache
def token_keys() -> TokenKeys:
    """Access-token keys: the private set (Secrets Manager, signing functions only) and the public
    set (the table), each cached `keys_cache_seconds` and loaded on its first use only."""
    from portal.dynamo.signing_keys import DynamoPublicKeys, cached
    from portal.signing_keys import TokenKeys

    s = settings()
    return TokenKeys(
        private=lambda: _signing_keys_loader()(),
        public=cached(lambda: DynamoPublicKeys(client("dynamodb"), s.table_name).read(), s.keys_cache_seconds),
    )


def preload_signing_keys() -> None:
    """For the functions that sign access tokens: the Secrets Manager client at init (see preload_keys)."""
    _signing_keys_loader()


@cache
def _signing_keys_loader() -> Callable[[], PrivateKeySet]:
    from portal.signing_keys import secrets_manager_signing_keys

    s = settings()
    return secrets_manager_signing_keys(client("secretsmanager"), s.signing_keys_secret_id, s.keys_cache_seconds)


@cache
def password_hasher() -> PasswordHasher:
    from portal.passwords import PasswordHasher

    s = settings()
    return PasswordHasher(s.argon2_memory_kib, s.argon2_time_cost, s.argon2_parallelism)


@cache
def signup() -> Signup:
    from portal.signup import Signup

    return Signup(store(), mailer, keyring, password_hasher)


def token_settings() -> TokenSettings:
    from portal.signin import TokenSettings

    s = settings()
    return TokenSettings(s.token_issuer, s.access_token_seconds, s.refresh_token_seconds, s.session_seconds)


@cache
def sign_in() -> SignIn:
    from portal.signin import SignIn

    return SignIn(
        store(),
        keyring,
        password_hasher,
        token_settings,
        challenges=challenges,
        token_keys=token_keys(),
        mailer=mailer,
    )


@cache
def account_sessions() -> AccountSessions:
    from portal.account_sessions import AccountSessions

    return AccountSessions(store(), store())


@cache
def mfa_store() -> DynamoMfa:
    from portal.dynamo.mfa import DynamoMfa

    return DynamoMfa(client("dynamodb"), settings().table_name)


def challenges() -> Challenges:
    """Two-step sign-in's first half, for the login function (no pyotp, no cipher)."""
    from portal.challenges import Challenges

    return Challenges(mfa_store())


@cache
def two_step() -> TwoStep:
    from portal.two_step import TwoStep

    return TwoStep(store(), mailer, keyring, password_hasher, sign_in(), mfa_store())


@cache
def account() -> Account:
    from portal.account import Account

    return Account(store(), mailer, keyring, password_hasher, erase_downloads=erase_downloads)


def erase_downloads(sub: str) -> int:
    """The account's download records, deleted with it. Imported on use: only deletion needs it."""
    from portal.dynamo.downloads import DynamoDownloadHistory

    return DynamoDownloadHistory(client("dynamodb"), settings().table_name).erase(sub)


@cache
def email_change() -> EmailChange:
    from portal.email_change import EmailChange

    return EmailChange(store(), mailer, keyring, password_hasher)


@cache
def recovery() -> Recovery:
    from portal.recovery import Recovery

    return Recovery(store(), mailer, keyring, password_hasher)


@cache
def media_client() -> Any:
    """The S3 client that presigns downloads: SigV4 (boto3 would sign SigV2) on the regional endpoint.

    With AWS_ENDPOINT_URL(_S3) set (the local runner), URLs point there, path-style, so that
    `curl` on the link reaches the emulation; otherwise virtual-hosted on s3.<region>.amazonaws.com.
    """
    from botocore.config import Config

    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1"
    custom = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path" if custom else "virtual"},
        connect_timeout=2,
        read_timeout=5,
        retries={"mode": "standard", "max_attempts": 3},
    )
    return aws_session().create_client(
        "s3", region_name=region, endpoint_url=custom or f"https://s3.{region}.amazonaws.com", config=config
    )


@cache
def media() -> S3Media:
    from portal.media import S3Media

    bucket = settings().media_bucket
    if not bucket:
        raise RuntimeError("PORTAL_MEDIA_BUCKET is not set: the download function cannot sign links")
    return S3Media(media_client(), bucket)


@cache
def catalog() -> Catalog:
    from portal.catalog import Catalog
    from portal.dynamo.catalog import DynamoCatalog

    return Catalog(DynamoCatalog(client("dynamodb"), settings().table_name))


@cache
def downloads() -> Downloads:
    from portal.downloads import Downloads
    from portal.dynamo.downloads import DynamoDownloadCounter

    s = settings()
    return Downloads(
        store(),
        catalog(),
        DynamoDownloadCounter(client("dynamodb"), s.table_name),
        media,
        s.download_quota_per_day,
        s.download_url_seconds,
    )


@cache
def history_store() -> DynamoDownloadHistory:
    from portal.dynamo.downloads import DynamoDownloadHistory

    return DynamoDownloadHistory(client("dynamodb"), settings().table_name)


@cache
def download_history() -> DownloadHistory:
    from portal.downloads import DownloadHistory

    return DownloadHistory(store(), history_store())


@cache
def newsletter() -> Newsletter:
    from portal.dynamo.newsletter import DynamoSubscriptions
    from portal.newsletter import Newsletter

    return Newsletter(
        store(),
        DynamoSubscriptions(client("dynamodb"), settings().table_name),
        mailer,
        keyring,
        settings().public_api_url,
    )


@cache
def unsubscribe_links() -> UnsubscribeLinks:
    from portal.newsletter import UnsubscribeLinks

    return UnsubscribeLinks(keyring, settings().public_api_url)


def relying_party() -> RelyingParty:
    from portal.passkeys import RelyingParty

    s = settings()
    return RelyingParty(s.passkey_rp_id, s.passkey_origins)


@cache
def passkeys() -> Passkeys:
    """Only the passkey functions build this (and so load py_webauthn, on first use)."""
    from portal.dynamo.passkeys import DynamoPasskeyAccounts
    from portal.passkeys import Passkeys

    store = DynamoPasskeyAccounts(client("dynamodb"), settings().table_name)
    return Passkeys(store, mailer, keyring, password_hasher, relying_party, sign_in)
