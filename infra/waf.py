"""The API's web ACL: per-IP rate limits, tighter on sensitive routes, whose refusals a browser can read.

A WAF custom response carries fixed headers only, and a stage may allow several origins (dev has
two), so no single blocking rule can name the right `Access-Control-Allow-Origin`. Hence:

1. The rate-based rules (`SensitiveRoutesPerIp`, `AllRoutesPerIp`) only count: a request over a limit
   gets the label `portal:limit:<rule>` and goes on.
2. Per allowed origin, two blocking rules on those labels and an `Origin` header exactly equal to it:
   its preflight (OPTIONS) gets the API's own preflight answer (204; a refused preflight would stop
   the browser before it sends the request), anything else the 429 with that origin's CORS headers.
3. A last rule blocks every other labelled request (no Origin, or another one) with the same 429
   and no CORS header.

Rule names show in the WAF log's `terminatingRuleId`; the limit that was exceeded is the label, which
the saved query `blocked-requests-by-rule-and-ip` reads (infra/queries.py). Why: docs/decisions/0009-operations-and-audit.md.
`edge_requests` matches what the catalogue edge (infra/edge.py) sends: its source addresses are
CloudFront's, shared by every visitor, so the all-routes rule does not count them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from functions.routes import Route
from infra.config import StageConfig
from infra.cors import Cors
from portal.errors import LimitExceeded

# The namespace of the labels the counting rules add; the saved query reads the name after it.
LIMIT_LABELS = "portal:limit:"
# WAF's evaluation window: an address over a limit is refused until its last 5 minutes fall under it.
WINDOW_SECONDS = 300
RATE_LIMITED_BODY_KEY = "LimitExceeded"
RATE_LIMITED = LimitExceeded(WINDOW_SECONDS, "Too many requests from your address. Try again in a few minutes.")
# The answer to a labelled request from no allowed origin.
OVER_LIMIT = "OverLimit"
# A web ACL rule's properties but its priority (given by its place in the list).
Rule = dict[str, Any]


def limit_label(rule: str) -> str:
    return f"{LIMIT_LABELS}{rule}"


def origin_rule_names(origin: str) -> tuple[str, str]:
    """The (preflight, request) rule names answering an allowed origin, e.g. OverLimit-http-localhost-3000."""
    slug = re.sub(r"[^0-9A-Za-z]+", "-", origin).strip("-")
    return f"{OVER_LIMIT}Preflight-{slug}", f"{OVER_LIMIT}-{slug}"


class RateLimits(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        routes: Sequence[Route],
        stage_arn: str,
        edge_requests: wafv2.CfnWebACL.StatementProperty | None = None,
    ) -> None:
        super().__init__(scope, id)
        cors = Cors.of(config.cors_origins, routes)
        # Evaluated in this order: the counting rules label, then the answers read the labels.
        rules = [*self._counting_rules(config, routes, edge_requests), *self._answers(cors)]
        self.rules = [wafv2.CfnWebACL.RuleProperty(priority=priority, **rule) for priority, rule in enumerate(rules)]
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            custom_response_bodies={
                RATE_LIMITED_BODY_KEY: wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content_type="APPLICATION_JSON", content=json.dumps(RATE_LIMITED.body())
                )
            },
            visibility_config=_visibility(f"portal-{config.name}"),
            rules=self.rules,
        )
        wafv2.CfnWebACLAssociation(self, "Association", resource_arn=stage_arn, web_acl_arn=self.web_acl.attr_arn)

    @staticmethod
    def _counting_rules(
        config: StageConfig, routes: Sequence[Route], edge_requests: wafv2.CfnWebACL.StatementProperty | None
    ) -> list[Rule]:
        sensitive_paths = sorted({route.path for route in routes if route.sensitive})
        # (name, limit per IP per 5 minutes, which requests count); evaluated in this order.
        limits: list[tuple[str, int, wafv2.CfnWebACL.StatementProperty | None]] = []
        if sensitive_paths:
            limits.append(("SensitiveRoutesPerIp", config.waf.sensitive_rate_limit, _any_path(sensitive_paths)))
        # A request over the sensitive limit was refused before it reached the all-routes rule when
        # that rule blocked; it still is not counted there now that the refusal comes later.
        not_counted = [_label(limit_label(name)) for name, _, _ in limits]
        if edge_requests is not None:
            not_counted.append(edge_requests)
        limits.append(("AllRoutesPerIp", config.waf.rate_limit, _none_of(not_counted)))
        return [_rate_rule(name, limit, scope_down) for name, limit, scope_down in limits]

    @staticmethod
    def _answers(cors: Cors) -> list[Rule]:
        over_limit = wafv2.CfnWebACL.StatementProperty(
            label_match_statement=wafv2.CfnWebACL.LabelMatchStatementProperty(scope="NAMESPACE", key=LIMIT_LABELS)
        )
        refused = RATE_LIMITED.headers()
        rules = []
        for origin in cors.origins:
            preflight, request = origin_rule_names(origin)
            from_origin = [
                over_limit,
                _exactly(wafv2.CfnWebACL.FieldToMatchProperty(single_header={"Name": "origin"}), origin),
            ]
            is_preflight = _exactly(wafv2.CfnWebACL.FieldToMatchProperty(method={}), "OPTIONS")
            rules.append(_block(preflight, _all_of([*from_origin, is_preflight]), 204, cors.preflight_headers(origin)))
            rules.append(
                _block(request, _all_of(from_origin), 429, refused | cors.answer_headers(origin), RATE_LIMITED_BODY_KEY)
            )
        rules.append(_block(OVER_LIMIT, over_limit, 429, refused, RATE_LIMITED_BODY_KEY))
        return rules


def _rate_rule(name: str, limit: int, scope_down: wafv2.CfnWebACL.StatementProperty | None) -> Rule:
    return {
        "name": name,
        "action": wafv2.CfnWebACL.RuleActionProperty(count={}),
        "rule_labels": [wafv2.CfnWebACL.LabelProperty(name=limit_label(name))],
        "statement": wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                limit=limit,
                aggregate_key_type="IP",
                evaluation_window_sec=WINDOW_SECONDS,
                scope_down_statement=scope_down,
            )
        ),
        "visibility_config": _visibility(name),
    }


def _block(
    name: str,
    statement: wafv2.CfnWebACL.StatementProperty,
    status: int,
    headers: dict[str, str],
    body_key: str | None = None,
) -> Rule:
    return {
        "name": name,
        "action": wafv2.CfnWebACL.RuleActionProperty(
            block=wafv2.CfnWebACL.BlockActionProperty(
                custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                    response_code=status,
                    custom_response_body_key=body_key,
                    response_headers=[
                        wafv2.CfnWebACL.CustomHTTPHeaderProperty(name=header, value=value)
                        for header, value in headers.items()
                    ],
                )
            )
        ),
        "statement": statement,
        "visibility_config": _visibility(name),
    }


def _label(key: str) -> wafv2.CfnWebACL.StatementProperty:
    return wafv2.CfnWebACL.StatementProperty(
        label_match_statement=wafv2.CfnWebACL.LabelMatchStatementProperty(scope="LABEL", key=key)
    )


def _exactly(field: wafv2.CfnWebACL.FieldToMatchProperty, value: str) -> wafv2.CfnWebACL.StatementProperty:
    """A header or the method, compared as sent: browsers write Origin in one canonical form."""
    return wafv2.CfnWebACL.StatementProperty(
        byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
            field_to_match=field,
            positional_constraint="EXACTLY",
            search_string=value,
            text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")],
        )
    )


def _all_of(statements: list[wafv2.CfnWebACL.StatementProperty]) -> wafv2.CfnWebACL.StatementProperty:
    return wafv2.CfnWebACL.StatementProperty(and_statement=wafv2.CfnWebACL.AndStatementProperty(statements=statements))


def _none_of(statements: list[wafv2.CfnWebACL.StatementProperty]) -> wafv2.CfnWebACL.StatementProperty:
    """Requests matching none of `statements` (WAF's AND and OR take two statements or more)."""
    inner = (
        statements[0]
        if len(statements) == 1
        else wafv2.CfnWebACL.StatementProperty(or_statement=wafv2.CfnWebACL.OrStatementProperty(statements=statements))
    )
    return wafv2.CfnWebACL.StatementProperty(not_statement=wafv2.CfnWebACL.NotStatementProperty(statement=inner))


def _path_ends_with(path: str) -> wafv2.CfnWebACL.StatementProperty:
    # WAF sees the stage name before the route path (/dev/v1/...), hence "ends with".
    return wafv2.CfnWebACL.StatementProperty(
        byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
            positional_constraint="ENDS_WITH",
            search_string=path,
            # Decoded and lowercased first, so "/v1/auth/logi%6E" or "/V1/AUTH/LOGIN" count as the route.
            text_transformations=[
                wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="URL_DECODE"),
                wafv2.CfnWebACL.TextTransformationProperty(priority=1, type="LOWERCASE"),
            ],
        )
    )


def _any_path(paths: Sequence[str]) -> wafv2.CfnWebACL.StatementProperty:
    # With and without a trailing slash, so "/register/" cannot sidestep the tighter limit.
    statements = [_path_ends_with(variant) for path in paths for variant in (path, f"{path}/")]
    return wafv2.CfnWebACL.StatementProperty(or_statement=wafv2.CfnWebACL.OrStatementProperty(statements=statements))


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric_name, sampled_requests_enabled=True
    )
