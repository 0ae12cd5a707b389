"""A database used with one secret key refuses another.

Under another key every used invitation would look unused (its link would work a second
time), response rates would drop to zero and answers waiting sealed could not be released.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from survey_app.core.secretkey import SecretKeyChanged, confirm_secret_key, fingerprint
from tests.helpers import load_small_org, open_wave


async def test_the_first_key_is_kept_and_another_is_refused() -> None:
    await confirm_secret_key("first-key")
    await confirm_secret_key("first-key")  # the same key, again: fine
    with pytest.raises(SecretKeyChanged, match="SECRET_KEY"):
        await confirm_secret_key("another-key")
    # The fingerprint says nothing of the key: a keyed hash of a constant.
    assert "first-key" not in fingerprint("first-key")


async def test_the_command_line_refuses_another_key_with_an_explanation() -> None:
    await load_small_org()
    opened = await open_wave()
    await confirm_secret_key(os.environ["SECRET_KEY"])
    env = {**os.environ, "SECRET_KEY": "not-the-key-of-this-database", "KLANKBORD_LANGUAGE": "en"}
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "survey_app", "wave", "status", str(opened.wave.public_id)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode != 0
    assert "not the key this database was used with" in done.stderr
    assert "Traceback" not in done.stderr


async def test_the_server_refuses_to_start_with_another_key(settings) -> None:
    from dataclasses import replace

    from survey_app.app import create_app

    await confirm_secret_key(settings.secret_key)
    app = create_app(replace(settings, secret_key="not-the-key-of-this-database"))
    with pytest.raises(ExceptionGroup) as refused:
        async with app.lifespan():
            pass
    assert refused.group_contains(SecretKeyChanged)


@pytest.mark.server
async def test_a_server_of_two_workers_with_another_key_stops_with_an_error(settings) -> None:
    import socket

    await confirm_secret_key(settings.secret_key)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "SECRET_KEY": "not-the-key-of-this-database"}
    command = [sys.executable, "-m", "survey_app", "serve", "--port", str(port)]
    done = await asyncio.to_thread(
        subprocess.run,
        [*command, "--workers", "2"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    # Not a clean stop (exit 0) that a process manager would leave alone, nor a loop of
    # restarted workers: uvicorn's start-up failure, with the reason in the log.
    assert done.returncode == 3
    assert "SecretKeyChanged: SECRET_KEY" in done.stderr, done.stderr[-4000:]
