"""The shipped question bank and pulse template load and say what the product promises."""

from __future__ import annotations

from surveys import load_bank, load_template, load_templates, template_keys
from surveys.model import LANGUAGES


def test_shipped_bank_loads_with_label_sets_questions_and_scales():
    bank = load_bank()
    assert {"agreement", "frequency"} <= set(bank.label_sets)
    assert "enps" in bank.questions
    assert {"workload", "psychological_safety", "work_ability"} <= set(bank.scales)


def test_every_shipped_template_loads_and_is_named_after_its_file():
    templates = load_templates()
    assert "pulse" in templates
    assert sorted(templates) == template_keys()
    assert all(template.key == key for key, template in templates.items())


def test_pulse_is_short_and_covers_the_themes():
    pulse = load_template("pulse")
    keys = [question.key for question in pulse.questions]
    assert pulse.kind == "pulse"
    assert pulse.version >= 1
    assert 10 <= len(keys) <= 14
    assert len(keys) == len(set(keys))
    assert {scale.key for scale in pulse.scales} == {
        "work_enjoyment",
        "energy",
        "workload",
        "manager_support",
        "psychological_safety",
        "development",
    }
    assert "enps" in keys


def test_pulse_scales_have_two_or_more_items_all_asked_in_the_pulse():
    pulse = load_template("pulse")
    asked = {question.key for question in pulse.questions}
    for scale in pulse.scales:
        assert len(scale.items) >= 2, scale.key
        assert set(scale.question_keys) <= asked


def test_pulse_workload_has_a_reverse_scored_item_flagged_on_question_and_scale():
    pulse = load_template("pulse")
    workload = next(scale for scale in pulse.scales if scale.key == "workload")
    assert workload.is_reversed("workload_too_much")
    assert not workload.is_reversed("workload_pace")
    assert pulse.question("workload_too_much").reverse_scored
    assert not pulse.question("workload_pace").reverse_scored


def test_pulse_enps_is_a_0_to_10_question_with_end_labels_and_promoter_ranges():
    enps = load_template("pulse").question("enps")
    assert enps.type == "scale"
    assert (enps.min_value, enps.max_value) == (0, 10)
    assert enps.text("nl").startswith("Hoe waarschijnlijk is het dat je de gemeente")
    assert enps.options[0].label("nl") == "Zeer onwaarschijnlijk"
    assert enps.options[10].label("en") == "Very likely"
    assert enps.favourable_answers().to_list() == [9, 10]
    assert enps.unfavourable_answers().to_list() == [0, 6]


def test_pulse_ends_with_one_optional_open_question():
    pulse = load_template("pulse")
    texts = [question for question in pulse.questions if question.type == "text"]
    assert [question.key for question in texts] == ["open_comment"]
    assert not texts[0].required
    assert all(q.required for q in pulse.questions if q.type != "text")


def test_every_shipped_text_is_present_in_both_languages():
    bank = load_bank()
    pulse = load_template("pulse", bank=bank)
    for lang in LANGUAGES:
        assert pulse.title(lang) and pulse.intro(lang)
        assert all(section.heading(lang) for section in pulse.sections)
        for question in bank.questions.values():
            assert question.text(lang)
            for option in question.options:
                if question.type == "scale" and option.key not in ("0", "10"):
                    assert option.label(lang) is None
                else:
                    assert option.label(lang), (question.key, option.key)


def test_the_dutch_texts_use_informal_je():
    pulse = load_template("pulse")
    dutch = " ".join([pulse.intro("nl"), *(q.text("nl") for q in pulse.questions)]).lower()
    assert " u " not in f" {dutch} "
    assert " uw " not in f" {dutch} "
