"""A page of a list: the items and whether more follow (limit + 1 rows are read)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")
MAX_LIMIT = 500


@dataclass
class Page(Generic[T]):
    items: list[T]
    limit: int
    offset: int
    has_more: bool

    @classmethod
    def of(cls, rows: Sequence[T], limit: int, offset: int) -> Page[T]:
        """From `limit + 1` rows read at `offset`: the extra row only says more follow."""
        return cls(list(rows[:limit]), limit, offset, len(rows) > limit)

    # a page reads as the sequence of its items (`for task in engine.tasks(...)`)
    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        return self.items[index]

    def map(self, shape: Callable[[T], Any]) -> dict[str, Any]:
        """The page as an answer body, each item shaped by `shape`."""
        return {"items": [shape(i) for i in self.items], "limit": self.limit,
                "offset": self.offset, "has_more": self.has_more}


def bounded(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(limit, MAX_LIMIT)), max(0, offset)
