"""Passkeys (WebAuthn discoverable credentials): add, list, rename and remove one's own, and sign
in with one, no password and no address typed.

The WebAuthn checks (client data type, challenge, origin, RP ID hash, user presence, signature;
attestation "none") are python-fido2's `Fido2Server` (docs/decisions/0012-passkeys.md); the sign count
is compared here, as fido2 leaves it to the server. This module decides what to ask for, what to
keep and who may act. fido2 is imported inside the methods and by `preload()`, which only the
passkey functions call, so no other function loads it. Every refusal of a sign-in is the same 401 NotAuthorized,
so a caller learns nothing about which check failed; the audit line says which.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from portal import emails
from portal.audit import audit
from portal.code_steps import CodeSteps
from portal.errors import NotAuthorized, NotFound, PasswordResetRequired, UserNotConfirmed
from portal.keys import Keyring
from portal.passkey_records import CHALLENGE_SECONDS, Challenge, Passkey, PasskeyStore, PasskeyUse
from portal.password_check import PasswordCheck
from portal.passwords import PasswordHasher
from portal.passwords import normalize as normalize_password
from portal.ports import AccountStore, Clock, Mailer
from portal.principal import SESSION_ENDED, Principal, active_account, active_state
from portal.records import AddressState, Conflict
from portal.users import Status, User, iso

if TYPE_CHECKING:
    from portal.signin import TokenPair

PASSKEY_REFUSED = "This passkey could not be used to sign in."
PASSKEY_NOT_ADDED = "This passkey could not be added. Please try again."
PASSWORD_AGAIN = "Please enter your password again to add a passkey."
# Adding a passkey needs a sign-in this recent, or the password again.
RECENT_SIGN_IN_SECONDS = 600
DEFAULT_NAME = "Passkey"


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origins: tuple[str, ...]
    name: str = "NATO Multimedia"


class SessionOpener(Protocol):
    """What signing in with a passkey needs from sign-in (signin.SignIn.open_session)."""

    def open_session(
        self,
        user: User,
        logins: None = None,
        method: str = ...,
        user_agent: str = ...,
        ip: str = ...,
        seen_devices: dict[str, int] | None = ...,
        passkey_use: PasskeyUse | None = ...,
    ) -> TokenPair: ...


class PasskeyAccounts(AccountStore, PasskeyStore, Protocol):
    def username_of_sub(self, sub: str) -> str | None: ...


def preload() -> None:
    """For the passkey functions: fido2 (and the cryptography it verifies with) at init, so that a
    SnapStart snapshot holds them and the first request does not pay for them. No other function
    calls this, so no other function loads them (tests/unit/test_passkey_loading.py)."""
    import fido2.server  # noqa: F401

    _type_hints_once()


def _type_hints_once() -> None:
    """fido2 parses every field of its WebAuthn dataclasses (options, credentials, responses) in
    `__post_init__` with `typing.get_type_hints(type(self))`, which evaluates the class's string
    annotations again on each object: most of a passkey options request's warm time (bench warm
    section: sign-in options 14.6 ms before, 0.7 ms after). A class's hints do not change once it
    exists, so fido2.utils gets the same function with a per-class cache."""
    import functools
    import typing

    import fido2.utils

    namespace = vars(fido2.utils)  # the module's globals, where its functions look the name up
    if not isinstance(namespace["get_type_hints"], functools._lru_cache_wrapper):
        namespace["get_type_hints"] = functools.cache(typing.get_type_hints)


def _server(rp: RelyingParty) -> Any:
    """A Fido2Server for the stage's relying party: exact origins, ES256, EdDSA and RS256 (Windows
    Hello), attestation "none" (we keep no device make or model)."""
    from fido2.cose import ES256, RS256, EdDSA
    from fido2.server import Fido2Server
    from fido2.webauthn import (
        AttestationConveyancePreference,
        PublicKeyCredentialParameters,
        PublicKeyCredentialRpEntity,
        PublicKeyCredentialType,
    )

    server = Fido2Server(
        PublicKeyCredentialRpEntity(id=rp.id, name=rp.name),
        attestation=AttestationConveyancePreference.NONE,
        verify_origin=lambda origin: origin in rp.origins,
    )
    server.timeout = CHALLENGE_SECONDS * 1000  # type: ignore[assignment]  # fido2 declares it None, reads an int
    server.allowed_algorithms = [
        PublicKeyCredentialParameters(type=PublicKeyCredentialType.PUBLIC_KEY, alg=alg.ALGORITHM)
        for alg in (ES256, EdDSA, RS256)
    ]
    return server


def _refused(exc: Exception) -> bool:
    """What fido2 raises on a response that does not verify, or that is not one at all."""
    return isinstance(exc, (ValueError, TypeError, KeyError, IndexError))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def user_handle(user: User) -> bytes:
    """The account's WebAuthn user id: its sub, which is random and never the address."""
    return user.sub.encode()


class Passkeys:
    def __init__(
        self,
        store: PasskeyAccounts,
        mailer: Callable[[], Mailer],
        keyring: Callable[[], Keyring],
        hasher: Callable[[], PasswordHasher],
        relying_party: Callable[[], RelyingParty],
        sessions: Callable[[], SessionOpener],
        clock: Clock = time.time,
    ) -> None:
        self._store = store
        self._relying_party = relying_party
        self._sessions = sessions
        self._clock = clock
        self._codes = CodeSteps(store, mailer, keyring, clock)
        self._passwords = PasswordCheck(store, hasher, clock)

    # -- adding one -----------------------------------------------------------------------------

    def registration_options(self, principal: Principal, password: str | None) -> dict[str, Any]:
        """PublicKeyCredentialCreationOptionsJSON with a fresh challenge bound to this session."""
        from fido2.webauthn import (
            PublicKeyCredentialDescriptor,
            PublicKeyCredentialType,
            PublicKeyCredentialUserEntity,
            ResidentKeyRequirement,
            UserVerificationRequirement,
        )

        state = active_state(self._store, principal)
        user = state.user
        assert user is not None
        now = int(self._clock())
        session = self._store.load_session(principal.session_id)
        if session is None or not session.usable(now):
            raise NotAuthorized(SESSION_ENDED)
        if now - session.created_at >= RECENT_SIGN_IN_SECONDS:
            if password is None:
                raise NotAuthorized(PASSWORD_AGAIN, passwordRequired=True)
            self._passwords.uncount(
                self._passwords.check_current(user, state.logins, normalize_password(password), "add_passkey")
            )
        options, state = _server(self._relying_party()).register_begin(
            PublicKeyCredentialUserEntity(id=user_handle(user), name=user.email, display_name=user.email),
            [
                PublicKeyCredentialDescriptor(type=PublicKeyCredentialType.PUBLIC_KEY, id=_unb64url(p.credential_id))
                for p in self._store.passkeys_of(user.sub)
            ],
            resident_key_requirement=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        )
        self._store.save_challenge(
            Challenge(
                key=_registration_key(principal.session_id),
                challenge=_unb64url(state["challenge"]),
                purpose="register",
                expires_at=now + CHALLENGE_SECONDS,
                sub=user.sub,
                session_id=principal.session_id,
            )
        )
        return dict(options.public_key)

    def add(self, principal: Principal, credential: dict[str, Any], name: str | None) -> Passkey:
        """Verify the browser's RegistrationResponseJSON against this session's challenge and keep the
        credential. Any failure: 401 NotAuthorized (PASSKEY_NOT_ADDED), nothing written."""
        user = active_account(self._store, principal)
        now = int(self._clock())
        challenge = self._store.take_challenge(_registration_key(principal.session_id))
        reason = _challenge_problem(challenge, "register", now)
        if (
            reason is None
            and challenge is not None
            and (challenge.sub, challenge.session_id)
            != (
                user.sub,
                principal.session_id,
            )
        ):
            reason = "challenge_of_another_session"
        if reason is not None or challenge is None:
            audit("passkey_add_refused", address=user.username, sub=user.sub, reason=reason)
            raise NotAuthorized(PASSKEY_NOT_ADDED)
        try:
            auth_data = _server(self._relying_party()).register_complete(_state(challenge), credential)
        except Exception as exc:
            if not _refused(exc):
                raise
            audit("passkey_add_refused", address=user.username, sub=user.sub, reason="verification", detail=str(exc))
            raise NotAuthorized(PASSKEY_NOT_ADDED) from None
        attested = auth_data.credential_data
        passkey = Passkey(
            credential_id=b64url(attested.credential_id),
            sub=user.sub,
            user_handle=b64url(user_handle(user)),
            credential_data=bytes(attested),
            sign_count=auth_data.counter,
            name=(name or "").strip() or DEFAULT_NAME,
            created_at=iso(now),
            backed_up=auth_data.is_backed_up(),
        )
        try:
            self._store.add_passkey(passkey)
        except Conflict:
            # The credential id is registered already (to this account or another): never replaced.
            audit("passkey_add_refused", address=user.username, sub=user.sub, reason="credential_exists")
            raise NotAuthorized(PASSKEY_NOT_ADDED) from None
        audit("passkey_added", address=user.username, sub=user.sub, credentialId=passkey.credential_id)
        self._codes.notify(emails.render("passkey_added", user.language, user.email), user.username, user.sub)
        return passkey

    # -- managing them --------------------------------------------------------------------------

    def list(self, principal: Principal) -> list[Passkey]:
        user = active_account(self._store, principal)
        return self._store.passkeys_of(user.sub)

    def rename(self, principal: Principal, credential_id: str, name: str) -> Passkey:
        user = active_account(self._store, principal)
        try:
            renamed = self._store.rename_passkey(user.sub, credential_id, name.strip())
        except Conflict:
            raise NotFound("No such passkey.") from None
        audit("passkey_renamed", address=user.username, sub=user.sub, credentialId=credential_id)
        return renamed

    def remove(self, principal: Principal, credential_id: str) -> None:
        user = active_account(self._store, principal)
        self.remove_of(user, credential_id, by="owner")

    def remove_of(self, user: User, credential_id: str, by: str, reason: str | None = None) -> None:
        """Remove one passkey of the account and tell its owner (the person, or support)."""
        try:
            self._store.remove_passkey(user.sub, credential_id)
        except Conflict:
            raise NotFound("No such passkey.") from None
        audit("passkey_removed", address=user.username, sub=user.sub, credentialId=credential_id, by=by, reason=reason)
        self._codes.notify(emails.render("passkey_removed", user.language, user.email), user.username, user.sub)

    # -- signing in with one --------------------------------------------------------------------

    def sign_in_options(self) -> tuple[str, dict[str, Any]]:
        """An opaque session for the client and PublicKeyCredentialRequestOptionsJSON without
        allowCredentials: the browser offers the person's passkeys for this relying party."""
        from fido2.webauthn import UserVerificationRequirement

        options, state = _server(self._relying_party()).authenticate_begin(
            user_verification=UserVerificationRequirement.PREFERRED
        )
        session = secrets.token_urlsafe(32)
        now = int(self._clock())
        self._store.save_challenge(
            Challenge(
                key=_sign_in_key(session),
                challenge=_unb64url(state["challenge"]),
                purpose="sign_in",
                expires_at=now + CHALLENGE_SECONDS,
            )
        )
        return session, dict(options.public_key)

    def sign_in(self, session: str, credential: dict[str, Any], user_agent: str = "", ip: str = "") -> TokenPair:
        """Tokens for the passkey's account. The session records the device and address it came from,
        as a password sign-in's does, and a device new to the account gets the same notice."""
        from fido2.webauthn import AttestedCredentialData, AuthenticationResponse

        now = int(self._clock())
        challenge = self._store.take_challenge(_sign_in_key(session))
        credential_id = credential.get("id")
        reason = _challenge_problem(challenge, "sign_in", now)
        passkey = None
        if reason is None:
            passkey = (
                self._store.load_passkey(credential_id) if isinstance(credential_id, str) and credential_id else None
            )
            if passkey is None:
                reason = "unknown_credential"
        if reason is not None or passkey is None or challenge is None:
            audit("passkey_sign_in_refused", reason=reason)
            raise NotAuthorized(PASSKEY_REFUSED)
        try:
            response = AuthenticationResponse.from_dict(credential)
            if response.response.user_handle not in (None, _unb64url(passkey.user_handle)):
                raise ValueError("The user handle is not the credential's account.")
            _server(self._relying_party()).authenticate_complete(
                _state(challenge), [AttestedCredentialData(passkey.credential_data)], response
            )
            auth_data = response.response.authenticator_data
            if (auth_data.counter or passkey.sign_count) and auth_data.counter <= passkey.sign_count:
                # A device that counts went backwards (or stood still): a clone of it may exist.
                raise ValueError("The sign count did not increase.")
        except Exception as exc:
            if not _refused(exc):
                raise
            audit(
                "passkey_sign_in_refused",
                sub=passkey.sub,
                credentialId=passkey.credential_id,
                reason="verification",
                detail=str(exc),
            )
            raise NotAuthorized(PASSKEY_REFUSED) from None
        user, seen_devices = self._account(passkey)
        if user.mfa.on and not auth_data.is_user_verified():
            # A passkey counts as both steps only when the device verified its owner (PIN,
            # fingerprint, face); without that it is one factor, and this account asked for two.
            audit("passkey_sign_in_refused", address=user.username, sub=user.sub, reason="two_step_needs_verification")
            raise NotAuthorized(PASSKEY_REFUSED)
        use = PasskeyUse(passkey, auth_data.counter, iso(now), auth_data.is_backed_up())
        try:
            # The sign count rides in the session's transaction: one call, and no session without it.
            pair = self._sessions().open_session(
                user, method="passkey", user_agent=user_agent, ip=ip, seen_devices=seen_devices, passkey_use=use
            )
        except Conflict:
            # Another sign-in with this passkey was recorded since we read it (or it was removed).
            audit("passkey_sign_in_refused", sub=passkey.sub, credentialId=passkey.credential_id, reason="raced")
            raise NotAuthorized(PASSKEY_REFUSED) from None
        audit(
            "passkey_sign_in",
            address=user.username,
            sub=user.sub,
            credentialId=passkey.credential_id,
            userVerified=auth_data.is_user_verified(),
        )
        return pair

    def _account(self, passkey: Passkey) -> tuple[User, dict[str, int]]:
        """The passkey's account and the devices seen on it, under the same rules as a password
        sign-in: disabled or gone 401, unconfirmed 403 UserNotConfirmed, must reset 403
        PasswordResetRequired."""
        username = self._store.username_of_sub(passkey.sub)
        state = self._store.load_address(username) if username is not None else AddressState()
        user = state.user
        if user is None or user.sub != passkey.sub or not user.enabled:
            reason = "no_account" if user is None or user.sub != passkey.sub else "disabled"
            audit("passkey_sign_in_refused", sub=passkey.sub, credentialId=passkey.credential_id, reason=reason)
            raise NotAuthorized(PASSKEY_REFUSED)
        if user.status == Status.UNCONFIRMED:
            audit("passkey_sign_in_refused", address=user.username, sub=user.sub, reason="unconfirmed")
            raise UserNotConfirmed()
        if user.status == Status.RESET_REQUIRED:
            audit("passkey_sign_in_refused", address=user.username, sub=user.sub, reason="reset_required")
            raise PasswordResetRequired()
        return user, state.devices


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _state(challenge: Challenge) -> dict[str, Any]:
    """The state fido2 verifies a response against, from the challenge we stored."""
    from fido2.webauthn import UserVerificationRequirement

    return {"challenge": b64url(challenge.challenge), "user_verification": UserVerificationRequirement.PREFERRED}


def _registration_key(session_id: str) -> str:
    return f"REGISTER#{session_id}"


def _sign_in_key(session: str) -> str:
    return f"SIGNIN#{session}"


def _challenge_problem(challenge: Challenge | None, purpose: str, now: int) -> str | None:
    if challenge is None:
        return "no_challenge"  # never issued, or already used
    if challenge.purpose != purpose:
        return "wrong_purpose"
    if not challenge.live(now):
        return "challenge_expired"
    return None
