"""Homework end to end: the clinician (at a desk, 1280×800) assigns, the client (on a phone)
finds it under "To do", fills it in over two visits, returns it; the clinician reads it,
comments and marks it reviewed; the client sees the comment. For a thought record, a
worksheet the clinician builds, and a journaling prompt."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from appserver import RunningApp
from people import Tab, linked_pair, register, sign_in, wait_until_ready
from playwright.sync_api import Browser, Page, expect

from betterjournal import routes

pytestmark = pytest.mark.e2e

PASSWORD = "river-stone-cedar-1984"


def _saved(page: Page) -> None:
    """Wait until the answers on screen are on the server (the autosave said so)."""
    status = page.get_by_role("status").filter(has_text="Draft saved")
    expect(status).to_be_visible()


def _answer(page: Page, label: str, text: str, *, within=None) -> None:
    place = within if within is not None else page
    field = place.get_by_label(label, exact=True)
    field.fill(text)
    expect(field).to_have_value(text)


def _assign(
    desk: Page, worksheet: str, *, due: date | None = None, instructions: str = "", questions: str = ""
):
    desk.get_by_label("Worksheet").select_option(label=worksheet)
    # Only the fields that apply show: questions for a prompt, how many times for a repeat.
    prompt_only = desk.get_by_label("Questions (for a journaling prompt)")
    if worksheet == "Journaling prompt":
        expect(prompt_only).to_be_visible()
    else:
        expect(prompt_only).to_be_hidden()
    expect(desk.get_by_label("How many times")).to_be_hidden()
    # What each field is for is said before anything is sent (a repeat needs its due date).
    form = desk.locator("form").filter(has=desk.get_by_role("heading", name="Assign homework"))
    for said in (
        "Your client reads it with the worksheet.",
        "A short personal word, shown under the instructions.",
        "Needed for a repeat: the first one is due that day.",
    ):
        expect(form.get_by_text(said)).to_be_visible()
    expect(desk.get_by_role("link", name=re.compile(r"^Back to "))).to_be_visible()  # the client's page
    desk.get_by_label("Repeat").select_option(label="Weekly")
    expect(desk.get_by_label("How many times")).to_be_visible()
    desk.get_by_label("Repeat").select_option(label="Once")
    expect(desk.get_by_label("How many times")).to_be_hidden()
    if questions:
        prompt_only.fill(questions)
    if instructions:
        desk.get_by_label("Instructions", exact=True).fill(instructions)
    if due is not None:
        desk.get_by_label("Due date (optional)").first.fill(due.isoformat())
    desk.get_by_role("button", name="Assign", exact=True).click()
    expect(desk.get_by_role("status").filter(has_text="Assigned.")).to_be_visible()
    # The form is empty again: nothing of this one goes out with the next (before, it kept all).
    form = desk.locator("form").filter(has=desk.get_by_role("heading", name="Assign homework"))
    for field in ("Instructions", "Note for your client", "Due date (optional)"):
        expect(form.get_by_label(field)).to_have_value("")


def _read_and_review(desk: Page, url: str, comment: str) -> None:
    desk.goto(url + "/clients")
    wait_until_ready(desk)
    returned = desk.get_by_role("region", name="Returned, not reviewed yet")
    returned.get_by_role("link").first.click()
    expect(desk.get_by_role("link", name="Back to Sam's homework")).to_be_visible()
    # Half written, the clinician looks at Sam's homework and comes back: the words wait.
    desk.get_by_label("Your comment").fill(comment[:12])
    desk.get_by_role("link", name="Back to Sam's homework").click()
    expect(desk.get_by_role("heading", name="Homework for Sam")).to_be_visible()
    desk.go_back()
    expect(desk.get_by_label("Your comment")).to_have_value(comment[:12])
    desk.get_by_label("Your comment").fill(comment)
    desk.get_by_role("button", name="Save comment").click()
    expect(desk.get_by_role("status").filter(has_text="Comment saved.")).to_be_visible()
    desk.get_by_role("button", name="Mark as reviewed").focus()  # by the keyboard
    desk.keyboard.press("Enter")
    # The button is gone ("Reviewed" in its place): the focus goes to what it did, not
    # back to the top of the page.
    expect(desk.get_by_role("status").filter(has_text="Marked as reviewed.")).to_be_focused()


def test_each_assignments_edit_form_holds_its_own_words(browser: Browser, running_app: RunningApp) -> None:
    """Walk-through: right after a second assignment, its "Edit or withdraw" form held the
    first one's instructions, note and due date (its card was drawn in the first one's
    element), and "Save changes" put them on the new assignment."""
    doctor, client, ids = linked_pair(running_app, "Ndiaye", "Robin")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-CA")
    context.set_default_timeout(20_000)
    desk = Tab(context.new_page(), running_app)
    sign_in(desk, doctor)
    page = desk.page
    desk.goto(routes.client_homework(str(ids[client])))
    expect(page.get_by_role("heading", name="Homework for Robin")).to_be_visible()
    assign = page.locator("form").filter(has=page.get_by_role("heading", name="Assign homework"))
    words = {
        "Thought record": ("Once this week, after a strong feeling.", "Start small."),
        "Behavioural experiment": ("Try it once before Thursday.", ""),
    }
    for worksheet, (instructions, note) in words.items():
        assign.get_by_label("Worksheet").select_option(label=worksheet)
        assign.get_by_label("Instructions").fill(instructions)
        assign.get_by_label("Note for your client").fill(note)
        assign.get_by_role("button", name="Assign", exact=True).click()
        expect(page.get_by_role("main").locator(".rt-Card").filter(has_text=instructions)).to_be_visible()
    for instructions, note in words.values():
        card = page.get_by_role("main").locator(".rt-Card").filter(has_text=instructions)
        card.get_by_text("Edit or withdraw").click()
        expect(card.get_by_label("Instructions")).to_have_value(instructions)
        expect(card.get_by_label("Note for this assignment")).to_have_value(note)
        # Its boxes take the card's width (a walk-through found them a third of it, cut off).
        inside, box = card.bounding_box(), card.get_by_label("Instructions").bounding_box()
        assert inside is not None and box is not None
        assert box["width"] > 0.85 * inside["width"], (box, inside)
    # "Withdraw" asks first; "Keep it" keeps it.
    card = page.get_by_role("main").locator(".rt-Card").filter(has_text="Try it once before Thursday.")
    question = page.get_by_role("alertdialog", name="Withdraw Behavioural experiment?")
    card.get_by_role("button", name="Withdraw").click()
    question.get_by_role("button", name="Keep it").click()
    expect(question).to_be_hidden()
    expect(card).to_be_visible()
    card.get_by_role("button", name="Withdraw").click()
    question.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_role("status").filter(has_text="Assignment withdrawn.")).to_be_visible()
    expect(card).to_have_count(0)
    context.close()


def test_assign_complete_over_two_visits_return_review_and_comment(
    browser: Browser, open_phone, running_app: RunningApp
) -> None:
    url = running_app.url
    situation = running_app.marker("thought-record-situation")
    desk_context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-CA")
    desk_context.set_default_timeout(20_000)
    desk = desk_context.new_page()
    doctor_email = f"okafor-{uuid.uuid4().hex[:8]}@clinic.example"
    running_app.create_user("clinician", doctor_email, "Dr. Okafor", PASSWORD)
    sign_in(Tab(desk, running_app), doctor_email, PASSWORD)
    desk.get_by_role("button", name="Create invitation code").click()
    code = desk.get_by_label("Invitation code").inner_text(timeout=20_000)

    client = open_phone()
    page = client.page
    email = f"sam-{uuid.uuid4().hex[:8]}@example.ca"
    register(client, code, "Sam", email, PASSWORD)
    sign_in(client, email, PASSWORD)
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("status").filter(has_text="You're connected with Dr. Okafor")).to_be_visible()

    # The clinician assigns a thought record, due in three days.
    desk.reload()
    desk.get_by_role("link").filter(has_text="Sam").click()
    desk.get_by_role("link", name="Homework").click()
    expect(desk.get_by_role("heading", name="Homework for Sam")).to_be_visible()
    # Nothing is chosen for the clinician: Assign tapped too soon assigns nothing.
    expect(desk.get_by_label("Worksheet")).to_have_value("")
    desk.get_by_role("button", name="Assign", exact=True).click()
    expect(desk.get_by_role("alert").filter(has_text="Choose a worksheet from the list.")).to_be_visible()
    expect(desk.get_by_text("Nothing assigned yet")).to_be_visible()
    # Half-way through, the clinician looks at another page and comes back: what was typed
    # is still there. A reload forgets it (kept in the tab's memory only, never stored).
    half_typed = "Notice one moment this week when your mood shifts."
    desk.get_by_label("Worksheet").select_option(label="Journaling prompt")
    desk.get_by_label("Questions (for a journaling prompt)").fill("What helped today?")
    desk.get_by_label("Instructions", exact=True).fill(half_typed)
    desk.get_by_label("Note for your client").first.fill("No rush.")
    desk.get_by_role("link", name="Back to Sam").click()
    desk.get_by_role("link", name="Homework").click()
    expect(desk.get_by_role("heading", name="Homework for Sam")).to_be_visible()
    expect(desk.get_by_label("Worksheet").locator("option:checked")).to_have_text("Journaling prompt")
    expect(desk.get_by_label("Questions (for a journaling prompt)")).to_have_value("What helped today?")
    expect(desk.get_by_label("Instructions", exact=True)).to_have_value(half_typed)
    expect(desk.get_by_label("Note for your client").first).to_have_value("No rush.")
    desk.reload()
    expect(desk.get_by_label("Worksheet").locator("option", has_text="Journaling prompt")).to_be_attached()
    expect(desk.get_by_label("Worksheet")).to_have_value("")
    expect(desk.get_by_label("Instructions", exact=True)).to_have_value("")
    due = date.today() + timedelta(days=3)
    _assign(desk, "Thought record", due=due, instructions="After a hard moment this week.")
    expect(desk.get_by_text("Assigned", exact=True)).to_be_visible()
    # Its changes, half made, wait too while the clinician looks elsewhere, folded open.
    edit = desk.locator("details").filter(has_text="Edit or withdraw")
    edit.get_by_text("Edit or withdraw").click()
    edit.get_by_label("Note for this assignment").fill("Take your time.")
    desk.get_by_role("link", name="Back to Sam").click()
    desk.get_by_role("link", name="Homework").click()
    expect(edit.get_by_label("Note for this assignment")).to_be_visible()
    expect(edit.get_by_label("Note for this assignment")).to_have_value("Take your time.")
    expect(edit.get_by_label("Instructions for this assignment")).to_have_value(
        "After a hard moment this week."
    )
    edit.get_by_role("button", name="Save changes").click()
    expect(desk.get_by_role("status").filter(has_text="Assignment updated.")).to_be_visible()
    expect(edit.get_by_label("Note for this assignment")).to_have_value("Take your time.")

    # The client finds it under "To do" on the home screen, with its due day in words.
    page.get_by_role("navigation").get_by_role("link", name="Journal").click()
    to_do = page.get_by_role("link").filter(has_text="Thought record")
    expect(to_do).to_contain_text(f"Due {due.strftime('%A')}")
    to_do.first.click()
    expect(page.get_by_role("heading", name="Thought record")).to_be_visible()
    expect(page.get_by_text("After a hard moment this week.")).to_be_visible()

    # First visit: a few answers, each autosaved.
    _answer(page, "Situation", situation)
    _saved(page)
    # Offline, the line beside the buttons no longer says "Draft saved" (a walk-through read it
    # as if what was typed offline were kept); back online, the autosave goes on.
    client.context.set_offline(True)
    offline = "Offline — your words will be saved when you're back"
    expect(page.get_by_role("status").filter(has_text=offline)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Draft saved")).to_have_count(0)
    # Typing far down the worksheet, "you're offline" is still on screen (walk-through 14).
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    expect(page.get_by_role("status").filter(has_text="You're offline. What you do here")).to_be_in_viewport()
    client.context.set_offline(False)
    _saved(page)
    emotions = page.get_by_role("group", name="Emotions", exact=True)
    first_emotion = emotions.get_by_role("group", name="Emotion 1")
    _answer(page, "Emotion", "Sad", within=first_emotion)
    first_emotion.get_by_label("How strong (0–100)").fill("70")
    page.get_by_role("button", name="Add another: Emotions", exact=True).click()
    _answer(page, "Emotion", "Anxious", within=emotions.get_by_role("group", name="Emotion 2"))
    thoughts = page.get_by_role("group", name="Automatic thoughts")
    thoughts.get_by_label("Thought 1", exact=True).fill("I always push people away.")
    expect(thoughts.get_by_text("Thought 1", exact=True)).to_have_count(1)  # its label, said once
    # A tap on a slider's track, a fifth of the way along, keeps the value tapped (not the 50
    # it rested at, which the slider shows again while the server's answer is on its way).
    belief = page.get_by_label("How much I believed it (0–100)")
    belief.scroll_into_view_if_needed()
    box = belief.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] / 2)
    expect(belief).not_to_have_value("50")
    page.wait_for_timeout(1_000)  # the tap's change and its lift, both answered
    tapped = belief.input_value()
    assert 10 <= int(tapped) <= 30, tapped
    expect(emotions.get_by_role("group", name="Emotion 2").get_by_label("Emotion", exact=True)).to_have_value(
        "Anxious"
    )
    page.wait_for_timeout(1_500)  # the last debounce

    # Second visit, after a reload: nothing lost; finish and return it.
    page.reload()
    expect(page.get_by_text("Your answers so far are back.")).to_be_visible()
    expect(page.get_by_label("Situation", exact=True)).to_have_value(situation)
    emotions = page.get_by_role("group", name="Emotions", exact=True)
    expect(emotions.get_by_role("group", name="Emotion 2").get_by_label("Emotion", exact=True)).to_have_value(
        "Anxious"
    )
    expect(emotions.get_by_role("group", name="Emotion 1").get_by_label("How strong (0–100)")).to_have_value(
        "70"
    )
    expect(
        page.get_by_role("group", name="Automatic thoughts").get_by_label("Thought 1", exact=True)
    ).to_have_value("I always push people away.")
    expect(page.get_by_label("How much I believed it (0–100)")).to_have_value(tapped)
    _answer(page, "Evidence against the hot thought", "She was at work all day.")
    # "Emotions now" starts from the emotions named above, to rate them again (a walk-through
    # typed "Shame" a second time).
    now = page.get_by_role("group", name="Emotions now", exact=True)
    expect(now.get_by_role("group", name="Emotion 1").get_by_label("Emotion", exact=True)).to_have_value("")
    now.get_by_role("button", name="Start with the emotions named above").click()
    expect(now.get_by_role("group", name="Emotion 1").get_by_label("Emotion", exact=True)).to_have_value(
        "Sad"
    )
    expect(now.get_by_role("group", name="Emotion 2").get_by_label("Emotion", exact=True)).to_have_value(
        "Anxious"
    )
    now.get_by_role("group", name="Emotion 1").get_by_label("How strong (0–100)").fill("40")
    _saved(page)
    # Kept private so far: nothing of it is in the clinician's browser, and it reads "Assigned".
    expect(desk.get_by_text("Assigned", exact=True)).to_be_visible()
    assert situation not in desk.content()
    page.get_by_role("button", name="Return to my clinician").click()
    expect(page.get_by_role("status").filter(has_text="Returned to Dr. Okafor.")).to_be_visible()
    # The clinician's open page says so at once, without a reload.
    expect(desk.get_by_text("Returned: to review")).to_be_visible()
    assert situation not in desk.content()
    given = desk.get_by_role("main").locator(".rt-Card").filter(has_text="Returned: to review")
    expect(given).not_to_contain_text("Due ")  # returned: no longer due, on either side

    # The client keeps the returned record open; the clinician reads it, comments and
    # marks it reviewed, and the comment appears on the client's screen as it is saved.
    returned_card = (
        page.get_by_role("region", name="Returned to your clinician")
        .get_by_role("link")
        .filter(has_text="Thought record")
    )
    expect(returned_card).to_contain_text("Returned")
    expect(returned_card).not_to_contain_text("Due ")  # returned work is no longer due
    returned_card.click()
    expect(page.get_by_role("heading", name="Thought record")).to_be_visible()
    expect(page.get_by_text("From Dr. Okafor")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text("Due ")
    _read_and_review(desk, url, "Good noticing. Let's look at the evidence together.")
    expect(desk.get_by_text(situation)).to_be_visible()
    expect(desk.get_by_text("70 / 100")).to_be_visible()
    expect(desk.get_by_text("She was at work all day.")).to_be_visible()
    expect(page.get_by_text("Good noticing. Let's look at the evidence together.")).to_be_visible()
    expect(page.get_by_text("Reviewed", exact=True)).to_be_visible()
    page.reload()
    expect(page.get_by_text("Good noticing. Let's look at the evidence together.")).to_be_visible()
    expect(page.get_by_text("Seen on", exact=False)).to_be_visible()
    # Back on the list, its card says there is a comment (a walk-through read "Reviewed"
    # alone there, and the comment went unread).
    page.get_by_role("navigation").get_by_role("link", name="Homework").click()
    returned_card = (
        page.get_by_role("region", name="Returned to your clinician")
        .get_by_role("link")
        .filter(has_text="Thought record")
    )
    expect(returned_card).to_contain_text("Your clinician left you a comment")
    # The clinician adds to the comment while the client is elsewhere: the journal page (home)
    # lists it until the client opens it (a walk-through: it showed only under Homework).
    page.get_by_role("navigation").get_by_role("link", name="Journal").click()
    new_comments = page.get_by_role("region", name="New comments on your homework")
    expect(page.get_by_role("heading", name="Your journal")).to_be_visible()
    expect(new_comments).to_have_count(0)
    desk.get_by_label("Your comment").fill(
        "Good noticing. Let's look at the evidence together, and the hot thought."
    )
    desk.get_by_role("button", name="Save comment").click()
    expect(desk.get_by_role("status").filter(has_text="Comment saved.")).to_be_visible()
    card = new_comments.get_by_role("link").filter(has_text="Thought record")
    expect(card).to_contain_text("New comment from your clinician")  # pushed, no reload
    card.click()
    expect(page.get_by_text("and the hot thought.", exact=False)).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="Journal").click()
    expect(page.get_by_role("heading", name="Your journal")).to_be_visible()
    expect(new_comments).to_have_count(0)

    # A worksheet the clinician builds: two fields, saved in the library, assigned.
    desk.goto(url + "/worksheets")
    wait_until_ready(desk)
    desk.get_by_label("Field name").fill("What I did")
    desk.get_by_label("Field type").select_option(label="Long text")
    desk.get_by_role("button", name="Add field").click()
    desk.get_by_label("Field name").fill("How it went")
    desk.get_by_label("Field type").select_option(label="Scale from 0 to 10")
    desk.get_by_role("button", name="Add field").click()
    expect(desk.get_by_text("How it went")).to_be_visible()
    desk.get_by_label("Title", exact=True).fill("Weekly walk")
    desk.get_by_label("Explanation for your client (optional)").fill("A short walk, then a few words.")
    desk.get_by_role("button", name="Save worksheet").dblclick()  # a double tap saves it once
    expect(desk.get_by_role("status").filter(has_text="Worksheet saved in your library.")).to_be_visible()
    # The builder is empty again (its title left on screen looked unsaved), and the second tap
    # said nothing ("Add at least one field" replaced "saved").
    expect(desk.get_by_label("Title", exact=True)).to_have_value("")
    expect(desk.get_by_label("Explanation for your client (optional)")).to_have_value("")
    expect(desk.get_by_role("alert")).to_have_count(0)
    expect(desk.get_by_role("main").get_by_text("Weekly walk", exact=True)).to_have_count(1)
    # In the library, what it asks can be looked at before assigning it.
    saved_card = desk.get_by_role("main").locator(".rt-Card").filter(has_text="Weekly walk")
    saved_card.get_by_text("What it asks").click()
    expect(saved_card.get_by_role("listitem")).to_have_text(
        ["What I did (Long text)", "How it went (Scale from 0 to 10)"]
    )
    expect(saved_card.get_by_text("A short walk, then a few words.")).to_be_visible()
    desk.goto(url + "/clients")
    wait_until_ready(desk)
    desk.get_by_role("link").filter(has_text="Sam").click()
    desk.get_by_role("link", name="Homework").click()
    _assign(desk, "Weekly walk")

    page.get_by_role("navigation").get_by_role("link", name="Homework").click()
    page.get_by_role("link").filter(has_text="Weekly walk").click()
    # The clinician's explanation is on the page, not folded under "… and an example" (it has none).
    expect(page.get_by_text("A short walk, then a few words.")).to_be_visible()
    expect(page.get_by_text("What is this, and an example")).to_have_count(0)
    _answer(page, "What I did", "Walked to the park.")
    _saved(page)
    page.reload()
    expect(page.get_by_label("What I did", exact=True)).to_have_value("Walked to the park.")
    six = page.get_by_role("radiogroup", name="How it went").get_by_role("radio", name="6", exact=True)
    six.click()
    expect(six).to_be_checked()
    six.click()  # chosen again: cleared (nothing is final by mistake)
    expect(six).not_to_be_checked()
    six.click()
    expect(six).to_be_checked()
    page.get_by_role("button", name="Return to my clinician").click()
    expect(page.get_by_role("status").filter(has_text="Returned to Dr. Okafor.")).to_be_visible()
    # Taken back (un-returned), then returned again: the clinician's open list follows.
    desk.goto(url + "/clients")
    wait_until_ready(desk)
    returned = desk.get_by_role("region", name="Returned, not reviewed yet")
    expect(returned.get_by_role("link").filter(has_text="Weekly walk")).to_be_visible()
    page.get_by_role("region", name="Returned to your clinician").get_by_role("link").filter(
        has_text="Weekly walk"
    ).click()
    expect(page.get_by_text("Shared with Dr. Okafor on", exact=False)).to_be_visible()
    page.get_by_role("button", name="Take it back").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Take it back").click()  # asked first
    expect(page.get_by_role("status").filter(has_text="Private again.")).to_be_visible()
    expect(returned.get_by_role("link").filter(has_text="Weekly walk")).to_have_count(0)
    page.get_by_role("button", name="Return to my clinician").click()
    expect(page.get_by_role("status").filter(has_text="Returned to Dr. Okafor.")).to_be_visible()
    _read_and_review(desk, url, "Lovely.")
    expect(desk.get_by_text("Walked to the park.")).to_be_visible()
    expect(desk.get_by_text("6 / 10")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="Homework").click()
    page.get_by_role("region", name="Returned to your clinician").get_by_role("link").filter(
        has_text="Weekly walk"
    ).click()
    expect(page.get_by_text("Lovely.")).to_be_visible()
    # Brought to the next session from its own page, as an entry can be.
    page.get_by_role("button", name="Pin to my agenda with Dr. Okafor").click()
    expect(
        page.get_by_role("status").filter(has_text="Pinned to your agenda for your next session.")
    ).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="Prepare").click()
    expect(page.get_by_role("list", name="Your agenda")).to_contain_text("Homework: Weekly walk")

    # A journaling prompt: the answer is a journal entry, returned like any share.
    desk.goto(url + "/clients")
    wait_until_ready(desk)
    desk.get_by_role("link").filter(has_text="Sam").click()
    desk.get_by_role("link", name="Homework").click()
    _assign(desk, "Journaling prompt", questions="What helped you most this week?")
    page.get_by_role("navigation").get_by_role("link", name="Homework").click()
    page.get_by_role("link").filter(has_text="Journaling prompt").click()
    expect(page.get_by_text("What helped you most this week?")).to_be_visible()
    _answer(page, "Answer", "Talking to my sister.")
    _saved(page)
    page.reload()
    expect(page.get_by_label("Answer", exact=True)).to_have_value("Talking to my sister.")
    page.get_by_role("button", name="Return to my clinician").click()
    expect(page.get_by_role("status").filter(has_text="Returned to Dr. Okafor.")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="Journal").click()
    entry = page.get_by_role("link").filter(has_text="What helped you most this week?")
    entry.filter(has_not_text="Journaling prompt").click()  # (not a new comment's card)
    expect(page.get_by_text("Talking to my sister.")).to_be_visible()
    _read_and_review(desk, url, "Thank you for sharing this.")
    expect(desk.get_by_text("Talking to my sister.")).to_be_visible()
    # The answer is an entry of the journal, open there: it says at once (pushed) that there
    # is a comment, and leads to it (a walk-through: the entry said nothing of it).
    expect(page.get_by_text("Dr. Okafor left you a comment on this answer.")).to_be_visible()
    page.get_by_role("link", name="Read it with the homework").click()
    expect(page.get_by_text("Thank you for sharing this.")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="Homework").click()
    page.get_by_role("region", name="Returned to your clinician").get_by_role("link").filter(
        has_text="Journaling prompt"
    ).click()
    expect(page.get_by_text("Thank you for sharing this.")).to_be_visible()

    # Couldn't do it, with no reason chosen: both sides read it as that, not as answers,
    # before the review and after it.
    desk.goto(url + "/clients")
    wait_until_ready(desk)
    desk.get_by_role("link").filter(has_text="Sam").click()
    desk.get_by_role("link", name="Homework").click()
    _assign(desk, "Grounding practice (5-4-3-2-1)")
    page.get_by_role("navigation").get_by_role("link", name="Homework").click()
    grounding = (
        page.get_by_role("link").filter(has_text="Grounding practice").filter(has_text="From Dr. Okafor")
    )
    grounding.click()
    page.get_by_text("I couldn't do it").click()  # first kept private: the page says so when opened again
    page.get_by_role("button", name="Keep it private").click()
    expect(page.get_by_role("status").filter(has_text="It is private until you return it.")).to_be_visible()
    grounding.click()
    expect(page.get_by_text("You marked this as not done. If you answer it after all")).to_be_visible()
    page.get_by_text("I couldn't do it").click()
    page.get_by_role("button", name="Let my clinician know").click()
    expect(page.get_by_role("status").filter(has_text="couldn't do it this time")).to_be_visible()
    expect(
        page.get_by_role("region", name="Returned to your clinician")
        .get_by_role("link")
        .filter(has_text="Grounding practice")
    ).to_contain_text("You let your clinician know you couldn't do it")
    their_homework = desk.url
    desk.goto(url + "/clients")  # what to review, across the caseload, says it as it is
    wait_until_ready(desk)
    to_review = desk.get_by_role("region", name="Returned, not reviewed yet")
    expect(to_review.get_by_role("link").filter(has_text="Grounding practice")).to_contain_text(
        "Grounding practice (5-4-3-2-1): Sam couldn't do it"
    )
    desk.goto(their_homework)
    wait_until_ready(desk)
    card = desk.get_by_role("main").locator(".rt-Card").filter(has_text="Grounding practice")
    expect(card).to_contain_text("Client couldn't do it")
    card.get_by_role("link", name="See what they told you").click()
    expect(
        desk.get_by_role("heading", name="Grounding practice (5-4-3-2-1): Sam couldn't do it")
    ).to_be_visible()
    expect(desk.get_by_text("Your client couldn't do it this time.")).to_be_visible()
    desk.get_by_role("button", name="Mark as reviewed").click()
    expect(desk.get_by_role("status").filter(has_text="Marked as reviewed.")).to_be_visible()
    desk.get_by_role("link", name="Back to Sam's homework").click()
    card = desk.get_by_role("main").locator(".rt-Card").filter(has_text="Grounding practice")
    expect(card.get_by_role("link", name="See what they told you")).to_be_visible()
    desk_context.close()


def test_a_comment_half_written_stays_when_the_client_takes_the_homework_back(
    browser: Browser, open_phone, running_app: RunningApp
) -> None:
    """Walk-through: the clinician was typing a comment when the client took the homework
    back; the page emptied and the comment went with it, without a word. Now the answers go
    and the comment box stays, with what was typed, saying why it can't be saved now.
    Returned again, the answers come back above it, and the comment is saved."""
    from betterjournal.core import homework
    from betterjournal.db import session_scope

    doctor, client_email, ids = linked_pair(running_app, "Ibsen", "Noor")
    with running_app.core(), session_scope() as session:
        (assignment,) = homework.assign(
            session,
            clinician_id=ids[doctor],
            client_id=ids[client_email],
            template="builtin:thought_record",
            today=date.today(),
        )
    situation = running_app.marker("taken-back-situation")
    phone = open_phone()
    page = phone.page
    sign_in(phone, client_email)  # linked_pair's password
    page.goto(f"{running_app.url}{routes.WORKSHEET}?assignment={assignment}")
    _answer(page, "Situation", situation)
    _saved(page)
    page.get_by_role("button", name="Return to my clinician").click()
    expect(page.get_by_role("status").filter(has_text="Returned to Dr. Ibsen.")).to_be_visible()

    desk_context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-CA")
    desk_context.set_default_timeout(20_000)
    desk = desk_context.new_page()
    sign_in(Tab(desk, running_app), doctor)
    desk.goto(f"{running_app.url}{routes.RETURNED}?assignment={assignment}")
    expect(desk.get_by_text(situation)).to_be_visible()
    comment = "Good noticing. Let's look at the hot thought together on Thursday."
    desk.get_by_label("Your comment").fill(comment)

    page.goto(f"{running_app.url}{routes.WORKSHEET}?assignment={assignment}")
    page.get_by_role("button", name="Take it back").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Take it back").click()
    expect(page.get_by_role("status").filter(has_text="Private again.")).to_be_visible()

    # The clinician's page, by itself: the answers gone, the comment box as it was, and why.
    expect(desk.get_by_text("This response isn't available.", exact=False)).to_be_visible()
    assert situation not in desk.content()
    expect(desk.get_by_text("so a comment can't be saved.", exact=False)).to_be_visible()
    expect(desk.get_by_label("Your comment")).to_have_value(comment)
    expect(desk.get_by_role("button", name="Save comment")).to_be_disabled()
    expect(desk.get_by_role("button", name="Mark as reviewed")).to_have_count(0)

    page.get_by_role("button", name="Return to my clinician").click()
    expect(page.get_by_role("status").filter(has_text="Returned to Dr. Ibsen.")).to_be_visible()
    # Returned again: offered on the open page (or shown), the answers come back above the box.
    show_it = desk.get_by_role("button", name="Show it")
    expect(desk.get_by_text(situation).or_(show_it)).to_be_visible()
    if show_it.is_visible():
        show_it.click()
    expect(desk.get_by_text(situation)).to_be_visible()
    expect(desk.get_by_label("Your comment")).to_have_value(comment)
    desk.get_by_role("button", name="Save comment").click()
    expect(desk.get_by_role("status").filter(has_text="Comment saved.")).to_be_visible()
    page.goto(f"{running_app.url}{routes.WORKSHEET}?assignment={assignment}")
    expect(page.get_by_text(comment)).to_be_visible()
    desk_context.close()
