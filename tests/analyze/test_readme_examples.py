"""The README's ``survey-app analyze`` examples run as written."""

from __future__ import annotations

import contextvars
import json
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from survey_app.cli import main
from tests.helpers import PROJECT_ROOT


def readme_commands() -> list[list[str]]:
    """Each ``survey-app analyze …`` command of the README, continuation lines joined."""
    lines = (PROJECT_ROOT / "README.md").read_text().splitlines()
    commands, current = [], ""
    for line in lines:
        if current:
            current += " " + line.strip().removesuffix("\\")
        elif line.startswith("survey-app analyze"):
            current = line.strip().removesuffix("\\")
        if current and not line.rstrip().endswith("\\"):
            commands.append(shlex.split(current, comments=True)[1:])
            current = ""
    return commands


def write_example_files(folder: Path) -> None:
    departments = ["Gemeente/Sociaal Domein/Jeugd", "Gemeente/Sociaal Domein/Wmo", "Gemeente/ICT"]
    answers = ["afdeling,q1,q2,q3"]
    comments = ["afdeling,opmerking"]
    words = ["werkdruk is hoog", "fijne collega's", "te weinig overleg", "goede sfeer"]
    for number in range(60):
        department = departments[number % 3]
        answers.append(f"{department},{1 + number % 5},{1 + (number * 2) % 5},{1 + number % 4}")
        comments.append(f"{department},De {words[number % 4]} en nog wat ({number % 7})")
    (folder / "answers.csv").write_text("\n".join(answers) + "\n", encoding="utf-8")
    (folder / "comments.csv").write_text("\n".join(comments) + "\n", encoding="utf-8")
    next_wave = comments[:1] + comments[:0:-1]
    (folder / "comments-2027.csv").write_text("\n".join(next_wave) + "\n", encoding="utf-8")
    (folder / "organisatie.csv").write_text(
        "record_type;department_code;department_name;parent_code;level;employee_number;"
        "name;email;is_manager\nmedewerker;GEM;;;;1;Anna de Vries;;ja\n",
        encoding="utf-8",
    )


COMMANDS = readme_commands()


def test_the_readme_has_the_analyze_examples() -> None:
    assert [command[1] for command in COMMANDS] == ["scores", "reliability", "themes", "themes"]


@pytest.mark.parametrize("position", range(len(COMMANDS)), ids=[c[1] for c in COMMANDS])
def test_each_readme_example_runs(position: int, tmp_path: Path, monkeypatch) -> None:
    """Each example runs after the ones before it (``--previous`` reads an earlier output)."""
    write_example_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    invoke = CliRunner(env={"KLANKBORD_LANGUAGE": None}).invoke
    for arguments in COMMANDS[: position + 1]:
        result = contextvars.copy_context().run(invoke, main, ["--lang", "en", *arguments])
        assert result.exit_code == 0, result.output
    if "--output" in arguments:
        written = tmp_path / arguments[arguments.index("--output") + 1]
        assert json.loads(written.read_text(encoding="utf-8"))
    else:
        assert json.loads(result.output)
