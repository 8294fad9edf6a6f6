"""The app's database layer on PostgreSQL: `make check-postgres` (not part of `make test`).

Starts a throwaway PostgreSQL cluster (the server's `initdb` and `pg_ctl` on PATH or in
/usr/local/bin; as root, it runs as an unprivileged user it creates), with two databases:
the app's and the key store's. Then, through the real CLI and core, it checks that:
- the migrations go up to head, all the way down, and up again;
- the audit log refuses UPDATE, DELETE and TRUNCATE (AUD-4) and `audit-verify` passes;
- a client's entry is saved and read back, and erasing the account removes its rows and
  destroys its data key in the key store (PRIV-3, CRYPTO-6);
- rotating the KEK (`kek-rewrap`) leaves the entry readable with the new KEK alone;
- six tabs at the same moment take turns on PostgreSQL's locks (`db.take_turns`) and a
  new entry saved from all six is one entry, without an error;
- the caseload counts homework returned and overdue, a new shared entry and the next session.
Exits 1 at the first thing that fails, saying what. Stops and removes the cluster after.
"""

from __future__ import annotations

import base64
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
USER = "bjpgcheck"
PASSWORD = "lantern-orchard-copper-91"


def server_binary(name: str) -> str:
    found = shutil.which(name) or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None
    )
    if found is None and Path(f"/usr/local/bin/{name}").exists():
        found = f"/usr/local/bin/{name}"
    if found is None:
        sys.exit(f"No PostgreSQL server here ({name} not found): install PostgreSQL 15 or later.")
    return found


def as_owner(command: list[str]) -> None:
    """Run a server command as the cluster's owner (PostgreSQL refuses to run as root)."""
    if os.geteuid() == 0:
        command = ["su", USER, "-s", "/bin/sh", "-c", shlex.join(command)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


def new_kek() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def run(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [str(BIN / "betterjournal"), *args], env=env, input=stdin, capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode != 0:
        sys.exit(f"`betterjournal {' '.join(args)}` failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def python(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [str(BIN / "python"), "-c", code], env=env, capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode != 0:
        sys.exit(f"A check failed:\n{done.stdout}{done.stderr}")
    return done.stdout


MIGRATE = """
import sys
from alembic import command
from alembic.config import Config
from betterjournal.settings import PROJECT_ROOT
config = Config(str(PROJECT_ROOT / "alembic.ini"))
config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
config.attributes["configure_logging"] = False
command.downgrade(config, "base")
command.upgrade(config, "head")
"""

AUDIT_IS_APPEND_ONLY = """
from sqlalchemy import text
from betterjournal.db import get_engine
with get_engine().connect() as connection:
    assert connection.execute(text("SELECT count(*) FROM audit_event")).scalar() > 0
for statement in ("UPDATE audit_event SET at = at + interval '1 second'", "DELETE FROM audit_event",
                  "TRUNCATE audit_event"):
    try:
        with get_engine().begin() as connection:
            connection.execute(text(statement))
    except Exception as error:
        assert "append-only" in str(error), error
    else:
        raise SystemExit(f"{statement}: allowed")
"""

SAVE = """
import uuid
from sqlmodel import select
from betterjournal.core import audit, items, journal
from betterjournal.db import session_scope
from betterjournal.models import AuditAction, AuditOutcome, User
with session_scope() as session:
    owner = session.exec(select(User.id).where(User.email == "sam@example.ca")).one()
    entry = uuid.uuid4()
    items.save(session, owner_id=owner, kind=journal.KIND, item_id=entry,
               values={"title": "Mardi", "body": "Une journée calme, enfin. ✓"})
    audit.record(session, actor_id=owner, action=AuditAction.EXPORT, outcome=AuditOutcome.ALLOWED,
                 subject_id=owner, item_id=entry)
"""

READ = """
from sqlmodel import select
from betterjournal.core import items, journal
from betterjournal.db import session_scope
from betterjournal.models import User
with session_scope() as session:
    owner = session.exec(select(User.id).where(User.email == "sam@example.ca")).one()
    bodies = [i.fields["body"] for i in items.every_own(session, owner_id=owner, kind=journal.KIND)]
assert bodies == ["Une journée calme, enfin. ✓"], bodies
"""

# Six tabs at the same moment, on PostgreSQL's own locking (db.take_turns: SELECT … FOR NO
# KEY UPDATE; items.save: ON CONFLICT DO NOTHING): a new entry saved from all six is one
# entry and no error; six tags added at once with two places left make two.
RACES = """
import threading, uuid
from concurrent.futures import ThreadPoolExecutor
from sqlmodel import select
from betterjournal.core import checkins, items, journal
from betterjournal.core.errors import InvalidInput
from betterjournal.db import session_scope
from betterjournal.models import ClientItem, User
with session_scope() as session:
    owner = session.exec(select(User.id).where(User.email == "sam@example.ca")).one()
    for n in range(checkins.TAGS_PER_CLIENT - 2):
        checkins.add_tag(session, owner_id=owner, name=f"tag {n}")
entry, barrier = uuid.uuid4(), threading.Barrier(6, timeout=30)
def save(tab):
    with session_scope() as session:
        barrier.wait()
        items.save(session, owner_id=owner, kind=journal.KIND, item_id=entry,
                   values={"title": "", "body": f"from tab {tab}"})
def tag(tab):
    try:
        with session_scope() as session:
            barrier.wait()
            checkins.add_tag(session, owner_id=owner, name=f"tab {tab}")
    except InvalidInput:
        pass
with ThreadPoolExecutor(6) as pool:
    list(pool.map(save, range(6)))  # an error in any tab fails the check
    list(pool.map(tag, range(6)))
with session_scope() as session:
    assert len(session.exec(select(ClientItem).where(ClientItem.id == entry)).all()) == 1
    tags = checkins.tags_of(session, owner_id=owner)
assert len(tags) == checkins.TAGS_PER_CLIENT, len(tags)
"""

# The caseload's counts on PostgreSQL: homework returned and not reviewed, overdue and never
# returned (counted from a partial index), a new shared entry, the next session, and the
# agenda shared for it (matched to the window of the last held session, ids read as text).
CASELOAD = f"""
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo
from sqlmodel import select
from betterjournal.core import accounts, agenda, appointments, caseload, homework, items, journal
from betterjournal.core import links, sharing
from betterjournal.db import session_scope
from betterjournal.models import Role, User
today = date.today()
with session_scope() as session:
    client = session.exec(select(User.id).where(User.email == "sam@example.ca")).one()
    clinician = accounts.create_user(session, email="lee@example.ca", display_name="Lee",
                                     password="{PASSWORD}", role=Role.CLINICIAN).id
    code = links.create_invitation(session, clinician_id=clinician)
    invitation = links.find_invitation(session, code)
    links.accept_invitation(session, client_id=client, invitation_id=invitation.id)
    given = homework.assign(session, clinician_id=clinician, client_id=client,
                            template="builtin:thought_record", due_on=today.isoformat(),
                            repeat="daily", times=3, today=today)
    entry = uuid.uuid4()
    items.save(session, owner_id=client, kind=journal.KIND, item_id=entry,
               values={{"title": "", "body": "b"}})
    sharing.set_shared(session, owner_id=client, item_id=entry, clinician_id=clinician, shared=True)
    zone = ZoneInfo("America/Toronto")
    here = datetime.now(zone).date()
    appointments.plan(session, clinician_id=clinician, client_id=str(client), day=here.isoformat(),
                      at="23:59", zone=zone)
    appointments.mark_held(session, clinician_id=clinician, client_id=client)
    appointments.plan(session, clinician_id=clinician, client_id=str(client),
                      day=(here + timedelta(days=20)).isoformat(), at="10:00", zone=zone)
    ready = agenda.prepare(session, client_id=client, clinician_id=clinician)
    sharing.set_shared(session, owner_id=client, item_id=ready.agenda.id, clinician_id=clinician,
                       shared=True)
for assignment, return_it in zip(given[:2], (True, False)):
    with session_scope() as session:
        homework.not_done(session, client_id=client, item_id=uuid.uuid4(), assignment_id=assignment,
                          reasons=["forgot"], return_it=return_it)
with session_scope() as session:
    (line,) = caseload.caseload(session, clinician_id=clinician, today=today + timedelta(days=10))
# The entry is new; the agenda is said once, as "shared for the next session" (not new too).
assert (line.new_shared, line.to_review, line.overdue) == (1, 1, 2), line
assert line.next_at is not None and line.agenda_shared, line
"""

ERASE = f"""
from sqlmodel import select
from betterjournal import keystore
from betterjournal.core import portability
from betterjournal.db import session_scope
from betterjournal.models import ClientItem, User
with session_scope() as session:
    owner = session.exec(select(User.id).where(User.email == "sam@example.ca")).one()
    assert keystore.get(owner) is not None
    portability.erase(session, client_id=owner, password="{PASSWORD}", code="")
assert keystore.get(owner) is None, "the data key is still in the key store"
with session_scope() as session:
    assert session.get(User, owner) is None
    assert session.exec(select(ClientItem).where(ClientItem.owner_id == owner)).first() is None
"""


def main() -> int:
    initdb, pg_ctl = server_binary("initdb"), server_binary("pg_ctl")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(USER)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", USER], check=True)
    cluster = Path(tempfile.mkdtemp(prefix="bj-pg-"))
    data_dir = Path(tempfile.mkdtemp(prefix="bj-pg-data-"))
    if os.geteuid() == 0:
        shutil.chown(cluster, USER)
    port = free_port()
    as_owner([initdb, "-D", f"{cluster}/data", "-A", "trust", "-U", USER])
    as_owner(
        [pg_ctl, "-D", f"{cluster}/data", "-l", f"{cluster}/log", "-w", "-o",
         f"-p {port} -c listen_addresses=localhost -k {cluster}", "start"]
    )  # fmt: skip
    try:
        base = f"postgresql+psycopg://{USER}@localhost:{port}"
        for name in ("betterjournal", "betterjournal_keys"):
            subprocess.run(
                ["psql", "-q", "-h", "localhost", "-p", str(port), "-U", USER, "-d", "postgres",
                 "-c", f"CREATE DATABASE {name}"],
                check=True,
            )  # fmt: skip
        old, new = new_kek(), new_kek()
        env = {k: v for k, v in os.environ.items() if not k.startswith("BJ_")} | {
            "BJ_DATA_DIR": str(data_dir),
            "BJ_KEK": f"1:{old}",
            "BJ_DATABASE_URL": f"{base}/betterjournal",
            "BJ_KEYSTORE_URL": f"{base}/betterjournal_keys",
        }
        run(env, "init")
        python(env, MIGRATE)
        print("migrations: up, down to base, up again: OK")
        run(env, "user", "create", "--role", "client", "--email", "sam@example.ca", "--name", "Sam",
            stdin=PASSWORD + "\n")  # fmt: skip
        python(env, SAVE)
        python(env, AUDIT_IS_APPEND_ONLY)
        print("audit log refuses UPDATE, DELETE and TRUNCATE: OK")
        if "intact" not in run(env, "audit-verify"):
            sys.exit("audit-verify did not say the log is intact")
        run(env | {"BJ_KEK": f"1:{old},2:{new}"}, "kek-rewrap")
        python(env | {"BJ_KEK": f"2:{new}"}, READ)
        print("KEK rotated; the entry reads back with the new KEK alone: OK")
        python(env | {"BJ_KEK": f"2:{new}"}, RACES)
        print("six tabs at once: one entry without an error, the tag limit kept: OK")
        python(env | {"BJ_KEK": f"2:{new}"}, CASELOAD)
        print("the caseload counts a return, overdue homework, a new share, the next session, its agenda: OK")
        python(env | {"BJ_KEK": f"2:{new}"}, ERASE)
        print("erasing the account removes its rows and destroys its data key: OK")
    finally:
        as_owner([pg_ctl, "-D", f"{cluster}/data", "-m", "fast", "stop"])
        shutil.rmtree(cluster, ignore_errors=True)
        shutil.rmtree(data_dir, ignore_errors=True)
    print("PostgreSQL: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
