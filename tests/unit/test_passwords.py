from __future__ import annotations

import pytest

from portal.passwords import RULE_IDS, PasswordHasher, base_words, failed_rules, normalize


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
        ("Xx-ann.smith-Horse9", "containsEmail"),
        ("Password123!", "common"),
        ("Smith-Example-2024!", "containsName"),
    ],
)
def test_each_rule_fails_on_its_own(password, rule):
    assert failed_rules(password, "Ann.Smith@example.org") == [rule]


def test_exactly_twelve_and_exactly_128_characters_are_allowed():
    assert failed_rules("Aa1!Aa1!Aa1!", "x@example.org") == []
    assert failed_rules("Aa1!" * 32, "x@example.org") == []


def test_common_passwords_are_refused_case_insensitively():
    assert "common" in failed_rules("Q1W2E3R4T5Y6", "x@example.org")


def test_the_list_holds_at_least_100000_passwords_and_loads_only_when_a_password_is_judged():
    import importlib
    import sys

    sys.modules.pop("portal.passwords", None)
    fresh = importlib.import_module("portal.passwords")
    assert fresh._common_passwords.cache_info().currsize == 0  # importing the module does not load it
    assert len(fresh._common_passwords()) >= 100_000


@pytest.mark.parametrize(
    ("password", "base"),
    [
        ("Password123!", "password"),  # trailing digits and symbols
        ("Welcome2024!", "welcome"),  # a year
        ("Qwerty123456!", "qwerty"),
        ("P@ssw0rd1234", "password"),  # leet
        ("Iloveyou123!", "iloveyou"),
        ("Summer2025!!", "summer"),
        ("$ummer2025!!", "summer"),  # a leading symbol that stands for a letter
        ("!!2024Dragon", "dragon"),  # leading digits and symbols
        ("2024-Dr4g0n-X", "dr4g0n-x"),  # a year in front
        ("Dr4g0n-2024!", "dragon"),
        ("M1chael#1990!", "michael"),  # "1" read as i
        ("F00tba11-1999!", "football"),  # "1" read as l
    ],
)
def test_the_base_word_is_the_password_without_case_affixes_years_and_leet(password, base):
    assert base in base_words(password)


@pytest.mark.parametrize(
    "password", ["Password123!", "Welcome2024!", "Qwerty123456!", "P@ssw0rd1234", "Iloveyou123!", "Summer2025!!"]
)
def test_a_common_word_decorated_to_meet_the_rules_is_refused_as_common(password):
    assert failed_rules(password, "x@example.org") == ["common"]


@pytest.mark.parametrize(
    ("password", "email", "rules"),
    [
        ("NatoMultimedia1!", "x@example.org", ["containsName"]),  # the portal's name
        ("Multimedia-2025!", "x@example.org", ["common", "containsName"]),  # also a common word
        ("Example-2025-Xy!", "x@example.org", ["containsName"]),  # the address's domain
        ("Ann-Smith-2025!", "ann.smith@mail.org", ["containsName"]),  # the local part's words
        ("NatoPassword2025!", "x@example.org", ["common"]),  # a common word once the name is out
        ("Nato-Horse-Battery-9", "x@example.org", []),  # a name inside a real passphrase
    ],
)
def test_the_portal_and_the_address_names_are_taken_out_of_the_base_word(password, email, rules):
    assert failed_rules(password, email) == rules


def test_random_passwords_that_meet_the_composition_rules_are_not_refused_by_the_word_rules():
    import random
    import string

    draw = random.Random(14)  # fixed: the same 2,000 passwords every run
    alphabet = string.ascii_letters + string.digits + "!@#$%^&*-_=+"
    judged = 0
    while judged < 2000:
        password = "".join(draw.choice(alphabet) for _ in range(12))
        failed = failed_rules(password, "x@example.org")
        if {"uppercase", "lowercase", "digit", "symbol"} & set(failed):
            continue
        judged += 1
        assert failed == [], password


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
        "containsName",
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
