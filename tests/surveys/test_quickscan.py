"""The Quick Scan's definition (surveys/data/quickscan.toml): the shipped file, its signals,
answer checks, and the problems a bad file reports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from surveys import DefinitionError, QuickScanForm, load_bank, load_quickscan
from surveys.quickscan import DEFAULT_PATH

SHIPPED = DEFAULT_PATH.read_text(encoding="utf-8")
FORMAT = Path(__file__).parents[2] / "surveys" / "FORMAT.md"


@pytest.fixture(scope="module")
def form() -> QuickScanForm:
    return load_quickscan()


def test_the_shipped_quickscan_has_its_questions_topics_signals_and_guide(form):
    keys = [question.key for question in form.questions]
    assert keys == [
        "qs_energy",
        "qs_workload",
        "qs_balance",
        "work_ability",
        "qs_energy_gives",
        "qs_energy_costs",
        "qs_enjoyment",
        "qs_autonomy",
        "qs_collaboration",
        "qs_manager_support",
        "qs_development",
        "qs_development_wishes",
    ]
    assert form.question("work_ability").text("en") == load_bank().questions["work_ability"].text(
        "en"
    )
    assert (form.question("work_ability").min_value, form.question("work_ability").max_value) == (
        0,
        10,
    )
    assert not any(question.required for question in form.questions)
    scored = {key for key in keys if form.question(key).is_numeric}
    assert set(form.topics) == scored and len(form.topics) == 9
    assert {form.question(key).type for key in set(keys) - scored} == {"text"}
    assert [(s.key, s.company_doctor) for s in form.signals] == [
        ("low_energy_high_workload", True),
        ("low_work_ability", True),
        ("low_enjoyment", False),
        ("poor_balance", True),
        ("little_support", False),
    ]
    assert all(2 <= len(signal.questions) <= 4 for signal in form.signals)
    assert 4 <= len(form.guide) <= 5
    assert all(2 <= len(step.questions) <= 3 for step in form.guide)
    assert form.question("qs_workload").options[2].label("en") == "About right"
    for text in (form.title, form.intro, form.privacy_notice, form.company_doctor):
        assert text.nl and text.en
    assert "bedrijfsarts" in form.company_doctor.nl


def test_the_default_form_is_read_once(form):
    assert load_quickscan() is form
    with pytest.raises(KeyError):
        form.question("enps")


@pytest.mark.parametrize(
    ("signal", "fires", "does_not_fire"),
    [
        (
            "low_energy_high_workload",
            {"qs_energy": 2, "qs_workload": 4},
            {"qs_energy": 3, "qs_workload": 4},
        ),
        (
            "low_energy_high_workload",
            {"qs_energy": 1, "qs_workload": 5},
            {"qs_energy": 2, "qs_workload": 3},
        ),
        ("low_work_ability", {"work_ability": 5}, {"work_ability": 6}),
        ("low_work_ability", {"work_ability": 0}, {"work_ability": 10}),
        ("low_enjoyment", {"qs_enjoyment": 2}, {"qs_enjoyment": 3}),
        ("poor_balance", {"qs_balance": 2}, {"qs_balance": 3}),
        ("little_support", {"qs_manager_support": 2}, {"qs_manager_support": 3}),
    ],
)
def test_each_signal_fires_exactly_up_to_its_boundary(form, signal, fires, does_not_fire):
    assert form.signal(signal).fires(fires)
    assert [s.key for s in form.signals_for(fires)] == [signal]
    assert not form.signal(signal).fires(does_not_fire)
    assert form.signals_for(does_not_fire) == ()


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"qs_energy": 1},  # the workload is missing
        {"qs_workload": 5},
        {"qs_energy": "1", "qs_workload": 5},  # not a number
        {"qs_energy": None, "qs_workload": 5},
        {"qs_energy": True, "qs_workload": 5},
        {"qs_energy": 1.0, "qs_workload": 5},
        {"work_ability": "3"},
        {"qs_energy_costs": "Alles kost energie", "qs_development_wishes": "niets"},
    ],
)
def test_a_missing_or_non_number_input_never_fires(form, answers):
    assert form.signals_for(answers) == ()


def test_visible_signals_never_reveal_an_unshared_answer(form):
    answers = {"qs_energy": 2, "qs_workload": 4, "work_ability": 4, "qs_balance": 1}
    fired = [signal.key for signal in form.signals_for(answers)]
    assert fired == ["low_energy_high_workload", "low_work_ability", "poor_balance"]
    visible = form.visible_signals(answers, ["qs_energy", "qs_workload", "work_ability"])
    assert [signal.key for signal in visible] == ["low_energy_high_workload", "low_work_ability"]
    # One of two inputs unshared: the signal would tell the manager about the other.
    visible = form.visible_signals(answers, {"qs_energy", "qs_balance"})
    assert [signal.key for signal in visible] == ["poor_balance"]
    assert form.visible_signals(answers, ()) == ()


def test_validate_keeps_good_answers_and_reports_bad_ones_by_key(form):
    answers, errors = form.validate(
        {
            "qs_energy": " 3 ",
            "qs_workload": "6",
            "work_ability": "10",
            "qs_balance": "veel",
            "qs_enjoyment": "",
            "qs_energy_gives": "  Mijn team \r\n en de klanten  ",
            "qs_energy_costs": "x" * 1001,
            "qs_development_wishes": "a\x00b",
            "csrf_token": "ignored",
        }
    )
    assert answers == {
        "qs_energy": 3,
        "work_ability": 10,
        "qs_energy_gives": "Mijn team \n en de klanten",
    }
    assert {key: error.code for key, error in errors.items()} == {
        "qs_workload": "out_of_range",
        "qs_balance": "not_a_number",
        "qs_energy_costs": "too_long",
        "qs_development_wishes": "invalid_text",
    }
    assert errors["qs_workload"].params == {"min": 1, "max": 5}
    assert form.validate({}) == ({}, {})
    # A multidict's repeated value is one answer too many.
    assert form.validate({"qs_energy": ["1", "2"]})[1]["qs_energy"].code == "multiple_values"


def test_the_format_document_example_loads(tmp_path):
    examples = re.findall(r"```toml\n(.*?)```", FORMAT.read_text(encoding="utf-8"), re.DOTALL)
    example = next(e for e in examples if "[[signals]]" in e)
    path = tmp_path / "quickscan.toml"
    path.write_text(example, encoding="utf-8")
    form = load_quickscan(path)
    assert [signal.key for signal in form.signals_for({"work_ability": 4})] == ["low_work_ability"]


def _broken(tmp_path: Path, *replacements: tuple[str, str], extra: str = "") -> list[str]:
    text = SHIPPED
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "quickscan.toml"
    path.write_text(text + extra, encoding="utf-8")
    with pytest.raises(DefinitionError) as raised:
        load_quickscan(path)
    return raised.value.problems


CONDITION = '{ question = "qs_balance", at_most = 2 }'


@pytest.mark.parametrize(
    ("replacements", "expected"),
    [
        (
            [("version = 1", "version = 1\nauthor = 'HR'")],
            "quickscan.toml: unknown field 'author'",
        ),
        (
            [("company_doctor = false", "company_docter = false")],
            "quickscan.toml: signal 'low_enjoyment': unknown field 'company_docter' "
            "(did you mean 'company_doctor'?)",
        ),
        (
            [(CONDITION, '{ question = "qs_balans", at_most = 2 }')],
            "quickscan.toml: signal 'poor_balance': condition #1: question 'qs_balans' is not "
            "asked in any section (did you mean 'qs_balance'?)",
        ),
        (
            [(CONDITION, '{ question = "qs_energy_costs", at_most = 2 }')],
            "quickscan.toml: signal 'poor_balance': condition #1: question 'qs_energy_costs' "
            "is a text question: a condition needs a number",
        ),
        (
            [(CONDITION, '{ question = "qs_balance", at_most = 6 }')],
            "quickscan.toml: signal 'poor_balance': condition #1: at_most: 6 is out of range "
            "(expected 1 to 5)",
        ),
        (
            [
                (
                    '{ question = "work_ability", at_most = 5 }',
                    '{ question = "work_ability", at_least = -1 }',
                )
            ],
            "quickscan.toml: signal 'low_work_ability': condition #1: at_least: -1 is out of "
            "range (expected 0 to 10)",
        ),
        (
            [(CONDITION, '{ question = "qs_balance", at_most = 2, at_least = 3 }')],
            "quickscan.toml: signal 'poor_balance': condition #1: at_least 3 is greater than "
            "at_most 2: it never holds",
        ),
        (
            [(CONDITION, '{ question = "qs_balance" }')],
            "quickscan.toml: signal 'poor_balance': condition #1: needs at_most, at_least or both",
        ),
        (
            [(CONDITION, '{ question = "qs_balance", at_most = 2, equals = 1 }')],
            "quickscan.toml: signal 'poor_balance': condition #1: unknown field 'equals'",
        ),
        (
            [(f"conditions = [{CONDITION}]", "conditions = []")],
            "quickscan.toml: signal 'poor_balance': conditions: expected a list of one or more "
            "conditions, got a list",
        ),
        (
            [('key = "little_support"', 'key = "low_enjoyment"')],
            "quickscan.toml: signal 'low_enjoyment': duplicate key",
        ),
        (
            [('en = "Little enjoyment of work" }', 'english = "Little enjoyment of work" }')],
            "quickscan.toml: signal 'low_enjoyment': title: missing 'en' translation",
        ),
        (
            [('"qs_development", "qs_development_wishes"]', '"qs_development", "qs_energy"]')],
            "quickscan.toml: sections #3: question 'qs_energy' is asked twice",
        ),
        (
            [('"qs_development", "qs_development_wishes"]', '"qs_development", "enps_typo"]')],
            "quickscan.toml: sections #3: unknown question 'enps_typo' (not in the bank or this "
            "file) (did you mean 'enps'?)",
        ),
        (
            [('"qs_development", "qs_development_wishes"]', '"qs_development"]')],
            "quickscan.toml: question 'qs_development_wishes': defined but asked in no section",
        ),
        (
            [('"qs_balance", "work_ability"]', '"qs_balance", "work_ability", "qs_energy_gives"]')],
            "quickscan.toml: topics: 'qs_energy_gives' is a text question, not a number",
        ),
        (
            [('key = "qs_autonomy"', 'key = "work_ability"')],
            "quickscan.toml: question 'work_ability': already defined in the question bank (ask "
            "it by its key instead)",
        ),
        (
            [('labels = "qs_amount"', 'labels = "qs_amout"')],
            "quickscan.toml: question 'qs_energy': unknown label set 'qs_amout' (did you mean "
            "'qs_amount'?)",
        ),
        (
            [("[[guide]]", "[[guide]]\nnote = 'x'")],
            "quickscan.toml: guide #1: unknown field 'note' (expected one of heading, questions)",
        ),
        (
            [('{ nl = "Hoe gaat het met je?", en = "How are you?" },', '"How are you?",')],
            'quickscan.toml: guide #1: questions #1: expected a table like {nl = "...", en = '
            "\"...\"}, got 'How are you?'",
        ),
        (
            [("version = 1", "version = 0")],
            "quickscan.toml: version: 0 is out of range (expected at least 1)",
        ),
    ],
)
def test_a_bad_file_names_the_problem_and_its_place(tmp_path, replacements, expected):
    problems = _broken(tmp_path, *replacements)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_every_problem_is_reported_at_once(tmp_path):
    problems = _broken(
        tmp_path,
        ("version = 1", "version = 1\nauthor = 'HR'"),
        (CONDITION, '{ question = "qs_nonsense", at_most = 2 }'),
        ("company_doctor = false", "company_doctor = 'no'"),
    )
    assert len(problems) == 3, problems
    assert (
        "quickscan.toml: signal 'low_enjoyment': company_doctor: expected true or false, got 'no'"
        in problems
    )


def test_a_missing_part_or_broken_toml_is_reported(tmp_path):
    path = tmp_path / "quickscan.toml"
    path.write_text('key = "quickscan"\n', encoding="utf-8")
    with pytest.raises(DefinitionError) as raised:
        load_quickscan(path)
    assert "quickscan.toml: missing field 'signals'" in raised.value.problems
    assert "quickscan.toml: missing field 'privacy_notice'" in raised.value.problems
    path.write_text("key = \n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"quickscan.toml: invalid TOML"):
        load_quickscan(path)


def test_the_bank_given_is_the_one_questions_come_from(tmp_path):
    own = tmp_path / "bank.toml"
    own.write_text(
        '[[questions]]\nkey = "enps"\ntype = "scale"\n'
        'text = { nl = "Aanraden?", en = "Recommend?" }\n'
        'min_label = { nl = "Nee", en = "No" }\nmax_label = { nl = "Ja", en = "Yes" }\n',
        encoding="utf-8",
    )
    with pytest.raises(DefinitionError) as raised:
        load_quickscan(bank=load_bank(own))
    assert any(
        problem.startswith("quickscan.toml: sections #1: unknown question 'work_ability'")
        for problem in raised.value.problems
    ), raised.value.problems
