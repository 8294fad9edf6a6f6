"""How times read to a person, in the deployment's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from betterjournal.core.dates import _zone, day, when


@pytest.mark.parametrize(
    "local",
    [
        datetime(2026, 1, 5, 0, 7),  # just after midnight: 12:07 AM
        datetime(2026, 3, 8, 1, 59),  # the night the clocks change
        datetime(2026, 6, 30, 9, 0),
        datetime(2026, 11, 27, 12, 0),  # noon: 12:00 PM
        datetime(2026, 12, 31, 23, 59),
    ],
)
def test_when_reads_like_a_clock_in_the_local_zone(local: datetime) -> None:
    moment = local.replace(tzinfo=_zone()).astimezone(UTC)
    hour = local.strftime("%I").lstrip("0")
    expected = f"{local:%b} {local.day}, {local.year}, {hour}:{local:%M %p}"
    assert when(moment) == expected
    assert day(moment) == f"{local:%b} {local.day}, {local.year}"


def test_every_month_has_its_name() -> None:
    names = [day(datetime(2026, month, 15, 12, tzinfo=UTC)).split()[0] for month in range(1, 13)]
    assert names == [f"{datetime(2026, month, 1):%b}" for month in range(1, 13)]


def test_no_moment_reads_as_nothing() -> None:
    assert when(None) == day(None) == ""
