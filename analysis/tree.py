"""Group paths such as ``Gemeente/Sociaal Domein/Jeugd`` as an indexed tree, rolled up per level."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from analysis.errors import AnalysisError
from analysis.participation import SEPARATOR, ancestors_and_self

ROOT = -1


@dataclass(frozen=True, eq=False)
class GroupTree:
    """Every group at every level, in depth-first order (a parent always before its children).

    Build it with `GroupTree.from_paths`. Index ``i`` is the position of ``paths[i]``;
    ``parents[i]`` is the index of its parent, or `ROOT` (-1) for a top-level group, whose
    parent is the organisation as a whole.
    """

    paths: tuple[str, ...]
    parents: tuple[int, ...]
    children: tuple[tuple[int, ...], ...]
    top_level: tuple[int, ...]

    @classmethod
    def from_paths(cls, paths: Iterable[str]) -> GroupTree:
        """The tree of the given paths and all their ancestors.

        Parameters
        ----------
        paths : iterable of str
            Group paths, ``/``-separated; respondents may sit at any level.

        Returns
        -------
        GroupTree
        """
        every: set[str] = set()
        for path in paths:
            if not path or any(not part for part in path.split(SEPARATOR)):
                raise AnalysisError("invalid_group_path", path=path)
            every.update(ancestors_and_self(path))
        ordered = tuple(sorted(every, key=lambda p: p.split(SEPARATOR)))
        index = {path: i for i, path in enumerate(ordered)}
        parents = tuple(
            index[path.rsplit(SEPARATOR, 1)[0]] if SEPARATOR in path else ROOT for path in ordered
        )
        children: list[list[int]] = [[] for _ in ordered]
        for i, parent in enumerate(parents):
            if parent != ROOT:
                children[parent].append(i)
        return cls(
            paths=ordered,
            parents=parents,
            children=tuple(tuple(c) for c in children),
            top_level=tuple(i for i, p in enumerate(parents) if p == ROOT),
        )

    def __len__(self) -> int:
        return len(self.paths)

    def index(self, path: str) -> int:
        """The index of `path`; KeyError when it is not in the tree."""
        return self._index[path]

    @property
    def _index(self) -> dict[str, int]:
        found = self.__dict__.get("_index_cache")
        if found is None:
            found = {path: i for i, path in enumerate(self.paths)}
            object.__setattr__(self, "_index_cache", found)
        return found

    def depth(self, i: int) -> int:
        return self.paths[i].count(SEPARATOR)

    def indices_of(self, paths: Iterable[str]) -> np.ndarray:
        """The index of each path, as an integer array (for grouping respondents)."""
        index = self._index
        return np.fromiter((index[p] for p in paths), dtype=np.intp)

    def rollup_matrix(self) -> np.ndarray:
        """``M`` with ``M[a, i] = 1`` when group ``a`` is ``i`` or one of its ancestors.

        ``M @ direct`` turns figures of each group's own respondents into figures of the
        group with everything below it. Computed once per tree (read-only).
        """
        found = self.__dict__.get("_rollup_cache")
        if found is None:
            found = self._build_rollup_matrix()
            found.setflags(write=False)
            object.__setattr__(self, "_rollup_cache", found)
        return found

    def _build_rollup_matrix(self) -> np.ndarray:
        size = len(self.paths)
        matrix = np.zeros((size, size))
        for i in range(size):
            node = i
            while node != ROOT:
                matrix[node, i] = 1
                node = self.parents[node]
        return matrix

    def roll_up(self, direct: np.ndarray) -> np.ndarray:
        """Sum figures over each group's subtree along axis 0 (``direct`` has one row per group)."""
        direct = np.asarray(direct)
        flat = direct.reshape(len(self.paths), -1)
        rolled = self.rollup_matrix() @ flat
        if np.issubdtype(direct.dtype, np.integer):
            rolled = np.rint(rolled).astype(direct.dtype)
        return rolled.reshape(direct.shape)
