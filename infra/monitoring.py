"""What ops and auditors look at: alarms to an SNS topic, a dashboard, and saved Logs Insights queries.

The runtime emits Powertools (EMF) metrics in the stage's namespace with the single dimension
service=portal, and one JSON audit line per security decision with a stable `event` name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.config import StageConfig
from infra.functions import SERVICE_NAME
from infra.mail import encrypted_topic

BUSINESS_METRICS = (
    "SignUps",
    "Confirmations",
    "LoginsSucceeded",
    "LoginsFailed",
    "Lockouts",
    "PasswordResets",
    "Downloads",
    "EmailFailures",
    "MfaChallengesFailed",
)
PERIOD = Duration.minutes(5)


@dataclass(frozen=True)
class AuditQuery:
    name: str
    query: str
    include_access_logs: bool = False


# Auditors open these by name in CloudWatch Logs Insights (docs/operations.md lists them).
AUDIT_QUERIES = (
    AuditQuery(
        "failed-logins-by-account",
        'filter event = "login_failed"\n| stats count(*) as failures, latest(@timestamp) as last by email, sub\n| sort failures desc',
    ),
    AuditQuery(
        "downloads-by-video",
        'filter event = "download_issued"\n| stats count(*) as downloads, count_distinct(sub) as accounts by videoId, rendition\n| sort downloads desc',
    ),
    AuditQuery(
        "account-history-by-sub",
        'fields @timestamp, event, email, requestId, sourceIp\n| filter sub = "REPLACE-WITH-SUB"\n| sort @timestamp asc',
    ),
    AuditQuery(
        "password-resets",
        'filter event = "password_reset_completed"\n| fields @timestamp, sub, email, requestId, sourceIp\n| sort @timestamp desc',
    ),
    AuditQuery(
        "throttled-requests",
        # Both the runtime's send limits and API Gateway/WAF 429s (the access log's `status`).
        "fields @timestamp, event, email, sourceIp, ip, resourcePath, status\n"
        '| filter event = "send_throttled" or status = "429"\n| sort @timestamp desc',
        include_access_logs=True,
    ),
)


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        key: kms.IKey,
        rest_api: apigateway.RestApi,
        functions: Mapping[str, lambda_.Function],
        function_logs: Sequence[logs.ILogGroup],
        access_logs: logs.ILogGroup,
    ) -> None:
        super().__init__(scope, id)
        namespace = config.functions.metrics_namespace
        self.alarm_topic = encrypted_topic(self, "AlarmTopic", key, "cloudwatch.amazonaws.com")
        if config.alarm_email:
            self.alarm_topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self.alarms: list[cloudwatch.Alarm] = []

        def business(metric_name: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace=namespace,
                metric_name=metric_name,
                dimensions_map={"service": SERVICE_NAME},
                statistic="Sum",
                period=PERIOD,
            )

        # 5XXError is 0 or 1 per request, so its average is the 5xx rate.
        self._alarm(
            "Api5xxRate",
            rest_api.metric_server_error(statistic="Average", period=PERIOD),
            config.api_5xx_rate_threshold,
            f"More than {config.api_5xx_rate_threshold:.0%} of API requests answered 5xx over 5 minutes",
        )
        self._alarm("EmailFailures", business("EmailFailures"), 1, "SES refused or failed to send mail")
        # By function name, Lambda's metrics add up every version and alias, so these alarms hold
        # with SnapStart's `live` alias too.
        for module, function in sorted(functions.items()):
            self._alarm(
                f"{module}-errors", function.metric_errors(period=PERIOD, statistic="Sum"), 1, f"{module} raised errors"
            )
            self._alarm(
                f"{module}-throttles",
                function.metric_throttles(period=PERIOD, statistic="Sum"),
                1,
                f"{module} was throttled",
            )

        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=f"portal-{config.name}")
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="API requests and errors",
                left=[
                    rest_api.metric_count(period=PERIOD),
                    rest_api.metric_client_error(period=PERIOD),
                    rest_api.metric_server_error(period=PERIOD),
                ],
                right=[rest_api.metric_latency(period=PERIOD, statistic="p99")],
                width=12,
            ),
            cloudwatch.GraphWidget(title="Accounts", left=[business(name) for name in BUSINESS_METRICS], width=12),
            cloudwatch.GraphWidget(
                title="Function errors and throttles",
                left=[f.metric_errors(period=PERIOD, label=f"{m} errors") for m, f in sorted(functions.items())],
                right=[f.metric_throttles(period=PERIOD, label=f"{m} throttles") for m, f in sorted(functions.items())],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Function duration p99",
                left=[f.metric_duration(period=PERIOD, statistic="p99", label=m) for m, f in sorted(functions.items())],
                width=12,
            ),
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=self.alarms, width=24),
        )

        self.queries = [
            # The L1 takes the query text as auditors read it (the L2 would rebuild it from parts).
            logs.CfnQueryDefinition(
                self,
                f"Query-{query.name}",
                name=f"portal-{config.name}/{query.name}",
                query_string=query.query,
                log_group_names=[
                    g.log_group_name for g in [*function_logs, *([access_logs] if query.include_access_logs else [])]
                ],
            )
            for query in AUDIT_QUERIES
        ]

    def _alarm(self, name: str, metric: cloudwatch.IMetric, threshold: float, description: str) -> None:
        alarm = metric.create_alarm(
            self,
            name,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(actions.SnsAction(self.alarm_topic))
        self.alarms.append(alarm)
