"""A server killed in the middle of a stream of submissions loses nothing it acknowledged.

The real server (two uvicorn workers, as in production) receives a steady stream of
submissions from many respondents, each with their own link. As soon as the client has
seen ``KILL_AFTER_ACKS`` acknowledgements (303 to the thank-you page), every server process
(the supervisor and its workers) is stopped and then killed with SIGKILL, while
``CONCURRENCY - 1`` other submissions are still in flight. A new server then starts on the
same database, and the test shows:

(a) every acknowledged response is stored: acknowledged tokens ⊆ used invitations, and
    there are exactly as many responses (released or still sealed) as used invitations;
(b) nothing is half-stored: every response has exactly the answers the client sent, no
    answer lacks its response, and no invitation is recorded as used without a response
    (or the other way round);
(c) every link whose response was not stored still works: it is resubmitted and
    acknowledged, after which every invitation has exactly one complete response. Links
    whose submission was in flight but committed (stored, never acknowledged) say "used".
"""

from __future__ import annotations

import asyncio
import os
import signal
import ssl
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from survey_app.core.hashing import hash_token
from survey_app.tables.anonymous import Answer, Response
from tests.helpers import (
    csrf_from,
    full_answers,
    load_small_org,
    open_survey,
    open_wave,
    release_everything,
    used_token_hashes,
)

pytestmark = pytest.mark.server

TEAM_SIZES = {"JEUGD": 45, "WMO": 30, "ICT": 45}  # 120 respondents
CONCURRENCY = 16  # submissions kept in flight
KILL_AFTER_ACKS = 40
# One TLS context for all the clients: httpx would otherwise build one per client (slow),
# though the server is plain http.
TLS = ssl.create_default_context()


# No keep-alive: uvicorn closes idle connections after 5 s, and reusing one just as it
# closes fails the request ("Server disconnected") without any kill.
NO_KEEPALIVE = httpx.Limits(max_keepalive_connections=0)


def browser(url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=url, timeout=30, verify=TLS, limits=NO_KEEPALIVE)


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants (Linux /proc), parents before children."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may contain spaces and parentheses.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop(0)
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


def is_gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in {"Z", "X"}  # a zombie holds no files, locks or sockets any more


def kill_server(server) -> list[int]:
    """SIGKILL the uvicorn supervisor and every worker, all at the same moment.

    SIGSTOP first freezes them all, so the supervisor cannot restart a worker and no
    worker gets further than another; SIGKILL then ends them without any cleanup.
    """
    pids = process_tree(server.process.pid)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    return pids


async def wait_until_gone(server, pids: list[int]) -> None:
    await asyncio.to_thread(server.process.wait, 10)
    deadline = time.monotonic() + 10
    while not all(is_gone(pid) for pid in pids):
        assert time.monotonic() < deadline, f"server processes survived SIGKILL: {pids}"
        await asyncio.sleep(0.02)
    server._log.close()


@dataclass
class Stream:
    """What the clients saw: which tokens were acknowledged, failed, or never sent."""

    acknowledged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # connection dropped by the kill
    unexpected: list[tuple[str, object]] = field(default_factory=list)  # anything else
    in_flight: set[str] = field(default_factory=set)
    in_flight_at_kill: frozenset[str] = frozenset()
    acknowledged_at_kill: int = 0
    killed_pids: list[int] = field(default_factory=list)


async def open_sessions(
    url: str, tokens: list[str]
) -> tuple[dict[str, httpx.AsyncClient], dict[str, str]]:
    """One browser per respondent, with the link and the survey page already opened (the
    session cookie set); with each survey form's CSRF token."""
    clients = {token: browser(url) for token in tokens}
    csrf: dict[str, str] = {}
    limit = asyncio.Semaphore(CONCURRENCY)

    async def open_link(token: str) -> None:
        async with limit:
            csrf[token] = await open_survey(clients[token], token)

    await asyncio.gather(*(open_link(token) for token in tokens))
    return clients, csrf


async def submit_stream(
    server, clients: dict[str, httpx.AsyncClient], csrf: dict[str, str]
) -> Stream:
    """Submit from CONCURRENCY respondents at a time; kill the server after KILL_AFTER_ACKS."""
    stream = Stream()
    queue = list(clients)
    killed = False

    def kill_now() -> None:
        nonlocal killed
        # Runs inside the event loop without awaiting, so the counts are exact.
        killed = True
        stream.in_flight_at_kill = frozenset(stream.in_flight)
        stream.acknowledged_at_kill = len(stream.acknowledged)
        stream.killed_pids = kill_server(server)

    async def respondent_loop() -> None:
        while queue and not killed:
            token = queue.pop(0)
            stream.in_flight.add(token)
            try:
                response = await clients[token].post(
                    "/survey", data={**full_answers(), "_csrf": csrf[token]}
                )
            except httpx.TransportError as error:
                if killed:
                    stream.failed.append(token)
                else:
                    stream.unexpected.append((token, repr(error)))
                continue
            finally:
                stream.in_flight.discard(token)
            if response.status_code == 303:
                stream.acknowledged.append(token)
                if len(stream.acknowledged) == KILL_AFTER_ACKS and not killed:
                    kill_now()
            else:
                stream.unexpected.append((token, response.status_code))

    await asyncio.gather(*(respondent_loop() for _ in range(CONCURRENCY)))
    return stream


async def stored_state() -> tuple[set[str], dict[str, list[tuple]], int]:
    """Hashes of used invitations, answers per response id, orphan answer count (after
    releasing what still waits sealed)."""
    await release_everything()
    responded = await used_token_hashes()
    response_ids = {str(row["id"]) for row in await Response.select(Response.id)}
    answers: dict[str, list[tuple]] = {response_id: [] for response_id in response_ids}
    orphans = 0
    for row in await Answer.select(
        Answer.response, Answer.question_key, Answer.number, Answer.choice, Answer.text
    ):
        key = str(row["response"])
        if key not in answers:
            orphans += 1
            continue
        value = next(v for v in (row["number"], row["choice"], row["text"]) if v is not None)
        answers[key].append((row["question_key"], str(value)))
    return responded, answers, orphans


def assert_complete(responded: set[str], answers: dict[str, list[tuple]], orphans: int) -> None:
    sent = sorted(full_answers().items())
    incomplete = {rid: rows for rid, rows in answers.items() if sorted(rows) != sent}
    assert not incomplete, f"{len(incomplete)} responses do not hold exactly what was sent"
    assert orphans == 0, f"{orphans} answers without their response"
    assert len(answers) == len(responded), (
        f"{len(answers)} responses but {len(responded)} invitations recorded as used"
    )


async def test_sigkill_mid_stream_loses_no_acknowledged_response(own_live_server) -> None:
    live_server = own_live_server
    await load_small_org(TEAM_SIZES)
    opened = await open_wave()
    tokens = list(opened.tokens.values())
    assert len(tokens) == sum(TEAM_SIZES.values())

    clients, csrf = await open_sessions(live_server.url, tokens)
    try:
        stream = await submit_stream(live_server, clients, csrf)
    finally:
        await asyncio.gather(*(client.aclose() for client in clients.values()))
    await wait_until_gone(live_server, stream.killed_pids)

    # The scenario happened as intended.
    assert not stream.unexpected, stream.unexpected
    assert stream.killed_pids, "the server was never killed"
    assert len(stream.killed_pids) >= 3, stream.killed_pids  # supervisor and two workers
    assert stream.acknowledged_at_kill == KILL_AFTER_ACKS
    assert len(stream.in_flight_at_kill) == CONCURRENCY - 1
    # Every submission in flight at the kill either got its answer out before the server
    # died (acknowledged late) or saw its connection dropped; nothing else was sent.
    late = set(stream.acknowledged[KILL_AFTER_ACKS:])
    assert late | set(stream.failed) == stream.in_flight_at_kill
    assert not late & set(stream.failed)

    restarted = type(live_server)(workers=2)
    restarted.start()
    try:
        by_hash = {hash_token(token): token for token in tokens}
        responded_hashes, answers, orphans = await stored_state()
        stored = {by_hash[token_hash] for token_hash in responded_hashes}
        acknowledged = set(stream.acknowledged)

        # (a) every acknowledgement is backed by a stored response
        lost = acknowledged - stored
        assert not lost, f"LOST {len(lost)} acknowledged responses after SIGKILL"
        assert await Response.count() == len(responded_hashes)
        # Only submissions that were sent can be stored.
        assert stored <= acknowledged | set(stream.failed)
        # (b) nothing half-stored
        assert_complete(responded_hashes, answers, orphans)

        # (c) every link without a stored response still works; the others say "used"
        not_stored = [token for token in tokens if token not in stored]
        stored_unacknowledged = stored - acknowledged
        async with browser(restarted.url) as probe:
            for token in stored_unacknowledged:
                used = await probe.get(f"/s/{token}")
                assert used.status_code == 409 and "notice-used" in used.text
        resubmitted = await resubmit(restarted.url, not_stored)
        assert resubmitted == Counter({303: len(not_stored)}), resubmitted

        responded_hashes, answers, orphans = await stored_state()
        assert responded_hashes == set(by_hash)
        assert_complete(responded_hashes, answers, orphans)
        assert await Response.count() == len(tokens)
        assert await Answer.count() == len(tokens) * len(full_answers())
    finally:
        restarted.stop()

    print(
        f"\n[{os.environ.get('KLANKBORD_TEST_DB', 'sqlite')}] respondents={len(tokens)} "
        f"acknowledged_at_kill={stream.acknowledged_at_kill} "
        f"in_flight_at_kill={len(stream.in_flight_at_kill)} "
        f"acknowledged_late={len(late)} dropped={len(stream.failed)} "
        f"stored_after_restart={len(stored)} "
        f"stored_unacknowledged={len(stored_unacknowledged)} "
        f"never_sent={len(tokens) - len(acknowledged) - len(stream.failed)} "
        f"resubmitted={len(not_stored)}"
    )


async def resubmit(url: str, tokens: list[str]) -> Counter[int]:
    """Open each link in a fresh browser and submit again; count the final statuses."""
    limit = asyncio.Semaphore(CONCURRENCY)

    async def again(token: str) -> int:
        async with limit, browser(url) as client:
            opened = await client.get(f"/s/{token}")
            if opened.status_code != 303:
                return opened.status_code
            survey = await client.get("/survey")
            if survey.status_code != 200:
                return survey.status_code
            form = {**full_answers(), "_csrf": csrf_from(survey.text)}
            return (await client.post("/survey", data=form)).status_code

    return Counter(await asyncio.gather(*(again(token) for token in tokens)))
