"""The command-line toolkit: commands whose every text follows the run's language.

``survey-app --lang en --help`` is English throughout and a default run Dutch throughout:
help texts are marked with `N_` and translated when the help is shown (click reads them at
import, before ``--lang`` is known), ``--lang`` is read before anything is printed, and
click's own words ("Usage", "Options", its error messages) go through the project's
catalogues too (`CLICK_MESSAGES`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import getpass
import importlib
import os
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import click

from survey_app.core.errors import N_
from survey_app.core.i18n import current_language, gettext, ngettext
from survey_app.core.settings import SUPPORTED_LANGUAGES, Settings

# click's messages that a person running a command can see, marked for the catalogues;
# click looks them up through `install_click_translations`.
CLICK_MESSAGES = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Positional arguments"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Aborted!"),
    N_("Missing command."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing parameter: {param_name}"),
    N_("Missing {param_type}"),
    N_("No such command {name!r}."),
    N_("No such option {name!r}."),
    N_("Did you mean {possibility}?"),
    N_("(Did you mean one of: {possibilities}?)"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"),
    N_("Option {name!r} does not take a value."),
    N_("Argument {name!r} takes {nargs} values."),
    N_("Invalid start character for option ({option})"),
    N_("Could not open file {filename!r}: {message}"),
    N_("unknown error"),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("(dynamic)"),
    N_("deprecated"),
    N_("Repeat for confirmation"),
    N_("Error: The two entered values do not match."),
    N_("Error: invalid input"),
    N_("Do you want to continue?"),
    N_("Confirm the action without prompting."),
    N_("Press any key to continue..."),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("Choose from:\n\t{choices}"),
    N_("Choice({choices})"),
    N_("{value} is not in the range {range}."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value!r} is not a valid UUID."),
    N_("{value!r} is not a valid boolean. Recognized values: {states}"),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."),
    N_("{name} {filename!r} is not executable."),
)
_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui")


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    return ngettext(singular, plural, n)


def install_click_translations() -> None:
    """Point click's message lookups (``gettext`` bound as ``_`` in its modules) at the
    project's catalogues, so its words are in the run's language too."""
    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _click_ngettext  # type: ignore[attr-defined]


@contextlib.contextmanager
def translated_help(item: click.Option | click.Command) -> Iterator[None]:
    """``item.help`` (an English msgid marked with `N_`) in the run's language, for a while."""
    original = item.help
    item.help = gettext(original) if original else original
    try:
        yield
    finally:
        item.help = original


class Option(click.Option):
    """An option whose ``help`` (marked with `N_`) is translated when shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        with translated_help(self):
            return super().get_help_record(ctx)


class Command(click.Command):
    """A command whose ``help`` (marked with `N_`) is translated when shown."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with translated_help(self):
            super().format_help_text(ctx, formatter)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """click builds ``--help`` once, in the language of the first run: say it anew."""
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = gettext("Show this message and exit.")
        return option

    def get_short_help_str(self, limit: int = 45) -> str:
        with translated_help(self):
            return super().get_short_help_str(limit)


class Group(Command, click.Group):
    """A group of translated commands; its subcommands and subgroups are translated too."""

    command_class = Command
    group_class = type  # subgroups are of this same class


class LazyGroup(Group):
    """A group whose subcommands are imported when one of them runs or is listed (the
    group's help), not when the command line starts: ``survey-app analyze`` brings the
    analysis stack, which ``survey-app serve`` and the other commands do not need.
    ``lazy_commands`` maps each name to ``"module:attribute"``."""

    def __init__(self, *args: Any, lazy_commands: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy_commands and name not in self.commands:
            module, attribute = self.lazy_commands[name].split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)


def option(*names: str, **attrs: Any) -> Callable[[Any], Any]:
    """``click.option`` with a translated ``help=N_("...")``."""
    return click.option(*names, cls=Option, **attrs)


def command(**attrs: Any) -> Callable[[Any], Command]:
    return click.command(cls=Command, **attrs)


def group(**attrs: Any) -> Callable[[Any], Group]:
    return click.group(cls=Group, **attrs)


def _choose_language(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        current_language.set(value)


def language_option() -> Callable[[Any], Any]:
    """``--lang``: read before every other option, so that ``--help`` is already in it."""
    return option(
        "--lang",
        type=click.Choice(SUPPORTED_LANGUAGES),
        default=None,
        is_eager=True,
        expose_value=False,
        callback=_choose_language,
        help=N_("Language of messages (nl or en)."),
    )


class Root(Group):
    """The ``survey-app`` group: the language of ``KLANKBORD_LANGUAGE`` (default Dutch) from
    the first word printed, unless ``--lang`` says otherwise."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        install_click_translations()
        language = os.environ.get("KLANKBORD_LANGUAGE") or "nl"
        current_language.set(language if language in SUPPORTED_LANGUAGES else "nl")
        return super().main(*args, **kwargs)


def run_async(function: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Any]:
    """Run an async command body on a configured database; it gets the settings first.

    An error of the database ends the command with one line in the run's language (the
    database's own reason at the end), never a traceback; the transaction it broke has been
    rolled back, so an import or an invitation run changed nothing.
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from survey_app.core.db import (
            DATABASE_ERRORS,
            close_pool,
            engine_from_url,
            start_pool,
            use_engine,
        )

        settings = Settings.from_env()
        use_engine(engine_from_url(settings.database_url))

        async def main() -> Any:
            try:
                await start_pool()
            except (OSError, TimeoutError, *DATABASE_ERRORS) as error:
                raise click.ClickException(
                    gettext("The database cannot be reached: {reason}").format(
                        reason=_one_line(error)
                    )
                ) from error
            try:
                return await function(settings, *args, **kwargs)
            finally:
                await close_pool()

        try:
            return asyncio.run(main())
        except DATABASE_ERRORS as error:
            raise click.ClickException(
                gettext(
                    "The database stopped the command; the change in progress was rolled "
                    "back: {reason}"
                ).format(reason=_one_line(error))
            ) from error

    return wrapper


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split()) or type(error).__name__


async def require_secret_key(settings: Settings) -> None:
    """Stop a command that reads used invitations or sealed answers under another key."""
    from survey_app.core.secretkey import SecretKeyChanged, confirm_secret_key

    try:
        await confirm_secret_key(settings.secret_key)
    except SecretKeyChanged as error:
        raise click.ClickException(str(error)) from error


def command_line_actor() -> str:
    """Who ran a command, for the audit trail: the operating-system user."""
    try:
        return f"command line ({getpass.getuser()})"
    except (KeyError, OSError):
        return "command line"


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(gettext("Use a date like 2026-12-01.")) from error


def fail(error: Exception) -> click.ClickException:
    """A service's error as a command-line error, its message in the run's language."""
    return click.ClickException(str(error))
