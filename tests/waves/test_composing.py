"""Composing a draft's questionnaire: core items stay, bank questions and own questions are
added, removed and moved, and own questions are checked like the bank's."""

from __future__ import annotations

import pytest

from survey_app import audit
from survey_app.core.clock import utc_now
from survey_app.waves import composing, schedule
from survey_app.waves.composing import CompositionError
from survey_app.waves.schedule import WaveStateError
from survey_app.waves.service import get_wave, wave_template
from surveys import Template, load_template, validate_answers
from tests.helpers import full_answers, load_small_org
from tests.waves.test_schedule import draft

PULSE = [question.key for question in load_template("pulse").questions]


async def keys(wave) -> list[str]:
    return [question.key for question in (await wave_template(wave)).questions]


async def test_a_bank_question_is_added_moved_and_removed() -> None:
    await load_small_org()
    wave = await draft()
    bank_only = (await composing.questionnaire(wave)).addable[0].key
    await composing.add_from_bank(wave, bank_only, actor="hr")
    assert await keys(wave) == [*PULSE, bank_only]
    await composing.move(wave, bank_only, composing.UP, actor="hr")
    assert await keys(wave) == [*PULSE[:-1], bank_only, PULSE[-1]]
    # Past the first question of its section, it joins the section above.
    await composing.move(wave, bank_only, composing.UP, actor="hr")
    await composing.move(wave, bank_only, composing.UP, actor="hr")
    template = await wave_template(wave)
    assert [q.key for q in template.sections[-2].questions] == [
        "development_opportunities",
        bank_only,
        "development_encouraged",
    ]
    assert len(template.sections) == len(load_template("pulse").sections)
    await composing.remove(wave, bank_only, actor="hr")
    assert await keys(wave) == PULSE
    with pytest.raises(CompositionError) as twice:
        await composing.remove(wave, bank_only, actor="hr")
    assert twice.value.code == "not_asked"
    records, total = await audit.search(action="wave.questionnaire_changed")
    assert total == 5
    assert {record.details["question"] for record in records} == {bank_only}


async def test_core_items_cannot_be_removed_but_can_be_moved() -> None:
    await load_small_org()
    wave = await draft()
    with pytest.raises(CompositionError) as refused:
        await composing.remove(wave, "workload_pace", actor="hr")
    assert refused.value.code == "core_item"
    await composing.move(wave, "workload_pace", composing.DOWN, actor="hr")
    assert set(await keys(wave)) == set(PULSE)
    assert await keys(wave) != PULSE


async def test_the_same_bank_question_is_not_asked_twice_and_unknown_ones_not_at_all() -> None:
    await load_small_org()
    wave = await draft()
    with pytest.raises(CompositionError) as asked:
        await composing.add_from_bank(wave, "enps", actor="hr")
    assert asked.value.code == "already_asked"
    with pytest.raises(CompositionError) as unknown:
        await composing.add_from_bank(wave, "no_such_question", actor="hr")
    assert unknown.value.code == "unknown_question"


async def test_own_questions_get_their_own_keys_and_can_be_answered() -> None:
    await load_small_org()
    wave = await draft()
    await composing.add_own(
        wave, "agreement", "Ik weet waar ik terecht kan.", "I know where to turn.", actor="hr"
    )
    await composing.add_own(
        wave, "text", "Wat zou je willen veranderen?", "What would you change?", actor="hr"
    )
    template = await wave_template(wave)
    likert, text = template.question("own_1"), template.question("own_2")
    assert (likert.type, likert.label_set, likert.required) == ("likert", "agreement", True)
    assert likert.text("en") == "I know where to turn."
    assert (text.type, text.required) == ("text", False)
    # The snapshot is a survey like any other: a respondent's answers validate against it.
    form = {key: [value] for key, value in full_answers(own_1="4").items()}
    answers, errors = validate_answers(template, form)
    assert not errors
    assert {answer.question_key for answer in answers} >= {"own_1"}
    # A removed own question's key is taken again by the next one.
    await composing.remove(wave, "own_1", actor="hr")
    await composing.add_own(wave, "frequency", "Ik pauzeer.", "I take breaks.", actor="hr")
    assert (await wave_template(wave)).question("own_1").label_set == "frequency"


@pytest.mark.parametrize(
    ("kind", "text_nl", "text_en", "code"),
    [
        ("agreement", "", "I know where to turn.", "text_nl_required"),
        ("agreement", "Ik weet het.", "   ", "text_en_required"),
        ("agreement", "x" * 301, "I know.", "text_too_long"),
        ("agreement", "Ik weet het.\x00", "I know.", "unstorable"),
        ("likert", "Ik weet het.", "I know.", "kind"),
        # The same text as a question already asked (here a core item), in either language.
        ("agreement", "Nieuwe vraag", "I enjoy my work.", "duplicate_text"),
        ("text", "ik heb plezier in mijn werk.", "Something else", "duplicate_text"),
    ],
)
async def test_a_bad_own_question_is_refused_and_nothing_changes(
    kind: str, text_nl: str, text_en: str, code: str
) -> None:
    await load_small_org()
    wave = await draft()
    with pytest.raises(CompositionError) as refused:
        await composing.add_own(wave, kind, text_nl, text_en, actor="hr")
    assert refused.value.code == code
    assert refused.value.message()
    assert await keys(wave) == PULSE


def test_own_questions_are_checked_by_the_rules_of_the_bank() -> None:
    """`surveys.build_question` is the bank's own validation: a question the bank would
    refuse (an unknown label set) is refused with the bank's words."""
    template: Template = load_template("pulse")
    with pytest.raises(CompositionError) as refused:
        composing.own_question(template, "agreement", "Vraag", "Question", bank=_bank_without())
    assert refused.value.code == "invalid_question"
    assert "unknown label set 'agreement'" in refused.value.message()


def _bank_without():
    from surveys import Bank

    return Bank()


async def test_a_published_wave_keeps_its_questionnaire() -> None:
    await load_small_org()
    wave = await schedule.publish(await draft(), now=utc_now(), actor="hr")
    for change in (
        composing.add_from_bank(wave, "no_matter", actor="hr"),
        composing.add_own(wave, "text", "Vraag", "Question", actor="hr"),
        composing.remove(wave, "own_1", actor="hr"),
        composing.move(wave, "enps", composing.UP, actor="hr"),
    ):
        with pytest.raises((WaveStateError, CompositionError)) as refused:
            await change
        assert refused.value.code in {"not_draft", "unknown_question"}
    # Even through an old copy of the draft, read before it was published.
    stale = (await get_wave(wave.public_id)).__class__(**{**wave.__dict__, "published_at": None})
    with pytest.raises(WaveStateError):
        await composing.add_own(stale, "text", "Vraag", "Question", actor="hr")
    assert await keys(wave) == PULSE
