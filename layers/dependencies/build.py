"""Build the dependency layer without Docker: Linux wheels for the Lambda runtime, fetched by pip.

    python3 layers/dependencies/build.py   # the interpreter that has uv and pip (the Makefile's $(PYTHON))

1. `uv export` pins exactly the project's runtime dependencies ([project].dependencies) from
   uv.lock, so the layer carries the versions the tests ran against. boto3 is not among them:
   the Lambda runtime provides it.
2. pip installs manylinux x86_64 wheels (2014 or 2_28) for CPython 3.13 into build/python (`--only-binary`
   makes a missing wheel an error instead of a local compile for the wrong platform).
3. If a Python 3.13 interpreter is at hand, every module is byte-compiled for it with
   unchecked-hash pycs: the layer is read-only on Lambda, so without them every cold start
   compiles the imports again; unchecked-hash keeps them valid whatever the zip's timestamps.

The output folder is gitignored; the Makefile rebuilds it when uv.lock or this recipe changes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BUILD = HERE / "build"
TARGET = BUILD / "python"
REQUIREMENTS = BUILD / "requirements.txt"
STAMP = BUILD / ".built"

PYTHON_VERSION = "3.13"
# The functions run on x86_64 (infra/functions.py). Python 3.13 on Lambda is Amazon Linux 2023
# (glibc 2.34): manylinux2014 wheels load there, and so do manylinux_2_28 ones, which some
# packages (argon2-cffi-bindings 26) publish exclusively.
PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64")


def python313(install: bool = False) -> str | None:
    """A working CPython 3.13, as a fresh machine has it: $PYTHON313 (or $BENCH_PYTHON), python3.13
    on PATH, pyenv's newest 3.13.x ($PYENV_ROOT or ~/.pyenv; its shims may point at nothing), then
    the one uv manages (`uv python find 3.13`). With `install`, `uv python install 3.13` when none."""
    for candidate in _candidates():
        if _is_313(candidate):
            return candidate
    if install and _uv("python", "install", PYTHON_VERSION) is not None:
        found = _uv("python", "find", PYTHON_VERSION)
        return found if found and _is_313(found) else None
    return None


def _candidates() -> Iterator[str]:
    named = [os.environ.get("PYTHON313"), os.environ.get("BENCH_PYTHON"), shutil.which("python3.13")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    pyenv = sorted(
        (pyenv_root / "versions").glob(f"{PYTHON_VERSION}.*/bin/python{PYTHON_VERSION}"),
        key=lambda path: [int(part) if part.isdigit() else -1 for part in path.parts[-3].split(".")],
        reverse=True,
    )
    yield from filter(None, (*named, *map(str, pyenv)))
    found = _uv("python", "find", PYTHON_VERSION)  # last: it starts a process
    if found:
        yield found


def _is_313(candidate: str) -> bool:
    probe = [candidate, "-c", "import sys; sys.exit(sys.version_info[:2] != (3, 13))"]
    return Path(candidate).is_file() and subprocess.run(probe, capture_output=True).returncode == 0


def _uv(*arguments: str) -> str | None:
    """uv's answer (its last line), or None when uv is missing or fails. uv is the module the
    Makefile installs beside pip, or a `uv` on PATH."""
    for command in ([sys.executable, "-m", "uv"], ["python3", "-m", "uv"], [shutil.which("uv") or "uv"]):
        try:
            done = subprocess.run([*command, *arguments], capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            lines = done.stdout.strip().splitlines()
            return lines[-1] if lines else ""
    return None


def main() -> None:
    shutil.rmtree(BUILD, ignore_errors=True)
    TARGET.mkdir(parents=True)
    export = subprocess.run(
        [
            sys.executable,
            "-m",
            "uv",
            "export",
            "--frozen",
            "--no-default-groups",
            "--no-emit-project",
            "--no-hashes",
            "--no-header",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    REQUIREMENTS.write_text(export)
    if any(line.split("==")[0].strip() in ("boto3", "botocore") for line in export.splitlines()):
        sys.exit("boto3/botocore must not be in the layer: the Lambda runtime provides them")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *(arg for platform in PLATFORMS for arg in ("--platform", platform)),
            "--only-binary=:all:",
            "--python-version",
            PYTHON_VERSION,
            "--implementation",
            "cp",
            "--no-compile",
            "--no-deps",  # uv export already lists every dependency
            "--target",
            str(TARGET),
            "-r",
            str(REQUIREMENTS),
        ],
        check=True,
    )
    shutil.rmtree(TARGET / "bin", ignore_errors=True)  # console scripts: nothing runs them on Lambda
    interpreter = python313()
    if interpreter:
        subprocess.run(
            [interpreter, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(TARGET)],
            check=True,
        )
    else:
        print("no Python 3.13 found: the layer ships without .pyc files (slower cold starts)", file=sys.stderr)
    STAMP.write_text(export)


if __name__ == "__main__":
    main()
