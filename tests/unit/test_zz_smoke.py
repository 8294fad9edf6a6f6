import uuid
from unit_support import link, new_entry, share, audit_events
from betterjournal.core import items, journal, sharing, drafts
from betterjournal.db import session_scope
from betterjournal.core.errors import NotFound
import pytest


def test_smoke(db):
    p = db
    with session_scope() as s:
        link(s, client_id=p.client_a.id, clinician_id=p.clinician_a.id)
        e = new_entry(s, owner_id=p.client_a.id, title="T", body="B")
        share(s, owner_id=p.client_a.id, entry_id=e, clinician_id=p.clinician_a.id)
    with session_scope() as s:
        page = sharing.list_shared(
            s, clinician_id=p.clinician_a.id, client_id=p.client_a.id, kind=journal.KIND
        )
        assert [i.fields for i in page.items] == [{"title": "T", "body": "B"}]
        own = items.list_own(s, owner_id=p.client_a.id, kind=journal.KIND)
        assert own.items[0].shared_with == ("Dr. A",)
        shares = sharing.shares_of(s, owner_id=p.client_a.id, item_ids=[e])[e]
        assert shares[0].seen_at is not None
    with session_scope() as s:
        drafts.save(
            s, owner_id=p.client_a.id, kind=journal.KIND, item_id=e, values={"title": "x", "body": "y"}
        )
        assert drafts.open_for_editing(
            s, owner_id=p.client_a.id, kind=journal.KIND, item_id=e, issued=False
        ).fields == {"title": "x", "body": "y"}
    with pytest.raises(NotFound):
        with session_scope() as s:
            items.open_own(s, owner_id=p.client_b.id, kind=journal.KIND, item_id=e)
    with session_scope() as s:
        assert audit_events(s)[-1].outcome == "denied"
        k, revoked = items.delete_item(s, owner_id=p.client_a.id, item_id=e)
        assert revoked == [p.clinician_a.id]
    with session_scope() as s:
        assert sharing.visible_item_ids(s, clinician_id=p.clinician_a.id) == set()
