"""The one function factory: every Lambda function of the product is built here, from its route entry.

A function gets its own role holding exactly the statements its `routes.Access` values map to,
its own log group (retention from the stage, JSON format), the two shared layers, memory by
`routes.Profile`, and the runtime settings as PORTAL_* variables. Its code asset is functions/
reduced to its one module, so a function ships its handler and nothing else.

With the stage's `functions.snapstart` on, each function is also published (SnapStart snapshots
published versions only) behind an alias `live`; what `build` returns is then the alias, so API
Gateway, the authorizer and SNS invoke the snapshotted version. Off, it returns the function.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Acknowledgment, Aws, Duration, RemovalPolicy, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from functions.routes import Access, FunctionSpec, Profile
from infra.config import StageConfig
from portal import tables
from portal.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
RUNTIME_LAYER_DIR = ROOT / "layers" / "runtime"
DEPENDENCIES_LAYER_DIR = ROOT / "layers" / "dependencies" / "build"
RUNTIME = lambda_.Runtime.PYTHON_3_13
# One value for every function, so Powertools metrics share the single dimension service=portal.
SERVICE_NAME = "portal"


@dataclass(frozen=True)
class Resources:
    """The ARNs/names a function's permissions and settings refer to."""

    table_arn: str
    keys_secret_arn: str
    signing_keys_secret_arn: str
    # The customer-managed key both keys secrets are encrypted with: reading one decrypts with it.
    keys_key_arn: str
    mail_identity_arn: str
    mail_configuration_set_arn: str
    media_bucket_arn: str
    # cdk-nag names a wildcard finding after the bucket's logical id: `<MediaBucketXXXX.Arn>/media/*`.
    media_bucket_logical_id: str


def access_statements(access: frozenset[Access], resources: Resources) -> list[iam.PolicyStatement]:
    """Least privilege per Access value: the calls the runtime makes, on the resources it makes them on."""
    grants: dict[Access, tuple[list[str], list[str]]] = {
        Access.TABLE_READ: (
            ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem"],
            [resources.table_arn, f"{resources.table_arn}/index/{tables.GSI1}"],
        ),
        # TransactWriteItems is authorised per item by these actions.
        Access.TABLE_WRITE: (
            # BatchWriteItem: an account's download records are deleted 25 at a time when it goes.
            [
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
                "dynamodb:ConditionCheckItem",
                "dynamodb:BatchWriteItem",
            ],
            [resources.table_arn],
        ),
        # SESv2 SendEmail is authorised on both the sending identity and the configuration set.
        Access.MAIL_SEND: (
            ["ses:SendEmail"],
            [resources.mail_identity_arn, resources.mail_configuration_set_arn],
        ),
        Access.KEYS_READ: (["secretsmanager:GetSecretValue"], [resources.keys_secret_arn]),
        Access.SIGNING_KEYS_READ: (["secretsmanager:GetSecretValue"], [resources.signing_keys_secret_arn]),
        Access.MEDIA_READ: (["s3:GetObject"], [f"{resources.media_bucket_arn}/media/*"]),
    }
    statements = [
        iam.PolicyStatement(sid=item.name.replace("_", ""), actions=grants[item][0], resources=grants[item][1])
        for item in sorted(access, key=lambda a: a.name)
    ]
    if access & {Access.KEYS_READ, Access.SIGNING_KEYS_READ}:
        # Both secrets are on the stack's customer-managed key: Secrets Manager decrypts a secret
        # with the caller's rights on that key, and only through Secrets Manager.
        statements.append(
            iam.PolicyStatement(
                sid="KEYSDECRYPT",
                actions=["kms:Decrypt"],
                resources=[resources.keys_key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"secretsmanager.{Aws.REGION}.amazonaws.com"}},
            )
        )
    return statements


def log_group(
    scope: Construct,
    id: str,
    config: StageConfig,
    *,
    name: str | None = None,
    data_protection_policy: logs.DataProtectionPolicy | None = None,
) -> logs.LogGroup:
    """A log group with the stage's retention (set on the L1: config holds days, not the CDK enum)."""
    group = logs.LogGroup(
        scope,
        id,
        log_group_name=name,
        removal_policy=removal_policy(config),
        data_protection_policy=data_protection_policy,
    )
    group.node.default_child.retention_in_days = config.log_retention_days  # type: ignore[union-attr]
    return group


def removal_policy(config: StageConfig) -> RemovalPolicy:
    return RemovalPolicy.RETAIN if config.removal_policy == "retain" else RemovalPolicy.DESTROY


class FunctionFactory(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        settings: Settings,
        resources: Resources,
        functions_dir: Path = FUNCTIONS_DIR,
        log_protection: logs.DataProtectionPolicy | None = None,
    ) -> None:
        super().__init__(scope, id)
        self._log_protection = log_protection
        self._config = config
        self._settings = settings
        self._resources = resources
        self._functions_dir = functions_dir
        self.functions: dict[str, lambda_.Function] = {}
        self.log_groups: list[logs.LogGroup] = []
        if not (DEPENDENCIES_LAYER_DIR / "python").is_dir():
            raise FileNotFoundError(f"{DEPENDENCIES_LAYER_DIR} is missing: run `make layer` first")
        self.layers = [
            lambda_.LayerVersion(
                self,
                "DependenciesLayer",
                code=lambda_.Code.from_asset(str(DEPENDENCIES_LAYER_DIR), exclude=["requirements.txt", ".built"]),
                compatible_runtimes=[RUNTIME],
                compatible_architectures=[lambda_.Architecture.X86_64],
                description="Runtime dependencies (pydantic, Powertools, argon2, ...) for Python 3.13 x86_64",
            ),
            lambda_.LayerVersion(
                self,
                "RuntimeLayer",
                code=lambda_.Code.from_asset(str(RUNTIME_LAYER_DIR), exclude=["**/__pycache__", "*.pyc"]),
                compatible_runtimes=[RUNTIME],
                description="The shared portal package",
            ),
        ]

    def build(self, spec: FunctionSpec, *, dead_letter_queue: sqs.IQueue | None = None) -> lambda_.IFunction:
        """One function for one route or event function entry; returns what callers should invoke.

        `dead_letter_queue`: for functions AWS invokes asynchronously (SNS), where an event that failed
        every retry goes. It is part of the function's configuration, so published versions keep it.
        """
        config, fn_config = self._config, self._config.functions
        module_file = self._functions_dir / f"{spec.module}.py"
        if not module_file.is_file():
            raise FileNotFoundError(f"{module_file} is missing: every function needs its handler module")
        role = iam.Role(
            self,
            f"{spec.function_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{spec.module}: {', '.join(sorted(a.value for a in spec.access))}",
        )
        logs_group = log_group(self, f"{spec.function_id}Logs", config, data_protection_policy=self._log_protection)
        # Written by hand instead of AWSLambdaBasicExecutionRole: only this function's own log group.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[logs_group.log_group_arn]
            )
        )
        for statement in access_statements(spec.access, self._resources):
            role.add_to_policy(statement)
        function = lambda_.Function(
            self,
            spec.function_id,
            runtime=RUNTIME,
            architecture=lambda_.Architecture.X86_64,
            handler=spec.handler,
            # Everything in functions/ but this module is excluded: the asset is one file.
            code=lambda_.Code.from_asset(str(self._functions_dir), exclude=["*", f"!{spec.module}.py"]),
            layers=self.layers,
            role=role,
            memory_size=fn_config.hashing_memory_mb if spec.profile is Profile.HASHING else fn_config.light_memory_mb,
            timeout=Duration.seconds(fn_config.timeout_seconds),
            tracing=lambda_.Tracing.ACTIVE if fn_config.tracing else lambda_.Tracing.DISABLED,
            log_group=logs_group,
            logging_format=lambda_.LoggingFormat.JSON,
            # Lambda filters by these levels; they match Powertools' so neither drops the other's lines.
            application_log_level_v2=lambda_.ApplicationLogLevel[fn_config.log_level],
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            environment={
                **self._settings.to_env(),
                "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
                "POWERTOOLS_LOG_LEVEL": fn_config.log_level,
                "POWERTOOLS_METRICS_NAMESPACE": fn_config.metrics_namespace,
                # pydantic would scan every installed distribution for plugins at the first model
                # build; we use none (docs/performance.md).
                "PYDANTIC_DISABLE_PLUGINS": "__all__",
            },
            description=spec.summary,
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if fn_config.snapstart else None,
            dead_letter_queue=dead_letter_queue,
        )
        if fn_config.tracing:
            Validations.of(role).acknowledge(
                iam_wildcard_ack(
                    "Resource::*",
                    "X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions; CDK adds them for active tracing.",
                )
            )
        if Access.MEDIA_READ in spec.access:
            Validations.of(role).acknowledge(
                iam_wildcard_ack(
                    f"Resource::<{self._resources.media_bucket_logical_id}.Arn>/media/*",
                    "Downloads read any object under the media/ prefix, which holds only published renditions.",
                )
            )
        self.functions[spec.module] = function
        self.log_groups.append(logs_group)
        if not fn_config.snapstart:
            return function
        # current_version publishes a new version whenever the code or configuration changes;
        # the alias moves to it in the same deployment.
        return lambda_.Alias(self, f"{spec.function_id}Live", alias_name="live", version=function.current_version)


def iam_wildcard_ack(finding: str, reason: str) -> Acknowledgment:
    return Acknowledgment(id=f"AwsSolutions-IAM5[{finding}]", reason=reason)
