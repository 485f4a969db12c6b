"""API principals: tokens for people and systems, demo principals for `make run`."""

from __future__ import annotations

import re
from pathlib import Path

import click

from engine.service.principals import ROLES

from .root import engine_errors, main, make_engine


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--group", "groups", multiple=True)
@click.option("--topic", "topics", multiple=True)
@engine_errors
def token_create(name: str, role: str, groups: tuple[str, ...], topics: tuple[str, ...]) -> None:
    """Create a principal and print its token (shown once, stored hashed)."""
    issued = make_engine().create_principal(name, role, groups=groups, topics=topics)
    click.echo(issued.token)


def directory_groups(path: Path) -> list[str]:
    """Every group of `bpmn/directory.yaml`: institutions' groups and one per commune."""
    import yaml

    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    groups: list[str] = []
    for institution in data.get("institutions", []) or []:
        groups += [g["id"] for g in institution.get("groups", []) or [] if g.get("id")]
    for commune in data.get("communes", []) or []:
        group = commune.get("group") or (f"commune-{commune['id']}" if commune.get("id")
                                         else None)
        if group:
            groups.append(group)
    return list(dict.fromkeys(groups))


def bpmn_topics(folder: Path) -> list[str]:
    """The external-task topics drawn in the BPMN files of a folder (for the demo worker)."""
    topics: list[str] = []
    for path in sorted(folder.glob("*.bpmn")):
        topics += re.findall(r'camunda:topic="([^"$]+)"', path.read_text(encoding="utf-8"))
    return list(dict.fromkeys(topics))


@main.command("demo-principals")
@click.option("--directory", default="bpmn/directory.yaml", show_default=True)
@engine_errors
def demo_principals(directory: str) -> None:
    """On an empty principal table: one principal per role and one institution per group."""
    path = Path(directory)
    issued = make_engine().demo_principals(directory_groups(path) or ["demo-group"],
                                           worker_topics=bpmn_topics(path.parent))
    if not issued:
        click.echo("principals exist: nothing done")
    for principal in issued:
        click.echo(f"{principal.role:<14} {principal.name:<32} {principal.token}")
