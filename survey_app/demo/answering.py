"""How the demo's fictional staff answer: a mood per person from their department's
climate, correlated answers around it with some noise, and comments from a list of the
things municipal staff write about. Used by the pulse waves (`survey_app.demo.builder`)
and the DIG wave (`survey_app.demo.dig`)."""

from __future__ import annotations

import random
from collections.abc import Mapping

from surveys import AnswerValue, Question, Template

# How each department tends to answer: a shift on the 1–5 scale, for realistic differences.
CLIMATE = {
    "SD-JO-N": 0.3,
    "SD-JO-Z": -0.5,
    "SD-WMO": -0.3,
    "SD-WI-INK": -0.2,
    "FD-BOR-GR": 0.4,
    "FD-BOR-WR": 0.1,
    "FD-VTH": -0.4,
    "BV-ICT": -0.1,
    "BV-KCC": -0.6,
    "BV-HR": 0.3,
    "BS-COM": 0.5,
    "FD-RO": 0.2,
}

COMMENTS = {
    "workload": [
        "De werkdruk is al maanden te hoog, we lopen achter met de dossiers.",
        "Er komt steeds meer werk bij terwijl er mensen vertrekken.",
        "Door de vacatures moeten we veel overwerken en dat houdt niemand lang vol.",
        "Het is rustiger dan vorig jaar, de nieuwe collega's helpen echt.",
    ],
    "manager": [
        "Mijn leidinggevende staat echt open voor ideeën en denkt mee.",
        "Ik mis waardering van mijn leidinggevende voor wat we doen.",
        "Onze teamleider is bijna nooit aanwezig, beslissingen blijven liggen.",
        "Fijne leidinggevende, ik kan altijd binnenlopen als er iets is.",
    ],
    "ict": [
        "De laptops zijn traag en het zaaksysteem valt regelmatig uit.",
        "Inloggen via de VPN lukt thuis vaak niet, dat kost veel tijd.",
        "Het nieuwe zaaksysteem werkt nog niet goed, we doen veel dubbel werk.",
        "Teams en de nieuwe telefonie werken prima, goede verbetering.",
    ],
    "hybrid": [
        "Thuiswerken bevalt goed, ik kan me thuis beter concentreren.",
        "Op kantoor zijn er te weinig flexplekken op dinsdag en donderdag.",
        "Door het hybride werken zie ik mijn teamgenoten bijna niet meer.",
    ],
    "development": [
        "Er is weinig ruimte voor opleiding, het budget is altijd op.",
        "Ik zou graag een cursus volgen maar daar is geen tijd voor.",
        "Fijn dat ik de leergang heb mogen volgen, ik heb er veel aan.",
    ],
    "pay": [
        "Het salaris blijft achter bij andere gemeenten in de regio.",
        "De reiskostenvergoeding is te laag nu ik vaker naar kantoor moet.",
    ],
    "collaboration": [
        "De samenwerking met het andere team loopt stroef, informatie komt te laat.",
        "Fijne collega's, we helpen elkaar als het druk is.",
        "Tussen de afdelingen wordt te weinig samengewerkt, iedereen werkt op een eiland.",
    ],
    "communication": [
        "Besluiten van het management worden slecht uitgelegd.",
        "We horen veranderingen vaak pas via de wandelgangen.",
    ],
    "inclusion": [
        "Niet iedereen voelt zich even welkom in ons team.",
        "Ik durf in het teamoverleg niet altijd te zeggen wat ik denk.",
    ],
    "facilities": [
        "Het gemeentehuis is slecht geventileerd, 's middags is het benauwd.",
        "De kantine is prima, maar de koffieautomaat is vaak stuk.",
    ],
}


def synthetic_answers(
    template: Template,
    rng: random.Random,
    climate: float,
    with_comment: float,
    shifts: Mapping[str, float] | None = None,
) -> list[AnswerValue]:
    """Answers of one fictional person: correlated items, department climate, some noise;
    ``shifts`` moves the answers to some items (by question key), e.g. those of a scale
    that changes over the waves (`survey_app.demo.story`)."""
    mood = rng.gauss(climate, 0.7)
    shifts = shifts or {}
    answers: list[AnswerValue] = []
    for question in template.questions:
        if question.type == "text":
            if rng.random() < with_comment:
                themes = rng.sample(sorted(COMMENTS), k=1 if rng.random() < 0.7 else 2)
                text = " ".join(rng.choice(COMMENTS[theme]) for theme in themes)
                answers.append(AnswerValue(question.key, None, None, text))
            continue
        if not question.required and rng.random() < 0.1:
            continue
        answers.extend(synthetic_answer(question, rng, mood + shifts.get(question.key, 0.0)))
    return answers


def synthetic_answer(question: Question, rng: random.Random, mood: float) -> list[AnswerValue]:
    """One person's answer to a numeric or choice question, in a given ``mood``."""
    if question.type in {"likert", "scale"}:
        low, high = question.min_value or 0, question.max_value or 5
        middle = low + (high - low) * 0.62
        spread = (high - low) / 4
        value = middle + (mood + rng.gauss(0, 0.6)) * spread
        if question.reverse_scored:
            value = low + high - value
        number = max(low, min(high, round(value)))
        return [AnswerValue(question.key, number, None, None)]
    options = [option.key for option in question.options]
    if question.type == "single_choice":
        return [AnswerValue(question.key, None, rng.choice(options), None)]
    chosen = rng.sample(options, k=rng.randint(1, min(3, len(options))))
    return [AnswerValue(question.key, None, key, None) for key in chosen]
