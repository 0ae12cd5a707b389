"""Invalid definition files fail to load with every problem named by file and place."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys import DefinitionError, load_bank, load_template

LABELS = """
[label_sets.agreement]
1 = { nl = "Helemaal oneens", en = "Strongly disagree" }
2 = { nl = "Oneens", en = "Disagree" }
3 = { nl = "Neutraal", en = "Neutral" }
4 = { nl = "Eens", en = "Agree" }
5 = { nl = "Helemaal eens", en = "Strongly agree" }
"""

QUESTIONS = """
[[questions]]
key = "enjoy"
type = "likert"
labels = "agreement"
text = { nl = "Ik heb plezier in mijn werk.", en = "I enjoy my work." }

[[questions]]
key = "tired"
type = "likert"
labels = "agreement"
text = { nl = "Ik ben vaak moe.", en = "I am often tired." }

[[questions]]
key = "recommend"
type = "scale"
text = { nl = "Aanbevelen?", en = "Recommend?" }
min_label = { nl = "Nee", en = "No" }
max_label = { nl = "Ja", en = "Yes" }

[[questions]]
key = "comment"
type = "text"
text = { nl = "Opmerking", en = "Comment" }

[[questions]]
key = "location"
type = "single_choice"
text = { nl = "Waar werk je?", en = "Where do you work?" }
options = [
    { key = "office", label = { nl = "Kantoor", en = "Office" } },
    { key = "home", label = { nl = "Thuis", en = "Home" } },
]
"""

SCALES = """
[[scales]]
key = "mood"
name = { nl = "Stemming", en = "Mood" }
items = ["enjoy", "-tired"]
min_answered = 1
"""

BANK = LABELS + QUESTIONS + SCALES

TEMPLATE = """
key = "pulse"
version = 1
kind = "pulse"
title = { nl = "Puls", en = "Pulse" }
intro = { nl = "Welkom", en = "Welcome" }
scales = ["mood"]

[[sections]]
heading = { nl = "Werk", en = "Work" }
questions = ["enjoy", "tired", "comment"]
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def bank_problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_bank(write(tmp_path, "bank.toml", text))
    return caught.value.problems


def template_problems(tmp_path: Path, text: str, key: str = "pulse") -> list[str]:
    bank = load_bank(write(tmp_path, "bank.toml", BANK))
    write(tmp_path, f"{key}.toml", text)
    with pytest.raises(DefinitionError) as caught:
        load_template(key, bank=bank, directory=tmp_path)
    return caught.value.problems


def question(body: str) -> str:
    return f"\n[[questions]]\n{body}\n"


def test_the_base_definitions_used_below_are_valid(tmp_path):
    bank = load_bank(write(tmp_path, "bank.toml", BANK))
    write(tmp_path, "pulse.toml", TEMPLATE)
    template = load_template("pulse", bank=bank, directory=tmp_path)
    assert [q.key for q in template.questions] == ["enjoy", "tired", "comment"]


def test_unknown_question_type(tmp_path):
    extra = question('key = "energy"\ntype = "likret"\ntext = { nl = "Energie", en = "Energy" }')
    assert bank_problems(tmp_path, BANK + extra) == [
        "bank.toml: question 'energy': unknown type 'likret' "
        "(expected one of likert, scale, single_choice, multiple_choice, text)"
    ]


def test_missing_question_type(tmp_path):
    extra = question('key = "energy"\ntext = { nl = "Energie", en = "Energy" }')
    assert bank_problems(tmp_path, BANK + extra) == [
        "bank.toml: question 'energy': missing field 'type'"
    ]


def test_duplicate_question_key_in_one_file(tmp_path):
    extra = question('key = "enjoy"\ntype = "text"\ntext = { nl = "Nog eens", en = "Again" }')
    assert bank_problems(tmp_path, BANK + extra) == [
        "bank.toml: question 'enjoy': duplicate key (already defined earlier in this file)"
    ]


def test_duplicate_keys_across_bank_files(tmp_path):
    write(tmp_path, "bank.toml", BANK)
    write(
        tmp_path,
        "extra.toml",
        LABELS
        + question('key = "enjoy"\ntype = "text"\ntext = { nl = "Nog eens", en = "Again" }')
        + SCALES,
    )
    with pytest.raises(DefinitionError) as caught:
        load_bank(tmp_path)
    assert caught.value.problems == [
        "extra.toml: label set 'agreement': duplicate key (already defined in bank.toml)",
        "extra.toml: question 'enjoy': duplicate key (already defined in bank.toml)",
        "extra.toml: scale 'mood': duplicate key (already defined in bank.toml)",
    ]


def test_bank_split_over_files_may_refer_across_them(tmp_path):
    write(tmp_path, "a_labels.toml", LABELS)
    write(tmp_path, "b_questions.toml", QUESTIONS)
    write(tmp_path, "c_scales.toml", SCALES)
    bank = load_bank(tmp_path)
    assert bank.scales["mood"].question_keys == ("enjoy", "tired")


def test_missing_and_empty_translations(tmp_path):
    extra = question(
        'key = "energy"\ntype = "text"\ntext = { nl = "Energie" }\n'
        'help = { nl = "Uitleg", en = " " }'
    )
    assert bank_problems(tmp_path, BANK + extra) == [
        "bank.toml: question 'energy': text: missing 'en' translation",
        "bank.toml: question 'energy': help: 'en' translation is empty",
    ]


def test_translation_in_an_unknown_language_or_not_a_table(tmp_path):
    extra = question(
        'key = "energy"\ntype = "text"\n'
        'text = { nl = "Energie", en = "Energy", de = "Energie" }\nhelp = "Uitleg"'
    )
    assert bank_problems(tmp_path, BANK + extra) == [
        "bank.toml: question 'energy': text: unknown language 'de' (expected nl and en)",
        "bank.toml: question 'energy': help: expected a table like "
        '{nl = "...", en = "..."}, got \'Uitleg\'',
    ]


def test_missing_translation_in_a_label_set(tmp_path):
    text = BANK.replace('3 = { nl = "Neutraal", en = "Neutral" }', '3 = { en = "Neutral" }')
    assert bank_problems(tmp_path, text)[0] == (
        "bank.toml: label set 'agreement': 3: missing 'nl' translation"
    )


def test_label_set_missing_a_point(tmp_path):
    text = BANK.replace('5 = { nl = "Helemaal eens", en = "Strongly agree" }', "")
    assert bank_problems(tmp_path, text)[0] == (
        "bank.toml: label set 'agreement': missing field '5'"
    )


def test_unknown_label_set_with_suggestion(tmp_path):
    extra = question(
        'key = "energy"\ntype = "likert"\nlabels = "agreemnt"\n'
        'text = { nl = "Energie", en = "Energy" }'
    )
    assert bank_problems(tmp_path, BANK + extra) == [
        "bank.toml: question 'energy': unknown label set 'agreemnt' (did you mean 'agreement'?)"
    ]


def test_unknown_question_field_is_a_typo_not_ignored(tmp_path):
    extra = question(
        'key = "energy"\ntype = "text"\nrequird = false\ntext = { nl = "Energie", en = "Energy" }'
    )
    assert bank_problems(tmp_path, BANK + extra) == [
        "bank.toml: question 'energy': unknown field 'requird' (did you mean 'required'?)"
    ]


def test_field_of_another_question_type_is_unknown(tmp_path):
    extra = question(
        'key = "energy"\ntype = "text"\nfavourable = [4, 5]\n'
        'text = { nl = "Energie", en = "Energy" }'
    )
    assert bank_problems(tmp_path, BANK + extra) == [
        "bank.toml: question 'energy': unknown field 'favourable' "
        "(expected one of key, type, text, help, required, max_length)"
    ]


def test_unknown_top_level_field_in_bank(tmp_path):
    assert bank_problems(tmp_path, "question = []\n" + BANK) == [
        "bank.toml: unknown field 'question' (did you mean 'questions'?)"
    ]


def test_invalid_toml_syntax_in_bank(tmp_path):
    problems = bank_problems(tmp_path, BANK + '\n[[questions]\nkey = "x"\n')
    assert len(problems) == 1
    assert problems[0].startswith("bank.toml: invalid TOML: ")
    assert "line" in problems[0]


def test_invalid_toml_syntax_in_template(tmp_path):
    problems = template_problems(tmp_path, TEMPLATE + "\nkind = = \n")
    assert len(problems) == 1
    assert problems[0].startswith("pulse.toml: invalid TOML: ")


def test_missing_bank_file(tmp_path):
    with pytest.raises(DefinitionError) as caught:
        load_bank(tmp_path / "bank.toml")
    assert caught.value.problems == ["bank.toml: cannot read file: No such file or directory"]


def test_key_that_is_not_snake_case(tmp_path):
    extra = question('key = "Energy-Level"\ntype = "text"\ntext = { nl = "E", en = "E" }')
    assert bank_problems(tmp_path, BANK + extra) == [
        "bank.toml: question #6: key 'Energy-Level' is not snake_case (lowercase letters, "
        "digits and single underscores, starting with a letter)"
    ]


def test_scale_item_that_is_not_a_numeric_question(tmp_path):
    extra = """
[[scales]]
key = "bad"
name = { nl = "Slecht", en = "Bad" }
items = ["comment", "location", "enjoy"]
min_answered = 1
"""
    assert bank_problems(tmp_path, BANK + extra) == [
        "bank.toml: scale 'bad': item 'comment' is a text question "
        "(scale items must be likert or scale questions)",
        "bank.toml: scale 'bad': item 'location' is a single_choice question "
        "(scale items must be likert or scale questions)",
    ]


def test_scale_with_unknown_repeated_or_mixed_items(tmp_path):
    extra = """
[[scales]]
key = "unknown"
name = { nl = "Onbekend", en = "Unknown" }
items = ["enjoi"]
min_answered = 1

[[scales]]
key = "repeated"
name = { nl = "Dubbel", en = "Repeated" }
items = ["enjoy", "-enjoy"]
min_answered = 1

[[scales]]
key = "mixed"
name = { nl = "Gemengd", en = "Mixed" }
items = ["enjoy", "recommend"]
min_answered = 1
"""
    assert bank_problems(tmp_path, BANK + extra) == [
        "bank.toml: scale 'unknown': unknown question 'enjoi' (did you mean 'enjoy'?)",
        "bank.toml: scale 'repeated': item 'enjoy' is listed twice",
        "bank.toml: scale 'mixed': items mix answer ranges (all items must be likert, or all 0-10)",
    ]


def test_scale_min_answered_beyond_its_items(tmp_path):
    text = BANK.replace("min_answered = 1", "min_answered = 3")
    assert bank_problems(tmp_path, text) == [
        "bank.toml: scale 'mood': min_answered: 3 is out of range (expected 1 to 2)"
    ]


def test_question_reverse_scored_in_one_scale_but_not_another(tmp_path):
    extra = """
[[scales]]
key = "tiredness"
name = { nl = "Vermoeidheid", en = "Tiredness" }
items = ["tired"]
min_answered = 1
"""
    assert bank_problems(tmp_path, BANK + extra) == [
        "bank.toml: question 'tired': reverse-scored in scale 'mood' but not in scale "
        "'tiredness' (a question is reverse-scored everywhere or nowhere)"
    ]


def test_bad_bands(tmp_path):
    extra = """
[[scales]]
key = "banded"
name = { nl = "Banden", en = "Bands" }
items = ["recommend"]
min_answered = 1
bands = [
    { min_score = 1, label = { nl = "Laag", en = "Low" } },
    { min_score = 6, label = { nl = "Midden", en = "Middle" } },
    { min_score = 6, label = { nl = "Ook midden", en = "Middle too" } },
    { min_score = 11, label = { nl = "Te hoog", en = "Too high" } },
    { min_score = "8", label = { nl = "Tekst", en = "Text" } },
]
"""
    assert bank_problems(tmp_path, BANK + extra) == [
        "bank.toml: scale 'banded': band #1: min_score: the first band must start at 0, not 1",
        "bank.toml: scale 'banded': band #3: min_score: 6 must be greater than the previous "
        "band's 6",
        "bank.toml: scale 'banded': band #4: min_score: 11 is above the highest score 10",
        "bank.toml: scale 'banded': band #5: min_score: expected a number, got '8'",
    ]


@pytest.mark.parametrize(
    ("ranges", "message"),
    [
        ("favourable = [4, 6]", "favourable: [4, 6] is outside the answer range 1 to 5"),
        ("unfavourable = [0, 2]", "unfavourable: [0, 2] is outside the answer range 1 to 5"),
        ("favourable = [5, 4]", "favourable: low 5 is greater than high 4"),
        ("favourable = 4", "favourable: expected [low, high] (two whole numbers), got 4"),
        (
            "favourable = [4.0, 5]",
            "favourable: expected [low, high] (two whole numbers), got a list",
        ),
        (
            "favourable = [2, 3]",
            "favourable [2, 3] must lie above unfavourable [1, 2] (for a negatively worded "
            "question, list it as a reverse-scored '-' item in a scale)",
        ),
        (
            "favourable = [1, 2]\nunfavourable = [4, 5]",
            "favourable [1, 2] must lie above unfavourable [4, 5] (for a negatively worded "
            "question, list it as a reverse-scored '-' item in a scale)",
        ),
    ],
)
def test_bad_favourable_ranges(tmp_path, ranges, message):
    extra = question(
        f'key = "energy"\ntype = "likert"\nlabels = "agreement"\n{ranges}\n'
        'text = { nl = "Energie", en = "Energy" }'
    )
    assert bank_problems(tmp_path, BANK + extra) == [f"bank.toml: question 'energy': {message}"]


def test_bad_choice_options(tmp_path):
    extra = question(
        'key = "pick"\ntype = "multiple_choice"\nmin_choices = 2\nmax_choices = 1\n'
        'text = { nl = "Kies", en = "Pick" }\n'
        "options = [\n"
        '  { key = "a", label = { nl = "A", en = "A" } },\n'
        '  { key = "a", label = { nl = "B", en = "B" } },\n'
        '  { key = "C", label = { nl = "C", en = "C" } },\n'
        "]"
    ) + question(
        'key = "one"\ntype = "single_choice"\ntext = { nl = "Een", en = "One" }\n'
        'options = [{ key = "only", label = { nl = "Enige", en = "Only" } }]'
    )
    assert bank_problems(tmp_path, BANK + extra) == [
        "bank.toml: question 'pick': option 'a': duplicate option key",
        "bank.toml: question 'pick': option #3: key 'C' must be lowercase letters, digits "
        "and underscores",
        "bank.toml: question 'one': options: expected a list of 2 or more options, got a list",
    ]


def test_min_choices_greater_than_max_choices(tmp_path):
    extra = question(
        'key = "pick"\ntype = "multiple_choice"\nmin_choices = 3\nmax_choices = 2\n'
        'text = { nl = "Kies", en = "Pick" }\n'
        "options = [\n"
        '  { key = "a", label = { nl = "A", en = "A" } },\n'
        '  { key = "b", label = { nl = "B", en = "B" } },\n'
        '  { key = "c", label = { nl = "C", en = "C" } },\n'
        "]"
    )
    assert bank_problems(tmp_path, BANK + extra) == [
        "bank.toml: question 'pick': min_choices 3 is greater than max_choices 2"
    ]


def test_text_max_length_above_the_hard_cap(tmp_path):
    extra = question(
        'key = "essay"\ntype = "text"\nmax_length = 6000\ntext = { nl = "Opstel", en = "Essay" }'
    )
    assert bank_problems(tmp_path, BANK + extra) == [
        "bank.toml: question 'essay': max_length: 6000 is out of range (expected 1 to 5000)"
    ]


def test_wrong_value_kinds(tmp_path):
    extra = question(
        'key = "essay"\ntype = "text"\nrequired = "yes"\nmax_length = true\n'
        'text = { nl = "Opstel", en = "Essay" }'
    )
    assert bank_problems(tmp_path, BANK + extra) == [
        "bank.toml: question 'essay': required: expected true or false, got 'yes'",
        "bank.toml: question 'essay': max_length: expected a whole number, got true",
    ]


def test_all_problems_are_reported_not_just_the_first(tmp_path):
    extra = (
        question('key = "a"\ntype = "likret"\ntext = { nl = "A", en = "A" }')
        + question('key = "b"\ntype = "text"\ntext = { nl = "B" }')
        + question('key = "c"\ntype = "text"\ntext = { nl = "C", en = "C" }\nmaxlength = 5')
    )
    with pytest.raises(DefinitionError) as caught:
        load_bank(write(tmp_path, "bank.toml", BANK + extra))
    assert len(caught.value.problems) == 3
    message = str(caught.value)
    assert message.startswith("3 problems in survey definitions:\n- bank.toml: question 'a'")
    assert "- bank.toml: question 'c': unknown field 'maxlength'" in message


def test_template_with_unknown_question(tmp_path):
    text = TEMPLATE.replace('"enjoy", "tired"', '"enjoi", "tired"')
    assert template_problems(tmp_path, text) == [
        "pulse.toml: section 1: unknown question 'enjoi' (not in the question bank) "
        "(did you mean 'enjoy'?)"
    ]


def test_template_reporting_a_scale_whose_items_are_not_all_asked(tmp_path):
    text = TEMPLATE.replace('"enjoy", "tired"', '"enjoy"')
    assert template_problems(tmp_path, text) == [
        "pulse.toml: scale 'mood': item 'tired' is not asked in this template"
    ]


def test_template_asking_a_question_twice(tmp_path):
    text = TEMPLATE + (
        '\n[[sections]]\nheading = { nl = "Nog eens", en = "Again" }\nquestions = ["enjoy"]\n'
    )
    assert template_problems(tmp_path, text) == [
        "pulse.toml: section 2: question 'enjoy' is already asked in section 1"
    ]


def test_template_unknown_fields_kind_and_scale(tmp_path):
    text = (
        TEMPLATE.replace('kind = "pulse"', 'kind = "puls"')
        .replace('scales = ["mood"]', 'scales = ["mod"]\ntitel = "x"')
        .replace('heading = { nl = "Werk", en = "Work" }', 'heading = { nl = "Werk" }')
    )
    assert template_problems(tmp_path, text) == [
        "pulse.toml: unknown field 'titel' (did you mean 'title'?)",
        "pulse.toml: unknown kind 'puls' (expected one of pulse, dig, quickscan)",
        "pulse.toml: section 1: heading: missing 'en' translation",
        "pulse.toml: scales: unknown scale 'mod' (did you mean 'mood'?)",
    ]


def test_template_missing_fields(tmp_path):
    text = TEMPLATE.replace("version = 1\n", "").replace(
        'intro = { nl = "Welkom", en = "Welcome" }', ""
    )
    assert template_problems(tmp_path, text) == [
        "pulse.toml: missing field 'version'",
        "pulse.toml: missing field 'intro'",
    ]


def test_template_key_must_match_its_file_and_version_be_positive(tmp_path):
    text = TEMPLATE.replace('key = "pulse"', 'key = "pulse_two"').replace(
        "version = 1", "version = 0"
    )
    assert template_problems(tmp_path, text) == [
        "pulse.toml: key 'pulse_two' does not match the file name (expected 'pulse')",
        "pulse.toml: version: 0 is out of range (expected at least 1)",
    ]


def test_template_with_empty_section(tmp_path):
    text = TEMPLATE + '\n[[sections]]\nheading = { nl = "Leeg", en = "Empty" }\nquestions = []\n'
    assert template_problems(tmp_path, text) == [
        "pulse.toml: section 2: questions: a section needs at least one question"
    ]


def test_template_that_does_not_exist(tmp_path):
    with pytest.raises(DefinitionError) as caught:
        load_template("dig", bank=load_bank(), directory=tmp_path)
    assert caught.value.problems == ["dig.toml: cannot read file: No such file or directory"]


def test_template_key_cannot_point_outside_the_directory(tmp_path):
    with pytest.raises(DefinitionError) as caught:
        load_template("../bank", bank=load_bank(), directory=tmp_path)
    assert caught.value.problems == ["template key '../bank' is not snake_case"]


def test_an_invalid_question_or_label_set_is_not_reported_again_as_unknown(tmp_path):
    text = BANK.replace('1 = { nl = "Helemaal oneens", en = "Strongly disagree" }', "").replace(
        'key = "recommend"\ntype = "scale"', 'key = "recommend"\ntype = "scale"\nfavourable = 9'
    )
    extra = """
[[scales]]
key = "advocacy"
name = { nl = "Aanbevelen", en = "Advocacy" }
items = ["recommend"]
min_answered = 1
"""
    assert bank_problems(tmp_path, text + extra) == [
        "bank.toml: label set 'agreement': missing field '1'",
        "bank.toml: question 'recommend': favourable: expected [low, high] (two whole "
        "numbers), got 9",
    ]
