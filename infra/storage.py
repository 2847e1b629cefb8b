"""The media bucket (published renditions, read through presigned URLs) and its access-log bucket."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, Stack, Validations
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.config import StageConfig
from infra.functions import removal_policy

MEDIA_PREFIX = "media/"


def private_bucket(scope: Construct, id: str, config: StageConfig, **props: object) -> s3.Bucket:
    """Private, TLS-only, encrypted: what every bucket of the product is."""
    return s3.Bucket(
        scope,
        id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        removal_policy=removal_policy(config),
        **props,
    )


class Storage(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig) -> None:
        super().__init__(scope, id)
        self.access_logs = private_bucket(
            self,
            "AccessLogs",
            config,
            # The S3 log delivery service writes with the bucket owner's ownership; ACLs stay enabled,
            # as CloudFront's standard logs (infra/site.py) are delivered through them.
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(config.log_retention_days))],
        )
        Validations.of(self.access_logs).acknowledge(
            Acknowledgment(
                id="AwsSolutions-S1", reason="This is the access-log bucket; logging it to itself would loop."
            )
        )
        self.media = private_bucket(
            self,
            "Media",
            config,
            versioned=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix=MEDIA_PREFIX,
        )

    @property
    def media_logical_id(self) -> str:
        return Stack.of(self).get_logical_id(self.media.node.default_child)  # type: ignore[arg-type]
