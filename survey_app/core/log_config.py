"""Server logging that never writes survey tokens, client addresses or survey requests."""

from __future__ import annotations

import logging
import re
from typing import Any

TOKEN_IN_PATH = re.compile(r"/([sc])/[^/?#\s\"]+")
# The respondent's routes: /s/<token>, /survey, /survey/check/…, /survey/thanks, and those
# of code slips: /c/<code>, /code, /kiosk.
SURVEY_PATH = re.compile(r"^/(?:s/|c/|(?:survey|code|kiosk)(?:[/?#]|$))")


def is_survey_path(path: str) -> bool:
    """A request of someone answering a survey: not logged, and no signed-in session is
    looked up (or touched) for it."""
    return SURVEY_PATH.match(path) is not None


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub(r"/\1/[token]", text)


class RedactTokens(logging.Filter):
    """Drops survey requests from the access log, the client address from every line, and
    invitation tokens from any message.

    A line per survey request, with its time, would give the order in which answers
    arrived, and an address might name the person; so the access log has no line at all
    for a survey request (its errors are still logged, without token).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            record.name == "uvicorn.access"
            and isinstance(record.args, tuple)
            and len(record.args) == 5
        ):
            _client, method, path, version, status = record.args
            if is_survey_path(str(path)):
                return False
            record.args = ("-", method, redact(str(path)), version, status)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
            if isinstance(record.args, tuple):
                record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def uvicorn_log_config(level: str = "INFO") -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "survey_app.core.log_config.RedactTokens"}},
        "formatters": {
            "default": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["redact"],
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": ["default"], "level": level, "propagate": False},
            "survey_app": {"handlers": ["default"], "level": level, "propagate": False},
            "litestar": {"handlers": ["default"], "level": "WARNING", "propagate": False},
        },
    }
