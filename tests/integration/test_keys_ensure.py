"""`portal-admin keys ensure` and `make deploy` on moto: after a deploy the stage gets its first
access-token key if it has none, and nothing else ever changes (idempotent, audited when it acts)."""

from __future__ import annotations

import io
import json
import shlex
import subprocess
from dataclasses import replace

import boto3
import jwt
import pytest
import time_machine

from ops import admin
from portal.signing_keys import PrivateKeySet, new_key
from tests.conftest import load_handlers, reset_runtime
from tests.local_runner import ROOT

ANN = "ann@example.org"
SECRET = "portal/test/signing-keys"
OPTIONS = ["--table", "portal-test", "--region", "eu-west-1", "--signing-keys-secret", SECRET]
PUBLIC_KEY = {"pk": {"S": "KEYS#ACCESS_TOKENS"}, "sk": {"S": "PUBLIC"}}
T0 = 1_800_000_000


def admin_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = admin.main(list(argv), out=out, err=err, ask=lambda _prompt: "")
    return code, out.getvalue(), err.getvalue()


def secret_document() -> dict:
    return json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=SECRET)["SecretString"])


def public_item() -> dict | None:
    return boto3.client("dynamodb").get_item(TableName="portal-test", Key=PUBLIC_KEY).get("Item")


def as_after_the_first_deploy(api) -> None:
    """The stack creates the secret as `{"keys": []}` and no public item (infra/data.py)."""
    boto3.client("secretsmanager").put_secret_value(SecretId=SECRET, SecretString=json.dumps({"keys": []}))
    boto3.client("dynamodb").delete_item(TableName="portal-test", Key=PUBLIC_KEY)
    reset_runtime()
    api.handlers.update(load_handlers())


def ensure_actions(audit_log) -> list[dict]:
    return [e for e in audit_log.lines() if e.get("event") == "admin_action" and e.get("action") == "keys-ensure"]


def test_ensure_makes_the_first_key_once_and_sign_in_works_after_it(api, aws, audit_log):
    api.confirmed_account(ANN)
    as_after_the_first_deploy(api)
    assert api.login(ANN).status == 503  # no key: sign-in cannot sign, and says so

    code, _, err = admin_cli(*OPTIONS, "keys", "ensure", "--reason", "first deploy")
    assert code == 0, err
    [line] = ensure_actions(audit_log)
    [key] = secret_document()["keys"]
    assert line["kid"] == key["kid"] and line["reason"] == "first deploy" and line["effects"] == ["first key"]
    [public] = json.loads(public_item()["keys"]["S"])["keys"]
    assert public["kid"] == key["kid"] and "d" in key and "d" not in public  # the public half only

    reset_runtime()
    api.handlers.update(load_handlers())
    token = api.tokens(ANN)["accessToken"]
    assert jwt.get_unverified_header(token)["kid"] == key["kid"] and api.authorize(token) is not None

    # Again (every later deploy): nothing changes, nothing is audited.
    before = (secret_document(), public_item())
    code, _, err = admin_cli(*OPTIONS, "keys", "ensure", "--reason", "second deploy")
    assert code == 0 and "nothing to do" in err
    assert (secret_document(), public_item()) == before and len(ensure_actions(audit_log)) == 1


def test_ensure_never_replaces_a_key_but_restores_a_lost_public_item(api, aws, audit_log):
    keys_before = secret_document()
    published = public_item()
    boto3.client("dynamodb").delete_item(TableName="portal-test", Key=PUBLIC_KEY)  # e.g. a table restored
    code, _, err = admin_cli(*OPTIONS, "keys", "ensure", "--reason", "after a restore")
    assert code == 0, err
    assert secret_document() == keys_before and public_item() == published
    [line] = ensure_actions(audit_log)
    assert line["effects"] == ["public keys item re-derived"] and "kid" not in line


def test_ensure_makes_a_key_when_every_key_is_dropped(api, aws):
    with time_machine.travel(T0, tick=False):
        dropped = new_key(0)
        stale = PrivateKeySet([replace(dropped, drop_at=T0 - 1)])
        boto3.client("secretsmanager").put_secret_value(SecretId=SECRET, SecretString=json.dumps(stale.document()))
        assert admin_cli(*OPTIONS, "keys", "ensure", "--reason", "all dropped")[0] == 0
        [key] = secret_document()["keys"]
        assert key["kid"] != dropped.kid and PrivateKeySet.of(secret_document()).signing_key(T0)[0] == key["kid"]


def test_ensure_fails_clearly_when_aws_does(api, aws):
    code, _, err = admin_cli(
        "--table", "portal-test", "--region", "eu-west-1", "--signing-keys-secret", "no/such/secret", "keys", "ensure",
        "--reason", "typo",
    )  # fmt: skip
    assert code == 3 and "Secrets Manager" in err


def deploy_commands(stage: str) -> list[list[str]]:
    """What `make deploy STAGE=<stage>` runs after its prerequisites (make -n prints, runs nothing)."""
    printed = subprocess.run(
        ["make", "-n", "--no-print-directory", "deploy", f"STAGE={stage}", "-o", ".venv/.synced", "-o",
         "node_modules/.installed", "-o", "layers/dependencies/build/.built"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return [shlex.split(line) for line in printed.splitlines() if line.strip()]


def test_make_deploy_deploys_then_ensures_a_key_from_the_deployed_stacks_outputs(api, aws, audit_log, tmp_path):
    deploy, ensure = deploy_commands("prod")
    assert deploy[:4] == ["npx", "cdk", "deploy", "-c"] and deploy[4] == "stage=prod"
    outputs_file = deploy[deploy.index("--outputs-file") + 1]
    assert ensure[0] == ".venv/bin/portal-admin" and ensure[1:3] == ["--stack-outputs", outputs_file]
    assert ensure[3:5] == ["keys", "ensure"]
    # No STAGE, no deploy: make refuses before building or deploying anything.
    refused = subprocess.run(["make", "-n", "deploy"], cwd=ROOT, capture_output=True, text=True)
    assert refused.returncode != 0 and "STAGE" in refused.stderr and "cdk" not in refused.stdout

    # The command as make runs it, on what `cdk deploy --outputs-file` writes (infra/stack.py's outputs).
    as_after_the_first_deploy(api)
    written = tmp_path / "outputs-prod.json"
    written.write_text(
        json.dumps(
            {
                "portal-prod": {
                    "SiteUrl": "https://d111111abcdef8.cloudfront.net",
                    "TableName": "portal-test",
                    "KeysSecretArn": "portal/test/keys",
                    "SigningKeysSecretArn": SECRET,
                    "Region": "eu-west-1",
                }
            }
        )
    )
    argv = [str(written) if arg == outputs_file else arg for arg in ensure[1:]]
    code, _, err = admin_cli(*argv)
    assert code == 0, err
    [line] = ensure_actions(audit_log)
    assert line["reason"] == "make deploy STAGE=prod" and len(secret_document()["keys"]) == 1


def test_stack_outputs_must_name_what_the_commands_need(tmp_path):
    partial = tmp_path / "outputs.json"
    partial.write_text(json.dumps({"portal-dev": {"SiteUrl": "https://x.cloudfront.net", "TableName": "t"}}))
    with pytest.raises(SystemExit) as usage:  # argparse's usage error, before any AWS call
        admin_cli("--stack-outputs", str(partial), "keys", "ensure", "--reason", "r")
    assert usage.value.code == 2
