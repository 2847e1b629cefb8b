"""The bench sorts warm scenarios by what they did (hashing, mail, padding measured, not named) and
judges only the rest against the warm target; the others are listed with their share on purpose."""

from __future__ import annotations

from contextlib import ExitStack

from bench.__main__ import warm_verdict
from bench.harness import PurposefulWork
from bench.report import warm_summary
from portal import emails
from portal.passwords import PasswordHasher

TARGETS = {"warm_median_ms": 0.5, "warm_p99_ms": 1.5}


def result(median: float, p99: float, **on_purpose: float) -> dict:
    done = {"hashing": 0.0, "mail": 0.0, "padding": 0.0, **on_purpose}
    return {
        "median": median,
        "p99": p99,
        "botocore_median": 0.1,
        "ours_median": median - 0.1,
        "aws_calls": 1,
        "on_purpose_median": done,
    }


def test_work_on_purpose_is_measured_where_it_happens_and_the_functions_are_restored():
    real_render, real_hash = emails.render, PasswordHasher.hash
    with ExitStack() as stack:
        work = PurposefulWork(stack)
        emails.render("verify_email", "en", "ann@example.org", "123456")
        assert work.ms["mail"] > 0 and work.ms["hashing"] == 0 and work.ms["padding"] == 0
        PasswordHasher(1024, 1, 1).hash("Correct-Horse-Battery-9")
        assert work.ms["hashing"] > 0
        work.reset()
        assert work.ms == {"hashing": 0.0, "mail": 0.0, "padding": 0.0}
    assert emails.render is real_render and PasswordHasher.hash is real_hash


def test_only_scenarios_without_work_on_purpose_are_judged():
    assert warm_verdict(result(0.4, 1.4)) == {"verdict": "met", "share": 0.0}
    assert warm_verdict(result(0.6, 1.0))["verdict"] == "over"
    assert warm_verdict(result(0.4, 1.6))["verdict"] == "over"
    exempt = warm_verdict(result(4.0, 9.0, mail=1.0, padding=1.0))
    assert exempt == {"verdict": "exempt", "share": 0.5}


def test_the_summary_names_every_scenario_over_the_target_and_every_share():
    warm = {"a": {"fast": result(0.2, 0.3), "slow": result(0.9, 2.0)}, "b": {"mail": result(2.0, 3.0, mail=0.5)}}
    for scenarios in warm.values():
        for r in scenarios.values():
            r["target"] = warm_verdict(r)
    text = "\n".join(warm_summary(warm, TARGETS))
    assert "applies to 2 of 3 scenarios and holds for 1" in text
    assert "- a / slow: median 0.90" in text and "a / fast" not in text
    assert "b / mail 25% of 2.0 ms" in text
