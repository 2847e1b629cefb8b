"""How the bench and the layer build find Python 3.13 on a fresh machine (layers/dependencies/build.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def recipe(monkeypatch, tmp_path):
    spec = importlib.util.spec_from_file_location("layer_recipe", ROOT / "layers" / "dependencies" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("PYTHON313", "BENCH_PYTHON"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-path"))  # no python3.13 on PATH
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    return module


def interpreter(path: Path, is_313: bool = True) -> str:
    """A stand-in the probe accepts (exit 0) or refuses (exit 1) as a 3.13."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\nexit {0 if is_313 else 1}\n")
    path.chmod(0o755)
    return str(path)


def test_pyenv_newest_313_by_version_number_not_by_name(recipe, tmp_path, monkeypatch):
    monkeypatch.setattr(recipe, "_uv", lambda *a: None)
    versions = tmp_path / "pyenv" / "versions"
    for version in ("3.13.2", "3.13.10", "3.12.9"):
        interpreter(versions / version / "bin" / f"python{version[:4]}")
    assert recipe.python313() == str(versions / "3.13.10" / "bin" / "python3.13")


def test_an_explicit_interpreter_wins_and_a_broken_one_is_skipped(recipe, tmp_path, monkeypatch):
    monkeypatch.setattr(recipe, "_uv", lambda *a: None)
    pyenv = interpreter(tmp_path / "pyenv" / "versions" / "3.13.1" / "bin" / "python3.13")
    chosen = interpreter(tmp_path / "chosen" / "python3.13")
    monkeypatch.setenv("BENCH_PYTHON", chosen)
    assert recipe.python313() == chosen
    monkeypatch.setenv("BENCH_PYTHON", interpreter(tmp_path / "broken" / "python3.13", is_313=False))
    assert recipe.python313() == pyenv


def test_uv_is_asked_last_and_installs_only_when_allowed(recipe, tmp_path, monkeypatch):
    installed = interpreter(tmp_path / "uv" / "python3.13")
    calls = []

    def uv(*arguments):
        calls.append(arguments)
        if arguments[:2] == ("python", "find"):
            return installed if ("python", "install", "3.13") in calls else None
        return ""

    monkeypatch.setattr(recipe, "_uv", uv)
    assert recipe.python313() is None  # looking never installs
    assert ("python", "install", "3.13") not in calls
    assert recipe.python313(install=True) == installed
    assert ("python", "install", "3.13") in calls
