"""The console's tables: a header line, one line per row, and what to do next.

Every listing command prints the same way, so that a coordinator reads them
alike and a script can cut columns: a heading line first; when there is
nothing, one sentence saying so instead; when the page is not the last, how to
ask for the next. A column has a width, except the last, which takes the rest
of the line (names and reasons have spaces). Right-aligned columns are for
numbers. Small and local on purpose: a table library would bring its own
borders and wrapping, which breaks cutting by column.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import click


@dataclass(frozen=True)
class Column:
    heading: str
    width: int | None = None  # None: the rest of the line
    right: bool = False


def line(columns: Sequence[Column], values: Sequence[str]) -> str:
    cells = []
    for column, value in zip(columns, values, strict=True):
        if column.width is None:
            cells.append(value)
        elif column.right:
            cells.append(f"{value:>{column.width}}")
        else:
            cells.append(f"{value:<{column.width}}")
    return "  ".join(cells).rstrip()


def echo_table(columns: Sequence[Column], rows: Iterable[Sequence[str]], *, empty: str,
               next_offset: int | None = None) -> None:
    """Print the table, or `empty` when there is no row; `next_offset` when there is more."""
    rows = list(rows)
    if not rows:
        click.echo(empty)
        return
    click.echo(line(columns, [c.heading for c in columns]))
    for values in rows:
        click.echo(line(columns, values))
    if next_offset is not None:
        click.echo(f"… more: --offset {next_offset}")
