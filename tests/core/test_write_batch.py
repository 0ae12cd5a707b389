"""`one_write_transaction`: actions that each open a `write_transaction` (the demo's history
through the services) are committed together, once, and undone together when one fails."""

from __future__ import annotations

import asyncio
import contextvars

import pytest

from survey_app import audit
from survey_app.core.db import one_write_transaction, write_transaction
from survey_app.tables.identity import AuditEvent


async def action(number: int) -> None:
    async with write_transaction():
        await audit.record("wave.created", "batch-test", f"action {number}")


async def committed_count() -> int:
    """The count another connection sees (a fresh context: no transaction, no batch)."""
    return await asyncio.create_task(AuditEvent.count().run(), context=contextvars.Context())


async def test_the_actions_of_a_batch_are_committed_together() -> None:
    async with one_write_transaction():
        await action(1)
        await action(2)
        # Inside: each action sees the ones before it; outside nothing is committed yet.
        assert await AuditEvent.count() == 2
        assert await committed_count() == 0
    assert await committed_count() == 2
    # After the batch an action commits on its own again.
    await action(3)
    assert await committed_count() == 3


async def test_an_action_that_fails_undoes_the_whole_batch() -> None:
    with pytest.raises(RuntimeError):
        async with one_write_transaction():
            await action(1)
            async with write_transaction():
                await audit.record("wave.created", "batch-test", "action 2")
                raise RuntimeError("the second action fails")
    assert await committed_count() == 0
