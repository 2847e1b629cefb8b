"""One synth per stage per session: synthesis (with cdk-nag) takes ~20 s, assertions take none."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from infra.app import build_app  # noqa: E402
from infra.config import StageConfig, load_stage, stage_names  # noqa: E402


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

    def one(self, cfn_type: str) -> dict[str, Any]:
        (resource,) = self.of_type(cfn_type).values()
        return resource

    def asset_dir(self, resource: dict[str, Any]) -> Path:
        """The staged folder of a function's or layer's asset: its S3 key is `<asset hash>.zip`."""
        props = resource["Properties"]
        key = (props.get("Code") or props.get("Content"))["S3Key"]
        return self.outdir / f"asset.{key.removesuffix('.zip')}"

    def function(self, handler: str) -> tuple[str, dict[str, Any]]:
        (found,) = [(lid, r) for lid, r in self.of_type("AWS::Lambda::Function").items() if r["Properties"]["Handler"] == handler]
        return found

    def role_statements(self, function: dict[str, Any]) -> list[dict[str, Any]]:
        role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
        return [
            statement
            for policy in self.of_type("AWS::IAM::Policy").values()
            if {"Ref": role_id} in policy["Properties"]["Roles"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        ]


def synthesize(outdir: Path, stage: str, **stack_options: Any) -> Synth:
    assembly = build_app(stage, outdir=str(outdir), **stack_options).synth()
    config = load_stage(stage)
    template = json.loads((outdir / f"{config.stack_name}.template.json").read_text())
    assert assembly.get_stack_by_name(config.stack_name).template == template
    return Synth(config, outdir, template)


@pytest.fixture(scope="session")
def synth_stage(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Synth]:
    cache: dict[str, Synth] = {}

    def get(stage: str) -> Synth:
        if stage not in cache:
            cache[stage] = synthesize(tmp_path_factory.mktemp(f"cdk-{stage}"), stage)
        return cache[stage]

    return get


@pytest.fixture(scope="session", params=stage_names())
def synth(request: pytest.FixtureRequest, synth_stage: Callable[[str], Synth]) -> Synth:
    """Each stage cdk.json defines, synthesized once."""
    return synth_stage(request.param)


@pytest.fixture(scope="session")
def dev(synth_stage: Callable[[str], Synth]) -> Synth:
    return synth_stage("dev")


@pytest.fixture(scope="session")
def prod(synth_stage: Callable[[str], Synth]) -> Synth:
    return synth_stage("prod")
