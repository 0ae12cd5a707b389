"""Template.to_dict() is a self-contained JSON snapshot that from_dict() rebuilds exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from surveys import DefinitionError, Template, load_bank, load_template

BANK = """
[label_sets.frequency]
1 = { nl = "Nooit", en = "Never" }
2 = { nl = "Zelden", en = "Rarely" }
3 = { nl = "Soms", en = "Sometimes" }
4 = { nl = "Vaak", en = "Often" }
5 = { nl = "Altijd", en = "Always" }

[[questions]]
key = "overtime"
type = "likert"
labels = "frequency"
favourable = [5, 5]
unfavourable = [1, 3]
text = { nl = "Ik werk over.", en = "I work overtime." }
help = { nl = "Buiten je werktijd.", en = "Outside your working hours." }

[[questions]]
key = "ability"
type = "scale"
text = { nl = "Werkvermogen", en = "Work ability" }
min_label = { nl = "Slecht", en = "Poor" }
max_label = { nl = "Best", en = "Best" }

[[questions]]
key = "tools"
type = "multiple_choice"
max_choices = 2
text = { nl = "Middelen", en = "Tools" }
options = [
    { key = "laptop", label = { nl = "Laptop", en = "Laptop" } },
    { key = "phone", label = { nl = "Telefoon", en = "Phone" } },
    { key = "paper", label = { nl = "Papier", en = "Paper" } },
]

[[questions]]
key = "note"
type = "text"
max_length = 300
text = { nl = "Notitie", en = "Note" }

[[scales]]
key = "overwork"
name = { nl = "Overwerk", en = "Overwork" }
items = ["-overtime"]
min_answered = 1

[[scales]]
key = "ability"
name = { nl = "Werkvermogen", en = "Work ability" }
items = ["ability"]
min_answered = 1
bands = [
    { min_score = 0, label = { nl = "Laag", en = "Low" } },
    { min_score = 7.5, label = { nl = "Hoog", en = "High" } },
]
"""

TEMPLATE = """
key = "talk"
version = 3
kind = "quickscan"
title = { nl = "Gesprek", en = "Conversation" }
intro = { nl = "Vooraf invullen.", en = "Fill in beforehand." }
scales = ["overwork", "ability"]

[[sections]]
heading = { nl = "Eén", en = "One" }
questions = ["overtime", "ability"]

[[sections]]
heading = { nl = "Twee", en = "Two" }
questions = ["tools", "note"]
"""


@pytest.fixture
def template(tmp_path: Path) -> Template:
    (tmp_path / "bank.toml").write_text(BANK, encoding="utf-8")
    (tmp_path / "talk.toml").write_text(TEMPLATE, encoding="utf-8")
    return load_template("talk", bank=load_bank(tmp_path / "bank.toml"), directory=tmp_path)


def round_trip(template: Template) -> Template:
    return Template.from_dict(json.loads(json.dumps(template.to_dict())))


def test_every_question_type_scale_and_band_survives_a_json_round_trip(template):
    rebuilt = round_trip(template)
    assert rebuilt == template
    assert rebuilt.question("overtime").reverse_scored
    assert rebuilt.question("overtime").help("en") == "Outside your working hours."
    assert rebuilt.question("tools").max_choices == 2
    assert rebuilt.scales[1].band_for(8).label("nl") == "Hoog"


def test_the_shipped_pulse_survives_a_json_round_trip():
    pulse = load_template("pulse")
    assert round_trip(pulse) == pulse


def test_the_snapshot_stands_alone_once_the_files_are_gone(template, tmp_path):
    snapshot = json.dumps(template.to_dict())
    for path in tmp_path.iterdir():
        path.unlink()
    rebuilt = Template.from_dict(json.loads(snapshot))
    assert rebuilt.title("en") == "Conversation"
    assert rebuilt.question("overtime").options[4].label("nl") == "Altijd"
    assert rebuilt.question("ability").options[0].label("en") == "Poor"
    assert rebuilt.question("ability").options[5].label("en") is None


def test_a_changed_snapshot_rebuilds_a_different_template(template):
    data = template.to_dict()
    data["sections"][0]["questions"][0]["text"]["nl"] = "Anders"
    assert Template.from_dict(data) != template


def test_a_snapshot_of_an_unknown_format_is_rejected(template):
    data = template.to_dict()
    data["format"] = 99
    with pytest.raises(DefinitionError) as caught:
        Template.from_dict(data)
    assert caught.value.problems == ["template snapshot: unsupported format 99"]


def test_a_malformed_snapshot_is_a_definition_error(template):
    data = template.to_dict()
    del data["sections"][0]["questions"][0]["options"]
    with pytest.raises(DefinitionError) as caught:
        Template.from_dict(data)
    assert caught.value.problems == ["template snapshot: malformed (KeyError('options'))"]
