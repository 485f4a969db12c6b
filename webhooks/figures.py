"""Delivery figures for `/metrics`: deliveries by status, and how long receivers take.

Deliveries are sent by `ciiflow worker` processes, possibly on other hosts than
the API; the database is what they share, so the figures are read from it when
asked for: every host reports the same, and a restart loses nothing. The
latency histogram is built from the attempt rows (`webhook_attempt.duration_ms`,
one row per HTTP attempt), cumulative as Prometheus expects; it costs one pass
over those rows per scrape.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.exc import SQLAlchemyError

from .access import Host
from .models import WebhookAttempt, WebhookDelivery

#: upper bounds of the latency buckets, in seconds (the total timeout is 15 s by default)
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 30.0)


@dataclass(frozen=True)
class DeliveryFigures:
    #: delivery status (pending, delivered, failed, ...) -> deliveries
    by_status: dict[str, int]
    #: (upper bound in seconds, attempts that took at most that long), cumulative
    latency_buckets: list[tuple[float, int]]
    attempts: int
    #: the attempts' total duration, in seconds
    latency_sum: float


def delivery_figures(host: Host) -> DeliveryFigures:
    """Deliveries by status and the attempts' latency histogram, as of now."""
    bounds = [case((WebhookAttempt.duration_ms <= round(b * 1000), 1), else_=0)
              for b in LATENCY_BUCKETS]
    try:
        with host.readers() as session:
            by_status = {status: int(count) for status, count in session.execute(
                select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status))}
            row = session.execute(select(
                func.count(), func.coalesce(func.sum(WebhookAttempt.duration_ms), 0),
                *(func.coalesce(func.sum(b), 0) for b in bounds))).one()
    except SQLAlchemyError:  # tables not there yet: health reports the migrations
        return DeliveryFigures({}, [(b, 0) for b in LATENCY_BUCKETS], 0, 0.0)
    attempts, total = int(row[0]), float(row[1]) / 1000
    return DeliveryFigures(by_status, [(b, int(n)) for b, n in zip(LATENCY_BUCKETS, row[2:],
                                                                   strict=True)],
                           attempts, total)
