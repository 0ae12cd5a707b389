"""Waves: response rates follow the organisation as it was when people were invited."""

from __future__ import annotations

import datetime as dt

from survey_app.core.clock import utc_now
from survey_app.core.hashing import hash_token
from survey_app.organisation.importing import apply_org_plan
from survey_app.organisation.parsing import parse_org_csv
from survey_app.responding.service import submit_response
from survey_app.results.participation import participation
from surveys import AnswerValue
from tests.helpers import app_settings, load_small_org, open_wave, small_org_csv


async def test_a_reorganisation_does_not_move_past_response_rates() -> None:
    await load_small_org()
    opened = await open_wave()
    await submit_response(
        hash_token(opened.tokens["1001"]),
        [AnswerValue("enps", 8, None, None)],
        now=utc_now(),
        settings=app_settings(),
    )
    # Jeugd moves from Sociaal Domein to Bedrijfsvoering after the invitations went out.
    moved = small_org_csv().replace(
        b"department,JEUGD,Jeugd,SD,department", b"department,JEUGD,Jeugd,BV,department"
    )
    await apply_org_plan(parse_org_csv(moved), dt.date(2026, 11, 20))

    rows = await participation(opened.wave, secret_key=app_settings().secret_key)
    counts = {row.path: (row.invited, row.responded) for row in rows}
    assert counts["GEM/SD/JEUGD"] == (6, 1)
    assert counts["GEM/SD"] == (9, 1)
    assert counts["GEM/BV"] == (7, 0)
    assert "GEM/BV/JEUGD" not in counts
