"""Long-running processes: the development server and the worker."""

from __future__ import annotations

import os
import threading
import time

import click

from .root import fail, main, make_engine

# How often a worker erases the cases past their retention: a TTL counts in days, so a
# few minutes late is nothing, and one indexed query per definition is cheap.
RETENTION_SWEEP_SECONDS = 300.0


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve the API with the development server (production: gunicorn, see README)."""
    from webhooks.secretbox import SecretKeyError
    from workflows.app import create_app

    try:
        app = create_app()
    except SecretKeyError as error:
        fail(str(error))
    app.run(host=host, port=port, threaded=True)


@main.command()
@click.option("--once", is_flag=True, help="one round, then exit")
@click.option("--interval", default=1.0, show_default=True, help="seconds between rounds")
def worker(once: bool, interval: float) -> None:
    """Fire due timers and jobs (async boundaries), send overdue and due-soon notices,
    dispatch webhooks, in a loop;
    every few minutes, erase the closed cases past their retention (`ciiflow purge`).

    Refuses to start (exit 1, one line naming CIIFLOW_SECRET_KEY) when the stored
    webhook secrets do not open with this process's key: it would send nothing.
    Logs JSON lines on standard error, as the API does (`CIIFLOW_LOG_LEVEL`).
    """
    from webhooks import dispatcher as webhook_dispatcher
    from webhooks.health import require_key
    from webhooks.secretbox import SecretKeyError
    from workflows import logs

    logs.configure(os.environ.get("CIIFLOW_LOG_LEVEL", "INFO").upper())
    engine = make_engine()
    try:
        require_key(engine)
    except SecretKeyError as error:
        fail(str(error))
    if once:
        fired = engine.run_due_timers() + engine.run_due_jobs()  # jobs: async boundaries
        notices = engine.run_task_notices()
        sent = webhook_dispatcher.run_once(engine)
        erased = len(engine.purge())
        click.echo(f"timers: {fired}, notices: {notices}, webhooks: {sent}, erased: {erased}")
        return
    # Deliveries poll every 50 ms in their own thread so a task.ready reaches its
    # institution within a fraction of a second; timers only need `interval`.
    stop = threading.Event()
    deliveries = webhook_dispatcher.dispatcher_for(engine)
    thread = threading.Thread(target=deliveries.run_forever, args=(stop,),
                              kwargs={"poll_interval": 0.05}, name="webhooks", daemon=True)
    thread.start()
    next_sweep = 0.0
    try:
        while True:
            busy = (engine.run_due_timers() + engine.run_due_jobs()
                    + engine.run_task_notices())
            if time.monotonic() >= next_sweep:  # retention: cases past historyTimeToLive
                engine.purge()
                next_sweep = time.monotonic() + RETENTION_SWEEP_SECONDS
            if not busy:
                time.sleep(interval)
    except KeyboardInterrupt:  # pragma: no cover - interactive stop
        pass
    finally:
        stop.set()
        thread.join(timeout=20)
        deliveries.close()
