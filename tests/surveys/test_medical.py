"""The medical-word check of the Quick Scan's free texts (surveys/medical.py)."""

from __future__ import annotations

import tomllib

import pytest

from surveys import medical_terms
from surveys.medical import TERMS_PATH


def test_the_list_is_long_enough_and_has_no_duplicates():
    terms = tomllib.loads(TERMS_PATH.read_text(encoding="utf-8"))["terms"]
    assert len(terms) >= 60
    assert len({term.casefold() for term in terms}) == len(terms)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mijn burn-out van vorig jaar speelt nog", ("burn-out",)),
        ("Ik was depressief; de Depressie duurde lang", ("depressief", "Depressie")),
        ("Na de operatie lag ik twee weken in het ziekenhuis", ("operatie", "ziekenhuis")),
        ("Ik slik sinds maart antidepressiva", ("antidepressiva",)),
        (
            "Ik ga wekelijks naar de psycholoog en de fysiotherapeut",
            ("psycholoog", "fysiotherapeut"),
        ),
        ("Mijn huisarts heeft migraine vastgesteld", ("huisarts", "migraine")),
        ("Ik ben zwanger, uitgerekend in mei", ("zwanger",)),
        ("Ze heeft een angststoornis en ADHD", ("angststoornis", "ADHD")),
        ("Mijn ADHD-medicatie maakt me moe", ("ADHD", "medicatie")),
        ("Kanker bij mijn moeder, en ik heb zelf een hernia", ("Kanker", "hernia")),
        ("Sinds de chemokuur is het zwaar; de CHEMO stopt in juni", ("chemokuur", "CHEMO")),
        ("Ik heb diabetes en moet insuline spuiten", ("diabetes", "insuline")),
        ("I see a psychologist for my anxiety disorder", ("psychologist", "anxiety disorder")),
        ("I am on medication for depression", ("medication", "depression")),
        ("My GP referred me to a psychiatrist", ("GP", "psychiatrist")),
        ("After the surgery I spent a week in hospital", ("surgery", "hospital")),
        ("She is pregnant and had a miscarriage last year", ("pregnant", "miscarriage")),
        ("I had a panic  attack in the\nmeeting", ("panic  attack",)),
        ("My therapist suggested therapy twice a week", ("therapist", "therapy")),
        ("The diagnosis was burnout", ("diagnosis", "burnout")),
        ("Burnout, burnout, BURNOUT", ("Burnout",)),
        ("Heeft een Burn Out gehad", ("Burn Out",)),
        ("Sinds 2020 heb ik ME/CVS", ("ME/CVS",)),
        ("Ik krijg hulp via de GGZ-instelling", ("GGZ",)),
    ],
)
def test_medical_words_are_found_as_typed_once_and_in_order(text, expected):
    assert medical_terms(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Het ziekteverzuim in ons team is hoog",
        "Ik wil graag een gesprek met de bedrijfsarts",
        "De werkdruk is de laatste maanden te hoog",
        "Ik ben moe aan het eind van de week",
        "Ik ben vorige week ziek geweest",
        "Mijn ziekmelding is doorgegeven aan HR",
        "I would like to talk to the company doctor",
    ],
)
def test_work_words_and_the_company_doctor_are_not_medical(text):
    assert medical_terms(text) == ()


# Ordinary things people write in a self-assessment, a summary or an agreement.
WORKPLACE_NL = [
    "Ik haal veel energie uit het contact met klanten.",
    "De vele vergaderingen kosten me energie.",
    "Ik wil graag een cursus projectmanagement volgen.",
    "We spreken af dat ik op vrijdag thuiswerk.",
    "De samenwerking met het planningsteam kan beter.",
    "Ik zou graag meer verantwoordelijkheid krijgen in het project.",
    "Het nieuwe roostersysteem geeft onrust in de groep.",
    "Ik mis duidelijkheid over mijn doelen voor dit jaar.",
    "Jan plant elke twee weken een kort overleg in.",
    "Over drie maanden kijken we of de nieuwe taakverdeling werkt.",
    "Ik voel me gewaardeerd door mijn collega's.",
    "De reistijd naar kantoor is lang, dat kost me veel tijd.",
    "Ik wil doorgroeien naar een rol als teamleider.",
    "Mijn leidinggevende is goed bereikbaar en denkt mee.",
    "De werkplek op de afdeling is rumoerig en ik kan me slecht concentreren.",
    "Ik heb te weinig tijd voor het inwerken van nieuwe collega's.",
    "We zoeken samen naar een oplossing voor de piek in december.",
    "Ik ga minder uren werken zodat ik voor mijn kinderen kan zorgen.",
    "Het verzuim op de afdeling zorgt voor extra diensten.",
    "Ik sta open voor een detachering bij een andere vestiging.",
    "Het kankeren over de planning helpt niemand verder.",
    "Ik ben trots op wat we dit kwartaal hebben bereikt.",
]
WORKPLACE_EN = [
    "Talking to customers gives me a lot of energy.",
    "The number of meetings drains my energy.",
    "I would like to follow a course in data analysis.",
    "We agreed that I will work from home on Fridays.",
    "Collaboration with the operations team could be better.",
    "I am looking for more responsibility in the migration project.",
    "My manager is easy to reach and helps me think things through.",
    "The open-plan office is noisy and I find it hard to focus.",
    "I am tired after the long shifts around the holidays.",
    "We will review the new division of tasks in three months.",
    "I feel appreciated by my colleagues.",
    "The commute takes too much of my time.",
    "I want to grow into a team lead role next year.",
    "The operation of the new warehouse went smoothly.",
    "I joined the hospitality team in spring.",
    "We use MS Teams for most of our stand-ups.",
    "I had some stress around the release deadline.",
    "Sick leave in our department is higher than last year.",
    "I would like clearer goals and more feedback.",
    "Planning the rosters takes up a large part of my week.",
    "I would like to mentor new colleagues.",
    "I reviewed the CVs of three candidates for the vacancy.",
    "The workload is fine now that the backlog is cleared.",
]


@pytest.mark.parametrize("text", WORKPLACE_NL + WORKPLACE_EN)
def test_ordinary_workplace_text_gives_no_hit(text):
    assert medical_terms(text) == ()


def test_there_are_enough_ordinary_sentences_in_both_languages():
    assert len(WORKPLACE_NL) >= 15 and len(WORKPLACE_EN) >= 15
    assert len(WORKPLACE_NL) + len(WORKPLACE_EN) >= 30
