"""The command line speaks one language per run: ``--lang en --help`` is English throughout,
a run without ``--lang`` Dutch throughout (help texts, click's own words, errors)."""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from survey_app.cli import main
from survey_app.core.i18n import translations


def commands(group: click.Group = main, path: tuple[str, ...] = ()) -> Iterator[tuple]:
    yield path, group
    context = click.Context(group)
    # Through list_commands and get_command, as click does: lazy groups load theirs there.
    for name in sorted(group.list_commands(context)):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name), command


def run(*args: str, language: str | None) -> str:
    """The output of ``survey-app [--lang LANGUAGE] ARGS`` (None: the default language)."""
    choice = ["--lang", language] if language else []
    invoke = CliRunner(env={"KLANKBORD_LANGUAGE": None}).invoke
    result = contextvars.copy_context().run(invoke, main, [*choice, *args])
    return result.output


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def texts_of(command: click.Command) -> list[str]:
    """The help texts the command shows: its own and each option's."""
    found = [command.help] if command.help else []
    found += [param.help for param in command.params if getattr(param, "help", None)]
    return found


ALL = list(commands())


@pytest.mark.parametrize(
    ("path", "command"), ALL, ids=[" ".join(p) or "survey-app" for p, _ in ALL]
)
def test_every_command_has_help_in_both_languages(path: tuple[str, ...], command) -> None:
    assert command.help, f"{' '.join(path)} has no help text"
    english = flat(run(*path, "--help", language="en"))
    dutch = flat(run(*path, "--help", language=None))
    assert flat(run(*path, "--help", language="nl")) == dutch
    assert "Usage:" in english and "Options" in english
    assert "Gebruik:" in dutch and "Opties" in dutch and "Usage:" not in dutch
    assert "Show this message and exit." in english
    assert "Toon dit bericht en stop." in dutch
    for text in texts_of(command):
        translated = translations("nl").gettext(text)
        assert translated != text, f"not in Dutch: {text!r}"
        assert flat(text) in english, text
        assert flat(translated) in dutch, text
        assert flat(text) not in dutch, text


def test_click_errors_follow_the_language() -> None:
    english = run("wave", "create", language="en")
    dutch = run("wave", "create", language=None)
    assert "Error: Missing option '--title'" in english
    assert "Fout: Ontbrekende optie '--title'" in dutch
    assert "Try 'survey-app wave create --help' for help." in english
    assert "Probeer 'survey-app wave create --help' voor hulp." in dutch


def test_the_language_option_comes_first() -> None:
    """``--help`` before ``--lang`` on the same level is still in the chosen language when
    ``--lang`` is given first, as the README shows it."""
    assert "Toon dit bericht en stop." in run("--help", language="nl")
    assert "Show this message and exit." in run("--help", language="en")
