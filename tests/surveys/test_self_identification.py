"""Self-identification categories: the shipped file, load errors, the template field,
snapshots with and without it, and validation of the answers."""

from __future__ import annotations

import pytest

from surveys import (
    DefinitionError,
    Template,
    load_bank,
    load_self_identification,
    load_template,
    validate_self_identification,
)

KEYS = [
    "gender_identity",
    "age_band",
    "years_of_service",
    "migration_background",
    "disability_chronic_illness",
    "lgbtiq",
    "participation_job",
    "working_hours",
]


def test_the_shipped_categories_are_the_agreed_ones_without_a_rather_not_say_option():
    categories = load_self_identification()
    assert list(categories) == KEYS
    assert [o.key for o in categories["age_band"].options] == [
        "under_25",
        "25_34",
        "35_44",
        "45_54",
        "55_plus",
    ]
    assert [o.key for o in categories["migration_background"].options] == [
        "netherlands",
        "europe",
        "outside_europe",
    ]
    for category in categories.values():
        assert category.field_name == f"self_id_{category.key}"
        assert all(option.key not in ("", "rather_not_say") for option in category.options)
        assert category.text("nl") and category.text("en")


def test_the_dig_template_offers_every_category_and_reports_the_five_scales():
    dig = load_template("dig")
    assert dig.kind == "dig"
    assert list(dig.self_identification_keys) == KEYS
    assert [scale.key for scale in dig.scales] == [
        "belonging",
        "authenticity",
        "dig_psych_safety",
        "fair_treatment",
        "inclusive_leadership",
    ]
    for scale in dig.scales:
        assert len(scale.items) == 3 and scale.min_answered == 2
        assert all(dig.question(key).required for key in scale.question_keys)
    assert sum(any(item.reverse for item in scale.items) for scale in dig.scales) >= 4
    kinds = dig.question("ub_kinds")
    assert kinds.type == "multiple_choice" and not kinds.required
    assert [o.key for o in kinds.options] == [
        "discrimination",
        "intimidation",
        "aggression_violence",
        "sexual_harassment",
        "bullying",
    ]
    assert [o.key for o in dig.question("ub_sources").options] == [
        "colleagues",
        "manager",
        "citizens_clients",
        "other",
    ]
    assert [o.key for o in dig.question("ub_reported").options] == [
        "manager",
        "confidential_adviser",
        "hr",
        "other",
        "not_reported",
    ]
    for key in ("ub_experienced", "knows_confidential_adviser"):
        question = dig.question(key)
        assert question.required and [o.key for o in question.options] == ["yes", "no"]
    assert load_template("pulse").self_identification == ()


def test_choosing_categories_keeps_the_files_order_and_survives_a_snapshot():
    dig = load_template("dig")
    chosen = dig.with_self_identification(["working_hours", "age_band"])
    assert chosen.self_identification_keys == ("age_band", "working_hours")
    assert Template.from_dict(chosen.to_dict()) == chosen
    assert dig.with_self_identification([]).self_identification == ()
    with pytest.raises(DefinitionError) as caught:
        dig.with_self_identification(["age", "lgbtiq"])
    assert caught.value.problems == [
        "self-identification: unknown category 'age' (expected one of " + ", ".join(KEYS) + ")"
    ]


def test_a_snapshot_from_before_self_identification_loads_with_none():
    snapshot = load_template("pulse").to_dict()
    del snapshot["self_identification"]
    assert Template.from_dict(snapshot).self_identification == ()


def test_validation_keeps_stated_answers_and_reports_codes_by_field_name():
    template = load_template("dig").with_self_identification(
        ["gender_identity", "age_band", "lgbtiq", "working_hours"]
    )
    form = {
        "self_id_gender_identity": ["non_binary"],
        "self_id_age_band": [" "],  # I'd rather not say
        "self_id_lgbtiq": ["yes", "no"],
        "self_id_working_hours": ["sometimes"],
        "self_id_migration_background": ["europe"],  # not asked in this wave: ignored
    }
    stated, errors = validate_self_identification(template, form)
    assert stated == (("gender_identity", "non_binary"),)
    assert {field: error.code for field, error in errors.items()} == {
        "self_id_lgbtiq": "multiple_values",
        "self_id_working_hours": "unknown_option",
    }
    assert validate_self_identification(template, {}) == ((), {})
    assert validate_self_identification(load_template("pulse"), form) == ((), {})


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bad_categories_file_reports_every_problem(tmp_path):
    path = write(
        tmp_path,
        "self_identification.toml",
        """
[[categories]]
key = "age"
text = { nl = "Leeftijd" }
options = [{ key = "young", label = { nl = "Jong", en = "Young" } }]

[[categories]]
key = "age"
text = { nl = "Leeftijd", en = "Age" }
optons = []

[[categories]]
key = "Hours"
text = { nl = "Uren", en = "Hours" }
options = []
""",
    )
    with pytest.raises(DefinitionError) as caught:
        load_self_identification(path)
    assert caught.value.problems == [
        "self_identification.toml: category 'age': text: missing 'en' translation",
        "self_identification.toml: category 'age': options: expected a list of 2 or more "
        "options, got a list",
        "self_identification.toml: category 'age': unknown field 'optons' "
        "(did you mean 'options'?)",
        "self_identification.toml: category 'age': missing field 'options'",
        "self_identification.toml: category #3: key 'Hours' is not snake_case (lowercase "
        "letters, digits and single underscores, starting with a letter)",
    ]
    empty = write(tmp_path, "empty.toml", "categories = []\n")
    with pytest.raises(DefinitionError) as caught:
        load_self_identification(empty)
    assert caught.value.problems == [
        "empty.toml: categories: expected one or more [[categories]], got a list"
    ]


def test_a_template_naming_unknown_or_repeated_categories_is_refused(tmp_path):
    write(
        tmp_path,
        "mini.toml",
        """
key = "mini"
version = 1
kind = "dig"
title = { nl = "Mini", en = "Mini" }
intro = { nl = "Kort.", en = "Short." }
self_identification = ["age_bnd", "lgbtiq", "lgbtiq"]

[[sections]]
heading = { nl = "Een", en = "One" }
questions = ["belonging_part"]
""",
    )
    with pytest.raises(DefinitionError) as caught:
        load_template("mini", bank=load_bank(), directory=tmp_path)
    assert caught.value.problems == [
        "mini.toml: self_identification: unknown category 'age_bnd' (did you mean 'age_band'?)",
        "mini.toml: self_identification: category 'lgbtiq' is listed twice",
    ]
