"""Every path in the app, and the builders for paths with an id."""

import re
from urllib.parse import urlencode

HOME = "/"
SIGN_IN = "/signin"
REGISTER = "/register"
JOURNAL = "/journal"
WRITE = "/journal/write"
ENTRY = "/journal/entry"
CARE_TEAM = "/care-team"
CHECK_IN = "/check-in"  # a new check-in
CHECK_INS = "/check-ins"  # the charts and the list
CHECK_IN_ITEM = "/check-ins/item"  # one check-in, its share switches
CLIENTS = "/clients"
CLIENT_ENTRIES = "/clients/entries"
SHARED_ENTRY = "/clients/entry"
CLIENT_CHECK_INS = "/clients/check-ins"  # a client's shared check-ins, as charts
HOMEWORK = "/homework"  # the client's to-do list, returned work, exercises to start
WORKSHEET = "/homework/do"  # one exercise being done (?assignment=, ?template=, ?prompt=, ?id=)
CLIENT_HOMEWORK = "/clients/homework"  # a clinician's assignments to one client
RETURNED = "/clients/homework/response"  # a returned response, to read and comment on
PREPARE = "/prepare"  # the client's next session: since last time, last time, what to bring
CASELOAD = "/caseload"  # the clinician's clients by next session, with what needs attention
BRIEF = "/clients/brief"  # one client's window before a session (?client=)
WORKSHEETS = "/worksheets"  # a clinician's own worksheets, and the builder
ADMIN = "/admin"  # the early-access waiting list
SETTINGS = "/settings"
SESSIONS = "/settings/sessions"  # where you're signed in
SECURITY = "/settings/security"  # password, email, two-step sign-in (after re-authenticating)
YOUR_DATA = "/settings/data"  # a client's: download everything, or delete the account
SIGN_IN_CODE = "/signin/code"  # the two-step code after the password
TWO_STEP_SETUP = "/two-step"  # setting up two-step sign-in (required for clinicians and admins)
FORGOT = "/forgot"  # asking for a password reset link
CHOOSE_PASSWORD = "/password"  # noqa: S105 - from an emailed link: ?token=… (&first=1 after approval)
CONFIRM_EMAIL = "/confirm"  # from an emailed link: ?token=…
INSTALL = "/install"  # how to put the app on a phone's home screen (public and signed in)
NOT_FOUND = "404"  # Reflex's route for any address that is not one of the above
OFFLINE = "/offline"  # what the service worker shows when the app is opened offline
MANIFEST = "/manifest.webmanifest"  # the web app manifest, in the browser's language
SERVICE_WORKER = "/sw.js"  # at the root, so its scope is the whole app

API_SIGN_IN = "/api/auth/signin"
API_SIGN_OUT = "/api/auth/signout"
API_REGISTER = "/api/auth/register"
HEALTH = "/api/health"
API_FORGOT = "/api/auth/forgot"
API_PASSWORD = "/api/auth/password"  # noqa: S105 - a path
API_CONFIRM = "/api/auth/confirm"
API_REQUEST_ACCESS = "/api/access/request"
# What was typed, sent as a tab is hidden or closes (api.py): the editor's words, a
# worksheet's text answer, the Prepare page's note and its agenda line half typed.
API_KEEP_DRAFT = "/api/drafts/keep"
API_KEEP_ANSWER = "/api/answers/keep"
API_KEEP_NOTE = "/api/notes/keep"
API_KEEP_LINE = "/api/agenda-lines/keep"
API_EVERYTHING = "/api/everything"  # the client's archive (?ticket=, made by YourDataState)
API_REMINDERS_OFF = "/api/reminders/off"  # the one-tap opt-out in a reminder email (?token=)

# The pages only a signed-in person sees: where a person sent to sign in may go back to.
SIGNED_IN_PAGES = frozenset({
    JOURNAL, WRITE, ENTRY, CARE_TEAM, CHECK_IN, CHECK_INS, CHECK_IN_ITEM, CLIENTS, CLIENT_ENTRIES,
    SHARED_ENTRY, CLIENT_CHECK_INS, HOMEWORK, WORKSHEET, CLIENT_HOMEWORK, RETURNED, PREPARE,
    CASELOAD, BRIEF, WORKSHEETS, ADMIN, SETTINGS, SESSIONS, SECURITY, YOUR_DATA,
})  # fmt: skip
# Every page (the HTTP routes under /api and the offline page aside).
PAGE_PATHS = SIGNED_IN_PAGES | {
    SIGN_IN, REGISTER, FORGOT, CHOOSE_PASSWORD, CONFIRM_EMAIL, SIGN_IN_CODE, TWO_STEP_SETUP, INSTALL,
}  # fmt: skip
_PLAIN_QUERY = re.compile(r"[A-Za-z0-9_.=&%-]{0,200}")


def after_sign_in(page: object) -> str:
    """`page` (a path and query) when it is one of our signed-in pages, else "": the deep
    link a signed-out person opened, never another site and never a sign-in page."""
    if not isinstance(page, str) or len(page) > 300:
        return ""
    path, _, query = page.partition("?")
    if path.rstrip("/") not in SIGNED_IN_PAGES or not _PLAIN_QUERY.fullmatch(query):
        return ""
    return page


def with_next(path: str, page: str) -> str:
    """`path` (a sign-in step) carrying on the page to open once signed in, if any."""
    page = after_sign_in(page)
    return f"{path}?{urlencode({'next': page})}" if page else path


def write(entry_id: str) -> str:
    return f"{WRITE}?id={entry_id}"


def entry(entry_id: str) -> str:
    return f"{ENTRY}?id={entry_id}"


def client_entries(client_id: str) -> str:
    return f"{CLIENT_ENTRIES}?client={client_id}"


def shared_entry(entry_id: str) -> str:
    return f"{SHARED_ENTRY}?id={entry_id}"


def check_in_item(item_id: str) -> str:
    return f"{CHECK_IN_ITEM}?id={item_id}"


def client_check_ins(client_id: str) -> str:
    return f"{CLIENT_CHECK_INS}?client={client_id}"


def assignment(assignment_id: str) -> str:
    return f"{WORKSHEET}?assignment={assignment_id}"


def client_homework(client_id: str) -> str:
    return f"{CLIENT_HOMEWORK}?client={client_id}"


def returned(assignment_id: str) -> str:
    return f"{RETURNED}?assignment={assignment_id}"


def brief(client_id: str) -> str:
    return f"{BRIEF}?client={client_id}"
