"""Composing a draft's questionnaire (/hr/waves/<id>/questions): its questions in order,
with the bank's questions to add (grouped by scale) and a form for an own question.

Every change is a plain form that redirects back to the page; with htmx the same post
answers with the composer alone (templates/waves/_composer.html), swapped in place. Changes
go through `survey_app.waves.composing`, which refuses to remove core items and checks own
questions by the bank's rules.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from survey_app.core.clock import utc_now
from survey_app.core.errors import AppError
from survey_app.core.principal import Principal
from survey_app.waves import composing
from survey_app.waves.choosing import bank_groups
from survey_app.waves.composing import MAX_OWN_TEXT, OWN_KINDS, CompositionError
from survey_app.waves.manage_controllers import WAVE_ACTION, WAVE_PAGE, PublicId
from survey_app.waves.service import WaveInfo, get_wave, state_label
from survey_app.web.access import Rule, access
from survey_app.web.forms import Choice, Form, Text, form_values
from survey_app.web.pages import page, see_other
from surveys import load_bank

# Any text: what this questionnaire does not ask is refused by `composing`.
QuestionKey = str
OWN_FIELDS = {
    "kind": "kind",
    "text_nl_required": "text_nl",
    "text_en_required": "text_en",
    "text_too_long": "text_nl",
    "duplicate_text": "text_nl",
    "unstorable": "text_nl",
}


class OwnQuestionForm(Form):
    kind = Choice(frozenset(OWN_KINDS), problem="kind")
    text_nl = Text(max_length=MAX_OWN_TEXT, strip=True, required="text_nl_required")
    text_en = Text(max_length=MAX_OWN_TEXT, strip=True, required="text_en_required")
    messages: ClassVar[dict[str, str]] = {
        code: CompositionError.messages[code]
        for code in ("kind", "text_nl_required", "text_en_required")
    }


class BankQuestionForm(Form):
    key = Text(max_length=64, strip=True)


class MoveForm(Form):
    direction = Choice(frozenset({composing.UP, composing.DOWN}), problem="incomplete")


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


async def composer_page(
    request: Request,
    wave: WaveInfo,
    *,
    status_code: int = 200,
    problems: list[tuple[str, str]] | None = None,
    typed: dict[str, str] | None = None,
    done: str = "",
    fragment: bool = False,
) -> Template:
    """The questionnaire page, or (``fragment``) its composer alone for htmx."""
    bank = load_bank()
    composed = await composing.questionnaire(wave, bank=bank)
    return page(
        request,
        "waves/_composer.html" if fragment else "waves/questions.html",
        status_code=status_code,
        wave=wave,
        state_text=state_label(wave.state(utc_now())),
        items=composed.items,
        groups=bank_groups(bank, composed.addable),
        problems=problems or [],
        typed=typed or {"kind": "agreement", "text_nl": "", "text_en": ""},
        done=done,
        max_text=MAX_OWN_TEXT,
    )


class QuestionnaireController(Controller):
    path = "/hr/waves/{public_id:str}/questions"
    opt = access(Rule.HR)

    @get("/", name="hr:wave_questions", responses=WAVE_PAGE)
    async def questions(
        self,
        request: Request,
        public_id: PublicId,
        done: Annotated[str, QueryParameter(max_length=20)] = "",
    ) -> Template:
        return await composer_page(request, await get_wave(public_id), done=done)

    async def _changed(
        self, request: Request, wave: WaveInfo, done: str, change
    ) -> Template | Redirect:
        """Apply ``change``; the page (or the composer) again with the reason when refused."""
        fragment = is_htmx(request)
        try:
            await change()
        except AppError as error:
            return await composer_page(
                request,
                wave,
                status_code=error.status,
                problems=[("", error.message())],
                fragment=fragment,
            )
        if fragment:
            return await composer_page(request, wave, done=done, fragment=True)
        return see_other(
            request, "hr:wave_questions", {"done": done}, public_id=str(wave.public_id)
        )

    @post("/", name="hr:wave_question_add", status_code=HTTP_303_SEE_OTHER, responses=WAVE_ACTION)
    async def add(
        self, request: Request, principal: NamedDependency[Principal], public_id: PublicId
    ) -> Template | Redirect:
        wave = await get_wave(public_id)
        form = BankQuestionForm.read(await form_values(request))

        async def change() -> None:
            if not form.ok or not form["key"]:
                raise CompositionError("unknown_question", key=form.typed.get("key", ""))
            await composing.add_from_bank(wave, form["key"], actor=principal.username)

        return await self._changed(request, wave, "added", change)

    @post(
        "/own", name="hr:wave_question_own", status_code=HTTP_303_SEE_OTHER, responses=WAVE_ACTION
    )
    async def add_own(
        self, request: Request, principal: NamedDependency[Principal], public_id: PublicId
    ) -> Template | Redirect:
        wave = await get_wave(public_id)
        form = OwnQuestionForm.read(await form_values(request))
        status = 422
        if form.ok:
            try:
                await composing.add_own(
                    wave, form["kind"], form["text_nl"], form["text_en"], actor=principal.username
                )
            except AppError as error:
                form.add_error(error, field=OWN_FIELDS.get(error.code, ""))
                status = error.status
        fragment = is_htmx(request)
        if not form.ok:
            return await composer_page(
                request,
                wave,
                status_code=status,
                problems=form.messages(),
                typed=form.typed,
                fragment=fragment,
            )
        if fragment:
            return await composer_page(request, wave, done="own_added", fragment=True)
        return see_other(
            request, "hr:wave_questions", {"done": "own_added"}, public_id=str(wave.public_id)
        )

    @post(
        "/{question_key:str}/remove",
        name="hr:wave_question_remove",
        status_code=HTTP_303_SEE_OTHER,
        responses=WAVE_ACTION,
    )
    async def remove(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        public_id: PublicId,
        question_key: QuestionKey,
    ) -> Template | Redirect:
        wave = await get_wave(public_id)

        async def change() -> None:
            await composing.remove(wave, question_key, actor=principal.username)

        return await self._changed(request, wave, "removed", change)

    @post(
        "/{question_key:str}/move",
        name="hr:wave_question_move",
        status_code=HTTP_303_SEE_OTHER,
        responses=WAVE_ACTION,
    )
    async def move(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        public_id: PublicId,
        question_key: QuestionKey,
    ) -> Template | Redirect:
        wave = await get_wave(public_id)
        form = MoveForm.read(await form_values(request))

        async def change() -> None:
            if not form.ok:
                raise CompositionError("direction")
            await composing.move(wave, question_key, form["direction"], actor=principal.username)

        return await self._changed(request, wave, "moved", change)


ROUTES = [QuestionnaireController]
