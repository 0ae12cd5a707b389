"""Behind a reverse proxy: the visitor is who the trusted proxy says, never who a header says."""

from __future__ import annotations

import os
from itertools import pairwise

import httpx
import pytest

from survey_app.responding.controllers import UNKNOWN_LINKS_PER_CLIENT
from tests.conftest import LiveServer
from tests.helpers import load_small_org, open_wave


@pytest.fixture
def proxied_server(db: str):
    """The real server (2 workers) that trusts a reverse proxy on 127.0.0.1: the tests'
    own connections play the proxy."""
    server = LiveServer(workers=2, env={"KLANKBORD_TRUSTED_PROXIES": "127.0.0.1"})
    server.start()
    yield server
    server.stop()


async def guess_links(url: str, headers: dict[str, str]) -> list[int]:
    statuses = []
    async with httpx.AsyncClient(base_url=url, timeout=30, headers=headers) as browser:
        for attempt in range(UNKNOWN_LINKS_PER_CLIENT + 1):
            statuses.append((await browser.get(f"/s/geraden-{attempt}")).status_code)
    return statuses


@pytest.mark.server
async def test_two_visitors_behind_one_trusted_proxy_are_counted_apart(proxied_server) -> None:
    """One visitor who guesses links is stopped; the other, behind the same proxy, is not."""
    await load_small_org()
    opened = await open_wave()
    guesser = {"x-forwarded-for": "198.51.100.7"}
    statuses = await guess_links(proxied_server.url, guesser)
    assert statuses[-1] == 429 and statuses[:-1] == [404] * UNKNOWN_LINKS_PER_CLIENT
    colleague = {"x-forwarded-for": "198.51.100.8"}
    async with httpx.AsyncClient(base_url=proxied_server.url, timeout=30, headers=colleague) as b:
        response = await b.get(f"/s/{opened.tokens['1002']}")
    assert response.status_code == 303


@pytest.mark.server
async def test_without_a_trusted_proxy_the_header_is_ignored(live_server) -> None:
    """The default server trusts no proxy: changing X-Forwarded-For does not reset the count."""
    await load_small_org()
    opened = await open_wave()
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as browser:
        for attempt in range(UNKNOWN_LINKS_PER_CLIENT):
            forged = {"x-forwarded-for": f"203.0.113.{attempt}"}
            await browser.get(f"/s/geraden-{attempt}", headers=forged)
        response = await browser.get(
            f"/s/{opened.tokens['1002']}", headers={"x-forwarded-for": "203.0.113.250"}
        )
    assert response.status_code == 429


def test_serve_and_the_demo_trust_only_the_configured_proxies(monkeypatch, tmp_path) -> None:
    from click.testing import CliRunner

    from survey_app.cli import main
    from survey_app.demo import cli as demo_cli

    # The server program each command replaces itself with: its trusted proxies.
    calls: list[list[str]] = []

    def record(executable: str, command: list[str]) -> None:
        assert command[1:5] == ["-P", "-m", "survey_app.core.serving", "survey_app.asgi:app"]
        calls.append([value for option, value in pairwise(command) if option == "--trusted-proxy"])

    monkeypatch.setattr(os, "execv", record)

    async def no_demo(var_dir, today):
        return [], []

    monkeypatch.setattr(demo_cli, "build_demo", no_demo)
    runner = CliRunner()
    monkeypatch.delenv("KLANKBORD_TRUSTED_PROXIES", raising=False)
    assert runner.invoke(main, ["serve"]).exit_code == 0
    monkeypatch.setenv("KLANKBORD_TRUSTED_PROXIES", "10.0.0.5, 10.1.0.0/16")
    assert runner.invoke(main, ["serve"]).exit_code == 0
    monkeypatch.setenv("KLANKBORD_TRUSTED_PROXIES", "not-an-address")
    refused = runner.invoke(main, ["serve"])
    assert refused.exit_code != 0 and "KLANKBORD_TRUSTED_PROXIES" in str(refused.exception)
    monkeypatch.setenv("KLANKBORD_TRUSTED_PROXIES", "10.0.0.5")
    # The demo points the process at its own database: put everything back afterwards.
    for name in ("DATABASE_URL", "KLANKBORD_BASE_URL"):
        monkeypatch.setenv(name, os.environ.get(name, ""))
    monkeypatch.setenv("KLANKBORD_VAR_DIR", str(tmp_path / "var"))
    assert runner.invoke(main, ["demo"]).exit_code == 0
    assert calls == [[], ["10.0.0.5", "10.1.0.0/16"], []]  # the demo: whatever the environment says
