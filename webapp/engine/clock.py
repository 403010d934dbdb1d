"""The engine's notion of "now", movable for `timers run --as-of`.

SpiffWorkflow's timer module reads `datetime.now(timezone.utc)` directly and has no clock
injection, so firing timers "as of" a later instant swaps that module's `datetime` for a
subclass whose `now()` answers the chosen instant, under a lock, for the duration of one call.
"""

import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import SpiffWorkflow.bpmn.specs.event_definitions.timer as _timer_module

_lock = threading.RLock()
_real_datetime = _timer_module.datetime


ZONE = ZoneInfo("Asia/Shanghai")  # the officials' clock: dates on pages, in messages and working days


def now():
    return datetime.now(UTC)


def local(instant):
    return instant.astimezone(ZONE)


@contextmanager
def as_of(instant):
    """Make SpiffWorkflow's timers see `instant` as the current time."""
    if instant is None:
        yield
        return

    class _Frozen(_real_datetime):
        @classmethod
        def now(cls, tz=None):
            return instant.astimezone(tz) if tz else instant.replace(tzinfo=None)

    with _lock:
        _timer_module.datetime = _Frozen
        try:
            yield
        finally:
            _timer_module.datetime = _real_datetime
