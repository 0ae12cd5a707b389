"""A closed DIG wave for tests of the inclusion figures (and their exports): a department of
40 in which only 4 people said they have a disability or chronic illness.

The organisation GEM has three top-level departments: FRONT (40 people: the 4-in-40),
BACK (30) and STAF (20). Everyone responds. Responses are written as a release writes
them (``response``, ``answer``, ``self_identification``: the demo's way), which is much
faster than 90 submissions and stores the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from survey_app.core.clock import utc_now
from survey_app.organisation.importing import apply_org_plan
from survey_app.organisation.parsing import parse_org_csv
from survey_app.tables.anonymous import Answer, Response, SelfIdentification
from survey_app.waves.service import WaveInfo, close_wave, create_wave, invite
from surveys import load_template
from tests.helpers import TIMEZONE, app_settings, org_csv

SIZES = {"FRONT": 40, "BACK": 30, "STAF": 20}
# Per department: how many said yes and no to disability or chronic illness (the rest
# rather did not say). FRONT's 4 would be the organisation's 27 minus BACK's and STAF's.
DISABILITY = {"FRONT": (4, 30), "BACK": (12, 15), "STAF": (11, 8)}
CATEGORIES = ["disability_chronic_illness", "age_band", "working_hours"]
SMALL = ("FRONT", "disability_chronic_illness", "yes")


@dataclass
class DigWave:
    wave: WaveInfo
    public_id: str


def dig_org_csv() -> bytes:
    return org_csv(
        [
            "department,GEM,Gemeente Testdorp,,organisation,,,,",
            "department,FRONT,Publiekszaken,GEM,department,,,,",
            "department,BACK,Bedrijfsvoering,GEM,department,,,,",
            "department,STAF,Staf,GEM,department,,,,",
        ],
        SIZES,
    )


async def dig_wave(seed: int = 16) -> DigWave:
    """The closed DIG wave described above, everyone invited and every response stored."""
    await apply_org_plan(parse_org_csv(dig_org_csv()), dt.date(2026, 11, 1))
    today = utc_now().astimezone(TIMEZONE).date()
    template = load_template("dig").with_self_identification(CATEGORIES)
    wave = await create_wave(
        title="Inclusiemonitor test",
        template_key="dig",
        department_codes=["GEM"],
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=14),
        timezone=TIMEZONE,
        template=template,
    )
    await invite(wave, now=wave.opens_at, settings=app_settings())
    random_ = random.Random(seed)
    items = [key for scale in template.scales for key in scale.question_keys]
    responses, answers, self_ids = [], [], []
    for code, size in SIZES.items():
        yes, no = DISABILITY[code]
        for index in range(size):
            response = uuid.uuid4()
            responses.append(Response(id=response, wave=wave.id, department_path=f"GEM/{code}"))
            disabled = index < yes
            said = {"disability_chronic_illness": "yes" if disabled else "no"}
            if index >= yes + no:
                said = {}
            said["age_band"] = ("25_34", "35_44", "45_54", "55_plus")[index % 4]
            if index % 7 != 6:
                said["working_hours"] = "part_time" if index % 3 == 0 else "full_time"
            for category, value in said.items():
                self_ids.append(
                    SelfIdentification(response=response, category=category, value=value)
                )
            for key in items:
                number = min(5, max(1, round(random_.gauss(3.2 if disabled else 3.8, 0.8))))
                answers.append(Answer(response=response, question_key=key, number=number))
            experienced = "yes" if random_.random() < (0.4 if disabled else 0.15) else "no"
            answers.append(
                Answer(response=response, question_key="ub_experienced", choice=experienced)
            )
            if experienced == "yes":
                answers.append(
                    Answer(response=response, question_key="ub_kinds", choice="intimidation")
                )
                answers.append(
                    Answer(response=response, question_key="ub_sources", choice="citizens_clients")
                )
                answers.append(
                    Answer(response=response, question_key="ub_reported", choice="not_reported")
                )
            answers.append(
                Answer(response=response, question_key="knows_confidential_adviser", choice="yes")
            )
    await Response.insert(*responses)
    await Answer.insert(*answers)
    await SelfIdentification.insert(*self_ids)
    await close_wave(wave, now=utc_now())
    return DigWave(wave, str(wave.public_id))
