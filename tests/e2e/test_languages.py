"""English and Canadian French in the same run of the app, each person in their own
language and time zone.

A client whose phone is in English, in Vancouver, switches to French under Settings and
does the whole journey in French; the clinician, in Halifax, works in English beside
them. Every page each of them sees is scanned against the catalogue: a French page
showing any English message (or an English page showing any French one) fails. A new
browser in fr-CA gets French on the sign-in page before anyone signs in.
"""

from __future__ import annotations

import re
import string
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from appserver import RunningApp
from babel.messages.pofile import read_po
from people import assert_fits_the_screen, confirm_email, register, sign_in
from playwright.sync_api import Page, expect

from betterjournal import i18n, routes
from betterjournal.i18n import LOCALE_DIR, Reader

pytestmark = pytest.mark.e2e

PASSWORD = "maple-lantern-harbour-42"
FRENCH_MONTHS = "janv.|févr.|mars|avr.|mai|juin|juill.|août|sept.|oct.|nov.|déc."
FRENCH_MOMENT = re.compile(rf"(\d{{1,2}}) ({FRENCH_MONTHS}) (\d{{4}}), (\d{{1,2}})\sh\s(\d{{2}})")
ENGLISH_MOMENT = re.compile(r"([A-Z][a-z]{2}) (\d{1,2}), (\d{4}), (\d{1,2}):(\d{2})\s?([ap])\.m\.")


def _fr(message: str) -> str:
    """A message as the French catalogue has it (so the test follows the translator)."""
    return Reader(i18n.FRENCH).t(message)


def _pattern(text: str) -> re.Pattern[str]:
    """A message as a pattern: its words as they are, each {value} as any text. A value right
    before a colon (or ; ! ?) ends without a space, as the message writes it: English
    "{day}: {mean}" is not French "Prochaine séance : …", whose space is the French rule."""
    parts = []
    for literal, name, _, _ in string.Formatter().parse(text):
        if parts and parts[-1] == ".+?" and literal[:1] in (":", ";", "!", "?"):
            parts.append(r"(?<!\s)")
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(".+?")
    return re.compile("".join(parts))


def _catalogue() -> list[tuple[str, str]]:
    with open(LOCALE_DIR / "fr_CA" / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po)
    return [
        (m.id, m.string)
        for m in catalog
        if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string != m.id
    ]


CATALOGUE = _catalogue()
ENGLISH = [_pattern(english) for english, _ in CATALOGUE]
FRENCH = [_pattern(french) for _, french in CATALOGUE]


def _foreign_lines(page: Page, foreign: list[re.Pattern[str]]) -> list[str]:
    """Lines of the page's visible text (and its title) that are a message of the other
    language: a whole line, or a sentence of three or more words inside one."""
    lines = [line.strip() for line in page.locator("body").inner_text().splitlines() if line.strip()]
    lines.append(page.title().removesuffix(" · Betterjournal"))
    found = []
    for line in lines:
        for pattern in foreign:
            whole = pattern.fullmatch(line)
            inside = pattern.pattern.count(" ") >= 2 and pattern.search(line)
            if whole or inside:
                found.append(f"{line!r} (the message {pattern.pattern!r})")
    return found


def _fits_the_screen(page: Page) -> None:
    """Longer French words must not push the page sideways on a phone."""
    assert_fits_the_screen(page)


def assert_all_french(page: Page) -> None:
    assert page.evaluate("document.documentElement.lang") == "fr-CA"
    _fits_the_screen(page)
    foreign = _foreign_lines(page, ENGLISH)
    assert foreign == [], f"English on a French page ({page.url}):\n" + "\n".join(foreign)


def assert_all_english(page: Page) -> None:
    assert page.evaluate("document.documentElement.lang") == "en"
    _fits_the_screen(page)
    foreign = _foreign_lines(page, FRENCH)
    assert foreign == [], f"French on an English page ({page.url}):\n" + "\n".join(foreign)


def _status(page: Page, text: str):
    return page.get_by_role("status").filter(has_text=text)


def _local_minutes(match: re.Match[str], *, french: bool) -> int:
    """Minutes after midnight of a moment as shown."""
    if french:
        return int(match.group(4)) * 60 + int(match.group(5))
    hour = int(match.group(4)) % 12 + (12 if match.group(6) == "p" else 0)
    return hour * 60 + int(match.group(5))


def _near_now_in(zone: str, minutes: int) -> bool:
    now = datetime.now(UTC).astimezone(ZoneInfo(zone))
    shown = now.replace(hour=minutes // 60, minute=minutes % 60, second=0, microsecond=0)
    return any(abs(shown + timedelta(days=d) - now) <= timedelta(minutes=3) for d in (-1, 0, 1))


def test_a_client_in_french_and_a_clinician_in_english_each_in_their_own_time(
    open_phone, running_app: RunningApp
) -> None:
    title = "Ma semaine " + running_app.marker("fr-title")
    body = "Une journée plus calme aujourd'hui. " + running_app.marker("fr-body")

    # The clinician, in Halifax with an English phone: the app takes both at sign-in.
    doctor = open_phone(locale="en-CA", timezone_id="America/Halifax")
    doctor_email = f"chen-{uuid.uuid4().hex[:8]}@clinic.example"
    running_app.create_user("clinician", doctor_email, "Dr. Chen", PASSWORD)
    sign_in(doctor, doctor_email, PASSWORD)
    expect(doctor.page.get_by_role("heading", name="Clients")).to_be_visible()
    doctor.page.get_by_role("button", name="Create invitation code").click()
    code = doctor.page.get_by_label("Invitation code").inner_text(timeout=20_000)
    assert_all_english(doctor.page)

    # The client, in Vancouver with an English phone, registers and signs in ...
    client = open_phone(locale="en-CA", timezone_id="America/Vancouver")
    page = client.page
    email = f"camille-{uuid.uuid4().hex[:8]}@example.ca"
    register(client, code, "Camille", email, PASSWORD, confirm=False)
    expect(_status(page, "Follow its link to confirm your address, then sign in here.")).to_be_visible()
    assert_all_english(page)
    confirm_email(client, email)
    assert_all_english(page)
    sign_in(client, email, PASSWORD)
    expect(page.get_by_role("heading", name="Invitation from Dr. Chen")).to_be_visible()

    # ... and switches to French in Settings; the time zone is already the browser's.
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_label("Time zone")).to_have_value("America/Vancouver")
    page.get_by_label("Language").select_option("fr-CA")  # kept as soon as chosen
    expect(_status(page, "Paramètres enregistrés.")).to_be_visible()
    expect(page.get_by_role("heading", name="Paramètres")).to_be_visible()
    assert page.title() == "Paramètres · Betterjournal"
    assert_all_french(page)
    # Who is signed in, whole in the header of a phone in French (beside the buttons, it was "C…").
    signed_in = page.get_by_role("banner").get_by_text("Camille", exact=True)
    expect(signed_in).to_be_visible()
    assert signed_in.evaluate("(name) => name.scrollWidth <= name.clientWidth")

    # Care team: the invitation, in French.
    page.get_by_role("navigation").get_by_role("link", name="Équipe", exact=True).click()
    expect(page.get_by_role("heading", name="Invitation de Dr. Chen")).to_be_visible()
    assert_all_french(page)
    page.get_by_role("button", name="Accepter").click()
    expect(_status(page, "Vous êtes maintenant en lien avec Dr. Chen.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"En lien depuis le \d{1,2} " + f"({FRENCH_MONTHS})"))).to_be_visible()
    assert_all_french(page)

    # The journal, empty.
    page.get_by_role("navigation").get_by_role("link", name="Journal").click()
    expect(page.get_by_text("Rien ici pour l'instant.", exact=False)).to_be_visible()
    assert_all_french(page)

    # Writing: a refusal, the autosave status and the saved notice, all in French.
    page.get_by_role("navigation").get_by_role("link", name="Écrire").click()
    expect(page.get_by_role("heading", name="Nouvelle entrée")).to_be_visible()
    page.get_by_role("button", name="Enregistrer l'entrée").click()
    expect(
        page.get_by_role("alert").filter(has_text="Le champ « Votre entrée » ne peut pas être vide.")
    ).to_be_visible()
    assert_all_french(page)
    page.get_by_label("Titre (facultatif)").fill(title)
    page.get_by_label("Votre entrée").fill(body)
    expect(page.get_by_text("Brouillon enregistré")).to_be_visible()
    assert_all_french(page)
    page.get_by_role("button", name="Enregistrer l'entrée").click()
    expect(_status(page, "Entrée enregistrée.")).to_be_visible()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    written = page.get_by_text(re.compile(r"^Écrite le "))
    expect(written).to_have_text(FRENCH_MOMENT)  # e.g. "Écrite le 30 nov. 2026, 20 h 05"
    assert_all_french(page)

    # Sharing it with the clinician.
    page.get_by_role("switch", name="Partager avec Dr. Chen").click()
    expect(_status(page, "Visible par Dr. Chen depuis le")).to_be_visible()
    expect(page.get_by_text("Pas encore vu.", exact=False)).to_be_visible()
    assert_all_french(page)

    # The clinician reads it, in English, in Halifax time ...
    doctor.page.get_by_role("link").filter(has_text="Camille").click()
    expect(doctor.page.get_by_role("heading", name="Entries shared by Camille")).to_be_visible()
    assert_all_english(doctor.page)
    doctor.page.get_by_role("main").get_by_role("link").filter(has_text=title).click()
    expect(doctor.page.get_by_role("heading", name=title)).to_be_visible()
    dates = doctor.page.get_by_text(re.compile(r"^Written .* · shared "))
    expect(dates).to_have_text(re.compile(ENGLISH_MOMENT.pattern + r"$"))
    assert_all_english(doctor.page)

    # ... and the client's open page says so at once, in French, in Vancouver time.
    seen = page.get_by_text(re.compile(r"Vu le "))
    expect(seen).to_be_visible()
    assert_all_french(page)

    # The same share, each in their own local time: Halifax is four hours ahead.
    client_shared = FRENCH_MOMENT.search(seen.inner_text().split("Vu le")[0])
    doctor_shared = ENGLISH_MOMENT.search(dates.inner_text().split("shared")[1])
    assert client_shared is not None and doctor_shared is not None
    client_minutes = _local_minutes(client_shared, french=True)
    doctor_minutes = _local_minutes(doctor_shared, french=False)
    assert (doctor_minutes - client_minutes) % (24 * 60) == 4 * 60, (client_shared[0], doctor_shared[0])
    assert _near_now_in("America/Vancouver", client_minutes), client_shared[0]
    assert _near_now_in("America/Halifax", doctor_minutes), doctor_shared[0]

    # Homework across the two languages: the clinician assigns in English, the client
    # finds, fills in and returns it in French (example open), the clinician reads it in
    # English.
    entry_page = page.url
    doctor.page.get_by_role("navigation").get_by_role("link", name="Clients").click()
    doctor.page.get_by_role("link").filter(has_text="Camille").click()
    doctor.page.get_by_role("link", name="Homework").click()
    expect(doctor.page.get_by_role("heading", name="Homework for Camille")).to_be_visible()
    doctor.page.get_by_label("Worksheet").select_option(label="Thought record")
    doctor.page.get_by_label("Instructions").fill("After a hard moment this week.")
    doctor.page.get_by_role("button", name="Assign", exact=True).click()
    expect(_status(doctor.page, "Assigned.")).to_be_visible()
    assert_all_english(doctor.page)
    page.get_by_role("navigation").get_by_role("link", name="Devoirs").click()
    expect(page.get_by_role("heading", name="À faire")).to_be_visible()
    assert_all_french(page)
    page.get_by_role("link").filter(has_text="Registre des pensées").first.click()
    page.get_by_text("Explication et exemple").click()
    page.get_by_label("Situation", exact=True).fill("Mon amie n'a pas répondu à mon texto.")
    expect(_status(page, "Brouillon enregistré")).to_be_visible()
    assert_all_french(page)
    page.get_by_role("button", name="Remettre le devoir").click()
    expect(_status(page, "Remis à Dr. Chen.")).to_be_visible()
    assert_all_french(page)
    doctor.page.get_by_role("link", name="Read their answers").click()
    expect(doctor.page.get_by_text("Mon amie n'a pas répondu à mon texto.")).to_be_visible()
    assert_all_english(doctor.page)

    # Session preparation: the clinician plans the session in English, in Halifax time;
    # the client prepares in French and shares the agenda; the brief is in English.
    doctor.page.get_by_role("navigation").get_by_role("link", name="Caseload").click()
    expect(doctor.page.get_by_role("heading", name="Caseload", level=1)).to_be_visible()
    doctor.page.get_by_role("link").filter(has_text="Camille").click()
    expect(doctor.page.get_by_role("heading", name="Session brief")).to_be_visible()
    session_day = (datetime.now(ZoneInfo("America/Halifax")) + timedelta(days=3)).date()
    doctor.page.get_by_label("Date", exact=True).fill(session_day.isoformat())
    doctor.page.get_by_label("Time", exact=True).fill("14:00")
    doctor.page.get_by_role("button", name="Save next session").click()
    expect(_status(doctor.page, "Next session saved.")).to_be_visible()
    assert_all_english(doctor.page)
    page.get_by_role("navigation").get_by_role("link", name=_fr("Prepare")).click()
    expect(page.get_by_role("heading", name=_fr("Prepare for your next session"))).to_be_visible()
    # 14:00 in Halifax is 10 h 00 in Vancouver (the next session's line: an item written at
    # 10 h 00 that morning showed the same time, and the test failed at that minute).
    expect(page.get_by_text(re.compile(r"^Prochaine séance.*\b10\sh\s00\b"))).to_be_visible()
    bring = page.get_by_role("region", name=_fr("What I want to bring"))
    bring.get_by_label(_fr("Add a line")).fill("Le sommeil")
    bring.get_by_role("button", name=_fr("Add to agenda")).click()
    expect(_status(page, _fr("Added to your agenda."))).to_be_visible()
    bring.get_by_role("switch").click()
    expect(_status(page, _fr("Agenda shared with {name}.").format(name="Dr. Chen"))).to_be_visible()
    assert_all_french(page)
    doctor.page.reload()
    expect(doctor.page.get_by_role("region", name="Agenda")).to_contain_text("Le sommeil")
    assert_all_english(doctor.page)
    page.goto(entry_page)

    # The delete question, then the list, in French.
    page.get_by_role("button", name="Supprimer l'entrée").click()
    expect(page.get_by_role("alertdialog")).to_contain_text(re.compile(r"Supprimer cette entrée\s\?"))
    assert_all_french(page)
    page.get_by_role("button", name="Conserver").click()
    page.get_by_role("navigation").get_by_role("link", name="Journal").click()
    expect(page.get_by_role("link").filter(has_text=title)).to_contain_text("Visible par Dr. Chen")
    assert_all_french(page)

    # Signed out, the tab stays in French: sign-in and registration pages.
    page.get_by_role("button", name="Déconnexion", exact=True).click()
    expect(_status(page, "Vous êtes déconnecté·e.")).to_be_visible()
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    assert_all_french(page)
    page.get_by_role("link", name="Créer votre compte").click()
    expect(page.get_by_role("heading", name="Créer votre compte")).to_be_visible()
    assert_all_french(page)

    # The clinician's app stayed in English throughout.
    doctor.page.get_by_role("navigation").get_by_role("link", name="Clients").click()
    expect(doctor.page.get_by_role("heading", name="Clients")).to_be_visible()
    assert_all_english(doctor.page)


def test_a_french_browser_gets_french_before_anyone_signs_in(open_phone) -> None:
    visitor = open_phone(locale="fr-CA", timezone_id="America/Montreal")
    visitor.goto("/signin")
    expect(visitor.page.get_by_role("heading", name="Se connecter")).to_be_visible()
    expect(visitor.page.get_by_label("Courriel")).to_be_visible()
    assert_all_french(visitor.page)

    # An English browser gets English, and can switch before signing in.
    other = open_phone(locale="en-CA")
    other.goto("/signin")
    expect(other.page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_all_english(other.page)
    other.page.get_by_role("button", name="Français (Canada)").click()
    expect(other.page.get_by_role("heading", name="Se connecter")).to_be_visible()
    assert_all_french(other.page)


def test_the_browsers_field_messages_are_in_the_apps_language_not_the_browsers(open_phone) -> None:
    """A field the browser will not send is said in the language the person chose, on an
    English phone too (the browser's own words were in English: "Please fill out this field.")."""
    person = open_phone(locale="en-CA")
    page = person.page
    person.goto(routes.REGISTER)
    page.get_by_role("button", name="Français (Canada)").click()
    expect(page.get_by_role("heading", name="Créer votre compte")).to_be_visible()
    said = "(field) => field.validationMessage"
    create = page.get_by_role("button", name="Créer le compte")

    create.click()
    code = page.get_by_label("Code d'invitation")
    expect(code).to_be_focused()
    assert code.evaluate(said) == "Veuillez remplir ce champ."

    code.fill("ABCD-EFGH")
    assert code.evaluate(said) == ""  # typing in it clears the message at once
    page.get_by_label("Votre nom").fill("Sam")
    email = page.get_by_label("Courriel")
    email.fill("sam.example.com")
    create.click()
    expect(email).to_be_focused()
    assert email.evaluate(said) == "Entrez une adresse courriel comme nom@example.com."

    email.fill("sam@example.com")
    password = page.get_by_label("Mot de passe", exact=True)
    password.fill("trop court")
    create.click()
    expect(password).to_be_focused()
    assert password.evaluate(said) == "Utilisez au moins 12 caractères."
    expect(page).to_have_url(re.compile(r"/register$"))  # nothing was sent

    # A list with nothing chosen: the early-access form's province, for a clinician.
    person.goto("/")
    page.get_by_label("Votre nom").fill("Dre Okafor")
    page.get_by_label("Courriel").fill("okafor@clinic.example")
    page.get_by_label("clinicien·ne").check()
    page.get_by_label("Profession", exact=True).fill("Psychologue")
    page.get_by_role("button", name="Demander un accès anticipé").click()
    province = page.get_by_label("Province ou territoire où vous exercez")
    expect(province).to_be_focused()
    assert province.evaluate(said) == "Veuillez choisir un élément de la liste."
    # In French alphabetical order, the accented Île among the I's (it kept the English order).
    assert province.locator("option").all_inner_texts() == [
        "Choisir…",
        "Alberta",
        "Colombie-Britannique",
        "Île-du-Prince-Édouard",
        "Manitoba",
        "Nouveau-Brunswick",
        "Nouvelle-Écosse",
        "Nunavut",
        "Ontario",
        "Québec",
        "Saskatchewan",
        "Terre-Neuve-et-Labrador",
        "Territoires du Nord-Ouest",
        "Yukon",
    ]
    province.select_option(label="Québec")
    expect(province).to_have_value("QC")


def test_a_check_in_time_past_today_is_refused_in_the_apps_language(
    open_phone, running_app: RunningApp
) -> None:
    """The check-in's time picker refuses a day after today with the browser's own words,
    which were in its language ("Value must be … or earlier.", on a French page in a
    walk-through): the app's message instead, in the person's language."""
    email = f"plus-tard-{uuid.uuid4().hex[:8]}@example.ca"
    running_app.create_user("client", email, "Camille", PASSWORD)
    person = open_phone(locale="fr-CA", timezone_id="America/Montreal")
    page = person.page
    sign_in(person, email, PASSWORD, french=True)
    person.goto(routes.CHECK_IN)
    page.get_by_role("radiogroup", name="Humeur").get_by_role("radio", name="5", exact=True).click()
    page.get_by_text("Plus (facultatif)").click()
    when = page.get_by_label("Quand", exact=True)
    latest = when.get_attribute("max") or ""
    tomorrow = datetime.fromisoformat(latest) + timedelta(days=1)
    when.fill(tomorrow.strftime("%Y-%m-%dT12:00"))
    page.get_by_role("button", name="Enregistrer le bilan").click()
    expect(when).to_be_focused()
    said = when.evaluate("(field) => field.validationMessage")
    assert said == _fr("A check-in can't be in the future. Choose now or an earlier time."), said
    when.fill("1999-12-31T12:00")
    page.get_by_role("button", name="Enregistrer le bilan").click()
    said = when.evaluate("(field) => field.validationMessage")
    assert said == _fr("Choose a time between January 1, 2000 and now."), said


def test_the_first_paint_is_already_in_the_browsers_language(browser, running_app: RunningApp) -> None:
    """Before the server has answered (its websocket held back here), a page shows the
    language this browser last used the app in, else the browser's own: no flash of English.
    No console error either (React hydrates the prerendered page first, then switches).

    A browser of its own: a socket that never connects is not an error the others share."""
    for locale, cookie, heading in (
        ("fr-CA", None, "Se connecter"),
        ("en-CA", "fr-CA", "Se connecter"),  # a French person on an English phone
        ("en-CA", None, "Sign in"),
    ):
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale=locale)
        errors: list[str] = []
        try:
            if cookie:
                context.add_cookies([{"name": "bj_language", "value": cookie, "url": running_app.url}])
            page = context.new_page()
            page.on(
                "console", lambda msg, found=errors: found.append(msg.text) if "React" in msg.text else None
            )
            page.route_web_socket(re.compile(r"_event"), lambda socket: None)  # never connects
            page.goto(running_app.url + "/signin")
            expect(page.get_by_role("heading", name=heading)).to_be_visible()
            french = heading == "Se connecter"
            expect(page.locator("html")).to_have_attribute("lang", "fr-CA" if french else "en")
            assert errors == [], errors
        finally:
            context.close()


def test_a_time_zone_chosen_in_settings_is_kept_at_once(open_phone, running_app: RunningApp) -> None:
    """A walk-through chose Vancouver, then saved reminders with their own button: the time
    zone, which had a Save button of its own above, was lost without a word (and the
    reminders came three hours off). Each choice is now kept as it is made, and said so."""
    email = f"zone-{uuid.uuid4().hex[:8]}@example.ca"
    running_app.create_user("client", email, "Zoe Zone", PASSWORD)
    client = open_phone(timezone_id="America/Toronto")
    page = client.page
    sign_in(client, email, PASSWORD)
    expect(page.get_by_role("heading", name="Your journal")).to_be_visible()
    client.goto("/settings")
    expect(page.get_by_label("Time zone")).to_have_value("America/Toronto")
    page.get_by_label("Time zone").select_option("America/Vancouver")
    expect(_status(page, "Settings saved.")).to_be_visible()
    page.get_by_role("checkbox", name="Remind me to check in").check()  # kept at once
    expect(_status(page, "Reminders saved.")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Time zone")).to_have_value("America/Vancouver")
    expect(page.get_by_role("checkbox", name="Remind me to check in")).to_be_checked()
