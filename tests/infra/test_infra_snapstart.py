"""SnapStart as a stage setting: on, every function is published behind an alias `live` that API
Gateway, the authorizer and SNS invoke; off (dev), the functions are invoked unqualified."""

from __future__ import annotations

import json

from functions.routes import AUTHORIZER

INVOKED = (
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Authorizer",
    "AWS::Lambda::Permission",
    "AWS::SNS::Subscription",
)


def _aliases(synth) -> dict[str, str]:
    """function logical id -> its alias's logical id."""
    return {a["Properties"]["FunctionName"]["Ref"]: lid for lid, a in synth.of_type("AWS::Lambda::Alias").items()}


def test_snapstart_is_on_exactly_where_the_stage_says(synth, options):
    for stage in (synth, options):
        on = stage.config.functions.snapstart
        for function in stage.product_functions().values():
            assert function["Properties"].get("SnapStart") == ({"ApplyOn": "PublishedVersions"} if on else None)
    assert options.config.functions.snapstart


def test_with_snapstart_each_function_has_one_live_alias_on_its_published_version(options):
    aliases = options.of_type("AWS::Lambda::Alias")
    assert sorted(_aliases(options)) == sorted(options.product_functions()) and len(aliases) == len(
        options.product_functions()
    )
    versions = options.of_type("AWS::Lambda::Version")
    for alias in aliases.values():
        props = alias["Properties"]
        assert props["Name"] == "live"
        version_id = props["FunctionVersion"]["Fn::GetAtt"][0]
        assert versions[version_id]["Properties"]["FunctionName"] == props["FunctionName"]


def test_with_snapstart_api_authorizer_sns_and_permissions_invoke_the_alias(options):
    aliases = set(_aliases(options).values())
    functions = set(options.product_functions())
    authorizer_function_id, _ = options.function(AUTHORIZER.handler)
    authorizer_alias = _aliases(options)[authorizer_function_id]
    assert {"Ref": authorizer_alias} in options.one("AWS::ApiGateway::Authorizer")["Properties"]["AuthorizerUri"][
        "Fn::Join"
    ][1]
    methods = [
        m["Properties"]
        for m in options.of_type("AWS::ApiGateway::Method").values()
        if m["Properties"]["HttpMethod"] != "OPTIONS"
    ]
    for method in methods:
        (target,) = [
            part["Ref"]
            for part in method["Integration"]["Uri"]["Fn::Join"][1]
            if isinstance(part, dict) and "Ref" in part
        ]
        assert target in aliases
    permissions = [p["Properties"] for p in options.of_type("AWS::Lambda::Permission").values()]
    assert len(permissions) >= len(methods) + 2  # every method, the authorizer, SNS
    for permission in permissions:
        assert permission["FunctionName"]["Ref"] in aliases
    (subscription,) = options.of_type("AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Endpoint"]["Ref"] in aliases
    for resource_type in INVOKED:
        for resource in options.of_type(resource_type).values():
            for function_id in functions:  # nothing invokes a function unqualified
                assert json.dumps({"Fn::GetAtt": [function_id, "Arn"]}) not in json.dumps(resource), (
                    resource_type,
                    function_id,
                )


def test_alarms_watch_the_functions_by_name_with_or_without_snapstart(options):
    functions = set(options.product_functions())
    for name in ("Errors", "Throttles"):
        stats = [
            m["MetricStat"]["Metric"]
            for a in options.of_type("AWS::CloudWatch::Alarm").values()
            for m in a["Properties"].get("Metrics", [])
            if "MetricStat" in m and m["MetricStat"]["Metric"]["MetricName"] == name
        ]
        assert sorted(s["Dimensions"][0]["Value"]["Ref"] for s in stats) == sorted(functions)


def test_without_snapstart_functions_are_invoked_unqualified(dev):
    off = dev
    assert not off.config.functions.snapstart
    assert not off.of_type("AWS::Lambda::Alias") and not off.of_type("AWS::Lambda::Version")
    functions = set(off.product_functions())
    for permission in off.of_type("AWS::Lambda::Permission").values():
        assert permission["Properties"]["FunctionName"]["Fn::GetAtt"][0] in functions
    (subscription,) = off.of_type("AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Endpoint"]["Fn::GetAtt"][0] in functions
