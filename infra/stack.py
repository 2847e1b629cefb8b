"""One stage of the product: every construct wired together from the route table."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from aws_cdk import Acknowledgment, CfnOutput, Duration, Environment, Stack, Tags, Validations
from aws_cdk import aws_kms as kms
from constructs import Construct

from functions.routes import AUTHORIZER, EVENT_FUNCTIONS, MAIL_EVENTS, ROUTES, EventFunction, Route
from infra.api import Api
from infra.config import StageConfig
from infra.data import Data
from infra.edge import CatalogueEdge, EdgeSecret
from infra.functions import FUNCTIONS_DIR, FunctionFactory, Resources, removal_policy
from infra.log_protection import LogProtection
from infra.mail import Email
from infra.monitoring import Monitoring
from infra.site import Site
from infra.storage import Storage
from infra.waf_logging import WafLogging
from portal.models.videos import VideoListQuery
from portal.settings import Settings


class PortalStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        routes: Sequence[Route] = ROUTES,
        event_functions: Sequence[EventFunction] = EVENT_FUNCTIONS,
        functions_dir: Path = FUNCTIONS_DIR,
    ) -> None:
        super().__init__(
            scope,
            id,
            env=Environment(account=config.account, region=config.region),
            description=f"Account backend of the multimedia portal, stage {config.name}",
        )
        Tags.of(self).add("project", "portal")
        Tags.of(self).add("stage", config.name)
        # The stack's customer-managed key: the SNS topics (SES feedback, alarms) and both keys secrets;
        # rotation yearly. (Its id predates the secret: renaming it would replace the key.)
        self.notifications_key = kms.Key(
            self,
            "NotificationsKey",
            enable_key_rotation=True,
            description=f"portal {config.name}: SNS topics and the keys secret",
            removal_policy=removal_policy(config),
            pending_window=Duration.days(7),
        )
        self.data = Data(self, "Data", config=config, key=self.notifications_key)
        self.storage = Storage(self, "Storage", config=config)
        self.email = Email(self, "Email", config=config, key=self.notifications_key)

        settings = Settings(
            stage=config.name,
            table_name=self.data.table.table_name,
            keys_secret_id=self.data.keys_secret.secret_arn,
            signing_keys_secret_id=self.data.signing_keys_secret.secret_arn,
            # Where other services find our public keys (GET /.well-known/openid-configuration).
            token_issuer=config.public_api_url,
            mail_sender=config.mail_sender,
            mail_configuration_set=self.email.configuration_set.configuration_set_name,
            cors_origins=config.cors_origins,
            media_bucket=self.storage.media.bucket_name,
            public_api_url=config.public_api_url,
            session_seconds=config.session_days * 86400,
            passkey_rp_id=config.passkey_rp_id,
            passkey_origins=config.passkey_origins,
        )
        self.factory = FunctionFactory(
            self,
            "Functions",
            config=config,
            settings=settings,
            functions_dir=functions_dir,
            log_protection=LogProtection(self, "LogProtection", config=config).policy,
            resources=Resources(
                table_arn=self.data.table.table_arn,
                keys_secret_arn=self.data.keys_secret.secret_arn,
                signing_keys_secret_arn=self.data.signing_keys_secret.secret_arn,
                keys_key_arn=self.notifications_key.key_arn,
                mail_identity_arn=self.email.identity_arn,
                mail_configuration_set_arn=self.email.configuration_set_arn,
                media_bucket_arn=self.storage.media.bucket_arn,
                media_bucket_logical_id=self.storage.media_logical_id,
            ),
        )
        # What build returns is what gets invoked: the function, or its `live` alias with SnapStart.
        event_targets = {
            spec.module: self.factory.build(
                spec, dead_letter_queue=self.email.dead_letters if spec is MAIL_EVENTS else None
            )
            for spec in event_functions
        }
        if MAIL_EVENTS in event_functions:
            self.email.deliver_events_to(event_targets[MAIL_EVENTS.module])

        self.edge_secret = EdgeSecret(self, "EdgeSecret", config=config)
        self.api = Api(
            self,
            "Api",
            config=config,
            routes=routes,
            function_for=self.factory.build,
            authorizer_function=lambda: self.factory.build(AUTHORIZER),
            edge_requests=self.edge_secret.exemption(),
        )
        self.waf_logging = WafLogging(self, "WafLogging", config=config, web_acl_arn=self.api.web_acl.web_acl.attr_arn)
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            config=config,
            key=self.notifications_key,
            rest_api=self.api.rest_api,
            functions=self.factory.functions,
            function_logs=self.factory.log_groups,
            access_logs=self.api.access_logs,
            waf_logs=self.waf_logging.log_group,
            dead_letter_queues={"mail_events": self.email.dead_letters},
        )
        self.site = Site(self, "Site", config=config, access_logs=self.storage.access_logs)
        self.catalogue_edge = CatalogueEdge(
            self,
            "CatalogueEdge",
            config=config,
            distribution=self.site.distribution,
            rest_api=self.api.rest_api,
            routes=routes,
            query_names=[field.alias or name for name, field in VideoListQuery.model_fields.items()],
            secret=self.edge_secret,
        )
        CfnOutput(self, "SiteUrl", value=self.site.url, description="The web client (its *.cloudfront.net address)")
        # What `portal-admin --stack-outputs` (ops/admin.py STACK_OUTPUTS) works on after `make deploy`:
        # outputs, not resources, so the stack's resource count is unchanged.
        for name, value, description in (
            ("TableName", self.data.table.table_name, "The table (portal-admin --table)"),
            ("KeysSecretArn", self.data.keys_secret.secret_arn, "The code and link keys secret"),
            ("SigningKeysSecretArn", self.data.signing_keys_secret.secret_arn, "The access-token signing keys"),
            ("Region", self.region, "The stack's region"),
        ):
            CfnOutput(self, name, value=value, description=description)
        Validations.of(self).acknowledge(
            Acknowledgment(
                id="AwsSolutions-L1",
                reason="The product targets Python 3.13 (layers are built and load-tested for 3.13); "
                "moving runtimes is a deliberate change, not a synth-time upgrade. The web client's upload "
                "function (BucketDeployment) runs the runtime aws-cdk-lib picks for it.",
            )
        )
