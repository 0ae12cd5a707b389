"""The consent screen of a survey that asks questions about oneself (DIG self-identification).

Before such a survey, the respondent reads what would be asked and why, and decides: give
explicit consent (GDPR article 9(2)(a)) or continue without these questions. The decision is
kept in the encrypted survey cookie only (`survey_app.responding.consent`); the survey page
sends a respondent who has not decided here first, and links back to change the decision.
"""

from __future__ import annotations

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from survey_app.core.settings import Settings
from survey_app.responding import consent
from survey_app.responding.controllers import (
    KIOSK_SESSION_KEY,
    PROBLEM_RESPONSES,
    current_invitation,
    problem_page,
)
from survey_app.responding.service import OpenInvitation, TokenState
from survey_app.waves import thresholds
from survey_app.web.access import Rule, access
from survey_app.web.forms import first, form_values
from survey_app.web.pages import html_response, page, redirect_response, see_other, shared_page

DECISION_FIELD = "consent"


async def consent_context(invitation: OpenInvitation, settings: Settings) -> dict:
    """What templates/responding/_consent_text.html needs (the page and HR's preview)."""
    minimum = consent.demographic_minimum(await thresholds.current(settings))
    return {
        "survey": invitation.template,
        "wave": invitation.wave,
        "categories": invitation.template.self_identification,
        "demographic_minimum": minimum,
    }


class ConsentController(Controller):
    """The consent screen: no account needed, the survey session is the credential."""

    opt = access(Rule.PUBLIC)

    @get(
        "/survey/consent",
        name="respond:consent",
        media_type=MediaType.HTML,
        responses={
            HTTP_303_SEE_OTHER: redirect_response("The survey asks nothing about oneself"),
            **PROBLEM_RESPONSES,
        },
    )
    async def consent_screen(
        self, request: Request, settings: NamedDependency[Settings]
    ) -> Template | Response | Redirect:
        invitation = await current_invitation(request, settings)
        if isinstance(invitation, TokenState):
            return problem_page(request, invitation)
        if not consent.asks_self_identification(invitation.template):
            return see_other(request, "respond:survey")
        context = await consent_context(invitation, settings)
        decided = consent.decision(request.session)
        kiosk = bool((request.session or {}).get(KIOSK_SESSION_KEY))
        return shared_page(
            request,
            ("consent", invitation.wave, context["demographic_minimum"], decided, kiosk),
            "responding/consent.html",
            decided=decided,
            kiosk=kiosk,
            **context,
        )

    @post(
        "/survey/consent",
        name="respond:consent_submit",
        status_code=HTTP_303_SEE_OTHER,
        responses={
            HTTP_303_SEE_OTHER: redirect_response("Decision kept in the session: on to /survey"),
            **PROBLEM_RESPONSES,
            422: html_response("Neither decision was sent: the consent screen again"),
        },
    )
    async def decide(
        self, request: Request, settings: NamedDependency[Settings]
    ) -> Template | Redirect:
        invitation = await current_invitation(request, settings)
        if isinstance(invitation, TokenState):
            return problem_page(request, invitation)
        if not consent.asks_self_identification(invitation.template):
            return see_other(request, "respond:survey")
        chosen = first(await form_values(request), DECISION_FIELD, 10)
        if chosen not in consent.DECISIONS:
            # Only a button of the form says yes: anything else is no decision at all.
            return page(
                request,
                "responding/consent.html",
                status_code=422,
                decided=consent.decision(request.session),
                kiosk=bool((request.session or {}).get(KIOSK_SESSION_KEY)),
                **await consent_context(invitation, settings),
            )
        request.set_session(consent.with_decision(request.session, chosen))
        return see_other(request, "respond:survey")


ROUTES = [ConsentController]
