"""The workflow of a case kept in memory between its steps, under the version it has.

Restoring a case's workflow from its JSON is a quarter of a completion's time
(SpiffWorkflow rebuilds every task and copies every task's data), and a case is
often restored several times at the same version: an institution reads its task,
then completes it; a coordinator completes two forms in a row; a timer fires
after a message. SpiffWorkflow is built to keep running the same workflow object
(its serializer round-trips it: tasks, data, `last_task`, events), so a process
keeps the object a committed step left, keyed by the case's id and the version
that step's compare-and-set wrote.

Why it stays right:
- The version is the compare-and-set's: every write of `instance.state` moves it
  (a step, a migration, the retention erase), and a step reads the version in its
  own transaction. An object kept under another version is never used.
- A step *takes* the object out of the cache, so no other thread sees it while the
  step changes it; the step's object goes back only once its transaction has
  committed (`after_commit`). A rollback, a savepoint rolled back, a failed step or
  a lost compare-and-set leave nothing behind: the next step restores from the
  database, as it always could.
- A read borrows the object the same way and gives it back unchanged, unless a
  newer version arrived meanwhile.
- With `CIIFLOW_STATE_CACHE_CHECK=1` (the test suite sets it), every object taken
  from the cache is serialized and compared with the state the database holds for
  that version, so any divergence fails loudly where it happens.

Bounded: the `CIIFLOW_STATE_CACHE_SIZE` most recently used cases per process
(default 128; 0 turns the cache off). Each process has its own; a miss costs what
every step cost before. Written here because a cache whose entries are moved in
and out by transaction outcome is not what an LRU library offers.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import event
from sqlalchemy.orm import Session

from engine.camunda.serializer import dump_state

#: `session.info` key: {instance id: (version, workflow)} kept once the session commits
_PENDING = "ciiflow_states_pending"
DEFAULT_SIZE = 128


def configured_size() -> int:
    return max(0, int(os.environ.get("CIIFLOW_STATE_CACHE_SIZE", str(DEFAULT_SIZE))))


def checking() -> bool:
    return os.environ.get("CIIFLOW_STATE_CACHE_CHECK", "") not in ("", "0")


def check(wf: BpmnWorkflow, instance_id: str, version: int, stored: str) -> None:
    """`CIIFLOW_STATE_CACHE_CHECK`: a kept object must be the state stored at its version."""
    if dump_state(wf) != stored:
        raise RuntimeError(f"the workflow kept for instance {instance_id} at version "
                           f"{version} is not the state stored at that version")


class StateCache:
    def __init__(self, size: int | None = None) -> None:
        self.size = configured_size() if size is None else size
        self._entries: OrderedDict[str, tuple[int, BpmnWorkflow]] = OrderedDict()
        self._lock = threading.Lock()
        #: how often a step or a read found its version here, and how often not
        self.hits = 0
        self.misses = 0

    def take(self, instance_id: str, version: int) -> BpmnWorkflow | None:
        """The case's workflow at `version`, now the caller's alone; None on a miss."""
        if not self.size:
            return None
        with self._lock:
            entry = self._entries.pop(instance_id, None)
            if entry is None or entry[0] != version:
                self.misses += 1
                return None
            self.hits += 1
            return entry[1]

    def give_back(self, instance_id: str, version: int, wf: BpmnWorkflow) -> None:
        """A read is done with the object it took (unchanged): keep it unless a step
        kept a newer version meanwhile."""
        self._put(instance_id, version, wf, replace=False)

    def keep_after_commit(self, session: Session, instance_id: str, version: int,
                          wf: BpmnWorkflow) -> None:
        """The object a step left, kept once `session` commits what the step wrote."""
        if self.size:
            session.info.setdefault(_PENDING, {})[instance_id] = (self, version, wf)

    def __len__(self) -> int:
        return len(self._entries)

    def _put(self, instance_id: str, version: int, wf: BpmnWorkflow, *,
             replace: bool) -> None:
        wf.script_engine = None  # the step's host holds its session: not kept alive
        with self._lock:
            current = self._entries.get(instance_id)
            if current is not None and not replace and current[0] >= version:
                return
            self._entries[instance_id] = (version, wf)
            self._entries.move_to_end(instance_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


@event.listens_for(Session, "after_commit")
def _keep_committed(session: Session) -> None:
    pending: dict[str, tuple[StateCache, int, Any]] | None = session.info.pop(_PENDING, None)
    for instance_id, (cache, version, wf) in (pending or {}).items():
        cache._put(instance_id, version, wf, replace=True)


@event.listens_for(Session, "after_soft_rollback")
def _drop_uncommitted(session: Session, _previous: Any) -> None:
    # any rollback, a savepoint's included: what a step kept may not be in the database
    session.info.pop(_PENDING, None)
