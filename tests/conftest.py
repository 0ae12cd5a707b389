"""Test fixtures: a real, migrated database (SQLite or PostgreSQL) and the application.

``KLANKBORD_TEST_DB=postgres`` runs the whole suite against PostgreSQL (default
127.0.0.1:5432, user postgres; override with ``KLANKBORD_TEST_PG_URL``). An unreachable
PostgreSQL fails the run: it is never skipped.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, async_playwright

TEST_DB = os.environ.get("KLANKBORD_TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get(
    "KLANKBORD_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
_TMP = Path(tempfile.mkdtemp(prefix="klankbord-test-"))
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _test_database_url() -> str:
    if TEST_DB == "sqlite":
        return f"sqlite:///{_TMP / 'test.sqlite3'}"
    if TEST_DB == "postgres":
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/klankbord_test_{os.getpid()}"
    raise pytest.UsageError("KLANKBORD_TEST_DB must be sqlite or postgres")


# Set before any project module reads the environment.
os.environ["DATABASE_URL"] = _test_database_url()
os.environ["KLANKBORD_VAR_DIR"] = str(_TMP / "var")
os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "0" * 32)


async def _pg_admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "real_password_hashing: hashes passwords at the application's argon2id cost",
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"klankbord database: {TEST_DB} ({os.environ['DATABASE_URL']})"


class _Emptier:
    """Empties every table between tests, in one round trip on a connection kept for the
    session.

    Deleting the few rows a test leaves takes 1-3 ms. PostgreSQL's TRUNCATE, the obvious
    choice, took 200-400 ms per test on CI's 2 cores (it gives every table and index new
    files and syncs them at commit): 4-8 minutes over the suite. Opening a connection for
    each statement cost SQLite another 50-80 ms per test.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.connection: object | None = None
        self.script = ""

    async def open(self) -> None:
        from survey_app.tables import ALL_TABLES

        names = [table._meta.tablename for table in reversed(ALL_TABLES)]
        # Children before parents; departments point at each other.
        statements = ['UPDATE "department" SET "parent" = NULL']
        statements += [f'DELETE FROM "{name}"' for name in names]
        if TEST_DB == "postgres":
            import asyncpg

            self.connection = await asyncpg.connect(self.url)
            # Ids restart at 1, as after TRUNCATE ... RESTART IDENTITY.
            sequences = await self.connection.fetch(
                "SELECT sequence.oid::regclass::text FROM pg_class sequence"
                " JOIN pg_depend link ON link.objid = sequence.oid AND link.deptype IN ('a', 'i')"
                " JOIN pg_class owner ON owner.oid = link.refobjid"
                " WHERE sequence.relkind = 'S' AND owner.relname = ANY($1::text[])",
                names,
            )
            statements += [f"SELECT setval('{row[0]}', 1, false)" for row in sequences]
            self.script = "BEGIN; " + "; ".join(statements) + "; COMMIT"
        else:
            self.script = "BEGIN; " + "; ".join(statements) + "; COMMIT;"

    async def empty(self) -> None:
        if TEST_DB == "postgres":
            await self.connection.execute(self.script)  # type: ignore[attr-defined]
        else:
            import sqlite3

            connection = sqlite3.connect(self.url[len("sqlite:///") :], timeout=30)
            try:
                connection.executescript(self.script)
            finally:
                connection.close()

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()  # type: ignore[attr-defined]


def _session_engine(url: str):
    """The engine of the test database. On PostgreSQL the queries of the test session's
    event loop share a pool, as the running application's queries do (its lifespan starts
    one); queries of any other loop (Schemathesis' client thread, ``asyncio.run`` in a
    synchronous test) open a connection each.

    Without the pool every query opened and closed a connection of its own: 5-10 ms each,
    and a server process forked on the same 2 cores.
    """
    from survey_app.core.db import engine_from_url

    if TEST_DB != "postgres":
        return engine_from_url(url)
    import asyncio
    import warnings

    from piccolo.engine.postgres import PostgresEngine

    class PooledOnTheSessionLoop(PostgresEngine):
        def __init__(self, config: dict) -> None:
            self._pools: dict[asyncio.AbstractEventLoop, object] = {}
            super().__init__(config=config)

        @property
        def pool(self):  # type: ignore[override]
            try:
                return self._pools.get(asyncio.get_running_loop())
            except RuntimeError:
                return None

        @pool.setter
        def pool(self, value) -> None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return
            if value is None:
                self._pools.pop(loop, None)
            else:
                self._pools[loop] = value

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return PooledOnTheSessionLoop(engine_from_url(url).config)


_EMPTIER: _Emptier | None = None
# The engine of the test database, made once: making one costs PostgreSQL a connection.
_ENGINE: object | None = None


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[str]:
    global _EMPTIER, _ENGINE
    from survey_app.core.db import migrate, start_pool, use_engine

    url = os.environ["DATABASE_URL"]
    if TEST_DB == "postgres":
        name = url.rsplit("/", 1)[1]
        try:
            await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await _pg_admin(f'CREATE DATABASE "{name}"')
        except OSError as error:
            pytest.exit(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {error}", returncode=3)
    _ENGINE = _session_engine(url)
    use_engine(_ENGINE)
    await migrate()
    await start_pool()
    _EMPTIER = _Emptier(url)
    await _EMPTIER.open()
    yield url
    await _EMPTIER.close()
    _EMPTIER = None
    if TEST_DB == "postgres":
        from survey_app.core.db import close_pool

        await close_pool()
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def empty_all_tables() -> None:
    """Every table of the test database empty (ids restart at 1 on PostgreSQL)."""
    assert _EMPTIER is not None, "the database fixture is not set up"
    await _EMPTIER.empty()


@pytest.fixture(autouse=True)
async def db(database: str) -> AsyncIterator[str]:
    """Every test starts with a migrated, empty database."""
    from survey_app.core.db import start_pool, use_engine

    use_engine(_ENGINE)
    if TEST_DB == "postgres" and _ENGINE.pool is None:  # type: ignore[attr-defined]
        await start_pool()  # a test closed it
    await empty_all_tables()
    yield database


@pytest.fixture(autouse=True)
def cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Passwords this process hashes use argon2id at its lowest cost (under 1 ms instead of
    ~0.1-0.3 s each; the suite makes hundreds of accounts). Verifying reads the cost from the
    hash, so the live servers verify these cheaply too. Tests of the hashing itself are
    marked ``real_password_hashing`` and keep the application's parameters."""
    if request.node.get_closest_marker("real_password_hashing"):
        return
    from argon2 import PasswordHasher

    from survey_app.accounts import passwords

    monkeypatch.setattr(
        passwords, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def settings(db: str):
    from survey_app.core.settings import Settings

    return Settings.from_env(database_url=db)


@pytest.fixture
def app(settings):
    """The application, in-process. Its lifespan (the PostgreSQL pool) is not entered here:
    queries use the test session's pool (`_session_engine`); the live-server tests cover the
    lifespan."""
    from survey_app.app import create_app
    from survey_app.core.db import use_engine

    app = create_app(settings)
    use_engine(_ENGINE)  # create_app points the tables at an engine of its own
    return app


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client: unsafe requests carry this client's CSRF token, as the
    application's own forms and htmx do. Tests of the CSRF check itself use ``raw_client``."""
    from tests.helpers import with_csrf

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield with_csrf(http)


@pytest.fixture
async def raw_client(app) -> AsyncIterator[httpx.AsyncClient]:
    """A client that sends only what a test gives it (no CSRF token)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """The real application served by uvicorn in its own process(es) on 127.0.0.1."""

    def __init__(self, workers: int = 1, env: dict[str, str] | None = None) -> None:
        self.extra_env = env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = _TMP / f"server-{self.port}.log"
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # The server's worker processes import survey_app by the virtualenv's editable
        # install, which names the checkout it was installed from: a git worktree sharing
        # that .venv would serve another checkout's code, templates and CSS.
        python_path = os.pathsep.join(
            filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])
        )
        env = {
            **os.environ,
            "PYTHONPATH": python_path,
            "KLANKBORD_BASE_URL": self.url,
            **self.extra_env,
        }
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "survey_app",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        # Generous: on a loaded 2-core machine two workers take 10-20 s to start.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()  # no server left running behind a failed start
        raise RuntimeError(f"server did not start: {self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="session")
def shared_live_server(database: str) -> Iterator[LiveServer]:
    server = LiveServer(workers=2)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live_server(shared_live_server: LiveServer, db: str) -> LiveServer:
    """The real server (2 workers), shared by the tests; the database is emptied per test."""
    return shared_live_server


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium from the OS (never a downloaded one), one per test module."""
    from tests.helpers import CHROMIUM, CHROMIUM_ARGS

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        await chromium.close()


@pytest.fixture
def own_live_server(db: str) -> Iterator[LiveServer]:
    """A server of this test's own, for tests that kill or restart it."""
    server = LiveServer(workers=2)
    server.start()
    yield server
    server.stop()
