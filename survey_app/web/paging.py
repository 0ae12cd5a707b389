"""Lists shown a page at a time."""

from __future__ import annotations

import math
from dataclasses import dataclass

# A page number beyond any list; a bound for the query parameter.
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Paging:
    page: int
    pages: int
    total: int
    per_page: int

    @classmethod
    def of(cls, requested: int, total: int, per_page: int) -> Paging:
        pages = max(1, math.ceil(total / per_page))
        return cls(min(max(1, requested), pages), pages, total, per_page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def first(self) -> int:
        return min(self.total, self.offset + 1)

    @property
    def last(self) -> int:
        return min(self.total, self.offset + self.per_page)
