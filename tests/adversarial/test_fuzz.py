"""Schemathesis fuzzes every operation of the generated OpenAPI document on the local runner.

At least 200 generated requests per operation; every answer must be documented (status, content
type, body schema, headers) and none may be a 5xx.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
# Invalid data must be refused with a 4xx the document names; 413 (too large) and 415 (not JSON)
# are refusals too, which schemathesis does not count as such by default.
REFUSALS = ["400", "401", "403", "404", "405", "413", "415", "429"]
CONFIG = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}}})
schema = schemathesis.openapi.from_path(str(DOCUMENT), config=CONFIG)
MIN_REQUESTS = 200
sent: Counter[str] = Counter()


@schema.parametrize()
@settings(max_examples=MIN_REQUESTS + 50, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_answers_within_its_document(case, runner):
    response = case.call(base_url=runner.url)
    sent[f"{case.operation.method.upper()} {case.operation.path}"] += 1
    assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code} {response.text[:300]}"
    # Excluded: "schema-valid data must be accepted". The API judges more than a schema can say
    # (address syntax, the password policy, whether a code is right) and answers those with the
    # documented 400s, which every other check still holds to the document.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])


def test_every_operation_was_fuzzed_enough():
    """Runs after the fuzzing above (file order): each operation got its share of requests."""
    operations = {f"{method.upper()} {path}" for path, item in schema.raw_schema["paths"].items() for method in item}
    assert set(sent) == operations
    assert min(sent.values()) >= MIN_REQUESTS, sent
