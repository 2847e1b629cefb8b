"""Two-step sign-in's parts without AWS: RFC 6238 arithmetic and its rules, the sealed secret,
recovery codes, challenge records, and which functions load pyotp, segno and the AES-GCM module."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal import recovery_codes, sealing, totp
from portal.dynamo.mfa_items import challenge_of, challenge_values, mfa_attributes, mfa_state
from portal.keys import Keyring
from portal.mfa_records import (
    CHALLENGE_ATTEMPTS,
    CHALLENGE_PREFIX,
    CHALLENGE_SECONDS,
    MfaState,
    TotpFactor,
    challenge_digest,
    new_challenge,
)

ROOT = Path(__file__).resolve().parents[2]

# RFC 6238 appendix B: 8 digits, the seeds as ASCII, time in seconds -> code.
RFC_SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
RFC_VECTORS = [
    (59, {"sha1": "94287082", "sha256": "46119246", "sha512": "90693936"}),
    (1111111109, {"sha1": "07081804", "sha256": "68084774", "sha512": "25091201"}),
    (1111111111, {"sha1": "14050471", "sha256": "67062674", "sha512": "99943326"}),
    (1234567890, {"sha1": "89005924", "sha256": "91819424", "sha512": "93441116"}),
    (2000000000, {"sha1": "69279037", "sha256": "90698825", "sha512": "38618901"}),
    (20000000000, {"sha1": "65353130", "sha256": "77737706", "sha512": "47863826"}),
]
SECRET = base64.b32encode(RFC_SEEDS["sha1"]).decode()
NOW = 1_700_000_010  # inside a step, 10 s after its start


def keyring(kid: str = "k1", previous: list[dict[str, str]] | None = None) -> Keyring:
    return Keyring({"kid": kid, "secret": f"secret-of-{kid}", "previous": previous or []})


@pytest.mark.parametrize(("at", "expected"), RFC_VECTORS)
@pytest.mark.parametrize("digest", ["sha1", "sha256", "sha512"])
def test_rfc_6238_test_vectors(at, expected, digest):
    seed = base64.b32encode(RFC_SEEDS[digest]).decode()
    assert totp.code_at(seed, totp.step_of(at), digits=8, digest=digest) == expected[digest]


def test_the_app_code_is_the_last_six_digits_of_the_rfc_computation():
    # What apps show: 6 digits of the same SHA-1 HOTP value (RFC 4226 truncation mod 10^6).
    assert totp.code_at(SECRET, totp.step_of(59)) == "287082"
    assert totp.code_at(SECRET, totp.step_of(1111111109)) == "081804"


@pytest.mark.parametrize("skew", [-1, 0, 1])
def test_one_step_of_clock_skew_either_side_is_accepted(skew):
    code = totp.code_at(SECRET, totp.step_of(NOW) + skew)
    match = totp.verify(SECRET, code, NOW, last_step=None)
    assert match is not None and match.step == totp.step_of(NOW) + skew


@pytest.mark.parametrize("skew", [-3, -2, 2, 3])
def test_two_steps_of_skew_are_refused(skew):
    code = totp.code_at(SECRET, totp.step_of(NOW) + skew)
    if any(code == totp.code_at(SECRET, totp.step_of(NOW) + s) for s in (-1, 0, 1)):
        pytest.skip("this step's code happens to equal a neighbour's")  # 1 in 10^6: never with this secret
    assert totp.verify(SECRET, code, NOW, last_step=None) is None


def test_a_code_is_accepted_once_and_older_steps_never_after_it():
    step = totp.step_of(NOW)
    code = totp.code_at(SECRET, step)
    first = totp.verify(SECRET, code, NOW, last_step=None)
    assert first is not None
    # The same code again within its window (and 29 s later, still in its step): replay.
    assert totp.verify(SECRET, code, NOW, last_step=first.step) is None
    assert totp.verify(SECRET, code, NOW + 19, last_step=first.step) is None
    # The previous step's code (still inside the skew window) is older than what was used.
    assert totp.verify(SECRET, totp.code_at(SECRET, step - 1), NOW, last_step=first.step) is None
    # The next step's code is newer: accepted.
    nxt = totp.verify(SECRET, totp.code_at(SECRET, step + 1), NOW + 30, last_step=first.step)
    assert nxt is not None and nxt.step == step + 1


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "12345a", " 123456", "１２３４５６"])
def test_malformed_codes_never_match(typed):
    assert totp.verify(SECRET, typed, NOW, last_step=None) is None


def test_new_secrets_are_160_bit_base32_and_differ():
    first, second = totp.new_secret(), totp.new_secret()
    assert first != second
    assert len(base64.b32decode(first)) == 20


def test_provisioning_uri_and_qr_code():
    uri = totp.provisioning_uri(SECRET, "ann@example.org", "NATO Multimedia")
    assert uri == ("otpauth://totp/NATO%20Multimedia:ann%40example.org?secret=" + SECRET + "&issuer=NATO%20Multimedia")
    svg = totp.qr_svg(uri)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and svg.endswith("</svg>")
    assert "<path" in svg and SECRET not in svg  # drawn, not written out


# -- the sealed secret ---------------------------------------------------------------------------


def test_a_sealed_secret_opens_for_its_account_only():
    ring = keyring()
    sealed = sealing.seal(ring, SECRET, "sub-ann")
    assert SECRET not in sealed and sealed.startswith("v1.k1.")
    assert sealing.open_sealed(ring, sealed, "sub-ann") == sealing.Opened(SECRET, stale=False)
    with pytest.raises(sealing.Unsealable):
        sealing.open_sealed(ring, sealed, "sub-bob")  # copied onto another account


# Sealed by pycryptodome's AES-GCM (the cipher before `cryptography`'s AESGCM) with keyring() and
# "sub-ann": the stored layout did not change, so values sealed before the switch still open.
SEALED_BY_PYCRYPTODOME = "v1.k1.YCw2ImkS1_qi_6Yu5UDbYJhO99UF9DeeJEIbciPOC1cmJ1LAdSbke6RpIS1vmb2Eiamo7x32S0sxPK_J"


def test_a_secret_sealed_before_the_switch_to_cryptography_still_opens():
    ring = keyring()
    assert sealing.open_sealed(ring, SEALED_BY_PYCRYPTODOME, "sub-ann") == sealing.Opened(SECRET, stale=False)
    with pytest.raises(sealing.Unsealable):
        sealing.open_sealed(ring, SEALED_BY_PYCRYPTODOME, "sub-bob")
    # and what is sealed now has the same layout: nonce (12) | ciphertext | tag (16)
    payload = sealing.seal(ring, SECRET, "sub-ann").split(".")[2]
    old_payload = SEALED_BY_PYCRYPTODOME.split(".")[2]
    assert len(payload) == len(old_payload)


def test_sealing_twice_gives_different_values():
    ring = keyring()
    assert sealing.seal(ring, SECRET, "s") != sealing.seal(ring, SECRET, "s")


@pytest.mark.parametrize("position", [7, 20, -1])
def test_a_tampered_sealed_secret_is_refused(position):
    ring = keyring()
    sealed = sealing.seal(ring, SECRET, "sub-ann")
    flipped = sealed[:position] + ("A" if sealed[position] != "A" else "B") + sealed[position + 1 :]
    if position == -1:
        flipped = sealed[:-1] + ("A" if sealed[-1] != "A" else "B")
    with pytest.raises(sealing.Unsealable):
        sealing.open_sealed(ring, flipped, "sub-ann")


@pytest.mark.parametrize("garbage", ["", "v1", "v1.k1", "v1.k1.", "v2.k1.AAAA", "v1.k9.AAAAAAAAAAAAAAAAAAAAAAAAAAAA"])
def test_malformed_sealed_values_are_refused(garbage):
    with pytest.raises(sealing.Unsealable):
        sealing.open_sealed(keyring(), garbage, "s")


def test_a_rotated_keys_secret_still_opens_and_says_to_seal_again():
    old = keyring("k1")
    sealed = sealing.seal(old, SECRET, "s")
    rotated = keyring("k2", previous=[{"kid": "k1", "secret": "secret-of-k1"}])
    assert sealing.open_sealed(rotated, sealed, "s") == sealing.Opened(SECRET, stale=True)
    with pytest.raises(sealing.Unsealable):
        sealing.open_sealed(keyring("k2"), sealed, "s")  # k1 dropped from `previous`


def test_the_sealing_key_is_its_own_purpose_key():
    ring = keyring()
    assert ring.key(sealing.PURPOSE) not in (ring.key("one-time-codes"), ring.key("access-tokens"))


# -- recovery codes ------------------------------------------------------------------------------


def test_ten_distinct_codes_stored_only_as_keyed_digests():
    ring = keyring()
    shown, stored = recovery_codes.generate(ring)
    assert len(shown) == len(set(shown)) == 10 and stored.left == 10
    for code in shown:
        assert len(code) == 11 and code[5] == "-"
        assert set(code.replace("-", "")) <= set(recovery_codes.ALPHABET)
        assert code not in str(stored) and recovery_codes.normalize(code) not in str(stored)
    # Keyed: the digest is not the plain SHA-256 of the code.
    import hashlib

    assert hashlib.sha256(recovery_codes.normalize(shown[0]).encode()).hexdigest() not in stored.digests


def test_a_recovery_code_matches_once_typed_loosely():
    ring = keyring()
    shown, stored = recovery_codes.generate(ring)
    typed = " " + shown[3].upper().replace("-", " ") + " "
    digest = recovery_codes.match(ring, stored, typed)
    assert digest == stored.digests[3]
    after = stored.without(digest)
    assert after.left == 9 and recovery_codes.match(ring, after, shown[3]) is None
    assert recovery_codes.match(ring, after, shown[4]) == stored.digests[4]


@pytest.mark.parametrize("typed", ["", "abc", "0000000000", "00000-00000", "x" * 40])
def test_wrong_recovery_codes_match_nothing(typed):
    ring = keyring()
    _, stored = recovery_codes.generate(ring)
    assert recovery_codes.match(ring, stored, typed) is None


def test_recovery_codes_under_a_retired_key_match_nothing():
    shown, stored = recovery_codes.generate(keyring("k1"))
    assert recovery_codes.match(keyring("k2"), stored, shown[0]) is None
    rotated = keyring("k2", previous=[{"kid": "k1", "secret": "secret-of-k1"}])
    assert recovery_codes.match(rotated, stored, shown[0]) == stored.digests[0]


# -- challenges and stored shapes ------------------------------------------------------------------


def test_a_challenge_is_opaque_stored_hashed_and_lives_five_minutes_and_five_codes():
    token, challenge = new_challenge("sub-ann", "ann@example.org", 3, NOW)
    assert token.startswith(CHALLENGE_PREFIX) and "." not in token and len(token) == len(CHALLENGE_PREFIX) + 43
    assert challenge.digest == challenge_digest(token) and token not in str(challenge)
    assert challenge.expires_at == NOW + CHALLENGE_SECONDS == NOW + 300
    assert challenge.live(NOW + 299) and not challenge.live(NOW + 300)
    from dataclasses import replace

    assert replace(challenge, attempts=CHALLENGE_ATTEMPTS - 1).live(NOW)
    assert not replace(challenge, attempts=CHALLENGE_ATTEMPTS).live(NOW)
    assert challenge.attempts_left == 5
    assert challenge_of(challenge.digest, challenge_values(challenge)) == challenge


def test_two_step_state_round_trips_through_the_item_attributes():
    _, stored = recovery_codes.generate(keyring())
    state = MfaState(TotpFactor("v1.k1.x", 56666667, stored, "2026-12-01T00:00:00Z"), "v1.k1.pending", 4)
    assert mfa_state(mfa_attributes(state)) == state
    assert mfa_state(mfa_attributes(MfaState())) == MfaState()
    assert mfa_attributes(MfaState()) == {"mfa": None, "mfaPending": None, "mfaVersion": None}


def test_the_challenge_is_no_bearer_or_refresh_token():
    from portal import tokens

    token, _ = new_challenge("s", "a@example.org", 0, NOW)
    with pytest.raises(tokens.TokenRejected):
        tokens.parse_refresh(token)
    with pytest.raises(tokens.TokenRejected):
        tokens.verify_access(token, keyring(), "portal", NOW)


# -- what each function loads ------------------------------------------------------------------------

LOADED = """
import json, sys
exec(sys.argv[1])
names = {"pyotp": "pyotp", "segno": "segno", "cryptography.hazmat.primitives.ciphers.aead": "AESGCM"}
print(json.dumps(sorted(name for m, name in names.items() if m in sys.modules)))
"""


def loaded_by(code: str) -> list[str]:
    """The two-step libraries a fresh interpreter has loaded after running `code`."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "functions"), str(ROOT / "layers" / "runtime" / "python")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", LOADED, code], env=env, capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_login_function_and_the_authorizer_load_none_of_the_two_step_libraries():
    assert loaded_by("import auth_login, authorizer, account_get, auth_refresh, password_reset") == []


def test_the_two_step_functions_load_them_at_init():
    assert loaded_by("import auth_login_mfa") == ["AESGCM", "pyotp"]
    assert loaded_by("import account_mfa_totp_enrol") == ["AESGCM", "pyotp", "segno"]


def test_the_libraries_load_where_they_are_used():
    assert loaded_by("from portal import totp; totp.verify(totp.new_secret(), '123456', 1e9, None)") == ["pyotp"]
    assert loaded_by("from portal import totp; totp.qr_svg('otpauth://totp/x')") == ["segno"]
    seal = "from portal import sealing, keys; sealing.seal(keys.Keyring({'kid': 'k', 'secret': 's'}), 'x', 'y')"
    assert loaded_by(seal) == ["AESGCM"]
