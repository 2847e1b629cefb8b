from __future__ import annotations

import pytest

from portal.passwords import RULE_IDS, PasswordHasher, failed_rules, normalize


def test_a_strong_password_meets_every_rule():
    assert failed_rules("Correct-Horse-Battery-9", "ann@example.org") == []


def test_every_unmet_rule_is_reported_at_once_in_checklist_order():
    assert failed_rules("ab c", "ann@example.org") == ["minLength", "noWhitespace", "uppercase", "digit", "symbol"]


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Aa1!" * 2 + "Aa1", "minLength"),
        ("Aa1!" * 32 + "x", "maxLength"),
        ("Correct Horse-9", "noWhitespace"),
        ("Correct\tHorse-9x", "noWhitespace"),
        ("Correct\u200fHorse-9x", "noControlCharacters"),  # right-to-left mark
        ("Correct\x00Horse-9x", "noControlCharacters"),
        ("correct-horse-9x", "uppercase"),
        ("CORRECT-HORSE-9X", "lowercase"),
        ("Correct-Horse-xx", "digit"),
        ("CorrectHorse9xyz", "symbol"),
        ("Xx-annsmith-2024", "containsEmail"),
    ],
)
def test_each_rule_fails_on_its_own(password, rule):
    assert failed_rules(password, "AnnSmith@example.org") == [rule]


def test_exactly_twelve_and_exactly_128_characters_are_allowed():
    assert failed_rules("Aa1!Aa1!Aa1!", "x@example.org") == []
    assert failed_rules("Aa1!" * 32, "x@example.org") == []


def test_common_passwords_are_refused_case_insensitively():
    assert "common" in failed_rules("Q1W2E3R4T5Y6", "x@example.org")


def test_a_short_local_part_is_not_forbidden_as_a_substring():
    assert failed_rules("Al-is-not-Al-9", "al@example.org") == []


def test_normalization_makes_composed_and_decomposed_accents_one_password():
    composed, decomposed = "Mot-de-passe-été-9", "Mot-de-passe-e\u0301te\u0301-9"
    assert normalize(composed) == normalize(decomposed)


def test_rule_ids_are_stable():
    assert RULE_IDS == (
        "minLength",
        "maxLength",
        "noWhitespace",
        "noControlCharacters",
        "uppercase",
        "lowercase",
        "digit",
        "symbol",
        "common",
        "containsEmail",
    )


def test_hashes_are_argon2id_at_owasp_parameters_and_verify():
    hasher = PasswordHasher(19456, 2, 1)
    stored = hasher.hash("Correct-Horse-Battery-9")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert hasher.verify(stored, "Correct-Horse-Battery-9")
    assert not hasher.verify(stored, "Correct-Horse-Battery-8")
    assert not hasher.verify("not a hash", "Correct-Horse-Battery-9")
    assert hasher.hash("Correct-Horse-Battery-9") != stored  # salted
    assert PasswordHasher(65536, 3, 1).needs_rehash(stored)
