"""Typed stage configuration, read from cdk.json's context (`-c stage=<name>`, default `dev`).

Plain pydantic, no aws_cdk import: the local runner reads the same stage definitions to
provision its emulation, so what runs locally is configured like what is deployed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

CDK_JSON = Path(__file__).resolve().parent.parent / "cdk.json"


class StageConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    # Left empty, the stack is environment-agnostic and `cdk deploy` uses the caller's account/region.
    account: str | None = None
    region: str = "eu-west-1"
    mail_from_name: str = "NATO Multimedia"
    mail_from_address: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    mail_domain: str
    cors_origins: tuple[str, ...] = ()

    @property
    def mail_sender(self) -> str:
        return f"{self.mail_from_name} <{self.mail_from_address}>"


def stage_names(context: dict[str, Any] | None = None) -> list[str]:
    context = context if context is not None else _cdk_context()
    return sorted(context["stages"])


def load_stage(name: str | None = None, context: dict[str, Any] | None = None) -> StageConfig:
    context = context if context is not None else _cdk_context()
    name = name or context.get("stage", "dev")
    stages = context["stages"]
    if name not in stages:
        raise ValueError(f"unknown stage {name!r}; cdk.json defines {', '.join(sorted(stages))}")
    return StageConfig.model_validate({"name": name, **stages[name]})


def _cdk_context() -> dict[str, Any]:
    return json.loads(CDK_JSON.read_text())["context"]
