"""Every built-in exercise being filled in on a phone, in English and in French: each fits
a 390 px screen without sideways scrolling, reads in the client's language, keeps what is
typed, and is saved as a screenshot in docs/screenshots/ (homework-<template>-<language>.png)."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from appserver import PROJECT_ROOT, RunningApp
from people import SILENCEABLE_WEBSOCKET, sign_in
from PIL import Image
from playwright.sync_api import Page, expect

from betterjournal.core import worksheets
from betterjournal.i18n import ENGLISH, FRENCH, Reader

pytestmark = pytest.mark.e2e

PASSWORD = "lantern-moss-quarry-31"
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
LOCALES = {ENGLISH: "en-CA", FRENCH: "fr-CA"}


def _fill_first_fields(page: Page, sheet: worksheets.Worksheet, reader: Reader) -> str:
    """Type the example's first text answer, and tap the example's first 0–10 rating."""
    typed = ""
    for spec in sheet.fields:
        value = sheet.example.get(spec.id)
        if (
            spec.type in (worksheets.SHORT_TEXT, worksheets.LONG_TEXT)
            and isinstance(value, str)
            and not typed
        ):
            typed = reader.t(value)
            field = page.get_by_label(reader.t(spec.label), exact=True)
            field.fill(typed)
            expect(field).to_have_value(typed)
        if spec.type == worksheets.SCALE_10 and isinstance(value, int):
            group = page.get_by_role("radiogroup", name=reader.t(spec.label), exact=True)
            group.get_by_role("radio", name=str(value), exact=True).click()
            expect(group.get_by_role("radio", name=str(value), exact=True)).to_be_checked()
            break
    if not typed:  # rows only (activity scheduling): the first row's first column
        first = sheet.fields[0]
        typed = reader.t(sheet.example[first.id][0][first.columns[0].id])
        field = page.get_by_label(reader.t(first.columns[0].label), exact=True).first
        field.fill(typed)
        expect(field).to_have_value(typed)
    return typed


@pytest.mark.parametrize("language", [ENGLISH, FRENCH])
def test_every_built_in_exercise_on_a_phone(open_phone, running_app: RunningApp, language: str) -> None:
    reader = Reader(language)
    phone = open_phone(locale=LOCALES[language])
    page = phone.page
    email = f"screens-{uuid.uuid4().hex[:8]}@example.ca"
    running_app.create_user("client", email, "Alex", PASSWORD)
    sign_in(phone, email, PASSWORD, french=language == FRENCH)
    page.wait_for_url("**/journal")
    sheets = [(key, sheet) for key, sheet in worksheets.BUILT_IN.items() if not sheet.is_prompt]
    sheets.append(("journaling_prompt", worksheets.library_prompt(0)))
    for key, sheet in sheets:
        query = "prompt=0" if sheet.is_prompt else f"template={key}"
        phone.goto(f"/homework/do?{query}")
        expect(page.get_by_role("heading", name=reader.t(sheet.title), exact=True)).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", language)
        if sheet.is_prompt:
            expect(page.get_by_text(reader.t(sheet.questions[0]))).to_be_visible()
        typed = _fill_first_fields(page, sheet, reader)
        expect(page.get_by_role("status").filter(has_text=reader.t("Draft saved"))).to_be_visible()
        page.get_by_text(reader.t("What is this, and an example")).click()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"{key} in {language} scrolls sideways ({width} px)"
        page.screenshot(path=str(SCREENSHOTS / f"homework-{key}-{language}.png"), full_page=True)
        # What was typed is on the server: it comes back after a reload.
        page.reload()
        expect(page.get_by_text(reader.t("Your answers so far are back."))).to_be_visible()
        expect(page.locator("main textarea, main input[type=text]").first).to_have_value(typed)


def _colour_at(element, across: float) -> tuple[int, ...]:
    """The colour (R, G, B) of the pixel at `across` (0–1) of the element's width, halfway
    down: for a slider, its track there (or its thumb, if the thumb is there)."""
    shot = Image.open(io.BytesIO(element.screenshot(animations="disabled"))).convert("RGB")
    red, green, blue = shot.getpixel((int(shot.width * across), shot.height // 2))  # type: ignore[misc]
    return (red, green, blue)


def test_a_slider_not_rated_yet_takes_a_tap_where_it_rests(open_phone, running_app: RunningApp) -> None:
    """Before any answer the thumb rests at 50 and says "Not rated yet"; a tap on it chooses
    50 (no value changed, so no change event: the release gives it), and arrows move it."""
    phone = open_phone()
    page = phone.page
    email = f"slider-{uuid.uuid4().hex[:8]}@example.ca"
    running_app.create_user("client", email, "Alex", PASSWORD)
    sign_in(phone, email, PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Homework").click()
    page.get_by_role("link", name="Thought record").click()
    slider = page.get_by_role("slider", name="How much I believed it (0–100)")
    expect(slider).to_have_attribute("aria-valuetext", "Not rated yet")
    expect(slider).to_have_value("50")
    # Not rated yet, no thumb is drawn: the middle is the track, as a quarter of the way
    # along is (an empty ring there still read as a chosen 50, in a walk-through).
    unrated, track = _colour_at(slider, 0.5), _colour_at(slider, 0.25)
    assert all(abs(a - b) < 12 for a, b in zip(unrated, track, strict=True)), (
        f"something is drawn where the thumb rests: {unrated}, the track {track}"
    )

    slider.click()  # the middle of the track: where the thumb rests
    expect(slider).to_have_attribute("aria-valuetext", "50")
    rated = _colour_at(slider, 0.5)
    teal = (0x0D, 0x7D, 0x70)  # the accent 9 (assets/app.css)
    assert all(abs(a - b) < 30 for a, b in zip(rated, teal, strict=True)), (
        f"the chosen thumb isn't filled: {rated}"
    )
    slider.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuetext", "55")
    # Quick presses, as fast as a held key: every one counts (the server's answer to one
    # press used to put the slider back, and five moved it 10).
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    expect(slider).to_have_value("80")
    expect(slider).to_have_attribute("aria-valuetext", "80")
    page.wait_for_timeout(500)  # the last press's answer
    expect(slider).to_have_value("80")
    page.reload()  # the answers are the draft's: kept
    kept = page.get_by_role("slider", name="How much I believed it (0–100)")
    expect(kept).to_have_attribute("aria-valuetext", "80")
    expect(kept).to_have_value("80")

    # Two emotions, rated 20 and 90; the first removed: the one left shows its own 90 (the
    # slider keeps its value in the browser, and rows move up into the removed one's place).
    emotions = page.get_by_role("group", name="Emotions", exact=True)
    first = emotions.get_by_role("group", name="Emotion 1").get_by_role("slider", name="How strong (0–100)")
    first.fill("20")
    expect(first).to_have_attribute("aria-valuetext", "20")
    emotions.get_by_role("button", name="Add another: Emotions", exact=True).click()
    # The new item's first field has the focus (it stayed on the button, below it).
    expect(emotions.get_by_role("group", name="Emotion 2").locator("input, textarea").first).to_be_focused()
    second = emotions.get_by_role("group", name="Emotion 2").get_by_role("slider", name="How strong (0–100)")
    second.fill("90")
    expect(second).to_have_attribute("aria-valuetext", "90")
    emotions.get_by_role("button", name="Remove Emotion 1").click()
    expect(emotions.get_by_role("group", name="Emotion 2")).to_have_count(0)
    # The focus stays in the list (the next item's Remove), not back at the page's top.
    expect(emotions.get_by_role("button", name="Remove Emotion 1")).to_be_focused()
    left = emotions.get_by_role("group", name="Emotion 1").get_by_role("slider", name="How strong (0–100)")
    expect(left).to_have_attribute("aria-valuetext", "90")
    expect(left).to_have_value("90")

    # "Add another" tapped, and the person goes on to the first thought before the new item
    # comes (one script: the server's answer can't come in between): the focus stays there.
    thoughts = page.get_by_role("group", name="Automatic thoughts", exact=True)
    page.evaluate(
        """() => {
          document.getElementById("add-thoughts").click();
          document.getElementById("w-thoughts-0").focus();
        }"""
    )
    expect(thoughts.get_by_label("Thought 2", exact=True)).to_be_visible()
    page.wait_for_timeout(300)  # the new item's look for the focus runs on each frame
    expect(thoughts.get_by_label("Thought 1", exact=True)).to_be_focused()


def test_answers_typed_just_before_a_reload_or_a_closed_tab_are_kept(
    open_phone, running_app: RunningApp
) -> None:
    """An answer is sent after a pause of 0.7 s; reloaded sooner, the words typed since the
    last pause used to be lost (5 reloads of 5 after 0–300 ms, in a probe). The field sends
    them as the page starts to go, and hands them to a beacon too: a tab closed with its
    websocket dead keeps them. The page opened again shows every word."""
    phone = open_phone()
    page = phone.page
    email = f"reload-{uuid.uuid4().hex[:8]}@example.ca"
    running_app.create_user("client", email, "Alex", PASSWORD)
    sign_in(phone, email, PASSWORD)
    page.wait_for_url("**/journal")
    phone.goto("/homework/do?template=thought_record")
    situation = page.get_by_label("Situation", exact=True)
    said = ""
    for wait_ms in (0, 100, 300):
        words = f"{' ' if said else ''}At the bus stop, {wait_ms} ms before the reload."
        situation.press_sequentially(words, delay=15)
        said += words
        page.wait_for_timeout(wait_ms)
        page.reload()
        expect(page.get_by_text("Your answers so far are back.")).to_be_visible()
        expect(situation).to_have_value(said)
        situation.press("Control+End")
    # A tab of its own whose websocket has died without a word (as on a phone that changed
    # networks): only what the tab hands to a beacon can arrive. A new exercise's first
    # words, closed 300 ms after the last key; then a list's second item, left for the next
    # field a second before the tab closes.
    phone.context.add_init_script(SILENCEABLE_WEBSOCKET)
    for label, words in (
        ("Situation", "On the train, just before the tab closed."),
        ("Thought 2", "Nobody called back."),
    ):
        tab = phone.context.new_page()
        tab.goto(running_app.url + "/homework/do?template=thought_record")
        tab.wait_for_url(re.compile(r"[?&]id="))
        expect(tab.get_by_label("Situation", exact=True)).to_be_visible()
        if label == "Thought 2":
            tab.get_by_role("button", name="Add another: Automatic thoughts").click()
            tab.get_by_role("button", name="Add another: Automatic thoughts").click()
            # Both there, as a person sees them before going on: the newest item's field takes
            # the focus as it comes, and words typed before that went into it.
            expect(tab.get_by_label("Thought 3", exact=True)).to_be_visible()
        address = tab.url
        field = tab.get_by_label(label, exact=True)
        if label == "Situation":
            field.press_sequentially(words, delay=15)
            tab.evaluate("window.__silence = true")
            tab.wait_for_timeout(300)
        else:
            # Typed into a connection already dead; the person moves on to the next field
            # (the send as it is left goes nowhere) and closes the tab a second later.
            tab.evaluate("window.__silence = true")
            field.press_sequentially(words, delay=15)
            field.press("Tab")
            tab.wait_for_timeout(1000)
        tab.close(run_before_unload=True)
        again = phone.context.new_page()
        again.goto(address)
        expect(again.get_by_text("Your answers so far are back.")).to_be_visible()
        expect(again.get_by_label(label, exact=True)).to_have_value(words)
        again.close()


def test_an_answer_too_long_to_keep_is_counted_and_holds_up_save(open_phone, running_app: RunningApp) -> None:
    """Walk-through: 5,300 characters pasted into an answer were refused as they autosaved, with
    no counter, and "Save and keep private" then said the exercise was saved, without them."""
    phone = open_phone()
    page = phone.page
    email = f"long-answer-{uuid.uuid4().hex[:8]}@example.ca"
    running_app.create_user("client", email, "Alex", PASSWORD)
    sign_in(phone, email, PASSWORD)
    page.wait_for_url("**/journal")
    phone.goto("/homework/do?template=thought_record")
    field = page.get_by_label("Evidence against the hot thought", exact=True)
    pasted = "One sentence about the evening. " * 157  # 5,024 characters
    field.fill(pasted)
    expect(page.get_by_text("24 characters too many")).to_be_visible()
    # Kept as a draft meanwhile (a fifth past the limit): a reload loses none of it.
    expect(page.get_by_role("status").filter(has_text="Draft saved")).to_be_visible()
    page.reload()
    expect(field).to_have_value(pasted)
    expect(page.get_by_text("24 characters too many")).to_be_visible()
    page.get_by_role("button", name="Save and keep private").click()
    too_long = "Evidence against the hot thought is too long: the limit is 5,000 characters."
    expect(page.get_by_role("alert").filter(has_text=too_long)).to_be_visible()
    expect(page.get_by_role("heading", name="Thought record")).to_be_visible()  # still here
    expect(field).to_have_value(pasted)
    # Past what a draft keeps, it is only on the screen, and Save says so.
    field.fill(pasted + "x" * 1_000)
    expect(page.get_by_text("Not saved yet")).to_be_visible()
    page.get_by_role("button", name="Save and keep private").click()
    expect(page.get_by_role("alert").filter(has_text="Change that answer, then try again")).to_be_visible()
    field.fill("One sentence about the evening.")
    expect(page.get_by_role("status").filter(has_text="Draft saved")).to_be_visible()
    page.get_by_role("button", name="Save and keep private").click()
    expect(page.get_by_text("Exercise saved. It is private until you choose to share it.")).to_be_visible()
