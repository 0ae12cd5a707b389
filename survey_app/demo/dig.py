"""The demo's DIG survey: one closed inclusion wave, with self-identification, and its gap.

Between the last closed pulse wave and the open one, the municipality asked everyone the
DIG survey (diversity, inclusion, equality) with every self-identification category the
template offers. What its figures tell, so that HR's inclusion page has something to show:

- About two thirds answer (outdoor teams less often, as in the pulse). Four in five of
  them consent to the questions about themselves, and many of those skip one or more
  ("I'd rather not say"), the sensitive ones (disability, LGBTIQ+, migration background)
  more often than age or working hours.
- Staff with a disability or chronic illness feel less that they belong and that they are
  treated fairly (about 0.4 points lower on 1–5, a little lower on inclusive leadership)
  and experience undesirable behaviour at work about twice as often. Staff with a
  migration background from outside Europe also report less fair treatment.
- At the counters (Klantcontactcentrum, the social domain's teams, enforcement) citizens
  and clients are the most common source of undesirable behaviour; elsewhere colleagues.

A person's own characteristics shape their answers whether or not they state them, as in
life: a gap is measured only among those who say. Drawn from a generator of its own
(seeded), so the pulse waves' figures do not change with this story, and every build
tells the same one.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from survey_app.core.settings import Settings
from survey_app.demo.answering import CLIMATE, COMMENTS, synthetic_answer
from survey_app.demo.story import DUTCH_MONTHS, RESPONSE_TENDENCY, WAVE_DAYS
from surveys import AnswerValue, Template

DIG_SEED = 20261144  # its own generator: the pulse waves stay as they were
# The DIG wave opened this many days before the demo's day (the last closed pulse wave
# opened 95 days before it, the open one 4).
DIG_OPENED_DAYS_AGO = 60
RESPONSE_RATE = 0.66
# How much people's moods differ around their department's climate (the pulse waves: 0.7).
MOOD_SPREAD = 0.55
CONSENT_RATE = 0.8

# Who the municipality's staff are: per category, the options and their weights.
DEMOGRAPHICS: dict[str, dict[str, float]] = {
    "gender_identity": {"woman": 53, "man": 44, "non_binary": 1.5, "other": 1.5},
    "age_band": {"under_25": 6, "25_34": 20, "35_44": 24, "45_54": 25, "55_plus": 25},
    "years_of_service": {"under_2": 15, "2_5": 22, "5_10": 20, "10_20": 23, "20_plus": 20},
    "migration_background": {"netherlands": 78, "europe": 8, "outside_europe": 14},
    "disability_chronic_illness": {"yes": 22, "no": 78},
    "lgbtiq": {"yes": 7, "no": 93},
    "participation_job": {"yes": 3, "no": 97},
    "working_hours": {"part_time": 42, "full_time": 58},
}
# The years of service someone of an age band can have had (at most).
MOST_YEARS = {"under_25": 2, "25_34": 3, "35_44": 4}
# How often someone who consented still answers "I'd rather not say", per category.
RATHER_NOT_SAY = {
    "gender_identity": 0.04,
    "age_band": 0.05,
    "years_of_service": 0.03,
    "migration_background": 0.12,
    "disability_chronic_illness": 0.15,
    "lgbtiq": 0.2,
    "participation_job": 0.1,
    "working_hours": 0.02,
}

# Shifts of the answers to a scale's items (on the generator's mood scale, about a point
# on 1–5) for people with a characteristic: (category, option) -> scale -> shift.
SCALE_GAPS: dict[tuple[str, str], dict[str, float]] = {
    ("disability_chronic_illness", "yes"): {
        "belonging": -0.8,
        "fair_treatment": -0.8,
        "inclusive_leadership": -0.15,
    },
    ("migration_background", "outside_europe"): {"fair_treatment": -0.3},
    ("lgbtiq", "yes"): {"authenticity": -0.3},
}

# Departments whose people work at a counter or with citizens and clients daily.
FRONT_OFFICE = frozenset(
    {"BV-KCC", "SD-WMO", "SD-WI-INK", "SD-WI-RE", "SD-JO-N", "SD-JO-Z", "FD-VTH"}
)
# The chance of undesirable behaviour in the last 12 months, and what adds to it.
UB_BASE = 0.1
UB_RISK: dict[tuple[str, str], float] = {
    ("disability_chronic_illness", "yes"): 0.18,
    ("migration_background", "outside_europe"): 0.06,
    ("lgbtiq", "yes"): 0.08,
    ("gender_identity", "non_binary"): 0.1,
}
UB_FRONT_OFFICE_RISK = 0.07
# The chance that each kind, and each source, is among what someone experienced.
UB_KINDS = {
    "discrimination": 0.3,
    "intimidation": 0.45,
    "aggression_violence": 0.25,
    "sexual_harassment": 0.08,
    "bullying": 0.2,
}
UB_SOURCES = {"colleagues": 0.6, "manager": 0.25, "citizens_clients": 0.12, "other": 0.06}
UB_SOURCES_FRONT_OFFICE = {
    "colleagues": 0.3,
    "manager": 0.12,
    "citizens_clients": 0.75,
    "other": 0.05,
}
UB_REPORTED = {
    "not_reported": 45,
    "manager": 27,
    "confidential_adviser": 10,
    "hr": 8,
    "other": 5,
}
KNOWS_CONFIDENTIAL_ADVISER = 0.68
UB_QUESTIONS = frozenset(
    {"ub_experienced", "ub_kinds", "ub_sources", "ub_reported", "knows_confidential_adviser"}
)


@dataclass(frozen=True)
class DemoRespondent:
    """One person who answers the DIG survey: who they are, and what they say of it."""

    department: str
    characteristics: Mapping[str, str]
    stated: tuple[tuple[str, str], ...]  # empty: no consent


def draw_characteristics(rng: random.Random) -> dict[str, str]:
    """Who one person is, by the municipality's shares (years of service fit the age)."""
    found = {}
    for category, weights in DEMOGRAPHICS.items():
        options = list(weights)
        if category == "years_of_service" and found["age_band"] in MOST_YEARS:
            options = options[: MOST_YEARS[found["age_band"]]]
        found[category] = rng.choices(options, [weights[key] for key in options])[0]
    return found


def draw_stated(
    rng: random.Random, template: Template, characteristics: Mapping[str, str]
) -> tuple[tuple[str, str], ...]:
    """What the person says of themselves: nothing without consent, otherwise the
    categories asked, less the ones they would rather not say."""
    if rng.random() >= CONSENT_RATE:
        return ()
    stated = []
    for category in template.self_identification:
        if rng.random() < RATHER_NOT_SAY.get(category.key, 0.1):
            continue
        value = characteristics.get(category.key)
        if value is not None and category.option(value) is not None:
            stated.append((category.key, value))
    return tuple(stated)


def dig_answers(
    template: Template, rng: random.Random, respondent: DemoRespondent
) -> list[AnswerValue]:
    """The person's answers: the scales in their department's climate, moved by the gaps
    of their characteristics, and undesirable behaviour by their risk."""
    shifts = _item_shifts(template, respondent.characteristics)
    mood = rng.gauss(CLIMATE.get(respondent.department, 0.0), MOOD_SPREAD)
    answers: list[AnswerValue] = []
    for question in template.questions:
        if question.key in UB_QUESTIONS:
            continue
        if question.type == "text":
            if rng.random() < 0.15:
                text = rng.choice(COMMENTS["inclusion"] + COMMENTS["collaboration"])
                answers.append(AnswerValue(question.key, None, None, text))
            continue
        if not question.required and rng.random() < 0.1:
            continue
        answers.extend(synthetic_answer(question, rng, mood + shifts.get(question.key, 0.0)))
    asked = {question.key for question in template.questions}
    return answers + [
        answer for answer in undesirable_behaviour(rng, respondent) if answer.question_key in asked
    ]


def _item_shifts(template: Template, characteristics: Mapping[str, str]) -> dict[str, float]:
    items = {scale.key: scale.question_keys for scale in template.scales}
    shifts: dict[str, float] = {}
    for (category, option), gaps in SCALE_GAPS.items():
        if characteristics.get(category) != option:
            continue
        for scale, shift in gaps.items():
            for key in items.get(scale, ()):
                shifts[key] = shifts.get(key, 0.0) + shift
    return shifts


def undesirable_behaviour(rng: random.Random, respondent: DemoRespondent) -> list[AnswerValue]:
    """Whether the person experienced undesirable behaviour, and if so what, from whom and
    whom they told; whether they know the confidential adviser."""
    front_office = respondent.department in FRONT_OFFICE
    risk = UB_BASE + (UB_FRONT_OFFICE_RISK if front_office else 0.0)
    risk += sum(
        extra
        for (category, option), extra in UB_RISK.items()
        if respondent.characteristics.get(category) == option
    )
    knows = "yes" if rng.random() < KNOWS_CONFIDENTIAL_ADVISER else "no"
    if rng.random() >= risk:
        return [
            AnswerValue("ub_experienced", None, "no", None),
            AnswerValue("knows_confidential_adviser", None, knows, None),
        ]
    sources = UB_SOURCES_FRONT_OFFICE if front_office else UB_SOURCES
    answers = [AnswerValue("ub_experienced", None, "yes", None)]
    answers += _some("ub_kinds", UB_KINDS, rng)
    answers += _some("ub_sources", sources, rng)
    if rng.random() < 0.93:
        reported = rng.choices(list(UB_REPORTED), list(UB_REPORTED.values()))[0]
        answers.append(AnswerValue("ub_reported", None, reported, None))
    answers.append(AnswerValue("knows_confidential_adviser", None, knows, None))
    return answers


def _some(question_key: str, chances: Mapping[str, float], rng: random.Random) -> list[AnswerValue]:
    """Each option by its chance, and at least the likeliest one."""
    chosen = [key for key, chance in chances.items() if rng.random() < chance]
    if not chosen:
        chosen = [max(chances, key=lambda key: chances[key])]
    return [AnswerValue(question_key, None, key, None) for key in chosen]


def dig_title(opens_on: dt.date) -> str:
    middle = opens_on + dt.timedelta(days=WAVE_DAYS // 2)
    return f"DIG-monitor {DUTCH_MONTHS[middle.month - 1]} {middle.year}"


async def build_dig_wave(today: dt.date, settings: Settings) -> None:
    """The closed DIG wave, answered through the anonymous submission path (in one
    transaction)."""
    from survey_app.core.db import one_write_transaction
    from survey_app.core.hashing import hash_token
    from survey_app.responding.service import submit_response
    from survey_app.waves.service import create_wave, invite
    from surveys import load_template

    rng = random.Random(DIG_SEED)
    shipped = load_template("dig")
    # Every category the template offers (a wave's snapshot holds the chosen ones).
    template = shipped.with_self_identification(shipped.self_identification_keys)
    opens_on = today - dt.timedelta(days=DIG_OPENED_DAYS_AGO)
    closes_on = opens_on + dt.timedelta(days=WAVE_DAYS)
    wave = await create_wave(
        title=dig_title(opens_on),
        template_key=template.key,
        template=template,
        department_codes=["GEM"],
        opens_on=opens_on,
        closes_on=closes_on,
        timezone=settings.timezone,
    )
    invitations = await invite(wave, now=wave.opens_at, settings=settings)
    submissions: list[tuple[dt.datetime, str, list[AnswerValue], Sequence[tuple[str, str]]]] = []
    for invitation in invitations:
        department = invitation.department_code
        rate = RESPONSE_RATE * (1 + RESPONSE_TENDENCY.get(department, 0.0))
        if rng.random() >= rate:
            continue
        characteristics = draw_characteristics(rng)
        respondent = DemoRespondent(
            department, characteristics, draw_stated(rng, template, characteristics)
        )
        moment = wave.opens_at + dt.timedelta(
            days=rng.randint(0, WAVE_DAYS - 1), hours=rng.randint(7, 16)
        )
        answers = dig_answers(template, rng, respondent)
        submissions.append((moment, invitation.token, answers, respondent.stated))
    # In random order, as in `survey_app.demo.builder`: the order must not say who is who.
    rng.shuffle(submissions)
    async with one_write_transaction():
        for moment, token, answers, stated in submissions:
            await submit_response(
                hash_token(token),
                answers,
                now=moment,
                settings=settings,
                self_identification=stated,
            )
