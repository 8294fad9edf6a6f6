"""Every path in the app, and the builders for paths with an id."""

HOME = "/"
SIGN_IN = "/signin"
REGISTER = "/register"
JOURNAL = "/journal"
WRITE = "/journal/write"
ENTRY = "/journal/entry"
CARE_TEAM = "/care-team"
CLIENTS = "/clients"
CLIENT_ENTRIES = "/clients/entries"
SHARED_ENTRY = "/clients/entry"
ADMIN = "/admin"
SETTINGS = "/settings"

API_SIGN_IN = "/api/auth/signin"
API_SIGN_OUT = "/api/auth/signout"
API_REGISTER = "/api/auth/register"
HEALTH = "/api/health"
API_KEEP_DRAFT = "/api/drafts/keep"  # the editor's words, sent as its tab is hidden or closed


def write(entry_id: str) -> str:
    return f"{WRITE}?id={entry_id}"


def entry(entry_id: str) -> str:
    return f"{ENTRY}?id={entry_id}"


def client_entries(client_id: str) -> str:
    return f"{CLIENT_ENTRIES}?client={client_id}"


def shared_entry(entry_id: str) -> str:
    return f"{SHARED_ENTRY}?id={entry_id}"
