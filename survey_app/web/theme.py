"""The house style: the design tokens file served as ``/theme.css`` after the NL Design
System component CSS (the neutral theme in ``static/css/`` unless ``KLANKBORD_THEME_CSS``
names another)."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from litestar import Response, get
from litestar.di import NamedDependency

from survey_app.core.settings import SITE_DIR, Settings
from survey_app.web.access import Rule, access

NEUTRAL_THEME = SITE_DIR / "static" / "css" / "theme-neutral.css"
# The link carries the file's digest, so a browser may keep it: a changed file is a new URL.
CACHE_FOREVER = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Theme:
    css: bytes
    version: str  # the first hex digits of the file's SHA-256


@functools.cache
def _read(path: Path) -> Theme:
    css = path.read_bytes()
    return Theme(css=css, version=hashlib.sha256(css).hexdigest()[:16])


def theme_of(settings: Settings) -> Theme:
    """The tokens file in force, read once per process (a changed file needs a restart)."""
    return _read(settings.theme_css or NEUTRAL_THEME)


@get("/theme.css", name="theme", include_in_schema=False, opt=access(Rule.PUBLIC))
async def theme_css(settings: NamedDependency[Settings]) -> Response[bytes]:
    return Response(
        theme_of(settings).css,
        media_type="text/css; charset=utf-8",
        headers={"cache-control": CACHE_FOREVER},
    )


ROUTES = [theme_css]
