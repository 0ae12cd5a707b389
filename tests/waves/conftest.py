"""Fixtures of the wave tests."""

from __future__ import annotations

import httpx
import pytest

from survey_app.core.i18n import LANGUAGE_COOKIE
from tests.helpers import load_small_org, sign_in_as_hr


@pytest.fixture
async def hr(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """HR signed in on ``client``, reading English, with the small organisation loaded."""
    await load_small_org()
    await sign_in_as_hr(client)
    client.cookies.set(LANGUAGE_COOKIE, "en")
    return client
