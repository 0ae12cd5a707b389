"""The demo's Quick Scan conversations (issue 17), through the Quick Scan service (its
actions committed together: `survey_app.core.db.one_write_transaction`).

What there is to see, so that every role's pages have something to show:

- In the last year HR started a round of Quick Scans in every domain (and, about two
  years ago, in two departments to try it out): most employees filled in the
  self-assessment, shared most of it, had the talk, made an agreement or two and confirmed
  the record; a few talks were cancelled, and a few follow-ups are overdue. The energy and
  the workload improve a little over the two years, as in the pulse waves' story
  (`survey_app.demo.story`). HR's figures show most departments; the smallest ones stay
  hidden by the gate.
- The demo manager (Jeugd en Onderwijs) has one conversation in every stage with their
  reports: a planned one (the talk next week), a prepared one (one answer not shared, a
  signal to talk about), a completed one (held and confirmed, follow-up in a few weeks)
  and one whose follow-up is two weeks overdue.
- The demo employee (Team Jeugd Noord) has a planned one with their team manager.

Drawn from a generator of its own (seeded), so the waves' figures do not change with this
story and every build tells the same one. Employees act here without an account: the
service's `Viewer` is who someone is, not how they signed in.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass

from survey_app.core.settings import Settings
from survey_app.demo.answering import CLIMATE, synthetic_answer
from surveys import Question, QuickScanForm

QS_SEED = 20261717  # its own generator: the waves stay as they were

# HR's rounds: (department code, months before the demo's day). Talks follow in the weeks
# after; the latest rounds' follow-ups are still to come or just due.
ROUNDS: tuple[tuple[str, int], ...] = (
    ("SD-JO", 21),
    ("FD-RO", 18),
    ("BS", 11),
    ("SD", 9),
    ("FD", 6),
    ("BV", 3),
)
MONTH_DAYS = 30
HISTORY_MONTHS = 24
# How a round goes: who fills in the self-assessment, whose talk is cancelled, who
# confirms the record, whose follow-up is marked done once its day has passed.
PREPARE_RATE = 0.85
CANCEL_RATE = 0.04
CONFIRM_RATE = 0.9
FOLLOWED_UP_RATE = 0.92
SHARE_ALL_RATE = 0.7
SKIP_QUESTION_RATE = 0.04
# How people's moods differ around their department's climate, and how the organisation's
# mood improves from two years ago (the extra staff of the pulse waves' story).
MOOD_SPREAD = 0.65
MOOD_THEN, MOOD_NOW = -0.3, 0.2


ENERGY_GIVES = [
    "Als een gezin weer verder kan en ik daar een rol in had.",
    "Samen met collega's een lastige casus oplossen.",
    "Dat ik mijn eigen dag kan indelen.",
    "Nieuwe dingen leren en uitzoeken hoe het beter kan.",
    "Buiten werken, zien wat we voor de wijk doen.",
    "Een goed gesprek met een inwoner die blij is met de hulp.",
    "Het teamoverleg op maandag, daar helpen we elkaar echt.",
]
ENERGY_COSTS = [
    "De stapel dossiers die maar niet kleiner wordt.",
    "Het zaaksysteem dat steeds vastloopt.",
    "Veel vergaderingen waarin weinig wordt besloten.",
    "Steeds weer dezelfde vragen beantwoorden omdat informatie niet klopt.",
    "Het reizen naar kantoor in de spits.",
    "Onduidelijkheid over wie waarover beslist.",
    "Telefoontjes van boze inwoners aan het eind van de dag.",
]
DEVELOPMENT_WISHES = [
    "Ik wil graag een opleiding tot casemanager volgen.",
    "Meer doen met data en rapportages.",
    "Op termijn een coördinerende rol, daar wil ik naartoe groeien.",
    "Meekijken bij een ander team om breder inzetbaar te worden.",
    "Een cursus over het nieuwe omgevingsplan.",
]
SUMMARIES = [
    "We hebben gesproken over de werkdruk en wat daarin helpt. Het gaat redelijk goed; "
    "de nieuwe collega's maken verschil.",
    "Goed gesprek over energie en ontwikkeling. Er is behoefte aan meer variatie in het werk.",
    "We hebben de taken van het afgelopen halfjaar doorgenomen en gekeken wat er beter "
    "kan in de planning.",
    "Het gesprek ging vooral over samenwerking met het andere team en over thuiswerkdagen.",
    "Open gesprek over wat energie geeft en kost. We houden de werkdruk samen in de gaten.",
    "We hebben gesproken over de ontwikkelwensen en hoe die passen bij het team.",
]
AGREEMENTS: list[tuple[str, str]] = [
    ("Eén dag per week zonder vergaderingen inplannen.", "employee"),
    ("Uitzoeken welke opleiding past en het budget aanvragen.", "employee"),
    ("Het opleidingsbudget voor volgend jaar vrijmaken.", "manager"),
    ("De verdeling van de dossiers in het team bespreken.", "manager"),
    ("Een dag meelopen met een ander team.", "employee"),
    ("Elke maand een kort werkoverleg met z'n tweeën.", "both"),
    ("De spreekuren anders indelen zodat er tijd is voor uitwerken.", "both"),
    ("Een melding maken van de problemen met het zaaksysteem.", "manager"),
]
REACTIONS = [
    "Fijn gesprek, dank je wel.",
    "Klopt zo. Ik ben benieuwd of de planning gaat helpen.",
    "Goed weergegeven.",
    "Dank voor het meedenken over de opleiding.",
]


@dataclass(frozen=True)
class Member:
    """One of the demo's employees, as the Quick Scan service needs them."""

    id: int
    employee_number: str
    email: str
    department: str


def _at(day: dt.date, hour: int, settings: Settings) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=settings.timezone)


def _viewer(member: Member):
    from survey_app.quickscan.service import Viewer

    return Viewer(username=member.email, employee_id=member.id)


def _mood_then(months_ago: float) -> float:
    """The organisation's mood `months_ago` months before the demo's day."""
    return MOOD_THEN + (MOOD_NOW - MOOD_THEN) * (1 - months_ago / HISTORY_MONTHS)


def self_assessment(
    form: QuickScanForm, rng: random.Random, mood: float
) -> tuple[dict[str, int | str], list[str]]:
    """One employee's answers in a ``mood`` and what they share: most share everything,
    others keep one or two answers to themselves."""
    answers: dict[str, int | str] = {}
    for question in form.questions:
        value = _answer(question, rng, mood)
        if value is not None and rng.random() >= SKIP_QUESTION_RATE:
            answers[question.key] = value
    shared = list(answers)
    if rng.random() >= SHARE_ALL_RATE and len(shared) > 2:
        for key in rng.sample(shared, k=rng.randint(1, 2)):
            shared.remove(key)
    return answers, shared


def _answer(question: Question, rng: random.Random, mood: float) -> int | str | None:
    if question.type == "text":
        texts = {
            "qs_energy_gives": (ENERGY_GIVES, 0.5),
            "qs_energy_costs": (ENERGY_COSTS, 0.45),
            "qs_development_wishes": (DEVELOPMENT_WISHES, 0.3),
        }.get(question.key)
        if texts is None or rng.random() >= texts[1]:
            return None
        return rng.choice(texts[0])
    # The workload question's high end is "far too much": a good mood answers about right.
    if question.key == "qs_workload":
        value = round(3.3 - 0.9 * (mood + rng.gauss(0, 0.6)))
        return max(question.min_value or 1, min(question.max_value or 5, value))
    found = synthetic_answer(question, rng, mood)
    return found[0].number if found and found[0].number is not None else None


def _agreements(rng: random.Random, held_on: dt.date):
    from survey_app.quickscan.service import AgreementInput

    chosen = rng.sample(AGREEMENTS, k=rng.choice((1, 2, 2, 3)))
    return [
        AgreementInput(
            text,
            owner,
            held_on + dt.timedelta(weeks=rng.randint(3, 10)) if rng.random() < 0.7 else None,
        )
        for text, owner in chosen
    ]


async def _members() -> dict[int, Member]:
    from survey_app.tables.identity import Employee

    rows = await Employee.select(
        Employee.id,
        Employee.employee_number,
        Employee.email,
        Employee.department.code.as_alias("department_code"),
    ).where(Employee.active == True)  # noqa: E712
    return {
        row["id"]: Member(row["id"], row["employee_number"], row["email"], row["department_code"])
        for row in rows
    }


async def build_quickscans(
    today: dt.date, settings: Settings, *, manager_number: str, employee_number: str
) -> None:
    """HR's rounds of the last two years, then the talks of the demo manager and the demo
    employee (their employee numbers)."""
    from survey_app.core.db import one_write_transaction
    from surveys import load_quickscan

    rng = random.Random(QS_SEED)
    form = load_quickscan()
    members = await _members()
    by_number = {member.employee_number: member for member in members.values()}
    # The demo manager's one overdue follow-up is the recent one: earlier ones were done.
    on_time = by_number[manager_number].id
    # Each action is the service's, committed together: ~330 conversations at 4-5 commits
    # each doubled the time the demo took to build.
    async with one_write_transaction():
        for code, months_ago in ROUNDS:
            await _round(form, rng, members, code, months_ago, today, settings, on_time=on_time)
        await _demo_manager(form, rng, members, by_number[manager_number], today, settings)
        await _demo_employee(members, by_number[employee_number], today, settings)


async def _round(
    form: QuickScanForm,
    rng: random.Random,
    members: Mapping[int, Member],
    code: str,
    months_ago: int,
    today: dt.date,
    settings: Settings,
    *,
    on_time: int,
) -> None:
    """One of HR's rounds and how its conversations went, talk by talk (the manager
    `on_time` does every follow-up)."""
    from survey_app.quickscan import service
    from survey_app.tables.conversations import QuickScan, QuickScanRound

    started_on = today - dt.timedelta(days=months_ago * MONTH_DAYS)
    result = await service.start_round(
        "demo-hr",
        code,
        due_on=started_on + dt.timedelta(weeks=8),
        now=_at(started_on, 9, settings),
    )
    round_row = (
        await QuickScanRound.select(QuickScanRound.id)
        .where(QuickScanRound.public_id == result.public_id)
        .first()
    )
    rows = (
        await QuickScan.select(QuickScan.public_id, QuickScan.employee, QuickScan.manager)
        .where(QuickScan.round == round_row["id"])
        .order_by(QuickScan.id)
    )
    for row in rows:
        employee, manager = members[row["employee"]], members[row["manager"]]
        talk_on = started_on + dt.timedelta(days=rng.randint(7, 50))
        await _conversation(
            form,
            rng,
            str(row["public_id"]),
            employee,
            manager,
            talk_on=talk_on,
            mood=rng.gauss(
                CLIMATE.get(employee.department, 0.0) + _mood_then(months_ago), MOOD_SPREAD
            ),
            today=today,
            settings=settings,
            overdue=manager.id != on_time,
        )


async def _conversation(
    form: QuickScanForm,
    rng: random.Random,
    public_id: str,
    employee: Member,
    manager: Member,
    *,
    talk_on: dt.date,
    mood: float,
    today: dt.date,
    settings: Settings,
    overdue: bool,
) -> None:
    """One conversation of a round, from the self-assessment to the follow-up."""
    from survey_app.quickscan import service

    them, boss = _viewer(employee), _viewer(manager)
    if rng.random() < PREPARE_RATE:
        answers, shared = self_assessment(form, rng, mood)
        prepared_on = talk_on - dt.timedelta(days=rng.randint(1, 6))
        await service.save_self_assessment(
            them, public_id, answers, shared, now=_at(prepared_on, rng.randint(8, 20), settings)
        )
    if rng.random() < CANCEL_RATE:
        await service.delete_planned(boss, public_id, now=_at(talk_on, 8, settings))
        return
    follow_up_on = talk_on + dt.timedelta(weeks=rng.randint(8, 12))
    await service.record_talk(
        boss,
        public_id,
        held_on=talk_on,
        summary=rng.choice(SUMMARIES),
        agreements=_agreements(rng, talk_on),
        follow_up_on=follow_up_on,
        now=_at(talk_on, 16, settings),
    )
    if rng.random() < CONFIRM_RATE:
        confirmed_on = talk_on + dt.timedelta(days=rng.randint(1, 6))
        if confirmed_on < today:
            await service.confirm(
                them,
                public_id,
                reaction=rng.choice(REACTIONS) if rng.random() < 0.35 else "",
                now=_at(confirmed_on, 10, settings),
            )
    if follow_up_on < today and (not overdue or rng.random() < FOLLOWED_UP_RATE):
        done_on = follow_up_on + dt.timedelta(days=rng.randint(0, 3))
        await service.mark_followed_up(boss, public_id, now=_at(min(done_on, today), 11, settings))


async def _demo_manager(
    form: QuickScanForm,
    rng: random.Random,
    members: Mapping[int, Member],
    manager: Member,
    today: dt.date,
    settings: Settings,
) -> None:
    """A conversation in every stage with the demo manager's reports."""
    from survey_app.quickscan import service
    from survey_app.quickscan.people import direct_reports

    boss = _viewer(manager)
    reports = [members[person.id] for person in await direct_reports(manager.id)]
    overdue, completed, prepared, planned = reports[:4]
    days = lambda n: today + dt.timedelta(days=n)  # noqa: E731

    # Held two months ago, the follow-up two weeks ago and not done.
    public_id = await service.plan(
        boss, overdue.id, talk_on=days(-60), now=_at(days(-74), 9, settings)
    )
    answers, shared = self_assessment(form, rng, -0.4)
    await service.save_self_assessment(
        _viewer(overdue), public_id, answers, shared, now=_at(days(-63), 19, settings)
    )
    await service.record_talk(
        boss,
        public_id,
        held_on=days(-60),
        summary=SUMMARIES[0],
        agreements=_agreements(rng, days(-60)),
        follow_up_on=days(-14),
        now=_at(days(-60), 15, settings),
    )
    await service.confirm(_viewer(overdue), public_id, reaction="", now=_at(days(-58), 9, settings))

    # Held three weeks ago and confirmed; one agreement done; the follow-up in five weeks.
    public_id = await service.plan(
        boss, completed.id, talk_on=days(-21), now=_at(days(-35), 9, settings)
    )
    answers, shared = self_assessment(form, rng, 0.3)
    await service.save_self_assessment(
        _viewer(completed), public_id, answers, shared, now=_at(days(-24), 20, settings)
    )
    await service.record_talk(
        boss,
        public_id,
        held_on=days(-21),
        summary=SUMMARIES[1],
        agreements=[
            service.AgreementInput(AGREEMENTS[1][0], "employee", days(14)),
            service.AgreementInput(AGREEMENTS[2][0], "manager", days(-7)),
            service.AgreementInput(AGREEMENTS[5][0], "both", None),
        ],
        follow_up_on=days(35),
        now=_at(days(-21), 14, settings),
    )
    await service.confirm(
        _viewer(completed), public_id, reaction=REACTIONS[3], now=_at(days(-19), 10, settings)
    )
    record = await service.get(boss, public_id, today=days(-8))
    await service.mark_agreement(
        boss, public_id, record.agreements[1].id, True, now=_at(days(-8), 12, settings)
    )

    # Self-assessment in: little energy and much work, shared (a signal to talk about);
    # the work–life balance kept to themselves (its signal shows to them only).
    public_id = await service.plan(
        boss, prepared.id, talk_on=days(3), now=_at(days(-10), 9, settings)
    )
    answers, shared = self_assessment(form, rng, -0.2)
    answers.update(qs_energy=2, qs_workload=5, qs_balance=2)
    shared = [
        key for key in dict.fromkeys([*shared, "qs_energy", "qs_workload"]) if key != "qs_balance"
    ]
    await service.save_self_assessment(
        _viewer(prepared), public_id, answers, shared, now=_at(days(-2), 21, settings)
    )

    # Planned: the talk next week.
    await service.plan(boss, planned.id, talk_on=days(7), now=_at(days(-1), 9, settings))


async def _demo_employee(
    members: Mapping[int, Member], employee: Member, today: dt.date, settings: Settings
) -> None:
    """The demo employee's team manager plans a talk with them."""
    from survey_app.quickscan import service
    from survey_app.quickscan.people import current_managers

    manager = members[min(await current_managers(employee.id))]
    await service.plan(
        _viewer(manager),
        employee.id,
        talk_on=today + dt.timedelta(days=9),
        now=_at(today - dt.timedelta(days=3), 9, settings),
    )
