"""Structured logging. Every line carries the message context bound with :func:`bind_message`
(referentienummer, WS-Addressing MessageID, afnemer OIN) so one exchange can be followed."""
from __future__ import annotations

import logging
import sys
from typing import TextIO, cast

import structlog
from structlog.contextvars import bind_contextvars, bound_contextvars, clear_contextvars

from knoop_esb.config import secrets

__all__ = ["setup", "get", "bind_message", "bound_contextvars", "clear_contextvars"]


def setup(level: str = "INFO", fmt: str = "console") -> None:
    renderer = structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            # After the traceback is rendered, so a secret in an exception's text is masked too.
            secrets.mask_event,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=cast(TextIO, _CurrentStderr())),
        cache_logger_on_first_use=False,
    )


class _CurrentStderr:
    """Whatever ``sys.stderr`` is at write time: a stream bound once at set-up may be closed later
    (pytest's capture of one test), and every later log line would then fail."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def get(name: str):
    return structlog.get_logger(name)


def bind_message(**context: str | None) -> None:
    """Bind message identifiers (referentienummer=…, message_id=…, afnemer=…) for this thread/task."""
    bind_contextvars(**{k: v for k, v in context.items() if v})
