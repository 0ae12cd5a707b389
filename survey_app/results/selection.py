"""Which waves a results page can choose: the closed ones in the order they closed, the
earlier waves of the same survey (for changes and trends), the ones that asked the whole
organisation (the only ones with figures for everyone), and the departments to filter on."""

from __future__ import annotations

import datetime as dt

from survey_app.core.clock import utc_now
from survey_app.organisation.tree import DepartmentNode, DepartmentTree, load_tree
from survey_app.waves.service import WaveInfo, WaveState, list_waves, wave_department_ids


async def organisation_wide(wave: WaveInfo, tree: DepartmentTree) -> bool:
    """Whether the wave asked the whole organisation (every top-level department): only
    then are its figures the organisation's, to show to everyone."""
    top = {node.id for node in tree.children(None)}
    return bool(top) and top <= await wave_department_ids(wave, tree)


async def organisation_waves() -> list[WaveInfo]:
    """The closed waves that asked the whole organisation, in the order they closed."""
    tree = await load_tree()
    return [wave for wave in await closed_waves() if await organisation_wide(wave, tree)]


async def closed_waves() -> list[WaveInfo]:
    """Every closed wave, in the order they closed."""
    now = utc_now()
    return sorted(
        (wave for wave in await list_waves() if wave.state(now) is WaveState.CLOSED),
        key=effective_close,
    )


def department_choices(tree: DepartmentTree) -> list[tuple[DepartmentNode, int]]:
    """Every department with its depth, in tree order (for a department filter)."""
    return [
        (node, tree.path(node.id).count("/"))
        for node in sorted(tree.nodes.values(), key=lambda node: tree.path(node.id).split("/"))
    ]


def effective_close(wave: WaveInfo) -> dt.datetime:
    return wave.closed_early_at or wave.closes_at


async def earlier_waves(wave: WaveInfo) -> list[WaveInfo]:
    """The closed waves of the same template that closed before this one, oldest first."""
    now = utc_now()
    return sorted(
        (
            other
            for other in await list_waves()
            if other.template_key == wave.template_key
            and other.id != wave.id
            and other.state(now) is WaveState.CLOSED
            and effective_close(other) <= effective_close(wave)
        ),
        key=effective_close,
    )
