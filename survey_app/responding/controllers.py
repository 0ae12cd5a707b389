"""The respondent's journey: invitation link → survey → thank-you page.

The token from the link is exchanged on first visit for a short, encrypted session cookie
holding only the token's hash, and the browser is redirected to ``/survey``: the token
leaves the address bar, the browser history and every later request line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Annotated

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter, PathParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from survey_app.core import ratelimit
from survey_app.core.clock import local_day, utc_now
from survey_app.core.hashing import hash_token
from survey_app.core.i18n import _, ngettext
from survey_app.core.settings import Settings
from survey_app.responding import consent
from survey_app.responding.form_schema import AnswerFormOperation
from survey_app.responding.service import (
    OpenInvitation,
    TokenRejected,
    TokenState,
    open_invitation,
    submit_response,
)
from survey_app.waves.service import WaveInfo
from survey_app.web.access import Rule, access
from survey_app.web.forms import FormValues, displayable, form_values
from survey_app.web.pages import html_response, page, redirect_response, see_other, shared_page
from surveys import (
    AnswerError,
    validate_answer,
    validate_answers,
    validate_self_identification,
)
from surveys import Template as SurveyTemplate

SESSION_KEY = "invitation"
# A code slip's code in the session instead of a link's token (`responding.codes`), and
# whether the survey runs on a shared tablet (kiosk): its thank-you page leads back.
CODE_SESSION_KEY = "code"
KIOSK_SESSION_KEY = "kiosk"
# Set by a submission that said "yes, I experienced undesirable behaviour" (DIG), for the
# thanks page only, which clears it.
HELP_SESSION_KEY = "help"
# The DIG question after which help is offered, and its answer that asks for it.
UB_QUESTION = "ub_experienced"
UB_YES = "yes"

# How long a shared tablet shows the thank-you page before the empty code page.
KIOSK_THANKS_SECONDS = 10

# Unknown survey links per client address in a window before it must wait.
UNKNOWN_LINKS_PER_CLIENT = 30
LINK_WINDOW_SECONDS = 10 * 60

PROBLEM_STATUS = {
    TokenState.UNKNOWN: 404,
    TokenState.USED: 409,
    TokenState.NOT_YET_OPEN: 403,
    TokenState.EXPIRED: 410,
    TokenState.CLOSED: 410,
    TokenState.NO_SESSION: 400,
}


# --- OpenAPI documentation of the routes (the schema drives tests/test_fuzz.py) ---


PROBLEM_RESPONSES: dict[int, ResponseSpec] = {
    400: html_response(
        "No invitation in this browser session (open the invitation link first), "
        "or a malformed request"
    ),
    403: html_response(
        "The survey is not open yet, or (for a form sent) it lacks this browser's CSRF token"
    ),
    404: html_response("The invitation link is not known"),
    409: html_response("The invitation has already been used"),
    410: html_response("The survey has closed, or HR closed it early"),
}
TOO_LARGE = {413: html_response("The request body is larger than the server accepts")}


def problem_text(state: TokenState) -> tuple[str, str]:
    """Title and explanation for a link that cannot be used."""
    if state is TokenState.USED:
        return (
            _("This invitation has already been used"),
            _(
                "Answers for this invitation have been received. If you just filled in the "
                "survey, your answers are safely stored and nothing more is needed. Each "
                "invitation can be used once, so that every person counts once."
            ),
        )
    if state is TokenState.NOT_YET_OPEN:
        return (
            _("This survey is not open yet"),
            _("Please use your link again once the survey has opened."),
        )
    if state is TokenState.EXPIRED:
        return (
            _("This survey has closed"),
            _(
                "The answering period has ended, so no more answers can be accepted. "
                "Thank you for your interest."
            ),
        )
    if state is TokenState.CLOSED:
        return (
            _("This survey has been closed"),
            _("HR closed this survey early, so no more answers can be accepted."),
        )
    if state is TokenState.NO_SESSION:
        return (
            _("Open the link from your invitation"),
            _(
                "The survey opens through the personal link in your invitation. If you "
                "already sent your answers, they have been received: opening the link again "
                "will confirm that."
            ),
        )
    return (
        _("This link is not valid"),
        _(
            "We do not recognise this survey link. Check that you copied the whole link "
            "from your invitation. If it still does not work, ask HR for a new link."
        ),
    )


def answer_error_message(error: AnswerError) -> str:
    messages = {
        "required": _("Please answer this question."),
        "not_a_number": _("Choose one of the options."),
        "out_of_range": _("Choose a value from {min} to {max}."),
        "unknown_option": _("Choose one of the options shown."),
        "multiple_values": _("Choose only one option."),
        "too_many_choices": _("Choose at most {max} options."),
        "too_few_choices": _("Choose at least {min} options."),
        "too_long": _("Your answer is {length} characters long; the maximum is {max_length}."),
        "invalid_text": _("Your answer contains characters that cannot be stored."),
    }
    message = messages.get(error.code)
    if message is None:
        return _("This answer is not valid.")
    try:
        return message.format(**error.params)
    except (KeyError, IndexError):
        # A code whose parameters changed: still say what is wrong, without the numbers.
        return _("This answer is not valid.")


def answered_count(template: SurveyTemplate, values: Mapping[str, Sequence[str]]) -> int:
    return sum(1 for q in template.questions if any(v.strip() for v in values.get(q.key, [])))


def survey_context(
    request: Request,
    invitation: OpenInvitation,
    settings: Settings,
    values: FormValues,
    errors: Mapping[str, AnswerError],
) -> dict:
    return survey_page_context(
        invitation.template,
        invitation.wave,
        values,
        errors,
        settings=settings,
        self_identification=consent.shows_questions(invitation.template, request.session),
    )


def survey_page_context(
    template: SurveyTemplate,
    wave: WaveInfo,
    values: FormValues,
    errors: Mapping[str, AnswerError],
    *,
    settings: Settings,
    self_identification: bool,
) -> dict:
    """What templates/responding/survey.html shows of ``template`` (also HR's preview);
    ``self_identification``: with the "About you" section (consent was given)."""
    total = len(template.questions)
    answered = answered_count(template, values)
    return {
        "survey": template,
        "wave": wave,
        "self_identification": self_identification,
        "confidential_adviser": settings.confidential_adviser,
        "values": displayable(values),
        "errors": {key: answer_error_message(error) for key, error in errors.items()},
        "answered": answered,
        "total": total,
        "progress_label": ngettext(
            "{answered} of {total} question answered",
            "{answered} of {total} questions answered",
            total,
        ).format(answered=answered, total=total),
    }


def experienced_undesirable_behaviour(
    template: SurveyTemplate, values: Mapping[str, Sequence[str]]
) -> bool:
    """Whether a sent form said "yes" to the DIG question on undesirable behaviour."""
    asked = any(question.key == UB_QUESTION for question in template.questions)
    return asked and list(values.get(UB_QUESTION, [])) == [UB_YES]


def problem_page(request: Request, state: TokenState) -> Template:
    title, explanation = problem_text(state)
    return page(
        request,
        "responding/problem.html",
        status_code=PROBLEM_STATUS[state],
        title=title,
        explanation=explanation,
        state=state.value,
    )


async def current_invitation(request: Request, settings: Settings) -> OpenInvitation | TokenState:
    """The invitation (or code slip) of this browser's survey session, if it can be answered."""
    session = request.session or {}
    by_code = SESSION_KEY not in session
    token_hash = session.get(CODE_SESSION_KEY if by_code else SESSION_KEY)
    if not isinstance(token_hash, str):
        return TokenState.NO_SESSION
    try:
        return await open_invitation(token_hash, utc_now(), settings.secret_key, by_code=by_code)
    except TokenRejected as rejected:
        return rejected.state


class RespondController(Controller):
    """Routes a respondent uses; none of them needs an account: the link is the credential."""

    opt = access(Rule.PUBLIC)

    @get(
        "/s/{token:str}",
        name="respond:start",
        status_code=HTTP_303_SEE_OTHER,
        responses={
            HTTP_303_SEE_OTHER: redirect_response(
                "Link accepted: the session cookie is set and the browser goes to /survey"
            ),
            **PROBLEM_RESPONSES,
            429: html_response("Too many unknown links from this address: wait and try again"),
        },
    )
    async def start(
        self,
        request: Request,
        token: Annotated[str, PathParameter(max_length=200)],
        settings: NamedDependency[Settings],
    ) -> Template | Redirect:
        # Guessing links is hopeless (128 random bits), but a client that keeps trying
        # unknown links is stopped anyway; the count is shared by every worker.
        client_key = ratelimit.client_key(
            settings.secret_key, "survey-link", request.client.host if request.client else ""
        )
        # Only unknown links are counted, after the lookup: parallel guesses may overshoot
        # the limit by the number in flight, which cannot matter against 128-bit links, and
        # valid links cost one read instead of two writes.
        if await ratelimit.hits(client_key, LINK_WINDOW_SECONDS) >= UNKNOWN_LINKS_PER_CLIENT:
            response = page(request, "error.html", status_code=429, status=429)
            response.headers["Retry-After"] = str(ratelimit.retry_after(LINK_WINDOW_SECONDS))
            return response
        token_hash = hash_token(token)
        try:
            await open_invitation(token_hash, utc_now(), settings.secret_key)
        except TokenRejected as rejected:
            if rejected.state is TokenState.UNKNOWN:
                await ratelimit.count(client_key, LINK_WINDOW_SECONDS)
            request.clear_session()
            return problem_page(request, rejected.state)
        request.set_session({SESSION_KEY: token_hash})
        return see_other(request, "respond:survey")

    @get(
        "/survey",
        name="respond:survey",
        media_type=MediaType.HTML,
        responses=PROBLEM_RESPONSES,
    )
    async def survey(
        self, request: Request, settings: NamedDependency[Settings]
    ) -> Template | Response | Redirect:
        invitation = await current_invitation(request, settings)
        if isinstance(invitation, TokenState):
            return problem_page(request, invitation)
        # Questions about oneself are asked only after a decision on the consent screen.
        if consent.asks_self_identification(invitation.template) and (
            consent.decision(request.session) is None
        ):
            return see_other(request, "respond:consent")
        # The empty form is the same for everyone invited to the wave who decided alike.
        kiosk = bool((request.session or {}).get(KIOSK_SESSION_KEY))
        return shared_page(
            request,
            (invitation.wave, kiosk, consent.decision(request.session)),
            "responding/survey.html",
            kiosk=kiosk,
            **survey_context(request, invitation, settings, {}, {}),
        )

    @post(
        "/survey",
        name="respond:submit",
        status_code=HTTP_303_SEE_OTHER,
        operation_class=AnswerFormOperation,
        responses={
            HTTP_303_SEE_OTHER: redirect_response("Answers stored: on to /survey/thanks"),
            **PROBLEM_RESPONSES,
            **TOO_LARGE,
            422: html_response("The form again, with an error at each invalid answer"),
        },
    )
    async def submit(
        self, request: Request, settings: NamedDependency[Settings]
    ) -> Template | Redirect:
        invitation = await current_invitation(request, settings)
        if isinstance(invitation, TokenState):
            return problem_page(request, invitation)
        values = await form_values(request)
        answers, errors = validate_answers(invitation.template, values)
        about_oneself: Sequence[tuple[str, str]] = ()
        if consent.may_store(invitation.template, request.session, values):
            about_oneself, self_id_errors = validate_self_identification(
                invitation.template, values
            )
            errors = {**errors, **self_id_errors}
        if errors:
            # htmx is configured (base.html) to swap error pages too, so one status serves
            # both the plain form post and the htmx one.
            return page(
                request,
                "responding/survey.html",
                status_code=422,
                kiosk=bool((request.session or {}).get(KIOSK_SESSION_KEY)),
                **survey_context(request, invitation, settings, values, errors),
            )
        try:
            await submit_response(
                invitation.token_hash,
                answers,
                now=utc_now(),
                settings=settings,
                checked_unused=True,
                by_code=invitation.by_code,
                self_identification=about_oneself,
            )
        except TokenRejected as rejected:
            request.clear_session()
            return problem_page(request, rejected.state)
        kiosk = bool((request.session or {}).get(KIOSK_SESSION_KEY))
        request.clear_session()
        if experienced_undesirable_behaviour(invitation.template, values) and not kiosk:
            # The thanks page repeats where to find help. Not in the address (history, a
            # proxy's log): in the encrypted cookie, which the thanks page clears. Not on a
            # shared tablet, where the next person could see it (it was below the question).
            request.set_session({HELP_SESSION_KEY: True})
        # The wave's last day (not the person, nothing to look up) goes along, so that the
        # thanks page can say when the results come.
        # A wave closes at the midnight after its last day.
        last_day = local_day(invitation.wave.closes_at - dt.timedelta(seconds=1), settings.timezone)
        query = {"closes": last_day.isoformat(), "kiosk": "1" if kiosk else ""}
        return see_other(request, "respond:thanks", query)

    @post(
        "/survey/check/{question_key:str}",
        name="respond:check",
        status_code=200,
        operation_class=AnswerFormOperation,
        responses={
            **PROBLEM_RESPONSES,
            404: html_response("The question is not part of this survey, or the link is unknown"),
            **TOO_LARGE,
        },
    )
    async def check(
        self,
        request: Request,
        question_key: Annotated[str, PathParameter(max_length=64)],
        settings: NamedDependency[Settings],
    ) -> Template:
        """Inline validation of one question (htmx), plus the updated progress."""
        invitation = await current_invitation(request, settings)
        if isinstance(invitation, TokenState):
            return problem_page(request, invitation)
        question = next((q for q in invitation.template.questions if q.key == question_key), None)
        if question is None:
            raise NotFoundException()
        values = await form_values(request)
        error = validate_answer(invitation.template, question_key, values)
        context = survey_context(
            request, invitation, settings, values, {question_key: error} if error else {}
        )
        return page(request, "responding/_check.html", question=question, **context)

    @get(
        "/survey/thanks",
        name="respond:thanks",
        media_type=MediaType.HTML,
        responses={400: html_response("The closing day is too long")},
    )
    async def thanks(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        closes: Annotated[
            str | None, Parameter(query="closes", max_length=10, required=False)
        ] = None,
        kiosk: Annotated[str | None, Parameter(query="kiosk", max_length=1, required=False)] = None,
    ) -> Response:
        """Thanks, and when the results will be shared (the day the survey closes; a day
        that cannot be read gives the page without it). On a shared tablet (``kiosk``) the
        page goes back to an empty code page by itself."""
        show_help = bool((request.session or {}).get(HELP_SESSION_KEY))
        # Whatever this browser still holds of a survey ends here (a shared computer).
        request.clear_session()
        try:
            last_day = dt.date.fromisoformat(closes) if closes else None
        except ValueError:
            last_day = None
        in_kiosk = kiosk == "1"
        return shared_page(
            request,
            ("thanks", last_day, in_kiosk, show_help),
            "responding/thanks.html",
            last_day=last_day,
            help_for_undesirable_behaviour=show_help,
            confidential_adviser=settings.confidential_adviser,
            kiosk=in_kiosk,
            kiosk_seconds=KIOSK_THANKS_SECONDS,
        )


ROUTES = [RespondController]
