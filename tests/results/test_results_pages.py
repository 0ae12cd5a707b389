"""Results pages for every role: HR's heatmap overview and department page, a manager's
department page, the organisation's results for everyone; the small team never shows."""

from __future__ import annotations

import re

from survey_app import audit
from survey_app.core.clock import utc_now
from tests.helpers import full_answers, load_small_org, make_account, sign_in, sign_in_as_hr
from tests.results.test_score_view import SIZES, answered, spread

HIDDEN_PATHS = ("Jeugd", "Wmo")


def row_of(html: str, name: str) -> str:
    """The heatmap row whose header names the department."""
    match = re.search(
        rf"<tr[^>]*>\s*<th scope=\"row\">(?:(?!</tr>).)*?{name}(?:(?!</tr>).)*</tr>", html, re.S
    )
    assert match, name
    return match.group(0)


async def two_waves() -> str:
    await load_small_org(SIZES)
    await answered(lambda n: full_answers(workload_pace=spread(n, 1, 3)))
    return await answered(
        lambda n: full_answers(workload_pace=spread(n, 3, 5), enps=spread(n, 4, 10))
    )


async def test_hr_overview_shows_a_heatmap_without_the_small_team(client) -> None:
    wave = await two_waves()
    await sign_in_as_hr(client)
    page = await client.get(f"/hr/waves/{wave}?lang=en")
    assert page.status_code == 200, page.text[:300]
    html = page.text
    assert 'class="heatmap"' in html and "eNPS" in html
    for name in HIDDEN_PATHS:
        row = row_of(html, name)
        assert "%" not in row and not re.search(r"\d", re.sub(r"<[^>]+>", "", row)), row
    assert re.search(r"\d+%", row_of(html, "Sociaal Domein"))
    # The same view with means and all questions, through the filter query.
    means = await client.get(f"/hr/results?wave={wave}&measure=mean&columns=items&lang=en")
    assert means.status_code == 200
    for name in HIDDEN_PATHS:
        assert not re.search(r"\d", re.sub(r"<[^>]+>", "", row_of(means.text, name)))
    # A department subtree: only SD and below; htmx gets the region only.
    partial = await client.get(
        f"/hr/results?wave={wave}&department=SD&measure=favourable&columns=scales",
        headers={"hx-request": "true", "hx-target": "results-view"},
    )
    assert partial.status_code == 200 and "<html" not in partial.text
    # It brings its own title, which htmx puts on the page: the view it shows.
    title = re.match(r"\s*<title>([^<]+)</title>", partial.text)
    assert title and "Pulsmeting" in title[1] and ": Sociaal Domein – " in title[1], title
    assert ": Sociaal Domein – " not in re.search(r"<title>([^<]+)</title>", means.text)[1]
    assert "ICT" not in partial.text.split('class="heatmap"')[1].split("</table>")[0]
    bad = await client.get(f"/hr/results?wave={wave}&measure=median")
    assert bad.status_code == 400
    # The page's downloads are of what it shows: the subtree asked for.
    links = re.findall(r'href="([^"]+/export\.(?:csv|xlsx|pdf)[^"]*)"', partial.text)
    assert len(links) == 3 and all("department=SD" in link for link in links)
    csv = await client.get(links[2].replace("&amp;", "&"))
    assert csv.status_code == 200 and "Sociaal Domein" in csv.text and "ICT" not in csv.text


async def test_department_pages_for_hr_and_for_the_manager(client) -> None:
    wave = await two_waves()
    await sign_in_as_hr(client)
    page = await client.get(f"/hr/waves/{wave}/departments/SD?lang=en")
    assert page.status_code == 200
    assert "Trend over the waves" in page.text and "<svg" in page.text
    # Each trend chart is named above it, not only inside the SVG.
    assert re.search(r'<figure class="trend">\s*<figcaption class="trend-caption">\w', page.text)
    # A chart's description gives its figures (the bar's shares), not only its labels.
    assert re.search(r"<desc[^>]*>Distribution of the answers: [^<]*\d+%", page.text)
    # eNPS: the bar's groups in a visible legend with their shares, not only in colours.
    legend = page.text.split('<div class="chart-legend"><p class="chart-legend-caption">eNPS')[1]
    legend = legend.split("</div>")[0]
    shares = [int(share) for share in re.findall(r"\((?:0–6|7–8|9–10)\): (\d+)%", legend)]
    assert len(shares) == 3 and 99 <= sum(shares) <= 101, legend
    assert "chart-swatch--promoter" in legend
    hidden = await client.get(f"/hr/waves/{wave}/departments/JEUGD?lang=en")
    assert hidden.status_code == 200 and "scores are hidden" in hidden.text
    assert "figure-table" in page.text  # the shown department's table of figures ...
    assert "figure-table" not in hidden.text and "(9–10):" not in hidden.text  # ... not here
    await make_account("ict@testdorp.example", employee_number="1010")
    records, _ = await audit.search(action="results.viewed")
    assert records[0].target == "Pulsmeting test – Jeugd (JEUGD)"


async def test_everyone_signed_in_sees_the_organisation_only(client) -> None:
    wave = await two_waves()
    await make_account("someone@testdorp.example")
    await sign_in(client, "someone@testdorp.example")
    page = await client.get("/results?lang=en")
    assert page.status_code == 200
    html = page.text
    assert "16 of 16 colleagues responded" in html and "Sociaal Domein" not in html
    assert (await client.get(f"/results?wave={wave}")).status_code == 200
    assert (await client.get(f"/hr/waves/{wave}")).status_code == 403


async def test_the_audit_trail_names_the_wave_department_and_view_in_words(client) -> None:
    wave = await two_waves()
    await sign_in_as_hr(client)
    assert (await client.get(f"/hr/waves/{wave}/departments/SD")).status_code == 200
    await client.post("/sign-out", headers={"x-csrf-token": ""})
    await make_account("admin@testdorp.example", is_admin=True)
    admin = client.__class__(transport=client._transport, base_url=client.base_url)
    async with admin:
        await sign_in(admin, "admin@testdorp.example")
        trail = (await admin.get("/admin/audit?lang=en")).text
    assert "Pulsmeting test – Sociaal Domein (SD)" in trail
    assert "Seen as: results of a department" in trail and "page=" not in trail


async def test_an_export_holds_the_change_since_the_previous_wave(client) -> None:
    import csv
    import io

    wave = await two_waves()
    await sign_in_as_hr(client)
    exported = await client.get(f"/hr/waves/{wave}/export.csv?department=SD&lang=en")
    assert exported.status_code == 200
    records = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    pace = next(
        record
        for record in records
        if record["Department code"] == "SD" and record["Measure key"] == "workload_pace"
    )
    assert float(pace["Change since the previous wave (mean)"]) > 0.5


async def test_no_filter_combination_shows_the_small_team(client) -> None:
    """Every wave x department x measure x columns view of HR, and every department page:
    Jeugd (6) and Wmo (3) under Sociaal Domein (9) never show a figure."""
    wave = await two_waves()
    await sign_in_as_hr(client)
    checked = 0
    for department in ("", "GEM", "SD", "JEUGD", "WMO", "BV", "ICT"):
        for measure in ("favourable", "mean"):
            for columns in ("scales", "items"):
                page = await client.get(
                    f"/hr/results?wave={wave}&department={department}"
                    f"&measure={measure}&columns={columns}&lang=en"
                )
                assert page.status_code == 200, (department, measure, columns)
                heatmap = page.text.split('class="heatmap"', 1)[-1].split("</table>", 1)[0]
                for name in HIDDEN_PATHS:
                    # Every row of the small teams, linked (shown) or not (hidden).
                    if re.search(rf"\b{name}\b", heatmap):
                        row = re.sub(r"<[^>]+>", "", row_of(heatmap, name))
                        assert not re.search(r"\d", row), (department, measure, columns, row)
                        checked += 1
    # Both rows in each of the 4 views of the organisation, GEM and SD, and each its own row
    # when filtered on itself: nothing was skipped.
    assert checked == 2 * 4 * 3 + 4 + 4
    for code in ("JEUGD", "WMO"):
        page = await client.get(f"/hr/waves/{wave}/departments/{code}?lang=en")
        assert page.status_code == 200
        assert 'class="utrecht-table utrecht-table--html-table figures"' not in page.text
        assert "eNPS of" not in page.text and "<svg" not in page.text


async def test_a_department_the_wave_did_not_invite_shows_the_organisation(client) -> None:
    from survey_app.waves.service import close_wave
    from tests.helpers import open_wave

    await load_small_org(SIZES)
    opened = await open_wave(departments=("BV",))
    await close_wave(opened.wave, now=utc_now())
    await sign_in_as_hr(client)
    page = await client.get(f"/hr/results?wave={opened.wave.public_id}&department=SD&lang=en")
    assert page.status_code == 200
    assert "Nobody in this department was invited to this wave" in page.text
    unknown = await client.get("/hr/results?wave=00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 404
