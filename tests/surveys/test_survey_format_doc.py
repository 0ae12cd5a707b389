"""The examples in surveys/FORMAT.md are valid definitions."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from surveys import load_bank, load_template

FORMAT = Path(__file__).parents[2] / "surveys" / "FORMAT.md"
EXAMPLES = re.findall(r"```toml\n(.*?)```", FORMAT.read_text(encoding="utf-8"), re.DOTALL)


def test_the_format_document_has_examples_and_all_are_valid_toml():
    assert len(EXAMPLES) >= 6
    for example in EXAMPLES:
        tomllib.loads(example)


def test_the_label_set_and_question_examples_load_as_a_bank(tmp_path):
    examples = [e for e in EXAMPLES if "[label_sets." in e or "[[questions]]" in e]
    path = tmp_path / "bank.toml"
    path.write_text("\n".join(examples), encoding="utf-8")
    bank = load_bank(path)
    assert bank.questions["work_location"].max_choices == 2
    assert bank.questions["enjoyment_work"].options[4].label("en") == "Strongly agree"


def test_the_template_example_loads_against_the_shipped_bank(tmp_path):
    example = next(e for e in EXAMPLES if "[[sections]]" in e)
    (tmp_path / "pulse.toml").write_text(example, encoding="utf-8")
    template = load_template("pulse", directory=tmp_path)
    assert [scale.key for scale in template.scales] == ["workload"]
