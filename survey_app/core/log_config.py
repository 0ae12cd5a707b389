"""Server logging that never writes survey tokens or client addresses."""

from __future__ import annotations

import logging
import re
from typing import Any

TOKEN_IN_PATH = re.compile(r"/s/[^/?#\s\"]+")


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub("/s/[token]", text)


class RedactTokens(logging.Filter):
    """Replaces invitation tokens in request paths; drops the client address.

    Access logs with addresses and exact times would let an operator line up who sent
    answers when; the response itself only carries a day, but logs should not help.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            record.name == "uvicorn.access"
            and isinstance(record.args, tuple)
            and len(record.args) == 5
        ):
            _client, method, path, version, status = record.args
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
