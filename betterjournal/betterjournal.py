"""The Reflex app: wiring only — pages, HTTP routes, headers, the error handler."""

import importlib
import logging
import uuid

import reflex as rx
from starlette.types import ASGIApp

from betterjournal import api, limits, outbox, routes, scheduler
from betterjournal.components import pwa
from betterjournal.components.text import tr
from betterjournal.i18n import N_
from betterjournal.logs import install_redaction
from betterjournal.pages.account import (
    choose_password_page,
    confirm_email_page,
    forgot_page,
    landing_page,
    sign_in_code_page,
    two_step_setup_page,
)
from betterjournal.pages.auth import register_page, sign_in_page
from betterjournal.pages.care_team import care_team_page
from betterjournal.pages.checkins import (
    check_in_item_page,
    check_in_page,
    check_ins_page,
    client_check_ins_page,
)
from betterjournal.pages.clinician import client_entries_page, clients_page, shared_entry_page
from betterjournal.pages.editor import write_page
from betterjournal.pages.home import admin_page
from betterjournal.pages.homework import (
    client_homework_page,
    homework_page,
    returned_page,
    worksheet_page,
    worksheets_page,
)
from betterjournal.pages.install import install_page
from betterjournal.pages.journal import entry_page, journal_page
from betterjournal.pages.not_found import not_found_page
from betterjournal.pages.preparation import brief_page, caseload_page, prepare_page
from betterjournal.pages.settings import security_page, sessions_page, settings_page, your_data_page
from betterjournal.settings import get_settings
from betterjournal.state.account import (
    LandingState,
    SecurityState,
    SessionsState,
    SignInCodeState,
    TwoStepState,
)
from betterjournal.state.admin import AdminState
from betterjournal.state.base import AppState, SessionGate, event_reader
from betterjournal.state.care_team import CareTeamState
from betterjournal.state.checkins import CheckInItemState, CheckInsState, CheckInState, ClientCheckInsState
from betterjournal.state.clinician import ClientsState, SharedWithMeState
from betterjournal.state.editor import EditorState
from betterjournal.state.homework import (
    ClientHomeworkState,
    HomeworkState,
    ReturnedState,
    WorksheetsState,
    WorksheetState,
)
from betterjournal.state.journal import EntryState, JournalState
from betterjournal.state.preparation import BriefState, CaseloadState, PrepareState
from betterjournal.state.reminders import ReminderBannerState
from betterjournal.state.settings import SettingsState
from betterjournal.state.your_data import YourDataState

log = logging.getLogger("betterjournal")


def log_error_id_only(exception: Exception) -> rx.event.EventSpec | None:
    """Log an error id and the exception type, never its message or payload (INPUT-5)."""
    error_id = uuid.uuid4().hex[:12]
    log.error("event failed: %s (error id %s)", type(exception).__name__, error_id)
    return rx.toast.error(
        event_reader().t(
            "Something went wrong and nothing was changed. Please try again (reference {error_id}).",
            error_id=error_id,
        ),
        position="top-center",
    )


def log_frontend_error(exception: Exception) -> None:
    log.warning("browser error (%s)", type(exception).__name__)


install_redaction()

for module in get_settings().test_kinds:  # item kinds that exist only in the tests
    importlib.import_module(module.strip())


class App(rx.App):
    """Reflex's app with the security headers added by its outermost layer (TRANS-2): Reflex
    puts its CORS layer outside the api transformers, and that layer answers a CORS
    preflight itself, so headers added inside them never reached that answer."""

    def __call__(self) -> ASGIApp:
        return api.SecurityHeaders(super().__call__())


app = App(
    api_transformer=[api.http_routes(), limits.RequestLimits, api.PagePaths],
    backend_exception_handler=log_error_id_only,
    frontend_exception_handler=log_frontend_error,
    stylesheets=["/app.css"],  # contrast, rem sizes, targets, focus, reduced motion (assets/app.css)
    head_components=pwa.head(),
    extra_app_wraps={(6, "NewVersionNotice"): lambda _stateful: pwa.new_version_notice()},
)
# Reflex's own connection toast is English and names the server's address: each page says
# it is offline in the person's language instead (components/layout.py, offline_notice).
del app.app_wraps[(5, "Overlay")]
app.register_lifespan_task(outbox.run_sender)
app.register_lifespan_task(scheduler.run_reminders)
app.register_lifespan_task(scheduler.run_audit_sealer)
app.register_lifespan_task(scheduler.run_key_sweeper)
app.register_lifespan_task(scheduler.run_session_watch)

app.add_middleware(SessionGate(), index=0)

# A client's signed-in pages show the newest reminder (components/reminders.py): each looks for
# it as it opens, with its own address, so a reminder for what the person came to do there
# (writing, checking in) is put away instead of shown.
REMINDED_HERE = [ReminderBannerState.load_reminder]

PAGES = [
    (landing_page, routes.HOME, N_("A private space between sessions"), LandingState.open_landing),
    (sign_in_page, routes.SIGN_IN, N_("Sign in"), AppState.prepare_public_page),
    (register_page, routes.REGISTER, N_("Create your account"), AppState.prepare_public_page),
    (forgot_page, routes.FORGOT, N_("Forgot your password?"), AppState.prepare_public_page),
    (choose_password_page, routes.CHOOSE_PASSWORD, N_("Choose a password"), AppState.prepare_password_page),
    (
        confirm_email_page,
        routes.CONFIRM_EMAIL,
        N_("Confirm your email address"),
        AppState.prepare_confirm_page,
    ),
    (sign_in_code_page, routes.SIGN_IN_CODE, N_("Two-step sign-in"), SignInCodeState.open_code),
    (two_step_setup_page, routes.TWO_STEP_SETUP, N_("Set up two-step sign-in"), TwoStepState.open_setup),
    (
        journal_page,
        routes.JOURNAL,
        N_("Your journal"),
        [JournalState.load_journal, HomeworkState.load_to_do, *REMINDED_HERE],
    ),
    (write_page, routes.WRITE, N_("Write"), [EditorState.open_editor, *REMINDED_HERE]),
    (entry_page, routes.ENTRY, N_("Journal entry"), [EntryState.load_entry, *REMINDED_HERE]),
    (check_in_page, routes.CHECK_IN, N_("Check in"), [CheckInState.open_check_in, *REMINDED_HERE]),
    (check_ins_page, routes.CHECK_INS, N_("Your check-ins"), [CheckInsState.load_check_ins, *REMINDED_HERE]),
    (
        check_in_item_page,
        routes.CHECK_IN_ITEM,
        N_("Your check-in"),
        [CheckInItemState.load_check_in, *REMINDED_HERE],
    ),
    (homework_page, routes.HOMEWORK, N_("Homework"), [HomeworkState.load_homework, *REMINDED_HERE]),
    (
        worksheet_page,
        routes.WORKSHEET,
        N_("Exercise"),  # homework, or a journaling prompt the client chose: both
        [WorksheetState.open_worksheet, *REMINDED_HERE],
    ),
    (care_team_page, routes.CARE_TEAM, N_("Care team"), [CareTeamState.load_care_team, *REMINDED_HERE]),
    (settings_page, routes.SETTINGS, N_("Settings"), [SettingsState.load_settings, *REMINDED_HERE]),
    (
        security_page,
        routes.SECURITY,
        N_("Password and two-step sign-in"),
        [SecurityState.load_security, *REMINDED_HERE],
    ),
    (
        sessions_page,
        routes.SESSIONS,
        N_("Where you're signed in"),
        [SessionsState.load_sessions, *REMINDED_HERE],
    ),
    (your_data_page, routes.YOUR_DATA, N_("Your data"), [YourDataState.load_your_data, *REMINDED_HERE]),
    (clients_page, routes.CLIENTS, N_("Clients"), ClientsState.load_clients),
    (
        client_entries_page,
        routes.CLIENT_ENTRIES,
        N_("Shared entries"),
        SharedWithMeState.load_client_entries,
    ),
    (shared_entry_page, routes.SHARED_ENTRY, N_("Shared entry"), SharedWithMeState.load_shared_entry),
    (
        client_check_ins_page,
        routes.CLIENT_CHECK_INS,
        N_("Mood check-ins"),
        ClientCheckInsState.load_client_check_ins,
    ),
    (client_homework_page, routes.CLIENT_HOMEWORK, N_("Homework"), ClientHomeworkState.load_client_homework),
    (returned_page, routes.RETURNED, N_("Returned homework"), ReturnedState.load_returned),
    (prepare_page, routes.PREPARE, N_("Prepare"), [PrepareState.load_prepare, *REMINDED_HERE]),
    (caseload_page, routes.CASELOAD, N_("Caseload"), CaseloadState.load_caseload),
    (brief_page, routes.BRIEF, N_("Session brief"), BriefState.load_brief),
    (worksheets_page, routes.WORKSHEETS, N_("Your worksheets"), WorksheetsState.load_worksheets),
    (admin_page, routes.ADMIN, N_("Early access requests"), AdminState.load_requests),
    (install_page, routes.INSTALL, N_("Install on your phone"), None),  # public and signed in
    (not_found_page, routes.NOT_FOUND, N_("Page not found"), None),  # any other address
]

for component, route, title, on_load in PAGES:
    # The tab's title follows its language like the page's words.
    app.add_page(component, route=route, title=tr(title) + " · Betterjournal", on_load=on_load)
