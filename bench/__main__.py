"""`python -m bench` (`make bench`): every performance figure of the product in one table, and
bench/results.json. Exits 1 when a route makes more AWS calls than bench/round_trips.json allows.

Sections: cold start per handler vs its floor (Python 3.13, fresh interpreters), warm overhead per
route (Stubber answers every AWS call), AWS round trips per route and scenario, password hashing,
sizes, local throughput. BENCH_QUICK=1 runs fewer repetitions (for trying things, not for figures).
BENCH_SECTIONS=round_trips,sizes (comma-separated: round_trips, warm, hashing, cold_start, two_step,
first_request, sizes, throughput, enumeration) runs only those sections; results.json is then left as it was.
The enumeration section compares answer times for addresses with and without an account
(bench/enumeration.py): a figure, never pass/fail.
"""

from __future__ import annotations

import builtins
import functools
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "layers" / "runtime" / "python"))
RESULTS = ROOT / "bench" / "results.json"
QUICK = os.environ.get("BENCH_QUICK") == "1"
# Fresh interpreters per handler and floor (9 until 2026-12-02): a round is ~56 interpreters. The
# median of 5 interleaved CPU times leaves up to two slow outliers out on either side; the min-max
# range is printed beside it, so a wide spread shows.
COLD_RUNS = 3 if QUICK else 5
WARM = 50 if QUICK else 500
# Hashing routes spend ~all their time in argon2 (measured apart below): fewer invocations, enough
# for their median (what the table reports for them: their p99 is argon2's and the machine's).
WARM_HASHING = 10 if QUICK else 15
# warm before round_trips: the round trips are the calls the warm section recorded on moto.
SECTIONS = (
    "warm",
    "round_trips",
    "hashing",
    "cold_start",
    "two_step",
    "first_request",
    "sizes",
    "throughput",
    "enumeration",
)
# Interleaved requests per branch and route for the enumeration-by-timing figure.
ENUMERATION_SAMPLES = 40 if QUICK else 200
ONLY = [name.strip() for name in os.environ.get("BENCH_SECTIONS", "").split(",") if name.strip()]
TARGETS = {"cold_ratio": 1.2, "warm_median_ms": 0.5, "warm_p99_ms": 1.5, "asset_zipped_bytes": 64 * 1024}


def section(title: str) -> None:
    print(f"\n== {title}", flush=True)


def round_trips() -> tuple[dict[str, Any], list[str]]:
    from bench.harness import count_calls

    allowed = json.loads((ROOT / "bench" / "round_trips.json").read_text())
    counted = count_calls()
    rows, failures = {}, []
    print(f"{'route':28} {'scenario':20} {'calls':>5} {'allowed':>7} {'minimum':>7}  calls made")
    for route, scenarios in counted.items():
        for name, calls in scenarios.items():
            entry = allowed.get(route, {}).get(name)
            if entry is None:
                failures.append(f"{route} / {name}: no entry in round_trips.json")
                continue
            ceiling = entry["calls"]
            minimum = entry.get("minimum", len(ceiling))
            over = len(calls) > len(ceiling) or sorted(calls) != sorted(ceiling) and len(calls) >= len(ceiling)
            if over:
                failures.append(f"{route} / {name}: {calls} where round_trips.json allows {ceiling}")
            rows.setdefault(route, {})[name] = {
                "calls": calls,
                "allowed": len(ceiling),
                "minimum": minimum,
                "at_minimum": len(calls) <= minimum,
                "over": over,
            }
            flag = "OVER" if over else ("" if len(calls) <= minimum else f"+{len(calls) - minimum} over minimum")
            print(
                f"{route:28} {name:20} {len(calls):>5} {len(ceiling):>7} {minimum:>7}  {' '.join(c.split('.')[1] for c in calls) or '-'} {flag}"
            )
    return rows, failures


def warm() -> dict[str, Any]:
    from bench.harness import warm_overhead
    from bench.scenarios import SCENARIOS

    rows: dict[str, Any] = {}
    print(
        f"{'route':28} {'scenario':20} {'median ms':>9} {'p99 ms':>7} {'botocore':>8} {'ours':>6} {'n':>4}  on purpose (median ms)"
    )
    for scenario in SCENARIOS:
        # argon2 needs little warming: a few calls load it and fill the caches.
        hashing = scenario.hashes
        result = warm_overhead(scenario, WARM_HASHING, warm_up=3) if hashing else warm_overhead(scenario, WARM)
        result["hashes"] = scenario.hashes
        result["ours_median"] = result["median"] - result["botocore_median"]
        result["target"] = warm_verdict(result)
        rows.setdefault(scenario.route, {})[scenario.name] = result
        done = ", ".join(f"{kind} {ms:.2f}" for kind, ms in result["on_purpose_median"].items() if ms > 0)
        mark = (
            f"  {done} ({result['target']['share']:.0%} of the median)" if done else f"  {result['target']['verdict']}"
        )
        print(
            f"{scenario.route:28} {scenario.name:20} {result['median']:9.3f} {result['p99']:7.3f} {result['botocore_median']:8.3f} {result['ours_median']:6.3f} {result['n']:4}{mark}",
            flush=True,
        )
    return rows


def warm_verdict(result: dict[str, Any]) -> dict[str, Any]:
    """Whether the warm target applies (no hashing, mail or padding measured in the invocations)
    and holds; for the others, the share of the median spent on that work."""
    on_purpose = sum(result["on_purpose_median"].values())
    if on_purpose > 0:
        return {"verdict": "exempt", "share": min(1.0, on_purpose / result["median"])}
    met = result["median"] <= TARGETS["warm_median_ms"] and result["p99"] <= TARGETS["warm_p99_ms"]
    return {"verdict": "met" if met else "over", "share": 0.0}


def hashing() -> dict[str, Any]:
    from bench.harness import summary
    from portal.passwords import PasswordHasher
    from portal.settings import Settings

    m, t, p = (Settings.default(f) for f in ("argon2_memory_kib", "argon2_time_cost", "argon2_parallelism"))
    hasher = PasswordHasher(m, t, p)
    hash_ms, verify_ms = [], []
    stored = hasher.hash("Correct-Horse-Battery-9")
    for _ in range(5 if QUICK else 30):
        started = time.perf_counter()
        hasher.hash("Correct-Horse-Battery-9")
        hash_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        hasher.verify(stored, "Correct-Horse-Battery-9")
        verify_ms.append((time.perf_counter() - started) * 1000)
    result = {
        "parameters": {"memory_kib": m, "time_cost": t, "parallelism": p},
        "hash_ms": summary(hash_ms),
        "verify_ms": summary(verify_ms),
    }
    print(
        f"argon2id m={m} KiB t={t} p={p}: hash median {result['hash_ms']['median']:.1f} ms (p99 {result['hash_ms']['p99']:.1f}), verify median {result['verify_ms']['median']:.1f} ms (p99 {result['verify_ms']['p99']:.1f})"
    )
    return result


def cold() -> list[dict[str, Any]]:
    from bench.cold_start import measure, python313

    rows = measure(COLD_RUNS)
    print(
        f"Python: {python313()}; {COLD_RUNS} fresh interpreters each, interleaved; CPU-time medians (min-max) in ms, ratio on CPU time; wall-clock ratio beside it"
    )
    print("floor: botocore + the route's clients; boto3: the earlier floor (import boto3 + the same clients)")
    print(f"{'handler':32} {'import':>20} {'floor':>20} {'ratio':>6} {'wall':>6} {'boto3':>6} {'ratio':>6}  clients")
    for row in rows:
        h, f, b = row["handler_ms"], row["floor_ms"], row["boto3_floor_ms"]
        met = "" if row["ratio"] <= TARGETS["cold_ratio"] else f"  > {TARGETS['cold_ratio']}"
        print(
            f"{row['route']:32} {h['median']:7.1f} ({h['min']:.0f}-{h['max']:.0f}) {f['median']:7.1f} ({f['min']:.0f}-{f['max']:.0f}) {row['ratio']:6.2f} {row['wall_ratio']:6.2f} {b['median']:6.0f} {row['boto3_ratio']:6.2f}  {','.join(row['clients'])}{met}"
        )
    return rows


def two_step() -> list[dict[str, Any]]:
    from bench.cold_start import first_use

    rows = first_use(COLD_RUNS)
    print(f"{COLD_RUNS} fresh interpreters each; CPU-time medians (min-max) in ms; ratio to `import jwt`")
    for row in rows:
        t = row["cpu_ms"]
        print(f"{row['what']:28} {t['median']:7.1f} ({t['min']:.0f}-{t['max']:.0f}) {row['of_jwt']:6.2f}")
    return rows


def first_request() -> list[dict[str, Any]]:
    from bench.first_request import measure

    rows = measure(1 if QUICK else 3)
    print("fresh Python 3.13 interpreters, code as deployed; AWS answered from a recording (keys fetch included); ms")
    print(
        f"{'route':28} {'first':>7} {'first CPU':>9} {'warm CPU':>8} {'left after init (CPU)':>21}  keys  lazy imports (top-level, portal.*)"
    )
    for row in rows:
        odd = f"  unexpected status {row['unexpected_status']}" if row["unexpected_status"] else ""
        print(
            f"{row['route']:28} {row['first_ms']:7.1f} {row['first_cpu_ms']:9.1f} {row['warm_cpu_ms']:8.2f} {row['left_after_init_cpu_ms']:21.1f}  {'yes ' if row['keys_fetch'] else 'no  '}  {' '.join(row['lazy_modules'][:8])}{odd}"
        )
    return rows


def sizes() -> dict[str, Any]:
    from bench.cold_start import dependencies_dir
    from bench.sizes import measure

    result = measure(dependencies_dir())
    print(f"{'asset':40} {'zipped':>10} {'unzipped':>10}")
    for name, size in result.items():
        print(f"{name:40} {size['zipped']:>10,} {size['unzipped']:>10,}")
    return result


def throughput() -> list[dict[str, Any]]:
    from bench.throughput import STEPS, measure

    rows = measure(walks={1: 3, 4: 8, 16: 16} if QUICK else {1: 8, 4: 16, 16: 16})
    print(
        f"{'clients':>7} {'walks':>5} {'failed':>6} {'walks/s':>8}  "
        + "  ".join(f"{s + ' p50/p99 ms':>24}" for s in STEPS)
    )
    for row in rows:
        steps = row["steps_ms"]
        print(
            f"{row['clients']:>7} {row['walks']:>5} {row['failed']:>6} {row['walks_per_second']:8.2f}  "
            + "  ".join(f"{steps[s]['p50']:>11.1f}/{steps[s]['p99']:<12.1f}" for s in STEPS)
        )
        for failure in row["failures"]:
            print(f"        failed walk: {failure}")
    return rows


def _table_only() -> None:
    """The functions' log and EMF lines are still written (they are part of the measured work), but
    to /dev/null, so that the terminal shows the table alone: the audit logger's stream and
    sys.stdout (where Powertools prints EMF) go there, and this module's `print` keeps the terminal."""
    global print
    import tests.conftest  # noqa: F401  # the functions' environment (metrics namespace...) first
    from portal.audit import logger

    quiet = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    logger.registered_handler.setStream(quiet)  # type: ignore[attr-defined]
    table, sys.stdout = sys.stdout, quiet
    print = functools.partial(builtins.print, file=table, flush=True)  # noqa: A001


def enumeration() -> dict[str, Any]:
    from bench.enumeration import enumeration as measure

    return measure(ENUMERATION_SAMPLES, print)


def _cpu_seconds() -> float:
    """CPU time of this process and of the interpreters it started: what a section costs the
    machine, which other work on it cannot stretch (its wall-clock time on 2 quiet cores is about
    this divided by the cores it keeps busy; most sections keep one busy)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> int:
    _table_only()
    started, started_cpu = time.perf_counter(), _cpu_seconds()
    results: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average": os.getloadavg(),
        },
        "targets": TARGETS,
        "quick": QUICK,
    }
    unknown = set(ONLY) - set(SECTIONS)
    if unknown:
        print(f"BENCH_SECTIONS: unknown {sorted(unknown)}; known: {', '.join(SECTIONS)}")
        return 2
    wanted = set(ONLY or SECTIONS)
    failures: list[str] = []
    titles = {
        "round_trips": "AWS round trips per request (on moto; allowed = bench/round_trips.json)",
        "warm": f"Warm overhead per invocation, ms (Stubber answers every AWS call; {WARM} invocations, {WARM_HASHING} for hashing routes)",
        "hashing": "Password hashing",
        "cold_start": "Cold start: import of the handler module vs its floor (botocore + its clients; boto3 + them beside)",
        "two_step": "Two-step sign-in libraries, loaded on first use only (no handler imports them at init)",
        "first_request": "First request after a cold start (and after a SnapStart restore): the work init left",
        "sizes": "Sizes, bytes",
        "throughput": "Local throughput: sign-up -> verify -> login -> download walks through `python -m local`",
        "enumeration": f"Enumeration by timing: an address with an account vs none ({ENUMERATION_SAMPLES} interleaved pairs per route, moto)",
    }
    for name in SECTIONS:
        if name not in wanted:
            continue
        section(titles[name])
        section_started, section_cpu = time.perf_counter(), _cpu_seconds()
        if name == "round_trips":
            results[name], failures = round_trips()
        else:
            results[name] = {
                "warm": warm,
                "hashing": hashing,
                "cold_start": cold,
                "two_step": two_step,
                "first_request": first_request,
                "sizes": sizes,
                "throughput": throughput,
                "enumeration": enumeration,
            }[name]()
        results.setdefault("section_seconds", {})[name] = round(time.perf_counter() - section_started, 1)
        results.setdefault("section_cpu_seconds", {})[name] = round(_cpu_seconds() - section_cpu, 1)
        print(
            f"({name}: {results['section_seconds'][name]:.0f} s, {results['section_cpu_seconds'][name]:.0f} s of CPU)"
        )
    results["seconds"] = time.perf_counter() - started
    results["cpu_seconds"] = _cpu_seconds() - started_cpu
    results["failures"] = failures
    if ONLY:
        # A partial run: bench/results.json (what docs/performance.md's tables come from) stays whole.
        section(
            f"Done in {results['seconds']:.0f} s (sections: {', '.join(ONLY)}; {RESULTS.relative_to(ROOT)} not written)"
        )
    else:
        RESULTS.write_text(json.dumps(results, indent=1) + "\n")
        section(
            f"Done in {results['seconds']:.0f} s ({results['cpu_seconds']:.0f} s of CPU); wrote {RESULTS.relative_to(ROOT)}"
        )
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
