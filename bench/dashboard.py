"""Dashboard benchmark: HR's heatmap page of a wave against one SQL GROUP BY of the same means.

Not a test: a script that prints figures. For each database it prepares a fresh one (SQLite
file in a temporary directory, or PostgreSQL ``klankbord_dashboard_<pid>``, dropped at the
end; see ``load.fresh_database``):

1. an organisation of ``--employees`` people in ``--departments`` departments on three
   levels (the municipality, 5 domains, departments of long-tailed sizes, some below the
   group minimum, a few staff directly under each domain head);
2. a template of ``--items`` numeric questions: the pulse survey's, work ability and
   generated agreement items, with scales over them (a bank file and a template file
   written to a temporary directory: ``load_bank`` and ``load_template`` take other
   files, and ``create_wave`` takes the template);
3. ``--waves`` closed waves of it, everybody invited by the real ``invite`` and
   ``--respondents`` of them answering every item (3 % left out), stored as released
   responses with their used digests (bulk writes, ``core.db.insert_rows``);
4. an HR account, signed in on an ``httpx.AsyncClient`` over ASGI (in process, no server);
5. on PostgreSQL ``VACUUM ANALYZE``, as autovacuum would do after such a load (SQLite is
   left as the application leaves it: no ANALYZE).

Then, interleaved, ``--repeats`` times (after warm-ups):

- ``page``: ``GET /hr/waves/<last wave>`` through the whole application (wall time: what
  the server spends, database included), as HR sees it when looking again or changing a
  filter: the worker keeps the gated reports of a closed wave (``results.scores``);
- ``page_items``: the same with every question as a column;
- ``page_first``: the page as the first look at the wave since the worker started (the
  kept reports cleared before each request: answers read, reports computed);
- ``door``: ``results.service.wave_results(..., with_view=True)`` for the same wave, which
  is what the heatmap renders, first view (participation, release check, reading the
  answers, gated reports, the view);
- ``sql``: one ``SELECT department_path, question_key, AVG(number) ... GROUP BY`` of the
  same wave on the same database.

It prints the medians, ``page / sql`` and ``door / sql``, and where the door's time goes
(timers around the calls it makes). ``--profile N`` adds cProfile's top N of the door.

    .venv/bin/python bench/dashboard.py                     # SQLite and PostgreSQL
    .venv/bin/python bench/dashboard.py --db postgres --repeats 15 --profile 30
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import functools
import io
import logging
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent))

import httpx  # noqa: E402
from load import (  # noqa: E402
    CSRF_FIELD,
    DEFAULT_PG_URL,
    SECRET_KEY,
    TIMEZONE,
    bench_settings,
    fresh_database,
    pg_admin,
    progress,
    require_loopback,
    use_database,
)

HR_USERNAME = "hr@benchdorp.example"
HR_PASSWORD = "een lange zin als wachtwoord voor de benchmark"
TEMPLATE_KEY = "dashboard_bench"
DOMAINS = 5
# The pulse survey's numeric questions and scales, and work ability, as in the bank.
PULSE_QUESTIONS = (
    "enjoyment_work",
    "enjoyment_contribution",
    "energy_start",
    "energy_left",
    "workload_too_much",
    "workload_pace",
    "manager_support",
    "manager_appreciation",
    "safety_speak_up",
    "safety_mistakes",
    "development_opportunities",
    "development_encouraged",
    "enps",
    "work_ability",
)
PULSE_SCALES = (
    "work_enjoyment",
    "energy",
    "workload",
    "manager_support",
    "psychological_safety",
    "development",
    "work_ability",
)
# Generated items are grouped into scales of this many.
GENERATED_SCALE_SIZE = 6
SQL_MEANS = (
    "SELECT r.department_path, a.question_key, AVG(a.number) AS mean "
    "FROM answer a JOIN response r ON a.response = r.id "
    "WHERE r.wave = {} AND a.number IS NOT NULL "
    "GROUP BY r.department_path, a.question_key"
)


# --- data ----------------------------------------------------------------------------------


def organisation_csv(employees: int, departments: int, rng: random.Random) -> bytes:
    """GEM → 5 domains → the other departments, long-tailed sizes (some below k)."""
    out = io.StringIO()
    out.write(
        "record_type,department_code,department_name,parent_code,level,"
        "employee_number,name,email,is_manager\n"
    )
    out.write("department,GEM,Gemeente Benchdorp,,organisation,,,,\n")
    leaves: list[str] = []
    domains = [f"D{d + 1}" for d in range(DOMAINS)]
    for domain in domains:
        out.write(f"department,{domain},Domein {domain},GEM,domain,,,,\n")
    for index in range(max(departments - 1 - DOMAINS, 1)):
        domain = domains[index % DOMAINS]
        code = f"{domain}-A{index // DOMAINS + 1:02d}"
        leaves.append(code)
        out.write(f"department,{code},Afdeling {code},{domain},department,,,,\n")
    weights = [rng.choice((0.05, 0.3, 1.0, 1.0, 2.5, 5.0)) for _ in leaves]
    weights += [0.1] * DOMAINS  # staff directly under each domain head
    places = leaves + domains
    number = 100000
    for code, weight in zip(places, weights, strict=True):
        size = max(1, round(employees * weight / sum(weights)))
        for index in range(size):
            number += 1
            manager = "ja" if index == 0 else "nee"
            out.write(
                f"employee,{code},,,,{number},Medewerker {number},"
                f"m{number}@benchdorp.example,{manager}\n"
            )
    return out.getvalue().encode()


def bank_and_template_files(folder: Path, items: int) -> None:
    """A bank file with the generated items and scales, and the template asking the pulse
    questions, work ability and the generated items (``items`` numeric in all)."""
    generated = [f"bench_item_{n + 1:02d}" for n in range(max(items - len(PULSE_QUESTIONS), 0))]
    bank = io.StringIO()
    for key in generated:
        bank.write(
            f'[[questions]]\nkey = "{key}"\ntype = "likert"\nlabels = "agreement"\n'
            f'text = {{ nl = "Stelling {key}.", en = "Statement {key}." }}\n\n'
        )
    scales = []
    for start in range(0, len(generated) - GENERATED_SCALE_SIZE + 1, GENERATED_SCALE_SIZE):
        key = f"bench_scale_{start // GENERATED_SCALE_SIZE + 1}"
        members = generated[start : start + GENERATED_SCALE_SIZE]
        members[-1] = "-" + members[-1]  # one reverse-scored item each
        scales.append(key)
        bank.write(
            f'[[scales]]\nkey = "{key}"\nname = {{ nl = "Schaal {key}", en = "Scale {key}" }}\n'
            f"items = {members!r}\nmin_answered = {GENERATED_SCALE_SIZE // 2}\n\n".replace("'", '"')
        )
    (folder / "bench_bank.toml").write_text(bank.getvalue())
    questions = [*PULSE_QUESTIONS, *generated][:items]
    wanted_scales = [*PULSE_SCALES, *scales]
    sections = "".join(
        f'[[sections]]\nheading = {{ nl = "Deel {n + 1}", en = "Part {n + 1}" }}\n'
        f"questions = {questions[start : start + 10]!r}\n\n".replace("'", '"')
        for n, start in enumerate(range(0, len(questions), 10))
    )
    (folder / f"{TEMPLATE_KEY}.toml").write_text(
        f'key = "{TEMPLATE_KEY}"\nversion = 1\nkind = "pulse"\n'
        'title = { nl = "Benchmark dashboard", en = "Dashboard benchmark" }\n'
        'intro = { nl = "Een benchmark.", en = "A benchmark." }\n'
        f"scales = {wanted_scales!r}\n\n".replace("'", '"')
        + sections
    )


def load_bench_template(folder: Path, items: int):
    from surveys import load_bank, load_template
    from surveys.loader import BANK_PATH

    bank_and_template_files(folder, items)
    bank = load_bank(BANK_PATH, folder / "bench_bank.toml")
    return load_template(TEMPLATE_KEY, bank=bank, directory=folder)


async def store_wave(wave, template, respondents: int, rng, drift: float) -> tuple[int, int]:
    """Everyone of ``wave`` invited; ``respondents`` of them answered every numeric item
    (3 % left out), stored as released responses with their used digests."""
    import numpy as np

    from survey_app.core.clock import local_day
    from survey_app.core.db import insert_rows, write_transaction
    from survey_app.core.hashing import invitation_digests
    from survey_app.responding.release import ANSWER_COLUMNS, RESPONSE_COLUMNS
    from survey_app.tables.anonymous import Answer, Response
    from survey_app.tables.identity import Invitation, UsedInvitation
    from survey_app.waves.service import invite

    settings = bench_settings(os.environ["DATABASE_URL"])
    await invite(wave, now=wave.opens_at, settings=settings)
    invited = await Invitation.select(Invitation.id, Invitation.response_group).where(
        Invitation.wave == wave.id
    )
    chosen = rng.permutation(len(invited))[:respondents]
    rows = [invited[int(i)] for i in chosen]
    groups = sorted({row["response_group"] for row in rows})
    group_effect = {g: e for g, e in zip(groups, rng.normal(0, 0.35, len(groups)), strict=True)}
    numeric = [q for q in template.questions if q.is_numeric]
    latent = rng.normal(0, 0.8, (len(rows), 1)) + np.array(
        [[group_effect[row["response_group"]] + drift] for row in rows]
    )
    scores = latent + rng.normal(0, 0.8, (len(rows), len(numeric)))
    low = np.array([q.min_value for q in numeric], dtype=float)
    high = np.array([q.max_value for q in numeric], dtype=float)
    values = np.clip(np.rint(low + (high - low) * (0.62 + 0.18 * scores)), low, high)
    missing = rng.random(values.shape) < 0.03
    used_on = local_day(wave.opens_at + dt.timedelta(days=2), TIMEZONE)
    responses, answers = [], []
    for r, row in enumerate(rows):
        response_id = uuid.uuid4()
        responses.append((response_id, wave.id, row["response_group"]))
        answers.extend(
            (uuid.uuid4(), response_id, question.key, int(values[r, c]), None, None)
            for c, question in enumerate(numeric)
            if not missing[r, c]
        )
    random.Random(wave.id).shuffle(answers)  # released batches are shuffled too
    digests = invitation_digests(SECRET_KEY, [row["id"] for row in rows])
    async with write_transaction():
        await insert_rows(Response, RESPONSE_COLUMNS, responses)
        await insert_rows(Answer, ANSWER_COLUMNS, answers)
        await insert_rows(
            UsedInvitation,
            (UsedInvitation.id, UsedInvitation.wave, UsedInvitation.digest, UsedInvitation.used_on),
            [(uuid.uuid4(), wave.id, digest, used_on) for digest in digests.values()],
        )
    return len(responses), len(answers)


async def prepare(args: argparse.Namespace, folder: Path):
    """The organisation, the template, the closed waves and the HR account; the waves."""
    import numpy as np

    from survey_app.accounts.service import create_account
    from survey_app.core.clock import utc_now
    from survey_app.organisation.importing import apply_org_plan, parse_org_csv
    from survey_app.waves.service import create_wave

    today = utc_now().astimezone(TIMEZONE).date()
    rng = random.Random(11)
    await apply_org_plan(
        parse_org_csv(organisation_csv(args.employees, args.departments, rng)), today
    )
    template = load_bench_template(folder, args.items)
    numbers = np.random.default_rng(20261203)
    waves = []
    for w in range(args.waves):
        opens = today - dt.timedelta(days=40 * (args.waves - w) + 14)
        wave = await create_wave(
            title=f"Dashboard benchmark {w + 1}",
            template_key=template.key,
            department_codes=["GEM"],
            opens_on=opens,
            closes_on=opens + dt.timedelta(days=14),
            timezone=TIMEZONE,
            template=template,
        )
        stored = await store_wave(wave, template, args.respondents, numbers, drift=0.05 * w)
        progress(f"wave {w + 1}: {stored[0]:,} responses, {stored[1]:,} answers")
        waves.append(wave)
    await create_account(
        username=HR_USERNAME,
        display_name="HR",
        password=HR_PASSWORD,
        actor="bench",
        is_hr=True,
    )
    return waves


async def sign_in(client: httpx.AsyncClient) -> None:
    token = CSRF_FIELD.search((await client.get("/sign-in")).text)
    assert token, "no CSRF field on the sign-in page"
    response = await client.post(
        "/sign-in",
        data={"_csrf": token.group(1), "username": HR_USERNAME, "password": HR_PASSWORD},
        headers={"x-csrf-token": token.group(1)},
    )
    if response.status_code != 303:
        raise SystemExit(f"sign-in: {response.status_code} {response.text[:300]}")


# What the door calls, timed under these labels (in the order it calls them).
TIMED_NAMES = (
    "get_wave",
    "load_tree",
    "participation",
    "used_invitations",
    "gate_rates",
    "release_all",
    "earlier_waves",
    "score_data",
    "_reports",
)
LABELS = (
    "get_wave",
    "load_tree",
    "participation (invitations + used digests)",
    "  of which used_invitations",
    "gate_rates (thread)",
    "release_all",
    "earlier_waves",
    "score_data",
    "  of which assembly + reports (thread)",
    "    of which gated_report x2",
    "build_view (thread)",
    "audit record",
)

# The door as the page calls it: the rest of the page is its handler's other reads, the
# template and Litestar.
PAGE_DOOR = "door within the page"


# --- timers --------------------------------------------------------------------------------


class Timers:
    """Wall time of named calls, per step and repetition: wrappers around module attributes."""

    def __init__(self) -> None:
        self.current: dict[str, float] = defaultdict(float)
        self.runs: dict[str, list[dict[str, float]]] = defaultdict(list)
        self.active = False

    def wrap(self, module: Any, name: str, label: str) -> None:
        original = getattr(module, name)
        timers = self

        if asyncio.iscoroutinefunction(original):

            @functools.wraps(original)
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                began = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    if timers.active:
                        timers.current[label] += time.perf_counter() - began

            setattr(module, name, timed_async)
        else:

            @functools.wraps(original)
            def timed(*args: Any, **kwargs: Any) -> Any:
                began = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    if timers.active:
                        timers.current[label] += time.perf_counter() - began

            setattr(module, name, timed)

    def start(self) -> None:
        self.current = defaultdict(float)
        self.active = True

    def stop(self, step: str) -> None:
        self.active = False
        self.runs[step].append(dict(self.current))

    def medians(self, step: str) -> dict[str, float]:
        runs = self.runs[step]
        labels = {label for run in runs for label in run}
        return {label: statistics.median(run.get(label, 0.0) for run in runs) for label in labels}


def install_timers() -> Timers:
    """Timers around what the door calls (by the names it calls them under)."""
    import analysis.report
    import survey_app.results.controllers as controllers
    import survey_app.results.scores as scores
    import survey_app.results.service as service
    import survey_app.waves.service as waves

    timers = Timers()
    for module, name, label in zip(
        (service, service, service, waves, service, service, service, service, scores),
        TIMED_NAMES,
        LABELS,
        strict=False,
    ):
        timers.wrap(module, name, label)
    timers.wrap(analysis.report, "gated_report", LABELS[9])
    timers.wrap(service, "build_view", LABELS[10])
    timers.wrap(service.audit, "record", LABELS[11])
    timers.wrap(controllers, "wave_results", PAGE_DOOR)
    return timers


# --- measuring -----------------------------------------------------------------------------


def sqlite_file_exists(url: str) -> bool:
    return Path(url.removeprefix("sqlite:///")).exists()


async def run_database(args: argparse.Namespace, db: str) -> dict[str, Any]:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="klankbord-dashboard-") as tmp:
        if args.workdir is not None:  # keep the SQLite file and the template files
            args.workdir.mkdir(parents=True, exist_ok=True)
            tmp = str(args.workdir)
        async with fresh_database(db, Path(tmp), args.pg_url, "klankbord_dashboard") as url:
            os.environ.update(
                DATABASE_URL=url,
                SECRET_KEY=SECRET_KEY,
                KLANKBORD_VAR_DIR=f"{tmp}/var",
                KLANKBORD_BASE_URL="http://127.0.0.1",
            )
            # (use_database creates an SQLite file that does not exist.)
            kept = db == "sqlite" and sqlite_file_exists(url)
            use_database(url)
            from survey_app.app import create_app
            from survey_app.core.db import migrate
            from survey_app.waves.service import list_waves

            await migrate()
            app = create_app(bench_settings(url))
            logging.getLogger("survey_app").setLevel(logging.WARNING)  # one audit line a view
            async with app.lifespan():
                if kept:  # --workdir of an earlier run: its data as it is
                    waves = sorted(await list_waves(), key=lambda wave: wave.opens_at)
                else:
                    began = time.monotonic()
                    waves = await prepare(args, Path(tmp))
                    if db == "postgres":
                        # What autovacuum does after a bulk load: statistics for the
                        # planner and the visibility map for index-only scans.
                        await pg_admin(url, "VACUUM ANALYZE")
                    progress(f"{db}: data ready in {time.monotonic() - began:.1f} s")
                return await measure(args, app, waves[-1], url)


async def measure(args: argparse.Namespace, app: Any, wave: Any, url: str) -> dict[str, Any]:
    from survey_app.results import scores, service
    from survey_app.results.service import operator
    from survey_app.tables.anonymous import Answer

    settings = bench_settings(url)
    path = f"/hr/waves/{wave.public_id}"

    async def page(query: str = "", first_view: bool = False) -> None:
        if first_view:
            # As if this page were the first look at the wave since the worker started:
            # the gated reports a worker keeps for closed waves are forgotten.
            scores._REPORTS.clear()
        response = await client.get(path + query)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.text[:300]}")

    async def door() -> None:
        scores._REPORTS.clear()  # the door's own cost, first view: nothing kept
        await service.wave_results(
            operator("bench"),
            str(wave.public_id),
            settings=settings,
            language="nl",
            view="overview",
            with_view=True,
        )

    async def sql() -> None:
        rows = await Answer.raw(SQL_MEANS, wave.id)
        if not rows:
            raise SystemExit("the GROUP BY found no answers")

    timers = install_timers()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        await sign_in(client)
        for _ in range(args.warmup):
            await page()
            await page("?columns=items")
            await door()
            await sql()
        samples: dict[str, list[float]] = defaultdict(list)
        steps: dict[str, Callable[[], Any]] = {
            "page": page,
            "page_items": functools.partial(page, "?columns=items"),
            "page_first": functools.partial(page, first_view=True),
            "door": door,
            "sql": sql,
        }
        order = list(steps)
        for repeat in range(args.repeats):
            # Interleaved, each repetition in another order, so that a busier moment of
            # the shared machine falls on every measurement alike.
            random.Random(repeat).shuffle(order)
            for name in order:
                timers.start()
                began = time.perf_counter()
                await steps[name]()
                samples[name].append(time.perf_counter() - began)
                timers.stop(name)
        profile = None
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(3):
                await steps[args.profile_step]()
            profile.disable()
    medians = {name: statistics.median(values) for name, values in samples.items()}
    return {
        "medians": medians,
        "samples": samples,
        "breakdown": timers.medians("door"),
        "page_door": {
            step: timers.medians(step).get(PAGE_DOOR, 0.0)
            for step in ("page", "page_items", "page_first")
        },
        "profile": profile,
    }


def report(db: str, args: argparse.Namespace, result: dict[str, Any]) -> None:
    medians = result["medians"]
    print(
        f"\n{db}: {args.employees:,} employees, {args.respondents:,} respondents x "
        f"{args.items} items x {args.waves} waves; medians of {args.repeats} interleaved runs"
    )
    for name, label in (
        ("page", "page GET /hr/waves/<id> (ASGI)"),
        ("page_items", "  the same, ?columns=items"),
        ("page_first", "  first view (no kept reports)"),
        ("door", "door wave_results(with_view)"),
        ("sql", "SQL GROUP BY path, item"),
    ):
        spread = sorted(result["samples"][name])
        print(
            f"  {label:34} {medians[name] * 1e3:9.1f} ms"
            f"   (min {spread[0] * 1e3:.1f}, max {spread[-1] * 1e3:.1f})"
        )
    for name in ("page", "page_items", "page_first", "door"):
        print(f"  ratio {name} / sql: {medians[name] / medians['sql']:.2f}x   (aim: within 3x)")
    for name in ("page", "page_items", "page_first"):
        door = result["page_door"][name]
        print(
            f"  {name}: the door within it {door * 1e3:.1f} ms, the rest (other reads,"
            f" template, Litestar) {(medians[name] - door) * 1e3:.1f} ms"
        )
    print("  where the door's time goes (medians, ms):")
    for label in LABELS:
        seconds = result["breakdown"].get(label)
        if seconds is not None:
            print(f"    {label:46} {seconds * 1e3:8.1f}")
    if result["profile"] is not None:
        for order in ("cumulative", "tottime"):
            print(f"\n--- {db}: top {args.profile} by {order} (3 x {args.profile_step})")
            pstats.Stats(result["profile"]).sort_stats(order).print_stats(args.profile)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--respondents", type=int, default=2000, help="per wave")
    parser.add_argument("--departments", type=int, default=40, help="all levels together")
    parser.add_argument("--items", type=int, default=40, help="numeric items, at least 14")
    parser.add_argument("--waves", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile top N")
    parser.add_argument(
        "--profile-step",
        default="door",
        choices=("page", "page_items", "page_first", "door", "sql"),
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument(
        "--workdir", type=Path, help="keep the SQLite file here; reused when it exists"
    )
    args = parser.parse_args()
    if args.items < len(PULSE_QUESTIONS):
        parser.error(f"--items must be at least {len(PULSE_QUESTIONS)} (the pulse questions)")
    require_loopback(args.pg_url)
    for db in args.db.split(","):
        result = asyncio.run(run_database(args, db))
        report(db, args, result)


if __name__ == "__main__":
    main()
