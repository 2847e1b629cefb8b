"""WAF request logs to CloudWatch Logs, for on-call to see who was blocked, by which rule.

WAF only delivers to a log group whose name starts with `aws-waf-logs-`, addressed by its ARN without
the `:*` suffix CloudFormation's `Arn` attribute carries. The `Authorization` and `Cookie` headers are
redacted before the line is written: a bearer token must not end up readable in a log.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.config import StageConfig
from infra.functions import log_group

WAF_LOG_PREFIX = "aws-waf-logs-"
REDACTED_HEADERS = ("authorization", "cookie")


class WafLogging(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig, web_acl_arn: str) -> None:
        super().__init__(scope, id)
        name = f"{WAF_LOG_PREFIX}portal-{config.name}"
        self.log_group = log_group(self, "Logs", config, name=name)
        destination = Stack.of(self).format_arn(
            service="logs", resource="log-group", resource_name=name, arn_format=ArnFormat.COLON_RESOURCE_NAME
        )
        self.configuration = wafv2.CfnLoggingConfiguration(
            self,
            "Configuration",
            resource_arn=web_acl_arn,
            log_destination_configs=[destination],
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": header})
                for header in REDACTED_HEADERS
            ],
        )
        self.configuration.node.add_dependency(self.log_group)
