"""Languages, translations and local time: the one place text is made for a person.

English is the source language: a message's English text is its id in the gettext
catalogue (`betterjournal/locale/fr_CA/LC_MESSAGES/messages.po`, read with Babel at
start-up). Messages are whole sentences with `{named}` values, so a translation can put
the values where its language needs them.

- Pages and components call `components.text.tr(...)`: the text follows the tab's
  language in the browser, without a server round trip.
- States and views call `Reader.t(...)` (states: `self._t(...)`) for text made on the
  server: notices, problems, dates, a card's label. A `Reader` is one person's language
  and time zone; nothing here depends on who is signed in elsewhere.
- Text that is defined before it is shown (a table of problems, a kind's words, a
  field's label) is marked with `N_(...)` and translated when it is shown.

`make messages` extracts every message and updates the French catalogue;
tests/unit/test_translations.py fails when a message lacks its French.
"""

from __future__ import annotations

import functools
import gettext
import io
import re
import string
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from babel.core import get_global
from babel.dates import (
    format_date,
    format_datetime,
    format_skeleton,
    format_time,
    get_day_names,
    get_timezone_location,
    get_timezone_name,
)
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

ENGLISH, FRENCH = "en", "fr-CA"
LANGUAGES = (ENGLISH, FRENCH)
# Each language in its own words, as the settings page and the sign-in page offer it.
LANGUAGE_NAMES = {ENGLISH: "English", FRENCH: "Français (Canada)"}
# The Babel locale (formats of dates and numbers) and catalogue of each language.
_LOCALES = {ENGLISH: "en_CA", FRENCH: "fr_CA"}
LOCALE_DIR = Path(__file__).parent / "locale"


class Message(str):
    """A message's English text, marked for translation when it is shown (see `N_`)."""


def N_(message: str) -> Message:
    """Mark `message` for extraction now and translation later, when it is shown."""
    return Message(message)


class InContext(Message):
    """A message whose English is also another's, but whose translation may differ
    ("Homework": the page, and one item of it, "Devoirs" and "Devoir"). See `pN_`."""

    context: str


def pN_(context: str, message: str) -> InContext:
    """Like `N_`, for a message that needs a `context` to be translated apart (gettext's
    msgctxt: the translator sees it)."""
    marked = InContext(message)
    marked.context = context
    return marked


# The crisis line: at the foot of every page (components/layout.py) and on the offline page
# (pwa.py), with a tap to call or to text.
CRISIS_LINE = N_("Betterjournal is not for emergencies. In crisis, call or text 988.")
CRISIS_CALL = N_("Call 988")
CRISIS_TEXT = N_("Text 988")


# The time zones the settings page offers: Canada's, east to west. A person whose browser
# is set to a zone elsewhere is offered that one too.
TIME_ZONE_CHOICES: tuple[tuple[str, Message], ...] = (
    ("America/St_Johns", N_("Newfoundland time (St. John's)")),
    ("America/Halifax", N_("Atlantic time (Halifax, Moncton)")),
    ("America/Toronto", N_("Eastern time (Toronto, Montréal)")),
    ("America/Winnipeg", N_("Central time (Winnipeg)")),
    ("America/Regina", N_("Saskatchewan time (Regina)")),
    ("America/Edmonton", N_("Mountain time (Edmonton, Calgary)")),
    ("America/Vancouver", N_("Pacific time (Vancouver, Victoria)")),
    ("America/Whitehorse", N_("Yukon time (Whitehorse)")),
)


@functools.cache
def _translations(language: str) -> gettext.NullTranslations:
    """The language's gettext catalogue, read from its .po file (no compiled .mo kept)."""
    if language == ENGLISH:
        return gettext.NullTranslations()
    with open(LOCALE_DIR / _LOCALES[language] / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po, locale=_LOCALES[language])
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@functools.cache
def babel_locale(language: str) -> Locale:
    return Locale.parse(_LOCALES[language])


@functools.cache
def _moment_pattern(language: str) -> str:
    """'Nov 30, 2026, 2:05 p.m.' / '30 nov. 2026, 14 h 05': medium date, short time."""
    locale = babel_locale(language)
    return locale.datetime_formats["medium"].format(
        _time_pattern(language), locale.date_formats["medium"].pattern
    )


@functools.lru_cache(maxsize=8)
def _time_pattern(language: str) -> str:
    """'h:mm a' / 'H 'h' mm': the short time, as written in Québec: '6 h 12', not CLDR's
    '06 h 12' (the Office québécois de la langue française writes the hour without a zero),
    with no-break spaces, so '14 h 00' is never split across two lines."""
    pattern = babel_locale(language).time_formats["short"].pattern
    return pattern.replace("HH", "H").replace(" ", "\u00a0") if language == FRENCH else pattern


@functools.cache
def _weekday_and_day_pattern(language: str) -> str:
    """The language's full date without its year: 'EEEE, MMMM d' / 'EEEE d MMMM' (CLDR's),
    so a day reads in the same order as the language's other dates ('Mar 14, 2027')."""
    full = babel_locale(language).date_formats["full"].pattern
    return re.sub(r"[,\s]*\by+\b", "", full).strip(", ")


@functools.lru_cache(maxsize=1024)
def _long_day(day: date, language: str) -> str:
    """'Tuesday, March 14' / 'mardi 14 mars'. Kept once formatted: a caseload's next sessions
    fall on a few days, at a few times, and Babel takes about 25 µs for each moment."""
    return format_date(day, _weekday_and_day_pattern(language), locale=babel_locale(language))


@functools.lru_cache(maxsize=1024)
def _short_time(hour: int, minute: int, language: str) -> str:
    """'10:00 a.m.' / '10 h 00'."""
    locale = babel_locale(language)
    return format_time(time(hour, minute), _time_pattern(language), locale=locale)


@functools.lru_cache(maxsize=4096, typed=True)
def _number(value: int | float, language: str) -> str:
    """A number as the language writes it ('1,234.5' / '1 234,5'). Kept once formatted: the
    same few counts and scores fill every list, and Babel takes about 30 µs each time."""
    return format_decimal(value, locale=babel_locale(language))


@functools.cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


# A zone's name by (zone, its offset at the moment, language): a caseload's sessions fall in
# one or two periods (standard and daylight time), and Babel takes about 40 µs each time. It
# stays small: the zones the app offers, two offsets each at most, two languages.
_ZONE_NAMES: dict[tuple[str, object, str], str] = {}


def _zone_name(zone: str, moment: datetime, language: str) -> str:
    """The zone's name at `moment` ('Pacific Standard Time' / 'heure normale du Pacifique')."""
    local = moment.astimezone(_zone(zone))
    key = (zone, local.utcoffset(), language)
    if (name := _ZONE_NAMES.get(key)) is None:
        name = _ZONE_NAMES[key] = get_timezone_name(local, "long", locale=babel_locale(language))
    return name


def language_or_default(value: object) -> str:
    """`value` if it names one of the app's languages, else English."""
    return value if isinstance(value, str) and value in LANGUAGES else ENGLISH


def is_time_zone(value: object) -> bool:
    """Whether `value` is an IANA time zone this machine knows, a place's ('America/Halifax')
    or UTC: not a rule with no place ('EST5EDT', 'Etc/GMT+5') nor a file of the machine's
    ('localtime', which follows the server's clock setting: an attack review chose it)."""
    return isinstance(value, str) and value in _time_zone_names()


# The areas of the IANA database whose zones are places (and the older Canada/ and US/ names).
_PLACE_AREAS = (
    "Africa/", "America/", "Antarctica/", "Arctic/", "Asia/", "Atlantic/", "Australia/",
    "Canada/", "Europe/", "Indian/", "Pacific/", "US/",
)  # fmt: skip


@functools.cache
def _time_zone_names() -> frozenset[str]:
    return frozenset(zone for zone in available_timezones() if zone == "UTC" or zone.startswith(_PLACE_AREAS))


def listed_time_zone(zone: str) -> str:
    """One of the app's own zones when `zone` is only another name for it (a browser may
    say 'America/Montreal' for 'America/Toronto': CLDR's aliases); else `zone` as it is."""
    canonical = get_global("zone_aliases").get(zone, zone)
    return canonical if canonical in dict(TIME_ZONE_CHOICES) else zone


def time_zone_name(zone: str, reader: Reader) -> str:
    """A zone outside the app's list, by its city in the reader's language ('Paris time')."""
    place = get_timezone_location(zone, locale=babel_locale(reader.language), return_city=True)
    return reader.t("{place} time", place=place)


_WEIGHTED = re.compile(r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


def alphabetical(text: str) -> str:
    """A key that puts words in the order a dictionary of either language does: letters
    with their accents among the plain ones ("Île" after "Colombie"), case aside."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).casefold()


def from_accept_language(header: str) -> str:
    """The app language a browser asks for first (its Accept-Language header), else English.

    Any French ('fr', 'fr-FR', 'fr-CA') gets Canadian French; any English gets English.
    """
    wanted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        match = _WEIGHTED.match(part)
        if not match:
            continue
        try:
            weight = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        wanted.append((-weight, position, match.group(1).lower()))
    for weight, _, tag in sorted(wanted):
        if weight < 0 and tag.split("-")[0] in ("fr", "en"):
            return FRENCH if tag.startswith("fr") else ENGLISH
    return ENGLISH


_TODAY_AT, _YESTERDAY_AT = N_("Today, {time}"), N_("Yesterday, {time}")


# "de" and "que" before a word starting with a vowel or a mute h lose their e: "Devoirs
# d'Émile", not "Devoirs de Émile". A translation can't know the name it will hold, so
# the message is elided once it is known (a person's name, a tag: text, never a number).
ELIDABLE = r"\b([Dd]|[Qq]u)e "  # "de ", "que ": before a value, here and in the browser's messages
_ELIDABLE_VALUE = re.compile(ELIDABLE + r"\{(\w+)\}")
OPENS_WITH_A_VOWEL = re.compile(r"^[aeiouyhàâäéèêëîïôöûüœæ]", re.IGNORECASE)


def _elided(text: str, values: dict[str, object]) -> str:
    def elide(match: re.Match[str]) -> str:
        value = values.get(match[2])
        if isinstance(value, str) and OPENS_WITH_A_VOWEL.match(value):
            return f"{match[1]}'{{{match[2]}}}"
        return match[0]

    return _ELIDABLE_VALUE.sub(elide, text)


@dataclass(frozen=True)
class Reader:
    """One person's language and time zone: how server-made text reads to them."""

    language: str = ENGLISH
    time_zone: str = "America/Toronto"

    def t(self, message: str, **values: object) -> str:
        """`message` in this reader's language, with its `{named}` values filled in."""
        translations = _translations(self.language)
        if isinstance(message, InContext):
            return self._fill(translations.pgettext(message.context, message), values)
        return self._fill(translations.gettext(message), values)

    def n(self, singular: str, plural: str, count: int, **values: object) -> str:
        """The singular or plural message for `count` (`{count}` is filled in too)."""
        if not values:
            return _counted(self.language, singular, plural, count)
        return self._fill(self.form(singular, plural, count), {**values, "count": count})

    def form(self, singular: str, plural: str, count: int) -> str:
        """The translated form of a counted message that `count` takes, not filled in."""
        return _translations(self.language).ngettext(singular, plural, count)

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.time_zone)

    def number(self, value: int | float) -> str:
        return _number(value, self.language)

    def items(self, parts: list[str]) -> str:
        """Parts of a sentence one after the other, between semicolons ("Monday: 5; Tuesday: 6"),
        spaced as the language writes them (French: a no-break space before the semicolon)."""
        return ("\u00a0; " if self.language == FRENCH else "; ").join(parts)

    def when(self, moment: datetime | None) -> str:
        """'Nov 30, 2026, 2:05 p.m.' in this reader's time zone, or '' for no moment."""
        if moment is None:
            return ""
        return format_datetime(
            moment,
            _moment_pattern(self.language),
            tzinfo=_zone(self.time_zone),
            locale=babel_locale(self.language),
        )

    def recent(self, moment: datetime | None, now: datetime | None = None, *, within: bool = False) -> str:
        """Like `when`, with "Today, 2:05 p.m." / "Yesterday, 2:05 p.m." for those two days
        where this reader is ('' for no moment); `within` a sentence (after a colon, in
        brackets), "today" / "aujourd'hui" (French writes no capital there: a walk-through)."""
        if moment is None:
            return ""
        near = {0: _TODAY_AT, 1: _YESTERDAY_AT}.get(self.days_ago(moment, now))
        if near is None:
            return self.when(moment)
        said = self.t(near, time=self.time(moment))
        return said[:1].lower() + said[1:] if within else said

    def days_ago(self, moment: datetime, now: datetime | None = None) -> int:
        """How many calendar days before today (`now`'s day) `moment` is, where this reader is."""
        zone = _zone(self.time_zone)
        return ((now or datetime.now(zone)).astimezone(zone).date() - moment.astimezone(zone).date()).days

    def time(self, moment: datetime) -> str:
        """'2:05 p.m.' / '14 h 05' in this reader's time zone."""
        locale = babel_locale(self.language)
        return format_datetime(
            moment, _time_pattern(self.language), tzinfo=_zone(self.time_zone), locale=locale
        )

    def day(self, moment: datetime | None) -> str:
        """'Nov 30, 2026' / '30 nov. 2026' in this reader's time zone, or '' for no moment."""
        if moment is None:
            return ""
        locale = babel_locale(self.language)
        return format_datetime(
            moment, locale.date_formats["medium"].pattern, tzinfo=_zone(self.time_zone), locale=locale
        )

    def long_moment(self, moment: datetime) -> str:
        """'Tuesday, March 14, 10:00 a.m.' / 'mardi 14 mars, 10 h 00', in this reader's time zone."""
        local = moment.astimezone(_zone(self.time_zone))
        return (
            babel_locale(self.language)
            .datetime_formats["medium"]
            .format(
                _short_time(local.hour, local.minute, self.language), _long_day(local.date(), self.language)
            )
        )

    def zone_name(self, moment: datetime) -> str:
        """This reader's time zone as it is called at `moment`: 'Pacific Daylight Time' in
        July, 'Pacific Standard Time' in December ('heure avancée du Pacifique', …)."""
        return _zone_name(self.time_zone, moment, self.language)

    def today(self) -> date:
        """Today's date where this reader is."""
        return datetime.now(_zone(self.time_zone)).date()

    def weekday(self, day: date) -> str:
        """'Thursday' / 'jeudi'."""
        return format_date(day, "EEEE", locale=babel_locale(self.language))

    def weekday_names(self) -> list[str]:
        """The seven days, Monday first (as date.weekday() counts): 'Monday' / 'lundi'."""
        names = get_day_names("wide", context="stand-alone", locale=babel_locale(self.language))
        return [names[number] for number in range(7)]

    def short_day(self, day: date) -> str:
        """'Nov 3' / '3 nov.' (with the year when it isn't this year's)."""
        locale = babel_locale(self.language)
        skeleton = "MMMd" if day.year == self.today().year else "yMMMd"
        return format_skeleton(skeleton, day, locale=locale)

    def _fill(self, text: str, values: dict[str, object]) -> str:
        if not values:
            return text
        if self.language == FRENCH:
            text = _elided(text, values)
        shown = {name: self.shown(value) for name, value in values.items()}
        for name, value in shown.items():
            if str(value).endswith("."):  # "… at 8:13 a.m." ends the sentence once, not twice
                text = text.replace(f"{{{name}}}.", f"{{{name}}}")
        return text.format(**shown)

    def shown(self, value: object) -> object:
        """A value as it reads in a message: a marked message translated, a number or a
        moment formatted."""
        if isinstance(value, Message):
            return self.t(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return self.number(value)
        if isinstance(value, datetime):
            return self.when(value)
        return value


@functools.lru_cache(maxsize=4096)
def _counted(language: str, singular: str, plural: str, count: int) -> str:
    """'3 overdue assignments': a message with only its count, kept once written (the same few
    counts fill every list)."""
    reader = Reader(language)
    return reader._fill(reader.form(singular, plural, count), {"count": count})


def placeholders(message: str) -> set[str]:
    """The `{named}` values a message uses."""
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}
