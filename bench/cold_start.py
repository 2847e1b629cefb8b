"""Cold start per handler: importing the handler module (and its module-level state) in fresh
interpreters of the deployed runtime (Python 3.13), beside its floor: botocore plus creating exactly
the clients it uses (and, for comparison, the earlier floor: `import boto3` plus the same clients).

The code is measured as a deploy ships it: the dependencies, the runtime layer and the handlers
copied under bench/tmp/ and compiled to .pyc with `python3.13 -m compileall` (Lambda's file system
is read-only, so bytecode that is not shipped is compiled again on every cold start).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import random
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from functions.routes import AUTHORIZER, MAIL_EVENTS, ROUTES, Access, FunctionSpec

ROOT = Path(__file__).resolve().parents[1]
TMP = ROOT / "bench" / "tmp"
RUNS = 9
CLIENTS = {
    Access.TABLE_READ: "dynamodb",
    Access.TABLE_WRITE: "dynamodb",
    Access.MAIL_SEND: "sesv2",
    Access.KEYS_READ: "secretsmanager",
    Access.SIGNING_KEYS_READ: "secretsmanager",
    Access.MEDIA_READ: "s3",
}
# Wall time and CPU time of the import. The ratio is taken on CPU time: the work the import does,
# which other processes on a shared machine cannot stretch (wall-clock medians are reported too).
TIMER = (
    "import time\nwall, cpu = time.perf_counter(), time.process_time()\n{code}\n"
    "print((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000)"
)
# Keep in step with the functions' environment in infra/ (see docs/performance.md).
DEPLOYED_ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_SESSION_TOKEN": "bench",
    "AWS_REGION": "eu-west-1",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "POWERTOOLS_SERVICE_NAME": "portal",
    "POWERTOOLS_METRICS_NAMESPACE": "Portal",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "PYDANTIC_DISABLE_PLUGINS": "__all__",
    "PORTAL_STAGE": "bench",
    "PORTAL_TABLE_NAME": "portal",
    "PORTAL_KEYS_SECRET_ID": "portal/keys",
    "PORTAL_SIGNING_KEYS_SECRET_ID": "portal/signing-keys",
    "PORTAL_MAIL_SENDER": "NATO Multimedia <no-reply@example.org>",
    "PORTAL_MEDIA_BUCKET": "portal-media",
    "PORTAL_PUBLIC_API_URL": "https://api.example.org",
}


@functools.cache
def python313() -> str:
    """The deployed runtime's Python, found as layers/dependencies/build.py finds it ($BENCH_PYTHON or
    $PYTHON313, python3.13 on PATH, pyenv's newest 3.13.x, uv's), installed by uv when there is none."""
    spec = importlib.util.spec_from_file_location("layer_recipe", ROOT / "layers" / "dependencies" / "build.py")
    assert spec is not None and spec.loader is not None
    recipe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(recipe)
    found = recipe.python313(install=True)
    if found is None:
        raise SystemExit("no CPython 3.13: set BENCH_PYTHON, or `pyenv install 3.13`, or `uv python install 3.13`")
    return found


def entries() -> tuple[FunctionSpec, ...]:
    """Every function the stack deploys: the routes, the authorizer, the mail events consumer."""
    return (*ROUTES, AUTHORIZER, MAIL_EVENTS)


def clients_of(access: frozenset[Access]) -> list[str]:
    return sorted({CLIENTS[a] for a in access if a in CLIENTS})


def dependencies_dir() -> Path:
    """The dependency layer as built by layers/dependencies when it exists, else a bench-local
    install for Python 3.13 (with boto3, which the Lambda runtime provides)."""
    built = ROOT / "layers" / "dependencies" / "build" / "python"
    if built.is_dir():
        return built
    return _install(TMP / "python3.13", *_project_dependencies(), "boto3")


def runtime_provided() -> Path:
    """boto3 as the Lambda runtime provides it (the layer does not carry it): the version locked here."""
    from importlib.metadata import version

    return _install(TMP / "boto3-3.13", f"boto3=={version('boto3')}")


def _project_dependencies() -> list[str]:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]


def _install(target: Path, *requirements: str) -> Path:
    if not (target / ".installed").is_file():
        subprocess.run(
            [
                python313(),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--root-user-action=ignore",
                "--target",
                str(target),
                *requirements,
            ],
            check=True,
        )
        (target / ".installed").touch()
    return target


def ship() -> list[Path]:
    """The code as deployed, compiled for 3.13: returns the PYTHONPATH entries."""
    deps = dependencies_dir()
    runtime = TMP / "runtime"
    functions = TMP / "functions"
    for folder in (runtime, functions):
        shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(ROOT / "layers" / "runtime" / "python", runtime, ignore=shutil.ignore_patterns("__pycache__"))
    functions.mkdir()
    for route in entries():
        shutil.copy(ROOT / "functions" / f"{route.module}.py", functions)
    provided = runtime_provided()
    subprocess.run(
        [python313(), "-m", "compileall", "-q", "-j", "0", str(deps), str(provided), str(runtime), str(functions)],
        check=False,
        capture_output=True,
    )
    return [functions, runtime, deps, provided]


def deployed_env(python_path: list[Path]) -> dict[str, str]:
    """What a deployed function's environment holds, with dummy credentials."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PORTAL_", "AWS_", "POWERTOOLS_", "PYTHON", "PYDANTIC"))
    }
    env.update(DEPLOYED_ENV, PYTHONPATH=os.pathsep.join(str(p) for p in python_path))
    return env


def _time(code: str, env: dict[str, str]) -> tuple[float, float]:
    done = subprocess.run(
        [python313(), "-c", TIMER.format(code=code)], env=env, capture_output=True, text=True, cwd="/"
    )
    if done.returncode:
        raise RuntimeError(f"{code!r} failed:\n{done.stderr[-2000:]}")
    wall, cpu = done.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def _stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def floor_code(clients: tuple[str, ...], package: str = "botocore") -> str:
    """The floor: the AWS SDK and exactly the route's clients. With botocore (the physical limit:
    what the functions load, docs/decisions/0013-cold-start-floor.md) or, for comparison with the
    earlier floor, with boto3 (whose package import adds its S3 transfer manager)."""
    if package == "boto3":
        return "import boto3\n" + "\n".join(f"boto3.client({c!r})" for c in clients)
    return "import botocore.session\ns = botocore.session.get_session()\n" + "\n".join(
        f"s.create_client({c!r})" for c in clients
    )


def measure(runs: int = RUNS) -> list[dict[str, object]]:
    """Each round imports every handler once and builds every distinct floor once (botocore and
    boto3), in fresh interpreters, interleaved and in a shuffled order (another each round, the same
    from run to run), so that a burst of the machine's noise falls on handlers and floors alike
    rather than on whatever a fixed order put at that moment."""
    env = deployed_env(ship())
    functions = entries()
    floors = sorted({tuple(clients_of(e.access)) for e in functions})
    handler_times: dict[str, list[tuple[float, float]]] = {e.module: [] for e in functions}
    floor_times: dict[tuple[str, tuple[str, ...]], list[tuple[float, float]]] = {
        (package, clients): [] for package in ("botocore", "boto3") for clients in floors
    }
    jobs: list[tuple[list[tuple[float, float]], str]] = [
        (times, floor_code(clients, package)) for (package, clients), times in floor_times.items()
    ] + [(handler_times[entry.module], f"import {entry.module}") for entry in functions]
    for round_number in range(runs):
        order = list(jobs)
        random.Random(round_number).shuffle(order)
        for times, code in order:
            times.append(_time(code, env))
    rows = []
    for entry in functions:
        clients = tuple(clients_of(entry.access))
        handler, floor, boto3_floor = (
            handler_times[entry.module],
            floor_times[("botocore", clients)],
            floor_times[("boto3", clients)],
        )
        handler_cpu, floor_cpu = _stats([c for _, c in handler]), _stats([c for _, c in floor])
        handler_wall, floor_wall = _stats([w for w, _ in handler]), _stats([w for w, _ in floor])
        boto3_cpu = _stats([c for _, c in boto3_floor])
        rows.append(
            {
                "route": entry.module,
                "clients": list(clients),
                "handler_ms": handler_cpu,
                "floor_ms": floor_cpu,
                "ratio": handler_cpu["median"] / floor_cpu["median"],
                "handler_wall_ms": handler_wall,
                "floor_wall_ms": floor_wall,
                "wall_ratio": handler_wall["median"] / floor_wall["median"],
                "boto3_floor_ms": boto3_cpu,
                "boto3_ratio": handler_cpu["median"] / boto3_cpu["median"],
                "runs": runs,
            }
        )
    return rows


if __name__ == "__main__":
    for row in measure(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS):
        print(
            row["route"],
            row["clients"],
            round(row["handler_ms"]["median"], 1),
            round(row["floor_ms"]["median"], 1),
            round(row["ratio"], 2),
        )


# What the two-step sign-in libraries cost where they load: on the first request of a function
# that enrols or checks a second factor (the handlers above import none of them). `import jwt` is
# the yardstick: every function that signs or checks a token pays it at init.
FIRST_USE = {
    "import jwt (yardstick)": "import jwt",
    "pyotp (codes)": "import pyotp",
    "segno (QR code)": "import segno",
    "cryptography AES-GCM (sealing)": "from cryptography.hazmat.primitives.ciphers.aead import AESGCM",
    "second step: open + verify": (
        "from portal import keys, sealing, totp\n"
        "k = keys.Keyring({'kid': 'k', 'secret': 's'})\n"
        "totp.verify(sealing.open_sealed(k, sealing.seal(k, totp.new_secret(), 'sub'), 'sub').plaintext, '123456', 1e9, None)"
    ),
    "enrolment: + QR code": (
        "from portal import keys, sealing, totp\n"
        "k = keys.Keyring({'kid': 'k', 'secret': 's'})\n"
        "s = totp.new_secret(); sealing.seal(k, s, 'sub'); totp.qr_svg(totp.provisioning_uri(s, 'a@b.org', 'x'))"
    ),
}


def first_use(runs: int = RUNS) -> list[dict[str, object]]:
    env = deployed_env(ship())
    times: dict[str, list[float]] = {name: [] for name in FIRST_USE}
    for _ in range(runs):
        for name, code in FIRST_USE.items():
            times[name].append(_time(code, env)[1])
    yardstick = statistics.median(times["import jwt (yardstick)"])
    return [
        {"what": name, "cpu_ms": _stats(values), "of_jwt": statistics.median(values) / yardstick, "runs": runs}
        for name, values in times.items()
    ]
