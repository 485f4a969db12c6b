"""`ciiflow history ID`: a case's history at the console, as `GET /instances/{id}/history`.

The operator reads every row with its detail (the CLI's caller sees every case);
the read is logged in the access log under `--actor`.
"""

from __future__ import annotations

import json

import click

from engine import Caller
from engine.service.history import HistoryEntry

from .root import echo_json, engine_errors, main, make_engine
from .table import Column, echo_table

_COLUMNS = (Column("SEQ", 5, right=True), Column("AT", 25), Column("KIND", 24),
            Column("ACTOR", 24), Column("ELEMENT", 40), Column("DETAIL"))

DETAIL_WIDTH = 70


def _element(entry: HistoryEntry) -> str:
    if entry.activity_id is None:
        return "-"
    if entry.activity_name and entry.activity_name != entry.activity_id:
        return f"{entry.activity_name} ({entry.activity_id})"
    return entry.activity_id


def _detail(entry: HistoryEntry) -> str:
    """The detail on one line: the flows a gateway took by name, else compact JSON."""
    if entry.flows:
        return "→ " + ", ".join(name or flow for flow, name in entry.flows)
    if not entry.detail:
        return ""
    text = json.dumps(entry.detail, default=str, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= DETAIL_WIDTH else text[:DETAIL_WIDTH - 1] + "…"


def _json(entry: HistoryEntry) -> dict[str, object]:
    return {"seq": entry.seq, "at": entry.at, "kind": entry.kind, "actor": entry.actor,
            "activity_id": entry.activity_id, "activity_name": entry.activity_name,
            "task_id": entry.task_id, "detail": entry.detail,
            "flows": [{"id": flow, "name": name} for flow, name in entry.flows]}


@main.command()
@click.argument("instance_id")
@click.option("--kind", "kinds", multiple=True, help="only rows of this kind (repeatable)")
@click.option("--newest", is_flag=True, help="newest first (default: oldest first)")
@click.option("--limit", default=100, show_default=True)
@click.option("--offset", default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="the page as JSON, as the API answers")
@click.option("--actor", default="cli", show_default=True,
              help="who reads (kept in the access log)")
@engine_errors
def history(instance_id: str, kinds: tuple[str, ...], newest: bool, limit: int, offset: int,
            as_json: bool, actor: str) -> None:
    """A case's history: what happened, who acted, what was decided (form data, decision
    inputs and rules, gateway branches, reasons)."""
    page = make_engine().history(instance_id, Caller.operator(actor), kinds=kinds or None,
                                 newest_first=newest, limit=limit, offset=offset)
    if as_json:
        echo_json(page.map(_json))
        return
    echo_table(_COLUMNS, (
        (str(e.seq), e.at.isoformat(), e.kind, e.actor or "-", _element(e), _detail(e))
        for e in page.items),
        empty="no history row" + (f" of kind {', '.join(kinds)}" if kinds else "")
        + (f" from offset {offset}" if offset else ""),
        next_offset=offset + limit if page.has_more else None)
