"""Sizes of what a deploy uploads: each function's asset (its handler module, the root of its own
asset) and each layer, zipped (deflate, level 9) and unzipped."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from functions.routes import AUTHORIZER, ROUTES

ROOT = Path(__file__).resolve().parents[1]
SKIP = ("__pycache__", ".pyc", ".dist-info")


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not any(s in str(p) for s in SKIP))


def zipped(files: list[Path], base: Path) -> dict[str, int]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            archive.write(path, path.relative_to(base))
    return {"zipped": len(buffer.getvalue()), "unzipped": sum(p.stat().st_size for p in files)}


def measure(dependencies: Path | None = None) -> dict[str, dict[str, int]]:
    sizes = {}
    for entry in (*ROUTES, AUTHORIZER):
        module = ROOT / "functions" / f"{entry.module}.py"
        sizes[f"function {entry.module}"] = zipped([module], module.parent)
    runtime = ROOT / "layers" / "runtime"
    sizes["layer runtime"] = zipped(_files(runtime), runtime)
    if dependencies is not None and dependencies.is_dir():
        # boto3 and botocore come with the Lambda runtime: the layer does not carry them.
        runtime_provided = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
        files = [
            p
            for p in _files(dependencies)
            if p.relative_to(dependencies).parts[0].split(".")[0] not in runtime_provided
            and p.relative_to(dependencies).parts[0] != "bin"
        ]
        sizes["layer dependencies"] = zipped(files, dependencies.parent)
    return sizes
