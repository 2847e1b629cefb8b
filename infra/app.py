"""The CDK app: `npx cdk synth -c stage=<name>` (default dev), offline, no credentials.

cdk-nag's AwsSolutions pack runs on every synth as a validation plugin: an unacknowledged
finding fails the synth. Acknowledgments sit next to the resources they concern, with reasons.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# `.venv/bin/python infra/app.py` puts infra/ first on sys.path; the project root is what must be there.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from aws_cdk import App, Validations  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from infra.config import cdk_context, load_stage  # noqa: E402
from infra.stack import PortalStack  # noqa: E402


def build_app(
    stage: str | None = None,
    *,
    outdir: str | None = None,
    context: dict[str, Any] | None = None,
    **stack_options: object,
) -> App:
    """The app for one stage; tests pass `outdir`, a changed `context` (stage variants), and routes
    or functions_dir to the stack.

    cdk.json's context (feature flags, stages) is loaded here too, so synthesizing without the CLI
    builds the same template as `npx cdk synth`; the CLI's own context (`-c stage=prod`) still wins.
    """
    context = context if context is not None else cdk_context()
    app = App(context=context, outdir=outdir)
    config = load_stage(stage or app.node.try_get_context("stage"), context=context)
    PortalStack(app, config.stack_name, config=config, **stack_options)  # type: ignore[arg-type]
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


if __name__ == "__main__":
    build_app().synth()
