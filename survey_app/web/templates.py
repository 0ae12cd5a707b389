"""The Jinja environment every page is rendered with: translations, filters and the folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from survey_app.core import i18n
from survey_app.core.clock import local_date
from survey_app.core.settings import SITE_DIR, Settings
from survey_app.web.theme import theme_of

TEMPLATE_DIR = SITE_DIR / "templates"


def jinja_environment(settings: Settings, template_dir: Path = TEMPLATE_DIR) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(template_dir),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates do not change while the server runs: no file check per include.
        auto_reload=False,
    )
    environment.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)

    def localdate(moment: dt.datetime, end: bool = False) -> str:
        """A date in the organisation's time zone; ``end`` for an exclusive end moment."""
        return local_date(moment, settings.timezone, end=end)

    environment.filters["localdate"] = localdate
    # {{ 3.456|number(2) }} → "3,46" in Dutch; {{ -2|signed }} → "−2", {{ 0.3|signed(1) }} → "+0,3".
    environment.filters["number"] = i18n.format_number
    environment.filters["signed"] = i18n.format_signed
    # base.html links /theme.css?v=<digest> and puts the theme's class on <html>.
    environment.globals["theme_version"] = theme_of(settings).version
    environment.globals["theme_class"] = settings.theme_class
    return environment
