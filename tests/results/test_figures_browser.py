"""A department's results page in a real browser at 320 px (WCAG 1.4.10 Reflow), in Dutch
and English: the figure tables of scales and questions become one block per row, so every
row's % favourable and mean are on the screen, not in a region that scrolls sideways, and
it stays a table to a screen reader; the response rates fit too; a hidden department shows
no figure; at 1280 px the tables keep their columns.

One browser launch for the module (test time); Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page

from tests.helpers import browser_sign_in, make_account
from tests.results.test_results_pages import two_waves
from tests.test_accessibility import TIMEOUT_MS

pytestmark = [pytest.mark.browser, pytest.mark.server]

HR = "hr-figures-phone@testdorp.example"
WIDTH = 320  # WCAG 1.4.10: content reflows at 320 CSS px
REGIONS = ".table-scroll:has(> table.figures)"
# Per shown row of a figure table: where the text of its % favourable and mean lies
# (a range around the text, not the cell: a cell can be wider than what it holds).
FIGURE_BOXES = """(table) => Array.from(table.tBodies[0].rows)
  .filter((row) => !row.querySelector('.heat-hidden'))
  .map((row) => {
    const cells = row.querySelectorAll('td.num');
    const box = (cell) => {
      const range = document.createRange();
      range.selectNodeContents(cell);
      const rect = range.getBoundingClientRect();
      return {text: cell.innerText.trim(), left: rect.left, right: rect.right};
    };
    return {name: row.cells[0].innerText.trim(), favourable: box(cells[0]), mean: box(cells[1])};
  })"""


async def signed_in_page(browser: Browser, live_server, width: int) -> Page:
    context = await browser.new_context(viewport={"width": width, "height": 800}, locale="nl-NL")
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    await browser_sign_in(page, live_server.url, HR)
    return page


async def assert_figures_on_screen(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} scrolls sideways at {WIDTH} px: {width}px"
    regions = page.locator(REGIONS)
    assert await regions.count() == 2  # scales and questions
    for region in await regions.all():
        scroll_width, client_width = await region.evaluate("(r) => [r.scrollWidth, r.clientWidth]")
        assert scroll_width <= client_width + 1, (
            f"a figure table scrolls sideways at {WIDTH} px: {scroll_width}px in {client_width}px"
        )
        rows = await region.locator("table").evaluate(FIGURE_BOXES)
        assert rows, "no shown row"
        for row in rows:
            for figure in (row["favourable"], row["mean"]):
                assert re.search(r"\d", figure["text"]), row
                assert figure["left"] >= 0 and figure["right"] <= WIDTH, (
                    f"{row['name']}: {figure['text']!r} lies outside the screen"
                    f" ({figure['left']:.0f}–{figure['right']:.0f} px)"
                )
    # The response rates beside them: three columns and a caption within the screen.
    rates = page.locator(".table-scroll[aria-labelledby=rates-caption]")
    scroll_width, client_width, caption_right = await rates.evaluate(
        "(r) => [r.scrollWidth, r.clientWidth, r.querySelector('caption')"
        ".getBoundingClientRect().right]"
    )
    assert scroll_width <= client_width + 1 and caption_right <= WIDTH, (
        f"the response rates scroll sideways at {WIDTH} px: {scroll_width}px in {client_width}px,"
        f" caption to {caption_right:.0f}px"
    )


async def test_a_department_page_shows_every_figure_at_320_px(
    browser: Browser, live_server
) -> None:
    wave = await two_waves()
    await make_account(HR, is_hr=True)
    page = await signed_in_page(browser, live_server, WIDTH)
    try:
        for lang in ("nl", "en"):
            await page.goto(f"{live_server.url}/hr/waves/{wave}/departments/SD?lang={lang}")
            await assert_figures_on_screen(page)
        # Still a table to a screen reader: the header row is read out, each figure once
        # (its name on the screen is hidden from assistive technology).
        tree = await page.locator("[aria-labelledby=scales-caption] table").aria_snapshot()
        assert re.match(r"- '?table ", tree) and 'columnheader "% favourable"' in tree, tree
        assert "rowheader" in tree and 'cell "Mean' not in tree, tree
        # Jeugd (6 people) is hidden: its page shows the notice and no figure.
        await page.goto(f"{live_server.url}/hr/waves/{wave}/departments/JEUGD?lang=nl")
        assert await page.locator("table.figures").count() == 0
        main = await page.locator("main").inner_text()
        assert "scores van deze afdeling zijn verborgen" in main, main[:500]
        assert not re.search(r"\d+%|\d,\d\d", main.split("Respons per afdeling")[0]), main
    finally:
        await page.context.close()


async def test_a_department_page_keeps_its_columns_at_1280_px(
    browser: Browser, live_server
) -> None:
    wave = await two_waves()
    await make_account(HR, is_hr=True)
    page = await signed_in_page(browser, live_server, 1280)
    try:
        await page.goto(f"{live_server.url}/hr/waves/{wave}/departments/SD?lang=nl")
        table = page.locator("table.figures").first
        header = table.locator("thead tr")
        assert await header.is_visible()
        headers = table.locator("thead th")
        assert await headers.count() == 7
        # One row: every cell of a row on one line with its column's header.
        tops = await table.locator("tbody tr").first.evaluate(
            "(row) => Array.from(row.cells).map((cell) => cell.getBoundingClientRect().top)"
        )
        assert max(tops) - min(tops) < 1, tops
        lefts = await headers.evaluate_all(
            "(cells) => cells.map((cell) => cell.getBoundingClientRect().left)"
        )
        assert lefts == sorted(lefts) and len(set(lefts)) == 7, lefts
    finally:
        await page.context.close()
