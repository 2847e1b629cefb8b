"""The first request after a cold start, as its own figure: a fresh Python 3.13 interpreter with the
code as deployed (bench/cold_start.py's ship) imports the handler (its init: what a SnapStart
snapshot holds), then serves the route's main scenario once, then again. AWS answers every call
from a recording of the same request on moto, made with the keys not yet fetched, so the first
request includes the Secrets Manager keys fetch of the routes that read keys.

What the first request does beyond a warm one is the work left after init: lazy imports, services
and clients built on first use, botocore loading a service's model on its first call, pydantic
serializers, parsing the keys. A SnapStart restore skips the import but not this; on AWS it also
opens a TLS connection to each service it calls (not measured here: no network) and waits for the
keys fetch's round trip.
"""

from __future__ import annotations

import json
import os
import pickle
import statistics
import subprocess
import time
from typing import Any

from bench.cold_start import deployed_env, python313, ship
from bench.harness import CallLog, prepared
from bench.scenarios import SCENARIOS, Scenario

RUNS = 3
WARM_AFTER = 5
# Runs in the fresh interpreter: every AWS call answered at botocore's `before-call` (on the default
# session, so clients built later get it too) from the recording, in order.
CHILD = """
import copy, json, pickle, statistics, sys, time
WARM_AFTER = int(sys.argv[1])
route, event, calls, recorded_at = pickle.load(sys.stdin.buffer)
# The clock the recording was made at, before anything binds time.time (the use cases take it as a
# default argument): a request that depends on the time (a TOTP code, a code's expiry) takes the
# recorded path, however long after the recording this round runs.
time.time = lambda: recorded_at
from botocore.awsrequest import AWSResponse
queue, left = [], []
def answer(model, **_):
    service, operation, parsed = queue.pop(0)
    assert model.name == operation, (model.name, operation)
    return AWSResponse(None, 200, {}, None), parsed
from portal import services  # the functions' botocore session: its clients answer from the queue
services.aws_session().register("before-call", answer)
class Context:
    function_name, memory_limit_in_mb, aws_request_id = "bench", 256, "bench"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench"
    def get_remaining_time_in_millis(self): return 10000
def serve(recorded):
    queue[:] = copy.deepcopy(recorded)  # a handler may change what it was handed
    wall, cpu = time.perf_counter(), time.process_time()
    status = handler(event, Context())["statusCode"]
    elapsed = ((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000)
    left[:] = [c[1] for c in queue]  # a request that took another path (shown, not fatal)
    return status, elapsed
handler = __import__(route).handler
first_status = None
before = set(sys.modules)
status, first = serve(calls)
first_status = status
lazy = sorted(name for name in set(sys.modules) - before if "." not in name or name.startswith("portal."))
def keys_fetch(call):  # the keys secrets and the public access-token keys' item stay cached
    return call[1] == "GetSecretValue" or call[2].get("Item", {}).get("pk", {}).get("S", "").startswith("KEYS#")
warm_calls = [c for c in calls if not keys_fetch(c)]
warm = [serve(warm_calls)[1] for _ in range(WARM_AFTER)]
print(json.dumps({"status": status, "left": left, "first": first, "warm": [statistics.median(w[i] for w in warm) for i in (0, 1)],
                  "lazy_modules": lazy, "new_modules": len(set(sys.modules) - before)}))
"""


def main_scenarios() -> list[Scenario]:
    """The first scenario of each route (its happy path, as bench/scenarios.py lists them)."""
    seen: dict[str, Scenario] = {}
    for scenario in SCENARIOS:
        seen.setdefault(scenario.route, scenario)
    return list(seen.values())


def record_cold(scenario: Scenario) -> tuple[dict[str, Any], list[tuple[str, str, dict[str, Any]]], float]:
    """The scenario's request on moto as a fresh process makes it (the keys not yet fetched), and
    the time it was made at (the clock is frozen there: the replay sets its clock to it)."""
    import tests.conftest as conftest
    from tests.support import invoke

    with prepared(scenario, start=time.time() - scenario.delay) as (api, event):
        recorded_at = time.time()  # time_machine's frozen clock: the request's moment
        # As in a new process: every cached client and service (the keys too) forgotten, the
        # handler imported anew, so its request fetches the keys.
        conftest.reset_runtime()
        api.handlers.pop(scenario.route, None)  # imported again, on the caches just emptied
        handler = api.handlers[scenario.route]
        log = CallLog()
        result = invoke(handler, event)
        assert result.status == scenario.status, (scenario.route, result.status, result.body)
        calls = [(s, o, {k: v for k, v in parsed.items() if k != "ResponseMetadata"}) for s, o, parsed in log.calls]
    return event, calls, recorded_at


def measure(runs: int = RUNS) -> list[dict[str, Any]]:
    env = deployed_env(ship())
    # The passkey requests were signed for the tests' relying party: verified against the same one.
    env.update({name: os.environ[name] for name in ("PORTAL_PASSKEY_RP_ID", "PORTAL_PASSKEY_ORIGINS")})
    recorded = [(scenario, *record_cold(scenario)) for scenario in main_scenarios()]
    samples: dict[str, list[dict[str, Any]]] = {scenario.route: [] for scenario, *_ in recorded}
    for _ in range(runs):  # rounds, interleaved, so the machine's noise hits every route alike
        for scenario, event, calls, recorded_at in recorded:
            payload = pickle.dumps((scenario.route, event, calls, recorded_at))
            done = subprocess.run(
                [python313(), "-c", CHILD, str(WARM_AFTER)],
                input=payload,
                env=env,
                capture_output=True,
                cwd="/",
                check=False,
            )
            if done.returncode:
                raise RuntimeError(f"{scenario.route}: {done.stderr.decode()[:1500]}")
            sample = json.loads(done.stdout.decode().strip().splitlines()[-1])
            if sample["status"] != scenario.status:  # counted and shown, not fatal: a figure, not a test
                sample["unexpected"] = done.stdout.decode()[-1500:]
            samples[scenario.route].append(sample)
    rows = []
    for scenario, _, calls, _ in recorded:
        taken = samples[scenario.route]
        first_wall = statistics.median(s["first"][0] for s in taken)
        first_cpu = statistics.median(s["first"][1] for s in taken)
        warm_wall = statistics.median(s["warm"][0] for s in taken)
        warm_cpu = statistics.median(s["warm"][1] for s in taken)
        rows.append(
            {
                "route": scenario.route,
                "scenario": scenario.name,
                "first_ms": first_wall,
                "first_cpu_ms": first_cpu,
                "warm_ms": warm_wall,
                "warm_cpu_ms": warm_cpu,
                # On CPU time, as the cold start's ratios: the work, which a loaded machine cannot stretch.
                "left_after_init_cpu_ms": first_cpu - warm_cpu,
                "aws_calls": [f"{s}.{o}" for s, o, _ in calls],
                "keys_fetch": any(o == "GetSecretValue" for _, o, _ in calls),
                "services": sorted({s for s, _, _ in calls}),
                "lazy_modules": taken[0]["lazy_modules"],
                "new_modules": statistics.median(s["new_modules"] for s in taken),
                "runs": runs,
                "unexpected_status": [s["status"] for s in taken if s["status"] != scenario.status],
            }
        )
    return rows
