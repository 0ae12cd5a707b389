"""HR pages: waves and their response rates per department."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, MediaType, Request, get
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import PathParameter
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

# A wave id is a UUID; uuid.UUID() also accepts the "urn:uuid:" and "{...}" spellings.
PUBLIC_ID_MAX_LENGTH = 45


def html_response(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=str,
        media_type=MediaType.HTML,
        description=description,
        generate_examples=False,
    )


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

    @get(
        "/{public_id:str}",
        name="hr:wave",
        responses={
            400: html_response("The wave id is too long"),
            404: html_response("No wave with this id"),
        },
    )
    async def wave(
        self,
        request: Request,
        public_id: Annotated[str, PathParameter(max_length=PUBLIC_ID_MAX_LENGTH)],
    ) -> Template:
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
