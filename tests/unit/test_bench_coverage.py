"""`make bench` covers every function: a call budget and a scenario for every route, every handler in
the cold-start section. A route added without them would go unmeasured (and its AWS calls unchecked)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.cold_start import entries
from bench.scenarios import SCENARIOS
from functions.routes import AUTHORIZER, MAIL_EVENTS, ROUTES

BUDGET = json.loads((Path(__file__).resolve().parents[2] / "bench" / "round_trips.json").read_text())


def test_every_route_has_a_scenario_and_every_scenario_a_call_budget():
    assert {r.module for r in ROUTES} <= {s.route for s in SCENARIOS}
    for scenario in SCENARIOS:
        assert scenario.name in BUDGET.get(scenario.route, {}), (scenario.route, scenario.name)
    # No budget is left for a scenario that no longer runs (it would never be checked).
    budgeted = {(route, name) for route, scenarios in BUDGET.items() if route != "_note" for name in scenarios}
    assert budgeted == {(s.route, s.name) for s in SCENARIOS}


def test_a_minimum_is_never_above_the_ceiling():
    for route, scenarios in BUDGET.items():
        if route != "_note":
            for name, entry in scenarios.items():
                assert entry.get("minimum", len(entry["calls"])) <= len(entry["calls"]), (route, name)


def test_the_cold_start_section_imports_every_function():
    assert [e.module for e in entries()] == [*(r.module for r in ROUTES), AUTHORIZER.module, MAIL_EVENTS.module]
