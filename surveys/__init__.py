"""Survey definitions as data: the question bank, templates, scoring rules and answer checks.

Pure Python: no database and no web. See FORMAT.md for the definition file format.
"""

from surveys.answers import (
    AnswerError,
    AnswerValue,
    validate_answer,
    validate_answers,
    validate_self_identification,
)
from surveys.errors import DefinitionError
from surveys.loader import build_question, load_bank, load_template, load_templates, template_keys
from surveys.medical import medical_terms
from surveys.model import (
    Band,
    Bank,
    Bilingual,
    LabelSet,
    Option,
    Question,
    Scale,
    ScaleItem,
    Section,
    ValueRange,
)
from surveys.quickscan import QuickScanForm, load_quickscan
from surveys.self_identification import SelfIdCategory, load_self_identification
from surveys.template import Template

__all__ = [
    "AnswerError",
    "AnswerValue",
    "Band",
    "Bank",
    "Bilingual",
    "DefinitionError",
    "LabelSet",
    "Option",
    "Question",
    "QuickScanForm",
    "Scale",
    "ScaleItem",
    "Section",
    "SelfIdCategory",
    "Template",
    "ValueRange",
    "build_question",
    "load_bank",
    "load_quickscan",
    "load_self_identification",
    "load_template",
    "load_templates",
    "medical_terms",
    "template_keys",
    "validate_answer",
    "validate_answers",
    "validate_self_identification",
]
