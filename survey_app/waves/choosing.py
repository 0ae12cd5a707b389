"""What HR chooses from when making a wave: the shipped survey templates, the departments
as a tree, and the question bank grouped by scale.

Plain values for the pages in `survey_app.waves.controllers` and its siblings; nothing here
knows about the web.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey_app.organisation.tree import DepartmentTree, load_tree
from survey_app.tables.identity import WaveDepartment
from survey_app.waves.service import WaveInfo
from surveys import Bank, Question, Template, load_templates


def shipped_templates() -> list[Template]:
    """Every survey template that ships (pulse today; DIG and Quick Scan once they exist),
    pulse first, then by key."""
    templates = load_templates()
    return sorted(templates.values(), key=lambda template: (template.key != "pulse", template.key))


@dataclass(frozen=True)
class DepartmentChoice:
    """A department in the chooser: ticked or not, with the departments below it."""

    code: str
    name: str
    checked: bool
    children: tuple[DepartmentChoice, ...]


def department_choices(tree: DepartmentTree, chosen: set[str]) -> list[DepartmentChoice]:
    """The active departments as a tree, from the roots down, in name order."""

    def branch(parent_id: int | None, seen: frozenset[int]) -> tuple[DepartmentChoice, ...]:
        return tuple(
            DepartmentChoice(
                code=node.code,
                name=node.name,
                checked=node.code in chosen,
                children=branch(node.id, seen | {node.id}),
            )
            for node in tree.children(parent_id)
            if node.active and node.id not in seen
        )

    return list(branch(None, frozenset()))


@dataclass(frozen=True)
class ChosenDepartment:
    code: str
    path: str  # names from the root, e.g. "Gemeente › Sociaal Domein"


async def wave_departments(wave: WaveInfo) -> list[ChosenDepartment]:
    """The departments a wave was made for (each with everything below it), in tree order."""
    tree = await load_tree()
    rows = await WaveDepartment.select(WaveDepartment.department).where(
        WaveDepartment.wave == wave.id
    )
    chosen = [
        ChosenDepartment(tree.nodes[row["department"]].code, tree.display_path(row["department"]))
        for row in rows
        if row["department"] in tree.nodes
    ]
    return sorted(chosen, key=lambda department: department.path)


@dataclass(frozen=True)
class BankGroup:
    """Questions of the bank that belong to one scale (or to none: ``scale`` is None)."""

    scale: str | None
    names: dict[str, str]  # language → the scale's name ("" for questions outside scales)
    questions: tuple[Question, ...]


def bank_groups(bank: Bank, questions: tuple[Question, ...]) -> list[BankGroup]:
    """``questions`` (of ``bank``) grouped by the bank's scales, in the bank's order; the
    questions in no scale last."""
    wanted = {question.key: question for question in questions}
    groups = []
    placed: set[str] = set()
    for scale in bank.scales.values():
        members = tuple(wanted[key] for key in scale.question_keys if key in wanted)
        placed.update(question.key for question in members)
        if members:
            names = {language: scale.name(language) for language in ("nl", "en")}
            groups.append(BankGroup(scale.key, names, members))
    rest = tuple(question for question in questions if question.key not in placed)
    if rest:
        groups.append(BankGroup(None, {"nl": "", "en": ""}, rest))
    return groups
