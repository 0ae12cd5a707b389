"""A fictional municipality with survey waves and synthetic answers, for trying Klankbord.

Everything goes through the same code paths as real use: the organisation is imported from
a generated CSV file, waves are created and invited through the wave service, and answers
are submitted through the anonymous submission path, one invitation at a time (a wave's
submissions committed together: `survey_app.core.db.one_write_transaction`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import secrets
from dataclasses import dataclass
from pathlib import Path

from survey_app.core.i18n import _
from survey_app.demo.answering import CLIMATE, synthetic_answers
from survey_app.demo.dig import build_dig_wave
from survey_app.demo.quickscan import build_quickscans
from survey_app.demo.story import demo_waves, wave_moods
from survey_app.organisation.csvformat import COLUMNS

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


def demo_person(people: list[DemoPerson], department: str, *, manager: bool) -> DemoPerson:
    """The employee behind a demo account: the first of the department who is (or is not)
    a manager."""
    return next(p for p in people if p.department == department and p.is_manager == manager)


async def create_demo_accounts(people: list[DemoPerson]) -> list[DemoAccount]:
    """Accounts for one employee, two managers of different departments, HR and an
    administrator, each with a fresh random password (printed once by ``run_demo``)."""
    from survey_app.accounts.service import create_account

    names = {code: name for code, name, *_rest in DEPARTMENTS}
    what = {
        "employee": _("own account page and a planned Quick Scan conversation"),
        "manager": _(
            "results of {department} and the teams below it; Quick Scan conversations "
            "with their reports"
        ),
        "hr": _("all waves, response rates and themes; the Quick Scan figures"),
        "admin": _("users, roles, thresholds and the audit trail"),
    }
    accounts = []
    for role, department, manager, is_hr, is_admin in DEMO_ACCOUNTS:
        person = demo_person(people, department, manager=manager)
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
    """Build the demo database (the pulse waves, then the DIG wave of `survey_app.demo.dig`,
    then the Quick Scan conversations of `survey_app.demo.quickscan`); returns a few unused
    invitation links of the open wave and the demo accounts."""
    from survey_app.core.db import migrate, one_write_transaction
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
        async with one_write_transaction():
            for moment, token, answers in submissions:
                await submit_response(hash_token(token), answers, now=moment, settings=settings)
    await build_dig_wave(today, settings)
    await build_quickscans(
        today,
        settings,
        manager_number=demo_person(people, "SD-JO", manager=True).employee_number,
        employee_number=demo_person(people, "SD-JO-N", manager=False).employee_number,
    )
    return links, await create_demo_accounts(people)
