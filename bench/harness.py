"""Runs scenarios on moto with every AWS call counted and recorded, and replays them on Stubber."""

from __future__ import annotations

import importlib
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore import xform_name
from botocore.stub import Stubber

from bench.scenarios import SCENARIOS, Scenario
from tests.support import Api, Aws, LambdaContext, api_event

SERVICES = ("dynamodb", "sesv2", "secretsmanager")


@contextmanager
def moto_api() -> Iterator[Api]:
    import tests.conftest as conftest  # sets the environment a test function has
    from moto import mock_aws

    from functions.routes import ROUTES
    from local.emulation import make_requests_atomic, provision
    from portal.settings import Settings

    make_requests_atomic()
    with mock_aws():
        import boto3

        conftest.reset_runtime()
        provision(boto3.client, Settings.from_env(), conftest.MAIL_DOMAIN)
        handlers = {}
        for route in ROUTES:
            name = f"functions.{route.module}"
            module = importlib.reload(sys.modules[name]) if name in sys.modules else importlib.import_module(name)
            handlers[route.module] = module.handler
        yield Api(handlers, Aws())
    conftest.reset_runtime()


class CallLog:
    """Every AWS call the functions' clients make, with the parsed response."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        from portal import runtime

        for service in SERVICES:
            events = runtime.client(service).meta.events
            events.register("after-call", self._record, unique_id="bench-calls")

    def _record(self, event_name: str, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        _, service, operation = event_name.split(".")
        self.calls.append((service, operation, parsed))

    def names(self) -> list[str]:
        return [f"{service}.{operation}" for service, operation, _ in self.calls]


def run(scenario: Scenario) -> tuple[list[tuple[str, str, dict[str, Any]]], Api]:
    """The AWS calls of the scenario's request (warm: keys already cached)."""
    import time_machine

    with moto_api() as api, time_machine.travel("2026-06-01 09:00:00", tick=False) as clock:
        scenario.prepare(api)
        api.resend("warm-up@example.org")  # fetch and cache the keys, as a warm function has them
        clock.shift(scenario.delay)
        body = scenario.body(api)
        log = CallLog()
        result = api.call(scenario.route, body)
        assert result.status == scenario.status, (scenario.name, result.status, result.body)
        return log.calls, api


def count_calls() -> dict[str, dict[str, list[str]]]:
    counted: dict[str, dict[str, list[str]]] = {}
    for scenario in SCENARIOS:
        calls, _ = run(scenario)
        counted.setdefault(scenario.route, {})[scenario.name] = [f"{s}.{o}" for s, o, _ in calls]
    return counted


def warm_overhead(scenario: Scenario, invocations: int = 500) -> list[float]:
    """Milliseconds per invocation, every AWS call answered by Stubber from a recorded run."""
    import time_machine

    from portal import runtime
    from functions.routes import ROUTES

    route = next(r for r in ROUTES if r.module == scenario.route)
    with moto_api() as api, time_machine.travel("2026-06-01 09:00:00", tick=False) as clock:
        scenario.prepare(api)
        api.resend("warm-up@example.org")
        clock.shift(scenario.delay)
        body = scenario.body(api)
        log = CallLog()
        event = api_event(route.method, route.path, body)
        handler = api.handlers[scenario.route]
        assert handler(event, LambdaContext())["statusCode"] == scenario.status
        stubbers = {service: Stubber(runtime.client(service)) for service in SERVICES}
        for _ in range(invocations + 20):
            for service, operation, parsed in log.calls:
                response = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
                stubbers[service].add_response(xform_name(operation), response)
        for stubber in stubbers.values():
            stubber.activate()
        timings = []
        for i in range(invocations + 20):
            started = time.perf_counter()
            response = handler(event, LambdaContext())
            elapsed = (time.perf_counter() - started) * 1000
            assert response["statusCode"] == scenario.status
            if i >= 20:  # the first invocations warm caches; they are not what a warm function pays
                timings.append(elapsed)
        for stubber in stubbers.values():
            stubber.deactivate()
        return timings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "p99": percentile(values, 0.99), "n": len(values)}
