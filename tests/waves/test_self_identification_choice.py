"""Choosing a wave's self-identification questions: none unless chosen, on the command
line (``--self-id``) and on HR's pages (new wave, draft), with unknown keys refused."""

from __future__ import annotations

import json
import re

import pytest

from survey_app.tables.identity import AuditEvent, Wave
from survey_app.waves.self_identification import SelfIdentificationError, chosen_keys
from survey_app.waves.service import get_wave, wave_template
from tests.helpers import load_small_org, survey_app
from tests.waves.test_wave_pages import DAY, new_wave_form, today

OFFERED = (
    "gender_identity",
    "age_band",
    "years_of_service",
    "migration_background",
    "disability_chronic_illness",
    "lgbtiq",
    "participation_job",
    "working_hours",
)


async def snapshot_keys(public_id: str) -> list[str]:
    row = await Wave.select(Wave.template).where(Wave.public_id == public_id).first()
    snapshot = row["template"]
    snapshot = json.loads(snapshot) if isinstance(snapshot, str) else snapshot
    return [category["key"] for category in snapshot["self_identification"]]


def test_choices_are_checked_against_what_the_template_offers() -> None:
    assert chosen_keys("dig", []) == ()
    assert chosen_keys("dig", ["all"]) == OFFERED
    assert chosen_keys("dig", ["working_hours", " age_band", "", "age_band"]) == (
        "age_band",
        "working_hours",
    )
    with pytest.raises(SelfIdentificationError) as unknown:
        chosen_keys("dig", ["age", "lgbtiq"])
    assert unknown.value.code == "unknown_self_identification"
    assert unknown.value.params == {"name": "age", "valid": ", ".join(OFFERED)}
    with pytest.raises(SelfIdentificationError) as none:
        chosen_keys("pulse", ["age_band"])
    assert none.value.code == "no_self_identification"
    assert chosen_keys("pulse", ["all"]) == ()


async def test_the_command_line_asks_only_the_chosen_categories_and_names_the_valid_ones() -> None:
    await load_small_org()
    days = ["--opens", today().isoformat(), "--closes", (today() + 9 * DAY).isoformat()]
    created = await survey_app(
        "wave", "create", "--title", "Inclusiemonitor", "--template", "dig",
        "--departments", "GEM", "--self-id", "gender_identity,age_band", "--draft", *days,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert await snapshot_keys(created.stdout.strip()) == ["gender_identity", "age_band"]
    refused = await survey_app(
        "--lang", "nl", "wave", "create", "--title", "X", "--template", "dig",
        "--departments", "GEM", "--self-id", "age,lgbtiq", *days,
    )  # fmt: skip
    assert refused.returncode != 0
    assert "Onbekende vraag over jezelf: age (kies uit: gender_identity, age_band," in (
        refused.stderr
    )
    assert await Wave.count() == 1


async def test_a_new_dig_wave_asks_what_hr_ticks_and_a_pulse_refuses_any(hr) -> None:
    page = (await hr.get("/hr/waves/new")).text
    assert "Which self-identification questions are asked (optional, with consent)" in page
    for key in OFFERED:
        assert f'name="self_identification" value="{key}">' in page  # none ticked
    refused = await hr.post(
        "/hr/waves", data=new_wave_form(self_identification=["age_band", "lgbtiq"])
    )
    assert refused.status_code == 422
    message = "The survey pulse asks no questions about the respondent: choose none."
    assert f'<a href="#self_identification">{message}</a>' in refused.text
    assert 'value="age_band" checked' in refused.text and 'value="lgbtiq" checked' in refused.text
    bad_key = await hr.post(
        "/hr/waves", data=new_wave_form(template="dig", self_identification=["shoe_size"])
    )
    assert bad_key.status_code == 422
    assert "Unknown self-identification question: shoe_size (choose from: gender_identity" in (
        bad_key.text
    )
    created = await hr.post(
        "/hr/waves",
        data=new_wave_form(template="dig", self_identification=["lgbtiq", "age_band"]),
    )
    assert created.status_code == 303
    public_id = re.search(r"/hr/waves/([0-9a-f-]+)/manage", created.headers["location"])[1]
    assert await snapshot_keys(public_id) == ["age_band", "lgbtiq"]


async def test_a_draft_changes_its_choice_with_an_audit_record_and_a_published_wave_cannot(
    hr,
) -> None:
    created = await hr.post("/hr/waves", data=new_wave_form(template="dig"))
    public_id = re.search(r"/hr/waves/([0-9a-f-]+)/manage", created.headers["location"])[1]
    manage = (await hr.get(f"/hr/waves/{public_id}/manage")).text
    assert "None: nobody is asked about themselves." in manage
    assert f'action="/hr/waves/{public_id}/self-identification"' in manage
    url = f"/hr/waves/{public_id}/self-identification"
    changed = await hr.post(url, data={"self_identification": ["working_hours", "age_band"]})
    assert changed.status_code == 303
    assert changed.headers["location"].endswith("/manage?done=self_id")
    assert await snapshot_keys(public_id) == ["age_band", "working_hours"]
    manage = (await hr.get(f"/hr/waves/{public_id}/manage?done=self_id")).text
    assert "The questions about the respondent have been saved." in manage
    assert "<li>How old are you?</li>" in manage
    assert 'value="age_band" checked' in manage
    event = await AuditEvent.select(AuditEvent.details).where(
        AuditEvent.action == "wave.questionnaire_changed"
    )
    details = [
        json.loads(e["details"]) if isinstance(e["details"], str) else e["details"] for e in event
    ]
    assert details[-1]["self_identification"] == "age_band,working_hours"
    bad = await hr.post(url, data={"self_identification": ["age_band", "religion"]})
    assert bad.status_code == 422
    assert "Unknown self-identification question: religion" in bad.text
    assert await snapshot_keys(public_id) == ["age_band", "working_hours"]
    # None at all is a choice too.
    assert (await hr.post(url, data={})).status_code == 303
    assert (await wave_template(await get_wave(public_id))).self_identification == ()
    published = await hr.post(f"/hr/waves/{public_id}/publish")
    assert published.status_code == 303
    late = await hr.post(url, data={"self_identification": ["age_band"]})
    assert late.status_code == 409
    assert await snapshot_keys(public_id) == []
