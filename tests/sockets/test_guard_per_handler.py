"""AUTHZ-1, one handler at a time: every event handler in the app is either guarded or
on a short public list, and each guarded handler turns away every caller it doesn't admit.

`guarded(*roles)` (betterjournal/state/base.py) marks the function it wraps with the roles
it admits (`__bj_roles__`). The walk below goes through every state in the app's state
tree, so a new handler without `@guarded` fails here until it is guarded or listed (with
its reason) in PUBLIC. Then each guarded handler is called on its own over the raw
socket, without a session cookie and as each role it does not admit (found from its
marker, never listed by hand), and must answer with the guard's redirect and write nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import pytest
from reflex.state import EventHandlerSetVar
from socket_support import (
    FEEDBACK_VARS,
    OWN_IDENTITY_VARS,
    World,
    all_handlers,
    all_states,
    connect,
    filled_vars,
    new_audit_rows,
    plausible_payload,
    redirects_of,
    secrets_in,
    short_name,
    snapshot,
    uuid_hex,
    writes_between,
)
from socketclient import handler_name

import betterjournal.betterjournal  # noqa: F401  (registers every page, state and handler)
from betterjournal import routes
from betterjournal.models import Role
from betterjournal.state.items import ItemSharingState

ROLES_MARKER = "__bj_roles__"

# Handlers anyone may call, each with the reason it needs no guard. Keep this short: a
# handler that reads or writes anyone's data belongs behind `guarded`, not here.
PUBLIC = {
    # Reflex's own page plumbing. SessionGate (state/base.py) re-validates the session
    # before every event, these included, and wipes the tree when it ended or changed, so
    # what they send back holds nobody's data.
    "State.hydrate": "framework: sends the tab's state after SessionGate's check",
    "State.hydrate_and_load": "framework: hydrate, then the page's on_load handlers (guarded)",
    "State.set_is_hydrated": "framework: a flag",
    "OnLoadInternalState.on_load_internal": "framework: queues the page's on_load handlers (guarded)",
    "OnLoadInternalState.set_is_hydrated": "framework: a flag",
    "UpdateVarsInternalState.update_vars_internal": "framework: sets client-storage vars only (none here)",
    "FrontendEventExceptionState.handle_frontend_exception": "framework: logs the error type only",
    # The app's public pages.
    "AppState.prepare_public_page": "sign-in/registration pages: forgets all state, issues a form token",
    "AppState.prepare_password_page": "as prepare_public_page; then whether the link's token is still usable",
    "AppState.prepare_confirm_page": "as prepare_password_page: only the link's holder learns its address",
    "AppState.route_home": "authenticates itself; only redirects (to sign-in or the role's home)",
    "AppState.dismiss_feedback": "clears the caller's own notice and problem",
    "AppState.choose_language": "the tab's own language, one of two fixed values; holds no data",
    # The public home page (state/account.py).
    "LandingState.open_landing": "authenticates itself: sends a signed-in caller home; else a form token",
    "LandingState.ask_as": "the request form's own switch between two fixed values; holds no data",
    "LandingState.request_access": "keeps a visitor's request; the same answer for any address; throttled",
    # The two-step pages: they authenticate themselves from the cookie's session at its
    # MFA stage (not yet anyone's identity), and can do only the step it waits for.
    "SignInCodeState.open_code": "authenticates itself: a session waiting for its code, else sign-in",
    "SignInCodeState.submit_code": "authenticates itself: checks the code of the session waiting for it",
    "TwoStepState.open_setup": "authenticates itself: a session at its setup stage, or the signed-in person",
    "TwoStepState.confirm_setup": "authenticates itself: as open_setup; sets up only that person's own",
    "TwoStepState.finish_setup": (
        "forgets the tab's own recovery codes and sends it home or to its security settings (both guarded)"
    ),
    "TwoStepState.download_codes": "authenticates itself: as open_setup; only the codes shown to it",
}
# Every state also has Reflex's `setvar`, which calls `set_<name>` on that state. Reflex's
# auto-setters are off (`state_auto_setters`), so the only setters are `set_is_hydrated`
# and the app's own handlers named `set_*`, which the walk checks on their own (see
# test_setvar_reaches_only_handlers_the_walk_checks).
SETVAR = EventHandlerSetVar.setvar


def is_framework_setvar(state_class: type, name: str) -> bool:
    return name == "setvar" and state_class.event_handlers[name].fn is SETVAR  # type: ignore[attr-defined]


def roles_of(state_class: type, name: str) -> frozenset[Role] | None:
    """The roles a guarded handler admits; None if it isn't guarded."""
    return getattr(state_class.event_handlers[name].fn, ROLES_MARKER, None)  # type: ignore[attr-defined]


def unguarded(handlers: Iterable[tuple[type, str]]) -> list[str]:
    """Handlers that are neither guarded, nor public, nor the framework's setvar."""
    return sorted(
        short_name(state_class, name)
        for state_class, name in handlers
        if roles_of(state_class, name) is None
        and short_name(state_class, name) not in PUBLIC
        and not is_framework_setvar(state_class, name)
    )


def guarded_handlers() -> list[tuple[type, str, frozenset[Role]]]:
    found = []
    for state_class, name in all_handlers():
        roles = roles_of(state_class, name)
        if roles is not None:
            found.append((state_class, name, roles))
    return found


# --- the walk ----------------------------------------------------------------------------


def test_every_handler_is_guarded_or_public() -> None:
    missing = unguarded(all_handlers())
    assert missing == [], (
        "handlers without @guarded that are not on the PUBLIC list (guard them, or list "
        f"them with the reason they need no guard): {missing}"
    )


def test_the_public_list_names_only_handlers_that_exist_and_are_not_guarded() -> None:
    """So the list can't keep an exemption for a handler that is gone or was renamed."""
    handlers = {short_name(s, n): (s, n) for s, n in all_handlers()}
    assert sorted(set(PUBLIC) - set(handlers)) == []
    assert [name for name in PUBLIC if roles_of(*handlers[name]) is not None] == []
    # update_vars_internal is public because it can only set client-storage vars.
    storage = [
        f"{state_class.__name__}.{var}"
        for state_class in all_states()
        for var in state_class.base_vars  # type: ignore[attr-defined]
        if state_class._is_client_storage(var)  # type: ignore[attr-defined]
    ]
    assert storage == [], "client-storage vars: update_vars_internal can set them, unguarded"


def test_the_walk_reports_a_handler_whose_guard_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The detection itself: take the marker off one real handler, the walk names it."""
    before = set(unguarded(all_handlers()))
    assert roles_of(ItemSharingState, "set_shared") == frozenset({Role.CLIENT})
    monkeypatch.delattr(ItemSharingState.event_handlers["set_shared"].fn, ROLES_MARKER)
    assert set(unguarded(all_handlers())) - before == {"ItemSharingState.set_shared"}


def test_the_walk_reports_a_handler_added_without_a_guard() -> None:
    """... and one that a new state would bring (a stand-in, not registered in the app)."""

    class NewState:
        event_handlers: dict[str, Any] = {
            "load_secrets": SimpleNamespace(fn=lambda self: None),
            "setvar": SimpleNamespace(fn=SETVAR),
        }

    assert unguarded([(NewState, "load_secrets"), (NewState, "setvar")]) == ["NewState.load_secrets"]


def test_setvar_reaches_only_handlers_the_walk_checks() -> None:
    """`setvar(name, value)` calls `set_<name>`: every such setter on every state must be
    a handler in the walk (so it is guarded or public), not an auto-generated setter."""
    strays = sorted(
        f"{state_class.__name__}.{attribute}"
        for state_class in all_states()
        for attribute in dir(state_class)
        if attribute.startswith("set_")
        and attribute != "set_is_hydrated"
        and callable(getattr(state_class, attribute, None))
        and attribute not in state_class.event_handlers  # type: ignore[attr-defined]
    )
    setters = {short_name(s, n) for s, n in all_handlers() if n.startswith("set_") and n != "set_is_hydrated"}
    assert strays == []
    assert setters <= {short_name(s, n) for s, n, _ in guarded_handlers()}, setters


def test_the_walk_finds_guarded_handlers_for_every_role() -> None:
    """The parametrization below can't quietly come out empty or one-sided."""
    guarded = guarded_handlers()
    assert len(guarded) >= 20
    for role in Role:
        assert any(role in roles for _, _, roles in guarded), f"no handler admits {role}"
        assert any(role not in roles for _, _, roles in guarded), f"every handler admits {role}"


# --- each guarded handler, called by everyone it doesn't admit ------------------------------

ACCOUNT_OF_ROLE = {Role.CLIENT: "a", Role.CLINICIAN: "c", Role.ADMIN: "admin"}


def refusal_cases() -> list[Any]:
    return [
        pytest.param(state_class, name, roles, id=short_name(state_class, name))
        for state_class, name, roles in guarded_handlers()
    ]


@pytest.mark.parametrize(("state_class", "name", "roles"), refusal_cases())
async def test_a_guarded_handler_refuses_who_it_does_not_admit(
    world: World, state_class: type, name: str, roles: frozenset[Role]
) -> None:
    """No session cookie: sent to sign in, nothing written. Signed in with a role the
    handler doesn't admit: sent home, and the attempt is audited (one DENIED "call" row,
    theirs), nothing else written. Either way no journal text or name comes back and no
    var is filled."""
    app = world.app
    callers = [("no session", "", routes.SIGN_IN, set(FEEDBACK_VARS), world.phi | world.names, "")]
    for role in sorted(set(Role) - roles):
        actor = world[ACCOUNT_OF_ROLE[role]]
        callers.append(
            (
                f"{role.value} {actor.label}",
                actor.cookie,
                routes.HOME,
                FEEDBACK_VARS | OWN_IDENTITY_VARS,
                # Other people's names and all journal text: their own name may show.
                (world.phi | world.names) - {actor.name},
                actor.id,
            )
        )
    payload = plausible_payload(state_class, name, world)
    # The page and query where the handler would find real data if it ran.
    where: dict[str, Any] = {
        "path": routes.SHARED_ENTRY,
        "query": {"id": world.entries["shared"].id, "client": world["a"].id},
    }
    problems: list[str] = []
    for label, cookie, expected, allowed, secret, actor_id in callers:
        tab = await connect(app, cookie)
        try:
            before = snapshot(app)
            updates = await tab.exchange(handler_name(state_class, name), payload, **where)
            after = snapshot(app)
        finally:
            with contextlib.suppress(Exception):
                await tab.close()
        redirects = redirects_of(updates)
        if redirects != [expected]:
            problems.append(f"{label}: expected the guard's redirect to {expected}, got {redirects}")
        if held := secrets_in(updates, secret):
            problems.append(f"{label}: the reply holds {len(held)} secret strings")
        if filled := filled_vars(updates, allowed=allowed):
            problems.append(f"{label}: the reply fills {filled}")
        # Signed in: one denied "call" row, theirs (the admin's id isn't learned by the world).
        audited = [(row[1] if actor_id else "", row[3], row[4]) for row in new_audit_rows(before, after)]
        wanted = [(uuid_hex(actor_id) if actor_id else "", "CALL", "DENIED")] if cookie else []
        if audited != wanted:
            problems.append(f"{label}: audited {audited}, not {wanted}")
        problems += [
            f"{label}: wrote {change}"
            for change in writes_between(before, after, allow_denied_audit=bool(cookie))
        ]
    assert problems == [], f"{short_name(state_class, name)} ({sorted(roles)}):\n" + "\n".join(problems)
