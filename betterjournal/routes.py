"""Every path in the app, and the builders for paths with an id."""

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
SIGN_IN_CODE = "/signin/code"  # the two-step code after the password
TWO_STEP_SETUP = "/two-step"  # setting up two-step sign-in (required for clinicians and admins)
FORGOT = "/forgot"  # asking for a password reset link
CHOOSE_PASSWORD = "/password"  # noqa: S105 - from an emailed link: ?token=… (&first=1 after approval)
CONFIRM_EMAIL = "/confirm"  # from an emailed link: ?token=…
INSTALL = "/install"  # how to put the app on a phone's home screen (public and signed in)
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
API_KEEP_DRAFT = "/api/drafts/keep"  # the editor's words, sent as its tab is hidden or closed


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
