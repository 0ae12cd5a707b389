"""``survey-app analyze themes``: the JSON it writes and exit code 2 on bad input."""

from __future__ import annotations

import contextvars
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from survey_app.cli import main

ROWS = [
    ("GEM/A", "De werkdruk is te hoog, bel Kees Jansen op 06-12345678."),
    ("GEM/A", "Mijn leidinggevende geeft weinig waardering."),
    ("GEM/A", "Het zaaksysteem is traag."),
    ("GEM/A", "Te weinig flexplekken op kantoor."),
    ("GEM/A", "Het salaris is te laag."),
    ("GEM/B", "De kantine is prima."),
    ("GEM/B", ""),
]


def write_csv(path: Path, delimiter: str = ",") -> Path:
    lines = [f"afdeling{delimiter}opmerking"]
    lines += [f'{group}{delimiter}"{text}"' for group, text in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args: str, lang: str | None = "en") -> tuple[int, str]:
    """``survey-app --lang LANG analyze ...`` (no ``--lang``: the default, Dutch), in a copy
    of the context: the language chosen does not leak into later tests."""
    choice = ["--lang", lang] if lang else []
    invoke = CliRunner(env={"KLANKBORD_LANGUAGE": None}).invoke
    result = contextvars.copy_context().run(invoke, main, [*choice, "analyze", "themes", *args])
    return result.exit_code, result.output


def test_writes_themes_assignments_and_groups(tmp_path: Path) -> None:
    csv_path = write_csv(tmp_path / "c.csv", ";")
    names = tmp_path / "names.txt"
    names.write_text("Kees Jansen\n", encoding="utf-8")
    out = tmp_path / "out.json"
    code, output = run(
        str(csv_path), "--text-column", "opmerking", "--group-column", "afdeling",
        "--names", str(names), "--output", str(out), "--assignments",
    )  # fmt: skip
    assert code == 0, output
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result) >= {"themes", "assignments", "groups", "known_themes"}
    assert result["assignments"] == [
        "workload", "manager", "ict", "hybrid_work", "pay", "facilities", None
    ]  # fmt: skip
    theme = next(t for t in result["themes"] if t["id"] == "workload")
    assert set(theme) == {"id", "label", "terms", "size", "quotes", "source"}
    # One comment on this theme, fewer than the comment minimum: no quote, no own words.
    assert theme["quotes"] == [] and theme["terms"] == []
    assert theme["source"] == "taxonomy" and theme["label"] == "Werkdruk"
    by_group = result["groups"]["by_group"]
    assert by_group["GEM"]["n"] == 7
    # B has 2 comments; A (5) is hidden too, or B would be GEM minus A.
    assert by_group["GEM/A"] == by_group["GEM/B"] == {"suppressed": True}


def test_standard_output_and_wave_column(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("wave,text\n" + "".join(f"w1,Werkdruk {i}\n" for i in range(5)))
    code, output = run(str(path), "--text-column", "TEXT", "--wave-column", "wave")
    assert code == 0, output
    result = json.loads(output)
    assert result["waves"]["w1"]["shares"]["workload"] == 1.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--text-column", "missing"], "there is no column 'missing'"),
        (["--text-column", "opmerking", "--group-column", "x"], "there is no column 'x'"),
        (["--text-column", "opmerking", "--themes", "many"], "use auto, taxonomy or a whole"),
        (["--text-column", "opmerking", "--themes", "0"], "use auto, taxonomy or a whole"),
        (
            ["--text-column", "opmerking", "--themes", "taxonomy", "--taxonomy", "none"],
            "--themes taxonomy needs a taxonomy",
        ),
        (["--text-column", "opmerking", "--language", "de"], "'de' is not one of"),
        (["--text-column", "opmerking", "--comment-minimum", "2"], "2 is not in the range"),
        (["--text-column", "opmerking", "--taxonomy", "nope.toml"], "cannot read the taxonomy"),
    ],
)
def test_bad_options_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    code, output = run(str(write_csv(tmp_path / "c.csv")), *args)
    assert code == 2
    assert message in output


def test_unreadable_files_exit_2(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("text\ncafé\n".encode("latin-1"))
    assert run(str(latin), "--text-column", "text")[0] == 2
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, output = run(str(empty), "--text-column", "text")
    assert code == 2 and "no header row" in output
    assert run(str(tmp_path / "absent.csv"), "--text-column", "text")[0] == 2


def test_messages_are_dutch_by_default(tmp_path: Path) -> None:
    code, output = run(str(write_csv(tmp_path / "c.csv")), "--text-column", "x", lang=None)
    assert code == 2 and "--text-column: er is geen kolom 'x'" in output
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, output = run(str(empty), "--text-column", "text", lang="nl")
    assert code == 2 and "geen kopregel" in output
    out = tmp_path / "out.json"
    csv_path = str(write_csv(tmp_path / "c.csv"))
    code, output = run(csv_path, "--text-column", "opmerking", "--output", str(out), lang=None)
    assert code == 0, output
    assert "7 regels: opgeslagen in" in output
    assert "Taal van de opmerkingen" in run("--help", lang=None)[1]


def test_an_unclosed_quote_is_an_error_that_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "comments.csv"
    path.write_text(
        'afdeling,opmerking\nGEM/A,"Goed werk\nGEM/A,Slecht\nGEM/B,Prima\n', encoding="utf-8"
    )
    code, output = run(str(path), "--text-column", "opmerking")
    assert code == 2
    assert "line 2" in output and "missing closing quote" in output


def test_a_comment_over_two_lines_in_quotes_is_one_comment(tmp_path: Path) -> None:
    path = tmp_path / "comments.csv"
    path.write_text('afdeling,opmerking\nGEM/A,"Goed\nwerk"\nGEM/B,Prima\n', encoding="utf-8")
    code, output = run(
        str(path), "--text-column", "opmerking", "--taxonomy", "none", "--assignments"
    )
    assert code == 0, output
    assert len(json.loads(output)["assignments"]) == 2


def test_rows_are_listed_only_when_asked_for(tmp_path: Path) -> None:
    code, output = run(str(write_csv(tmp_path / "c.csv")), "--text-column", "opmerking")
    assert code == 0, output
    result = json.loads(output)
    assert "assignments" not in result and "sentiment" not in result
    assert result["themes"] and result["groups"]["organisation"]["n"] == 7


# Comments outside the taxonomy: one topic per comment.
OUTING = ["bedrijfsuitje", "kerstmarkt", "barbecue", "personeelsfeest", "bowlen", "sinterklaas"]
KITCHEN = ["koffieapparaat", "vaatwasser", "koelkast", "magnetron", "waterkoker", "theedoeken"]


def topic_csv(path: Path, counts: dict[str, int]) -> Path:
    pools = {"outing": OUTING, "kitchen": KITCHEN}
    lines = ["opmerking"]
    for topic, count in counts.items():
        for i in range(count):
            words = [pools[topic][(i + j) % 6] for j in (0, 2, 3)]
            lines.append(f"De {words[0]} en de {words[1]} en ook de {words[2]}.")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_themes_taxonomy_discovers_nothing(tmp_path: Path) -> None:
    path = topic_csv(tmp_path / "c.csv", {"outing": 30})
    code, output = run(str(path), "--text-column", "opmerking", "--assignments")
    assert code == 0, output
    assert any(t["source"] == "discovered" for t in json.loads(output)["themes"])
    code, output = run(
        str(path), "--text-column", "opmerking", "--themes", "taxonomy", "--assignments"
    )
    assert code == 0, output
    result = json.loads(output)
    assert {t["source"] for t in result["themes"]} == {"taxonomy"}
    assert set(result["assignments"]) == {None}


def test_previous_keeps_a_discovered_theme_s_id(tmp_path: Path) -> None:
    first_out, second_out = tmp_path / "first.json", tmp_path / "second.json"
    first = topic_csv(tmp_path / "first.csv", {"kitchen": 40, "outing": 25})
    second = topic_csv(tmp_path / "second.csv", {"outing": 40})
    for path, out, extra in (
        (first, first_out, []),
        (second, second_out, ["--previous", str(first_out)]),
    ):
        code, output = run(
            str(path), "--text-column", "opmerking", "--themes", "2", "--output", str(out), *extra
        )
        assert code == 0, output

    def outing_id(out: Path) -> str:
        themes = json.loads(out.read_text(encoding="utf-8"))["themes"]
        (theme,) = [t for t in themes if set(t["terms"]) & set(OUTING)]
        return theme["id"]

    assert outing_id(first_out) == "discovered-2"  # the kitchen theme is larger
    assert outing_id(second_out) == "discovered-2"


def test_a_previous_file_that_is_not_an_earlier_output_is_refused(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"themes": []}', encoding="utf-8")
    code, output = run(
        str(write_csv(tmp_path / "c.csv")), "--text-column", "opmerking", "--previous", str(wrong)
    )
    assert code == 2 and "not the JSON output of an earlier analyze themes run" in output


def test_sentiment_per_theme_and_per_row_only_with_assignments(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    rows = ["De werkdruk is veel te hoog."] * 3 + ["De werkdruk is goed en heel fijn."] * 2
    path.write_text("opmerking\n" + "".join(f"{row}\n" for row in [*rows, "Het salaris."]))
    code, output = run(str(path), "--text-column", "opmerking", "--sentiment")
    assert code == 0, output
    result = json.loads(output)
    assert "sentiment" not in result and "assignments" not in result
    themes = {theme["id"]: theme for theme in result["themes"]}
    assert themes["workload"]["sentiment"] == {"positive": 0.4, "neutral": 0.0, "negative": 0.6}
    # One comment on pay: fewer than the comment minimum, so its sentiment stays hidden.
    assert themes["pay"]["sentiment"] == {"suppressed": True}
    code, output = run(str(path), "--text-column", "opmerking", "--sentiment", "--assignments")
    assert code == 0, output
    result = json.loads(output)
    assert result["sentiment"][:5] == ["negative"] * 3 + ["positive"] * 2
    assert len(result["sentiment"]) == len(result["assignments"]) == 6
