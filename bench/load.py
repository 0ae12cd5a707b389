"""Load benchmark: many respondents submitting the pulse survey against the real server.

Not a test: a script that prints figures. For every database it

1. prepares a fresh database in-process (SQLite file in a temporary directory, or the
   PostgreSQL database ``klankbord_bench_<pid>``, dropped at the end): migrations, an
   imported organisation, an open pulse wave and one invitation token per submission;
2. starts the real server (``python -m survey_app serve --workers W``) on 127.0.0.1;
3. drives ``--respondents`` concurrent respondents, one ``httpx.AsyncClient`` each (cookies
   kept), through the real flow: ``GET /s/<token>`` (303) → ``GET /survey`` (200) →
   ``POST /survey`` with a full, randomly varied answer set and the form's CSRF token
   (303), each looping over fresh tokens until ``--total`` submissions or ``--max-seconds``;
4. checks the database afterwards: stored responses == acknowledged submissions, no
   invitation used twice, answers stored == answers sent.

Right before each database it runs the same driver against ``bench/bare_app.py`` (the same
routes without database, sessions or templates) on the same uvicorn with the same worker
count and log configuration, and prints survey throughput / bare throughput, so the figure
means something on a small, noisy machine where the client shares the CPU with the server.

    .venv/bin/python bench/load.py                       # sqlite and postgres, 2 workers
    .venv/bin/python bench/load.py --db postgres --workers 4 --json out.json

Everything runs on 127.0.0.1 only and is bounded in requests and time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import io
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

import httpx  # noqa: E402

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SECRET_KEY = "bench-secret-key-" + "0" * 32
TIMEZONE = dt.timezone(dt.timedelta(hours=1))
REQUEST_TIMEOUT = 30.0
# The survey form's CSRF field: a browser sends it back with the answers. (The bare app's
# page has none, so there the answers go without it.)
CSRF_FIELD = re.compile(r'name="_csrf" value="([^"]+)"')
COMMENTS = [
    "",
    "",
    "Fijne collega's, maar de werkdruk is hoog.",
    "Meer ruimte voor ontwikkeling graag.",
    "Goede sfeer in het team.",
    "De nieuwe werkplekken bevallen me niet.",
]
# Organisation generated for the benchmark: root → 4 domains → 4 departments each.
DOMAINS = ("SD", "FD", "BV", "BS")


# --- preparation -------------------------------------------------------------------------


def organisation_csv(employees: int) -> bytes:
    """An organisation CSV with ``employees`` people spread over 16 departments."""
    out = io.StringIO()
    out.write(
        "record_type,department_code,department_name,parent_code,level,"
        "employee_number,name,email,is_manager\n"
    )
    out.write("department,GEM,Gemeente Benchdorp,,organisation,,,,\n")
    leaves = []
    for domain in DOMAINS:
        out.write(f"department,{domain},Domein {domain},GEM,domain,,,,\n")
        for index in range(1, 5):
            code = f"{domain}-{index}"
            leaves.append(code)
            out.write(f"department,{code},Afdeling {code},{domain},department,,,,\n")
    for number in range(employees):
        code = leaves[number % len(leaves)]
        manager = "ja" if number < len(leaves) else "nee"
        employee_number = 100000 + number
        out.write(
            f"employee,{code},,,,{employee_number},Medewerker {employee_number},"
            f"m{employee_number}@benchdorp.example,{manager}\n"
        )
    return out.getvalue().encode()


def use_database(url: str) -> None:
    """``use_engine`` for ``url``, also for Piccolo's own migration table.

    ``survey_app.core.db.use_engine`` leaves ``piccolo.apps.migrations.tables.Migration`` on the
    engine it first resolved, so a second ``migrate()`` in one process (SQLite, then
    PostgreSQL) would read the first database's migration records and skip everything.
    """
    from piccolo.apps.migrations.tables import Migration

    from survey_app.core.db import engine_from_url, use_engine

    engine = engine_from_url(url)
    use_engine(engine)
    Migration._meta.db = engine


async def prepare_database(url: str, employees: int) -> tuple[str, list[str]]:
    """Migrate, import an organisation, open a pulse wave, invite: (wave public id, tokens)."""
    from survey_app.core.clock import utc_now
    from survey_app.core.db import close_pool, migrate, start_pool
    from survey_app.organisation.importing import apply_org_plan, parse_org_csv
    from survey_app.waves.service import create_wave, invite

    # The migrations record the fingerprint of the key the server will run with.
    os.environ["SECRET_KEY"] = SECRET_KEY
    use_database(url)
    await migrate()
    await start_pool()
    try:
        today = utc_now().astimezone(TIMEZONE).date()
        await apply_org_plan(parse_org_csv(organisation_csv(employees)), today)
        wave = await create_wave(
            title="Pulsmeting benchmark",
            template_key="pulse",
            department_codes=["GEM"],
            opens_on=today - dt.timedelta(days=1),
            closes_on=today + dt.timedelta(days=14),
            timezone=TIMEZONE,
        )
        invitations = await invite(wave, now=utc_now(), settings=bench_settings(url))
    finally:
        await close_pool()
    tokens = [item.token for item in invitations]
    random.Random(7).shuffle(tokens)
    return str(wave.public_id), tokens


def bench_settings(url: str):
    """The settings the benchmark's server runs with (its secret key: used digests)."""
    from survey_app.core.settings import Settings

    return Settings.from_env(database_url=url, secret_key=SECRET_KEY, timezone=TIMEZONE)


async def count_stored(url: str, wave_public_id: str) -> dict[str, int]:
    """Identity-side and anonymous-side counts for the wave, read after the server stopped
    (answers still waiting sealed are released first, as the wave's closing would)."""
    from survey_app.responding.release import release_all
    from survey_app.tables.anonymous import Answer, Response
    from survey_app.waves.service import get_wave, used_invitations

    use_database(url)
    wave = await get_wave(wave_public_id)
    await release_all(wave, secret_key=SECRET_KEY)
    responses = await Response.count().where(Response.wave == wave.id)
    responded = len(await used_invitations(wave, SECRET_KEY))
    answers = await Answer.count().where(Answer.response.wave == wave.id)
    return {"responses": responses, "responded_invitations": responded, "answers": answers}


async def pg_admin(admin_url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def fresh_database(db: str, tmp: Path, pg_url: str, prefix: str) -> AsyncIterator[str]:
    """The URL of a new, empty database for one run: ``<prefix>.sqlite3`` in ``tmp``, or the
    PostgreSQL database ``<prefix>_<pid>``, dropped afterwards (its pool closed first)."""
    if db == "sqlite":
        yield f"sqlite:///{tmp / f'{prefix}.sqlite3'}"
        return
    name = f"{prefix}_{os.getpid()}"
    await pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await pg_admin(pg_url, f'CREATE DATABASE "{name}"')
    try:
        yield pg_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        from survey_app.core.db import close_pool

        await close_pool()
        await pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def require_loopback(url: str) -> None:
    host = urlsplit(url).hostname or "127.0.0.1"
    if host not in LOOPBACK_HOSTS:
        raise SystemExit(f"Refusing a non-loopback database host: {host}")


T0 = time.monotonic()


def progress(message: str) -> None:
    """A progress line on stderr, with seconds since the start."""
    print(f"[{time.monotonic() - T0:6.1f}s] {message}", file=sys.stderr, flush=True)


# --- servers -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux /proc); empty elsewhere."""
    if not Path("/proc").is_dir():
        return []
    tree, frontier = [pid], [pid]
    while frontier:
        for child in _children(frontier.pop()):
            tree.append(child)
            frontier.append(child)
    return tree


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time of each of ``pids`` so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return found


def resident_mb(pid: int) -> float | None:
    """Resident memory (VmRSS) of ``pid`` in MB; None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def memory_of(server: Server) -> dict[str, Any]:
    """Resident memory of the supervisor, of each worker and of multiprocessing's resource
    tracker (a helper process of the supervisor), in MB."""
    pids = server.pids()
    if not pids:
        return {}
    found: dict[str, Any] = {"supervisor_mb": resident_mb(pids[0]), "workers_mb": []}
    for pid in pids[1:]:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        rss = resident_mb(pid)
        if b"resource_tracker" in command:
            found["resource_tracker_mb"] = rss
        elif rss is not None:
            found["workers_mb"].append(rss)
    return found


class Server:
    """A server process on 127.0.0.1 (its own process group), stopped by its id."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.command = command
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, url: str) -> None:
        self.url = url
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=PROJECT_ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_path.read_text()}")
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    progress(f"{self.name} serving ({' '.join(self.command[1:4])} …)")
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start:\n{self.log_path.read_text()}")

    def pids(self) -> list[int]:
        return process_tree(self.process.pid) if self.process else []

    def stop(self) -> None:
        if self.process is None:
            return
        progress(f"stopping {self.name}")
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # Only our own process group: the server and its workers.
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


def survey_server(port: int, workers: int, database_url: str, var_dir: Path, log_dir: Path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "KLANKBORD_VAR_DIR": str(var_dir),
        "SECRET_KEY": SECRET_KEY,
        "KLANKBORD_BASE_URL": f"http://127.0.0.1:{port}",
        "KLANKBORD_DEBUG": "",
    }
    command = [sys.executable, "-m", "survey_app", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    return Server(f"survey-{urlsplit(database_url).scheme}-{port}", command, env, log_dir)


def bare_server(port: int, workers: int, log_dir: Path) -> Server:
    command = [sys.executable, str(BENCH_DIR / "bare_app.py"), "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    return Server(f"bare-{port}", command, dict(os.environ), log_dir)


class Profiler:
    """Optional py-spy recordings of every server worker during the measured phase."""

    def __init__(self, out_dir: Path | None, name: str, server: Server, seconds: float):
        self.out_dir, self.name, self.server, self.seconds = out_dir, name, server, seconds
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        if self.out_dir is None:
            return
        py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for pid in self.server.pids()[1:]:  # the workers, not the supervisor
            if "python" not in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="ignore"):
                continue
            out = self.out_dir / f"{self.name}-{pid}.txt"
            self.processes.append(
                subprocess.Popen(
                    [
                        *(py_spy, "record", "--pid", str(pid), "--format", "raw"),
                        *("--rate", "200", "--duration", str(int(self.seconds) + 1)),
                        *("--nonblocking", "--output", str(out)),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- the driver --------------------------------------------------------------------------


@dataclass
class Drive:
    """Shared state of one driven phase (one asyncio loop, so no locks are needed)."""

    tokens: Iterator[str]
    total: int
    deadline: float
    record: bool
    # Each flow is a new respondent, so by default it ends its connection: the next one
    # connects anew, and the kernel spreads connections over the workers as browsers would.
    submit_headers: dict[str, str] = field(default_factory=lambda: {"connection": "close"})
    think_seconds: float = 0.0  # mean pause between page and submit (0: closed loop)
    started: int = 0
    acked: int = 0
    unknown: int = 0  # submit outcome unknown (transport error): maybe stored
    answers_sent: int = 0
    latencies: dict[str, list[float]] = field(
        default_factory=lambda: {"start": [], "page": [], "submit": [], "flow": []}
    )
    errors: Counter[str] = field(default_factory=Counter)

    def next_token(self) -> str | None:
        if self.started >= self.total or time.monotonic() >= self.deadline:
            return None
        token = next(self.tokens, None)
        if token is not None:
            self.started += 1
        return token


def survey_questions() -> list[tuple[str, list[str]]]:
    """The pulse survey's questions: (key, option keys)."""
    from surveys import load_template

    return [
        (question.key, [option.key for option in question.options])
        for question in load_template("pulse").questions
    ]


def answer_form(questions: list[tuple[str, list[str]]], rng: random.Random) -> dict[str, str]:
    """A complete, valid pulse form with random values (cf. tests/helpers.full_answers)."""
    form = {}
    for key, options in questions:
        form[key] = rng.choice(options) if options else rng.choice(COMMENTS)
    return form


async def respondent(
    client: httpx.AsyncClient,
    drive: Drive,
    questions: list[tuple[str, list[str]]],
    rng: random.Random,
) -> None:
    while (token := drive.next_token()) is not None:
        began = time.perf_counter()
        step = "start"
        try:
            response = await client.get(f"/s/{token}")
            after_start = time.perf_counter()
            if response.status_code != 303:
                drive.errors[f"start {response.status_code}"] += 1
                continue
            step = "page"
            response = await client.get("/survey")
            after_page = time.perf_counter()
            if response.status_code != 200:
                drive.errors[f"page {response.status_code}"] += 1
                continue
            form = answer_form(questions, rng)
            csrf = CSRF_FIELD.search(response.text)
            posted = {**form, "_csrf": csrf.group(1)} if csrf else form
            if drive.think_seconds:
                await asyncio.sleep(rng.expovariate(1 / drive.think_seconds))
            step = "submit"
            before_submit = time.perf_counter()
            response = await client.post("/survey", data=posted, headers=drive.submit_headers)
            done = time.perf_counter()
        except httpx.HTTPError as error:
            drive.errors[f"{step} {type(error).__name__}"] += 1
            if step == "submit":
                drive.unknown += 1
            continue
        if response.status_code != 303:
            drive.errors[f"submit {response.status_code}"] += 1
            continue
        drive.acked += 1
        drive.answers_sent += sum(1 for value in form.values() if value)
        if drive.record:
            drive.latencies["start"].append(after_start - began)
            drive.latencies["page"].append(after_page - after_start)
            drive.latencies["submit"].append(done - before_submit)
            # The three requests, without the think time.
            drive.latencies["flow"].append(after_page - began + done - before_submit)


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile in milliseconds."""
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index] * 1000


def summary(values: list[float]) -> dict[str, float | None]:
    return {
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "max": max(values) * 1000 if values else None,
    }


async def run_phase(
    name: str,
    url: str,
    tokens: list[str],
    args: argparse.Namespace,
    server: Server,
) -> dict[str, Any]:
    """Warm up (one flow per respondent, not measured), then drive and measure."""
    questions = survey_questions()
    token_iter = iter(tokens)
    rng = random.Random(args.seed)
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    # Plain HTTP only; one shared context, or every client loads the CA bundle (~0.1 s each).
    tls = ssl.create_default_context()
    clients = [
        httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT, limits=limits, verify=tls)
        for _ in range(args.respondents)
    ]
    try:
        headers = {} if args.reuse_connections else {"connection": "close"}
        think = args.think_ms / 1000
        warmup = Drive(token_iter, args.respondents, time.monotonic() + 30, False, headers, think)
        progress(f"{name}: warm-up, one flow per respondent")
        await asyncio.gather(
            *(respondent(c, warmup, questions, random.Random(rng.random())) for c in clients)
        )
        progress(f"{name}: measuring ({args.total} submissions or {args.max_seconds:g} s)")
        deadline = time.monotonic() + args.max_seconds
        drive = Drive(token_iter, args.total, deadline, True, headers, think)
        profiler = Profiler(args.py_spy, name, server, args.max_seconds)
        profiler.start()
        pids = server.pids()
        cpu_before, client_cpu = cpu_seconds(pids), time.process_time()
        began = time.perf_counter()
        await asyncio.gather(
            *(respondent(c, drive, questions, random.Random(rng.random())) for c in clients)
        )
        elapsed = time.perf_counter() - began
        client_cpu = time.process_time() - client_cpu
        cpu_after = cpu_seconds(pids)
        by_pid = {pid: cpu_after[pid] - cpu_before.get(pid, 0.0) for pid in cpu_after}
        server_cpu = sum(by_pid.values())
        profiler.stop()
        memory = memory_of(server)
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    measured = len(drive.latencies["submit"])
    return {
        "phase": name,
        "workers": args.workers,
        "clients": args.respondents,
        "submissions": measured,
        "seconds": elapsed,
        "submits_per_s": measured / elapsed if elapsed else 0.0,
        "requests_per_s": 3 * measured / elapsed if elapsed else 0.0,
        "latency_ms": {step: summary(values) for step, values in drive.latencies.items()},
        "errors": dict(drive.errors),
        "acked_total": warmup.acked + drive.acked,
        "unknown_total": warmup.unknown + drive.unknown,
        "answers_sent": warmup.answers_sent + drive.answers_sent,
        "warmup_errors": dict(warmup.errors),
        "server_cpu_cores": server_cpu / elapsed if elapsed else 0.0,
        # CPU per submission is the figure least disturbed by other load on the machine.
        "server_cpu_ms_per_flow": 1000 * server_cpu / measured if measured else None,
        "client_cpu_ms_per_flow": 1000 * client_cpu / measured if measured else None,
        # Busiest process's share of the server's CPU: 1/workers is an even spread.
        "busiest_worker_share": max(by_pid.values()) / server_cpu if server_cpu else None,
        "server_cpu_by_pid": {str(pid): cpu for pid, cpu in sorted(by_pid.items())},
        "client_cpu_cores": client_cpu / elapsed if elapsed else 0.0,
        "memory": memory,
    }


# --- phases ------------------------------------------------------------------------------


async def bare_phase(args: argparse.Namespace, server: Server, label: str) -> dict[str, Any]:
    tokens = [f"bare{index}" for index in range(args.total + args.respondents)]
    result = await run_phase(label, server.url, tokens, args, server)
    result["db"] = "none"
    return result


async def survey_phase(args: argparse.Namespace, tmp: Path, db: str) -> dict[str, Any]:
    employees = args.total + args.respondents * 2
    async with fresh_database(db, tmp, args.pg_url, "klankbord_bench") as url:
        prepared = time.perf_counter()
        wave_id, tokens = await prepare_database(url, employees)
        prepare_seconds = time.perf_counter() - prepared
        progress(f"{db}: prepared {len(tokens)} invitations in {prepare_seconds:.1f} s")
        port = free_port()
        server = survey_server(port, args.workers, url, tmp / "var", tmp)
        server.start(f"http://127.0.0.1:{port}")
        try:
            result = await run_phase(db, f"http://127.0.0.1:{port}", tokens, args, server)
        finally:
            server.stop()
        stored = await count_stored(url, wave_id)
    acked, unknown = result["acked_total"], result["unknown_total"]
    result.update(
        db=db,
        prepare_seconds=prepare_seconds,
        stored=stored,
        check={
            # Transport errors on a submit may or may not have been stored.
            "stored_equals_acked": acked <= stored["responses"] <= acked + unknown,
            "duplicates": stored["responses"] - stored["responded_invitations"],
            "answers_match": stored["answers"] == result["answers_sent"] or unknown > 0,
        },
    )
    return result


# --- output ------------------------------------------------------------------------------


def fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def table_line(result: dict[str, Any], bare: dict[str, Any] | None) -> str:
    submit, page = result["latency_ms"]["submit"], result["latency_ms"]["page"]
    flow = result["latency_ms"]["flow"]
    parts = [
        f"{result['phase']:<12}",
        f"workers={result['workers']}",
        f"clients={result['clients']}",
        f"n={result['submissions']:<5}",
        f"submits/s={result['submits_per_s']:7.1f}",
        f"submit p50={fmt(submit['p50'])} p95={fmt(submit['p95'])} p99={fmt(submit['p99'])}",
        f"page p50={fmt(page['p50'])} p99={fmt(page['p99'])}",
        f"flow p99={fmt(flow['p99'])}",
    ]
    if bare is not None:
        result["ratio_vs_bare"] = result["submits_per_s"] / bare["submits_per_s"]
        bare_p99 = bare["latency_ms"]["submit"]["p99"]
        p99_ratio = submit["p99"] / bare_p99 if submit["p99"] and bare_p99 else None
        result["p99_ratio_vs_bare"] = p99_ratio
        parts.append(f"ratio_vs_bare={result['ratio_vs_bare']:.2f}")
        ratio = result["p99_ratio_vs_bare"]
        parts.append(f"p99_x_bare={'-' if ratio is None else f'{ratio:.1f}'}")
        ours, theirs = result["server_cpu_ms_per_flow"], bare["server_cpu_ms_per_flow"]
        result["cpu_ratio_vs_bare"] = ours / theirs if ours and theirs else None
    if "stored" in result:
        stored, check = result["stored"], result["check"]
        sign = "=" if check["stored_equals_acked"] else "!="
        parts.append(f"stored{sign}ack={stored['responses']}/{result['acked_total']}")
        parts.append(f"dup={check['duplicates']}")
        parts.append(f"answers={'ok' if check['answers_match'] else 'MISMATCH'}")
    errors = sum(result["errors"].values()) + sum(result["warmup_errors"].values())
    parts.append(f"errors={errors}")
    parts.append(f"cpu srv={result['server_cpu_cores']:.2f} cli={result['client_cpu_cores']:.2f}")
    parts.append(f"srv_ms/flow={fmt(result['server_cpu_ms_per_flow'])}")
    if result.get("cpu_ratio_vs_bare"):
        parts.append(f"cpu_x_bare={result['cpu_ratio_vs_bare']:.1f}")
    memory = result.get("memory") or {}
    if memory.get("workers_mb"):
        workers = "/".join(f"{mb:.0f}" for mb in memory["workers_mb"])
        parts.append(f"rss worker={workers}MB supervisor={fmt(memory['supervisor_mb'])}MB")
    share = result["busiest_worker_share"]
    parts.append(f"busiest_worker={'-' if share is None else f'{share:.0%}'}")
    return "  ".join(parts)


def print_errors(result: dict[str, Any]) -> None:
    for label, errors in (("", result["errors"]), ("warm-up ", result["warmup_errors"])):
        for key, count in sorted(errors.items()):
            print(f"    {result['phase']} {label}error {key}: {count}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load benchmark of the survey flow against the real server (loopback only)."
    )
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers")
    parser.add_argument("--respondents", type=int, default=50, help="concurrent respondents")
    parser.add_argument(
        "--total", type=int, default=2000, help="measured submissions per phase, at most"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=12.0, help="measured seconds per phase, at most"
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="PostgreSQL admin URL")
    parser.add_argument("--json", type=Path, help="write the results as JSON to this file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="mean pause (exponential) between the page and the submit; 0 = flat out",
    )
    parser.add_argument(
        "--reuse-connections",
        action="store_true",
        help="keep each client's connection across flows (connections stick to one worker)",
    )
    parser.add_argument(
        "--py-spy",
        type=Path,
        metavar="DIR",
        help="record py-spy profiles (raw folded stacks) of every server worker into DIR",
    )
    args = parser.parse_args(argv)
    args.dbs = [part.strip() for part in args.db.split(",") if part.strip()]
    if not args.dbs or any(db not in {"sqlite", "postgres"} for db in args.dbs):
        parser.error("--db takes sqlite, postgres or sqlite,postgres")
    if args.think_ms < 0 or args.think_ms > 60_000:
        parser.error("--think-ms must be between 0 and 60000")
    if args.workers < 1 or args.respondents < 1 or args.total < 1 or args.max_seconds <= 0:
        parser.error("--workers, --respondents, --total and --max-seconds must be positive")
    if args.total > 100_000 or args.max_seconds > 600 or args.respondents > 1000:
        parser.error("bounded: --total ≤ 100000, --max-seconds ≤ 600, --respondents ≤ 1000")
    require_loopback(args.pg_url)
    return args


async def main_async(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="klankbord-bench-"))
    results: list[dict[str, Any]] = []
    lines: list[str] = []
    failed = False
    port = free_port()
    bare_app = bare_server(port, args.workers, tmp)
    try:
        bare_app.start(f"http://127.0.0.1:{port}")
        for db in args.dbs:
            # Measured right before each database, on a server that stays up for the run.
            bare = await bare_phase(args, bare_app, f"bare({db})")
            lines.append(table_line(bare, None))
            print(lines[-1], flush=True)
            result = await survey_phase(args, tmp, db)
            lines.append(table_line(result, bare))
            print(lines[-1], flush=True)
            print_errors(bare)
            print_errors(result)
            results += [bare, result]
            check = result["check"]
            failed |= not (
                check["stored_equals_acked"] and check["duplicates"] == 0 and check["answers_match"]
            )
    finally:
        bare_app.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, loop {loop_name()}")
    print(
        "latencies in ms; cpu = cores used by the server processes / by this client process; "
        "srv_ms/flow = server CPU ms per submission (3 requests)"
    )
    for line in lines:
        print(line)
    for result in results:
        if result["db"] == "postgres":
            p99 = result["latency_ms"]["submit"]["p99"] or float("inf")
            met = p99 < 250 and result.get("ratio_vs_bare", 0) >= 0.3
            print(
                f"aim (postgres: submit p99 < 250 ms and ratio ≥ 0.3): "
                f"{'met' if met else 'NOT met'} (p99={p99:.0f} ms, "
                f"ratio={result.get('ratio_vs_bare', 0):.2f})"
            )
    if failed:
        print("CORRECTNESS CHECK FAILED: stored responses differ from acknowledged submissions")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "config": {
                        "workers": args.workers,
                        "respondents": args.respondents,
                        "total": args.total,
                        "max_seconds": args.max_seconds,
                        "think_ms": args.think_ms,
                        "reuse_connections": args.reuse_connections,
                    },
                    "results": results,
                },
                indent=2,
            )
        )
    return 1 if failed else 0


def loop_name() -> str:
    return "uvloop" if _uvloop() is not None else "asyncio"


def _uvloop() -> Any:
    with contextlib.suppress(ImportError):
        import uvloop

        return uvloop
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    uvloop = _uvloop()
    if uvloop is not None:
        return uvloop.run(main_async(args))
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
