"""Refresh decisions with a fake store: the races moto cannot be made to hit on purpose."""

from __future__ import annotations

import pytest

from portal import tokens
from portal.errors import NotAuthorized
from portal.keys import Keyring
from portal.records import Conflict
from portal.sessions import RefreshRecord, Session
from portal.signin import SignIn, TokenSettings
from portal.signing_keys import PrivateKeySet, TokenKeys, new_key
from portal.users import Status, User

NOW = 1_750_000_000
KEYRING = Keyring({"kid": "k1", "secret": "s" * 64})
SIGNING_KEYS = PrivateKeySet([new_key(0)])


class FakeStore:
    def __init__(self, session: Session, record: RefreshRecord, user: User, rotate_conflict: bool = False) -> None:
        self.session, self.record, self.user = session, record, user
        self.rotate_conflict = rotate_conflict
        self.revoked: list[str] = []
        self.rotated: list[RefreshRecord] = []

    def load_refresh(self, session_id: str, digest: str):
        if session_id != self.session.session_id or digest != self.record.digest:
            return self.session, None
        return self.session, self.record

    def rotate_refresh(self, session: Session, used: RefreshRecord, new: RefreshRecord) -> None:
        # As store.rotate_refresh's transaction: the account at the session's address is checked
        # (sub, enabled, epoch) in the same write, and a failed check names its part.
        if self.rotate_conflict:
            raise Conflict()
        user = self.user if self.user.username == session.username else None
        if user is None or user.sub != session.sub or not user.enabled or user.session_epoch > session.epoch:
            raise Conflict(frozenset({"account"}))
        self.rotated.append(new)

    def revoke_session(self, session_id: str) -> None:
        self.revoked.append(session_id)


def setup(**changes):
    sid = tokens.new_session_id()
    token, digest = tokens.new_refresh(sid)
    user = User(
        "sub-1", "ann@example.org", "ann@example.org", Status.CONFIRMED, "hash", "en", "t", "t", session_epoch=2
    )
    session = Session(sid, "sub-1", "ann@example.org", True, epoch=2, created_at=NOW - 10, expires_at=NOW + 1000)
    record = RefreshRecord(digest, NOW - 10, NOW + 1000)
    store = FakeStore(session, record, user)
    for name, value in changes.items():
        setattr(store, name, value)
    auth = SignIn(
        store,
        keyring=lambda: KEYRING,
        hasher=lambda: None,
        settings=TokenSettings,
        clock=lambda: NOW,
        token_keys=TokenKeys(private=lambda: SIGNING_KEYS, public=SIGNING_KEYS.public),
    )  # type: ignore[arg-type]
    return auth, store, token


def test_a_good_refresh_rotates_and_returns_a_verifiable_pair():
    auth, store, token = setup()
    pair = auth.refresh(token)
    assert pair.refresh_token != token and len(store.rotated) == 1 and store.revoked == []
    assert tokens.refresh_hash(pair.refresh_token) == store.rotated[0].digest
    claims = tokens.verify_access(pair.access_token, SIGNING_KEYS.public(), "portal", NOW)
    assert claims.session_id == store.session.session_id and claims.sub == "sub-1"


def test_losing_the_rotation_race_is_reuse_and_revokes_the_session():
    auth, store, token = setup(rotate_conflict=True)
    with pytest.raises(NotAuthorized):
        auth.refresh(token)
    assert store.revoked == [store.session.session_id]


def test_a_used_token_revokes_without_trying_to_rotate():
    auth, store, token = setup()
    store.record = RefreshRecord(store.record.digest, NOW - 10, NOW + 1000, used=True)
    with pytest.raises(NotAuthorized):
        auth.refresh(token)
    assert store.revoked == [store.session.session_id] and store.rotated == []


@pytest.mark.parametrize(
    "case",
    ["expired_token", "expired_session", "revoked", "older_epoch", "other_sub", "disabled", "no_user"],
)
def test_refresh_is_refused_when_the_session_or_account_says_so(case):
    auth, store, token = setup()
    s, r, u = store.session, store.record, store.user
    if case == "expired_token":
        store.record = RefreshRecord(r.digest, r.created_at, NOW)
    elif case == "expired_session":
        store.session = Session(s.session_id, s.sub, s.username, True, s.epoch, s.created_at, NOW)
    elif case == "revoked":
        store.session = Session(
            s.session_id, s.sub, s.username, True, s.epoch, s.created_at, s.expires_at, revoked=True
        )
    elif case == "older_epoch":
        store.session = Session(s.session_id, s.sub, s.username, True, 1, s.created_at, s.expires_at)
    elif case == "other_sub":
        store.user = User("sub-2", u.username, u.email, u.status, "h", "en", "t", "t", session_epoch=2)
    elif case == "disabled":
        store.user = User(u.sub, u.username, u.email, u.status, "h", "en", "t", "t", enabled=False, session_epoch=2)
    elif case == "no_user":
        store.user = User(u.sub, "someone@else.org", u.email, u.status, "h", "en", "t", "t")
    with pytest.raises(NotAuthorized):
        auth.refresh(token)
    assert store.rotated == []
    if case in ("older_epoch", "other_sub", "disabled", "no_user"):
        # Decided by the rotation's own account check (no read of the account before it).
        assert store.revoked == [store.session.session_id]
