"""Consent to the optional questions about oneself (DIG self-identification).

Self-identification asks for special categories of personal data (GDPR article 9), so it
rests on explicit consent (article 9(2)(a)), asked on a screen of its own before the
survey. The decision lives only in the respondent's encrypted survey cookie, never on the
server, and is per person: a code slip or a kiosk starts a new session without one.
Answers about oneself are stored only when all three agree at the moment of sending: the
session holds consent, the form was the one with the questions (``self_id_consent``), and
the respondent did not withdraw consent on the form (``self_id_withdraw``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from survey_app.waves.thresholds import Thresholds
from surveys import Template

# Session key and values: the decision taken on the consent screen.
CONSENT_SESSION_KEY = "self_id_consent"
GIVEN = "yes"
REFUSED = "no"
DECISIONS = (GIVEN, REFUSED)

# Form fields of the survey's "About you" section besides the categories' own
# (`SelfIdCategory.field_name`); every one starts with "self_id_", which the browser draft
# skips: static/js/app.js keeps none of them.
CONSENT_FIELD = "self_id_consent"
WITHDRAW_FIELD = "self_id_withdraw"


def asks_self_identification(template: Template) -> bool:
    """Whether the wave's survey offers questions about oneself (and so a consent screen)."""
    return bool(template.self_identification)


def decision(session: Mapping[str, Any] | None) -> str | None:
    """``GIVEN``, ``REFUSED`` or None (not decided yet) in a survey session."""
    value = (session or {}).get(CONSENT_SESSION_KEY)
    return value if value in DECISIONS else None


def with_decision(session: Mapping[str, Any] | None, value: str) -> dict[str, Any]:
    """The session with ``value`` (``GIVEN`` or ``REFUSED``) as the decision."""
    if value not in DECISIONS:
        raise ValueError(f"not a consent decision: {value!r}")
    return {**(session or {}), CONSENT_SESSION_KEY: value}


def shows_questions(template: Template, session: Mapping[str, Any] | None) -> bool:
    """Whether the survey form has the "About you" section: offered, and consent given."""
    return asks_self_identification(template) and decision(session) == GIVEN


def may_store(
    template: Template, session: Mapping[str, Any] | None, form: Mapping[str, Sequence[str]]
) -> bool:
    """Whether the answers about oneself in ``form`` may be stored (and so are checked).

    A form with such fields but without consent in the session (a tampered or stale form)
    stores none of them, and neither does a form whose withdraw box is ticked.
    """
    return (
        shows_questions(template, session)
        and list(form.get(CONSENT_FIELD, [])) == [GIVEN]
        and not any(value.strip() for value in form.get(WITHDRAW_FIELD, []))
    )


def demographic_minimum(thresholds: Thresholds) -> int:
    """The smallest group for which figures by a self-identified category are shown."""
    return thresholds.min_demographic_group_size
