"""A fictional municipality with survey waves and synthetic answers, for trying Klankbord.

Everything goes through the same code paths as real use: the organisation is imported from
a generated CSV file, waves are created and invited through the wave service, and answers
are submitted through the anonymous submission path, one invitation at a time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from survey_app.core.i18n import _
from survey_app.demo.story import demo_waves, wave_moods
from survey_app.organisation.csvformat import COLUMNS
from surveys import AnswerValue, Question, Template

SEED = 20261128
ORGANISATION_NAME = "Gemeente Beekhoven"

# (code, name, parent code, level, number of employees directly in it)
DEPARTMENTS: list[tuple[str, str, str, str, int]] = [
    ("GEM", ORGANISATION_NAME, "", "organisation", 2),
    ("SD", "Sociaal Domein", "GEM", "domain", 2),
    ("SD-JO", "Jeugd en Onderwijs", "SD", "department", 3),
    ("SD-JO-N", "Team Jeugd Noord", "SD-JO", "team", 16),
    ("SD-JO-Z", "Team Jeugd Zuid", "SD-JO", "team", 14),
    ("SD-WMO", "Wmo en Zorg", "SD", "department", 29),
    ("SD-WI", "Werk en Inkomen", "SD", "department", 2),
    ("SD-WI-INK", "Team Inkomen", "SD-WI", "team", 26),
    ("SD-WI-RE", "Team Re-integratie", "SD-WI", "team", 12),
    ("FD", "Fysiek Domein", "GEM", "domain", 2),
    ("FD-RO", "Ruimtelijke Ordening", "FD", "department", 17),
    ("FD-BOR", "Beheer Openbare Ruimte", "FD", "department", 3),
    ("FD-BOR-GR", "Team Groen", "FD-BOR", "team", 33),
    ("FD-BOR-WR", "Team Wegen en Riolering", "FD-BOR", "team", 19),
    ("FD-VTH", "Vergunningen, Toezicht en Handhaving", "FD", "department", 29),
    ("BV", "Bedrijfsvoering", "GEM", "domain", 2),
    ("BV-HR", "HR en Organisatie", "BV", "department", 11),
    ("BV-ICT", "Informatievoorziening en ICT", "BV", "department", 24),
    ("BV-FIN", "Financiën", "BV", "department", 13),
    ("BV-KCC", "Klantcontactcentrum", "BV", "department", 28),
    ("BS", "Bestuur en Strategie", "GEM", "domain", 1),
    ("BS-COM", "Communicatie", "BS", "department", 9),
    ("BS-BO", "Bestuursondersteuning", "BS", "department", 4),
]

# How each department tends to answer: a shift on the 1–5 scale, for realistic differences.
CLIMATE = {
    "SD-JO-N": 0.3,
    "SD-JO-Z": -0.5,
    "SD-WMO": -0.3,
    "SD-WI-INK": -0.2,
    "FD-BOR-GR": 0.4,
    "FD-BOR-WR": 0.1,
    "FD-VTH": -0.4,
    "BV-ICT": -0.1,
    "BV-KCC": -0.6,
    "BV-HR": 0.3,
    "BS-COM": 0.5,
    "FD-RO": 0.2,
}

FIRST_NAMES = [
    "Anouk",
    "Bram",
    "Chantal",
    "Daan",
    "Esra",
    "Fleur",
    "Gerrit",
    "Hanneke",
    "Ilse",
    "Jeroen",
    "Karin",
    "Lars",
    "Mohamed",
    "Naima",
    "Olga",
    "Pieter",
    "Quinten",
    "Roos",
    "Sander",
    "Tamara",
    "Umut",
    "Vera",
    "Willem",
    "Yasmina",
    "Zoë",
    "Thijs",
    "Sanne",
    "Ruben",
    "Lotte",
    "Kees",
    "Ingrid",
    "Hamza",
    "Fatima",
    "Erik",
    "Dewi",
    "Bas",
    "Annemarie",
    "Joost",
    "Marloes",
    "Nina",
    "Stijn",
    "Wendy",
]
LAST_NAMES = [
    "de Vries",
    "Jansen",
    "van Dijk",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Kaya",
    "El Amrani",
    "Yilmaz",
    "Kok",
    "Jacobs",
    "Vermeulen",
    "van den Berg",
    "Schouten",
    "Willems",
    "Hoekstra",
    "Koster",
]

COMMENTS = {
    "workload": [
        "De werkdruk is al maanden te hoog, we lopen achter met de dossiers.",
        "Er komt steeds meer werk bij terwijl er mensen vertrekken.",
        "Door de vacatures moeten we veel overwerken en dat houdt niemand lang vol.",
        "Het is rustiger dan vorig jaar, de nieuwe collega's helpen echt.",
    ],
    "manager": [
        "Mijn leidinggevende staat echt open voor ideeën en denkt mee.",
        "Ik mis waardering van mijn leidinggevende voor wat we doen.",
        "Onze teamleider is bijna nooit aanwezig, beslissingen blijven liggen.",
        "Fijne leidinggevende, ik kan altijd binnenlopen als er iets is.",
    ],
    "ict": [
        "De laptops zijn traag en het zaaksysteem valt regelmatig uit.",
        "Inloggen via de VPN lukt thuis vaak niet, dat kost veel tijd.",
        "Het nieuwe zaaksysteem werkt nog niet goed, we doen veel dubbel werk.",
        "Teams en de nieuwe telefonie werken prima, goede verbetering.",
    ],
    "hybrid": [
        "Thuiswerken bevalt goed, ik kan me thuis beter concentreren.",
        "Op kantoor zijn er te weinig flexplekken op dinsdag en donderdag.",
        "Door het hybride werken zie ik mijn teamgenoten bijna niet meer.",
    ],
    "development": [
        "Er is weinig ruimte voor opleiding, het budget is altijd op.",
        "Ik zou graag een cursus volgen maar daar is geen tijd voor.",
        "Fijn dat ik de leergang heb mogen volgen, ik heb er veel aan.",
    ],
    "pay": [
        "Het salaris blijft achter bij andere gemeenten in de regio.",
        "De reiskostenvergoeding is te laag nu ik vaker naar kantoor moet.",
    ],
    "collaboration": [
        "De samenwerking met het andere team loopt stroef, informatie komt te laat.",
        "Fijne collega's, we helpen elkaar als het druk is.",
        "Tussen de afdelingen wordt te weinig samengewerkt, iedereen werkt op een eiland.",
    ],
    "communication": [
        "Besluiten van het management worden slecht uitgelegd.",
        "We horen veranderingen vaak pas via de wandelgangen.",
    ],
    "inclusion": [
        "Niet iedereen voelt zich even welkom in ons team.",
        "Ik durf in het teamoverleg niet altijd te zeggen wat ik denk.",
    ],
    "facilities": [
        "Het gemeentehuis is slecht geventileerd, 's middags is het benauwd.",
        "De kantine is prima, maar de koffieautomaat is vaak stuk.",
    ],
}


@dataclass(frozen=True)
class DemoPerson:
    employee_number: str
    name: str
    email: str
    department: str
    is_manager: bool


def build_people(rng: random.Random) -> list[DemoPerson]:
    people: list[DemoPerson] = []
    used_emails: set[str] = set()
    number = 100200
    for code, _name, _parent, _level, count in DEPARTMENTS:
        for index in range(count):
            number += rng.randint(1, 7)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            local = f"{first[0]}.{last.replace(' ', '').lower()}".lower().replace("ë", "e")
            email, suffix = f"{local}@beekhoven.example", 2
            while email in used_emails:
                email, suffix = f"{local}{suffix}@beekhoven.example", suffix + 1
            used_emails.add(email)
            people.append(
                DemoPerson(str(number), f"{first} {last}", email, code, is_manager=index == 0)
            )
    return people


def organisation_csv(people: list[DemoPerson]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(COLUMNS)
    for code, name, parent, level, _count in DEPARTMENTS:
        writer.writerow(["department", code, name, parent, level, "", "", "", ""])
    for person in people:
        writer.writerow(
            [
                "employee",
                person.department,
                "",
                "",
                "",
                person.employee_number,
                person.name,
                person.email,
                "ja" if person.is_manager else "nee",
            ]
        )
    return out.getvalue().encode("utf-8")


def synthetic_answers(
    template: Template,
    rng: random.Random,
    climate: float,
    with_comment: float,
    shifts: Mapping[str, float] | None = None,
) -> list[AnswerValue]:
    """Answers of one fictional person: correlated items, department climate, some noise;
    ``shifts`` moves the answers to some items (by question key), e.g. those of a scale
    that changes over the waves (`survey_app.demo.story`)."""
    mood = rng.gauss(climate, 0.7)
    shifts = shifts or {}
    answers: list[AnswerValue] = []
    for question in template.questions:
        if question.type == "text":
            if rng.random() < with_comment:
                themes = rng.sample(sorted(COMMENTS), k=1 if rng.random() < 0.7 else 2)
                text = " ".join(rng.choice(COMMENTS[theme]) for theme in themes)
                answers.append(AnswerValue(question.key, None, None, text))
            continue
        if not question.required and rng.random() < 0.1:
            continue
        answers.extend(_numeric_or_choice(question, rng, mood + shifts.get(question.key, 0.0)))
    return answers


def _numeric_or_choice(question: Question, rng: random.Random, mood: float) -> list[AnswerValue]:
    if question.type in {"likert", "scale"}:
        low, high = question.min_value or 0, question.max_value or 5
        middle = low + (high - low) * 0.62
        spread = (high - low) / 4
        value = middle + (mood + rng.gauss(0, 0.6)) * spread
        if question.reverse_scored:
            value = low + high - value
        number = max(low, min(high, round(value)))
        return [AnswerValue(question.key, number, None, None)]
    options = [option.key for option in question.options]
    if question.type == "single_choice":
        return [AnswerValue(question.key, None, rng.choice(options), None)]
    chosen = rng.sample(options, k=rng.randint(1, min(3, len(options))))
    return [AnswerValue(question.key, None, key, None) for key in chosen]


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    password: str
    name: str
    what: str


# Who gets a demo account: (role, department, manager?, HR role, admin role).
DEMO_ACCOUNTS = (
    ("employee", "SD-JO-N", False, False, False),
    ("manager", "SD-JO", True, False, False),
    ("manager", "FD-BOR", True, False, False),
    ("hr", "BV-HR", False, True, False),
    ("admin", "BV-ICT", False, False, True),
)


async def create_demo_accounts(people: list[DemoPerson]) -> list[DemoAccount]:
    """Accounts for one employee, two managers of different departments, HR and an
    administrator, each with a fresh random password (printed once by ``run_demo``)."""
    from survey_app.accounts.service import create_account

    names = {code: name for code, name, *_rest in DEPARTMENTS}
    what = {
        "employee": _("own account page"),
        "manager": _("results of {department} and the teams below it"),
        "hr": _("all waves, response rates and themes"),
        "admin": _("users, roles, thresholds and the audit trail"),
    }
    accounts = []
    for role, department, manager, is_hr, is_admin in DEMO_ACCOUNTS:
        person = next(p for p in people if p.department == department and p.is_manager == manager)
        password = "demo-" + secrets.token_urlsafe(9)
        await create_account(
            username=person.email,
            display_name=person.name,
            password=password,
            actor="demo",
            employee_number=person.employee_number,
            is_hr=is_hr,
            is_admin=is_admin,
        )
        accounts.append(
            DemoAccount(
                role,
                person.email,
                password,
                person.name,
                what[role].format(department=names[department]),
            )
        )
    return accounts


async def build_demo(var_dir: Path, today: dt.date) -> tuple[list[str], list[DemoAccount]]:
    """Build the demo database; returns a few unused invitation links of the open wave and
    the demo accounts."""
    from survey_app.core.db import migrate
    from survey_app.core.hashing import hash_token
    from survey_app.core.settings import Settings
    from survey_app.organisation.importing import import_org_file
    from survey_app.responding.service import submit_response
    from survey_app.waves.service import create_wave, invite
    from surveys import load_template

    settings = Settings.from_env()
    rng = random.Random(SEED)
    await migrate()
    people = build_people(rng)
    csv_path = var_dir / "demo-organisation.csv"
    csv_path.write_bytes(organisation_csv(people))
    await import_org_file(csv_path, today)
    template = load_template("pulse")
    tz = settings.timezone
    links: list[str] = []
    department_codes = [code for code, *_rest in DEPARTMENTS]
    for demo_wave in demo_waves(today):
        wave = await create_wave(
            title=demo_wave.title,
            template_key="pulse",
            department_codes=["GEM"],
            opens_on=demo_wave.opens_on,
            closes_on=demo_wave.closes_on,
            timezone=tz,
        )
        still_open = demo_wave.closes_on >= today
        answering_period = (min(demo_wave.closes_on, today) - demo_wave.opens_on).days
        moods = wave_moods(demo_wave, department_codes, template, rng)
        invitations = await invite(wave, now=wave.opens_at, settings=settings)
        submissions = []
        for invitation in invitations:
            mood = moods[invitation.department_code]
            if rng.random() >= mood.response_rate:
                if still_open:
                    links.append(f"{settings.base_url}/s/{invitation.token}")
                continue
            moment = wave.opens_at + dt.timedelta(
                days=rng.randint(0, max(0, answering_period - 1)), hours=rng.randint(7, 16)
            )
            climate = CLIMATE.get(invitation.department_code, 0.0) + mood.mood
            answers = synthetic_answers(
                template, rng, climate, with_comment=0.35, shifts=mood.item_shifts
            )
            submissions.append((moment, invitation.token, answers))
        # In random order, not in the order of the invitation list (which follows the
        # people): the order of submission must not say who answered what, not even here.
        # A closed wave's last answers stay sealed until its results are first looked at,
        # as with a real wave (`survey_app.results.service`).
        rng.shuffle(submissions)
        for moment, token, answers in submissions:
            await submit_response(hash_token(token), answers, now=moment, settings=settings)
    return links, await create_demo_accounts(people)
