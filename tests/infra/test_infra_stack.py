"""The synthesized template of every stage, resource by resource, against the issue's bullets."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile

import pytest
from aws_cdk.assertions import Match, Template

from functions.routes import AUTHORIZER, EVENT_FUNCTIONS, ROUTES, Access, Profile
from infra.queries import AUDIT_QUERIES, Source
from portal import keys, tables
from portal.settings import Settings


def template(synth) -> Template:
    return Template.from_json(synth.template)


# -- the stack as a whole ------------------------------------------------------------------------

# CloudFormation refuses to create or update a stack of more than 500 resources. The stack reached
# 571 once after merges and nothing said so before a deploy would have. Today (December 2026): dev
# 418, prod 496, the options variant (dev with SnapStart and a custom site domain) 495 (docs/capacity.md).
MAX_RESOURCES = 500


def fits_in_one_stack(synth) -> None:
    count = len(synth.resources)
    assert count <= MAX_RESOURCES, (
        f"{synth.config.stack_name} has {count} resources; CloudFormation takes at most {MAX_RESOURCES} per "
        "stack: merge alarms or permissions, or move a concern to a nested stack (docs/capacity.md)"
    )


def test_each_stage_fits_in_one_cloudformation_stack(synth):
    fits_in_one_stack(synth)


def test_the_stage_with_every_optional_setting_fits_too(options):
    fits_in_one_stack(options)


def test_the_resource_count_check_refuses_a_stack_over_500(dev):
    crowded = dataclasses.replace(dev, template={"Resources": {f"R{n}": {} for n in range(MAX_RESOURCES + 1)}})
    with pytest.raises(AssertionError, match=f"has {MAX_RESOURCES + 1} resources"):
        fits_in_one_stack(crowded)


# -- data ----------------------------------------------------------------------------------------


def test_table_keys_come_from_portal_tables_and_it_is_on_demand_with_ttl_and_pitr(synth):
    expected = tables.create_table_request("unused")
    template(synth).has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": expected["KeySchema"],
            "AttributeDefinitions": Match.array_with(expected["AttributeDefinitions"]),
            "GlobalSecondaryIndexes": [Match.object_like(index) for index in expected["GlobalSecondaryIndexes"]],
            "TimeToLiveSpecification": {"AttributeName": tables.TTL_ATTRIBUTE, "Enabled": True},
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        },
    )


def test_prod_keeps_its_state_and_dev_can_be_destroyed(dev, prod):
    for synth, policy, protected in ((prod, "Retain", True), (dev, "Delete", False)):
        table = synth.one("AWS::DynamoDB::Table")
        assert table["DeletionPolicy"] == policy
        assert table["Properties"].get("DeletionProtectionEnabled", False) is protected
        for stateful in ("AWS::SecretsManager::Secret", "AWS::S3::Bucket", "AWS::KMS::Key"):
            assert {r["DeletionPolicy"] for r in synth.of_type(stateful).values()} == {policy}, stateful


def test_keys_secret_is_generated_in_the_shape_portal_keys_reads(synth):
    template(synth).has_resource_properties(
        "AWS::SecretsManager::Secret",
        {
            "GenerateSecretString": {
                "SecretStringTemplate": json.dumps(keys.SECRET_TEMPLATE),
                "GenerateStringKey": keys.SECRET_FIELD,
                "ExcludePunctuation": True,
                "PasswordLength": keys.SECRET_LENGTH,
            }
        },
    )


# -- storage -------------------------------------------------------------------------------------


def test_media_bucket_is_private_encrypted_versioned_tls_only_and_logged_elsewhere(synth):
    buckets = synth.of_type("AWS::S3::Bucket")
    (media_id,) = [lid for lid, r in buckets.items() if "VersioningConfiguration" in r["Properties"]]
    media = buckets[media_id]["Properties"]
    log_bucket_ref = media["LoggingConfiguration"]["DestinationBucketName"]["Ref"]
    assert log_bucket_ref in buckets and log_bucket_ref != media_id
    assert media["VersioningConfiguration"] == {"Status": "Enabled"}
    assert media["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert media["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"
    }
    for bucket_id in buckets:
        (policy,) = [
            p
            for p in synth.of_type("AWS::S3::BucketPolicy").values()
            if p["Properties"]["Bucket"] == {"Ref": bucket_id}
        ]
        assert {
            "Effect": "Deny",
            "Action": "s3:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }.items() <= policy["Properties"]["PolicyDocument"]["Statement"][0].items()


# -- functions -----------------------------------------------------------------------------------


def test_one_function_per_route_and_event_function_and_nothing_else(synth):
    handlers = sorted(r["Properties"]["Handler"] for r in synth.product_functions().values())
    assert handlers == sorted(spec.handler for spec in (*ROUTES, *EVENT_FUNCTIONS, AUTHORIZER))
    # Besides them, only CDK's function behind the web client's BucketDeployment.
    (deployment,) = synth.of_type("Custom::CDKBucketDeployment").values()
    assert set(synth.custom_resource_functions()) == {deployment["Properties"]["ServiceToken"]["Fn::GetAtt"][0]}


def test_functions_run_python_313_with_both_layers_sized_by_profile(synth):
    layers = synth.product_layers()
    assert len(layers) == 2
    functions_config = synth.config.functions
    for spec in (*ROUTES, *EVENT_FUNCTIONS):
        _, function = synth.function(spec.handler)
        props = function["Properties"]
        assert props["Runtime"] == "python3.13"
        assert props["Architectures"] == ["x86_64"]
        assert sorted(layer["Ref"] for layer in props["Layers"]) == sorted(layers)
        expected = (
            functions_config.hashing_memory_mb if spec.profile is Profile.HASHING else functions_config.light_memory_mb
        )
        assert props["MemorySize"] == expected, spec.module
        assert props["Timeout"] == functions_config.timeout_seconds
        assert props["TracingConfig"] == {"Mode": "Active" if functions_config.tracing else "PassThrough"}


def test_hashing_functions_get_more_memory_than_light_ones(synth):
    hashing = {r.handler for r in ROUTES if r.profile is Profile.HASHING}
    light = {r.handler for r in ROUTES if r.profile is Profile.LIGHT}
    assert hashing and light
    assert min(synth.function(h)[1]["Properties"]["MemorySize"] for h in hashing) > max(
        synth.function(h)[1]["Properties"]["MemorySize"] for h in light
    )


def test_function_environment_carries_settings_and_powertools(synth):
    config = synth.config
    refs = {
        "table": {"Ref": next(iter(synth.of_type("AWS::DynamoDB::Table")))},
        "secret": {"Ref": next(n for n in synth.of_type("AWS::SecretsManager::Secret") if "SigningKeys" not in n)},
        "signing-secret": {"Ref": next(n for n in synth.of_type("AWS::SecretsManager::Secret") if "SigningKeys" in n)},
        "config-set": {"Ref": next(iter(synth.of_type("AWS::SES::ConfigurationSet")))},
        "media": {
            "Ref": next(
                lid
                for lid, b in synth.of_type("AWS::S3::Bucket").items()
                if "VersioningConfiguration" in b["Properties"]
            )
        },
    }
    settings = Settings(
        stage=config.name,
        table_name="table",
        keys_secret_id="secret",
        signing_keys_secret_id="signing-secret",
        token_issuer=config.public_api_url,
        mail_sender=config.mail_sender,
        mail_configuration_set="config-set",
        cors_origins=config.cors_origins,
        media_bucket="media",
        public_api_url=config.public_api_url,
        session_seconds=config.session_days * 86400,
        passkey_rp_id=config.passkey_rp_id,
        passkey_origins=config.passkey_origins,
    )
    expected = {name: refs.get(value, value) for name, value in settings.to_env().items()}
    assert expected["PORTAL_CORS_ORIGINS"] == ",".join(config.cors_origins)
    for function in synth.product_functions().values():
        assert function["Properties"]["Environment"]["Variables"] == expected | {
            "POWERTOOLS_SERVICE_NAME": "portal",
            "POWERTOOLS_LOG_LEVEL": config.functions.log_level,
            "POWERTOOLS_METRICS_NAMESPACE": config.functions.metrics_namespace,
            "PYDANTIC_DISABLE_PLUGINS": "__all__",
        }


def test_each_function_logs_json_to_its_own_log_group_with_the_stage_retention(synth):
    groups = synth.of_type("AWS::Logs::LogGroup")
    seen = set()
    for function in synth.product_functions().values():
        logging = function["Properties"]["LoggingConfig"]
        assert logging["LogFormat"] == "JSON"
        assert logging["ApplicationLogLevel"] == synth.config.functions.log_level
        group_id = logging["LogGroup"]["Ref"]
        assert groups[group_id]["Properties"]["RetentionInDays"] == synth.config.log_retention_days
        seen.add(group_id)
    assert len(seen) == len(synth.product_functions())


def _statements_by_action(statements):
    found = {}
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for action in actions:
            found.setdefault(action, []).extend(resources)
    return found


ACTIONS = {
    Access.TABLE_READ: {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem"},
    Access.TABLE_WRITE: {
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:BatchWriteItem",
    },
    Access.MAIL_SEND: {"ses:SendEmail"},
    Access.KEYS_READ: {"secretsmanager:GetSecretValue", "kms:Decrypt"},
    Access.SIGNING_KEYS_READ: {"secretsmanager:GetSecretValue", "kms:Decrypt"},
    Access.MEDIA_READ: {"s3:GetObject"},
}
LOGS = {"logs:CreateLogStream", "logs:PutLogEvents"}
XRAY = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def test_each_role_allows_exactly_what_its_access_needs(synth):
    for spec in (*ROUTES, *EVENT_FUNCTIONS):
        _, function = synth.function(spec.handler)
        by_action = _statements_by_action(synth.role_statements(function))
        expected = (
            set().union(*(ACTIONS[a] for a in spec.access)) | LOGS | (XRAY if synth.config.functions.tracing else set())
        )
        if spec.module == "mail_events":
            expected |= {"sqs:SendMessage"}  # its dead-letter queue
        assert set(by_action) == expected, spec.module
        for action, resources in by_action.items():
            # Only X-Ray, which has no resource-level permissions, may name every resource.
            assert ("*" in resources) == (action in XRAY), (spec.module, action)


def test_roles_name_their_resources(synth):
    _, register = synth.function("account_register.handler")
    by_action = _statements_by_action(synth.role_statements(register))
    table_id = next(iter(synth.of_type("AWS::DynamoDB::Table")))
    assert by_action["dynamodb:PutItem"] == [{"Fn::GetAtt": [table_id, "Arn"]}]
    assert {"Fn::Join": ["", [{"Fn::GetAtt": [table_id, "Arn"]}, f"/index/{tables.GSI1}"]]} in by_action[
        "dynamodb:Query"
    ]
    keys_secret = next(n for n in synth.of_type("AWS::SecretsManager::Secret") if "SigningKeys" not in n)
    assert by_action["secretsmanager:GetSecretValue"] == [{"Ref": keys_secret}]
    ses_resources = json.dumps(by_action["ses:SendEmail"])
    assert ":identity/" in ses_resources and ":configuration-set/" in ses_resources
    log_group_id = register["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    assert by_action["logs:PutLogEvents"] == [{"Fn::GetAtt": [log_group_id, "Arn"]}]


def test_only_the_functions_that_issue_tokens_can_read_the_signing_keys(synth):
    signing_secret = {"Ref": next(n for n in synth.of_type("AWS::SecretsManager::Secret") if "SigningKeys" in n)}
    readers = set()
    for spec in (*ROUTES, *EVENT_FUNCTIONS, AUTHORIZER):
        _, function = synth.function(spec.handler)
        if signing_secret in _statements_by_action(synth.role_statements(function)).get(
            "secretsmanager:GetSecretValue", []
        ):
            readers.add(spec.module)
    # Password sign-in, its second step, a passkey sign-in, and refresh: the routes that hand out tokens.
    assert readers == {"auth_login", "auth_login_mfa", "auth_passkey", "auth_refresh"}
    _, authorizer = synth.function(AUTHORIZER.handler)
    assert set(_statements_by_action(synth.role_statements(authorizer))) - LOGS - XRAY == ACTIONS[Access.TABLE_READ]


def test_no_role_uses_a_managed_policy(synth):
    for role in synth.of_type("AWS::IAM::Role").values():
        assert "ManagedPolicyArns" not in role["Properties"]


def test_each_function_asset_is_its_one_module_under_64_kb_zipped(synth):
    for spec in (*ROUTES, *EVENT_FUNCTIONS):
        _, function = synth.function(spec.handler)
        asset = synth.asset_dir(function)
        files = sorted(str(p.relative_to(asset)) for p in asset.rglob("*"))
        assert files == [f"{spec.module}.py"], spec.module
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(asset / files[0], files[0])
        assert len(buffer.getvalue()) < 64 * 1024


def test_runtime_layer_is_the_portal_package_without_bytecode(synth):
    layer_dirs = [synth.asset_dir(layer) for layer in synth.product_layers().values()]
    (runtime_dir,) = [d for d in layer_dirs if (d / "python" / "portal").is_dir()]
    assert (runtime_dir / "python" / "portal" / "dynamo" / "accounts.py").is_file()
    assert not [p for p in runtime_dir.rglob("*") if p.name == "__pycache__" or p.suffix == ".pyc"]
    (dependencies_dir,) = [d for d in layer_dirs if d != runtime_dir]
    assert (dependencies_dir / "python" / "pydantic_core").is_dir()
    assert not (dependencies_dir / "python" / "boto3").exists()
    assert not (dependencies_dir / "requirements.txt").exists()


# -- api -----------------------------------------------------------------------------------------


def _resource_paths(synth) -> dict[str, str]:
    """Logical id of each API resource -> its full path."""
    resources = synth.of_type("AWS::ApiGateway::Resource")
    paths: dict[str, str] = {}

    def path_of(lid: str) -> str:
        if lid not in paths:
            props = resources[lid]["Properties"]
            parent = props["ParentId"]
            prefix = path_of(parent["Ref"]) if "Ref" in parent else ""
            paths[lid] = f"{prefix}/{props['PathPart']}"
        return paths[lid]

    for lid in resources:
        path_of(lid)
    return paths


def test_each_route_is_one_method_on_its_path_integrated_with_its_function(synth):
    paths = _resource_paths(synth)
    methods = {
        (m["Properties"]["HttpMethod"], paths[m["Properties"]["ResourceId"]["Ref"]]): m["Properties"]
        for m in synth.of_type("AWS::ApiGateway::Method").values()
        if m["Properties"]["HttpMethod"] != "OPTIONS"
    }
    assert sorted(methods) == sorted((r.method, r.path) for r in ROUTES)
    validator_id = next(iter(synth.of_type("AWS::ApiGateway::RequestValidator")))
    for route in ROUTES:
        method = methods[(route.method, route.path)]
        function_id, _ = synth.function(route.handler)
        assert method["Integration"]["Type"] == "AWS_PROXY"
        assert json.dumps(synth.invoked(function_id)) in json.dumps(method["Integration"]["Uri"])
        assert method["AuthorizationType"] == ("CUSTOM" if route.auth else "NONE")
        if route.json_body:
            assert method["RequestValidatorId"] == {"Ref": validator_id}
            assert list(method["RequestModels"]) == ["application/json"]
        else:  # logout and the unsubscribe link take no body, or an empty one
            assert "RequestValidatorId" not in method and "RequestModels" not in method


def test_request_validator_requires_a_json_object_body(synth):
    template(synth).has_resource_properties(
        "AWS::ApiGateway::RequestValidator", {"ValidateRequestBody": True, "ValidateRequestParameters": True}
    )
    model = synth.one("AWS::ApiGateway::Model")["Properties"]
    assert model["ContentType"] == "application/json"
    assert model["Schema"]["type"] == "object"


def test_stage_throttles_and_writes_json_access_logs(synth):
    stage = synth.one("AWS::ApiGateway::Stage")["Properties"]
    assert stage["StageName"] == synth.config.name
    (settings,) = stage["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == synth.config.throttling.rate_limit
    assert settings["ThrottlingBurstLimit"] == synth.config.throttling.burst_limit
    access_log = stage["AccessLogSetting"]
    fields = json.loads(access_log["Format"])
    assert {"requestId", "ip", "status", "httpMethod", "resourcePath"} <= set(fields)
    access_group = synth.of_type("AWS::Logs::LogGroup")[access_log["DestinationArn"]["Fn::GetAtt"][0]]
    assert access_group["Properties"]["RetentionInDays"] == synth.config.log_retention_days


def test_cors_preflight_allows_exactly_the_stage_origins(synth):
    options = [
        m["Properties"]
        for m in synth.of_type("AWS::ApiGateway::Method").values()
        if m["Properties"]["HttpMethod"] == "OPTIONS"
    ]
    paths = _resource_paths(synth)
    preflighted = {paths.get(o["ResourceId"].get("Ref"), "/") for o in options if "Ref" in o["ResourceId"]}
    assert {route.path for route in ROUTES} <= preflighted
    for option in options:
        integration = json.dumps(option["Integration"])
        for origin in synth.config.cors_origins:
            assert origin in integration
        assert "*" not in json.dumps(option["Integration"]["IntegrationResponses"][0]["ResponseParameters"])


def _gateway_responses(synth) -> dict[str, dict]:
    return {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in synth.of_type("AWS::ApiGateway::GatewayResponse").values()
    }


def test_gateway_errors_have_the_api_error_shape(synth):
    responses = _gateway_responses(synth)
    for response_type, status, code in (
        ("MISSING_AUTHENTICATION_TOKEN", "404", "NotFound"),  # what API Gateway answers for an unknown route
        ("THROTTLED", "429", "LimitExceeded"),
        ("UNAUTHORIZED", "401", "NotAuthorized"),
        ("ACCESS_DENIED", "403", "NotAuthorized"),
        ("REQUEST_TOO_LARGE", "413", "RequestTooLarge"),
    ):
        response = responses[response_type]
        assert response["StatusCode"] == status
        body = json.loads(response["ResponseTemplates"]["application/json"])
        assert body["error"]["code"] == code and body["error"]["message"]
        assert response["ResponseParameters"]["gatewayresponse.header.Content-Type"] == "'application/json'"
    for response_type, code in (
        ("BAD_REQUEST_BODY", "InvalidParameter"),
        ("DEFAULT_4XX", "InvalidParameter"),
        ("DEFAULT_5XX", "InternalError"),
    ):
        # API Gateway fills in its own (already quoted) message: the template is JSON once it does.
        rendered = responses[response_type]["ResponseTemplates"]["application/json"].replace(
            "$context.error.messageString", '"x"'
        )
        assert json.loads(rendered)["error"]["code"] == code


# -- email ---------------------------------------------------------------------------------------


def test_ses_identity_configuration_set_and_feedback_to_mail_events(synth):
    identity = synth.one("AWS::SES::EmailIdentity")["Properties"]
    assert identity["EmailIdentity"] == synth.config.mail_domain
    config_set_id = next(iter(synth.of_type("AWS::SES::ConfigurationSet")))
    assert identity["ConfigurationSetAttributes"] == {"ConfigurationSetName": {"Ref": config_set_id}}
    destination = synth.one("AWS::SES::ConfigurationSetEventDestination")["Properties"]
    assert sorted(destination["EventDestination"]["MatchingEventTypes"]) == ["bounce", "complaint"]
    topic_ref = destination["EventDestination"]["SnsDestination"]["TopicARN"]
    (subscription,) = synth.of_type("AWS::SNS::Subscription").values()
    mail_events_id, _ = synth.function("mail_events.handler")
    assert subscription["Properties"]["TopicArn"] == topic_ref
    assert subscription["Properties"]["Protocol"] == "lambda"
    assert subscription["Properties"]["Endpoint"] == synth.invoked(mail_events_id)


def test_sns_topics_are_encrypted_with_a_key_ses_and_cloudwatch_may_use(synth):
    key_id = next(iter(synth.of_type("AWS::KMS::Key")))
    for topic in synth.of_type("AWS::SNS::Topic").values():
        assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    key_policy = json.dumps(synth.resources[key_id]["Properties"]["KeyPolicy"])
    assert "ses.amazonaws.com" in key_policy and "cloudwatch.amazonaws.com" in key_policy


# -- monitoring ----------------------------------------------------------------------------------


def test_alarms_on_5xx_rate_email_failures_and_each_functions_errors_and_throttles(synth):
    alarms = list(synth.of_type("AWS::CloudWatch::Alarm").values())
    topic_ids = set(synth.of_type("AWS::SNS::Topic"))
    for alarm in alarms:
        (action,) = alarm["Properties"]["AlarmActions"]
        assert action["Ref"] in topic_ids

    def alarms_on(metric_name, namespace):
        return [
            a["Properties"]
            for a in alarms
            if a["Properties"].get("MetricName") == metric_name and a["Properties"]["Namespace"] == namespace
        ]

    (five_xx,) = alarms_on("5XXError", "AWS/ApiGateway")
    assert five_xx["Statistic"] == "Average" and five_xx["Threshold"] == synth.config.api_5xx_rate_threshold
    (email,) = alarms_on("EmailFailures", synth.config.functions.metrics_namespace)
    assert email["Dimensions"] == [{"Name": "service", "Value": "portal"}]
    # Each function: one alarm on errors + throttles (metric math), by the function's name.
    watched = sorted(
        (stat["Metric"]["MetricName"], stat["Metric"]["Dimensions"][0]["Value"]["Ref"])
        for a in alarms
        for m in a["Properties"].get("Metrics", [])
        if (stat := m.get("MetricStat")) and stat["Metric"]["Namespace"] == "AWS/Lambda"
    )
    functions = sorted(synth.product_functions())
    assert watched == sorted([("Errors", f) for f in functions] + [("Throttles", f) for f in functions])


def test_dashboard_graphs_the_business_metrics(synth):
    body = json.dumps(synth.one("AWS::CloudWatch::Dashboard")["Properties"]["DashboardBody"])
    for metric in (
        "SignUps",
        "Confirmations",
        "LoginsSucceeded",
        "LoginsFailed",
        "Lockouts",
        "PasswordResets",
        "Downloads",
        "EmailFailures",
    ):
        assert metric in body


def test_auditors_find_their_queries_by_name_over_the_function_logs(synth):
    queries = {q["Properties"]["Name"]: q["Properties"] for q in synth.of_type("AWS::Logs::QueryDefinition").values()}
    assert sorted(queries) == sorted(f"portal-{synth.config.name}/{q.name}" for q in AUDIT_QUERIES)
    function_groups = [
        {"Ref": f["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]} for f in synth.product_functions().values()
    ]
    access_group = {
        "Ref": synth.one("AWS::ApiGateway::Stage")["Properties"]["AccessLogSetting"]["DestinationArn"]["Fn::GetAtt"][0]
    }
    (waf_group_id,) = [
        lid
        for lid, g in synth.of_type("AWS::Logs::LogGroup").items()
        if g["Properties"].get("LogGroupName", "").startswith("aws-waf-logs-")
    ]
    for query in AUDIT_QUERIES:
        saved = queries[f"portal-{synth.config.name}/{query.name}"]
        # The text as saved is the text in infra/queries.py, which test_audit_queries.py proves.
        assert saved["QueryString"] == query.query
        expected = [
            *(function_groups if Source.FUNCTIONS in query.sources else []),
            *([access_group] if Source.ACCESS in query.sources else []),
            *([{"Ref": waf_group_id}] if Source.WAF in query.sources else []),
        ]
        assert sorted(map(json.dumps, saved["LogGroupNames"])) == sorted(map(json.dumps, expected)), query.name
