"""API principals: tokens for people and systems, demo principals for `make run`."""

from __future__ import annotations

from pathlib import Path

import click

from engine.store.principals import ROLES, Principal, create_principal

from .root import fail, main, make_engine


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--group", "groups", multiple=True)
@click.option("--topic", "topics", multiple=True)
def token_create(name: str, role: str, groups: tuple[str, ...], topics: tuple[str, ...]) -> None:
    """Create a principal and print its token (shown once, stored hashed)."""
    engine = make_engine()
    with engine.sessions.begin() as session:
        if session.query(Principal.id).filter(Principal.name == name).first():
            fail(f"a principal named {name} exists")
        _, clear = create_principal(session, name=name, role=role, groups=list(groups),
                                    now=engine.clock.now(), topics=list(topics))
    click.echo(clear)


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
    import re

    topics: list[str] = []
    for path in sorted(folder.glob("*.bpmn")):
        topics += re.findall(r'camunda:topic="([^"$]+)"', path.read_text(encoding="utf-8"))
    return list(dict.fromkeys(topics))


@main.command("demo-principals")
@click.option("--directory", default="bpmn/directory.yaml", show_default=True)
def demo_principals(directory: str) -> None:
    """On an empty principal table: one principal per role and one institution per group."""
    engine = make_engine()
    with engine.sessions.begin() as session:
        if session.query(Principal.id).first() is not None:
            click.echo("principals exist: nothing done")
            return
        now = engine.clock.now()
        created: list[tuple[str, str, str]] = []
        for role in ROLES:
            if role == "institution":
                continue
            topics = bpmn_topics(Path(directory).parent) if role == "worker" else []
            _, clear = create_principal(session, name=f"demo-{role}", role=role, groups=[],
                                        now=now, topics=topics)
            created.append((f"demo-{role}", role, clear))
        for group in directory_groups(Path(directory)) or ["demo-group"]:
            _, clear = create_principal(session, name=group, role="institution",
                                        groups=[group], now=now)
            created.append((group, "institution", clear))
    for name, role, clear in created:
        click.echo(f"{role:<14} {name:<32} {clear}")
