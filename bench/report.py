"""`python -m bench.report`: bench/results.json as the Markdown tables of docs/performance.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"


def render(r: dict[str, Any]) -> str:
    t = r["targets"]
    out = [
        f"Measured {r['measured_at']} on {r['machine']['cpus']} shared cores (load average at start {', '.join(f'{x:.1f}' for x in r['machine']['load_average'])}); `make bench` took {r['seconds']:.0f} s"
        + (f", {r['cpu_seconds']:.0f} s of CPU." if "cpu_seconds" in r else "."),
        "",
    ]
    if "section_seconds" in r:
        out += [
            "| section | wall-clock s | CPU s |",
            "|---|---|---|",
            *(
                f"| {name} | {seconds:.0f} | {r.get('section_cpu_seconds', {}).get(name, 0):.0f} |"
                for name, seconds in r["section_seconds"].items()
            ),
            "",
        ]
    out += [
        "### Cold start (Python 3.13, compiled .pyc, fresh interpreters; CPU-time medians in ms, wall-clock ratio beside)",
        "",
        f"| handler | import CPU (min-max) | floor CPU: botocore + clients (min-max) | ratio (target ≤ {t['cold_ratio']}) | wall-clock ratio | earlier floor: boto3 + clients | ratio to it | clients |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in r["cold_start"]:
        h, f, b = row["handler_ms"], row["floor_ms"], row["boto3_floor_ms"]
        met = "" if row["ratio"] <= t["cold_ratio"] else " **over**"
        out.append(
            f"| {row['route']} | {h['median']:.0f} ({h['min']:.0f}-{h['max']:.0f}) | {f['median']:.0f} ({f['min']:.0f}-{f['max']:.0f}) | {row['ratio']:.2f}{met} | {row['wall_ratio']:.2f} | {b['median']:.0f} | {row['boto3_ratio']:.2f} | {', '.join(row['clients']) or '-'} |"
        )
    out += [
        "",
        "### First request after a cold start, and after a SnapStart restore (fresh Python 3.13, code as deployed; AWS answered from a recording; ms)",
        "",
        "`left after init` is the first request's CPU time minus a warm request's: the work a SnapStart restore still does on its first request (plus, on AWS, a TLS connection per service and the keys fetch's round trip).",
        "",
        "| route | scenario | first (wall) | first CPU | warm CPU | left after init (CPU) | keys fetch | AWS calls | imported on the first request |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in r.get("first_request", []):
        out.append(
            f"| {row['route']} | {row['scenario']} | {row['first_ms']:.0f} | {row['first_cpu_ms']:.1f} | {row['warm_cpu_ms']:.2f} | {row['left_after_init_cpu_ms']:.1f} | {'yes' if row['keys_fetch'] else 'no'} | {len(row['aws_calls'])} | {', '.join(row['lazy_modules']) or '-'} |"
        )
    if r.get("two_step"):
        out += [
            "",
            "### Two-step sign-in libraries, where they load (CPU medians in ms, ratio to `import jwt`)",
            "",
            "| what | CPU ms (min-max) | of `import jwt` |",
            "|---|---|---|",
            *(
                f"| {row['what']} | {row['cpu_ms']['median']:.1f} ({row['cpu_ms']['min']:.0f}-{row['cpu_ms']['max']:.0f}) | {row['of_jwt']:.2f} |"
                for row in r["two_step"]
            ),
        ]
    out += [
        "",
        f"### Warm overhead per invocation (Stubber answers every AWS call; ms; target median ≤ {t['warm_median_ms']}, p99 ≤ {t['warm_p99_ms']} where no password is hashed, no mail made and no padding waited)",
        "",
        *warm_summary(r["warm"], t),
        "",
        "| route | scenario | median | p99 | botocore (median) | ours (median) | AWS calls | n | on purpose: hashing / mail / padding (median) | target |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for route, scenarios in r["warm"].items():
        for name, w in scenarios.items():
            done = w.get("on_purpose_median")
            purposeful = " / ".join(f"{done[k]:.2f}" for k in ("hashing", "mail", "padding")) if done else "-"
            target = w.get("target", {})
            verdict = target.get("verdict", "-")
            if verdict == "exempt":
                verdict = f"exempt: {target['share']:.0%} on purpose"
            elif verdict == "over":
                verdict = "**over**"
            out.append(
                f"| {route} | {name} | {w['median']:.3f} | {w['p99']:.3f} | {w['botocore_median']:.3f} | {w['ours_median']:.3f} | {w['aws_calls']} | {w['n']} | {purposeful} | {verdict} |"
            )
    h = r["hashing"]
    p = h["parameters"]
    out += [
        "",
        "### Password hashing",
        "",
        f"argon2id m={p['memory_kib']} KiB, t={p['time_cost']}, p={p['parallelism']}: hash median {h['hash_ms']['median']:.1f} ms (p99 {h['hash_ms']['p99']:.1f}), verify median {h['verify_ms']['median']:.1f} ms (p99 {h['verify_ms']['p99']:.1f}), {h['hash_ms']['n']} each.",
    ]
    out += [
        "",
        "### AWS round trips per request (warm; `allowed` is bench/round_trips.json, the bench fails above it)",
        "",
        "| route | scenario | calls | allowed | minimum | calls made |",
        "|---|---|---|---|---|---|",
    ]
    for route, scenarios in r["round_trips"].items():
        for name, c in scenarios.items():
            gap = "" if c["at_minimum"] else f" (+{len(c['calls']) - c['minimum']})"
            out.append(
                f"| {route} | {name} | {len(c['calls'])}{gap} | {c['allowed']} | {c['minimum']} | {', '.join(x.split('.')[1] for x in c['calls']) or '-'} |"
            )
    out += [
        "",
        f"### Sizes (bytes; target: each function asset ≤ {t['asset_zipped_bytes']:,} zipped)",
        "",
        "| asset | zipped | unzipped |",
        "|---|---|---|",
    ]
    for name, s in r["sizes"].items():
        out.append(f"| {name} | {s['zipped']:,} | {s['unzipped']:,} |")
    out += [
        "",
        "### Local throughput (`python -m local`, moto in-process, one process)",
        "",
        "| clients | walks | failed | walks/s | register p50/p99 | verify p50/p99 | login p50/p99 | download p50/p99 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in r["throughput"]:
        s = row["steps_ms"]
        out.append(
            f"| {row['clients']} | {row['walks']} | {row['failed']} | {row['walks_per_second']:.2f} | "
            + " | ".join(
                f"{s[k]['p50']:.0f} / {s[k]['p99']:.0f} ms" for k in ("register", "verify", "login", "download")
            )
            + " |"
        )
        out += [f"| | failed walk: {f} | | | | | | |" for f in row["failures"]]
    return "\n".join(out) + "\n"


def warm_summary(warm: dict[str, Any], t: dict[str, Any]) -> list[str]:
    """The warm target in a few lines: how many scenarios it applies to and meet it, the ones over
    it with their AWS calls and botocore's share, and the others with their share on purpose."""
    rows = [(route, name, w) for route, scenarios in warm.items() for name, w in scenarios.items() if "target" in w]
    if not rows:
        return []
    applies = [row for row in rows if row[2]["target"]["verdict"] != "exempt"]
    over = [row for row in applies if row[2]["target"]["verdict"] == "over"]
    exempt = [row for row in rows if row[2]["target"]["verdict"] == "exempt"]
    lines = [
        f"The target applies to {len(applies)} of {len(rows)} scenarios and holds for {len(applies) - len(over)}."
        + (" Over it:" if over else "")
    ]
    lines += [
        f"- {route} / {name}: median {w['median']:.2f}, p99 {w['p99']:.2f} ms; {w['aws_calls']} AWS calls, botocore {w['botocore_median']:.2f} ms of the median, ours {w['ours_median']:.2f}"
        for route, name, w in over
    ]
    lines += [
        "",
        f"Left out of the target ({len(exempt)}), with the share of the median spent on purpose: "
        + "; ".join(
            f"{route} / {name} {w['target']['share']:.0%} of {w['median']:.1f} ms"
            for route, name, w in sorted(exempt, key=lambda row: row[2]["target"]["share"])
        )
        + ".",
    ]
    return lines


if __name__ == "__main__":
    print(render(json.loads(RESULTS.read_text())), end="")
