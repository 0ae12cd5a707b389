"""A web worker that serves surveys and sign-in does not load the analysis stack.

numpy, scipy, scikit-learn, nltk and the text analysis take some 150 MB in every process
that imports them. `survey_app.asgi` (what each uvicorn worker imports) and the command
line leave them out; they are loaded where results are computed. Each check runs in a fresh
interpreter, as a worker does, and names the import that brought a heavy module in when one
is found.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

from survey_app.core.hashing import hash_token
from tests.helpers import (
    PASSWORD,
    PROJECT_ROOT,
    full_answers,
    load_small_org,
    make_account,
    open_wave,
    used_token_hashes,
)

HEAVY = ("numpy", "scipy", "sklearn", "nltk", "pandas", "analysis.text")

# Runs first in the fresh interpreter: notes which project lines imported a heavy module
# (the import hook only watches; the normal finders still do the importing).
PROBE = """
import importlib.abc, json, sys, traceback

HEAVY = {heavy!r}
first_import = {{}}


class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in HEAVY and name not in first_import:
            first_import[name] = [
                f"{{frame.filename.removeprefix({root!r} + '/')}}:{{frame.lineno}}"
                for frame in traceback.extract_stack()
                if frame.filename.startswith({root!r})
                and "/.venv/" not in frame.filename
                and frame.filename != "<string>"
            ]
        return None


sys.meta_path.insert(0, Watch())


def heavy_loaded():
    return {{name: first_import.get(name, "?") for name in HEAVY if name in sys.modules}}
"""

SURVEY_WORKER = """
import asyncio, re
import httpx

import survey_app.asgi

CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


async def visit():
    transport = httpx.ASGITransport(app=survey_app.asgi.app)
    statuses = []
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        opened = await client.get("/s/" + {token!r})
        survey = await client.get(opened.headers["location"])
        answers = {{**{answers!r}, "_csrf": CSRF.search(survey.text).group(1)}}
        posted = await client.post("/survey", data=answers)
        thanks = await client.get(posted.headers["location"])
        statuses += [opened, survey, posted, thanks]
        sign_in = await client.get("/sign-in")
        token = CSRF.search(sign_in.text).group(1)
        signed_in = await client.post(
            "/sign-in",
            data={{"_csrf": token, "username": {username!r}, "password": {password!r}}},
            headers={{"x-csrf-token": token}},
        )
        statuses += [sign_in, signed_in, await client.get("/"), await client.get("/account")]
    return [response.status_code for response in statuses]


statuses = asyncio.run(visit())
print(json.dumps({{"statuses": statuses, "heavy": heavy_loaded()}}))
"""

COMMAND_LINE = """
from survey_app.cli import main

for args in {runs!r}:
    try:
        main(["--lang", "en", *args], standalone_mode=False)
    except SystemExit:
        pass
    print(json.dumps({{"args": args, "heavy": heavy_loaded()}}))
"""


async def run_fresh(script: str) -> list[dict]:
    """Run ``script`` after the probe in a new interpreter (the test database's environment);
    the JSON lines it printed."""
    probe = PROBE.format(heavy=HEAVY, root=str(PROJECT_ROOT))
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", probe + script],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def imported_by(heavy: dict[str, list[str]]) -> str:
    return "\n".join(
        f"{name}, imported by {' <- '.join(reversed(lines))}" for name, lines in heavy.items()
    )


async def test_a_worker_serving_surveys_and_sign_in_loads_no_analysis() -> None:
    await load_small_org()
    wave = await open_wave()
    employee, token = next(iter(wave.tokens.items()))
    await make_account("medewerker@testdorp.example", employee_number=employee, password=PASSWORD)

    [visited] = await run_fresh(
        SURVEY_WORKER.format(
            token=token,
            answers=full_answers(),
            username="medewerker@testdorp.example",
            password=PASSWORD,
        )
    )

    # The link, the survey, the answers (stored), thanks; sign-in, home, account page.
    assert visited["statuses"] == [303, 200, 303, 200, 200, 303, 200, 200]
    assert await used_token_hashes() == {hash_token(token)}
    assert visited["heavy"] == {}, "loaded:\n" + imported_by(visited["heavy"])


async def test_the_command_line_loads_analysis_only_for_analyze() -> None:
    runs = [["--help"], ["serve", "--help"], ["wave", "report", "--help"], ["analyze", "--help"]]

    *light, analyze = await run_fresh(COMMAND_LINE.format(runs=runs))

    for run in light:
        assert run["heavy"] == {}, f"survey-app {run['args']} loaded:\n" + imported_by(run["heavy"])
    # The probe does see the stack where it belongs: listing analyze's commands loads them.
    assert {"numpy", "sklearn", "nltk"} <= set(analyze["heavy"])
