"""The house style: the design tokens file in the settings is what every page links, after
the NL Design System component CSS; without one, the neutral theme is served."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import httpx
import pytest

from survey_app.app import create_app
from survey_app.core.settings import Settings
from survey_app.web.theme import NEUTRAL_THEME

HOUSE_STYLE = ".gemeente-theme { --utrecht-document-color: #102030; }\n"


async def get(settings: Settings, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await http.get(path)


def stylesheets(html: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)">', html)


async def test_a_configured_tokens_file_is_served_and_linked_by_every_page(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = tmp_path / "huisstijl.css"
    tokens.write_text(HOUSE_STYLE)
    monkeypatch.setenv("KLANKBORD_THEME_CSS", str(tokens))
    monkeypatch.setenv("KLANKBORD_THEME_CLASS", "gemeente-theme")
    settings = Settings.from_env(database_url=db)

    served = await get(settings, "/theme.css")
    assert served.status_code == 200
    assert served.text == HOUSE_STYLE
    assert served.headers["content-type"].startswith("text/css")
    assert "immutable" in served.headers["cache-control"]

    version = hashlib.sha256(HOUSE_STYLE.encode()).hexdigest()[:16]
    for path in ("/", "/sign-in", "/does-not-exist"):
        page = (await get(settings, path)).text
        assert '<html lang="nl" class="gemeente-theme">' in page, path
        # The tokens after the component CSS, the application's own CSS last.
        assert stylesheets(page) == [
            "/static/vendor/nl-design-system.css",
            f"/theme.css?v={version}",
            "/static/css/app.css",
        ], path


async def test_without_a_tokens_file_the_neutral_theme_is_served(settings: Settings) -> None:
    assert settings.theme_css is None
    served = await get(settings, "/theme.css")
    assert served.content == NEUTRAL_THEME.read_bytes()
    assert "--utrecht-document-color" in served.text
    page = (await get(settings, "/")).text
    assert '<html lang="nl">' in page


def test_a_tokens_file_that_cannot_be_read_is_refused_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KLANKBORD_THEME_CSS", str(tmp_path / "missing.css"))
    with pytest.raises(ValueError, match="KLANKBORD_THEME_CSS"):
        Settings.from_env()


def test_a_theme_class_must_be_a_class_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLANKBORD_THEME_CLASS", 'x" onload="alert(1)')
    with pytest.raises(ValueError, match="KLANKBORD_THEME_CLASS"):
        Settings.from_env()
