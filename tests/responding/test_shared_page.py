"""The empty survey form is rendered once per wave and language and shared: each visitor
still gets their own CSRF token in it, and nothing of another visitor or language."""

from __future__ import annotations

import httpx
import pytest

from survey_app.core.clock import utc_now
from survey_app.core.hashing import hash_token
from survey_app.responding.service import (
    TokenRejected,
    TokenState,
    open_invitation,
    submit_response,
)
from survey_app.tables.identity import UsedInvitation
from survey_app.waves.service import close_wave
from surveys import AnswerValue
from tests.helpers import app_settings, csrf_from, load_small_org, open_wave


async def survey_page(app, token: str, language: str) -> tuple[str, str]:
    """The survey page a new browser gets for ``token``, and that browser's CSRF token."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        assert (await browser.get(f"/s/{token}?lang={language}")).status_code == 303
        page = await browser.get("/survey")
        assert page.status_code == 200
        return page.text, csrf_from(page.text)


async def test_each_visitor_gets_their_own_token_in_the_shared_form(app) -> None:
    await load_small_org()
    opened = await open_wave()
    first, second, third = (opened.tokens[number] for number in ("1002", "1003", "1004"))

    page_a, token_a = await survey_page(app, first, "nl")
    page_b, token_b = await survey_page(app, second, "nl")
    page_en, token_en = await survey_page(app, third, "en")

    assert len({token_a, token_b, token_en}) == 3
    assert token_a in page_a and token_a not in page_b and token_b not in page_a
    assert "stand-in" not in page_a + page_b + page_en
    # Both hidden form field and htmx header carry the visitor's own token.
    assert page_a.count(token_a) == 2
    # The same form otherwise, in the visitor's language.
    assert page_a.replace(token_a, "") == page_b.replace(token_b, "")
    assert 'lang="nl"' in page_a and 'lang="en"' in page_en
    assert "Ik begin met energie aan mijn werkdag." in page_a
    assert "Ik begin met energie aan mijn werkdag." not in page_en


async def test_a_wave_closed_early_after_the_page_was_opened_takes_no_answers() -> None:
    """The submission checks the wave again inside its write transaction: answers sent
    after HR closed the wave early (however long the request took) are refused."""
    await load_small_org()
    opened = await open_wave()
    token_hash = hash_token(opened.tokens["1002"])
    settings = app_settings()
    await open_invitation(token_hash, utc_now(), settings.secret_key)  # the page was shown
    await close_wave(opened.wave, now=utc_now())
    with pytest.raises(TokenRejected) as refused:
        await submit_response(
            token_hash,
            [AnswerValue("enps", 8, None, None)],
            now=utc_now(),
            settings=settings,
            checked_unused=True,
        )
    assert refused.value.state is TokenState.CLOSED
    assert await UsedInvitation.count() == 0
