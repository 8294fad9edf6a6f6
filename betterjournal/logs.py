"""Logs that never carry what people write (INPUT-5).

The framework logs event payloads, headers (with the session cookie) and tracebacks
when an event can't be processed. Every warning or error from the framework and the
Socket.IO layer is reduced to its logger, its level, the exception type and an error id.
Our own code logs only ids and types.
"""

from __future__ import annotations

import logging
import uuid

REDACTED_LOGGERS = ("reflex", "reflex_base", "socketio", "engineio", "granian", "asyncio")
_installed = False


def _redact(record: logging.LogRecord) -> None:
    error_id = uuid.uuid4().hex[:12]
    kind = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else "no exception"
    record.msg = "%s (%s; details withheld, error id %s)"
    record.args = (record.levelname.lower(), kind, error_id)
    record.exc_info = None
    record.exc_text = None
    record.stack_info = None


def install_redaction() -> None:
    """Make every framework warning or error record safe before any handler sees it."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def safe_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if record.levelno >= logging.WARNING and record.name.split(".")[0] in REDACTED_LOGGERS:
            _redact(record)
        return record

    logging.setLogRecordFactory(safe_record)
    _installed = True
