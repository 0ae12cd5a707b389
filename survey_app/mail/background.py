"""Delivering queued mail while the server runs: each worker polls the outbox.

Every worker process runs one task; their claims (`survey_app.mail.outbox.claim`) keep them
from sending a message twice. At shutdown the task finishes the message in hand, hands the
rest of its batch back and stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from survey_app.core.settings import Settings
from survey_app.mail.sender import deliver

logger = logging.getLogger("survey_app.mail")
STOP_GRACE_SECONDS = 15


class BackgroundDelivery:
    """Started and stopped with the application (its lifespan); off without mail settings
    or with ``KLANKBORD_MAIL_POLL_SECONDS=0``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stopping = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    @property
    def enabled(self) -> bool:
        return self.settings.mail_configured and self.settings.mail_poll_seconds > 0

    async def start(self) -> None:
        if self.enabled and self.task is None:
            self.stopping = asyncio.Event()
            self.task = asyncio.create_task(self._run(), name="mail-delivery")

    async def stop(self) -> None:
        if self.task is None:
            return
        self.stopping.set()
        try:
            await asyncio.wait_for(asyncio.shield(self.task), STOP_GRACE_SECONDS)
        except TimeoutError:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        self.task = None

    async def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                await deliver(self.settings, stopping=self.stopping)
            except Exception as error:  # the loop must outlive a bad moment
                # The kind only: a driver's message can quote the values of a statement.
                logger.warning(
                    "mail delivery interrupted (%s); trying again in %d s",
                    type(error).__name__,
                    self.settings.mail_poll_seconds,
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), self.settings.mail_poll_seconds)
