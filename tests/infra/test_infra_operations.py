"""What an auditor and on-call need from the template (issue 19): WAF logs, the dead-letter queue of
mail_events, the keys secret under the stack's key, CORS on API Gateway's own errors, the security
alarms, and the data protection policy on the function logs."""

from __future__ import annotations

import json

from functions.routes import AUTHORIZER, EVENT_FUNCTIONS, ROUTES, Access
from infra.log_protection import MANAGED_IDENTIFIERS, TOKEN_PATTERNS
from infra.waf_logging import REDACTED_HEADERS


def _alarm_topic(synth) -> dict:
    (topic_id,) = [lid for lid in synth.of_type("AWS::SNS::Topic") if lid.startswith("MonitoringAlarmTopic")]
    return {"Ref": topic_id}


def _alarms(synth) -> list[dict]:
    return [a["Properties"] for a in synth.of_type("AWS::CloudWatch::Alarm").values()]


# -- WAF logs ------------------------------------------------------------------------------------


def test_waf_logs_go_to_an_aws_waf_logs_group_with_authorization_and_cookie_redacted(synth):
    (group_id, group) = next(
        (lid, g)
        for lid, g in synth.of_type("AWS::Logs::LogGroup").items()
        if g["Properties"].get("LogGroupName") == f"aws-waf-logs-portal-{synth.config.name}"
    )
    assert group["Properties"]["RetentionInDays"] == synth.config.log_retention_days
    logging = synth.one("AWS::WAFv2::LoggingConfiguration")
    props = logging["Properties"]
    acl_id = next(iter(synth.of_type("AWS::WAFv2::WebACL")))
    assert props["ResourceArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    # WAF wants the group's ARN without the `:*` CloudFormation's Arn attribute ends with.
    (destination,) = props["LogDestinationConfigs"]
    rendered = "".join(p if isinstance(p, str) else "<account>" for p in destination["Fn::Join"][1])
    assert rendered == f"arn:aws:logs:{synth.config.region}:<account>:log-group:aws-waf-logs-portal-{synth.config.name}"
    assert group_id in logging["DependsOn"]
    assert sorted(f["SingleHeader"]["Name"] for f in props["RedactedFields"]) == ["authorization", "cookie"]
    assert set(REDACTED_HEADERS) == {"authorization", "cookie"}


# -- mail_events dead letters --------------------------------------------------------------------


def test_mail_events_failures_land_in_an_encrypted_tls_only_dead_letter_queue(synth):
    (queue_id, queue) = next(iter(synth.of_type("AWS::SQS::Queue").items()))
    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    queue_arn = {"Fn::GetAtt": [queue_id, "Arn"]}
    mail_events_id, mail_events = synth.function("mail_events.handler")
    # After Lambda's retries of the asynchronous (SNS) invocation...
    assert mail_events["Properties"]["DeadLetterConfig"] == {"TargetArn": queue_arn}
    # ...and when SNS cannot invoke the function at all.
    (subscription,) = synth.of_type("AWS::SNS::Subscription").values()
    assert subscription["Properties"]["RedrivePolicy"] == {"deadLetterTargetArn": queue_arn}
    policies = json.dumps(list(synth.of_type("AWS::SQS::QueuePolicy").values()))
    assert '"aws:SecureTransport": "false"' in policies and "sns.amazonaws.com" in policies
    # No other function has a dead-letter queue: route functions answer synchronously.
    others = [f for lid, f in synth.product_functions().items() if lid != mail_events_id]
    assert not [f for f in others if "DeadLetterConfig" in f["Properties"]]


def test_dead_letters_and_mail_events_errors_alarm_to_the_alarm_topic(synth):
    (queue_id,) = synth.of_type("AWS::SQS::Queue")
    topic = _alarm_topic(synth)
    (depth,) = [a for a in _alarms(synth) if a.get("MetricName") == "ApproximateNumberOfMessagesVisible"]
    assert depth["Namespace"] == "AWS/SQS" and depth["Threshold"] == 1 and depth["Statistic"] == "Maximum"
    assert depth["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_id, "QueueName"]}}]
    assert depth["AlarmActions"] == [topic]
    mail_events_id, _ = synth.function("mail_events.handler")
    (errors,) = [
        a
        for a in _alarms(synth)
        for m in a.get("Metrics", [])
        if "MetricStat" in m
        and m["MetricStat"]["Metric"]["MetricName"] == "Errors"
        and {"Name": "FunctionName", "Value": {"Ref": mail_events_id}} in m["MetricStat"]["Metric"]["Dimensions"]
    ]
    assert errors["AlarmActions"] == [topic]
    assert "ApproximateNumberOfMessagesVisible" in json.dumps(synth.one("AWS::CloudWatch::Dashboard"))


# -- the keys secret -----------------------------------------------------------------------------


def test_both_keys_secrets_are_encrypted_with_the_stacks_rotated_customer_managed_key(synth):
    (key_id, key) = next(iter(synth.of_type("AWS::KMS::Key").items()))
    assert key["Properties"]["EnableKeyRotation"] is True
    # The keys secret (Data/Keys) and the access-token signing keys (Data/SigningKeys); the stack
    # holds other secrets (the edge's origin header).
    secrets = {lid: r for lid, r in synth.of_type("AWS::SecretsManager::Secret").items() if lid.startswith("DataKeys")}
    secrets |= {lid: r for lid, r in synth.of_type("AWS::SecretsManager::Secret").items() if "SigningKeys" in lid}
    assert len(secrets) == 2
    for lid, secret in secrets.items():
        assert secret["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}, lid
    # Whoever reads either secret may decrypt with that key, through Secrets Manager only; no one else.
    readers = {Access.KEYS_READ, Access.SIGNING_KEYS_READ}
    decrypting = set()
    for spec in (*ROUTES, *EVENT_FUNCTIONS, AUTHORIZER):
        _, function = synth.function(spec.handler)
        decrypts = [s for s in synth.role_statements(function) if "kms:Decrypt" in json.dumps(s["Action"])]
        if not spec.access & readers:
            assert decrypts == [], spec.module
            continue
        (statement,) = decrypts
        assert statement["Action"] == "kms:Decrypt", spec.module
        assert statement["Resource"] == {"Fn::GetAtt": [key_id, "Arn"]}
        via = statement["Condition"]["StringEquals"]["kms:ViaService"]
        assert "secretsmanager." in json.dumps(via), spec.module
        decrypting.add(spec.module)
    # The routes that sign tokens decrypt the signing keys even where they hold no code key.
    assert {"auth_login", "auth_login_mfa", "auth_passkey", "auth_refresh"} <= decrypting
    assert "authorizer" not in decrypting


# -- CORS on API Gateway's own errors ------------------------------------------------------------


def _gateway_responses(synth) -> list[dict]:
    return [r["Properties"] for r in synth.of_type("AWS::ApiGateway::GatewayResponse").values()]


def _allow_origin_on_gateway_errors(synth) -> set:
    return {
        r["ResponseParameters"].get("gatewayresponse.header.Access-Control-Allow-Origin")
        for r in _gateway_responses(synth)
    }


def test_prod_gateway_errors_name_its_one_origin(prod):
    (origin,) = prod.config.cors_origins
    assert _allow_origin_on_gateway_errors(prod) == {f"'{origin}'"}
    assert not [r for r in _gateway_responses(prod) if "gatewayresponse.header.Vary" in r["ResponseParameters"]]


def test_gateway_errors_echo_the_origin_where_a_stage_has_several(dev, options):
    for synth in (dev, options):  # dev: two origins; options: three (a custom site domain)
        assert len(synth.config.cors_origins) > 1
        assert _allow_origin_on_gateway_errors(synth) == {"method.request.header.Origin"}
        # Caches must not hand one origin's answer to another.
        assert {r["ResponseParameters"]["gatewayresponse.header.Vary"] for r in _gateway_responses(synth)} == {
            "'Origin'"
        }


def test_every_stage_gives_cors_to_every_gateway_error_including_the_defaults(synth):
    types = {r["ResponseType"] for r in _gateway_responses(synth)}
    assert {"DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED", "THROTTLED"} <= types
    assert None not in _allow_origin_on_gateway_errors(synth)


# -- security alarms -----------------------------------------------------------------------------


def test_failed_sign_ins_per_minute_and_download_refusals_alarm_and_are_on_the_dashboard(synth):
    topic = _alarm_topic(synth)
    namespace = synth.config.functions.metrics_namespace
    by_metric = {a.get("MetricName"): a for a in _alarms(synth) if a.get("Namespace") == namespace}
    logins = by_metric["LoginsFailed"]
    assert logins["Period"] == 60 and logins["Statistic"] == "Sum"
    assert logins["Threshold"] == synth.config.login_failures_per_minute_threshold
    refusals = by_metric["DownloadRefusals"]
    assert refusals["Threshold"] == synth.config.download_refusals_threshold and refusals["Period"] == 300
    for alarm in (logins, refusals):
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["Dimensions"] == [{"Name": "service", "Value": "portal"}]
        assert alarm["AlarmActions"] == [topic]
    body = json.dumps(synth.one("AWS::CloudWatch::Dashboard")["Properties"]["DashboardBody"])
    assert "Failed sign-ins per minute" in body and "Downloads refused by the quota" in body
    assert '\\"DownloadRefusals\\"' in body and '\\"period\\":60' in body


def test_the_download_refusal_metric_is_what_the_runtime_counts():
    from portal.audit import COUNTED_EVENTS

    assert COUNTED_EVENTS["download_quota_exceeded"] == "DownloadRefusals"
    assert COUNTED_EVENTS["login_failed"] == "LoginsFailed"


# -- data protection on the function logs --------------------------------------------------------


def test_every_function_log_group_masks_addresses_and_tokens_and_audits_findings(synth):
    groups = synth.of_type("AWS::Logs::LogGroup")
    custom = sorted(TOKEN_PATTERNS)
    managed = [f"arn:aws:dataprotection::aws:data-identifier/{name}" for name in MANAGED_IDENTIFIERS]
    findings_ids = set()
    for function in synth.product_functions().values():
        group = groups[function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]]
        policy = group["Properties"]["DataProtectionPolicy"]
        audit_statement, mask_statement = policy["Statement"]
        for statement in (audit_statement, mask_statement):
            assert sorted(statement["DataIdentifier"]) == sorted([*managed, *custom])
        assert mask_statement["Operation"] == {"Deidentify": {"MaskConfig": {}}}
        destination = audit_statement["Operation"]["Audit"]["FindingsDestination"]["CloudWatchLogs"]["LogGroup"]
        findings_ids.add(destination["Ref"])
        assert {i["Name"]: i["Regex"] for i in policy["Configuration"]["CustomDataIdentifier"]} == TOKEN_PATTERNS
    (findings_id,) = findings_ids
    assert groups[findings_id]["Properties"]["RetentionInDays"] == synth.config.log_retention_days
    assert "DataProtectionPolicy" not in groups[findings_id]["Properties"]


# -- what `make deploy` hands to portal-admin ----------------------------------------------------


def test_the_stack_outputs_name_what_portal_admin_works_on(synth):
    from ops.admin import STACK_OUTPUTS

    outputs = {name: output["Value"] for name, output in synth.template["Outputs"].items()}
    assert set(STACK_OUTPUTS) <= set(outputs)
    (table_id,) = synth.of_type("AWS::DynamoDB::Table")
    secrets = synth.of_type("AWS::SecretsManager::Secret")
    (signing_id,) = [lid for lid in secrets if "SigningKeys" in lid]
    (keys_id,) = [lid for lid in secrets if lid.startswith("DataKeys")]
    assert outputs["TableName"] == {"Ref": table_id}
    assert outputs["SigningKeysSecretArn"] == {"Ref": signing_id}
    assert outputs["KeysSecretArn"] == {"Ref": keys_id}
    assert outputs["Region"] == (synth.config.region or {"Ref": "AWS::Region"})  # empty: environment-agnostic
