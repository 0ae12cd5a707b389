"""Deleting Quick Scan conversations after the retention period.

A conversation is personal data kept for a purpose (the talk and its follow-up); it is
deleted ``KLANKBORD_QUICKSCAN_RETENTION`` (default two years) after its last change by
anyone (``updated_at``), with its agreements and grants. A round of HR is deleted once it
is that old and no conversation refers to it any longer. `survey-app daily` runs this.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from survey_app import audit
from survey_app.core.db import write_transaction
from survey_app.core.settings import parse_period
from survey_app.tables.conversations import (
    QuickScan,
    QuickScanAgreement,
    QuickScanGrant,
    QuickScanRound,
)

__all__ = ["PurgeResult", "parse_period", "purge"]

# Ids per statement: far below every driver's limit on bound parameters.
CHUNK = 500


@dataclass(frozen=True)
class PurgeResult:
    conversations: int
    agreements: int
    grants: int
    rounds: int


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    return [list(ids[start : start + CHUNK]) for start in range(0, len(ids), CHUNK)]


async def purge(older_than: dt.timedelta, *, now: dt.datetime, actor: str) -> PurgeResult:
    """Delete every conversation last changed before ``now - older_than``, with its
    agreements and grants, and the rounds as old with no conversation left; one
    transaction, one audit record with the four counts (no ids, no names)."""
    cutoff = now - older_than
    agreements = grants = 0
    async with write_transaction():
        ids = [
            row["id"]
            for row in await QuickScan.select(QuickScan.id).where(QuickScan.updated_at < cutoff)
        ]
        for chunk in _chunks(ids):
            agreements += await QuickScanAgreement.count().where(
                QuickScanAgreement.quick_scan.is_in(chunk)
            )
            grants += await QuickScanGrant.count().where(QuickScanGrant.quick_scan.is_in(chunk))
            # Explicitly, not only by the foreign keys' cascade: the count above is what goes.
            await QuickScanAgreement.delete().where(QuickScanAgreement.quick_scan.is_in(chunk))
            await QuickScanGrant.delete().where(QuickScanGrant.quick_scan.is_in(chunk))
            await QuickScan.delete().where(QuickScan.id.is_in(chunk))
        in_use = {
            row["round"]
            for row in await QuickScan.select(QuickScan.round).where(QuickScan.round.is_not_null())
        }
        rounds = [
            row["id"]
            for row in await QuickScanRound.select(QuickScanRound.id).where(
                QuickScanRound.started_at < cutoff
            )
            if row["id"] not in in_use
        ]
        for chunk in _chunks(rounds):
            await QuickScanRound.delete().where(QuickScanRound.id.is_in(chunk))
        result = PurgeResult(len(ids), agreements, grants, len(rounds))
        await audit.record(
            "quickscan.purged",
            actor,
            "",
            conversations=result.conversations,
            agreements=result.agreements,
            grants=result.grants,
            rounds=result.rounds,
            older_than_days=older_than.days,
        )
    return result
