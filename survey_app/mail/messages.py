"""Composing an invitation or a reminder: plain text and HTML (multipart/alternative) in the
recipient's language, from the templates in ``templates/mail/``, with the link in both."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from jinja2 import Environment

from survey_app.core.errors import N_
from survey_app.core.i18n import _, using_language
from survey_app.core.settings import Settings
from survey_app.web.templates import jinja_environment

_ENVIRONMENTS: dict[int, Environment] = {}


def _environment(settings: Settings) -> Environment:
    environment = _ENVIRONMENTS.get(id(settings))
    if environment is None:
        environment = _ENVIRONMENTS[id(settings)] = jinja_environment(settings)
    return environment


def survey_link(settings: Settings, token: str) -> str:
    """The opaque link: the public address and the random token, nothing about the person."""
    return f"{settings.base_url}/s/{token}"


def valid_address(address: str) -> bool:
    """A plain address the message can be sent to (no name part, no line breaks)."""
    name, parsed = parseaddr(address)
    if name or parsed != address or address.count("@") != 1:
        return False
    local, domain = address.split("@")
    return bool(local) and "." in domain and not any(char.isspace() for char in address)


def compose(
    settings: Settings,
    *,
    kind: str,
    language: str,
    recipient: str,
    link: str,
    wave_title: str,
    closes_at: dt.datetime,
    now: dt.datetime,
) -> EmailMessage:
    """The message; ValueError when ``recipient`` is not an address a message can carry."""
    values = {"link": link, "title": wave_title, "closes_at": closes_at}
    subject = N_("Reminder: {title}") if kind == "reminder" else N_("Invitation: {title}")
    return compose_from(
        settings,
        template=f"mail/{kind}",
        subject=subject,
        language=language,
        recipient=recipient,
        values=values,
        now=now,
    )


def compose_from(
    settings: Settings,
    *,
    template: str,
    subject: str,
    language: str,
    recipient: str,
    values: Mapping[str, object],
    now: dt.datetime,
) -> EmailMessage:
    """A message from ``template``.txt and .html (``subject``: an English msgid whose
    ``{placeholders}`` are filled from ``values``), in ``language``; ValueError when
    ``recipient`` is not an address a message can carry."""
    if not valid_address(recipient):
        raise ValueError("not an e-mail address")
    environment = _environment(settings)
    values = {**values, "language": language}
    with using_language(language):
        title = _(subject).format(**values)
        text = environment.get_template(f"{template}.txt").render(subject=title, **values)
        html = environment.get_template(f"{template}.html").render(subject=title, **values)
    message = EmailMessage()
    message["Subject"] = title
    message["From"] = settings.mail_from
    message["To"] = Address(addr_spec=recipient)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or None)
    # Automatic mail: no out-of-office replies to the sender.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    # After the content: setting it drops every Content- header.
    message["Content-Language"] = language
    return message
