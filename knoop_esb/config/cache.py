"""State built once per loaded configuration (a handler's router, sources, afnemer registry).

A process normally has one Config, tests have many: keying on the Config object keeps each test
node's state apart, and building under a lock keeps concurrent first requests from building twice.
"""
from __future__ import annotations

import functools
import threading
from typing import Callable, TypeVar

T = TypeVar("T")


def per_config(factory: Callable[..., T]) -> Callable[..., T]:
    """Decorate ``factory(config)`` so it runs once per Config object."""
    built: dict[int, tuple[object, T]] = {}
    lock = threading.Lock()

    @functools.wraps(factory)
    def get(config) -> T:
        found = built.get(id(config))
        if found is None or found[0] is not config:
            with lock:
                found = built.get(id(config))
                if found is None or found[0] is not config:
                    # Holding the Config keeps its id from being reused by another object.
                    found = built[id(config)] = (config, factory(config))
        return found[1]

    return get
