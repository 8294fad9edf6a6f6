"""How timestamps read to a person, in the deployment's time zone."""

from __future__ import annotations

import functools
from datetime import datetime
from zoneinfo import ZoneInfo

from betterjournal.settings import get_settings


@functools.cache
def _zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def when(moment: datetime | None) -> str:
    """'Nov 27, 2026, 2:05 PM', or '' for no moment."""
    if moment is None:
        return ""
    local = moment.astimezone(_zone())
    return f"{local:%b} {local.day}, {local.year}, {local:%I:%M %p}".replace(", 0", ", ")


def day(moment: datetime | None) -> str:
    """'Nov 27, 2026', or '' for no moment."""
    if moment is None:
        return ""
    local = moment.astimezone(_zone())
    return f"{local:%b} {local.day}, {local.year}"
