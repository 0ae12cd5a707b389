"""HR's inclusion page in a real browser at 360 px, in Dutch: it passes axe-core (WCAG 2.1
A and AA, the accessibility suite's options), with a hidden group, an undesirable
behaviour table and a combination, and its filters work with htmx.

One browser launch for the module (test time); Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, expect

from tests.helpers import browser_sign_in, make_account
from tests.results.dig_wave import dig_wave
from tests.test_accessibility import AXE_OPTIONS, TIMEOUT_MS, describe

pytestmark = [pytest.mark.browser, pytest.mark.server]

HR = "hr-inclusion@testdorp.example"


async def test_the_inclusion_page_passes_axe_at_360_px(browser: Browser, live_server) -> None:
    dig = await dig_wave()
    await make_account(HR, is_hr=True)
    context = await browser.new_context(viewport={"width": 360, "height": 800}, locale="nl-NL")
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    failures: list[str] = []
    try:
        await browser_sign_in(page, live_server.url, HR)
        url = (
            f"{live_server.url}/hr/waves/{dig.public_id}/inclusion"
            "?demographic=disability_chronic_illness&unit=FRONT&and=age_band"
        )
        await page.goto(url)
        await expect(page.locator("#results-view")).to_contain_text("te weinig reacties")
        axe = Axe()
        for name in ("Publiekszaken", "after choosing the whole organisation"):
            results = await axe.run(page, options=AXE_OPTIONS)
            if results.response["violations"]:
                failures.append(f"  {name} ({page.url}):")
                failures.extend(describe(results.response["violations"]))
            if name == "Publiekszaken":  # htmx swaps the figures and pushes the address
                await page.locator("#filter-unit").select_option("")
                await expect(page).to_have_url(re.compile(r"unit=(&|$)"))
                await expect(page.locator("#results-view h2").first).to_contain_text(
                    "hele organisatie"
                )
    finally:
        await context.close()
    assert not errors, errors
    assert not failures, "axe-core WCAG 2.1 A/AA violations:\n" + "\n".join(failures)
