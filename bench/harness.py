"""Runs scenarios on moto with every AWS call counted and recorded, and replays them on Stubber."""

from __future__ import annotations

import importlib
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, redirect_stdout
from typing import Any

from botocore import xform_name
from botocore.stub import Stubber

from bench.scenarios import SCENARIOS, Scenario
from tests.support import Api, Aws, LambdaContext, api_event

SERVICES = ("dynamodb", "sesv2", "secretsmanager")
START = "2026-06-01 09:00:00"
Call = tuple[str, str, dict[str, Any]]


@contextmanager
def moto_api() -> Iterator[Api]:
    from moto import mock_aws

    import tests.conftest as conftest  # sets the environment a test function has
    from functions.routes import AUTHORIZER, ROUTES
    from local.emulation import make_requests_atomic, provision
    from portal.settings import Settings

    make_requests_atomic()
    with mock_aws():
        import boto3

        conftest.reset_runtime()
        provision(boto3.client, Settings.from_env(), conftest.MAIL_DOMAIN)
        handlers = {}
        for route in (*ROUTES, AUTHORIZER):
            name = f"functions.{route.module}"
            module = importlib.reload(sys.modules[name]) if name in sys.modules else importlib.import_module(name)
            handlers[route.module] = module.handler
        yield Api(handlers, Aws())
    conftest.reset_runtime()


class CallLog:
    """Every AWS call the functions' clients make, with the parsed response, and botocore's time.

    botocore's own share runs from `provide-client-params` (the first event of a call: parameter
    validation and serialization follow) to `after-call` (the response is parsed).
    """

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.botocore_ms = 0.0
        self._started = 0.0
        from portal import services

        for service in SERVICES:
            events = services.client(service).meta.events
            events.register_first("provide-client-params", self._start, unique_id="bench-start")
            events.register_last("after-call", self._record, unique_id="bench-calls")

    def _start(self, **_: Any) -> None:
        self._started = time.perf_counter()

    def _record(self, event_name: str, parsed: dict[str, Any], **_: Any) -> None:
        self.botocore_ms += (time.perf_counter() - self._started) * 1000
        _, service, operation = event_name.split(".")
        self.calls.append((service, operation, parsed))

    def names(self) -> list[str]:
        return [f"{service}.{operation}" for service, operation, _ in self.calls]


def _event(scenario: Scenario, request: dict[str, Any]) -> dict[str, Any]:
    from functions.routes import ROUTES

    route = next(r for r in ROUTES if r.module == scenario.route)
    options = dict(request)
    body = options.pop("body", None)
    return api_event(route.method, route.path, body, **options)


@contextmanager
def prepared(scenario: Scenario, start: str | float = START) -> Iterator[tuple[Api, dict[str, Any]]]:
    """The scenario's table on moto, keys cached (as a warm function has them), clock moved on."""
    import time_machine

    with moto_api() as api, time_machine.travel(start, tick=False) as clock:
        api.resend("warm-up@example.org")  # fetch and cache the keys
        from portal import services

        services.token_keys().private(), services.token_keys().public()  # and the access-token keys
        state = scenario.prepare(api)
        clock.shift(scenario.delay)
        yield api, _event(scenario, scenario.request(api, state))


def run(scenario: Scenario) -> list[Call]:
    """The AWS calls of the scenario's request."""
    from tests.support import invoke

    with prepared(scenario) as (api, event):
        log = CallLog()
        result = invoke(api.handlers[scenario.route], event)
        assert result.status == scenario.status, (scenario.route, scenario.name, result.status, result.body)
        return log.calls


def count_calls() -> dict[str, dict[str, list[str]]]:
    counted: dict[str, dict[str, list[str]]] = {}
    for scenario in SCENARIOS:
        counted.setdefault(scenario.route, {})[scenario.name] = [f"{s}.{o}" for s, o, _ in run(scenario)]
    return counted


def warm_overhead(scenario: Scenario, invocations: int = 500, warm_up: int = 20) -> dict[str, Any]:
    """Milliseconds per invocation, every AWS call answered by Stubber from a recorded run on moto,
    and the part of it botocore spent inside its calls."""
    from portal import services

    with prepared(scenario) as (api, event), ExitStack() as stack:
        handler = api.handlers[scenario.route]
        log = CallLog()
        assert handler(event, LambdaContext())["statusCode"] == scenario.status
        recorded = list(log.calls)
        stubbers = {service: Stubber(services.client(service)) for service in SERVICES}
        for _ in range(invocations + warm_up):
            for service, operation, parsed in recorded:
                response = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
                stubbers[service].add_response(xform_name(operation), response)
        for stubber in stubbers.values():
            stubber.activate()
        timings, botocore = [], []
        # The EMF lines Powertools prints would flood the table: into /dev/null (still written).
        sink = stack.enter_context(open(os.devnull, "w"))
        stack.enter_context(redirect_stdout(sink))
        try:
            for i in range(invocations + warm_up):
                log.botocore_ms = 0.0
                started = time.perf_counter()
                response = handler(event, LambdaContext())
                elapsed = (time.perf_counter() - started) * 1000
                assert response["statusCode"] == scenario.status, (scenario.name, response)
                if i >= warm_up:  # the first invocations warm caches; not what a warm function pays
                    timings.append(elapsed)
                    botocore.append(log.botocore_ms)
        finally:
            for stubber in stubbers.values():
                stubber.deactivate()
        return {**summary(timings), "botocore_median": statistics.median(botocore), "aws_calls": len(recorded)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "p99": percentile(values, 0.99), "n": len(values)}
