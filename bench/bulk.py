"""Bulk benchmark: importing a large organisation and inviting everyone, through the CLI.

Not a test: a script that prints figures. For every database it

1. creates a fresh database (SQLite file in a temporary directory, or the PostgreSQL
   database ``klankbord_bulk_<pid>`` on 127.0.0.1, dropped at the end) and migrates it with
   ``survey-app db upgrade``;
2. generates an organisation of ``--employees`` people (seeded): a municipality with
   domains, departments and teams of very different sizes (some below the group minimum,
   some staff directly under a domain or department), one manager per unit;
3. times the real command line, each a process of its own as an operator runs it (and,
   for comparison, ``wave list`` on the empty database: the start-up every command pays):
   ``org import``, ``wave create --departments <root>``, ``wave invite`` (the aim: these
   three together under 60 s for 20,000 employees on PostgreSQL), then a re-import of a
   reorganised file (moves, renames, leavers, newcomers), ``wave invite`` again (the
   newcomers) and ``wave invite --reissue`` (a new link for everyone);
4. releases ``--responses`` sealed responses of the wave in one go (in-process, through
   `survey_app.responding.release.release_all`, as the closing of a wave does);
5. checks the counts after every step (employees, departments, invitations, links written,
   response groups of at least k invitees, released responses and answers) and exits 1
   when one is wrong.

    .venv/bin/python bench/bulk.py --employees 20000 --db postgres
    .venv/bin/python bench/bulk.py --employees 20000 --db sqlite,postgres --responses 5000
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import io
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

# The load benchmark's way to reach PostgreSQL (this folder is on the path of a script).
from load import DEFAULT_PG_URL, fresh_database, require_loopback  # noqa: E402

SECRET_KEY = "bench-secret-key-" + "0" * 32
AIM_SECONDS = 60.0
COLUMNS = (
    "record_type,department_code,department_name,parent_code,level,"
    "employee_number,name,email,is_manager"
)
DOMAINS = ("Sociaal Domein", "Fysiek Domein", "Bedrijfsvoering", "Publiekszaken", "Bestuur")


# --- the organisation ----------------------------------------------------------------------


@dataclass
class Organisation:
    """Departments as (code, name, parent, level) and employees as (number, name, email,
    department code, manager), in file order."""

    departments: list[tuple[str, str, str, str]] = field(default_factory=list)
    employees: list[tuple[int, str, str, str, bool]] = field(default_factory=list)

    def csv(self) -> bytes:
        out = io.StringIO()
        out.write(COLUMNS + "\n")
        for code, name, parent, level in self.departments:
            out.write(f"department,{code},{name},{parent},{level},,,,\n")
        for number, name, email, code, manager in self.employees:
            out.write(f"employee,{code},,,,{number},{name},{email},{'ja' if manager else 'nee'}\n")
        return out.getvalue().encode()


def generate_organisation(employees: int, seed: int) -> Organisation:
    """A municipality of ``employees`` people: 5 domains, about one department per 150
    people, 0-6 teams each, team sizes drawn from a long-tailed distribution."""
    rng = random.Random(seed)
    org = Organisation(departments=[("GEM", "Gemeente Bulkdorp", "", "organisation")])
    units: list[str] = ["GEM"]
    weights: list[float] = [0.2]
    per_domain = max(1, round(employees / 150 / len(DOMAINS)))
    for d, domain in enumerate(DOMAINS, start=1):
        domain_code = f"D{d}"
        org.departments.append((domain_code, domain, "GEM", "domain"))
        units.append(domain_code)
        weights.append(0.5)
        for a in range(1, per_domain + 1):
            department = f"{domain_code}-A{a:03d}"
            org.departments.append((department, f"Afdeling {d}.{a}", domain_code, "department"))
            units.append(department)
            weights.append(rng.choice([0.5, 2.0, 8.0]))
            for t in range(1, rng.randint(0, 6) + 1):
                team = f"{department}-T{t}"
                org.departments.append((team, f"Team {d}.{a}.{t}", department, "team"))
                units.append(team)
                weights.append(rng.choice([0.1, 0.5, 3.0, 5.0, 10.0]))
    placed = rng.choices(units, weights=weights, k=employees)
    # Every unit gets its manager first, as long as there are people to go round.
    placed[: len(units)] = units[:employees]
    managed: set[str] = set()
    for index, code in enumerate(placed):
        number = 200000 + index
        org.employees.append(
            (
                number,
                f"Medewerker {number}",
                f"m{number}@bulkdorp.example",
                code,
                code not in managed,
            )
        )
        managed.add(code)
    return org


def reorganised(org: Organisation, seed: int) -> tuple[Organisation, dict[str, int]]:
    """The next year's file: 10 % moved, 5 % renamed, 3 % left, 3 % newcomers."""
    rng = random.Random(seed + 1)
    codes = [code for code, *_rest in org.departments]
    kept, changes = [], Counter()
    for number, name, email, code, manager in org.employees:
        draw = rng.random()
        if draw < 0.03 and not manager:
            changes["left"] += 1
            continue
        if draw < 0.13 and not manager:
            code = rng.choice(codes)
            changes["moved"] += 1
        elif draw < 0.18:
            name += " (gewijzigd)"
        kept.append((number, name, email, code, manager))
    first_new = max(number for number, *_rest in org.employees) + 1
    newcomers = len(org.employees) * 3 // 100
    for number in range(first_new, first_new + newcomers):
        kept.append(
            (number, f"Nieuw {number}", f"m{number}@bulkdorp.example", rng.choice(codes), False)
        )
    changes["new"] = newcomers
    return Organisation(org.departments, kept), changes


# --- running the command line --------------------------------------------------------------


class Run:
    """One database: its URL, the environment of the command line, and the timings."""

    def __init__(self, db: str, url: str, tmp: Path) -> None:
        self.db, self.url, self.tmp = db, url, tmp
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET_KEY,
            "KLANKBORD_VAR_DIR": str(tmp / "var"),
            "KLANKBORD_LANGUAGE": "en",
        }
        self.timings: list[tuple[str, float]] = []
        self.problems: list[str] = []

    def cli(self, label: str | None, *args: str) -> str:
        """Run ``survey-app *args``; its standard output. Timed under ``label`` if given."""
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "survey_app", *args],
            cwd=PROJECT_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"survey-app {' '.join(args)} failed:\n{done.stderr}")
        if label is not None:
            self.timings.append((label, seconds))
            progress(f"{self.db}: {label}: {seconds:.1f} s")
        return done.stdout

    def expect(self, what: str, found: object, wanted: object) -> None:
        if found != wanted:
            self.problems.append(f"{what}: {found} (expected {wanted})")

    def seconds(self, label: str) -> float:
        return dict(self.timings)[label]


def links_written(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _row in csv.DictReader(handle))


# --- checks in-process ---------------------------------------------------------------------


async def counts(url: str) -> dict[str, object]:
    from survey_app.core.db import engine_from_url, use_engine
    from survey_app.tables.identity import Department, Employee, Invitation

    use_engine(engine_from_url(url))
    invitations = await Invitation.select(Invitation.token_hash, Invitation.response_group)
    groups = Counter(row["response_group"] for row in invitations)
    return {
        "departments": await Department.count().where(Department.active == True),  # noqa: E712
        "employees": await Employee.count().where(Employee.active == True),  # noqa: E712
        "invitations": len(invitations),
        "token_hashes": len({row["token_hash"] for row in invitations}),
        "smallest_group": min(groups.values(), default=0),
        "ungrouped": groups.get("", 0),
    }


async def release_sealed(url: str, responses: int) -> tuple[float, dict[str, int]]:
    """Seal ``responses`` questionnaires of the wave's invitees (as submissions would), then
    release them all at once; the seconds the release took and what it stored."""
    from survey_app.core.db import (
        close_pool,
        engine_from_url,
        insert_rows,
        start_pool,
        use_engine,
        write_transaction,
    )
    from survey_app.core.hashing import group_tag
    from survey_app.responding.release import release_all, seal_response
    from survey_app.tables.anonymous import Answer, Response, SealedResponse
    from survey_app.tables.identity import Invitation
    from survey_app.waves.service import list_waves
    from surveys import AnswerValue, load_template

    use_engine(engine_from_url(url))
    await start_pool()
    try:
        (wave,) = await list_waves()
        template = load_template("pulse")
        rng = random.Random(3)
        invited = await Invitation.select(Invitation.response_group).where(
            Invitation.wave == wave.id
        )
        sealed = []
        for row in rng.sample(invited, min(responses, len(invited))):
            answers = [
                AnswerValue(question.key, None, None, "Prima.")
                if question.type == "text"
                else AnswerValue(question.key, rng.randint(1, 5), None, None)
                for question in template.questions
            ]
            group = row["response_group"]
            sealed.append(
                (
                    uuid.uuid4(),
                    wave.id,
                    group_tag(SECRET_KEY, wave.id, group),
                    seal_response(SECRET_KEY, wave, group, answers),
                )
            )
        columns = (
            SealedResponse.id,
            SealedResponse.wave,
            SealedResponse.group_tag,
            SealedResponse.sealed,
        )
        async with write_transaction():
            await insert_rows(SealedResponse, columns, sealed)
        started = time.perf_counter()
        released = await release_all(wave, secret_key=SECRET_KEY)
        seconds = time.perf_counter() - started
        stored = {
            "released": released,
            "responses": await Response.count(),
            "answers": await Answer.count(),
            "answers_expected": len(sealed) * len(template.questions),
            "sealed_left": await SealedResponse.count(),
            "sealed": len(sealed),
        }
    finally:
        await close_pool()
    return seconds, stored


# --- one database --------------------------------------------------------------------------


async def bench_database(args: argparse.Namespace, db: str, tmp: Path) -> Run:
    async with fresh_database(db, tmp, args.pg_url, "klankbord_bulk") as url:
        run = Run(db, url, tmp)
        await asyncio.to_thread(run_steps, run, args)
        if args.responses:
            seconds, stored = await release_sealed(url, args.responses)
            run.timings.append((f"release {stored['sealed']} sealed responses", seconds))
            progress(f"{db}: release: {seconds:.1f} s")
            run.expect("released", stored["released"], stored["sealed"])
            run.expect("responses", stored["responses"], stored["sealed"])
            run.expect("answers", stored["answers"], stored["answers_expected"])
            run.expect("sealed left", stored["sealed_left"], 0)
    return run


def run_steps(run: Run, args: argparse.Namespace) -> None:
    """The command-line steps and their checks (in a thread: each check is a new loop)."""
    k = 5
    org = generate_organisation(args.employees, args.seed)
    first = run.tmp / f"{run.db}-organisation.csv"
    first.write_bytes(org.csv())
    run.cli(None, "db", "upgrade")
    # What every command costs before it does anything (Python, imports, settings).
    run.cli("start-up alone (wave list, for comparison)", "wave", "list")

    run.cli("org import", "org", "import", str(first))
    found = asyncio.run(counts(run.url))
    run.expect("employees", found["employees"], len(org.employees))
    run.expect("departments", found["departments"], len(org.departments))

    today = dt.date.today()
    wave_id = run.cli(
        "wave create",
        "wave",
        "create",
        "--title",
        "Pulsmeting bulk",
        "--departments",
        "GEM",
        "--opens",
        (today - dt.timedelta(days=1)).isoformat(),
        "--closes",
        (today + dt.timedelta(days=14)).isoformat(),
    ).strip()
    links = run.tmp / f"{run.db}-links.csv"
    run.cli("wave invite", "wave", "invite", wave_id, "--output", str(links))
    found = asyncio.run(counts(run.url))
    run.expect("links written", links_written(links), len(org.employees))
    run.expect("invitations", found["invitations"], len(org.employees))
    run.expect("distinct token hashes", found["token_hashes"], len(org.employees))
    run.expect("invitations without a response group", found["ungrouped"], 0)
    if found["smallest_group"] < k:
        run.problems.append(f"a response group of {found['smallest_group']} < {k} invitees")
    if args.first_only:
        return

    following, changes = reorganised(org, args.seed)
    second = run.tmp / f"{run.db}-organisation-2.csv"
    second.write_bytes(following.csv())
    run.cli(
        f"org import again ({changes['moved']} moved, {changes['left']} left, "
        f"{changes['new']} new)",
        "org",
        "import",
        str(second),
    )
    found = asyncio.run(counts(run.url))
    run.expect("employees after re-import", found["employees"], len(following.employees))
    run.cli("wave invite (newcomers)", "wave", "invite", wave_id, "--output", str(links))
    run.expect("newcomers' links", links_written(links), changes["new"])
    run.cli("wave invite --reissue", "wave", "invite", wave_id, "--output", str(links), "--reissue")
    run.expect("reissued links", links_written(links), len(following.employees))
    found = asyncio.run(counts(run.url))
    run.expect(
        "invitations after reissue", found["invitations"], len(org.employees) + changes["new"]
    )
    run.expect("distinct token hashes after reissue", found["token_hashes"], found["invitations"])


# --- main ----------------------------------------------------------------------------------

T0 = time.monotonic()


def progress(message: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=20_000)
    parser.add_argument("--db", default="postgres", help="sqlite, postgres or sqlite,postgres")
    parser.add_argument(
        "--responses",
        type=int,
        default=None,
        help="sealed responses released at the end (default: one per employee; 0: none)",
    )
    parser.add_argument(
        "--first-only",
        action="store_true",
        help="only the first import, wave create and invite (no re-import, reissue, release)",
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="PostgreSQL admin URL")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    args.dbs = [part.strip() for part in args.db.split(",") if part.strip()]
    if not args.dbs or any(db not in {"sqlite", "postgres"} for db in args.dbs):
        parser.error("--db takes sqlite, postgres or sqlite,postgres")
    if not 1 <= args.employees <= 100_000:
        parser.error("--employees must be between 1 and 100000")
    if args.responses is None:
        args.responses = 0 if args.first_only else args.employees
    require_loopback(args.pg_url)
    return args


async def main_async(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="klankbord-bulk-"))
    runs: list[Run] = []
    try:
        for db in args.dbs:
            runs.append(await bench_database(args, db, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"\n{args.employees} employees; python {platform.python_version()}, {os.cpu_count()} CPUs"
    )
    failed = False
    for run in runs:
        print(f"\n{run.db}")
        for label, seconds in run.timings:
            print(f"  {label:<58} {seconds:6.1f} s")
        first = sum(run.seconds(label) for label in ("org import", "wave create", "wave invite"))
        verdict = "met" if first < AIM_SECONDS else "NOT met"
        aim = f"(aim < {AIM_SECONDS:.0f} s: {verdict})"
        print(f"  {'import + create + invite':<58} {first:6.1f} s  {aim}")
        for problem in run.problems:
            print(f"  CHECK FAILED: {problem}")
        failed |= bool(run.problems)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(main_async(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
