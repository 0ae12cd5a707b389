"""The demo's year: a pulse wave every quarter, and what happened between them.

Four waves of the pulse survey, each inviting the whole municipality: three closed ones
about nine, six and three months before the day the demo is built, and one open now. The
story their figures tell, so that the trend pages have something to show:

- Workload is high everywhere at the first wave. The municipality then hires extra staff
  and clears the backlog of cases, so the manageable-workload scale improves step by step,
  wave after wave, in every department.
- Vergunningen, Toezicht en Handhaving is reorganised just before the second wave: there
  psychological safety (and, less so, support from the manager) dips, then recovers.
- Response rates differ per department (outdoor teams answer less often than office ones)
  and a little from wave to wave; the open wave has just started.

Everything is drawn from the demo's seeded random generator, so every build tells the same
story with the same figures. The department sizes stay as they are: the small ones remain
hidden by the anonymity gate.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from surveys import Template

# Days between the starts of two waves (a quarter), how long a wave runs, and how long ago
# the open wave started.
QUARTER_DAYS = 91
WAVE_DAYS = 21
OPEN_WAVE_STARTED_DAYS_AGO = 4

# Per wave, oldest first and the open wave last: the share of the invitees who answer.
RESPONSE_RATES = (0.74, 0.68, 0.72, 0.38)

# Departments that answer more or less often than the organisation (a relative change of
# the wave's response rate): teams working outdoors or at a counter find less time for it.
RESPONSE_TENDENCY = {
    "FD-BOR-GR": -0.25,
    "FD-BOR-WR": -0.2,
    "BV-KCC": -0.12,
    "SD-WMO": -0.05,
    "FD-VTH": -0.05,
    "FD-RO": 0.05,
    "BV-FIN": 0.08,
    "BS-COM": 0.12,
    "BV-HR": 0.15,
}

# Shifts per scale and wave (oldest first, the open wave last) on the generator's scale of
# mood, which is about a point on a 1-5 answer scale. Everyone, then per department.
ORGANISATION_TRENDS: dict[str, tuple[float, ...]] = {
    "workload": (-0.4, -0.1, 0.2, 0.3),
}
DEPARTMENT_TRENDS: dict[str, dict[str, tuple[float, ...]]] = {
    "FD-VTH": {
        "psychological_safety": (0.0, -1.0, -0.45, -0.1),
        "manager_support": (0.0, -0.5, -0.2, 0.0),
    },
}

# How much a department's mood wanders from one wave to the next (standard deviation).
WAVE_MOOD_SPREAD = 0.1

DUTCH_MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


@dataclass(frozen=True)
class DemoWave:
    index: int  # 0 for the oldest
    title: str
    opens_on: dt.date
    closes_on: dt.date
    response_rate: float


def demo_waves(today: dt.date) -> list[DemoWave]:
    """The demo's waves, oldest first; the last one is open on ``today``."""
    waves = []
    count = len(RESPONSE_RATES)
    for index, rate in enumerate(RESPONSE_RATES):
        days_ago = OPEN_WAVE_STARTED_DAYS_AGO + QUARTER_DAYS * (count - 1 - index)
        opens_on = today - dt.timedelta(days=days_ago)
        closes_on = opens_on + dt.timedelta(days=WAVE_DAYS)
        # Named, as HR would, after the month in which most of its answers come in.
        middle = opens_on + dt.timedelta(days=WAVE_DAYS // 2)
        title = f"Pulsmeting {DUTCH_MONTHS[middle.month - 1]} {middle.year}"
        waves.append(DemoWave(index, title, opens_on, closes_on, rate))
    return waves


@dataclass(frozen=True)
class WaveMood:
    """How one department answers in one wave: its response rate, a shift of everyone's
    mood and shifts of the items of some scales (by question key)."""

    response_rate: float
    mood: float
    item_shifts: dict[str, float]


def wave_moods(
    wave: DemoWave, department_codes: list[str], template: Template, rng: random.Random
) -> dict[str, WaveMood]:
    """Per department code: how it answers in ``wave`` (drawn in the order given)."""
    scale_items = {scale.key: scale.question_keys for scale in template.scales}
    moods = {}
    for code in department_codes:
        tendency = RESPONSE_TENDENCY.get(code, 0.0) + rng.gauss(0, 0.06)
        rate = min(0.97, max(0.05, wave.response_rate * (1 + tendency)))
        shifts: dict[str, float] = {}
        for trends in (ORGANISATION_TRENDS, DEPARTMENT_TRENDS.get(code, {})):
            for scale, per_wave in trends.items():
                for key in scale_items[scale]:
                    shifts[key] = shifts.get(key, 0.0) + per_wave[wave.index]
        moods[code] = WaveMood(rate, rng.gauss(0, WAVE_MOOD_SPREAD), shifts)
    return moods
