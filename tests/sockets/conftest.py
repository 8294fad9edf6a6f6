"""The world the socket attack tests act in, built once per session through the app."""

from __future__ import annotations

import pytest
from appserver import RunningApp
from socket_support import World, build_world


@pytest.fixture(scope="session")
async def world(running_app: RunningApp) -> World:
    return await build_world(running_app)
