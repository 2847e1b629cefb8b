"""The synthesized bundle loads on the deployed runtime: CPython 3.13, nothing but the function's
asset, the two layers and boto3 (which the Lambda runtime provides) on sys.path.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

from functions.routes import EVENT_FUNCTIONS, ROUTES

ROOT = Path(__file__).resolve().parents[2]


def _layer_recipe():
    spec = importlib.util.spec_from_file_location("layer_recipe", ROOT / "layers" / "dependencies" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def python313() -> str:
    interpreter = _layer_recipe().python313()
    assert interpreter, "a CPython 3.13 is needed to prove the bundle loads (set PYTHON313 or install it)"
    return interpreter


@pytest.fixture(scope="session")
def runtime_boto3(python313: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """boto3 for 3.13 in a throwaway folder, standing in for the one the Lambda runtime ships."""
    target = tmp_path_factory.mktemp("runtime-boto3")
    version = importlib.metadata.version("boto3")
    subprocess.run(
        [
            python313,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--target",
            str(target),
            f"boto3=={version}",
        ],
        check=True,
    )
    return target


# Run on 3.13 in isolation (-I: no user site or PYTHON* variables, -S: no site-packages, -B: /opt
# and /var/task are read-only on Lambda). Imports the handler, then checks where things came from.
PROBE = """
import importlib, json, sys
task, dependencies, runtime, boto = sys.argv[1:5]
sys.path[:0] = [task, dependencies, runtime, boto]
module = importlib.import_module(sys.argv[5])
import pydantic, pydantic_core, argon2, portal, boto3
print(json.dumps({
    "version": list(sys.version_info[:2]),
    "handler": callable(getattr(module, "handler", None)),
    "module": module.__file__,
    "pydantic_core": pydantic_core.__file__,
    "argon2": argon2.__file__,
    "portal": portal.__file__,
    "boto3": boto3.__file__,
}))
"""


def _env(function: dict) -> dict[str, str]:
    """The function's environment as deployed, with CloudFormation references as placeholder names."""
    env = {
        k: v if isinstance(v, str) else f"placeholder-{k.lower()}"
        for k, v in function["Properties"]["Environment"]["Variables"].items()
    }
    return env | {
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_REGION": "eu-west-1",
        "AWS_LAMBDA_FUNCTION_NAME": "probe",
        "PATH": "/usr/bin:/bin",
    }


def test_every_handler_imports_on_python_313_from_its_bundle(dev, python313, runtime_boto3):
    layers = [dev.asset_dir(layer) / "python" for layer in dev.product_layers().values()]
    (runtime_layer,) = [d for d in layers if (d / "portal").is_dir()]
    (dependencies_layer,) = [d for d in layers if d != runtime_layer]
    for spec in (*ROUTES, *EVENT_FUNCTIONS):
        _, function = dev.function(spec.handler)
        task = dev.asset_dir(function)
        result = subprocess.run(
            [
                python313,
                "-I",
                "-S",
                "-B",
                "-c",
                PROBE,
                str(task),
                str(dependencies_layer),
                str(runtime_layer),
                str(runtime_boto3),
                spec.module,
            ],
            env=_env(function),
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, f"{spec.module}: {result.stderr}"
        loaded = json.loads(result.stdout.strip().splitlines()[-1])
        assert loaded["version"] == [3, 13] and loaded["handler"], spec.module
        assert loaded["module"].startswith(str(task))
        assert loaded["pydantic_core"].startswith(str(dependencies_layer))  # the manylinux build, not the venv's
        assert loaded["argon2"].startswith(str(dependencies_layer))
        assert loaded["portal"].startswith(str(runtime_layer))
        assert loaded["boto3"].startswith(str(runtime_boto3))


def test_dependency_layer_ships_bytecode_for_313(dev):
    layers = [dev.asset_dir(layer) / "python" for layer in dev.product_layers().values()]
    (dependencies_layer,) = [d for d in layers if not (d / "portal").is_dir()]
    source = dependencies_layer / "pydantic" / "main.py"
    assert Path(importlib.util.cache_from_source(str(source)).replace(".cpython-311", ".cpython-313")).is_file()
