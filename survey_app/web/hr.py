"""HR pages: waves and their response rates per department."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from survey_app.waves import (
    WaveError,
    get_wave,
    list_waves,
    participation,
    state_label,
    utc_now,
)
from survey_app.web.pages import page


class WaveStatusController(Controller):
    path = "/hr/waves"

    @get("/", name="hr:waves")
    async def waves(self, request: Request) -> Template:
        now = utc_now()
        waves = await list_waves()
        return page(
            request,
            "hr/waves.html",
            waves=[(wave, wave.state(now)) for wave in waves],
            state_label=state_label,
        )

    @get("/{public_id:str}", name="hr:wave", raises=[NotFoundException])
    async def wave(self, request: Request, public_id: FromPath[str]) -> Template:
        try:
            wave = await get_wave(public_id)
        except WaveError as error:
            raise NotFoundException() from error
        rows, tree = await participation(wave)
        return page(
            request,
            "hr/wave.html",
            wave=wave,
            state=wave.state(utc_now()),
            state_label=state_label,
            rows=rows,
            names={row.path: tree.name_for_path(row.path) for row in rows},
        )
