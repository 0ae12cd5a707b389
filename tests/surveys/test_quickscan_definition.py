"""The Quick Scan's definition (surveys/data/quickscan.toml) and the medical-word check."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys import DefinitionError, QuickScanForm, load_quickscan, medical_terms
from surveys.quickscan import DEFAULT_PATH


def test_the_quickscan_loads_with_its_questions_signals_and_guide() -> None:
    form = load_quickscan()
    assert isinstance(form, QuickScanForm)
    keys = [question.key for question in form.questions]
    assert len(keys) == len(set(keys)) == 12
    assert form.question("work_ability").max_value == 10
    assert all(form.question(key).is_numeric for key in form.topics) and len(form.topics) == 9
    assert {
        "low_energy_high_workload",
        "low_work_ability",
        "low_enjoyment",
        "poor_balance",
        "little_support",
    } <= {signal.key for signal in form.signals}
    assert 4 <= len(form.guide) <= 5
    assert not any(question.required for question in form.questions)


def test_signals_fire_on_all_conditions_and_never_reveal_what_was_not_shared() -> None:
    form = load_quickscan()
    answers = {"qs_energy": 2, "qs_workload": 4, "work_ability": 4}
    fired = {signal.key for signal in form.signals_for(answers)}
    assert fired == {"low_energy_high_workload", "low_work_ability"}
    assert not form.signals_for({"qs_energy": 2})  # the workload is missing
    assert not form.signals_for({"work_ability": "4"})  # not a number
    visible = form.visible_signals(answers, ["qs_energy", "qs_workload"])
    assert [signal.key for signal in visible] == ["low_energy_high_workload"]


def test_a_bad_definition_lists_its_problems(tmp_path: Path) -> None:
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    broken = tmp_path / "quickscan.toml"
    broken.write_text(text.replace('question = "qs_balance"', 'question = "qs_nonsense"'))
    with pytest.raises(DefinitionError) as raised:
        load_quickscan(broken)
    assert any("qs_nonsense" in problem for problem in raised.value.problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mijn burn-out van vorig jaar", ("burn-out",)),
        ("Ik was depressief; de Depressie duurde lang", ("depressief", "Depressie")),
        ("Na de operatie in het ziekenhuis", ("operatie", "ziekenhuis")),
        ("I see a psychologist for my anxiety disorder", ("psychologist", "anxiety disorder")),
        ("Het ziekteverzuim is hoog; ik ga naar de bedrijfsarts", ()),
        ("Ik ben ziek geweest", ()),
        ("", ()),
    ],
)
def test_medical_words_are_found_as_typed(text: str, expected: tuple[str, ...]) -> None:
    assert medical_terms(text) == expected
