"""What ops and auditors look at: alarms to an SNS topic, a dashboard, and saved Logs Insights queries.

The runtime emits Powertools (EMF) metrics in the stage's namespace with the single dimension
service=portal, and one JSON audit line per security decision with a stable `event` name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import StageConfig
from infra.functions import SERVICE_NAME
from infra.mail import encrypted_topic
from infra.queries import AUDIT_QUERIES, Source, saved_name
from portal.audit import COUNTED_EVENTS

# Every metric the runtime counts (portal/audit.py), graphed on the dashboard.
BUSINESS_METRICS = tuple(COUNTED_EVENTS.values())
LOGIN_FAILURES = COUNTED_EVENTS["login_failed"]
DOWNLOAD_REFUSALS = COUNTED_EVENTS["download_quota_exceeded"]
PERIOD = Duration.minutes(5)


def _with_threshold(title: str, metric: cloudwatch.IMetric, threshold: float) -> cloudwatch.GraphWidget:
    """A third-width graph of an alarm's metric with its threshold drawn."""
    return cloudwatch.GraphWidget(
        title=title,
        left=[metric],
        left_annotations=[cloudwatch.HorizontalAnnotation(value=threshold, label="alarm")],
        width=8,
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
        waf_logs: logs.ILogGroup,
        dead_letter_queues: Mapping[str, sqs.IQueue],
    ) -> None:
        super().__init__(scope, id)
        namespace = config.functions.metrics_namespace
        self.alarm_topic = encrypted_topic(self, "AlarmTopic", key, "cloudwatch.amazonaws.com")
        if config.alarm_email:
            self.alarm_topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self.alarms: list[cloudwatch.Alarm] = []

        def business(metric_name: str, period: Duration = PERIOD) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace=namespace,
                metric_name=metric_name,
                dimensions_map={"service": SERVICE_NAME},
                statistic="Sum",
                period=period,
            )

        # 5XXError is 0 or 1 per request, so its average is the 5xx rate.
        self._alarm(
            "Api5xxRate",
            rest_api.metric_server_error(statistic="Average", period=PERIOD),
            config.api_5xx_rate_threshold,
            f"More than {config.api_5xx_rate_threshold:.0%} of API requests answered 5xx over 5 minutes",
        )
        self._alarm("EmailFailures", business("EmailFailures"), 1, "SES refused or failed to send mail")
        # Credential stuffing shows as many failed sign-ins a minute across accounts; per-address
        # lockout and the WAF's per-IP limit each see only a slice of it.
        login_failures = business(LOGIN_FAILURES, Duration.minutes(1))
        self._alarm(
            "LoginFailuresPerMinute",
            login_failures,
            config.login_failures_per_minute_threshold,
            f"{config.login_failures_per_minute_threshold} or more sign-ins failed within a minute: credential "
            "stuffing? (docs/operations.md: runbooks)",
        )
        download_refusals = business(DOWNLOAD_REFUSALS)
        self._alarm(
            "DownloadRefusals",
            download_refusals,
            config.download_refusals_threshold,
            f"{config.download_refusals_threshold} or more downloads refused by the daily quota within 5 minutes",
        )
        dead_letter_depths = []
        for module, queue in sorted(dead_letter_queues.items()):
            depth = queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum")
            dead_letter_depths.append(depth.with_(label=f"{module} dead letters"))
            self._alarm(
                f"{module}-dead-letters",
                depth,
                1,
                f"{module} failed events after every retry: they wait in its dead-letter queue (docs/operations.md)",
            )
        # By function name, Lambda's metrics add up every version and alias, so these alarms hold
        # with SnapStart's `live` alias too.
        # One alarm per function on errors + throttles (metric math): two alarms each would take the
        # stack past CloudFormation's 500 resources; the alarm's graph still shows both lines.
        for module, function in sorted(functions.items()):
            self._alarm(
                f"{module}-errors-or-throttles",
                cloudwatch.MathExpression(
                    expression="errors + throttles",
                    using_metrics={
                        "errors": function.metric_errors(period=PERIOD, statistic="Sum"),
                        "throttles": function.metric_throttles(period=PERIOD, statistic="Sum"),
                    },
                    label=f"{module} errors + throttles",
                    period=PERIOD,
                ),
                1,
                f"{module} raised errors or was throttled",
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
            _with_threshold("Failed sign-ins per minute", login_failures, config.login_failures_per_minute_threshold),
            _with_threshold("Downloads refused by the quota", download_refusals, config.download_refusals_threshold),
            cloudwatch.GraphWidget(title="Dead-letter queues", left=dead_letter_depths, width=8),
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=self.alarms, width=24),
        )

        groups = {Source.FUNCTIONS: list(function_logs), Source.ACCESS: [access_logs], Source.WAF: [waf_logs]}
        self.queries = [
            # The L1 takes the query text as auditors read it (the L2 would rebuild it from parts).
            logs.CfnQueryDefinition(
                self,
                f"Query-{query.name}",
                name=saved_name(config.name, query.name),
                query_string=query.query,
                log_group_names=[
                    g.log_group_name for source in Source if source in query.sources for g in groups[source]
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
