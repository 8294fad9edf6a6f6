"""The session summary PDF: what the client chose and nothing else, in their language, whole."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from betterjournal import summary_pdf
from betterjournal.core.checkins import Reading
from betterjournal.core.errors import InvalidInput
from betterjournal.i18n import ENGLISH, FRENCH, Reader
from betterjournal.summary_pdf import SummaryEntry, _runs, clean, named_emoji, session_summary

NOW = datetime(2026, 11, 30, 19, 0, tzinfo=UTC)  # 14 h 00 in Montréal
SINCE = NOW - timedelta(days=11)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
AGENDA = [
    "The argument with my sister, and how I handled it",
    "Sleep has been better since I stopped screens at 10 p.m.",
    "Ask about the breathing exercise: it helps, but not at work",
]
DINNER = SummaryEntry(
    NOW - timedelta(days=3),
    "After the family dinner",
    "My chest tightened when Dad brought up the job.\n"
    "I used the 5-4-3-2-1 exercise in the bathroom and it helped a little.\n\n"
    "Later I felt proud that I didn't leave early.",
)
WALK = SummaryEntry(NOW - timedelta(days=1), "", "Walked to work with Sam. Noticed the maples turning.")


def _readings(moods: Sequence[float | None], zone: str = "America/Toronto") -> list[Reading]:
    """Two check-ins a day (morning and evening, local time) from SINCE's next day; None: no check-in."""
    first = SINCE.astimezone(ZoneInfo(zone)).date() + timedelta(days=1)
    readings = []
    for offset, mood in enumerate(moods):
        if mood is None:
            continue
        for hour, change in ((9, -0.5), (20, 0.5)):
            felt_at = datetime.combine(first + timedelta(days=offset), time(hour), ZoneInfo(zone))
            readings.append(Reading(f"{offset}-{hour}", felt_at.astimezone(UTC), {"mood": mood + change}))
    return readings


def _summary(reader: Reader | None = None, **chosen: object) -> bytes:
    values: dict = {"next_at": NOW + timedelta(days=2), "agenda": [], "readings": [], "entries": []}
    return session_summary(reader or Reader(ENGLISH, "America/Toronto"), since=SINCE, **{**values, **chosen})


def _text(pdf: bytes) -> str:
    """The PDF's text, each run of spaces, no-break spaces and line ends as one space."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).replace("\u00a0", " ").split())


def test_the_summary_holds_what_the_client_chose_and_nothing_else() -> None:
    pdf = _summary(agenda=AGENDA, readings=_readings([6, 5, 7, 6]), entries=[DINNER])
    assert pdf.startswith(b"%PDF-")
    document = PdfReader(io.BytesIO(pdf))
    assert len(document.pages) == 1
    text = _text(pdf)
    for shown in (
        "Preparing for my next session",
        "Next session: Dec 2, 2026, 2:00 p.m.",
        "Since Nov 19, 2026, 2:00 p.m.",  # (a walk-through: "Since Nov 22" left out a check-in of Nov 22)
        "What I want to bring",
        *(f"{number}. {line}" for number, line in enumerate(AGENDA, start=1)),
        "My mood since Nov 19, 2026",
        "Average mood 6 over 8 check-ins.",
        "Entries",
        "After the family dinner",
        "Nov 27, 2026, 2:00 p.m.",
        "My chest tightened when Dad brought up the job.",
        "Later I felt proud that I didn't leave early.",
        "Only what you chose is in this summary.",
    ):
        assert shown in text
    # The entry left out is nowhere in it.
    assert "Walked" not in text and "maples" not in text and "Entry of Nov 29" not in text
    metadata = document.metadata
    assert metadata is not None
    assert metadata.title == "Session summary"
    assert not metadata.author and metadata.creator == "Betterjournal"


def test_a_section_with_nothing_in_it_is_left_out() -> None:
    text = _text(_summary(next_at=None, entries=[WALK]))
    assert "Since Nov 19, 2026" in text and "Next session" not in text
    assert "What I want to bring" not in text and "My mood" not in text and "Average mood" not in text
    # An untitled entry is named as the journal names it (a walk-through: "Untitled entry" here).
    assert "Entries Entry of Nov 29, 2026, 2:00 p.m. Walked to work with Sam." in text


def test_a_french_summary_has_french_dates_numbers_and_accents() -> None:
    accents = "Élan, déjà-vu, « ça va », l’œuvre à côté"
    reader = Reader(FRENCH, "America/Montreal")
    pdf = _summary(
        reader,
        next_at=NOW,
        agenda=[accents],
        readings=_readings([6, 6.2]),
        entries=[SummaryEntry(NOW, "Être là", accents)],
    )
    text = _text(pdf)
    assert "30 nov. 2026, 14 h 00" in text  # the next session, and the entry's moment
    assert "19 nov. 2026" in text
    assert "6,1" in text  # the average mood, as French writes it
    assert "Être là" in text
    assert text.count(accents) == 2


def test_an_emoji_the_client_wrote_is_named_in_their_language() -> None:
    """The font has no emoji: a '?' in its place would change what the client wrote."""
    entry = SummaryEntry(NOW, "Dinner 😢", "Felt 👍🏽 after the walk ❤️\nThen 👨‍👩‍👧 at home")
    english = _text(_summary(agenda=["Talk about 😴"], entries=[entry]))
    assert "1. Talk about (sleeping face)" in english
    assert "Dinner (crying face)" in english
    assert "Felt (thumbs up medium skin tone) after the walk (red heart)" in english
    assert "Then (family man woman girl) at home" in english
    assert "?" not in english
    french = _text(_summary(Reader(FRENCH, "America/Montreal"), agenda=["Parler de 😴"], entries=[entry]))
    assert "1. Parler de (visage somnolent)" in french
    assert "Dinner (visage qui pleure)" in french
    assert "(cœur rouge)" in french
    assert "?" not in french
    # What the font draws stays as written: not "(copyright)", "(keycap 1)".
    assert named_emoji("© 2026 Ana™ ‼ 1️⃣", ENGLISH) == "© 2026 Ana™ ‼ 1️⃣"
    assert clean(named_emoji("© 2026 Ana™ ‼ 1️⃣", ENGLISH)) == "© 2026 Ana™ !! 1"
    assert named_emoji("Danke 😊", "de") == "Danke (smiling face with smiling eyes)"  # no names: English


def test_a_long_entry_flows_onto_further_pages_with_every_word() -> None:
    words = [f"calm{number}" for number in range(2_500)]
    body = " ".join(words)
    assert len(body) > 20_000
    markup = "<b>not bold</b> & <script>alert(1)</script> &amp; <br/>"
    pdf = _summary(entries=[SummaryEntry(NOW, "A long one", f"{markup}\x00\x07\n{body}")])
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 3
    text = _text(pdf)
    assert markup in text  # shown as typed, never read as markup
    assert " ".join(words[-30:]) in text
    assert set(words) <= set(text.split())
    assert f"Page 1 of {len(pages)}" in text and f"Page {len(pages)} of {len(pages)}" in text


def test_a_very_long_line_is_laid_out_in_pieces_cut_between_words() -> None:
    """A Paragraph is broken into lines again for each page it spans: one line of a whole
    entry took time growing with its square. The pieces hold the line whole, in order."""
    line = " ".join(f"word{number}" for number in range(2_000))
    pieces = summary_pdf._pieces(line)
    assert len(pieces) > 5
    assert "".join(pieces) == line
    assert all(len(piece) <= summary_pdf.PIECE_MAX for piece in pieces)
    assert all(piece.endswith(" ") for piece in pieces[:-1])  # never in the middle of a word
    no_space = "x" * (2 * summary_pdf.PIECE_MAX + 1)
    assert [len(piece) for piece in summary_pdf._pieces(no_space)] == [summary_pdf.PIECE_MAX] * 2 + [1]


def test_a_summary_longer_than_one_file_holds_is_refused_with_what_to_do() -> None:
    """Counted as printed: each emoji named in words ("(smiling face with smiling eyes)")."""
    smile = "\U0001f60a"
    fits = summary_pdf.TEXT_MAX // len(named_emoji(smile, ENGLISH))
    assert _summary(entries=[SummaryEntry(NOW, "", smile * (fits - 10))]).startswith(b"%PDF-")
    with pytest.raises(InvalidInput) as refused:
        _summary(entries=[SummaryEntry(NOW, "", smile * (fits + 1))])
    assert str(refused.value.message) == (
        "This summary is too long to make into one file. Choose fewer or shorter entries."
    )


def test_a_single_long_word_and_many_lines_are_wrapped_not_cut() -> None:
    word = "q" * 5_000  # no other text in the summary has a 'q'
    lines = "\n".join(f"line {number}" for number in range(300))
    pdf = _summary(agenda=[word], entries=[SummaryEntry(NOW, word, lines)])
    text = _text(pdf)
    assert text.count("q") == 2 * len(word)
    assert "What I want to bring 1. qqq" in text
    assert "line 0 line 1" in text and "line 298 line 299" in text


def test_the_mood_chart_leaves_a_day_without_check_ins_as_a_gap() -> None:
    days = [date(2026, 11, day) for day in (20, 21, 23, 24, 25, 28)]
    assert _runs(days) == [[0, 1], [2, 3, 4], [5]]
    assert _runs([]) == []
    text = _text(_summary(readings=_readings([6, None, None, 8, 7, None, 5])))
    assert "My mood since Nov 19, 2026" in text
    assert "Average mood 6.5 over 8 check-ins." in text
    one = _text(_summary(readings=_readings([9])))
    assert "Average mood 9 over 2 check-ins." in one


def test_text_is_made_showable_in_the_font() -> None:
    assert clean("2:05\u202fp.m.") == "2:05\u00a0p.m."
    assert clean("a\x00b\x07c\r\nd\re\tf") == "abc\nd\ne    f"
    assert clean("e\u0301te\u0301") == "été"  # composed
    assert clean("Łódź, Gdańsk, Győr") == "Łódz, Gdansk, Gyor"  # a letter Vera lacks: its base letter
    assert clean("merci ❤️ 😊") == "merci ? ?"  # no glyph: a visible '?', not a hole in the text
    assert clean("\ud800\u200b\u202e") == ""


def test_the_summary_is_made_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    assert _summary(agenda=AGENDA, readings=_readings([6, 7]), entries=[DINNER]).startswith(b"%PDF-")
    assert list(empty.iterdir()) == []


# --- the screenshots in docs/ -------------------------------------------------------------------

SAMPLES = {
    ENGLISH: (
        "America/Toronto",
        AGENDA,
        [
            DINNER,
            SummaryEntry(
                NOW - timedelta(days=1, hours=2),
                "A better Sunday",
                "Walked to the market with Sam and noticed the maples turning.\n"
                "For the first time in weeks I didn't check my work email.",
            ),
        ],
    ),
    FRENCH: (
        "America/Montreal",
        [
            "La dispute avec ma sœur, et comment j’ai réagi",
            "Je dors mieux depuis que j’éteins les écrans à 22 h",
            "Demander pour l’exercice de respiration : ça aide, mais pas au travail",
        ],
        [
            SummaryEntry(
                NOW - timedelta(days=3),
                "Après le souper de famille",
                "J’ai senti ma poitrine se serrer quand papa a parlé de l’emploi.\n"
                "J’ai fait l’exercice 5-4-3-2-1 à la salle de bain, et ça m’a un peu aidé.\n\n"
                "Plus tard, j’étais fière de ne pas être partie plus tôt.",
            ),
            SummaryEntry(
                NOW - timedelta(days=1, hours=2),
                "Un meilleur dimanche",
                "Je suis allée au marché Jean-Talon à pied avec Sam. Les érables changent de couleur.\n"
                "Pour la première fois depuis des semaines, je n’ai pas lu mes courriels du travail.",
            ),
        ],
    ),
}


@pytest.mark.parametrize(("language", "name"), [(ENGLISH, "en"), (FRENCH, "fr")])
def test_a_realistic_summary_fits_one_page_and_its_screenshot_is_in_docs(
    language: str, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.fail("pdftoppm is missing: install poppler-utils (make browser does)")
    monkeypatch.setattr(summary_pdf, "_now", lambda: NOW)  # the same footer every day
    zone, agenda, entries = SAMPLES[language]
    # Ten days of check-ins, with two days without one.
    readings = _readings([5, 6, 5, 7, None, None, 6, 7, 8, 7], zone)
    pdf = _summary(Reader(language, zone), agenda=agenda, readings=readings, entries=entries)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    (tmp_path / "summary.pdf").write_bytes(pdf)
    prefix = tmp_path / "page"
    subprocess.run(
        [pdftoppm, "-png", "-r", "75", "-f", "1", "-l", "1", "-singlefile", tmp_path / "summary.pdf", prefix],
        check=True,
    )
    screenshot = SCREENSHOTS / f"session-summary-{name}.png"
    shutil.copyfile(prefix.with_suffix(".png"), screenshot)
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    assert 20_000 < screenshot.stat().st_size < 300_000


def test_the_person_is_told_when_letters_would_print_as_question_marks() -> None:
    """Found in a walk-through: Arabic, Hebrew, Chinese, Cyrillic and Inuktitut words printed
    as "????" on the summary, with nothing said. French, an emoji (named) and a question
    mark of the person's own are shown as written; the others are said."""
    assert summary_pdf.shows_every_letter(["Ça va? Très bien 😊", "« déjà » – œuvre"], "fr")
    for words in ("ᐊᐃᖓᐃ", "Привет", "你好", "اليوم", "שינה"):
        assert not summary_pdf.shows_every_letter(["fine", words], "en"), words
