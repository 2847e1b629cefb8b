"""The single table's keys: every prefix written once (portal/tables.py holds the key attributes).

Items (pk / sk):
  EMAIL#<username> / USER                   the account (gsi1: SUB#<sub> / USER)
  EMAIL#<username> / CODE#<purpose>         the live one-time code of that purpose (hash only, TTL)
  EMAIL#<username> / CODE#CHANGE_EMAIL#<sub>  the code of an account moving to this address
  EMAIL#<username> / SENDS                  the address's sends of the last hour (TTL)
  EMAIL#<username> / LOGINS                 the address's failed sign-ins (backoff, hourly cap; TTL)
  EMAIL#<username> / SUPPRESSED             a permanent bounce or complaint (record only, see accounts.py)
  EMAIL#<username> / DEVICE#<key>           a device that signed in: lastSeenAt, notifiedAt (TTL 90 days)
  KEYS#ACCESS_TOKENS / PUBLIC               the public access-token keys (dynamo/signing_keys.py)
  SESSION#<id> / SESSION                    one sign-in's session (gsi1: SUB#<sub> / SESSION#<id>, TTL)
  SESSION#<id> / REFRESH#<sha256>           each refresh token the session was given, used or not (TTL)
  VIDEO#<id> / VIDEO                        a catalogue record (gsi1: CATALOG / <publishedAt>#<id>)
  SUB#<sub> / DOWNLOADS#<yyyy-mm-dd>        downloads issued to an account that UTC day (TTL)
  SUB#<sub> / DOWNLOAD#<iso>#<id>           one issued download, for the account's history (TTL 1 year)
  PASSKEY#<credential id> / PASSKEY         a passkey (gsi1: SUB#<sub> / PASSKEY#<credential id>)
  CHALLENGE#<key> / CHALLENGE               a single-use WebAuthn challenge (TTL, checked in code too)
Everything keyed by an address sits under one partition, so one strongly consistent Query reads
all a sign-up or a verification needs.
"""

from __future__ import annotations

from typing import Any

from portal import tables
from portal.dynamo.codec import to_item

USER_SK = "USER"
SENDS_SK = "SENDS"
LOGINS_SK = "LOGINS"
SUPPRESSED_SK = "SUPPRESSED"
CODE_SK_PREFIX = "CODE#"
SESSION_SK = "SESSION"
SESSION_PREFIX = "SESSION#"
REFRESH_SK_PREFIX = "REFRESH#"
DEVICE_SK_PREFIX = "DEVICE#"
PUBLIC_KEYS_PK = "KEYS#ACCESS_TOKENS"
PUBLIC_KEYS_SK = "PUBLIC"
VIDEO_SK = "VIDEO"
CATALOG_PARTITION = "CATALOG"
DOWNLOADS_SK_PREFIX = "DOWNLOADS#"
HISTORY_SK_PREFIX = "DOWNLOAD#"
PASSKEY_PREFIX = "PASSKEY#"
PASSKEY_SK = "PASSKEY"
CHALLENGE_SK = "CHALLENGE"


def address_pk(username: str) -> str:
    return f"EMAIL#{username}"


def session_pk(session_id: str) -> str:
    return SESSION_PREFIX + session_id


def sub_pk(sub: str) -> str:
    """The account's own partition (download counters and history) and its GSI1 partition."""
    return f"SUB#{sub}"


def passkey_pk(credential_id: str) -> str:
    return PASSKEY_PREFIX + credential_id


def challenge_pk(challenge_key: str) -> str:
    return f"CHALLENGE#{challenge_key}"


def video_pk(video_id: str) -> str:
    return f"VIDEO#{video_id}"


def code_sk(purpose: str, owner: str | None = None) -> str:
    """CODE#<purpose>, or CODE#CHANGE_EMAIL#<sub> for the code of an account moving here."""
    return CODE_SK_PREFIX + purpose + (f"#{owner}" if owner else "")


def key(pk: str, sk: str) -> dict[str, Any]:
    return to_item({tables.PARTITION_KEY: pk, tables.SORT_KEY: sk})


def account_key(username: str) -> dict[str, Any]:
    return key(address_pk(username), USER_SK)
