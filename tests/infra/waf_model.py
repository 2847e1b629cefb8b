"""A web ACL of the template, evaluated as AWS WAF documents it, for the statements the stack uses.

WAF does not run locally, so the tests send requests through this model instead: rules in priority
order; Count adds the rule's labels and goes on, Block answers with its custom response; a
rate-based rule counts each request it evaluates that matches its scope-down statement (per source
address, all within one evaluation window) and matches once the count is over its limit. A
statement type the model does not know fails the test rather than being guessed at.

`capacity` adds up the web ACL capacity units (WCUs) of the rules by the costs the WAF developer
guide lists for each statement type.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

ACCOUNT = "123456789012"
# What WAF allows a web ACL without extra charge (it accepts up to 5,000, charging above 1,500).
FREE_CAPACITY = 1500

_TRANSFORMS: dict[str, Callable[[str], str]] = {
    "NONE": lambda text: text,
    "URL_DECODE": unquote,
    "LOWERCASE": str.lower,
}
_CONSTRAINTS: dict[str, Callable[[str, str], bool]] = {
    "EXACTLY": lambda text, s: text == s,
    "STARTS_WITH": str.startswith,
    "ENDS_WITH": str.endswith,
    "CONTAINS": lambda text, s: s in text,
}
# WCUs of a string match by positional constraint; each text transformation adds 10.
_BYTE_MATCH_WCU = {"EXACTLY": 2, "STARTS_WITH": 2, "ENDS_WITH": 2, "CONTAINS": 10, "CONTAINS_WORD": 10}


def opaque(value: Any) -> str:
    """The request value that matches a search string CloudFormation fills in at deploy time."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


@dataclass(frozen=True)
class Request:
    method: str
    uri_path: str
    ip: str = "203.0.113.7"
    headers: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass(frozen=True)
class Answer:
    """What WAF did: `status` None means the request went on to API Gateway."""

    rule: str | None
    status: int | None
    headers: dict[str, str]
    body: dict[str, Any] | None
    labels: tuple[str, ...]
    counted_by: tuple[str, ...]

    def log_record(self, request: Request, acl_name: str) -> dict[str, Any]:
        """The WAF log record of this request, with the fields AWS WAF documents (what the saved query reads)."""
        return {
            "timestamp": 1764633600000,
            "formatVersion": 1,
            "webaclId": f"arn:aws:wafv2:eu-west-1:{ACCOUNT}:regional/webacl/{acl_name}/0f1e2d3c",
            "terminatingRuleId": self.rule or "Default_Action",
            "terminatingRuleType": "REGULAR",
            "action": "ALLOW" if self.status is None else "BLOCK",
            "nonTerminatingMatchingRules": [{"ruleId": r, "action": "COUNT"} for r in self.counted_by],
            "labels": [{"name": label} for label in self.labels],
            "httpRequest": {
                "clientIp": request.ip,
                "headers": [{"name": k, "value": v} for k, v in request.headers.items()],
                "uri": request.uri_path,
                "httpMethod": request.method,
            },
        }


class WebAcl:
    def __init__(self, properties: dict[str, Any], name: str) -> None:
        self.properties = properties
        self.name = name
        self.rules = sorted(properties["Rules"], key=lambda rule: rule["Priority"])
        self.counts: Counter[tuple[str, str]] = Counter()

    def rule(self, name: str) -> dict[str, Any]:
        (found,) = [rule for rule in self.rules if rule["Name"] == name]
        return found

    def qualified(self, label: str) -> str:
        return f"awswaf:{ACCOUNT}:webacl:{self.name}:{label}"

    def handle(self, request: Request) -> Answer:
        labels: list[str] = []
        counted: list[str] = []
        for rule in self.rules:
            if not self._matches(rule["Statement"], request, labels, rule["Name"]):
                continue
            labels += [self.qualified(label["Name"]) for label in rule.get("RuleLabels", [])]
            action = rule["Action"]
            if "Count" in action:
                counted.append(rule["Name"])
                continue
            if "Allow" in action:
                return Answer(rule["Name"], None, {}, None, tuple(labels), tuple(counted))
            response = action["Block"].get("CustomResponse", {"ResponseCode": 403})
            key = response.get("CustomResponseBodyKey")
            body = json.loads(self.properties["CustomResponseBodies"][key]["Content"]) if key else None
            headers = {h["Name"]: h["Value"] for h in response.get("ResponseHeaders", [])}
            return Answer(rule["Name"], response["ResponseCode"], headers, body, tuple(labels), tuple(counted))
        assert self.properties["DefaultAction"] == {"Allow": {}}
        return Answer(None, None, {}, None, tuple(labels), tuple(counted))

    def _matches(self, statement: dict[str, Any], request: Request, labels: list[str], rule: str) -> bool:
        (kind, spec), *rest = statement.items()
        assert not rest, statement
        if kind == "RateBasedStatement":
            assert spec["AggregateKeyType"] == "IP" and "CustomKeys" not in spec
            scope_down = spec.get("ScopeDownStatement")
            if scope_down is not None and not self._matches(scope_down, request, labels, rule):
                return False
            self.counts[(rule, request.ip)] += 1
            return self.counts[(rule, request.ip)] > spec["Limit"]
        if kind == "AndStatement":
            return all(self._matches(s, request, labels, rule) for s in spec["Statements"])
        if kind == "OrStatement":
            return any(self._matches(s, request, labels, rule) for s in spec["Statements"])
        if kind == "NotStatement":
            return not self._matches(spec["Statement"], request, labels, rule)
        if kind == "LabelMatchStatement":
            return any(_label_matches(spec, label) for label in labels)
        if kind == "ByteMatchStatement":
            return _byte_matches(spec, request)
        raise AssertionError(f"the model does not know {kind}: teach it as WAF documents it")


def _label_matches(spec: dict[str, Any], label: str) -> bool:
    key = spec["Key"]
    if spec["Scope"] == "LABEL":
        # The label's name with any number of its namespaces before it, up to the fully qualified label.
        return label == key or label.endswith(":" + key)
    assert key.endswith(":"), "a namespace key ends with a colon"
    namespace = label.rsplit(":", 1)[0] + ":"
    return namespace == key or namespace.endswith(":" + key)


def _byte_matches(spec: dict[str, Any], request: Request) -> bool:
    ((part, options),) = spec["FieldToMatch"].items()
    if part == "UriPath":
        text: str | None = request.uri_path
    elif part == "Method":
        text = request.method
    elif part == "SingleHeader":
        text = request.header(options["Name"])
    else:
        raise AssertionError(f"the model does not read {part}")
    if text is None:
        return False
    for step in sorted(spec["TextTransformations"], key=lambda t: t["Priority"]):
        text = _TRANSFORMS[step["Type"]](text)
    return _CONSTRAINTS[spec["PositionalConstraint"]](text, opaque(spec["SearchString"]))


def capacity(statement: dict[str, Any]) -> int:
    """WCUs of one rule statement (AWS WAF developer guide, "Rule statements" and each statement's page)."""
    ((kind, spec),) = statement.items()
    if kind == "RateBasedStatement":
        scope_down = spec.get("ScopeDownStatement")
        return 2 + (capacity(scope_down) if scope_down else 0)
    if kind in ("AndStatement", "OrStatement"):
        return sum(capacity(s) for s in spec["Statements"])
    if kind == "NotStatement":
        return capacity(spec["Statement"])
    if kind == "LabelMatchStatement":
        return 1
    if kind == "ByteMatchStatement":
        transforms = [t for t in spec["TextTransformations"] if t["Type"] != "NONE"]
        return _BYTE_MATCH_WCU[spec["PositionalConstraint"]] + 10 * len(transforms)
    raise AssertionError(f"no WCU cost known for {kind}: add it from the WAF developer guide")
