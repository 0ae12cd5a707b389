"""The department tree as loaded from the database: paths, subtrees and display names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from survey_app.tables.identity import Department

PATH_SEPARATOR = "/"


@dataclass(frozen=True)
class DepartmentNode:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    active: bool


@dataclass(frozen=True)
class DepartmentTree:
    """All departments, active and former, indexed for walking up and down the tree."""

    nodes: dict[int, DepartmentNode]

    @classmethod
    def from_rows(cls, rows: Iterable[dict]) -> DepartmentTree:
        return cls(
            {
                row["id"]: DepartmentNode(
                    id=row["id"],
                    code=row["code"],
                    name=row["name"],
                    level=row["level"],
                    parent_id=row["parent"],
                    active=row["active"],
                )
                for row in rows
            }
        )

    def by_code(self, code: str) -> DepartmentNode | None:
        return next((node for node in self.nodes.values() if node.code == code), None)

    def ancestors(self, department_id: int) -> list[DepartmentNode]:
        """From the root down to and including ``department_id``."""
        chain: list[DepartmentNode] = []
        seen: set[int] = set()
        current: int | None = department_id
        while current is not None and current not in seen:
            seen.add(current)
            node = self.nodes[current]
            chain.append(node)
            current = node.parent_id
        return list(reversed(chain))

    def path(self, department_id: int) -> str:
        """Codes from the root, e.g. ``GEM/SD/JEUGD``; codes never contain the separator."""
        return PATH_SEPARATOR.join(node.code for node in self.ancestors(department_id))

    def display_path(self, department_id: int) -> str:
        return " › ".join(node.name for node in self.ancestors(department_id))

    def children(self, department_id: int | None) -> list[DepartmentNode]:
        return sorted(
            (node for node in self.nodes.values() if node.parent_id == department_id),
            key=lambda node: node.name,
        )

    def subtree_ids(self, department_id: int) -> set[int]:
        found = {department_id}
        frontier = [department_id]
        while frontier:
            parent = frontier.pop()
            for node in self.nodes.values():
                if node.parent_id == parent and node.id not in found:
                    found.add(node.id)
                    frontier.append(node.id)
        return found

    def name_for_path(self, path: str) -> str:
        code = path.rsplit(PATH_SEPARATOR, 1)[-1]
        node = self.by_code(code)
        return node.name if node else code


async def load_tree() -> DepartmentTree:
    rows = await Department.select(
        Department.id,
        Department.code,
        Department.name,
        Department.level,
        Department.parent,
        Department.active,
    )
    return DepartmentTree.from_rows(rows)


def in_subtree(path: str, root_path: str) -> bool:
    """Whether the department path ``path`` is ``root_path`` or lies below it."""
    return path == root_path or path.startswith(root_path + PATH_SEPARATOR)
