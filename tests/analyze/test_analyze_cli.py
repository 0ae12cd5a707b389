"""``survey-app analyze``: the JSON contract and one clear error (exit code 2) per bad file."""

from __future__ import annotations

import contextvars
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from survey_app.cli import main

ROWS = (
    ["Gemeente/Sociaal Domein/Jeugd,4,2,4"] * 3
    + ["Gemeente/Sociaal Domein/Wmo,5,1,5"] * 8
    + ["Gemeente/Sociaal Domein/Participatie,3,3,"] * 9
    + ["Gemeente/Bedrijfsvoering,2,4,2"] * 12
    + ["Gemeente,1,5,1"] * 2
)


def write(tmp_path: Path, text: str, name: str = "answers.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    return write(tmp_path, "\n".join(["dept,q1,q2,q3", *ROWS]) + "\n")


def run(*args: str, lang: str | None = "en") -> tuple[int, str]:
    """``survey-app --lang LANG analyze ...`` (no ``--lang``: the default, Dutch), in a copy
    of the context: the language chosen does not leak into later tests."""
    choice = ["--lang", lang] if lang else []
    invoke = CliRunner(env={"KLANKBORD_LANGUAGE": None}).invoke
    result = contextvars.copy_context().run(invoke, main, [*choice, "analyze", *args])
    return result.exit_code, result.output


def test_scores_one_object_per_group_at_every_level(answers: Path) -> None:
    code, output = run(
        "scores",
        str(answers),
        "--group-column",
        "dept",
        "--items",
        "q1,-q2",
        "--scale",
        "eng=q1,-q2,q3",
    )
    assert code == 0, output
    records = json.loads(output)
    groups = [r["group"] for r in records]
    assert groups == sorted(groups, key=lambda p: p.split("/"))
    assert groups[0] == "Gemeente" and "Gemeente/Sociaal Domein" in groups
    by_group = {r["group"]: r for r in records}
    top = by_group["Gemeente"]
    assert set(top) == {"group", "n", "suppressed", "items", "scales"}
    assert top["n"] == 34 and top["suppressed"] is False
    assert set(top["items"]) == {"q1", "q2"}  # q3 only feeds the scale
    assert top["items"]["q1"]["distribution"] == {"1": 2, "2": 12, "3": 9, "4": 3, "5": 8}
    assert top["items"]["q2"]["favourable"] == pytest.approx(
        100 * 11 / 34, abs=1e-4
    )  # 1-2 reversed
    # Scales count only people who answered all their items (analysis/README.md, the gate).
    assert top["scales"]["eng"]["n"] == 25
    # 2 directors sit directly under Gemeente: the smallest visible child goes with them.
    assert by_group["Gemeente/Bedrijfsvoering"] == {
        "group": "Gemeente/Bedrijfsvoering",
        "n": 12,
        "suppressed": True,
        "items": {},
        "scales": {},
    }
    # Jeugd (3) is too small; Wmo (8) is hidden with it so Jeugd cannot be subtracted out.
    assert by_group["Gemeente/Sociaal Domein/Jeugd"]["suppressed"] is True
    assert by_group["Gemeente/Sociaal Domein/Wmo"]["suppressed"] is True
    assert by_group["Gemeente/Sociaal Domein/Participatie"]["suppressed"] is False


def test_scores_is_deterministic_and_writes_to_output(answers: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert run("scores", str(answers), "--group-column", "dept", "--output", str(out))[0] == 0
    again = run("scores", str(answers), "--group-column", "dept")[1]
    assert out.read_text() == again


def test_an_item_hidden_in_a_visible_group_is_an_explicit_marker(tmp_path: Path) -> None:
    rows = ["A,3,"] * 3 + ["A,3,4"] * 5 + ["B,3,4"] * 10
    path = write(tmp_path, "\n".join(["g,q1,q2", *rows]))
    records = {
        r["group"]: r for r in json.loads(run("scores", str(path), "--group-column", "g")[1])
    }
    assert records["A"]["items"]["q2"]["n"] == 5
    assert records["A"]["items"]["q1"]["n"] == 8


def test_min_group_below_3_is_refused(answers: Path) -> None:
    code, output = run("scores", str(answers), "--group-column", "dept", "--min-group", "2")
    assert code == 2 and "at least 3" in output


def test_reliability_contract(answers: Path) -> None:
    code, output = run(
        "reliability", str(answers), "--scale", "eng=q1,-q2,q3", "--missing", "pairwise"
    )
    assert code == 0, output
    result = json.loads(output)
    assert set(result) == {"eng"}
    assert set(result["eng"]) == {"alpha", "n", "missing", "alpha_if_deleted"}
    assert result["eng"]["missing"] == "pairwise" and result["eng"]["n"] == 34
    assert set(result["eng"]["alpha_if_deleted"]) == {"q1", "q2", "q3"}
    complete = json.loads(run("reliability", str(answers), "--scale", "eng=q1,-q2,q3")[1])
    assert complete["eng"]["n"] == 25 and complete["eng"]["missing"] == "complete"


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ("", ["--group-column", "dept"], "line 1: the file is empty"),
        ("dept,q1\n", ["--group-column", "dept"], "line 2: the file has a header but no answers"),
        (
            "team,q1\nA,3\n",
            ["--group-column", "dept"],
            "line 1, column 'dept': this column is not in the header",
        ),
        (
            "dept,q1\nA,3\nA,x\n",
            ["--group-column", "dept"],
            "line 3, column 'q1': 'x' is not a number",
        ),
        (
            "dept,q1\nA,3\nA,7\n",
            ["--group-column", "dept"],
            "line 3, column 'q1': 7 is outside the range 1-5",
        ),
        (
            "dept,q1\nA,3.5\n",
            ["--group-column", "dept"],
            "line 2, column 'q1': '3.5' is not a whole number",
        ),
        (
            "dept,q1\nA,3\n,4\n",
            ["--group-column", "dept"],
            "line 3, column 'dept': '' is not a group path",
        ),
        (
            "dept,q1\nA,3\n",
            ["--group-column", "dept", "--items", "q9"],
            "line 1, column 'q9': unknown item",
        ),
        ("dept,q1\nA,3,4\n", ["--group-column", "dept"], "line 2: 3 fields, but the header has 2"),
        ("dept,q1\nA,3\n", ["--group-column", "dept", "--range", "5-1"], "--range"),
    ],
)
def test_bad_files_give_one_clear_error_and_exit_code_2(
    tmp_path: Path, text, args, message
) -> None:
    path = write(tmp_path, text)
    code, output = run("scores", str(path), *args)
    assert code == 2
    assert message in output
    assert output.count("Error") == 1


def test_reliability_unknown_item_names_the_column(answers: Path) -> None:
    code, output = run("reliability", str(answers), "--scale", "eng=q1,q9")
    assert code == 2 and "column 'q9': unknown item" in output


def test_semicolon_csv_from_a_dutch_spreadsheet(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffdept;q1\n" + "A;4\n" * 5)
    records = json.loads(run("scores", str(path), "--group-column", "dept")[1])
    assert records[0]["items"]["q1"]["mean"] == 4.0


def test_a_scale_with_an_unknown_item_names_the_column(answers: Path) -> None:
    code, output = run("scores", str(answers), "--group-column", "dept", "--scale", "eng=q1,q9")
    assert code == 2 and "line 1, column 'q9': unknown item" in output


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ("dept,q1\nA,3\nA,x\n", [], "regel 3, kolom 'q1': 'x' is geen getal"),
        ("dept,q1\nA,3\nA,7\n", [], "regel 3, kolom 'q1': 7 valt buiten het bereik 1-5"),
        ("", [], "regel 1: het bestand is leeg"),
        ("dept,q1\nA,3\n", ["--min-group", "2"], "--min-group: de minimale groepsgrootte"),
        ("dept,q1\nA,3\n", ["--range", "5-1"], "--range: bereik '5-1': MIN moet lager"),
        ("dept,q1\nA,3\n", ["--scale", "eng"], "--scale: schaal 'eng': schrijf het als NAAM="),
    ],
)
def test_messages_are_dutch_by_default(tmp_path: Path, text, args, message) -> None:
    code, output = run(
        "scores", str(write(tmp_path, text)), "--group-column", "dept", *args, lang=None
    )
    assert code == 2
    assert message in output


def test_help_follows_the_chosen_language() -> None:
    dutch = run("scores", "--help", lang="nl")[1]
    english = run("scores", "--help", lang="en")[1]
    assert "Minimale groepsgrootte k" in dutch and "Schrijf de JSON naar dit bestand" in dutch
    assert "Minimum group size k" in english and "Minimum group size" not in dutch
    assert "Cronbachs alfa per schaal" in run("--help", lang="nl")[1]
