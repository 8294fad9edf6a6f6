"""How text and times read to a person: their language (Babel) and their time zone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import reflex as rx
from reflex_base.vars.base import VarData

from betterjournal.components.text import tr, tr_counted
from betterjournal.core.errors import InvalidInput
from betterjournal.core.journal import KIND
from betterjournal.i18n import ENGLISH, FRENCH, LANGUAGES, N_, TIME_ZONE_CHOICES, Reader, from_accept_language
from betterjournal.state.base import AppState

NBSP, NNBSP = "\u00a0", "\u202f"
# 19:05 UTC on 30 November 2026: 11:05 in Vancouver, 15:05 in Halifax.
MOMENT = datetime(2026, 11, 30, 19, 5, tzinfo=UTC)


def test_dates_read_in_each_language() -> None:
    assert Reader(ENGLISH, "America/Vancouver").when(MOMENT) == f"Nov 30, 2026, 11:05{NNBSP}a.m."
    assert Reader(FRENCH, "America/Vancouver").when(MOMENT) == "30 nov. 2026, 11\u00a0h\u00a005"
    assert Reader(FRENCH, "America/Halifax").day(MOMENT) == "30 nov. 2026"
    assert Reader(ENGLISH, "America/Halifax").day(MOMENT) == "Nov 30, 2026"


def test_french_writes_the_hour_as_quebec_does() -> None:
    """'6 h 12', not CLDR's '06 h 12', wherever a time is written."""
    early = datetime(2026, 11, 30, 11, 12, tzinfo=UTC)  # 6:12 in Montréal
    montreal = Reader(FRENCH, "America/Toronto")
    assert montreal.time(early) == "6\u00a0h\u00a012"
    assert montreal.when(early) == "30 nov. 2026, 6\u00a0h\u00a012"
    assert montreal.long_moment(early) == "lundi 30 novembre, 6\u00a0h\u00a012"


def test_the_same_moment_reads_in_each_persons_own_time_zone() -> None:
    vancouver = Reader(FRENCH, "America/Vancouver").when(MOMENT)
    halifax = Reader(ENGLISH, "America/Halifax").when(MOMENT)
    assert vancouver.endswith("11\u00a0h\u00a005")
    assert halifax.endswith(f"3:05{NNBSP}p.m.")


@pytest.mark.parametrize(
    "local",
    [
        datetime(2026, 1, 5, 0, 7),  # just after midnight
        datetime(2026, 3, 8, 3, 30),  # the morning the clocks change
        datetime(2026, 6, 30, 9, 0),
        datetime(2026, 11, 27, 12, 0),  # noon
        datetime(2026, 12, 31, 23, 59),  # the day before a new year
    ],
)
def test_a_moment_reads_like_the_local_clock(local: datetime) -> None:
    zone = "America/Toronto"
    moment = local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    french = Reader(FRENCH, zone).when(moment)
    assert french.endswith(f"{local.hour}\u00a0h\u00a0{local.minute:02d}")
    assert f"{local.day} " in french and str(local.year) in french
    hour = local.hour % 12 or 12
    english = Reader(ENGLISH, zone).when(moment)
    assert english.endswith(f"{hour}:{local.minute:02d}{NNBSP}{'p.m.' if local.hour >= 12 else 'a.m.'}")


def test_a_next_session_reads_as_babel_writes_the_whole_moment() -> None:
    """`long_moment` keeps its day and its time apart once formatted; together they read as
    Babel's own pattern for the weekday, day, month and short time, at every hour of the year
    in two zones (the clocks' changes included)."""
    from babel.dates import format_datetime

    from betterjournal.i18n import babel_locale

    start = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
    for language in (ENGLISH, FRENCH):
        locale = babel_locale(language)
        short_time = locale.time_formats["short"].pattern
        if language == FRENCH:  # as Québec writes it: "6 h 12" (test_french_writes_the_hour_as_quebec_does)
            short_time = short_time.replace("HH", "H").replace(" ", "\u00a0")
        # The day as the language's full date has it, without the year (English: month first,
        # as in its other dates, "Nov 30, 2026").
        day = {ENGLISH: "EEEE, MMMM d", FRENCH: "EEEE d MMMM"}[language]
        pattern = locale.datetime_formats["medium"].format(short_time, day)
        for zone in ("America/St_Johns", "America/Vancouver"):
            reader = Reader(language, zone)
            for hours in range(0, 365 * 24, 7):
                moment = start + timedelta(hours=hours, minutes=hours % 60)
                expected = format_datetime(moment, pattern, tzinfo=ZoneInfo(zone), locale=locale)
                assert reader.long_moment(moment) == expected
    assert (
        Reader(ENGLISH, "America/Vancouver").long_moment(MOMENT) == f"Monday, November 30, 11:05{NNBSP}a.m."
    )
    assert Reader(FRENCH, "America/Halifax").long_moment(MOMENT) == "lundi 30 novembre, 15\u00a0h\u00a005"


def test_a_next_session_names_the_time_zone_each_person_reads_it_in() -> None:
    """A client in Vancouver and a clinician in Halifax each read the same session in their
    own time, named (daylight time in summer), so neither takes the other's hour for theirs."""
    from betterjournal.core.caseload import CaseLine
    from betterjournal.views import case_line, next_session_line

    summer = datetime(2027, 7, 6, 17, 30, tzinfo=UTC)
    client, clinician = Reader(ENGLISH, "America/Vancouver"), Reader(FRENCH, "America/Halifax")
    assert next_session_line(client, MOMENT) == (
        f"Next session: Monday, November 30, 11:05{NNBSP}a.m. (Pacific Standard Time)"
    )
    assert next_session_line(client, summer) == (
        f"Next session: Tuesday, July 6, 10:30{NNBSP}a.m. (Pacific Daylight Time)"
    )
    assert next_session_line(clinician, MOMENT) == (
        f"Prochaine séance{NBSP}: lundi 30 novembre, 15{NBSP}h{NBSP}05 (heure normale de l’Atlantique)"
    )
    assert next_session_line(clinician, summer) == (
        f"Prochaine séance{NBSP}: mardi 6 juillet, 14{NBSP}h{NBSP}30 (heure avancée de l’Atlantique)"
    )
    assert Reader(ENGLISH, "UTC").zone_name(MOMENT) == "Coordinated Universal Time"
    # A clinician's list of clients: every line in their own zone, so no line names it.
    line = CaseLine("id", "Noor", MOMENT, new_shared=0, to_review=0, overdue=0, agenda_shared=False)
    assert (
        case_line(line, clinician).next_session
        == f"Prochaine séance{NBSP}: lundi 30 novembre, 15{NBSP}h{NBSP}05"
    )


def test_every_month_has_its_french_name() -> None:
    months = [
        Reader(FRENCH).day(datetime(2026, month, 15, 12, tzinfo=UTC)).split()[1] for month in range(1, 13)
    ]
    assert months == [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juill.", "août", "sept.", "oct.", "nov.", "déc.",
    ]  # fmt: skip


def test_the_weekdays_are_babels_monday_first() -> None:
    """The reminders form's days (Monday = 0, as date.weekday() and core/reminders.py count)."""
    assert Reader(ENGLISH).weekday_names() == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    ]  # fmt: skip
    assert Reader(FRENCH).weekday_names()[0] == "lundi"
    assert Reader(FRENCH).weekday_names()[6] == "dimanche"


def test_no_moment_reads_as_nothing() -> None:
    assert Reader(FRENCH).when(None) == Reader(ENGLISH).day(None) == ""


def test_messages_and_their_values_are_translated() -> None:
    french = Reader(FRENCH)
    assert french.t("Sign in") == "Se connecter"
    private = french.t("Private: {name} can't see this.", name="Dr. Lee")
    assert private == "Privé\u00a0: Dr. Lee ne peut pas voir ceci."
    # A number reads the French way; a marked label is translated where it is used.
    error = InvalidInput(
        N_("{label} is too long: the limit is {limit} characters."), label=KIND_LABEL, limit=50000
    )
    assert french.t(error.message, **error.values) == (
        f"Le champ «{NBSP}Votre entrée{NBSP}» est trop long{NBSP}: la limite est de 50{NBSP}000 caractères."
    )
    assert Reader(ENGLISH).t(error.message, **error.values) == (
        "Your entry is too long: the limit is 50,000 characters."
    )
    assert str(error) == "Your entry is too long: the limit is 50,000 characters."


KIND_LABEL = N_("Your entry")


def test_a_moment_that_ends_a_sentence_ends_it_once() -> None:
    """ "… on Dec 2, 2026, 8:13 a.m." and not "a.m..", in the middle of a message too."""
    moment = datetime(2026, 12, 2, 13, 13, tzinfo=UTC)
    english = Reader(ENGLISH, "America/Toronto")
    said = english.t("Shared with {name} on {moment}.", name="Dr. Lee", moment=english.when(moment))
    assert said == "Shared with Dr. Lee on Dec 2, 2026, 8:13\u202fa.m."  # Babel: a narrow no-break space
    french = Reader(FRENCH, "America/Toronto")
    assert french.t("Shared with {name} on {moment}.", name="Dr. Lee", moment=french.when(moment)).endswith(
        "."
    )
    assert not french.t("Made: {moment}", moment=french.when(moment)).endswith("..")


def test_a_kind_refuses_in_the_readers_language() -> None:
    with pytest.raises(InvalidInput) as refused:
        KIND.clean({"title": "", "body": "   "})
    assert Reader(FRENCH).t(refused.value.message, **refused.value.values) == (
        f"Le champ «{NBSP}Votre entrée{NBSP}» ne peut pas être vide."
    )


def test_a_message_without_french_reads_in_english() -> None:
    assert Reader(FRENCH).t("A message nobody translated") == "A message nobody translated"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.8", FRENCH),
        ("fr", FRENCH),
        ("fr-FR", FRENCH),
        ("en-CA,en;q=0.9,fr-CA;q=0.8", ENGLISH),
        ("de-DE,fr;q=0.5,en;q=0.4", FRENCH),  # the first language the app has
        ("en;q=0.2, fr;q=0.7", FRENCH),  # by weight, not by order
        ("de, es", ENGLISH),
        ("", ENGLISH),
        ("*", ENGLISH),
        ("fr;q=abc, en", ENGLISH),  # a broken weight is skipped
        ("fr;q=0", ENGLISH),  # "not French"
        ("x" * 5000, ENGLISH),
    ],
)
def test_the_first_language_comes_from_the_browser(header: str, language: str) -> None:
    assert from_accept_language(header) == language


def test_a_page_text_carries_every_translation_and_follows_the_tabs_language() -> None:
    text = tr("Sign in")
    compiled = str(text)
    assert '"Sign in"' in compiled and '"Se connecter"' in compiled
    # The tab's language as one string (assets/language.jsx: AppState.language, before the
    # server has answered the browser's guess): a word is drawn again when the language
    # changes, not each time AppState does (its form token, its notices).
    assert "[bjLanguage]" in compiled
    hooks = [str(hook) for hook in (text._get_all_var_data() or VarData()).hooks]
    field = rx.Var.create(AppState.language)._js_expr.rsplit(".", 1)[1]
    assert f'useTabLanguage("{AppState.get_full_name()}", "{field}")' in "".join(hooks)
    assert not [hook for hook in hooks if "useStateContext" in hook]


def test_a_page_text_puts_a_var_where_each_translation_needs_it() -> None:
    from betterjournal.state.care_team import CareTeamState

    compiled = str(tr("Disconnect from {name}?", name=CareTeamState.invitation_from))
    assert compiled.count("invitation_from") == 2
    assert '"Mettre fin au lien avec "' in compiled and '"\\u00a0?"' in compiled
    static = str(tr("Saved as a draft while you type. Up to {limit} characters.", limit=50_000))
    assert "Up to 50,000 characters." in static
    assert json.dumps(f"Jusqu'à 50{NBSP}000 caractères.")[1:-1] in static  # as the page's script has it


def test_a_counted_page_text_carries_both_forms_of_each_language() -> None:
    """The editor's word count is filled in by the browser (offline too): it gets each
    language's form for "one" and for any other count, never a number."""
    one, other = (str(form) for form in tr_counted("{count} word", "{count} words"))
    assert '"{count} word"' in one and '"{count} mot"' in one
    assert '"{count} words"' in other and '"{count} mots"' in other
    assert "[bjLanguage]" in one and "[bjLanguage]" in other


def test_parts_of_a_summary_are_spaced_as_each_language_writes_them() -> None:
    parts = ["lundi\u00a0: 5", "mardi\u00a0: 6"]
    assert Reader(FRENCH).items(parts) == "lundi\u00a0: 5\u00a0; mardi\u00a0: 6"
    assert Reader(ENGLISH).items(["Monday: 5", "Tuesday: 6"]) == "Monday: 5; Tuesday: 6"


def test_a_message_with_a_context_is_translated_apart() -> None:
    """'Homework' is the page ("Devoirs") and, in Prepare's lists, one item ("Devoir")."""
    from betterjournal.state.preparation import ONE_HOMEWORK

    assert Reader(FRENCH).t("Homework") == "Devoirs"
    assert Reader(FRENCH).t(ONE_HOMEWORK) == "Devoir"
    assert Reader(ENGLISH).t(ONE_HOMEWORK) == "Homework"


def test_every_time_zone_name_fits_a_phones_drop_down_in_each_language() -> None:
    """A phone's drop-down shows one line and cuts what does not fit: at 390 px, about 38
    characters ("Heure de l'Est (Toronto, Montréal, Ottaw", found by a walk-through)."""
    for language in LANGUAGES:
        reader = Reader(language)
        for _zone, name in TIME_ZONE_CHOICES:
            assert len(str(reader.t(name))) <= 34, (language, reader.t(name))


def test_de_and_que_are_elided_before_a_name_opening_with_a_vowel() -> None:
    """Found in a walk-through: "Devoirs de Émile Roy", "Invitation de Isabelle". A
    translation can't know the name it will hold: the message is elided once it is known,
    on the server and (for a state's value) in the browser."""
    from betterjournal.components.text import _one
    from betterjournal.state.care_team import CareTeamState

    french, english = Reader(FRENCH), Reader(ENGLISH)
    assert french.t("Homework for {name}", name="Émile Roy") == "Devoirs d'Émile Roy"
    assert french.t("Homework for {name}", name="Hélène") == "Devoirs d'Hélène"
    assert french.t("Homework for {name}", name="Dana") == "Devoirs de Dana"
    assert french.t("Invitation from {name}", name="isabelle") == "Invitation d'isabelle"
    assert english.t("Homework for {name}", name="Émile Roy") == "Homework for Émile Roy"
    # A number is never elided ("moyenne de 8").
    assert "de 8" in french.n(
        "Average mood {mean} over {count} check-in.", "Average mood {mean} over {count} check-ins.", 3, mean=8
    )
    assert _one(FRENCH, "Homework for {name}", {"name": "Émile"}) == "Devoirs d'Émile"
    in_browser = str(_one(FRENCH, "Invitation from {name}", {"name": CareTeamState.invitation_from}))
    assert '? "d\'" : "de "' in in_browser and "de " not in in_browser.split("?")[0].split("+")[0]


def test_an_item_edited_the_day_it_was_written_names_the_day_once() -> None:
    """'Written …, edited at …' the same day where the reader is (a walk-through read
    "Écrite le 7 déc. 2026, 5 h 38, modifiée le 7 déc. 2026, 5 h 38"); another day, whole."""
    from betterjournal.views import written_line

    later = MOMENT + timedelta(hours=2)  # 13:05 in Vancouver, the same day
    assert written_line(Reader(FRENCH, "America/Vancouver"), MOMENT, later) == (
        "Écrite le 30 nov. 2026, 11\u00a0h\u00a005, modifiée à 13\u00a0h\u00a005"
    )
    assert written_line(Reader(ENGLISH, "America/Vancouver"), MOMENT, later) == (
        f"Written Nov 30, 2026, 11:05{NNBSP}a.m., edited at 1:05{NNBSP}p.m."
    )
    next_day = MOMENT + timedelta(hours=9)  # 20:05 in Vancouver, 00:05 on Dec 1 in Halifax
    assert written_line(Reader(ENGLISH, "America/Vancouver"), MOMENT, next_day).endswith(
        f"edited at 8:05{NNBSP}p.m."
    )
    assert written_line(Reader(ENGLISH, "America/Halifax"), MOMENT, next_day) == (
        f"Written Nov 30, 2026, 3:05{NNBSP}p.m., edited Dec 1, 2026, 12:05{NNBSP}a.m."
    )
    assert written_line(Reader(ENGLISH, "America/Halifax"), MOMENT, MOMENT) == (
        f"Written Nov 30, 2026, 3:05{NNBSP}p.m."
    )


def test_what_a_delete_does_agrees_with_its_kind_in_french() -> None:
    """One English sentence, three kinds: "une entrée" is feminine, "un bilan" and "un
    exercice" masculine (a walk-through read "Supprimer ce bilan ? Elle sera supprimée")."""
    from betterjournal.i18n import pN_

    said = "It will be removed for good, and anyone you shared it with will no longer see it."
    french = Reader(FRENCH)
    assert french.t(pN_("entry", said)).startswith("Elle sera supprimée")
    for masculine in ("check-in", "exercise"):
        assert french.t(pN_(masculine, said)) == (
            "Il sera supprimé définitivement, et les personnes avec qui vous l'avez partagé ne "
            "pourront plus le voir."
        )
    assert Reader(ENGLISH).t(pN_("check-in", said)) == said
