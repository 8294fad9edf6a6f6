"""The session summary: a PDF a client brings to their next session ("Print / save as PDF").

One page, for a typical summary, of what the client chose and nothing else: their agenda,
a chart of the window's mood check-ins, the entries they picked. It is made in memory and
returned as bytes; nothing is written to disk. Every word goes through the reader (their
language and time zone); the client's own text is shown literally (escaped, never read as
markup), in Bitstream Vera, a TrueType font that ships with reportlab and covers French and
most Latin text. Vera has no emoji: an emoji the client wrote is shown by its name in their
language ("(crying face)", "(visage qui pleure)"), as Unicode's CLDR names it.
"""

from __future__ import annotations

import functools
import io
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape

import emoji
import reportlab
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, HRFlowable, KeepTogether, Paragraph, SimpleDocTemplate

from betterjournal.charts import COLOURS, ticks
from betterjournal.core import checkins
from betterjournal.core.checkins import Reading
from betterjournal.core.errors import InvalidInput
from betterjournal.i18n import N_, Reader
from betterjournal.views import untitled_entry_heading

TITLE = N_("Session summary")
HEADING = N_("Preparing for my next session")
NEXT_SESSION = N_("Next session: {moment}")
SINCE = N_("Since {moment}")  # the time too: a check-in earlier that day is not in it
AGENDA = N_("What I want to bring")
MOOD = N_("My mood since {day}")
CHART_NOTE = N_("Each dot is a day's average mood, from 0 to 10. A gap is a day without a check-in.")
ENTRIES = N_("Entries")
FOOTER = N_("Made with Betterjournal on {day}. Only what you chose is in this summary.")
PAGE = N_("Page {page} of {pages}")
# The most characters a summary prints (about 80 pages; made in under a second): a file
# is made one at a time for everyone (db.made_in_turn), so none may take long.
TEXT_MAX = 250_000


@dataclass(frozen=True)
class SummaryEntry:
    """A journal entry the client chose to bring, decrypted by the caller."""

    written_at: datetime  # aware UTC
    title: str  # may be ""
    body: str  # may be long and hold several lines


# --- fonts and text ---------------------------------------------------------------------------

FONT, BOLD, ITALIC, BOLD_ITALIC = "BJVera", "BJVera-Bold", "BJVera-Italic", "BJVera-BoldItalic"
_FONT_FILES = {FONT: "Vera.ttf", BOLD: "VeraBd.ttf", ITALIC: "VeraIt.ttf", BOLD_ITALIC: "VeraBI.ttf"}
_fonts_lock = threading.Lock()

# Spaces and dashes Babel and keyboards produce that Vera has no glyph for, as ones it has
# (English times read '2:05\u202fp.m.', French numbers '1\u202f234').
_SUBSTITUTES = {
    "\u202f": "\u00a0",  # narrow no-break space
    "\u2007": "\u00a0",  # figure space
    "\u2060": "",  # word joiner
    **dict.fromkeys("\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f\u3000", " "),
    **dict.fromkeys("\u2010\u2011\u2043", "-"),
    "\u2028": "\n",  # line separator
    "\u2029": "\n",  # paragraph separator
    "\t": "    ",
}


@functools.cache
def _covered() -> frozenset[int]:
    """The characters the regular face has glyphs for (the other faces have the same set)."""
    return frozenset(_regular_face().face.charToGlyph)


def _regular_face() -> Any:
    """The regular Vera face, after registering the four faces once as one family (so <b>
    and <i> find theirs). Locked: a face registered again while another thread builds a PDF
    would split that document's font subset."""
    with _fonts_lock:
        if FONT not in pdfmetrics.getRegisteredFontNames():
            folder = Path(reportlab.__file__).parent / "fonts"
            for name, file in _FONT_FILES.items():
                pdfmetrics.registerFont(TTFont(name, str(folder / file)))
            pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC)
        return pdfmetrics.getFont(FONT)


def clean(text: str) -> str:
    """`text` as the PDF can show it: composed (é, not e + ´), without control characters
    other than newlines, with the spaces and dashes Vera lacks replaced by ones it has. A
    letter Vera lacks is shown by its base letter when it has one (ő → o), anything else
    as '?': Vera has no glyph for it, and the PDF's text would hold a NUL. (The client's
    emoji are named before: `named_emoji`.)"""
    covered = _covered()
    kept: list[str] = []
    for char in unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")):
        if char in _SUBSTITUTES:
            kept.append(_SUBSTITUTES[char])
        elif char == "\n" or ord(char) in covered:
            kept.append(char)
        elif unicodedata.category(char)[0] in "CM":
            continue  # controls, invisible format marks, surrogates; accents left over (emoji's U+FE0F)
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if ord(c) in covered)
            kept.append(base or "?")
    return "".join(kept)


def shows_every_letter(texts: Sequence[str], language: str) -> bool:
    """Whether the PDF shows these words as written: False when a letter Vera lacks would be
    a '?' on paper (Arabic, Hebrew, Chinese, Inuktitut syllabics…), so the person is told."""
    for text in texts:
        named = named_emoji(text, language)
        if clean(named).count("?") > named.count("?"):
            return False
    return True


# The names of the emoji, in each language the app speaks (CLDR's, through the emoji library);
# loaded once, here, into the library's table: nothing changes it afterwards.
emoji.config.load_language(["en", "fr"])


def named_emoji(text: str, language: str) -> str:
    """`text` with each emoji Vera can't draw (a sequence with its skin tone or joined family,
    a flag) in words: "merci 😊" -> "merci (visage souriant avec yeux rieurs)". A '?' in its
    place can change what a sentence says ("I'm fine ?"). One Vera draws (©, ™, ‼ as "!!",
    the "1" of 1️⃣: `clean` drops its marks) is kept as it is."""
    names = language.split("-")[0]  # "fr-CA": CLDR's French names (English for any other)
    covered = _covered()

    def drawn(char: str) -> bool:  # by Vera, or by `clean` (a mark dropped, ‼ as !!)
        decomposed = unicodedata.normalize("NFKD", char)
        return unicodedata.category(char)[0] in "CM" or all(ord(c) in covered for c in decomposed)

    def name(chars: str, data: dict[str, Any]) -> str:
        if all(drawn(char) for char in chars):
            return chars
        words = str(data.get(names) or data["en"]).strip(":").replace("_", " ")
        return f"({words})"

    return emoji.replace_emoji(text, replace=name)


def _markup(text: str) -> str:
    """Plain text as Paragraph markup: escaped, so '<b>' shows as typed, newlines kept."""
    return escape(clean(text)).replace("\n", "<br/>")


# --- look -------------------------------------------------------------------------------------

INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#52606D")
RULE = colors.HexColor("#D9E2EC")
GRID = colors.HexColor("#E4E7EB")
ACCENT = colors.HexColor("#1F4E6B")
MOOD_COLOUR = colors.HexColor(COLOURS["mood"])

PAGE_SIZE = LETTER  # Canada prints on Letter
MARGIN = 0.85 * inch
FOOTER_Y = 0.5 * inch
PADDING = 6  # the frame's, inside the margins: the footer lines up with the text
WIDTH = PAGE_SIZE[0] - 2 * MARGIN - 2 * PADDING
# A heading starts a new page when less than this is left below it, so it is never alone at
# the foot of a page. (Not keepWithNext: that moves a heading and its long first paragraph
# to the next page whole, leaving a blank page behind.)
KEEP = 1.25 * inch


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    _regular_face()
    base = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15, textColor=INK)
    return {
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=20, leading=25, spaceAfter=6),
        "meta": ParagraphStyle("meta", base, fontSize=10.5, leading=15, textColor=MUTED),
        "section": ParagraphStyle(
            "section",
            base,
            fontName=BOLD,
            fontSize=13,
            leading=17,
            textColor=ACCENT,
            spaceBefore=16,
            spaceAfter=6,
        ),
        "agenda": ParagraphStyle(
            "agenda",
            base,
            fontSize=11,
            leading=15.5,
            leftIndent=20,
            bulletIndent=2,
            bulletFontName=FONT,
            bulletFontSize=10,
            spaceAfter=3,
        ),
        "chart summary": ParagraphStyle("chart summary", base, spaceBefore=4),
        "note": ParagraphStyle("note", base, fontSize=9, leading=12.5, textColor=MUTED, spaceBefore=2),
        "entry": ParagraphStyle("entry", base, fontName=BOLD, fontSize=11.5, leading=15),
        "when": ParagraphStyle("when", base, fontSize=9, leading=12, textColor=MUTED, spaceAfter=4),
        "body": base,
        "after gap": ParagraphStyle("after gap", base, spaceBefore=7),
    }


# --- the chart --------------------------------------------------------------------------------

CHART_HEIGHT = 140
_LEFT, _RIGHT, _TOP, _BOTTOM = 26, 22, 8, 22  # room for the axis labels


def _runs(days: Sequence[date]) -> list[list[int]]:
    """The indexes of `days` (sorted) in runs of consecutive days: a missing day breaks the
    line, so a day without a check-in is a gap, never a zero."""
    runs: list[list[int]] = []
    for index, day in enumerate(days):
        if runs and days[runs[-1][-1]] + timedelta(days=1) == day:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def _label(x: float, y: float, text: str, anchor: Literal["middle", "end"]) -> String:
    return String(x, y, clean(text), fontName=FONT, fontSize=8, fillColor=MUTED, textAnchor=anchor)


def _mood_chart(reader: Reader, series: checkins.DailySeries, first: date) -> Drawing:
    """Daily mean mood as dots, joined along consecutive days, on a 0–10 scale."""
    last = max(series.days[-1], first + timedelta(days=1))
    span = (last - first).days
    plot_width = WIDTH - _LEFT - _RIGHT
    plot_height = CHART_HEIGHT - _TOP - _BOTTOM
    drawing = Drawing(WIDTH, CHART_HEIGHT)

    def x(day: date) -> float:
        return _LEFT + plot_width * (day - first).days / span

    def y(value: float) -> float:
        return _BOTTOM + plot_height * value / 10

    for level in (0, 5, 10):
        drawing.add(Line(_LEFT, y(level), WIDTH - _RIGHT, y(level), strokeColor=GRID, strokeWidth=0.8))
        drawing.add(_label(_LEFT - 6, y(level) - 3, reader.number(level), "end"))
    for day in ticks(first, last):
        drawing.add(Line(x(day), _BOTTOM, x(day), _BOTTOM - 3, strokeColor=MUTED, strokeWidth=0.6))
        drawing.add(_label(x(day), _BOTTOM - 13, reader.short_day(day), "middle"))
    # Dots shrink when there are many days, so months of check-ins stay readable.
    radius = min(3.2, max(1.2, 0.3 * plot_width / (span + 1)))
    for run in _runs(series.days):
        points = [(x(series.days[i]), y(series.values[i])) for i in run]
        if len(points) > 1:
            coordinates = [c for point in points for c in point]
            width = min(1.6, radius / 2)
            drawing.add(
                PolyLine(
                    coordinates, strokeColor=MOOD_COLOUR, strokeWidth=width, strokeLineJoin=1, strokeLineCap=1
                )
            )
        for px, py in points:
            outline = radius / 4
            drawing.add(
                Circle(px, py, radius, fillColor=MOOD_COLOUR, strokeColor=colors.white, strokeWidth=outline)
            )
    return drawing


def _mood_section(reader: Reader, since: datetime, readings: Sequence[Reading]) -> list[Flowable]:
    mood = checkins.series(readings, "mood", reader.time_zone)
    mean, count = checkins.summary_numbers(readings, "mood", None)
    if not mood.days or mean is None:
        return []
    first = min(since.astimezone(reader.zone).date(), mood.days[0])
    summary = reader.n(
        "Average mood {mean} over {count} check-in.",
        "Average mood {mean} over {count} check-ins.",
        count,
        mean=mean,
    )
    styles = _styles()
    # A chart is never split from its heading and its words (together, they fit any page).
    return [
        KeepTogether(
            [
                Paragraph(_markup(reader.t(MOOD, day=reader.day(since))), styles["section"]),
                _mood_chart(reader, mood, first),
                Paragraph(_markup(summary), styles["chart summary"]),
                Paragraph(_markup(reader.t(CHART_NOTE)), styles["note"]),
            ]
        )
    ]


# --- the document -----------------------------------------------------------------------------


# The most characters one Paragraph is given: a Paragraph is broken into lines again for
# each page it spans, so one of a whole entry's length (or of a line of emoji, each named
# in words) took time growing with its square.
PIECE_MAX = 1500


def _pieces(line: str) -> list[str]:
    """`line` in pieces of at most PIECE_MAX characters, cut after a sentence where there is
    one in the piece's second half (a piece starts a new line), else after a space."""
    pieces = []
    while len(line) > PIECE_MAX:
        sentence = max(line.rfind(end, PIECE_MAX // 2, PIECE_MAX) for end in (". ", "! ", "? "))
        cut = sentence + 2 if sentence >= 0 else line.rfind(" ", 0, PIECE_MAX) + 1 or PIECE_MAX
        pieces.append(line[:cut])
        line = line[cut:]
    return [*pieces, line]


def _entry(reader: Reader, entry: SummaryEntry) -> list[Flowable]:
    styles = _styles()
    # An untitled entry by its one name (views.card_title), which says when already: as its
    # agenda line on the same page reads, and the journal (not "Untitled entry").
    title = entry.title.strip()
    named = [
        Paragraph(_markup(title), styles["entry"]),
        Paragraph(_markup(reader.when(entry.written_at)), styles["when"]),
    ]
    if not title:
        named = [Paragraph(_markup(untitled_entry_heading(reader, entry.written_at)), styles["entry"])]
    # A paragraph per line (and per piece of a very long line), so a long entry flows onto
    # further pages in linear time; a blank line leaves a gap.
    body: list[Flowable] = []
    gap = False
    for line in clean(entry.body).split("\n"):
        for piece in _pieces(line) if line.strip() else ():
            body.append(Paragraph(escape(piece), styles["after gap" if gap and body else "body"]))
            gap = False
        gap = gap or not line.strip()
    return [*named, *body]


def _story(
    reader: Reader,
    next_at: datetime | None,
    since: datetime,
    agenda: Sequence[str],
    readings: Sequence[Reading],
    entries: Sequence[SummaryEntry],
) -> list[Flowable]:
    styles = _styles()
    story: list[Flowable] = [Paragraph(_markup(reader.t(HEADING)), styles["title"])]
    if next_at is not None:
        story.append(Paragraph(_markup(reader.t(NEXT_SESSION, moment=reader.when(next_at))), styles["meta"]))
    story.append(Paragraph(_markup(reader.t(SINCE, moment=reader.when(since))), styles["meta"]))
    story.append(HRFlowable(width="100%", thickness=0.8, color=RULE, spaceBefore=10, spaceAfter=2))
    lines = [line for line in agenda if line.strip()]
    if lines:
        story += [CondPageBreak(KEEP), Paragraph(_markup(reader.t(AGENDA)), styles["section"])]
        for number, line in enumerate(lines, start=1):
            story.append(Paragraph(_markup(line), styles["agenda"], bulletText=f"{number}."))
    story += _mood_section(reader, since, readings)
    if entries:
        story += [CondPageBreak(KEEP), Paragraph(_markup(reader.t(ENTRIES)), styles["section"])]
        for index, entry in enumerate(entries):
            if index:  # (the first one keeps with the section's heading)
                rule = HRFlowable(width="100%", thickness=0.5, color=RULE, spaceBefore=8, spaceAfter=8)
                story += [CondPageBreak(KEEP), rule]
            story += _entry(reader, entry)
    return story


def _footer(footer: str, reader: Reader, pages: int) -> Callable[[Canvas, Any], None]:
    """Draws the footer of each page; with several pages, 'Page 2 of 3' too."""

    def draw(canvas: Canvas, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN + PADDING, FOOTER_Y, footer)
        if pages > 1:
            page = clean(reader.t(PAGE, page=document.page, pages=pages))
            canvas.drawRightString(PAGE_SIZE[0] - MARGIN - PADDING, FOOTER_Y, page)
        canvas.restoreState()

    return draw


def session_summary(
    reader: Reader,
    *,
    next_at: datetime | None,
    since: datetime,
    agenda: Sequence[str],
    readings: Sequence[Reading],
    entries: Sequence[SummaryEntry],
) -> bytes:
    """The session summary as a PDF (Letter), in `reader`'s language and time zone.

    `agenda`: the agenda's lines as shown, in order; `readings`: the window's check-ins to
    chart; `entries`: the entries chosen. An empty one leaves its section out. Long text
    flows onto further pages; more than TEXT_MAX characters in all (emoji named in words)
    is refused, with what to do instead.
    """
    language = reader.language
    agenda = [named_emoji(line, language) for line in agenda]
    entries = [
        SummaryEntry(e.written_at, named_emoji(e.title, language), named_emoji(e.body, language))
        for e in entries
    ]
    if sum(map(len, agenda)) + sum(len(e.title) + len(e.body) for e in entries) > TEXT_MAX:
        raise InvalidInput(
            N_("This summary is too long to make into one file. Choose fewer or shorter entries.")
        )
    footer = clean(reader.t(FOOTER, day=reader.day(_now())))
    pdf, pages = _render(reader, footer, 1, _story(reader, next_at, since, agenda, readings, entries))
    if pages > 1:  # again, now that each footer can say 'Page 2 of 3'
        pdf, _ = _render(reader, footer, pages, _story(reader, next_at, since, agenda, readings, entries))
    return pdf


def _now() -> datetime:
    return datetime.now(UTC)  # (a test fixes it, so the screenshots in docs/ stay the same)


def _render(reader: Reader, footer: str, pages: int, story: list[Flowable]) -> tuple[bytes, int]:
    """The PDF of `story` (in memory) and how many pages it has."""
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=0.75 * inch,
        bottomMargin=0.9 * inch,
        title=clean(reader.t(TITLE)),
        author="",  # nobody's name, not even the client's
        subject="",
        creator="Betterjournal",
        lang=reader.language,
        displayDocTitle=True,
    )
    draw = _footer(footer, reader, pages)
    document.build(story, onFirstPage=draw, onLaterPages=draw)
    return out.getvalue(), document.page
