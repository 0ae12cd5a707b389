"""HR's themes page in a real browser at 320 px (WCAG 1.4.10 Reflow), in Dutch and English:
neither the page nor the themes table scrolls sideways, with long theme labels, long
Dutch words among the words people used, tone and quotes.

One browser launch for the module (test time); Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from tests.helpers import browser_sign_in, load_small_org, make_account
from tests.results.test_hr_themes import commented_wave
from tests.test_accessibility import TIMEOUT_MS

pytestmark = [pytest.mark.browser, pytest.mark.server]

HR = "hr-themes-phone@testdorp.example"
WIDTH = 320  # WCAG 1.4.10: content reflows at 320 CSS px

# Five comments per theme (the comment minimum): each theme shows its tone and quotes.
# Long labels ("Directie en topmanagement", "Loopbaan en doorgroeien", "Communicatie en
# besluiten") and long words ("doorgroeimogelijkheden", "informatievoorziening").
WRITTEN = {
    "JEUGD": [
        "De directie en het topmanagement zijn onzichtbaar voor de werkvloer.",
        "Het managementteam neemt besluiten zonder de werkvloer te horen.",
        "De gemeentesecretaris en de directie staan ver van ons af.",
        "Het topmanagement zit in een ivoren toren.",
        "De directie zou vaker langs mogen komen op de werkvloer.",
        "Er zijn weinig doorgroeimogelijkheden en loopbaanmogelijkheden.",
    ],
    "WMO": [
        "Ik zie geen doorgroeimogelijkheden in mijn loopbaan.",
        "Interne vacatures en doorgroeimogelijkheden zijn er nauwelijks.",
        "Loopbaanontwikkeling krijgt weinig aandacht.",
    ],
    "ICT": [
        "Een loopbaangesprek over doorgroeien zou helpen.",
        "De informatievoorziening over besluiten is slecht.",
        "Besluiten worden niet uitgelegd, de communicatie is onduidelijk.",
        "De informatievoorziening via het intranet schiet tekort.",
        "Er is geen transparantie over de besluitvorming.",
        "Communicatie over besluiten komt via de wandelgangen.",
        "Meer duidelijkheid over beslissingen en de informatievoorziening graag.",
    ],
}
LABELS = {
    "nl": ("Directie en topmanagement", "Loopbaan en doorgroeien", "Communicatie en besluiten"),
    "en": ("Senior leadership", "Career progression", "Communication and decisions"),
}
NUMBERS = {"JEUGD": range(1001, 1007), "WMO": range(1007, 1010), "ICT": range(1010, 1017)}

REGION = ".table-scroll[aria-labelledby=themes-caption]"  # the whole organisation's themes
# What sticks out of the themes table's region (a scrolling region counts: a line of a
# quote that has to be scrolled to is not reflowed). Inside a clipping box, such as the
# header row that is only read out on a phone, only that box counts.
OVERFLOWING = """(region) => {
  const edge = region.getBoundingClientRect();
  const clipped = (element) => {
    for (let box = element.parentElement; box !== region; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== 'visible') return true;
    }
    return false;
  };
  return Array.from(region.querySelectorAll('*'))
    .filter((element) => {
      const box = element.getBoundingClientRect();
      return box.width > 0 && !clipped(element)
        && (box.right > edge.right + 0.5 || box.left < edge.left - 0.5);
    })
    .map((element) => `${element.tagName.toLowerCase()}.${element.getAttribute('class')}`
      + ` ${Math.round(element.getBoundingClientRect().width)}px`)
    .slice(0, 5);
}"""


async def assert_reflows(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} scrolls sideways at {WIDTH} px: {width}px"
    region = page.locator(REGION)
    scroll_width, client_width = await region.evaluate("(r) => [r.scrollWidth, r.clientWidth]")
    assert scroll_width <= client_width, (
        f"the themes table scrolls sideways at {WIDTH} px: {scroll_width}px in {client_width}px"
    )
    assert await region.evaluate(OVERFLOWING) == []


async def test_the_themes_page_reflows_at_320_px(browser: Browser, live_server) -> None:
    await load_small_org()
    opened = await commented_wave(WRITTEN, NUMBERS)
    await make_account(HR, is_hr=True)
    context = await browser.new_context(viewport={"width": WIDTH, "height": 640}, locale="nl-NL")
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    try:
        await browser_sign_in(page, live_server.url, HR)
        url = f"{live_server.url}/hr/waves/{opened.wave.public_id}/themes"
        for lang, labels in LABELS.items():
            await page.goto(f"{url}?lang={lang}")
            table = page.locator(f"{REGION} table")
            shown = await table.inner_text()
            assert all(label in shown for label in labels), shown
            assert await table.locator("blockquote").count() > 0  # quotes shown
            assert await table.locator("svg.chart-bar").count() > 0  # tone shown
            await assert_reflows(page)
    finally:
        await context.close()
