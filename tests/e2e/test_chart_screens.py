"""The charts on a phone and on a laptop: no sideways scrolling at 390 px, and screenshots
of the client's charts and of the clinician's client page in docs/screenshots/.

Sixty days of check-ins are written straight into the app's database (untimed setup); a
third of them are shared with the clinician.
"""

from __future__ import annotations

import io
import random
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pypdf
import pytest
from appserver import PROJECT_ROOT, RunningApp
from people import PRINT_DIALOG, Tab, assert_fits_the_screen, draw_every_chart, print_from_the_page, sign_in
from playwright.sync_api import Page, expect
from sqlmodel import select
from unit_support import link

from betterjournal.charts import TICK_CHARACTERS
from betterjournal.core import checkins, items, sharing
from betterjournal.db import session_scope
from betterjournal.models import User, utcnow

pytestmark = pytest.mark.e2e

PASSWORD = "harbour-willow-ember-55"
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
DAYS = 60
NOTES = (  # every sixth day's (shared), one a long unbroken word that must wrap, not widen the page
    "Long walk with Sam after work. Calmer in the evening.",
    "Hard morning.\nThe meeting went better than I feared.",
    "Slept badly; " + "worried" * 12 + " about the appointment.",
)


def _seed(app: RunningApp, client_email: str, clinician_email: str) -> None:
    pick = random.Random(7)  # the same charts every run
    with app.core(), session_scope() as session:
        client = session.exec(select(User).where(User.email == client_email)).one()
        clinician = session.exec(select(User).where(User.email == clinician_email)).one()
        link(session, client_id=client.id, clinician_id=clinician.id)
        for day in range(DAYS):
            item_id = uuid.uuid4()
            mood = max(0, min(10, round(6 + 2 * pick.gauss(0, 1) - (day % 7 == 0) * 2)))
            values = {
                "felt_at": (utcnow() - timedelta(days=day, hours=pick.randint(0, 10))).isoformat(),
                "mood": mood,
                "anxiety": max(0, min(10, 10 - mood + pick.randint(-2, 2))),
                "energy": max(0, min(10, mood + pick.randint(-2, 1))),
                "note": NOTES[day // 6 % len(NOTES)] if day % 6 == 0 else "",
            }
            items.save(session, owner_id=client.id, kind=checkins.KIND, item_id=item_id, values=values)
            if day % 3 == 0:
                sharing.set_shared(
                    session, owner_id=client.id, item_id=item_id, clinician_id=clinician.id, shared=True
                )


def _client_and_clinician(app: RunningApp) -> tuple[str, str]:
    """A linked client, Robin, with the check-ins above, and their clinician: (emails)."""
    client_email = f"screens-{uuid.uuid4().hex[:8]}@example.ca"
    clinician_email = f"screens-dr-{uuid.uuid4().hex[:8]}@clinic.example"
    app.create_user("client", client_email, "Robin", PASSWORD)
    app.create_user("clinician", clinician_email, "Dr. Haddad", PASSWORD)
    _seed(app, client_email, clinician_email)
    return client_email, clinician_email


def _no_sideways_scrolling(page: Page) -> None:
    assert_fits_the_screen(page)


def _shoot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.wait_for_timeout(500)  # Plotly's own resize after the first draw
    page.screenshot(path=str(path))  # what the screen shows first: the charts
    return path


def test_charts_fit_a_phone_and_are_photographed(open_phone, browser, running_app: RunningApp) -> None:
    client_email, clinician_email = _client_and_clinician(running_app)

    phone = open_phone()
    sign_in(phone, client_email, PASSWORD)
    expect(phone.page.get_by_role("heading", name="Your journal")).to_be_visible()
    phone.goto("/check-ins")
    expect(phone.page.get_by_text("over this range")).to_be_visible()
    draw_every_chart(phone.page)  # each is drawn as it nears the screen, then kept
    for range_name in ("3 months", "1 year", "All", "2 weeks"):
        button = phone.page.get_by_role("radiogroup", name="Range").get_by_role(
            "radio", name=range_name, exact=True
        )
        button.click()
        expect(button).to_be_checked()
        _no_sideways_scrolling(phone.page)
    phone.page.get_by_role("radio", name="3 months", exact=True).click()
    expect(phone.page.get_by_text(f"{DAYS} check-ins", exact=False)).to_be_visible()
    assert _shoot(phone.page, "client-charts-390x844").stat().st_size > 10_000

    laptop = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = laptop.new_page()
        sign_in(Tab(page, running_app), client_email, PASSWORD)
        expect(page.get_by_role("heading", name="Your journal")).to_be_visible()
        Tab(page, running_app).goto("/check-ins")
        page.get_by_role("radio", name="3 months", exact=True).click()
        expect(page.get_by_text(f"{DAYS} check-ins", exact=False)).to_be_visible()
        assert _shoot(page, "client-charts-1280x800").stat().st_size > 10_000
    finally:
        laptop.close()

    doctor = open_phone()
    sign_in(doctor, clinician_email, PASSWORD)
    doctor.page.get_by_role("link").filter(has_text="Robin").click()
    doctor.page.get_by_role("link", name="Mood check-ins").click()
    shared = len(range(0, DAYS, 3))
    expect(doctor.page.get_by_text(f"{shared} check-ins", exact=False)).to_be_visible()
    draw_every_chart(doctor.page)
    _no_sideways_scrolling(doctor.page)
    assert _shoot(doctor.page, "clinician-client-charts-390x844").stat().st_size > 10_000
    # Under the chart, the notes of the shared check-ins it draws, newest first.
    notes = doctor.page.get_by_role("heading", name="Notes with these check-ins")
    notes.evaluate("heading => heading.scrollIntoView({block: 'start'})")
    listed = doctor.page.get_by_role("listitem").filter(has_text=re.compile(r"Mood \d+ / 10"))
    expect(listed).to_have_count(len(range(0, DAYS, 6)))
    expect(listed.first).to_contain_text(NOTES[0])
    _no_sideways_scrolling(doctor.page)
    assert _shoot(doctor.page, "clinician-check-in-notes-390x844").stat().st_size > 10_000
    # On paper: the charts, their range and the notes; not the controls (a walk-through's
    # printout held the suggest form, the way back and every closed "Show as a table").
    doctor.page.emulate_media(media="print")
    expect(doctor.page.get_by_label("Suggest a scale, from 0 to 10")).to_be_hidden()
    expect(doctor.page.get_by_text("Show as a table").first).to_be_hidden()
    expect(doctor.page.get_by_role("link", name="Back to Robin")).to_be_hidden()
    expect(doctor.page.get_by_role("radio", name="3 months", exact=True)).to_be_visible()
    doctor.page.emulate_media(media="null")
    expect(doctor.page.get_by_label("Suggest a scale, from 0 to 10")).to_be_visible()


def _slow_phone_signed_in(open_phone, running_app: RunningApp, *, watching: str):
    """Robin (with the check-ins above) signed in on a phone with a phone's slower processor
    (4x, Lighthouse's mobile setting); `watching`: a script run in every page it opens next."""
    client_email, _ = _client_and_clinician(running_app)
    phone = open_phone()
    sign_in(phone, client_email, PASSWORD)
    expect(phone.page.get_by_role("heading", name="Your journal")).to_be_visible()
    phone.context.add_init_script(watching)
    phone.context.new_cdp_session(phone.page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
    return phone


LAYOUT_SHIFTS = """
window.__layoutShift = 0;
new PerformanceObserver((list) => {
    for (const shift of list.getEntries()) if (!shift.hadRecentInput) window.__layoutShift += shift.value;
}).observe({type: "layout-shift", buffered: true});
"""


@pytest.mark.parametrize("path", ["/journal", "/check-ins"])
def test_a_signed_in_page_does_not_jump_while_it_loads(open_phone, running_app, path: str) -> None:
    """A phone's slower processor (4x, Lighthouse's mobile setting): the page's data, its
    reminder banner's place and the charts arrive after the first paint, and nothing moves
    (before: 0.03 on an empty journal, 0.11 with entries in Lighthouse's run, 0.40 on the
    charts page: everything 16 px down as the reminder banner's empty box joined the column,
    then the charts replacing one spinner). The charts in view are drawn at once; one further
    down, only as it nears the screen (drawing all four froze the page in one long task);
    nothing moves then either."""
    phone = _slow_phone_signed_in(open_phone, running_app, watching=LAYOUT_SHIFTS)

    phone.goto(path)
    if path == "/check-ins":
        expect(phone.page.get_by_text("over this range")).to_be_visible(timeout=20_000)
        expect(phone.page.locator(".bj-chart").first.locator(".js-plotly-plot")).to_be_attached(
            timeout=20_000
        )
        last = phone.page.locator(".bj-chart").last  # with and without each tag, far down
        expect(phone.page.locator(".bj-chart")).to_have_count(4)
        phone.page.wait_for_timeout(1000)
        expect(last.locator(".js-plotly-plot")).to_have_count(0)
        expect(last.locator("xpath=..")).to_contain_text("tag")  # its summary is there
        last.scroll_into_view_if_needed()
        expect(phone.page.locator(".js-plotly-plot")).to_have_count(4, timeout=20_000)
    else:
        expect(phone.page.get_by_text("Nothing here yet.", exact=False)).to_be_visible(timeout=20_000)
    phone.page.wait_for_timeout(2000)  # Plotly's own resize after its first draw
    assert phone.page.evaluate("window.__layoutShift") < 0.01


# When each chart's drawing (Plotly's SVG) appears, and the page's long tasks (over 50 ms).
DRAWN_AND_LONG_TASKS = """
window.__drawn = []; window.__longTasks = [];
new MutationObserver(() => {
    document.querySelectorAll(".bj-chart").forEach((box, index) => {
        if (box.querySelector(".main-svg") && !window.__drawn[index]) {
            window.__drawn[index] = performance.now();
        }
    });
}).observe(document, {childList: true, subtree: true});
new PerformanceObserver((list) => {
    for (const task of list.getEntries()) {
        window.__longTasks.push([task.startTime, task.startTime + task.duration]);
    }
}).observe({type: "longtask", buffered: true});
"""


def test_the_charts_in_view_are_drawn_one_task_each_so_a_tap_can_come_between(
    open_phone, running_app: RunningApp
) -> None:
    """On a phone's slower processor (4x), the two charts in view were drawn in one long task
    (about 800 ms), during which a tap waited; now each is drawn in a task of its own, and
    the page answers in between."""
    phone = _slow_phone_signed_in(open_phone, running_app, watching=DRAWN_AND_LONG_TASKS)
    phone.goto("/check-ins")
    places = phone.page.locator(".bj-chart")
    for index in (0, 1):
        expect(places.nth(index).locator(".main-svg").first).to_be_attached(timeout=20_000)
    # In either order (a chart whose data comes later is drawn after the next one).
    first, second = sorted(phone.page.evaluate("window.__drawn.slice(0, 2)"))
    assert first != second, f"both charts drawn at {first:.0f} ms, in one task"
    together = phone.page.evaluate(
        "([a, b]) => window.__longTasks.filter(([start, end]) => start <= a && b <= end)", [first, second]
    )
    assert together == [], (
        f"both charts drawn in one task: {together}, drawn at {first:.0f} and {second:.0f} ms"
    )


def test_print_puts_every_chart_on_paper_and_leaves_the_screens_controls_off(
    open_phone, running_app: RunningApp
) -> None:
    """A chart below the screen is drawn only as it nears it, so the browser's own Print left
    it blank on paper; and the tab bar, fixed to the bottom, covered the foot of every sheet.
    "Print / save as PDF" draws every chart first, then opens the print dialog."""
    client_email, _ = _client_and_clinician(running_app)
    phone = open_phone()
    phone.context.add_init_script(PRINT_DIALOG)  # stands in for the print dialog
    sign_in(phone, client_email, PASSWORD)
    expect(phone.page.get_by_role("heading", name="Your journal")).to_be_visible()
    phone.goto("/check-ins")
    places = phone.page.locator(".bj-chart")
    expect(places.first.locator(".main-svg").first).to_be_attached()
    expect(places).to_have_count(4)
    expect(places.last.locator(".main-svg")).to_have_count(0)  # far down: not drawn yet

    # The browser's own Print does not wait for a chart to be drawn: on paper, a chart not
    # drawn yet says how to print it, rather than leaving an empty box; on screen, nothing.
    note = "(box) => getComputedStyle(box, '::before').content"
    not_drawn = "This chart is not drawn yet. To print it, use “Print / save as PDF” on the page."
    assert not_drawn not in places.last.evaluate(note)
    phone.page.emulate_media(media="print")
    assert not_drawn in places.last.evaluate(note)
    assert not_drawn not in places.first.evaluate(note)  # drawn: its drawing is on paper
    phone.page.emulate_media(media="null")  # the browser's own again

    assert print_from_the_page(phone.page, "Print / save as PDF") == [True, True, True, True]

    paper = "".join(sheet.extract_text() for sheet in pypdf.PdfReader(io.BytesIO(phone.page.pdf())).pages)
    # Each weekday is on paper twice: on the weekday chart's axis, and in its summary.
    for day in ("Monday", "Thursday", "Sunday"):
        assert paper.count(day) == 2, (day, paper)
    assert "Average mood by weekday" in paper
    assert "not drawn yet" not in paper
    assert "988" in paper  # the crisis line
    # None of the page's own controls either (a walk-through's printout held every button,
    # box and form of the page, over three sheets).
    for control in (
        "Sign out",
        "Homework",
        "Care team",
        "Print / save as PDF",
        "Check in now",
        "Choose the last 7 days",
        "Your tags and scales",
        "A scale of your own",
    ):
        assert control not in paper, control
    phone.page.emulate_media(media="print")
    expect(phone.page.get_by_role("checkbox").first).to_be_hidden()
    phone.page.emulate_media(media="null")
    expect(phone.page.get_by_role("checkbox").first).to_be_visible()


# Names a clinician (a scale) and a client (a tag) could type: Plotly reads such tags in
# names and labels as its own markup, a link among them (INPUT-3).
MARKUP_SCALE = '<a href="https://ev.il/x">Sign in</a>'
MARKUP_TAG = "<b>work</b>%{y}"


def _no_markup_drawn(page: Page) -> None:
    """Every chart is drawn; no link and no bold text in them; the names read as typed."""
    draw_every_chart(page)
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    assert page.locator(".js-plotly-plot a").count() == 0, "a name became a link in a chart"
    assert page.locator(".js-plotly-plot text [style*='bold']").count() == 0
    expect(page.locator(".js-plotly-plot .legendtext", has_text=MARKUP_SCALE).first).to_be_attached()


def test_names_with_markup_show_as_typed_in_the_charts(open_phone, running_app: RunningApp) -> None:
    client_email, clinician_email = _client_and_clinician(running_app)
    with running_app.core(), session_scope() as session:
        client = session.exec(select(User).where(User.email == client_email)).one()
        clinician = session.exec(select(User).where(User.email == clinician_email)).one()
        scale = checkins.add_scale(session, client_id=client.id, added_by=clinician.id, name=MARKUP_SCALE)
        tag = checkins.add_tag(session, owner_id=client.id, name=MARKUP_TAG)
        for day in range(3):
            item_id = uuid.uuid4()
            values = {
                "felt_at": (utcnow() - timedelta(days=day, hours=1)).isoformat(),
                "mood": 5 + day,
                "scales": {str(scale): 3 + day},
                "tags": [str(tag)] if day else [],
            }
            checkins.save(session, owner_id=client.id, item_id=item_id, values=values)
            sharing.set_shared(
                session, owner_id=client.id, item_id=item_id, clinician_id=clinician.id, shared=True
            )

    phone = open_phone()
    sign_in(phone, client_email, PASSWORD)
    expect(phone.page.get_by_role("heading", name="Your journal")).to_be_visible()
    phone.goto("/check-ins")
    expect(phone.page.get_by_text("over this range")).to_be_visible()
    _no_markup_drawn(phone.page)
    # The tag's start under its bars, as typed (a long name is drawn by its start).
    tag_axis = phone.page.locator(".js-plotly-plot .xtick text", has_text=MARKUP_TAG[: TICK_CHARACTERS - 1])
    expect(tag_axis.first).to_be_attached()
    # A point's label names its scale as typed (the scale's points: the trend's last points).
    trend = phone.page.locator(".bj-chart").first.locator(".js-plotly-plot")
    points = trend.locator(".scatterlayer .trace").filter(has=phone.page.locator(".point")).last
    points.locator(".point").last.hover(force=True)
    expect(trend.locator(".hoverlayer")).to_contain_text(MARKUP_SCALE)

    doctor = open_phone()
    sign_in(doctor, clinician_email, PASSWORD)
    doctor.page.get_by_role("link").filter(has_text="Robin").click()
    doctor.page.get_by_role("link", name="Mood check-ins").click()
    expect(doctor.page.get_by_text("check-ins", exact=False).first).to_be_visible()
    _no_markup_drawn(doctor.page)
