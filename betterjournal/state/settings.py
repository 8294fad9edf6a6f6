"""Each person's own settings: the language of the app, their time zone, and (clients)
their reminders."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import time

from betterjournal import routes
from betterjournal.core import accounts, reminders
from betterjournal.db import in_session
from betterjournal.i18n import TIME_ZONE_CHOICES, Reader, time_zone_name
from betterjournal.models import Role
from betterjournal.state import live
from betterjournal.state.base import AppState, form_fields, guarded
from betterjournal.state.reminders import refresh_banners


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def zone_choices(reader: Reader, current: str) -> list[Choice]:
    """Canada's time zones in the reader's words, and the person's own if it is elsewhere."""
    choices = [Choice(zone, reader.t(label)) for zone, label in TIME_ZONE_CHOICES]
    if current and all(choice.value != current for choice in choices):
        choices.append(Choice(current, time_zone_name(current, reader)))
    return choices


class SettingsState(AppState):
    """The settings form: what the person chose, and the time zones to choose from."""

    chosen_language: str = ""
    chosen_time_zone: str = ""
    time_zones: list[Choice] = []
    settings_loaded: bool = False
    # Reminders (clients only): what the form shows, as the server holds it.
    reminders_offered: bool = False
    check_in_on: bool = False
    check_in_days: list[bool] = [True] * 7
    check_in_at: str = "20:00"
    journal_on: bool = False
    journal_days: list[bool] = [True] * 7
    journal_at: str = "20:00"
    homework_on: bool = False
    homework_at: str = "09:00"
    quiet_on: bool = False
    quiet_start: str = "22:00"
    quiet_end: str = "07:00"
    reminders_version: int = 0  # the form is mounted again with each load or save
    weekdays: list[str] = [""] * 7  # Monday first, in the person's language (Babel)
    # The settings page open: reminders changed elsewhere (another tab, the email's one-tap
    # "turn off") show at once (state/live.py), so this form never sends old choices back.
    _held_path: str = ""

    def _fill(self) -> None:
        reader = self._reader()
        self.chosen_language, self.chosen_time_zone = reader.language, reader.time_zone
        self.time_zones = zone_choices(reader, reader.time_zone)
        self.weekdays = reader.weekday_names()
        self.settings_loaded = True

    def _show_reminders(self, plan: reminders.Plan, *, draw_again: bool = True) -> None:
        """The reminders as the server holds them; `draw_again`: the form is mounted again to
        show them (not after the form's own save: it shows them already, and the person may
        be in the middle of it)."""

        def hhmm(moment: time) -> str:
            return moment.strftime("%H:%M")

        self.reminders_offered = True
        self.check_in_on, self.check_in_at = plan.check_in.on, hhmm(plan.check_in.at)
        self.check_in_days = [day in plan.check_in.days for day in reminders.WEEKDAYS]
        self.journal_on, self.journal_at = plan.journal.on, hhmm(plan.journal.at)
        self.journal_days = [day in plan.journal.days for day in reminders.WEEKDAYS]
        self.homework_on, self.homework_at = plan.homework.on, hhmm(plan.homework.at)
        self.quiet_on = plan.quiet_on
        self.quiet_start, self.quiet_end = hhmm(plan.quiet_hours[0]), hhmm(plan.quiet_hours[1])
        if draw_again:
            self.reminders_version += 1

    @guarded()
    async def load_settings(self) -> None:
        self._fill()
        viewer = self._viewer()
        if viewer.role == Role.CLIENT:
            self._show_reminders(await in_session(reminders.preferences, user_id=viewer.user_id))
            self._held_path = routes.SETTINGS
            self._keep_current()

    def _leave(self) -> None:
        self._held_path = ""

    async def _recheck_access(self, viewer_id: str) -> None:
        """The reminders as the server holds them now (changed in another tab, or turned off
        from a reminder email)."""
        self._show_reminders(await in_session(reminders.preferences, user_id=uuid.UUID(viewer_id)))

    @guarded(Role.CLIENT)
    async def save_reminders(self, form: dict) -> None:
        """Keep the client's reminders: which, on what days, at what time, quiet hours (the
        whole form, sent at each change made in it)."""
        viewer = self._viewer()
        plan = reminders.plan_from_form(form_fields(form))

        def keep(session) -> reminders.Plan:
            reminders.save_preferences(session, user_id=viewer.user_id, plan=plan)
            return reminders.preferences(session, user_id=viewer.user_id)

        self._show_reminders(await in_session(keep), draw_again=False)
        live.recheck_people([viewer.user_id], but=self.router.session.client_token)  # other tabs
        self.notice = self._t("Reminders saved.") if plan.any_on else self._t("Reminders are off.")
        if not plan.any_on:  # a banner on screen goes too, in every tab
            refresh_banners([viewer.user_id])

    @guarded()
    async def save_settings(self, form: dict) -> None:
        """Keep the language and time zone chosen; the app switches to them at once."""
        viewer = self._viewer()
        if not isinstance(form, dict) or set(form) != {"language", "time_zone"}:
            self.problem = self._t("These settings couldn't be saved. Please try again.")
            return
        language, zone = form["language"], form["time_zone"]
        await in_session(accounts.set_preferences, user_id=viewer.user_id, language=language, time_zone=zone)
        self.language, self.time_zone, self._language_chosen = language, zone, True
        self._fill()
        self.notice = self._t("Settings saved.")
        # The person's other open tabs switch too, at once (a walk-through: a tab left in
        # French wrote its language back as the browser's at sign-out).
        live.push_to_signed_in_tabs([viewer.user_id], None, but=self.router.session.client_token)
