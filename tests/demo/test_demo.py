"""The demo builds a fictional municipality with waves and answers, and serves the survey."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port
from tests.helpers import PROJECT_ROOT

pytestmark = pytest.mark.server


def test_the_demo_builds_a_municipality_and_serves_its_open_wave(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "KLANKBORD_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("KLANKBORD_BASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "survey_app", "--lang", "en", "demo", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        links: list[str] = []
        deadline = time.monotonic() + 90
        assert process.stdout is not None
        for line in process.stdout:
            if "/s/" in line:
                links.append(line.strip())
            if "Serving on" in line or time.monotonic() > deadline:
                break
        assert len(links) == 5
        assert all(link.startswith(f"http://127.0.0.1:{port}/s/") for link in links)
        for _ in range(100):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        with httpx.Client() as browser:
            assert browser.get(links[0]).status_code == 303
            survey = browser.get(f"http://127.0.0.1:{port}/survey")
            assert survey.status_code == 200
            assert "Pulsmeting" in survey.text
    finally:
        process.terminate()
        process.wait(timeout=10)

    database = sqlite3.connect(tmp_path / "demo.sqlite3")
    count = lambda sql: database.execute(sql).fetchone()[0]  # noqa: E731
    assert count("SELECT count(*) FROM department") >= 10
    assert count("SELECT count(DISTINCT level) FROM department") >= 3
    assert 280 <= count("SELECT count(*) FROM employee") <= 320
    assert count("SELECT count(*) FROM wave") == 5  # four pulse waves, one DIG wave
    # The closed waves (all but the last one), released as batches of k came in: a few
    # answers of each still wait sealed until their results are first looked at.
    closed = "(SELECT id FROM wave WHERE opens_at < (SELECT max(opens_at) FROM wave))"
    closed_responses = count(f"SELECT count(*) FROM response WHERE wave IN {closed}")
    invited = count(f"SELECT count(*) FROM invitation WHERE wave IN {closed}")
    assert 0.5 < closed_responses / invited < 0.9
    comments = [
        row[0] for row in database.execute("SELECT text FROM answer WHERE text IS NOT NULL")
    ]
    assert len(comments) > 50
    assert any("werkdruk" in comment for comment in comments)
