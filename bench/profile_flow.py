"""Where a respondent's CPU goes: the four requests of the flow, in process, under cProfile.

Not a test: a script that prints figures. It prepares a fresh database like ``load.py``
(SQLite file, or PostgreSQL ``klankbord_profile_<pid>``, dropped afterwards), then drives
``--flows`` respondents through the real application in this process (``httpx`` over ASGI,
no server, no network): ``GET /s/<token>`` → ``GET /survey`` → ``POST /survey`` →
``GET /survey/thanks``. It prints the CPU per request of each step (``time.process_time``)
beside the same steps of ``bare_app.py`` in the same run, and with ``--profile`` the
functions that take the most time (cumulative and own).

    .venv/bin/python bench/profile_flow.py --db sqlite --flows 300
    .venv/bin/python bench/profile_flow.py --db postgres --flows 300 --profile 25

The database server's own CPU (PostgreSQL backends) is not in these figures; ``load.py``
measures the whole server side under load.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import os
import pstats
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent))

import httpx  # noqa: E402
from load import (  # noqa: E402
    CSRF_FIELD,
    DEFAULT_PG_URL,
    SECRET_KEY,
    answer_form,
    bench_settings,
    fresh_database,
    prepare_database,
    survey_questions,
)

STEPS = ("start", "page", "submit", "thanks")


async def drive(app, tokens: list[str], questions, flows: int, bare: bool) -> dict[str, float]:
    """CPU seconds per step over ``flows`` respondents (each a new cookie jar)."""
    cpu: dict[str, float] = defaultdict(float)
    rng = random.Random(3)
    transport = httpx.ASGITransport(app=app)
    for token in tokens[:flows]:
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            for step in STEPS:
                began = time.process_time()
                if step == "start":
                    response = await client.get(f"/s/{token}")
                    expected = 303
                elif step == "page":
                    response = await client.get("/survey")
                    page = response.text
                    expected = 200
                elif step == "submit":
                    form = answer_form(questions, rng)
                    csrf = CSRF_FIELD.search(page)
                    if csrf:
                        form["_csrf"] = csrf.group(1)
                    response = await client.post("/survey", data=form)
                    expected = 303
                else:
                    response = await client.get("/survey/thanks")
                    expected = 200
                cpu[step] += time.process_time() - began
                if response.status_code != expected and not (bare and step == "thanks"):
                    raise SystemExit(f"{step}: {response.status_code} {response.text[:300]}")
    return cpu


async def run(args: argparse.Namespace) -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="klankbord-profile-") as tmp:
        async with fresh_database(args.db, Path(tmp), args.pg_url, "klankbord_profile") as url:
            os.environ.update(
                DATABASE_URL=url,
                SECRET_KEY=SECRET_KEY,
                KLANKBORD_VAR_DIR=f"{tmp}/var",
                KLANKBORD_BASE_URL="http://127.0.0.1",
            )
            _wave, tokens = await prepare_database(url, args.flows + args.warmup)
            from bare_app import app as bare

            from survey_app.app import create_app

            app = create_app(bench_settings(url))
            questions = survey_questions()
            async with app.lifespan():
                await drive(app, tokens, questions, args.warmup, bare=False)
                await drive(bare, tokens, questions, args.warmup, bare=True)
                profiler = cProfile.Profile() if args.profile else None
                bare_cpu = await drive(bare, tokens, questions, args.flows, bare=True)
                if profiler:
                    profiler.enable()
                app_cpu = await drive(app, tokens[args.warmup :], questions, args.flows, True)
                if profiler:
                    profiler.disable()
    print(f"{args.db}: CPU ms per request over {args.flows} respondents (in process, no server)")
    print(f"{'step':8} {'klankbord':>10} {'bare':>8} {'ratio':>7}")
    for step in STEPS:
        ours, theirs = 1000 * app_cpu[step] / args.flows, 1000 * bare_cpu[step] / args.flows
        print(f"{step:8} {ours:10.2f} {theirs:8.2f} {ours / theirs if theirs else 0:7.1f}")
    ours, theirs = (1000 * sum(c.values()) / args.flows for c in (app_cpu, bare_cpu))
    print(f"{'flow':8} {ours:10.2f} {theirs:8.2f} {ours / theirs:7.1f}")
    if profiler and args.dump:
        profiler.dump_stats(args.dump)
    if profiler:
        for order in ("cumulative", "tottime"):
            print(f"\n--- top {args.profile} by {order}")
            pstats.Stats(profiler).sort_stats(order).print_stats(args.profile)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--flows", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print top N")
    parser.add_argument("--dump", type=Path, help="also write the raw profile to this file")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
