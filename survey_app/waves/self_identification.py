"""Which self-identification questions a wave asks (issue 16): none unless HR chooses them.

A template offers categories (`surveys/data/self_identification.toml`); a wave's snapshot
keeps only the chosen ones, so what respondents are asked, and what consent they give, is
fixed when the wave is published. Asking fewer is data minimisation: every category is
sensitive personal data, and each one asked makes small groups smaller. While a wave is a
draft its choice can change; the audit trail records the category keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from survey_app.core.errors import N_
from survey_app.waves.composing import change_questionnaire
from survey_app.waves.service import WaveError, WaveInfo, shipped_template
from surveys import SelfIdCategory, Template, load_self_identification, load_templates

# On the command line, every category the template offers.
ALL = "all"


class SelfIdentificationError(WaveError):
    """A choice of self-identification questions the wave's survey does not offer."""

    messages: ClassVar[dict[str, str]] = {
        "unknown_self_identification": N_(
            "Unknown self-identification question: {name} (choose from: {valid})"
        ),
        "no_self_identification": N_(
            "The survey {template} asks no questions about the respondent: choose none."
        ),
    }


def offered(template_key: str) -> tuple[SelfIdCategory, ...]:
    """The categories the shipped template offers (none for an unknown template)."""
    try:
        return shipped_template(template_key).self_identification
    except WaveError:
        return ()


def offered_anywhere() -> tuple[SelfIdCategory, ...]:
    """The categories any shipped template offers, once each, in the file's order."""
    keys = {c.key for t in load_templates().values() for c in t.self_identification}
    return tuple(c for key, c in load_self_identification().items() if key in keys)


def chosen_keys(template_key: str, keys: Sequence[str]) -> tuple[str, ...]:
    """``keys`` checked against what the template offers, in the offered order; ``all``
    (alone) stands for every offered category. Raises SelfIdentificationError."""
    available = [category.key for category in offered(template_key)]
    wanted = list(dict.fromkeys(key.strip() for key in keys if key.strip()))
    if wanted == [ALL]:
        return tuple(available)
    if wanted and not available:
        raise SelfIdentificationError("no_self_identification", template=template_key)
    for key in wanted:
        if key not in available:
            raise SelfIdentificationError(
                "unknown_self_identification", name=key, valid=", ".join(available)
            )
    return tuple(key for key in available if key in wanted)


def template_asking(template_key: str, keys: Sequence[str]) -> Template:
    """The shipped template as a new wave asks it, with the chosen categories only."""
    chosen = chosen_keys(template_key, keys)
    return shipped_template(template_key).with_self_identification(chosen)


async def change(wave: WaveInfo, keys: Sequence[str], *, actor: str) -> Template:
    """Let a draft ask the categories ``keys`` (none: an empty list) from now on."""
    chosen = chosen_keys(wave.template_key, keys)

    def edit(template: Template) -> tuple[Template, str]:
        return template.with_self_identification(chosen), ",".join(chosen)

    return await change_questionnaire(
        wave, actor, "self_identification", edit, subject="self_identification"
    )
