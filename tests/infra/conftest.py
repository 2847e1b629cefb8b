"""Each synth runs once per session, all of them in parallel subprocesses.

Synthesis with cdk-nag takes ~20 s of CPU; the stages go through the CDK CLI exactly as
`npx cdk synth -c stage=<name>` does (offline, no credentials), the variants through
tests/infra/variants.py. Assertions then read the cloud assemblies.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import variants

from infra.config import StageConfig, load_stage, stage_names

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = ("careless", "options")


@dataclass
class Synth:
    config: StageConfig
    outdir: Path
    template: dict[str, Any]

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.template["Resources"]

    def of_type(self, cfn_type: str) -> dict[str, dict[str, Any]]:
        return {lid: r for lid, r in self.resources.items() if r["Type"] == cfn_type}

    def custom_resource_functions(self) -> dict[str, dict[str, Any]]:
        """The functions behind custom resources (the web client's BucketDeployment): CDK's, not the product's."""
        ids = {
            r["Properties"]["ServiceToken"]["Fn::GetAtt"][0]
            for r in self.resources.values()
            if r["Type"].startswith("Custom::")
        }
        return {lid: self.resources[lid] for lid in ids}

    def product_functions(self) -> dict[str, dict[str, Any]]:
        """The functions the factory built from the route table."""
        return {
            lid: r
            for lid, r in self.of_type("AWS::Lambda::Function").items()
            if lid not in self.custom_resource_functions()
        }

    def product_layers(self) -> dict[str, dict[str, Any]]:
        """The layers of the product (not the AWS CLI layer of the BucketDeployment)."""
        theirs = {
            layer["Ref"]
            for f in self.custom_resource_functions().values()
            for layer in f["Properties"].get("Layers", [])
        }
        return {lid: r for lid, r in self.of_type("AWS::Lambda::LayerVersion").items() if lid not in theirs}

    def invoked(self, function_id: str) -> dict[str, Any]:
        """How the template names what callers invoke: the function, or with SnapStart its `live` alias."""
        if not self.config.functions.snapstart:
            return {"Fn::GetAtt": [function_id, "Arn"]}
        (alias,) = [
            lid
            for lid, a in self.of_type("AWS::Lambda::Alias").items()
            if a["Properties"]["FunctionName"] == {"Ref": function_id}
        ]
        return {"Ref": alias}

    def one(self, cfn_type: str) -> dict[str, Any]:
        (resource,) = self.of_type(cfn_type).values()
        return resource

    def asset_dir(self, resource: dict[str, Any]) -> Path:
        """The staged folder of a function's or layer's asset: its S3 key is `<asset hash>.zip`."""
        props = resource["Properties"]
        key = (props.get("Code") or props.get("Content"))["S3Key"]
        return self.outdir / f"asset.{key.removesuffix('.zip')}"

    def function(self, handler: str) -> tuple[str, dict[str, Any]]:
        (found,) = [
            (lid, r)
            for lid, r in self.of_type("AWS::Lambda::Function").items()
            if r["Properties"]["Handler"] == handler
        ]
        return found

    def role_statements(self, function: dict[str, Any]) -> list[dict[str, Any]]:
        role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
        return [
            statement
            for policy in self.of_type("AWS::IAM::Policy").values()
            if {"Ref": role_id} in policy["Properties"]["Roles"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        ]


def offline_env(home: Path) -> dict[str, str]:
    """No AWS credentials or profile to find, no metadata endpoint: what CI without secrets has."""
    keep = ("PATH", "LANG", "LC_ALL", "TMPDIR")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    return env | {
        "HOME": str(home),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "CDK_DISABLE_VERSION_CHECK": "1",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


@dataclass
class Run:
    process: subprocess.Popen[str]
    outdir: Path
    output: str | None = None

    def wait(self) -> tuple[int, str]:
        """The exit code and combined output; several fixtures may ask for the same run."""
        if self.output is None:
            self.output, _ = self.process.communicate(timeout=900)
        return self.process.returncode, self.output


@pytest.fixture(scope="session")
def synth_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Start every synth at once: stages through the CLI, variants through variants.py."""
    # The CLI itself, not `npx cdk`: npx checks the npm registry first, which costs ~30 s offline.
    cdk = ROOT / "node_modules" / ".bin" / "cdk"
    assert cdk.is_file(), "the CDK CLI is missing: `npm ci` (make test does it)"
    base = tmp_path_factory.mktemp("synth")
    env = offline_env(base)
    runs: dict[str, Run] = {}
    commands: dict[str, list[str]] = {
        stage: [str(cdk), "synth", "--quiet", "--no-notices", "-c", f"stage={stage}", "-o", str(base / stage)]
        for stage in stage_names()
    }
    commands |= {
        variant: [sys.executable, str(Path(__file__).parent / "variants.py"), variant, str(base / variant)]
        for variant in VARIANTS
    }
    for name, command in commands.items():
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        runs[name] = Run(process, base / name)
    yield runs
    for run in runs.values():
        if run.process.poll() is None:
            run.process.kill()


def load_synth(run: Run, stage: str, config: StageConfig | None = None) -> Synth:
    returncode, output = run.wait()
    assert returncode == 0, output
    config = config or load_stage(stage)
    template = json.loads((run.outdir / f"{config.stack_name}.template.json").read_text())
    return Synth(config, run.outdir, template)


@pytest.fixture(scope="session", params=stage_names())
def synth(request: pytest.FixtureRequest, synth_runs: dict[str, Run]) -> Synth:
    """Each stage cdk.json defines, synthesized once by `cdk synth -c stage=<name>`."""
    return load_synth(synth_runs[request.param], request.param)


@pytest.fixture(scope="session")
def dev(synth_runs: dict[str, Run]) -> Synth:
    return load_synth(synth_runs["dev"], "dev")


@pytest.fixture(scope="session")
def prod(synth_runs: dict[str, Run]) -> Synth:
    return load_synth(synth_runs["prod"], "prod")


@pytest.fixture(scope="session")
def options(synth_runs: dict[str, Run]) -> Synth:
    """The dev stage with SnapStart on and a custom domain for the web client (variants.py)."""
    return load_synth(synth_runs["options"], "dev", variants.config("options"))
