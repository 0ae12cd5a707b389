"""The database operator cannot tell who gave which answers.

The operator here has what a DBA or whoever holds the backups has: full read access to the
database (on SQLite the file itself, page by page; on PostgreSQL every row with its system
columns ``xmin`` and ``ctid``), three copies taken before, during and after people answered,
and the server's log — but not the application's secret key. People answer through the
real server (two workers), in an order only the test knows, one of them from a browser that
is signed in to Klankbord.

The operator tries every join named in issue 12 and the others we could think of:

- **who responded**: a flag, a changed row, a touched session, an audit or rate-limit
  record, a log line — anything on the identity side that differs between those who
  answered and those who did not, or between before and after;
- **the department snapshot**: the smallest set of invitees a stored response can be
  narrowed down to (its response group) must hold at least ``k``;
- **order and time**: rowids, the physical order of rows, PostgreSQL ``xmin`` shared with
  an identity row or with the used digest, days, the access log. Even an operator who
  somehow knows the order in which people answered must do no better than chance within
  a release batch: matching the n-th answer in storage to the n-th person gets about one
  right per batch;
- **sealed answers** waiting for release are unreadable without the key.

What the key adds (who responded, and which release batch) is the README's threat model;
the test's last step shows that part is true too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import random
import re
import secrets
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path

import asyncpg
import httpx
import pytest

from survey_app.core.backup import backup_sqlite
from survey_app.core.clock import utc_now
from survey_app.core.db import current_engine
from survey_app.core.hashing import invitation_digests
from survey_app.organisation.importing import apply_org_plan
from survey_app.organisation.parsing import parse_org_csv
from survey_app.tables import IDENTITY_TABLES
from survey_app.tables.identity import AuthSession
from survey_app.waves.service import close_wave
from tests.helpers import (
    HEADER,
    app_settings,
    full_answers,
    make_account,
    open_survey,
    open_wave,
    release_everything,
    sign_in,
)

pytestmark = pytest.mark.server

K = 5  # the default group minimum, in force in this test
# (code, parent, level, people): tiny departments (1, 2, 3 people) beside larger ones.
DEPARTMENTS = [
    ("GEM", "", "organisation", 1),
    ("SD", "GEM", "domain", 1),
    ("SD-A", "SD", "department", 2),
    ("SD-B", "SD", "department", 12),
    ("SD-C", "SD", "department", 9),
    ("BV", "GEM", "domain", 1),
    ("BV-D", "BV", "department", 14),
    ("BV-E", "BV", "department", 3),
]
NOT_ANSWERING = 7
SIGNED_IN = "1001"  # the director: answers from a browser signed in to Klankbord
MARKER = re.compile(r"marker-[0-9a-f]{16}")


def organisation_csv() -> bytes:
    rows = [HEADER]
    for code, parent, level, _people in DEPARTMENTS:
        rows.append(f"department,{code},Afdeling {code},{parent},{level},,,,")
    number = 1000
    for code, _parent, _level, people in DEPARTMENTS:
        for index in range(people):
            number += 1
            manager = "ja" if index == 0 else "nee"
            rows.append(
                f"employee,{code},,,,{number},Medewerker {number},m{number}@x.example,{manager}"
            )
    return ("\n".join(rows) + "\n").encode()


# --- what the operator can read ------------------------------------------------------------


class Copy:
    """One copy of the database as the operator reads it: every table's rows in storage
    order, with the system columns the engine has (SQLite ``rowid`` where a table has one;
    PostgreSQL ``xmin`` and ``ctid``), and on SQLite the file's raw bytes."""

    def __init__(self, tables: dict[str, list[dict]], raw: bytes = b"") -> None:
        self.tables = tables
        self.raw = raw

    def rows(self, table: str, *, system: bool = False) -> list[dict]:
        return [
            row if system else {k: v for k, v in row.items() if not k.startswith("_")}
            for row in self.tables[table]
        ]

    def frozen(self, table: str) -> set[tuple]:
        """The rows (with system columns: a rewritten row has a new ``xmin``) as a set."""
        return {tuple(sorted((k, str(v)) for k, v in row.items())) for row in self.tables[table]}


async def take_copy(tmp_path: Path, name: str) -> Copy:
    engine = current_engine()
    if engine.engine_type == "sqlite":
        target = tmp_path / f"{name}.sqlite3"
        backup_sqlite(Path(engine.connection_kwargs["database"]), target)
        connection = sqlite3.connect(target)
        connection.row_factory = sqlite3.Row
        try:
            names = [
                row[0]
                for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
            tables = {}
            for table in names:
                try:
                    rows = connection.execute(f'SELECT rowid AS _rowid, * FROM "{table}"')
                except sqlite3.OperationalError:  # WITHOUT ROWID: no insertion counter
                    rows = connection.execute(f'SELECT * FROM "{table}"')
                tables[table] = [dict(row) for row in rows]
        finally:
            connection.close()
        return Copy(tables, target.read_bytes())
    connection = await asyncpg.connect(app_settings().database_url)
    try:
        names = [
            row["table_name"]
            for row in await connection.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        ]
        tables = {}
        for table in names:
            rows = await connection.fetch(
                f'SELECT xmin::text AS _xmin, ctid::text AS _ctid, * FROM "{table}" ORDER BY ctid'
            )
            tables[table] = [dict(row) for row in rows]
    finally:
        await connection.close()
    return Copy(tables)


# --- people answering through the real server ---------------------------------------------


async def answer(url: str, token: str, comment: str, client: httpx.AsyncClient | None = None):
    own = client is None
    client = client or httpx.AsyncClient(base_url=url)
    try:
        csrf = await open_survey(client, token)
        sent = await client.post(
            "/survey", data={**full_answers(open_comment=comment), "_csrf": csrf}
        )
        assert sent.status_code == 303, sent.text[:300]
        assert (await client.get(sent.headers["location"])).status_code == 200
    finally:
        if own:
            await client.aclose()


async def scenario(server, tmp_path: Path):
    """The organisation, a wave, people answering in a random order; the copies."""
    await apply_org_plan(parse_org_csv(organisation_csv()), utc_now().date())
    opened = await open_wave()
    people = sorted(opened.tokens)
    rng = random.Random(secrets.randbits(32))
    answering = rng.sample(people, len(people) - NOT_ANSWERING)
    if SIGNED_IN not in answering:
        answering[0] = SIGNED_IN
    rng.shuffle(answering)
    markers = {number: f"marker-{secrets.token_hex(8)}" for number in answering}

    # The director is signed in; their session was last seen ten minutes ago (a request
    # now would record the moment: the survey must not).
    await make_account("director@x.example", employee_number=SIGNED_IN)
    browser = httpx.AsyncClient(base_url=server.url)
    await sign_in(browser, "director@x.example")
    await AuthSession.update(
        {AuthSession.last_seen_at: utc_now() - dt.timedelta(minutes=10)}
    ).where(AuthSession.id > 0)

    log_before = server.log()
    before = await take_copy(tmp_path, "before")
    half = len(answering) // 2
    try:
        for number in answering[:half]:
            await answer(
                server.url,
                opened.tokens[number],
                f"Opmerking {markers[number]}",
                browser if number == SIGNED_IN else None,
            )
        during = await take_copy(tmp_path, "during")
        for number in answering[half:]:
            await answer(
                server.url,
                opened.tokens[number],
                f"Opmerking {markers[number]}",
                browser if number == SIGNED_IN else None,
            )
    finally:
        await browser.aclose()
    after = await take_copy(tmp_path, "after")
    new_log = server.log()[len(log_before) :]
    return opened, answering, markers, (before, during, after), new_log


def truth(copy: Copy, markers: dict[str, str]) -> dict[str, str]:
    """For scoring only (the operator never uses it): response id → its author, by the
    marker each person wrote in their comment."""
    author = {marker: number for number, marker in markers.items()}
    found = {}
    for row in copy.rows("answer"):
        match = MARKER.search(row["text"] or "")
        if match:
            found[str(row["response"])] = author[match.group()]
    return found


def invitation_of_ids(copy: Copy) -> list[int]:
    return [row["id"] for row in copy.rows("invitation")]


def chance_bound(batches: int) -> int:
    """Correct guesses an order attack may get by chance: about one per batch (the fixed
    points of a random order are Poisson(1) per batch), with a wide margin."""
    return batches + math.ceil(4 * math.sqrt(batches)) + 3


# --- the tests ------------------------------------------------------------------------------


async def test_the_operator_without_the_key_links_no_answer_to_a_person(
    live_server, tmp_path
) -> None:
    """Steps 1-8: the operator without the key. Step 9: the wave closes. Step 10: what the
    key adds, as the README's threat model says."""
    opened, answering, markers, copies, log = await scenario(live_server, tmp_path)
    before, during, after = copies
    sqlite = current_engine().engine_type == "sqlite"
    people = {row["employee_number"]: row for row in after.rows("employee")}

    # 1. Nothing on the identity side changes when someone answers: no flag, no updated
    #    row (PostgreSQL: same xmin), no touched session, no audit or rate-limit record.
    identity = [table._meta.tablename for table in IDENTITY_TABLES]
    for table in identity:
        if table == "used_invitation":
            continue
        assert before.frozen(table) == during.frozen(table) == after.frozen(table), table
    assert "responded" not in after.rows("invitation")[0]

    # 2. What answering does add there, the used digests, matches no invitation by any
    #    value the operator holds: not the id, the token hash, the employee number,
    #    hashed or keyed with anything but the secret key.
    used = after.rows("used_invitation")
    assert len(used) == len(answering)
    digests = {row["digest"] for row in used}
    guesses = set()
    keys = [b"", b"secret", b"klankbord", opened.wave.public_id.bytes]
    keys += [
        hashlib.sha256(f"used-invitation:{key.decode()}".encode()).digest() for key in keys[:3]
    ]
    for row in after.rows("invitation"):
        for value in (str(row["id"]), row["token_hash"], f"invitation:{row['id']}"):
            guesses.add(value)
            guesses.add(hashlib.sha256(value.encode()).hexdigest())
            guesses.update(hmac.digest(key, value.encode(), "sha256").hex() for key in keys)
    assert not digests & guesses
    assert {row["used_on"] for row in used} <= {
        str(utc_now().astimezone(app_settings().timezone).date()),
        utc_now().astimezone(app_settings().timezone).date(),
    }

    # 3. The department on a response narrows it to at least k invitees: its response
    #    group, never a department of fewer.
    responses = after.rows("response")
    assert set(responses[0]) == {"id", "wave", "department_path"}  # no day, no time
    members = Counter(row["response_group"] for row in after.rows("invitation"))
    # Every group a response can be stored under stands for at least k invitees (also the
    # groups whose answers still wait sealed).
    assert all(count >= K for count in members.values()), members
    under = Counter()
    for row in after.rows("invitation"):
        for response in {r["department_path"] for r in responses}:
            if row["department_path"] == response or row["department_path"].startswith(
                response + "/"
            ):
                under[response] += 1
    for response in responses:
        assert members[response["department_path"]] >= K, response["department_path"]
        assert under[response["department_path"]] >= K
    # The tiny departments (1, 2 and 3 people) never appear on a response.
    tiny = {row["department_path"] for row in after.rows("invitation")} - set(members)
    assert not {r["department_path"] for r in responses} & tiny

    # 4. Order: rowids do not exist; storage order within what the operator can tell apart
    #    (PostgreSQL: one xmin per release batch; SQLite: what appeared between copies) does
    #    not follow the order of answering, not even for one who knows that order.
    author = truth(after, markers)
    assert len(author) == len(responses)  # every released response is scored
    rank = {number: index for index, number in enumerate(answering)}
    stored = after.rows("response", system=True)
    assert all("_rowid" not in row for row in stored)
    for table in ("answer", "used_invitation"):
        assert all("_rowid" not in row for row in after.rows(table, system=True))
    if sqlite:
        seen_before = {str(row["id"]) for row in during.rows("response")}
        batch_of = {
            str(row["id"]): "during" if str(row["id"]) in seen_before else "after" for row in stored
        }
    else:
        batch_of = {str(row["id"]): row["_xmin"] for row in stored}
    batches: dict[str, list[str]] = defaultdict(list)
    for row in stored:  # in storage order
        batches[batch_of[str(row["id"])]].append(str(row["id"]))
    correct = 0
    for ids in batches.values():
        in_order_of_answering = sorted(ids, key=lambda rid: rank[author[rid]])
        correct += sum(a == b for a, b in zip(ids, in_order_of_answering, strict=True))
    assert correct <= chance_bound(len(batches)), (correct, len(batches), len(stored))
    # The order of the batches is the order of time, but within a response group every
    # batch released while the wave is open holds at least k.
    path_of = {str(row["id"]): row["department_path"] for row in stored}
    for ids in batches.values():
        for group, count in Counter(path_of[rid] for rid in ids).items():
            assert count >= K, (group, count)

    # 5. PostgreSQL: no released row shares a transaction id with the identity side or
    #    with a used digest.
    if not sqlite:
        anonymous_xmins = {
            row["_xmin"] for t in ("response", "answer") for row in after.rows(t, system=True)
        }
        other = {row["_xmin"] for t in identity for row in after.rows(t, system=True)}
        assert not anonymous_xmins & other

    # 6. Answers still waiting are sealed: no marker in their bytes, every one the same size.
    sealed = after.rows("sealed_response")
    assert len(sealed) + len(responses) == len(answering)
    assert len({len(bytes(row["sealed"])) for row in sealed}) <= 1
    waiting = set(answering) - set(author.values())
    for number in waiting:
        marker = markers[number].encode()
        assert all(marker not in bytes(row["sealed"]) for row in sealed)
        if sqlite:
            assert marker not in after.raw, "a waiting answer is readable in the file"

    # 7. The server's log has no line for any survey request: not the link, not the form,
    #    not the thank-you page, so no time and no order of answering.
    assert "/s/" not in log and "/survey" not in log
    assert not [line for line in log.splitlines() if "uvicorn.access" in line]

    # 8. The signed-in director's session was not touched by answering (covered by 1; said
    #    once more, because it is the join the issue names).
    director = people[SIGNED_IN]
    session = next(r for r in after.rows("auth_session"))
    assert session in before.rows("auth_session")
    # ... and that session is the director's, who answered: the case the check is about.
    assert any(
        account["id"] == session["account"] and account["employee"] == director["id"]
        for account in after.rows("account")
    )
    assert SIGNED_IN in answering

    # 10 (before the wave closes). With the key: who responded (the application needs it
    #    for rates and reminders) — but a released answer is still one of at least k of its
    #    group in its batch (checked in 4 for the batches the copies tell apart).
    digests_with_key = invitation_digests(app_settings().secret_key, invitation_of_ids(after))
    number_of = {row["id"]: row["employee_number"] for row in after.rows("employee")}
    responded = {
        number_of[row["employee"]]
        for row in after.rows("invitation")
        if digests_with_key[row["id"]] in digests
    }
    assert responded == set(answering)

    # 9. Once the wave closes, everything is released (the first look at its results):
    #    every answer is stored, each still under a group of at least k invitees.
    await close_wave(opened.wave, now=utc_now())
    await release_everything()
    closed = await take_copy(tmp_path, "closed")
    final = closed.rows("response")
    assert len(final) == len(answering) and not closed.rows("sealed_response")
    assert set(truth(closed, markers).values()) == set(answering)
    for response in final:
        assert members[response["department_path"]] >= K, response["department_path"]
