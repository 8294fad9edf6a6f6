"""Mood charts, drawn for one person: Plotly figures (as JSON) built on the server from one client's
check-ins (core/checkins.py computes the numbers), with every word and date in the
reader's language and time zone (Babel), and nothing in them but what they draw.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel.core import Locale
from babel.dates import format_date, format_skeleton, get_day_names

from betterjournal.core import checkins
from betterjournal.core.checkins import Reading
from betterjournal.i18n import N_, Message, Reader, babel_locale

# The ranges a trend chart shows, and how many days back each starts (None: all).
RANGES: tuple[tuple[str, Message, int | None], ...] = (
    ("2w", N_("2 weeks"), 14),
    ("3m", N_("3 months"), 91),
    ("1y", N_("1 year"), 365),
    ("all", N_("All"), None),
)
RANGE_DAYS = {name: days for name, _, days in RANGES}
# Colour-blind-safe colours (Okabe–Ito), one per rating.
COLOURS = {"mood": "#0072B2", "anxiety": "#D55E00", "energy": "#009E73", "sleep_quality": "#CC79A7"}
LABELS = dict(checkins.RATINGS)


@dataclass(frozen=True)
class Chart:
    """A chart and its text for screen readers (and everyone)."""

    figure: dict  # Plotly's figure JSON: {"data": [traces], "layout": {…}}, its table in layout.meta
    summary: str
    compared: bool = False  # window(): the weeks before drawn too, in grey

    @property
    def drawn(self) -> bool:
        """Whether it draws anything (else its summary alone says why)."""
        return bool(self.figure["data"])


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> dict:
    """The numbers a chart draws, as text: a header row and one row per point (a day, a
    weekday, a tag), in the reader's words and number format ("Show as a table")."""
    return {"head": list(head), "rows": [list(row) for row in rows]}


TICK_CHARACTERS = 14


def _short(words: str, characters: int = TICK_CHARACTERS) -> str:
    """A name's start, to label an axis on a phone: "Talking with my…" for a 40-character tag
    (drawn whole, it squeezed the plot)."""
    return words if len(words) <= characters else words[: characters - 1].rstrip() + "…"


def _shorts_apart(names: Sequence[str]) -> list[str]:
    """Each name's start (`_short`), longer where two would read the same (a walk-through:
    "Visiting my parents…" and "Visiting my partner's…" were both "Visiting my p…")."""
    lengths = [TICK_CHARACTERS] * len(names)
    while True:
        starts = [_short(name, length) for name, length in zip(names, lengths, strict=True)]
        alike = {i for i, start in enumerate(starts) if starts.count(start) > 1 and start != names[i]}
        if not alike:
            return starts
        for i in alike:
            lengths[i] += 4


def _drawn(words: str) -> str:
    """A person's words (a scale's or a tag's name) as Plotly draws them: Plotly reads
    `<a href>`, `<b>` and the like in names and labels as its own markup, so they are
    escaped and show as typed (INPUT-3). The text table shows the words as they are."""
    return html.escape(words, quote=False)


# The trace's own name in a point's label: the name is never pasted into the template, where
# Plotly would read a typed "%{...}" as a placeholder.
_NAME_IN_LABEL = "<extra>%{fullData.name}</extra>"


def _cell(reader: Reader, value: float | None) -> str:
    return "–" if value is None else reader.number(round(value, 1))


def made_since(range_name: str, now: datetime) -> datetime | None:
    """The earliest a check-in drawn in this range (with the week its first rolling average
    looks back on) can have been written: a check-in is never for a later time than it was
    written (core/checkins.py), so older rows need not be read. None: all of them."""
    days = RANGE_DAYS.get(range_name)
    if days is None:
        return None
    return now - timedelta(days=days + 8) - checkins.CLOCK_SKEW


def first_day(today: date, range_name: str) -> date | None:
    """The first day a range draws, where the reader is (None: every day)."""
    days = RANGE_DAYS.get(range_name)
    return None if days is None else today - timedelta(days=days - 1)


# Room right of a date axis for half of today's label, the last tick (else Plotly hides it).
DATE_AXIS_RIGHT = 24


# Colours for the extra scales, in turn: hues apart from the four above, each at least 3:1
# against the page in light and in dark mode (Okabe–Ito's orange, sky blue, black and
# yellow, used before, each vanished in one of them: 1.1–2.3:1).
EXTRA_COLOURS = ("#A6761D", "#7570B3", "#7A7A00", "#C1408B")
# Around each day of the year in pixels: its colour runs from dark to light (mood 0 on
# a dark page, 10 on a white one: 1.2:1), so each day has an edge seen on either (3.4:1, 5.5:1).
DAY_EDGE = "#8A8A8A"


def trend(
    readings: list[Reading],
    range_name: str,
    reader: Reader,
    now: datetime,
    scales: Sequence[checkins.Label] = (),
) -> Chart:
    """Each rating's daily values as points and its 7-day rolling average as a line, over the
    range; days without a check-in are gaps, never zeros. `scales`: the extra scales to
    draw too (the client's, or for a clinician the suggested ones only)."""
    today = now.astimezone(reader.zone).date()
    since = first_day(today, range_name)
    traces: list[dict] = []
    locale = babel_locale(reader.language)
    day_label = functools.cache(lambda day: format_date(day, "medium", locale=locale))
    days_shown: set[date] = set()
    drawn = [(dimension, reader.t(label), COLOURS[dimension]) for dimension, label in checkins.RATINGS]
    drawn += [
        (scale.id, scale.name, EXTRA_COLOURS[index % len(EXTRA_COLOURS)])
        for index, scale in enumerate(scales)
    ]
    columns: list[tuple[str, Mapping[date, float | None]]] = []
    for dimension, name, colour in drawn:
        line = checkins.series(readings, dimension, reader.time_zone, since=since)
        if not line.days:
            continue
        days_shown.update(line.days)
        hover = [day_label(day) for day in line.days]
        traces.append(
            dict(
                type="scatter",
                x=[day.isoformat() for day in line.days],
                y=line.values,
                mode="markers",
                name=_drawn(name),
                legendgroup=dimension,
                marker={"color": colour, "size": 9},
                customdata=hover,
                hovertemplate="%{customdata}: %{y}" + _NAME_IN_LABEL,
            )
        )
        average = reader.t("{label}, 7-day average", label=name)
        columns += [
            (name, dict(zip(line.days, line.values, strict=True))),
            (average, dict(zip(line.days, line.rolling, strict=True))),
        ]
        # The average is a day's mean over the seven ending it: undefined only on a day with
        # no check-in in its seven, where the line stops.
        x, y, _ = broken_at_gaps(line.days, line.rolling, longest=checkins.ROLLING_DAYS)
        traces.append(
            dict(
                type="scatter",
                x=x,
                y=y,
                mode="lines",
                name=_drawn(average),
                legendgroup=dimension,
                showlegend=False,
                line={"color": colour, "width": 2},
                hoverinfo="skip",  # the points carry the values; the line needs no labels of its own
            )
        )
    first = since or (min(days_shown) if days_shown else today)
    room = _end_room(first, today)
    layout = dict(
        margin={"l": 32, "r": DATE_AXIS_RIGHT, "t": 8, "b": 32},
        height=300,
        showlegend=True,
        legend={"orientation": "h", "y": -0.2},
        hovermode="closest",
        dragmode=False,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        yaxis={"range": [-0.5, 10.5], "dtick": 2, "fixedrange": True, "gridcolor": "#e2e2e2"},
        xaxis={
            "type": "date",
            "range": [(first - room).isoformat(), (today + room).isoformat()],
            "fixedrange": True,
            "tickvals": [day.isoformat() for day in ticks(first, today)],
            "ticktext": [_tick_label(day, (today - first).days, locale) for day in ticks(first, today)],
            "gridcolor": "#e2e2e2",
        },
    )
    mean, count = checkins.summary_numbers(
        readings, "mood", None if since is None else datetime.combine(since, datetime.min.time(), reader.zone)
    )
    if mean is None:
        summary = reader.t("No check-ins in this range yet.")
    else:
        summary = reader.n(
            "Average mood {mean} over this range, {count} check-in.",
            "Average mood {mean} over this range, {count} check-ins.",
            count,
            mean=mean,
        )
    table = _table(
        [reader.t("Day"), *(name for name, _ in columns)],
        [
            [day_label(day), *(_cell(reader, values.get(day)) for _, values in columns)]
            for day in sorted(days_shown)
        ],
    )
    return Chart(_figure(traces, layout, table), summary)


def broken_at_gaps(
    days: Sequence[date], values: Sequence[float], labels: Sequence[str] = (), *, longest: int = 1
) -> tuple[list[str], list[float | None], list[str]]:
    """A line's x, y (and hover labels) with a null point (Plotly draws no line through it)
    after each day whose next is more than `longest` days later."""
    x: list[str] = []
    y: list[float | None] = []
    named: list[str] = []
    for index, day in enumerate(days):
        if index and (day - days[index - 1]).days > longest:
            x.append((days[index - 1] + timedelta(days=1)).isoformat())
            y.append(None)
            named.append("")
        x.append(day.isoformat())
        y.append(values[index])
        named.append(labels[index] if labels else "")
    return x, y, named


def ticks(first: date, last: date, most: int = 5) -> list[date]:
    """At most `most` days from `first` to `last` for the date axis, about evenly spaced,
    the last always `last` (today, where the newest point is)."""
    span = (last - first).days
    step = max(1, -(-span // (most - 1))) if most > 1 else span or 1
    offsets = list(range(0, span + 1, step))
    if offsets[-1] != span:  # then fewer than `most`: room for `last`, or it takes the
        if span - offsets[-1] <= step / 2:  # place of a tick too close to it
            offsets[-1] = span
        else:
            offsets.append(span)
    return [first + timedelta(days=offset) for offset in offsets]


def _tick_label(day: date, span_days: int, locale: Locale) -> str:
    """'Nov 17' / '17 nov.'; over most of a year or more, the month and year ('Nov 2025')."""
    return format_skeleton("yMMM" if span_days > 300 else "MMMd", day, locale=locale)


# Mood from 0 (dark) to 10 (light), readable by colour-blind readers (cividis).
MOOD_SCALE = "Cividis"


def _plain_layout(height: int) -> dict:
    return dict(
        margin={"l": 40, "r": 8, "t": 8, "b": 32},
        height=height,
        showlegend=False,
        hovermode="closest",
        dragmode=False,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )


def _figure(traces: list[dict], layout: dict, table: dict) -> dict:
    """A figure as Plotly's JSON, built here from plain traces: Plotly's Python figure
    objects check every value (about 100 ms for five years of points) and weigh about
    20 MiB in each process; the browser's Plotly draws the JSON as it is. The same numbers
    travel with it as a table (`layout.meta`, which Plotly keeps and does not draw), for
    the page's "Show as a table"."""
    return {"data": traces, "layout": {**layout, "meta": {"table": table}}}


def _month_ticks(first: date, today: date) -> list[date]:
    """The first days of every other month from `first` to `today`, this month's always among
    them (a walk-through found this week's squares under no label); none in the first month
    of the axis, whose name would be this month's a year back, at the other end."""
    starts = [
        day for day in (first + timedelta(days=n) for n in range((today - first).days + 1)) if day.day == 1
    ]
    return [day for day in starts[::-1][::2][::-1] if (day - first).days >= 28]


def calendar(readings: list[Reading], reader: Reader, now: datetime) -> Chart:
    """A year in pixels: each day of the last 53 weeks a square coloured by its average mood
    (a day without a check-in has none); weeks across, weekdays down."""
    locale = babel_locale(reader.language)
    today = now.astimezone(reader.zone).date()
    first = today - timedelta(days=today.weekday() + 52 * 7)  # a Monday, 53 weeks back
    by_day = {
        day: sum(values) / len(values)
        for day, values in checkins.daily(readings, "mood", reader.time_zone).items()
        if first <= day <= today
    }
    days = sorted(by_day)
    weekdays = get_day_names("abbreviated", locale=locale)
    traces = [
        dict(
            type="scatter",
            x=[(day - first).days // 7 for day in days],
            y=[day.weekday() for day in days],
            mode="markers",
            marker={
                "symbol": "square",
                "size": 6,
                "line": {"width": 1, "color": DAY_EDGE},
                "color": [round(by_day[day], 1) for day in days],
                "colorscale": MOOD_SCALE,
                "cmin": 0,
                "cmax": 10,
                "showscale": False,
            },
            customdata=[format_date(day, "medium", locale=locale) for day in days],
            hovertemplate="%{customdata}: %{marker.color}<extra></extra>",
        )
    ]
    months = _month_ticks(first, today)
    layout = _plain_layout(150)
    layout.update(
        xaxis={
            "range": [-1, 53],
            "fixedrange": True,
            "showgrid": False,
            "zeroline": False,
            "tickvals": [(month - first).days // 7 for month in months],
            "ticktext": [format_date(month, "MMM", locale=locale) for month in months],
        },
        yaxis={
            "range": [6.7, -0.7],
            "fixedrange": True,
            "showgrid": False,
            "zeroline": False,
            "tickvals": [0, 2, 4, 6],
            "ticktext": [weekdays[d] for d in (0, 2, 4, 6)],
        },
    )
    summary = reader.n(
        "Average mood by day over the last year: {count} day with a check-in.",
        "Average mood by day over the last year: {count} days with a check-in.",
        len(days),
    )
    table = _table(
        [reader.t("Day"), reader.t("Mood")],
        [[format_date(day, "medium", locale=locale), _cell(reader, by_day[day])] for day in days],
    )
    return Chart(_figure(traces, layout, table), summary)


def by_weekday(readings: list[Reading], reader: Reader) -> Chart:
    """Average mood by weekday, each bar with how many days it is over."""
    locale = babel_locale(reader.language)
    names = get_day_names("wide", locale=locale)
    means = checkins.weekday_means(readings, "mood", reader.time_zone)
    traces = [
        dict(
            type="bar",
            x=[names[d] for d in means],
            y=[mean for mean, _ in means.values()],
            marker={"color": COLOURS["mood"]},
            customdata=[reader.n("{count} day", "{count} days", count) for _, count in means.values()],
            hovertemplate="%{x}: %{y} (%{customdata})<extra></extra>",
        )
    ]
    layout = _plain_layout(220)
    layout.update(
        xaxis={"fixedrange": True},
        yaxis={"range": [0, 10], "dtick": 2, "fixedrange": True, "gridcolor": "#e2e2e2"},
    )
    table = _table(
        [reader.t("Weekday"), reader.t("Mood"), reader.t("Days")],
        [[names[d], _cell(reader, mean), reader.number(count)] for d, (mean, count) in means.items()],
    )
    if not means:
        return Chart(_figure(traces, layout, table), reader.t("No check-ins yet."))
    parts = [
        reader.t(
            "{day}: {mean} ({days})",
            day=names[d],
            mean=mean,
            days=reader.n("{count} day", "{count} days", count),
        )
        for d, (mean, count) in means.items()
    ]
    return Chart(
        _figure(traces, layout, table), reader.t("Average mood by weekday: {list}.", list=reader.items(parts))
    )


def by_tag(readings: list[Reading], tags: Sequence[checkins.Label], reader: Reader) -> Chart:
    """Average mood with and without each tag, with how many check-ins each is over: what
    went together, never why."""

    def check_ins(count: int) -> str:
        return reader.n("{count} check-in", "{count} check-ins", count)

    rows = [(tag, checkins.with_and_without(readings, tag.id)) for tag in tags]
    rows = [(tag, numbers) for tag, numbers in rows if numbers[1]]  # tags on a check-in
    names = [_drawn(tag.name) for tag, _ in rows]
    starts = [_drawn(start) for start in _shorts_apart([tag.name for tag, _ in rows])]
    traces: list[dict] = []
    sides = ((reader.t("With the tag"), 0, COLOURS["mood"]), (reader.t("Without it"), 2, "#999999"))
    for label, at, colour in sides:
        traces.append(
            dict(
                type="bar",
                name=label,
                x=names,
                y=[numbers[at] for _, numbers in rows],
                marker={"color": colour},
                # The whole name in a point's label (`%{x}` would be the axis's shortened one).
                customdata=[
                    [name, check_ins(int(numbers[at + 1] or 0))]
                    for name, (_, numbers) in zip(names, rows, strict=True)
                ],
                hovertemplate="%{customdata[0]}: %{y} (%{customdata[1]})" + _NAME_IN_LABEL,
            )
        )
    layout = _plain_layout(240)
    layout.update(
        barmode="group",
        showlegend=True,
        # Above the bars: under them, long names tilted into it (a walk-through).
        legend={"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom"},
        margin={**layout["margin"], "t": 32},
        # Each bar by the start of its tag's name (the whole name in its label and the table).
        xaxis={"fixedrange": True, "tickvals": names, "ticktext": starts},
        yaxis={"range": [0, 10], "dtick": 2, "fixedrange": True, "gridcolor": "#e2e2e2"},
    )
    table = _table(
        [reader.t("Tag"), *(label for label, _, _ in sides)],
        [
            [
                tag.name,
                *(
                    f"{_cell(reader, numbers[at])} ({check_ins(int(numbers[at + 1] or 0))})"
                    for _, at, _ in sides
                ),
            ]
            for tag, numbers in rows
        ],
    )
    if not rows:  # no category to name: an axis of 0 2 4 6 and a legend for nothing said nothing
        layout.update(showlegend=False, xaxis={"visible": False, "fixedrange": True})
        return Chart(
            _figure(traces, layout, table),
            reader.t("Add tags to your check-ins to see how mood went with them."),
        )
    parts = [
        reader.t(
            "{tag}: {with_mean} with it ({with_count}), {without_mean} without ({without_count})",
            tag=tag.name,
            with_mean=with_mean,
            with_count=check_ins(with_count),
            without_mean="–" if without_mean is None else without_mean,
            without_count=check_ins(without_count),
        )
        for tag, (with_mean, with_count, without_mean, without_count) in rows
    ]
    return Chart(
        _figure(traces, layout, table),
        reader.t("Average mood with and without each tag: {list}.", list=reader.items(parts)),
    )


SPARK_DAYS, SPARK_WIDTH, SPARK_HEIGHT = 14, 140, 40


def sparkline(readings: list[Reading], reader: Reader, now: datetime) -> tuple[str, str]:
    """A client's last two weeks of mood for a clinician's list: an SVG path of one dot per
    day with a check-in (a day without one has none), and the same in words."""
    today = now.astimezone(reader.zone).date()
    first = today - timedelta(days=SPARK_DAYS - 1)
    line = checkins.series(readings, "mood", reader.time_zone, since=first)
    step = SPARK_WIDTH / SPARK_DAYS
    scale = (SPARK_HEIGHT - 8) / 10  # mood 0 at the bottom, 10 at the top, 4 px inside
    dots = [
        f"M{(day - first).days * step + step / 2:.1f} {SPARK_HEIGHT - 4 - value * scale:.1f}h0"
        for day, value in zip(line.days, line.values, strict=True)
        if day <= today
    ]
    since = datetime.combine(first, datetime.min.time(), reader.zone)
    mean, count = checkins.summary_numbers(readings, "mood", since)
    if mean is None:
        return "", reader.t("No shared check-ins in the last 14 days.")
    summary = reader.n(
        "Average mood {mean} over the last 14 days, {count} shared check-in.",
        "Average mood {mean} over the last 14 days, {count} shared check-ins.",
        count,
        mean=mean,
    )
    return "".join(dots), summary


FAINT = "#8d8d8d"  # the previous window, for comparison (with the grey of the page, 3.3:1)


# What the window's chart says, by (a session was held, the check-ins are those shared with
# the reader): before any session is held, the window is the last two weeks; a clinician's
# chart holds only what the client shared, and says so when there is none.
_WINDOW_NONE = {
    (True, False): N_("No check-ins since the last session."),
    (True, True): N_("No shared check-ins since the last session."),
    (False, False): N_("No check-ins in the last two weeks."),
    (False, True): N_("No shared check-ins in the last two weeks."),
}
_WINDOW_BEFORE = {True: N_("Before the last session"), False: N_("The two weeks before")}


def _end_room(first: date, last: date) -> timedelta:
    """Room for a whole point at each end of a chart's days: on a phone a year is about a
    pixel a day, and a point at today drawn on the edge was cut in half. A fiftieth of the
    span, at least a day."""
    return timedelta(days=max(1, -(-(last - first).days // 50)))


def window(
    readings: list[Reading],
    reader: Reader,
    *,
    since: datetime,
    now: datetime,
    before: datetime | None = None,
    held: bool = True,
    shared: bool = False,
) -> Chart:
    """Mood since the last session (`held`; else the last two weeks), day by day (points and
    the line through them; a day without a check-in is a gap), with, from `before`, the
    previous window's days in faint grey for comparison. The summary speaks of this window
    only; `shared`: the readings are those shared with the reader (a clinician)."""
    locale = babel_locale(reader.language)
    start = since.astimezone(reader.zone).date()
    today = now.astimezone(reader.zone).date()
    # The window starts at its moment, not its day: a check-in the morning before the session
    # belongs to the window before, as the summary counts it (a walk-through's brief drew it
    # as this window's and said "No shared check-ins since the last session").
    earlier = checkins.series([r for r in readings if r.felt_at < since], "mood", reader.time_zone)
    line = checkins.series([r for r in readings if r.felt_at >= since], "mood", reader.time_zone)
    # The weeks before are drawn only when they hold something to compare with: else the
    # axis is this window's alone, as its heading says ("the last two weeks").
    first = before.astimezone(reader.zone).date() if before is not None else start
    compared = any(first <= day <= start for day in earlier.days)
    if not compared:
        first = start
    room = _end_room(first, today)
    day_label = functools.cache(lambda day: format_date(day, "medium", locale=locale))
    mood = reader.t(LABELS["mood"])
    traces = []
    columns: list[tuple[str, dict[date, float]]] = []
    for name, series, days, colour, width in (
        (reader.t(_WINDOW_BEFORE[held]), earlier, [d for d in earlier.days if first <= d <= start], FAINT, 1),
        (mood, line, [d for d in line.days if d <= today], COLOURS["mood"], 2),
    ):
        if not days:
            continue
        values = [series.values[series.days.index(day)] for day in days]
        columns.append((name, dict(zip(days, values, strict=True))))
        # The line joins next days only: across a day without a check-in (or one not shared)
        # it would say how that day went (an attack review).
        x, y, labels = broken_at_gaps(days, values, [day_label(day) for day in days])
        traces.append(
            dict(
                type="scatter",
                x=x,
                y=y,
                mode="lines+markers",
                name=name,
                connectgaps=False,
                line={"color": colour, "width": width},
                marker={"color": colour, "size": 8 if width > 1 else 6},
                customdata=labels,
                hovertemplate="%{customdata}: %{y}" + _NAME_IN_LABEL,
            )
        )
    layout = _plain_layout(220)
    layout.update(
        margin={**layout["margin"], "r": DATE_AXIS_RIGHT},
        showlegend=compared,
        legend={"orientation": "h", "y": -0.25},
        yaxis={"range": [-0.5, 10.5], "dtick": 5, "fixedrange": True, "gridcolor": "#e2e2e2"},
        xaxis={
            "type": "date",
            "range": [(first - room).isoformat(), (today + room).isoformat()],
            "fixedrange": True,
            "tickvals": [day.isoformat() for day in ticks(first, today, 4)],
            "ticktext": [format_skeleton("MMMd", day, locale=locale) for day in ticks(first, today, 4)],
            "gridcolor": "#e2e2e2",
        },
    )
    mean, count = checkins.summary_numbers(readings, "mood", since)
    if mean is None:
        summary = reader.t(_WINDOW_NONE[held, shared])
    else:
        summary = (
            reader.n(
                "Average mood {mean} since the last session, {count} check-in.",
                "Average mood {mean} since the last session, {count} check-ins.",
                count,
                mean=mean,
            )
            if held
            else reader.n(
                "Average mood {mean} in the last two weeks, {count} check-in.",
                "Average mood {mean} in the last two weeks, {count} check-ins.",
                count,
                mean=mean,
            )
        )
    shown = sorted({day for _, values in columns for day in values})
    table = _table(
        [reader.t("Day"), *(name for name, _ in columns)],
        [[day_label(day), *(_cell(reader, values.get(day)) for _, values in columns)] for day in shown],
    )
    return Chart(_figure(traces, layout, table), summary, compared=compared)
