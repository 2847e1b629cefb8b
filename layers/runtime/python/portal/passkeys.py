"""Passkeys (WebAuthn discoverable credentials): add, list, rename and remove one's own, and sign
in with one, no password and no address typed.

The WebAuthn checks (client data type, challenge, origin, RP ID hash, flags, signature, attestation
"none", sign count) are py_webauthn's (docs/decisions/passkeys.md); this module decides what to
ask for, what to keep and who may act. py_webauthn and its crypto are imported on first use here,
so only the passkey functions load them. Every refusal of a sign-in is the same 401 NotAuthorized,
so a caller learns nothing about which check failed; the audit line says which.
"""

from __future__ import annotations

import base64
import json
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
from portal.passkey_records import CHALLENGE_SECONDS, Challenge, Passkey, PasskeyStore
from portal.password_check import PasswordCheck
from portal.passwords import PasswordHasher
from portal.passwords import normalize as normalize_password
from portal.ports import AccountStore, Clock, Mailer
from portal.principal import SESSION_ENDED, Principal, active_account, active_state
from portal.records import Conflict
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

    def open_session(self, user: User, logins: None = None, method: str = ...) -> TokenPair: ...


class PasskeyAccounts(AccountStore, PasskeyStore, Protocol):
    def username_of_sub(self, sub: str) -> str | None: ...


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
        from webauthn import generate_registration_options, options_to_json
        from webauthn.helpers import base64url_to_bytes
        from webauthn.helpers.cose import COSEAlgorithmIdentifier
        from webauthn.helpers.structs import (
            AuthenticatorSelectionCriteria,
            PublicKeyCredentialDescriptor,
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
        rp = self._relying_party()
        options = generate_registration_options(
            rp_id=rp.id,
            rp_name=rp.name,
            user_id=user_handle(user),
            user_name=user.email,
            user_display_name=user.email,
            timeout=CHALLENGE_SECONDS * 1000,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED,
                user_verification=UserVerificationRequirement.PREFERRED,
            ),
            supported_pub_key_algs=[
                COSEAlgorithmIdentifier.ECDSA_SHA_256,
                COSEAlgorithmIdentifier.EDDSA,
                COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
            ],
            exclude_credentials=[
                PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id))
                for p in self._store.passkeys_of(user.sub)
            ],
        )
        self._store.save_challenge(
            Challenge(
                key=_registration_key(principal.session_id),
                challenge=options.challenge,
                purpose="register",
                expires_at=now + CHALLENGE_SECONDS,
                sub=user.sub,
                session_id=principal.session_id,
            )
        )
        result: dict[str, Any] = json.loads(options_to_json(options))
        return result

    def add(self, principal: Principal, credential: dict[str, Any], name: str | None) -> Passkey:
        """Verify the browser's RegistrationResponseJSON against this session's challenge and keep the
        credential. Any failure: 401 NotAuthorized (PASSKEY_NOT_ADDED), nothing written."""
        from webauthn import verify_registration_response
        from webauthn.helpers.exceptions import WebAuthnException

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
        rp = self._relying_party()
        try:
            verified = verify_registration_response(
                credential=credential,
                expected_challenge=challenge.challenge,
                expected_rp_id=rp.id,
                expected_origin=list(rp.origins),
            )
        except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
            audit("passkey_add_refused", address=user.username, sub=user.sub, reason="verification", detail=str(exc))
            raise NotAuthorized(PASSKEY_NOT_ADDED) from None
        passkey = Passkey(
            credential_id=b64url(verified.credential_id),
            sub=user.sub,
            user_handle=b64url(user_handle(user)),
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            name=(name or "").strip() or DEFAULT_NAME,
            created_at=iso(now),
            backed_up=verified.credential_backed_up,
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
        from webauthn import generate_authentication_options, options_to_json
        from webauthn.helpers.structs import UserVerificationRequirement

        rp = self._relying_party()
        options = generate_authentication_options(
            rp_id=rp.id, timeout=CHALLENGE_SECONDS * 1000, user_verification=UserVerificationRequirement.PREFERRED
        )
        session = secrets.token_urlsafe(32)
        now = int(self._clock())
        self._store.save_challenge(
            Challenge(
                key=_sign_in_key(session),
                challenge=options.challenge,
                purpose="sign_in",
                expires_at=now + CHALLENGE_SECONDS,
            )
        )
        result: dict[str, Any] = json.loads(options_to_json(options))
        return session, result

    def sign_in(self, session: str, credential: dict[str, Any]) -> TokenPair:
        from webauthn import verify_authentication_response
        from webauthn.helpers.exceptions import WebAuthnException

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
        handle = (credential.get("response") or {}).get("userHandle")
        rp = self._relying_party()
        try:
            if handle is not None and handle != passkey.user_handle:
                raise ValueError("the user handle is not the credential's account")
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=challenge.challenge,
                expected_rp_id=rp.id,
                expected_origin=list(rp.origins),
                credential_public_key=passkey.public_key,
                credential_current_sign_count=passkey.sign_count,
            )
        except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
            audit(
                "passkey_sign_in_refused",
                sub=passkey.sub,
                credentialId=passkey.credential_id,
                reason="verification",
                detail=str(exc),
            )
            raise NotAuthorized(PASSKEY_REFUSED) from None
        user = self._account(passkey)
        try:
            self._store.record_use(passkey, verified.new_sign_count, iso(now), verified.credential_backed_up)
        except Conflict:
            # Another sign-in with this passkey was recorded since we read it (or it was removed).
            audit("passkey_sign_in_refused", sub=passkey.sub, credentialId=passkey.credential_id, reason="raced")
            raise NotAuthorized(PASSKEY_REFUSED) from None
        pair = self._sessions().open_session(user, method="passkey")
        audit(
            "passkey_sign_in",
            address=user.username,
            sub=user.sub,
            credentialId=passkey.credential_id,
            userVerified=verified.user_verified,
        )
        return pair

    def _account(self, passkey: Passkey) -> User:
        """The passkey's account, under the same rules as a password sign-in: disabled or gone 401,
        unconfirmed 403 UserNotConfirmed, must reset 403 PasswordResetRequired."""
        username = self._store.username_of_sub(passkey.sub)
        user = self._store.load_address(username).user if username is not None else None
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
        return user


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
