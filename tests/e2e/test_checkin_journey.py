"""Mood check-ins end to end at phone size: a check-in in three taps, one with a note, the
trend chart, sharing two of five, and the clinician's chart holding exactly those two."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from appserver import RunningApp
from people import register, sign_in
from playwright.sync_api import Locator, Page, expect

from betterjournal import routes
from betterjournal.charts import SPARK_HEIGHT, SPARK_WIDTH

pytestmark = pytest.mark.e2e

PASSWORD = "river-stone-cedar-1984"
ZONE = ZoneInfo("America/Toronto")  # the phones' time zone (conftest's default)


def _signed_in_client(open_phone, running_app: RunningApp, label: str):
    """A new client, Robin, signed in on a phone of their own."""
    phone = open_phone()
    email = f"{label}-{uuid.uuid4().hex[:8]}@example.ca"
    running_app.create_user("client", email, "Robin", PASSWORD)
    sign_in(phone, email, PASSWORD)
    return phone


def _chart_traces(page: Page) -> list[dict]:
    """What the browser holds for the chart: each trace's name, x and y (the figure's data)."""
    # Polled from here: wait_for_function evaluates a string, which the app's CSP refuses.
    # The first chart's place on the page is the trend's (the charts are drawn one at a
    # time, in any order: the first chart drawn may be another).
    trend = "document.querySelector('.bj-chart')?.querySelector('.js-plotly-plot')"
    for _ in range(100):
        if page.evaluate(f"() => Boolean({trend}?.data)"):
            break
        page.wait_for_timeout(100)
    return page.evaluate(
        f"""() => {trend}.data.map(
            t => ({{name: t.name, mode: t.mode, x: Array.from(t.x), y: Array.from(t.y)}}))"""
    )


def _points(traces: list[dict], name: str) -> list[tuple[str, float]]:
    trace = next(t for t in traces if t["name"] == name and t["mode"] == "markers")
    return list(zip(trace["x"], trace["y"], strict=True))


def _check_in_at(page: Page, mood: int, *, days_ago: int, note: str = "") -> str:
    """A check-in for noon `days_ago` days back, with an optional note; returns its local day."""
    page.get_by_role("navigation").get_by_role("link", name="Check in").click()
    expect(page.get_by_role("heading", name="Check in")).to_be_visible()
    page.get_by_role("radiogroup", name="Mood").get_by_role("radio", name=str(mood), exact=True).click()
    # An earlier time is under More, and More says so before it is opened.
    expect(page.get_by_text("Other scales, tags, sleep, a note, or an earlier time")).to_be_visible()
    page.get_by_text("More (optional)").click()
    day = (datetime.now(ZONE) - timedelta(days=days_ago)).date()
    page.get_by_label("When").fill(f"{day.isoformat()}T12:00")
    if note:
        page.get_by_label("Note").fill(note)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("status").filter(has_text="Check-in saved.")).to_be_visible()
    return day.isoformat()


def test_check_in_in_three_taps_chart_it_and_share_two_of_five(open_phone, running_app: RunningApp) -> None:
    private_note = running_app.marker("private-check-in-note")
    shared_note = running_app.marker("shared-check-in-note")

    doctor = open_phone()
    doctor_email = f"okafor-{uuid.uuid4().hex[:8]}@clinic.example"
    running_app.create_user("clinician", doctor_email, "Dr. Okafor", PASSWORD)
    sign_in(doctor, doctor_email, PASSWORD)
    doctor.page.get_by_role("button", name="Create invitation code").click()
    code = doctor.page.get_by_label("Invitation code").inner_text(timeout=20_000)

    client = open_phone()
    page = client.page
    email = f"jules-{uuid.uuid4().hex[:8]}@example.ca"
    register(client, code, "Jules", email, PASSWORD)
    sign_in(client, email, PASSWORD)
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("status").filter(has_text="You're connected with Dr. Okafor")).to_be_visible()

    # Before any check-in, the charts page says what will be there, not four empty frames.
    page.get_by_role("navigation").get_by_role("link", name="Check in").click()
    page.get_by_role("link", name="Your check-ins and charts").click()
    expect(page.get_by_text("Your charts will appear here after your first check-in.")).to_be_visible()
    expect(page.get_by_role("heading", name="Trend")).to_have_count(0)
    expect(page.get_by_text("Show as a table")).to_have_count(0)

    # From the home screen (the journal), a check-in in three taps.
    page.get_by_role("navigation").get_by_role("link", name="Journal").click()
    expect(page.get_by_role("heading", name="Your journal")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="Check in").click()  # 1
    # Until a mood is chosen, Save says what it needs, beside it and when tapped; nothing
    # is saved.
    expect(page.get_by_role("button", name="Save check-in")).to_have_accessible_description(
        "Choose your mood, from 0 to 10, to save."
    )
    page.get_by_role("button", name="Save check-in").click()
    expect(
        page.get_by_role("alert").filter(has_text="Choose your mood, from 0 to 10, to save.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Check in")).to_be_visible()
    page.get_by_role("radiogroup", name="Mood").get_by_role("radio", name="7", exact=True).click()  # 2
    expect(page.get_by_text("Choose your mood, from 0 to 10, to save.")).to_have_count(0)
    expect(
        page.get_by_role("radiogroup", name="Mood").get_by_role("radio", name="7", exact=True)
    ).to_be_checked()
    page.get_by_role("button", name="Save check-in").click()  # 3
    saved = page.get_by_role("status").filter(has_text="Check-in saved.")
    expect(saved).to_be_visible()
    expect(page.get_by_role("heading", name="Your check-ins")).to_be_visible()
    # The notice lies over the page only until the client scrolls on to the charts (a
    # walk-through found it over them); it is still at the top of the page.
    expect(page.get_by_role("heading", name="Trend")).to_be_visible()
    page.evaluate("window.scrollBy(0, 900)")
    expect(saved).not_to_be_in_viewport()
    page.evaluate("window.scrollTo(0, 0)")
    expect(saved).to_be_in_viewport()
    today = datetime.now(ZONE).date().isoformat()
    assert _points(_chart_traces(page), "Mood") == [(today, 7)]
    expect(page.get_by_text("Average mood 7 over this range, 1 check-in.")).to_be_visible()
    # The year's colours have their key: dark for a very low mood, yellow for a very good one.
    expect(page.get_by_text("0: Very low")).to_be_visible()
    expect(page.get_by_text("10: Very good")).to_be_visible()
    # And the trend's marks theirs: a dot is one day, the line the 7-day average.
    expect(page.get_by_text("Dot: one day")).to_be_visible()
    expect(page.get_by_text("Line: the 7-day average")).to_be_visible()

    # One with more: anxiety, sleep, a note, and a tag of the client's own made halfway
    # through (Enter in its field adds it, never saves the check-in, and nothing tapped or
    # typed so far is lost); today's point is now the day's average.
    page.get_by_role("navigation").get_by_role("link", name="Check in").click()
    page.get_by_role("radiogroup", name="Mood").get_by_role("radio", name="5", exact=True).click()
    page.get_by_text("More (optional)").click()
    # The time picker offers only what can be saved: from 2000 to the end of today.
    when = page.get_by_label("When", exact=True)
    expect(when).to_have_attribute("min", "2000-01-01T00:00")
    expect(when).to_have_attribute("max", re.compile(r"^\d{4}-\d{2}-\d{2}T23:59$"))
    page.get_by_role("radiogroup", name="Anxiety").get_by_role("radio", name="3", exact=True).click()
    page.get_by_label("Hours of sleep").fill("7,5")
    page.get_by_label("Note").fill(private_note)
    page.get_by_label("New tag").fill("work")
    page.get_by_label("New tag").press("Enter")
    expect(page.get_by_role("status").filter(has_text="Tag added to this check-in.")).to_be_visible()
    work = page.get_by_role("group", name="Tags").get_by_role("button", name="work")
    expect(work).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_label("New tag")).to_have_value("")
    expect(page.get_by_label("Note")).to_have_value(private_note)
    expect(page.get_by_label("Hours of sleep")).to_have_value("7,5")
    expect(
        page.get_by_role("radiogroup", name="Mood").get_by_role("radio", name="5", exact=True)
    ).to_be_checked()
    expect(page.get_by_role("heading", name="Check in")).to_be_visible()  # not saved by the Enter
    # A reload brings every field back, the time chosen too (a walk-through: the time and
    # the hours came back empty, and the check-in was saved for now without a word).
    earlier = (datetime.now(ZONE) - timedelta(days=1)).strftime("%Y-%m-%dT21:30")
    when.fill(earlier)
    page.get_by_label("Hours of sleep").fill("7,5")  # typed again just now: no pause before the reload
    page.reload()
    expect(page.get_by_role("status").filter(has_text="Your unsaved check-in is back.")).to_be_visible()
    expect(page.get_by_label("Note")).to_have_value(private_note)
    expect(page.get_by_label("Hours of sleep")).to_have_value("7,5")
    expect(when).to_have_value(earlier)
    expect(work).to_have_attribute("aria-pressed", "true")
    when.fill("")  # for now, after all
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("status").filter(has_text="Check-in saved.")).to_be_visible()
    expect(page.get_by_text(private_note)).to_be_visible()
    expect(page.get_by_text("Anxiety 3 / 10 · Sleep 7.5 h · Tags: work")).to_be_visible()
    by_tag = "work: 5 with it (1 check-in), 7 without (1 check-in)"
    expect(page.get_by_text(by_tag, exact=False)).to_be_visible()
    traces = _chart_traces(page)
    assert _points(traces, "Mood") == [(today, 6)]
    assert _points(traces, "Anxiety") == [(today, 3)]

    # Three earlier ones: five in all. Two are shared.
    shared_days = [_check_in_at(page, 9, days_ago=3, note=shared_note), _check_in_at(page, 2, days_ago=1)]
    _check_in_at(page, 4, days_ago=2)
    traces = _chart_traces(page)
    assert [y for _, y in _points(traces, "Mood")] == [9, 4, 2, 6]
    # The list reads in the order they were felt, not the order they were written.
    rows = page.get_by_role("main").get_by_role("link").filter(has_text=re.compile(r"Mood \d+ / 10"))
    expect(rows).to_have_count(5)
    moods = [re.search(r"Mood (\d+) / 10", text) for text in rows.all_inner_texts()]
    assert [found.group(1) for found in moods if found] == ["5", "7", "2", "4", "9"]
    # Nothing shared yet: the clinician's list says so, with no empty chart above the words.
    doctor.page.reload()
    row = doctor.page.get_by_role("link").filter(has_text="Jules")
    expect(row).to_contain_text("No shared check-ins in the last 14 days.")
    expect(row.get_by_role("img")).to_have_count(0)
    for mood in ("Mood 9 / 10", "Mood 2 / 10"):
        page.get_by_role("link").filter(has_text=mood).click()
        # What sharing shows, said where it is done.
        shows = page.get_by_text("sees its scores in their charts, and its note.", exact=False)
        expect(shows).to_be_visible()
        page.get_by_role("switch", name="Share with Dr. Okafor").click()
        expect(page.get_by_role("status").filter(has_text="Shared with Dr. Okafor on")).to_be_visible()
        page.get_by_role("navigation").get_by_role("link", name="Check in").click()
        page.get_by_role("link", name="Your check-ins and charts").click()

    # The clinician's chart holds exactly those two, and nothing else reached the browser.
    doctor.page.reload()
    row = doctor.page.get_by_role("link").filter(has_text="Jules")
    expect(row).to_contain_text("Average mood 5.5 over the last 14 days, 2 shared check-ins.")
    # Drawn, and said once: in the words under the drawing, which is hidden from screen
    # readers (a walk-through heard the sentence twice, as the drawing's name and as text).
    expect(row.locator(f"svg[viewBox='0 0 {SPARK_WIDTH} {SPARK_HEIGHT}'] path")).to_be_visible()
    expect(row.get_by_role("img")).to_have_count(0)
    row.click()
    doctor.page.get_by_role("link", name="Mood check-ins").click()
    expect(doctor.page.get_by_role("heading", name="Check-ins shared by Jules")).to_be_visible()
    expect(doctor.page.get_by_text("Line: the 7-day average")).to_be_visible()
    traces = _chart_traces(doctor.page)
    assert _points(traces, "Mood") == list(zip(shared_days, [9, 2], strict=True))
    assert {t["name"] for t in traces} == {"Mood", "Mood, 7-day average"}
    expect(doctor.page.get_by_text("Average mood 5.5 over this range, 2 check-ins.")).to_be_visible()
    content = doctor.page.content()
    assert private_note not in content
    # A shared check-in's note is shared with it: listed under the chart, with its day and mood.
    notes = doctor.page.get_by_role("heading", name="Notes with these check-ins")
    expect(notes).to_be_visible()
    note = doctor.page.get_by_role("listitem").filter(has_text=shared_note)
    expect(note).to_contain_text("Mood 9 / 10")
    expect(doctor.page.get_by_role("listitem").filter(has_text=re.compile(r"Mood \d+ / 10"))).to_have_count(1)

    # The client's check-in shows it was seen; editing it keeps its day.
    page.get_by_role("link").filter(has_text="Mood 9 / 10").click()
    expect(page.get_by_text("Seen on", exact=False)).to_be_visible()
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit check-in")).to_be_visible()
    # Its note is shown at once, not folded under "More (optional)".
    expect(page.get_by_label("Note")).to_be_visible()
    expect(page.get_by_label("Note")).to_have_value(shared_note)
    # Shared, its note is read: said under the form, not "New check-ins are private".
    expect(page.get_by_text("Shared with Dr. Okafor: once you save, they see your changes.")).to_be_visible()
    expect(page.get_by_text("New check-ins are private", exact=False)).to_have_count(0)
    nine = page.get_by_role("radiogroup", name="Mood").get_by_role("radio", name="9", exact=True)
    expect(nine).to_be_checked()
    page.get_by_role("radiogroup", name="Mood").get_by_role("radio", name="8", exact=True).click()
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("status").filter(has_text="Check-in saved.")).to_be_visible()
    expect(page.get_by_role("link").filter(has_text="Mood 8 / 10")).to_have_count(1)
    assert (shared_days[0], 8) in _points(_chart_traces(page), "Mood")

    # Several at once: the last 7 days, shared in one action; the clinician's open chart
    # says so without a click (pushed) and draws them once the clinician chooses to see them
    # (a tab left open must not tell the client "Seen"), then empties at once when they are
    # made private again.
    page.get_by_role("navigation").get_by_role("link", name="Check in").click()
    page.get_by_role("link", name="Your check-ins and charts").click()
    # One ticked far down the list: what to do with it is on screen, above the tab bar (a
    # walk-through found it a screen and more above); "Choose none" lets go of it.
    several = page.get_by_role("region", name="Share several")
    last = page.get_by_role("checkbox").last
    last.scroll_into_view_if_needed()
    # Tapped through its label: 44 × 44 px, not the box's 20 (a walk-through's near miss
    # opened the check-in beside it).
    target = last.locator("xpath=ancestor::label[1]").bounding_box()
    assert target and target["width"] >= 44 and target["height"] >= 44, target
    last.click()
    expect(several).to_be_in_viewport()
    bar = page.locator("nav.bj-tab-bar").bounding_box()
    card = several.bounding_box()
    assert bar and card and card["y"] + card["height"] <= bar["y"] + 1, (card, bar)
    several.get_by_role("button", name="Choose none").click()
    expect(page.get_by_role("checkbox", checked=True)).to_have_count(0)
    expect(several).to_have_count(0)
    page.get_by_role("button", name="Choose the last 7 days").click()
    expect(page.get_by_role("checkbox", checked=True)).to_have_count(5)
    several.get_by_role("button", name="Share with Dr. Okafor").click()
    # Two of the five were shared already: it says the three it shared (it said 5).
    expect(page.get_by_role("status").filter(has_text="3 check-ins shared with Dr. Okafor.")).to_be_visible()
    waiting = doctor.page.get_by_role("status").filter(
        has_text="Something new was shared with you since this page opened."
    )
    expect(waiting).to_be_visible()
    waiting.get_by_role("button", name="Show it").click()
    expect(doctor.page.get_by_text("Average mood 5.2 over this range, 5 check-ins.")).to_be_visible()
    expect(waiting).to_have_count(0)
    assert [y for _, y in _points(_chart_traces(doctor.page), "Mood")] == [8, 4, 2, 6]
    page.get_by_role("button", name="Choose the last 7 days").click()
    page.get_by_role("region", name="Share several").get_by_role(
        "button", name="Stop sharing with Dr. Okafor"
    ).click()
    expect(page.get_by_role("status").filter(has_text="5 check-ins made private.")).to_be_visible()
    expect(doctor.page.get_by_text("No check-ins in this range yet.")).to_be_visible()
    expect(doctor.page.get_by_text(shared_note)).to_have_count(0)  # its note went with it


def test_the_form_is_drawn_only_once_the_check_in_is_opened(browser, running_app: RunningApp) -> None:
    """Until the server has opened the check-in (its id; an edit's fields), the page says it
    is opening it: a form drawn before was drawn again when they came, and a section opened
    or a note typed in the meantime was gone. Here the server never answers."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="en-CA")
    try:
        page = context.new_page()
        page.route_web_socket(re.compile(r"_event"), lambda socket: None)  # never connects
        page.goto(running_app.url + "/check-in")
        expect(page.get_by_role("status", name="Opening the check-in")).to_be_visible()
        expect(page.get_by_role("radiogroup", name="Mood")).to_have_count(0)
        expect(page.get_by_text("More (optional)")).to_have_count(0)
    finally:
        context.close()


def test_a_mood_tapped_offline_shows_at_once_and_is_the_one_saved(open_phone, running_app) -> None:
    """Walk-through: offline, a tapped mood changed nothing on screen (the tap waits for the
    connection); after 2, 5 and 3, the 5 looked chosen and the 3 was saved."""
    phone = _signed_in_client(open_phone, running_app, "offline-mood")
    page = phone.page
    page.get_by_role("navigation").get_by_role("link", name="Check in").click()
    mood = page.get_by_role("radiogroup", name="Mood")
    mood.get_by_role("radio", name="8", exact=True).click()
    expect(mood.get_by_role("radio", name="8", exact=True)).to_be_checked()

    def looks(value: str) -> str:
        radio = mood.get_by_role("radio", name=value, exact=True)
        return radio.evaluate("(b) => getComputedStyle(b).backgroundColor")

    chosen, not_chosen = looks("8"), looks("5")
    assert chosen != not_chosen
    phone.context.set_offline(True)
    expect(page.get_by_text("You're offline", exact=False).first).to_be_visible()
    for value in ("2", "5", "3"):
        mood.get_by_role("radio", name=value, exact=True).click()
        assert looks(value) == chosen, f"{value} tapped offline doesn't look chosen"
        # And is heard as chosen (a walk-through's screen reader said "3, not selected").
        expect(mood.get_by_role("radio", name=value, exact=True)).to_be_checked()
    assert [looks(value) for value in ("8", "2", "5")] == [not_chosen] * 3
    expect(mood.get_by_role("radio", checked=True)).to_have_count(1)
    phone.context.set_offline(False)
    # The taps waiting go, in order, and the server's answers are drawn as they come: the
    # tap's own drawing goes with the first, and the last (3) is the one that stays.
    expect(mood).not_to_have_attribute("data-tapped", "true")
    expect(mood.get_by_role("radio", name="3", exact=True)).to_be_checked()
    expect(mood.get_by_role("radio", checked=True)).to_have_count(1)
    assert looks("3") == chosen and looks("8") == not_chosen
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("status").filter(has_text="Check-in saved.")).to_be_visible()
    expect(page.get_by_role("link").filter(has_text="Mood 3 / 10")).to_have_count(1)


def test_a_first_check_in_made_offline_is_saved_when_the_connection_is_back(open_phone, running_app) -> None:
    """Walk-through: offline, a first check-in's tapped mood left "Save check-in" disabled
    (the server, which would have enabled it, was out of reach): nothing could be saved."""
    phone = _signed_in_client(open_phone, running_app, "offline-first")
    page = phone.page
    page.get_by_role("navigation").get_by_role("link", name="Check in").click()
    mood = page.get_by_role("radiogroup", name="Mood")
    expect(mood.get_by_role("radio", name="6", exact=True)).to_be_visible()
    phone.context.set_offline(True)
    expect(page.get_by_text("You're offline", exact=False).first).to_be_visible()
    mood.get_by_role("radio", name="6", exact=True).click()
    # What Save needs goes as soon as the mood is tapped, and Save can be tapped.
    expect(page.get_by_text("Choose your mood, from 0 to 10, to save.")).to_be_hidden()
    save = page.get_by_role("button", name="Save check-in")
    expect(save).to_be_enabled()
    save.click()
    phone.context.set_offline(False)
    expect(page.get_by_role("status").filter(has_text="Check-in saved.")).to_be_visible()
    expect(page.get_by_role("link").filter(has_text="Mood 6 / 10")).to_have_count(1)


def test_a_scale_of_ones_own_is_renamed_and_removed_keeping_or_taking_its_values(
    open_phone, running_app
) -> None:
    """Walk-through: a typo in a scale's name ("Headahce") could only be mended by removing
    the scale, and every value rated on it with it; and one tap on Remove took them away,
    with no question and no way back."""
    phone = _signed_in_client(open_phone, running_app, "own-scale")
    page = phone.page
    phone.goto(routes.CHECK_INS)
    page.get_by_label("A scale of your own, from 0 to 10", exact=True).fill("Headahce")
    page.get_by_role("button", name="Add scale").click()
    expect(page.get_by_text("Headahce (private)")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="Check in").click()
    page.get_by_role("radiogroup", name="Mood").get_by_role("radio", name="6", exact=True).click()
    page.get_by_text("More (optional)").click()
    headache = page.get_by_role("radiogroup", name="Headahce (private)")
    headache.get_by_role("radio", name="7", exact=True).click()
    expect(headache.get_by_role("radio", name="7", exact=True)).to_be_checked()
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("status").filter(has_text="Check-in saved.")).to_be_visible()

    # Renamed: a refused name leaves the saved one in the box; the value rated stays.
    box = page.get_by_label("Name of the scale Headahce")
    box.fill("")
    page.get_by_role("button", name="Rename the scale Headahce").click()
    expect(page.get_by_role("alert").filter(has_text="The name can't be empty.")).to_be_visible()
    expect(box).to_have_value("Headahce")  # not renamed, and the box says so
    box.fill("Headache")
    page.get_by_role("button", name="Rename the scale Headahce").click()
    expect(page.get_by_role("status").filter(has_text="Scale renamed.")).to_be_visible()
    expect(page.get_by_label("Name of the scale Headache")).to_have_value("Headache")
    expect(page.get_by_text("Headache (private)")).to_be_visible()
    expect(page.get_by_text("Headache 7 / 10", exact=False).first).to_be_visible()  # its value stays
    expect(page.get_by_text("Headahce", exact=False)).to_have_count(0)
    page.get_by_role("navigation").get_by_role("link", name="Check in").click()
    page.get_by_text("More (optional)").click()
    expect(page.get_by_role("radiogroup", name="Headache (private)")).to_be_visible()
    phone.goto(routes.CHECK_INS)

    # Removed: asked first, and said what goes with it; kept, its value stays too.
    removed_after_asking(
        page,
        "the scale Headache",
        says="no longer shows in your check-ins or charts",
        shown=page.get_by_text("Headache (private)"),
        done="Scale removed.",
        kept_too=page.get_by_text("Headache 7 / 10", exact=False).first,
    )


def removed_after_asking(
    page: Page, what: str, *, says: str, shown: Locator, done: str, kept_too: Locator | None = None
) -> None:
    """`what`'s Remove asks first, saying `says`: "Keep it" keeps it (`shown`, and
    `kept_too`), then Remove takes it away, saying `done`."""
    question = page.get_by_role("alertdialog", name=f"Remove {what}?")
    page.get_by_role("button", name=f"Remove {what}").click()
    expect(question).to_contain_text(says)
    question.get_by_role("button", name="Keep it").click()
    expect(question).to_be_hidden()
    expect(shown).to_be_visible()
    if kept_too is not None:
        expect(kept_too).to_be_visible()
    page.get_by_role("button", name=f"Remove {what}").click()
    question.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("status").filter(has_text=done)).to_be_visible()
    expect(shown).to_have_count(0)


def test_a_refused_tag_rename_puts_the_saved_name_back_in_its_box_and_removing_asks_first(
    open_phone, running_app
) -> None:
    """Walk-through: a rename refused (a name already used, an empty one) said why, and left
    the refused name in the tag's box, as if the tag had been renamed."""
    phone = _signed_in_client(open_phone, running_app, "tag-rename")
    page = phone.page
    phone.goto(routes.CHECK_INS)
    for name in ("work", "family"):
        page.get_by_label("New tag", exact=True).fill(name)
        page.get_by_role("button", name="Add tag").click()
        expect(page.get_by_label(f"Name of the tag {name}")).to_have_value(name)
    family = page.get_by_label("Name of the tag family")
    for refused, why in (("Work", "You already have a tag called Work."), ("", "The name can't be empty.")):
        family.fill(refused)
        page.get_by_role("button", name="Rename the tag family").click()
        expect(page.get_by_role("alert").filter(has_text=why)).to_be_visible()
        expect(family).to_have_value("family")
    family.fill("Family")
    page.get_by_role("button", name="Rename the tag family").click()
    expect(page.get_by_role("status").filter(has_text="Tag renamed.")).to_be_visible()
    expect(page.get_by_label("Name of the tag Family")).to_have_value("Family")
    expect(page.get_by_label("Name of the tag work")).to_have_value("work")

    # Removed: asked first, as a scale is (a walk-through took a tag off every past check-in
    # at one tap), and said what goes with it.
    removed_after_asking(
        page,
        "the tag work",
        says="comes off every check-in that has it",
        shown=page.get_by_label("Name of the tag work"),
        done="Tag removed.",
    )


def test_what_was_said_about_the_last_try_goes_when_the_browser_refuses_the_next(
    open_phone, running_app
) -> None:
    """A walk-through fixed the sleep it was told was wrong and chose a time to come: the
    browser said the time was too late, and "Sleep: enter hours…" stayed on top of it."""
    phone = _signed_in_client(open_phone, running_app, "stale-problem")
    page = phone.page
    phone.goto(routes.CHECK_IN)
    page.get_by_role("radiogroup", name="Mood").get_by_role("radio", name="6", exact=True).click()
    page.get_by_text("More (optional)").click()
    page.get_by_label("Hours of sleep").fill("30")
    page.get_by_role("button", name="Save check-in").click()
    problem = page.get_by_role("alert").filter(has_text="Sleep: enter hours from 0 to 24")
    expect(problem).to_be_visible()
    expect(page.get_by_label("Hours of sleep")).to_be_focused()  # where to mend it (walk-through)
    page.get_by_label("Hours of sleep").fill("6.5")
    to_come = (datetime.now(ZONE) + timedelta(days=2)).strftime("%Y-%m-%dT09:00")
    page.get_by_label("When", exact=True).fill(to_come)
    page.get_by_role("button", name="Save check-in").click()
    expect(problem).to_have_count(0)
    expect(page.get_by_role("heading", name="Check in")).to_be_visible()  # nothing was sent
    expect(page.get_by_label("Hours of sleep")).to_have_value("6.5")
