"""The sync engine (seed 002): Mutatieservice polling, the ``bedrijf_nieuw`` queue processors
and the schedule that runs them in the node. See docs/sync.md."""
