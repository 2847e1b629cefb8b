"""fido2 loads in the functions that verify WebAuthn only, and there at init (SnapStart)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from functions.routes import AUTHORIZER, ROUTES

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("fido2",)
VERIFYING = {"account_passkey_options", "account_passkey_add", "auth_passkey_options", "auth_passkey"}
PROBE = f"""
import json, sys
for module in sys.argv[1:]:
    __import__(module)
print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))
"""


def loaded_by(modules: list[str]) -> list[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "functions"), str(ROOT / "layers" / "runtime" / "python")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *modules], env=env, capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_no_other_function_loads_the_webauthn_library():
    others = [r.module for r in (*ROUTES, AUTHORIZER) if r.module not in VERIFYING]
    assert len(others) > 20 and "account_passkeys_list" in others
    assert loaded_by(others) == []


def test_each_function_that_verifies_webauthn_loads_it_at_init():
    assert {r.module for r in ROUTES} >= VERIFYING
    for module in sorted(VERIFYING):
        assert "fido2" in loaded_by([module]), module


def test_fido2_reads_each_dataclass_type_hints_once_and_gets_the_same_ones():
    import typing

    import fido2.utils
    from fido2 import webauthn

    from portal import passkeys

    passkeys.preload()
    passkeys.preload()  # twice: still one cache, not a cache of a cache
    hints = vars(fido2.utils)["get_type_hints"]
    assert hints.__wrapped__ is typing.get_type_hints
    for cls in (webauthn.PublicKeyCredentialCreationOptions, webauthn.AuthenticationResponse):
        assert hints(cls) == typing.get_type_hints(cls)
    before = hints.cache_info()
    for n in range(3):
        webauthn.PublicKeyCredentialDescriptor(type=webauthn.PublicKeyCredentialType.PUBLIC_KEY, id=bytes([n]))
    after = hints.cache_info()
    assert after.misses - before.misses <= 1 and after.hits - before.hits >= 2  # read once, then reused
