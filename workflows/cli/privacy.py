"""Personal data at the console: retention, the audit chain, a case's full record.

The same operations as the worker's retention sweep and the API's export
(`engine.service.privacy`); a withdrawn consent is a message like any other:
`ciiflow correlate consent_withdrawn --business-key B --actor A`.
"""

from __future__ import annotations

import sys

import click

from engine import Caller

from .root import echo_json, engine_errors, main, make_engine


def _when(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else "-"  # type: ignore[union-attr]


@main.command()
@click.option("--dry-run", is_flag=True, help="only list the cases that would be erased")
@click.option("--limit", default=500, show_default=True, help="cases per run")
@engine_errors
def purge(dry_run: bool, limit: int) -> None:
    """Erase the personal data of closed cases past their process's historyTimeToLive.

    Kept: ids, timestamps, actors, elements and the audit chain; erased: the case
    variables, recorded form data and other values in the history, incident payloads,
    the business key. The worker does the same on its own every few minutes.
    """
    cases = make_engine().purge(dry_run=dry_run, limit=limit)
    if not cases:
        click.echo("no closed case is past its retention")
        return
    click.echo(f"{'instance':<36}  {'process':<16} {'status':<10} {'ended':<25} ttl (days)")
    for c in cases:
        click.echo(f"{c.instance_id:<36}  {c.process_key:<16} {c.status:<10} "
                   f"{_when(c.ended_at):<25} {c.ttl_days}")
    verb = "would be erased (dry run, nothing changed)" if dry_run else "erased"
    click.echo(f"{len(cases)} case(s) {verb}")


@main.group()
def audit() -> None:
    """The tamper-evident history."""


@audit.command()
@click.argument("instance_id", required=False)
@engine_errors
def verify(instance_id: str | None) -> None:
    """Check the hash chain of one case's history, or of every case; names each edited,
    inserted or deleted row and exits 1 when there is one."""
    report = make_engine().verify_audit(instance_id)
    for fault in report.faults:
        click.echo(f"broken: {fault}")
    if report.faults:
        click.echo(f"{report.checked} case(s) checked, {len(report.faults)} fault(s)")
        sys.exit(1)
    click.echo(f"{report.checked} case(s) checked, every history chain intact")


@main.command()
@click.argument("instance_id")
@click.option("--actor", default="cli", help="who reads (logged in the access log)")
@engine_errors
def export(instance_id: str, actor: str) -> None:
    """One case's full record as JSON, for a right-of-access request (the read is logged)."""
    echo_json(make_engine().export_case(instance_id, Caller.operator(actor)))
