"""SES: the sending domain identity, its configuration set, and bounce/complaint feedback.

SES publishes bounces and complaints to an SNS topic; the `mail_events` function subscribed to
it records the address as suppressed (EMAIL#<address>/SUPPRESSED, with the reason, for ops and
auditors). What stops further mail is SES itself: the configuration set every send names puts
bouncing and complaining addresses on the suppression list and drops mail to them. The sending
code does not yet read the record (a possible refinement: skip the send and say so in the audit).
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import StageConfig


def encrypted_topic(scope: Construct, id: str, key: kms.IKey, publisher: str) -> sns.Topic:
    """An SNS topic encrypted with `key`, TLS-only, which the AWS service `publisher` may publish to."""
    topic = sns.Topic(scope, id, master_key=key, enforce_ssl=True)
    # The service encrypts what it publishes with the topic's key, so the key must let it.
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal(publisher)],
            actions=["kms:GenerateDataKey*", "kms:Decrypt"],
            resources=["*"],  # in a key policy, "*" is this key
            conditions={"StringEquals": {"aws:SourceAccount": Stack.of(scope).account}},
        )
    )
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal(publisher)],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions={"StringEquals": {"aws:SourceAccount": Stack.of(scope).account}},
        )
    )
    return topic


class Email(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig, key: kms.IKey) -> None:
        super().__init__(scope, id)
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE,
            reputation_metrics=True,
            # The account-level list also stops SES itself from retrying known-bad addresses.
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        )
        self.identity = ses.EmailIdentity(
            self,
            "Identity",
            identity=ses.Identity.domain(config.mail_domain),
            configuration_set=self.configuration_set,
        )
        self.events = encrypted_topic(self, "BouncesAndComplaints", key, "ses.amazonaws.com")
        self.configuration_set.add_event_destination(
            "ToTopic",
            destination=ses.EventDestination.sns_topic(self.events),
            events=[ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
        )
        # Feedback that `mail_events` could not record (after Lambda's two retries, or that SNS could
        # not deliver at all) waits here for 14 days instead of being lost; Monitoring alarms on its
        # depth. SQS-managed encryption: SNS and Lambda write to it without a key grant.
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        Validations.of(self.dead_letters).acknowledge(
            Acknowledgment(
                id="AwsSolutions-SQS3",
                reason="This queue is the dead-letter queue (of the mail_events function and its SNS subscription).",
            )
        )

    @property
    def identity_arn(self) -> str:
        return Stack.of(self).format_arn(
            service="ses", resource="identity", resource_name=self.identity.email_identity_name
        )

    @property
    def configuration_set_arn(self) -> str:
        return Stack.of(self).format_arn(
            service="ses", resource="configuration-set", resource_name=self.configuration_set.configuration_set_name
        )

    def deliver_events_to(self, function: lambda_.IFunction) -> None:
        """Subscribes `function` (with SnapStart, the function's `live` alias) to bounces and complaints."""
        self.events.add_subscription(subscriptions.LambdaSubscription(function, dead_letter_queue=self.dead_letters))
        if isinstance(function, lambda_.Alias):
            Validations.of(function).acknowledge(
                Acknowledgment(
                    id="W3694",
                    reason="SNS invokes a Lambda alias ARN like a function ARN (a qualified function ARN); the "
                    "subscription targets the alias so SnapStart's published version gets the events.",
                )
            )
