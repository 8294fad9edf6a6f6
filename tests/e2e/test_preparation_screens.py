"""Session preparation on a phone and on a laptop: the client's Prepare page, the
clinician's caseload and brief fit a 390-px screen in English and French (no sideways
scrolling), and full-page screenshots go to docs/screenshots/.

A fortnight of a client's work is written straight into the app's database through the
core (untimed setup): check-ins, entries, an agenda; some of it shared."""

from __future__ import annotations

import io
import random
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pypdf
import pytest
from appserver import PROJECT_ROOT, RunningApp
from people import PRINT_DIALOG, assert_fits_the_screen, print_from_the_page, sign_in
from playwright.sync_api import Page, expect
from sqlmodel import select
from unit_support import link

from betterjournal.core import agenda, appointments, checkins, items, journal, sharing
from betterjournal.db import session_scope
from betterjournal.i18n import ENGLISH, FRENCH, Reader
from betterjournal.models import User, utcnow

pytestmark = pytest.mark.e2e

PASSWORD = "cedar-lantern-brook-61"
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
ZONE = ZoneInfo("America/Toronto")


def _seed(app: RunningApp, client_email: str, clinician_email: str) -> None:
    pick = random.Random(11)  # the same pages every run
    with app.core(), session_scope() as session:
        client = session.exec(select(User).where(User.email == client_email)).one()
        clinician = session.exec(select(User).where(User.email == clinician_email)).one()
        link(session, client_id=client.id, clinician_id=clinician.id)
        for day in range(12):
            item_id = uuid.uuid4()
            mood = max(0, min(10, round(6 + 2 * pick.gauss(0, 1))))
            felt_at = (utcnow() - timedelta(days=day, hours=2)).isoformat()
            items.save(
                session,
                owner_id=client.id,
                kind=checkins.KIND,
                item_id=item_id,
                values={"felt_at": felt_at, "mood": mood},
            )
            if day % 2 == 0:
                sharing.set_shared(
                    session, owner_id=client.id, item_id=item_id, clinician_id=clinician.id, shared=True
                )
        entries = []
        for title, body in (
            ("A hard Monday", "The meeting ran late and I skipped lunch. I noticed my shoulders were tight."),
            ("Walk by the river", "Twenty minutes outside helped more than I expected."),
        ):
            entry_id = uuid.uuid4()
            items.save(
                session,
                owner_id=client.id,
                kind=journal.KIND,
                item_id=entry_id,
                values={"title": title, "body": body},
            )
            entries.append(entry_id)
        sharing.set_shared(
            session, owner_id=client.id, item_id=entries[1], clinician_id=clinician.id, shared=True
        )
        tomorrow = (datetime.now(ZONE) + timedelta(days=1)).date().isoformat()
        appointments.plan(
            session, clinician_id=clinician.id, client_id=client.id, day=tomorrow, at="10:00", zone=ZONE
        )
        ready = agenda.prepare(session, client_id=client.id, clinician_id=clinician.id)
        agenda.add_text(
            session, client_id=client.id, agenda_id=ready.agenda.id, text="Sleep before work days"
        )
        for entry_id in entries:
            agenda.pin(
                session,
                client_id=client.id,
                agenda_id=ready.agenda.id,
                kind="journal_entry",
                item_id=entry_id,
            )
        agenda.pin(session, client_id=client.id, agenda_id=ready.agenda.id, kind=agenda.CHART, item_id="")
        sharing.set_shared(
            session, owner_id=client.id, item_id=ready.agenda.id, clinician_id=clinician.id, shared=True
        )


def _fits_and_shoot(page: Page, name: str) -> None:
    page.wait_for_timeout(500)  # Plotly's own resize after the first draw
    assert_fits_the_screen(page, name)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", [ENGLISH, FRENCH])
def test_prepare_caseload_and_brief_fit_a_phone_and_are_photographed(
    open_phone, running_app: RunningApp, language: str
) -> None:
    reader = Reader(language)
    client_email = f"prep-{uuid.uuid4().hex[:8]}@example.ca"
    clinician_email = f"prep-dr-{uuid.uuid4().hex[:8]}@clinic.example"
    running_app.create_user("client", client_email, "Robin", PASSWORD)
    running_app.create_user("clinician", clinician_email, "Dr. Haddad", PASSWORD)
    _seed(running_app, client_email, clinician_email)
    locale = "en-CA" if language == ENGLISH else "fr-CA"

    client = open_phone(locale=locale)
    sign_in(client, client_email, PASSWORD, french=language == FRENCH)
    client.page.wait_for_url("**/journal")
    client.goto("/prepare")
    bring = client.page.get_by_role("region", name=reader.t("What I want to bring"))
    expect(bring.get_by_role("listitem")).to_have_count(4)
    expect(
        client.page.get_by_text(
            reader.t(
                "Only you can see this item: {name} sees this line only once you share it.", name="Dr. Haddad"
            )
        )
    ).to_be_visible()
    # The client's own timeline says who sees each item: 6 shared check-ins, 1 shared entry.
    since = client.page.get_by_role("region", name=reader.t("Since last session"))
    expect(since.get_by_text(reader.t("Shared with {names}", names="Dr. Haddad"))).to_have_count(7)
    expect(since.get_by_text(reader.t("Private"), exact=False)).to_have_count(7)
    _fits_and_shoot(client.page, f"prepare-390x844-{language}")

    doctor = open_phone(locale=locale)
    doctor.context.add_init_script(PRINT_DIALOG)  # stands in for the print dialog
    sign_in(doctor, clinician_email, PASSWORD, french=language == FRENCH)
    doctor.page.wait_for_url("**/clients")
    doctor.goto("/caseload")
    expect(doctor.page.get_by_text(reader.t("Agenda shared for the next session"))).to_be_visible()
    _fits_and_shoot(doctor.page, f"caseload-390x844-{language}")
    doctor.page.get_by_role("link").filter(has_text="Robin").click()
    agenda_region = doctor.page.get_by_role("region", name=reader.t("Agenda"))
    expect(agenda_region.get_by_role("listitem")).to_have_count(3)  # not the private pin
    expect(doctor.page.get_by_text("A hard Monday")).to_have_count(0)
    _fits_and_shoot(doctor.page, f"brief-390x844-{language}")
    # Printed from the foot of the brief, the shared check-ins' chart far above is drawn first.
    assert print_from_the_page(doctor.page, reader.t("Print / save as PDF")) == [True]
    # On paper: the brief, not the controls that plan the sessions (empty date and time
    # fields and their buttons were printed).
    paper = "".join(sheet.extract_text() for sheet in pypdf.PdfReader(io.BytesIO(doctor.page.pdf())).pages)
    assert reader.t("Sessions") in paper and reader.t("Agenda") in paper
    for control in (
        "Save next session",
        "Mark session held",
        "Tick what you discussed: your client sees it.",
    ):
        assert reader.t(control) not in paper, control
    if language == ENGLISH:
        doctor.page.set_viewport_size({"width": 1280, "height": 800})
        _fits_and_shoot(doctor.page, "brief-1280x800-en")
