"""Each person's own settings: the language of the app and their time zone."""

from __future__ import annotations

from dataclasses import dataclass

from betterjournal.core import accounts
from betterjournal.db import in_session
from betterjournal.i18n import TIME_ZONE_CHOICES, Reader
from betterjournal.state.base import AppState, guarded


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def zone_choices(reader: Reader, current: str) -> list[Choice]:
    """Canada's time zones in the reader's words, and the person's own if it is elsewhere."""
    choices = [Choice(zone, reader.t(label)) for zone, label in TIME_ZONE_CHOICES]
    if current and all(choice.value != current for choice in choices):
        choices.append(Choice(current, current.replace("_", " ")))
    return choices


class SettingsState(AppState):
    """The settings form: what the person chose, and the time zones to choose from."""

    chosen_language: str = ""
    chosen_time_zone: str = ""
    time_zones: list[Choice] = []
    settings_loaded: bool = False

    def _fill(self) -> None:
        reader = self._reader()
        self.chosen_language, self.chosen_time_zone = reader.language, reader.time_zone
        self.time_zones = zone_choices(reader, reader.time_zone)
        self.settings_loaded = True

    @guarded()
    async def load_settings(self) -> None:
        self._fill()

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
