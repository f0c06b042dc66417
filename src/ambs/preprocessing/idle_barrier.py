"""Wait for the other MPI ranks without spinning, so a rank that is done gives its core to one that is not.

MPICH waits in a blocking collective by polling at full speed. When ranks share cores
(more ranks than free cores, or a busy node), the rank that finished first then takes CPU
time from the ranks it is waiting for. A non-blocking barrier tested every millisecond,
with a sleep in between, costs nothing measurable when every rank has its own core.
"""

from __future__ import annotations

import time
from typing import Any

POLL_SECONDS = 0.001


def wait_for_all(comm: Any, poll_seconds: float = POLL_SECONDS) -> None:
    """Return once every rank of ``comm`` has called this, sleeping between tests."""
    request = comm.Ibarrier()
    while not request.Test():
        time.sleep(poll_seconds)
