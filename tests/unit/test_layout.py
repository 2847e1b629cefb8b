"""The core's shape: the use cases know nothing of AWS's libraries."""

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[2] / "layers" / "runtime" / "python" / "portal"
# The adapters, which may load botocore or boto3: the store, SES, S3, the API Gateway edge (whose
# Powertools Logger imports botocore) and the composition root that builds them.
ADAPTERS = {"dynamo", "mailer", "media", "web", "services"}


def use_case_modules() -> list[str]:
    return sorted(f"portal.{m.name}" for m in pkgutil.iter_modules([str(PORTAL)]) if m.name not in ADAPTERS)


def test_the_adapter_list_names_real_modules():
    names = {m.name for m in pkgutil.iter_modules([str(PORTAL)])}
    assert names >= ADAPTERS
    assert {"portal.signup", "portal.signin", "portal.account", "portal.recovery"} <= set(use_case_modules())


def test_importing_the_use_cases_loads_neither_boto3_nor_botocore():
    script = (
        "import importlib, json, sys\n"
        f"for name in {use_case_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'boto3', 'botocore'})))\n"
    )
    loaded = json.loads(subprocess.run([sys.executable, "-c", script], check=True, capture_output=True).stdout)
    assert loaded == []


def test_the_check_sees_botocore_when_a_module_loads_it():
    # The same probe on an adapter: it must see botocore, or the test above proves nothing.
    script = "import sys, portal.mailer; print('botocore' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout.strip()
        == "True"
    )
