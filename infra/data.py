"""The single DynamoDB table and the key-material secret: the product's state."""

from __future__ import annotations

import json

from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.config import StageConfig
from infra.functions import removal_policy
from portal import keys, tables


def _string_key(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class Data(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig, key: kms.IKey) -> None:
        super().__init__(scope, id)
        # Key names come from portal/tables.py, which the store and the local emulation also use.
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=_string_key(tables.PARTITION_KEY),
            sort_key=_string_key(tables.SORT_KEY),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute=tables.TTL_ATTRIBUTE,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=config.deletion_protection,
            removal_policy=removal_policy(config),
        )
        self.table.add_global_secondary_index(
            index_name=tables.GSI1,
            partition_key=_string_key(tables.GSI1_PARTITION_KEY),
            sort_key=_string_key(tables.GSI1_SORT_KEY),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        # The document shape portal/keys.py reads: {"kid": "k1", "secret": <random>}; rotation adds "previous".
        self.keys_secret = secretsmanager.Secret(
            self,
            "Keys",
            description=f"portal {config.name}: token and code signing key material (docs/operations.md: rotation)",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps(keys.SECRET_TEMPLATE),
                generate_string_key=keys.SECRET_FIELD,
                exclude_punctuation=True,
                password_length=keys.SECRET_LENGTH,
            ),
            # The stack's customer-managed key (rotated yearly): reading the key material takes a KMS
            # grant on top of secretsmanager:GetSecretValue, and CloudTrail records every decryption.
            encryption_key=key,
            removal_policy=removal_policy(config),
        )
        Validations.of(self.keys_secret).acknowledge(
            Acknowledgment(
                id="AwsSolutions-SMG4",
                reason="Rotation keeps the old key in `previous` for as long as tokens it signed live; "
                "that is a manual, documented procedure (docs/operations.md), not a rotation Lambda.",
            )
        )
