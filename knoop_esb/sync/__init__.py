"""The sync engine (seed 002): Mutatieservice polling, the ``bedrijf_nieuw`` queue processors,
the priority refresh, the bulk load and the schedule that runs them in the node. See docs/sync.md."""

import threading

#: Set when the node stops: a running poll or process ends after its current page or entry (what
#: it has not finished is polled again or returns with its lease), so shutdown does not wait.
STOPPEN = threading.Event()
