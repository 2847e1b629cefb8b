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


class _Handlers(dict[str, Any]):
    """The handler modules, each imported (or reloaded) on its first use in this environment, so
    that it builds its services on this environment's clients: a scenario loads the few it calls."""

    def __missing__(self, module: str) -> Any:
        name = f"functions.{module}"
        loaded = importlib.reload(sys.modules[name]) if name in sys.modules else importlib.import_module(name)
        self[module] = loaded.handler
        return loaded.handler


class _SharedAws:
    """One moto AWS for the whole bench process, provisioned once (table, mail identity, bucket,
    keys: about 2 s each time on this machine); each scenario starts from the provisioned table."""

    def __init__(self) -> None:
        import atexit

        from moto import mock_aws

        import tests.conftest as conftest  # sets the environment a test function has
        from local.emulation import make_requests_atomic, provision
        from portal.settings import Settings

        make_requests_atomic()
        self._mock = mock_aws()
        self._mock.start()
        atexit.register(self._mock.stop)
        import boto3

        conftest.reset_runtime()
        self.settings = Settings.from_env()
        provision(boto3.client, self.settings, conftest.MAIL_DOMAIN)
        self._db = boto3.client("dynamodb")
        self._baseline = self._scan()

    def _scan(self) -> list[dict[str, Any]]:
        request: dict[str, Any] = {"TableName": self.settings.table_name, "ConsistentRead": True}
        items: list[dict[str, Any]] = []
        while True:
            page = self._db.scan(**request)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                return items
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def reset(self) -> None:
        """The table as provisioned: what the last scenario wrote is deleted, what it changed restored."""
        table = self.settings.table_name
        for item in self._scan():
            self._db.delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})
        for item in self._baseline:
            self._db.put_item(TableName=table, Item=item)


_SHARED: list[_SharedAws] = []


@contextmanager
def moto_api() -> Iterator[Api]:
    """The provisioned AWS (on moto) with the table as provisioned, and cold runtime caches."""
    import tests.conftest as conftest

    if not _SHARED:
        _SHARED.append(_SharedAws())
    _SHARED[0].reset()
    conftest.reset_runtime()
    try:
        yield Api(_Handlers(), Aws())
    finally:
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


# The calls each scenario made on moto, kept by the warm section (which makes the same request on
# the same prepared table before replaying it), so that the round-trips section need not prepare
# every scenario a second time.
RECORDED: dict[tuple[str, str], list[str]] = {}


def count_calls() -> dict[str, dict[str, list[str]]]:
    counted: dict[str, dict[str, list[str]]] = {}
    for scenario in SCENARIOS:
        calls = RECORDED.get((scenario.route, scenario.name))
        if calls is None:
            calls = [f"{s}.{o}" for s, o, _ in run(scenario)]
        counted.setdefault(scenario.route, {})[scenario.name] = calls
    return counted


class PurposefulWork:
    """The time an invocation spends on work it does on purpose, which the warm target leaves out
    (issue 20: "neither hashes a password, sends mail, nor pads on purpose"): argon2id (hash and
    verify, the dummy verification included), mail (rendering, and building the MIME message; the
    SES call itself is in botocore's share) and padding (the wait in place of a mail not sent).
    Measured by wrapping those functions for the scenario's invocations: the scenarios are then
    sorted by what they did, not by what their names say."""

    KINDS = ("hashing", "mail", "padding")

    def __init__(self, stack: ExitStack) -> None:
        from portal import code_steps, emails, mailer, passwords

        self.ms = dict.fromkeys(self.KINDS, 0.0)
        for owner, name, kind in (
            (passwords.PasswordHasher, "hash", "hashing"),
            (passwords.PasswordHasher, "verify", "hashing"),
            (emails, "render", "mail"),
            (mailer.SesMailer, "build", "mail"),
            (code_steps.CodeSteps, "as_long_as_a_send", "padding"),
        ):
            stack.callback(setattr, owner, name, getattr(owner, name))
            setattr(owner, name, self._timed(getattr(owner, name), kind))

    def _timed(self, function: Any, kind: str) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.ms[kind] += (time.perf_counter() - started) * 1000

        return timed

    def reset(self) -> None:
        self.ms = dict.fromkeys(self.KINDS, 0.0)


def warm_overhead(scenario: Scenario, invocations: int = 500, warm_up: int = 20) -> dict[str, Any]:
    """Milliseconds per invocation, every AWS call answered by Stubber from a recorded run on moto,
    the part of it botocore spent inside its calls, and the parts spent on purpose (PurposefulWork)."""
    from portal import services

    with prepared(scenario) as (api, event), ExitStack() as stack:
        handler = api.handlers[scenario.route]
        log = CallLog()
        purposeful = PurposefulWork(stack)
        assert handler(event, LambdaContext())["statusCode"] == scenario.status
        recorded = list(log.calls)
        RECORDED[(scenario.route, scenario.name)] = [f"{s}.{o}" for s, o, _ in recorded]
        stubbers = {service: Stubber(services.client(service)) for service in SERVICES}
        for _ in range(invocations + warm_up):
            for service, operation, parsed in recorded:
                response = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
                stubbers[service].add_response(xform_name(operation), response)
        for stubber in stubbers.values():
            stubber.activate()
        timings, botocore = [], []
        on_purpose: dict[str, list[float]] = {kind: [] for kind in PurposefulWork.KINDS}
        # The EMF lines Powertools prints would flood the table: into /dev/null (still written).
        sink = stack.enter_context(open(os.devnull, "w"))
        stack.enter_context(redirect_stdout(sink))
        try:
            for i in range(invocations + warm_up):
                log.botocore_ms = 0.0
                purposeful.reset()
                started = time.perf_counter()
                response = handler(event, LambdaContext())
                elapsed = (time.perf_counter() - started) * 1000
                assert response["statusCode"] == scenario.status, (scenario.name, response)
                if i >= warm_up:  # the first invocations warm caches; not what a warm function pays
                    timings.append(elapsed)
                    botocore.append(log.botocore_ms)
                    for kind, ms in purposeful.ms.items():
                        on_purpose[kind].append(ms)
        finally:
            for stubber in stubbers.values():
                stubber.deactivate()
        return {
            **summary(timings),
            "botocore_median": statistics.median(botocore),
            "aws_calls": len(recorded),
            # Median ms of each kind of work done on purpose; a kind never done is 0.
            "on_purpose_median": {kind: statistics.median(ms) for kind, ms in on_purpose.items()},
        }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "p99": percentile(values, 0.99), "n": len(values)}
