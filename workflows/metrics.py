"""`/metrics` in the Prometheus text format, through `prometheus-client`.

Two kinds of figures, each where it is right with several gunicorn workers:

- what happens in a process (steps saved, tasks completed, cases ended, request
  latency) is counted as it happens, in `prometheus-client` counters and
  histograms. Under gunicorn every worker counts its own; with
  `PROMETHEUS_MULTIPROC_DIR` set (workflows/gunicorn_conf.py sets it) they
  write to files there, and whichever worker answers a scrape adds them all up
  (the library's multiprocess mode). Steps and completions are counted only
  once their transaction commits: the engine tells each saved step and its
  events to the observers this module subscribes (the engine knows nothing of
  them), the counts wait in the session and are added on commit, dropped on
  rollback;
- what lives in the database (incidents open, stuck cases by reason,
  deliveries by status and the receivers' latency) is read from it at each
  scrape through the engine's and the webhooks' operations: every process and
  every host then gives the same figure, whoever sent the deliveries.

No label names a case or a person: labels are reasons, statuses, methods and
route templates only.

Who may read: nobody until `CIIFLOW_METRICS_TOKEN` is set; then a scraper
sending `Authorization: Bearer <that token>` (Prometheus: `authorization:
credentials_file:`). A separate secret, not a principal's token: the scraper
then holds no right on cases.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.utils import floatToGoString
from sqlalchemy import event
from sqlalchemy.orm import Session

from engine import Engine
from engine.runtime.domain_events import DomainEvent, InstanceStateChanged, TaskCompleted
from webhooks.figures import delivery_figures

from .problems import ApiProblem

TOKEN_SETTING = "CIIFLOW_METRICS_TOKEN"
MULTIPROCESS_SETTING = "PROMETHEUS_MULTIPROC_DIR"
PATH = "/metrics"
_PENDING = "ciiflow.metrics_pending"
_INSTALLED = "_metrics_installed"

#: the metrics this process counts (its own registry: several apps in one process,
#: as in tests, share them without registering twice)
LOCAL = CollectorRegistry(auto_describe=True)
STEPS = Counter("ciiflow_steps", "Engine steps saved (one advance of one case).",
                registry=LOCAL)
TASKS_COMPLETED = Counter("ciiflow_task_completions", "User tasks completed.",
                          registry=LOCAL)
CASES_ENDED = Counter("ciiflow_cases_ended", "Cases that ended, by final status.",
                      ["status"], registry=LOCAL)
REQUEST_LATENCY = Histogram(
    "ciiflow_http_request_duration_seconds", "Time to answer an HTTP request.",
    ["method", "route", "status"], registry=LOCAL,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))


# -- counting what the engine does ------------------------------------------------
def _pending(session: Session) -> list[tuple[Any, ...]]:
    return session.info.setdefault(_PENDING, [])


def _on_event(session: Session, domain_event: DomainEvent) -> None:
    if isinstance(domain_event, TaskCompleted):
        _pending(session).append((TASKS_COMPLETED,))
    elif (isinstance(domain_event, InstanceStateChanged)
          and domain_event.new_status in ("completed", "terminated")):
        _pending(session).append((CASES_ENDED, domain_event.new_status))


def _on_step(session: Session) -> None:
    _pending(session).append((STEPS,))


@event.listens_for(Session, "after_commit")
def _count(session: Session) -> None:
    for metric, *labels in session.info.pop(_PENDING, ()):
        (metric.labels(*labels) if labels else metric).inc()


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(_PENDING, None)


def observe(engine: Engine) -> None:
    """Count `engine`'s steps, completions and ended cases (once, however often called)."""
    if getattr(engine, _INSTALLED, False):
        return
    engine.subscribe(_on_event)
    engine.bus.observe_steps(_on_step)
    setattr(engine, _INSTALLED, True)


# -- what the database says, at scrape time ---------------------------------------
class DatabaseFigures:
    """A collector reading the database when scraped (prometheus-client's custom collector)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        figures = self.engine.figures()
        yield GaugeMetricFamily("ciiflow_incidents_open", "Incidents open now.",
                                value=figures.incidents_open)
        cases = GaugeMetricFamily("ciiflow_cases", "Cases now by status.", labels=["status"])
        for status, count in sorted(figures.cases.items()):
            cases.add_metric([status], count)
        yield cases
        stuck = GaugeMetricFamily("ciiflow_stuck_cases",
                                  "Stuck rows now by reason (a case may have several).",
                                  labels=["reason"])
        for reason, count in sorted(self.engine.stuck_counts().items()):
            stuck.add_metric([reason], count)
        yield stuck
        deliveries = delivery_figures(self.engine)
        by_status = GaugeMetricFamily("ciiflow_webhook_deliveries",
                                      "Webhook deliveries now by status.", labels=["status"])
        for status, count in sorted(deliveries.by_status.items()):
            by_status.add_metric([status], count)
        yield by_status
        yield HistogramMetricFamily(
            "ciiflow_webhook_attempt_duration_seconds",
            "How long receivers took to answer a delivery attempt (every attempt kept).",
            buckets=[*((floatToGoString(b), n) for b, n in deliveries.latency_buckets),
                     ("+Inf", deliveries.attempts)],
            sum_value=deliveries.latency_sum)


class _Scrape:
    """The collectors of one scrape, as the one registry `generate_latest` reads."""

    def __init__(self, sources: Iterable[Any]) -> None:
        self.sources = list(sources)

    def collect(self) -> Iterator[Metric]:
        for source in self.sources:
            yield from source.collect()


def exposition(engine: Engine) -> bytes:
    """The text a scrape gets: this process's counts (or every worker's, in multiprocess
    mode) and the database's figures."""
    directory = os.environ.get(MULTIPROCESS_SETTING)
    counted = MultiProcessCollector(None, path=directory) if directory else LOCAL
    return generate_latest(_Scrape([counted, DatabaseFigures(engine)]))  # type: ignore[arg-type]


# -- the Flask side ---------------------------------------------------------------
def _allowed() -> None:
    expected = current_app.config.get("METRICS_TOKEN") or os.environ.get(TOKEN_SETTING)
    if not expected:
        raise ApiProblem(403, f"/metrics is off until {TOKEN_SETTING} is set; a scraper "
                              "then sends it as a bearer token")
    sent = request.headers.get("Authorization", "")
    scheme, _, token = sent.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(),
                                                             expected.encode()):
        raise ApiProblem(401, f"/metrics needs the bearer token of {TOKEN_SETTING}",
                         headers={"WWW-Authenticate": 'Bearer realm="metrics"'})


def _started() -> None:
    g.metrics_started = time.perf_counter()


def _observed(response: Response) -> Response:
    started = g.get("metrics_started")
    if started is not None:
        rule = request.url_rule.rule if request.url_rule is not None else "unmatched"
        REQUEST_LATENCY.labels(request.method, rule, str(response.status_code)).observe(
            time.perf_counter() - started)
    return response


def install(app: Flask, engine: Engine) -> None:
    """Serve `/metrics`, time every request, count the engine's steps and completions."""
    observe(engine)
    app.before_request(_started)
    app.after_request(_observed)

    def metrics() -> Response:
        _allowed()
        return Response(exposition(engine), content_type=CONTENT_TYPE_LATEST,
                        headers={"Cache-Control": "no-store"})

    app.add_url_rule(PATH, "metrics", metrics)
