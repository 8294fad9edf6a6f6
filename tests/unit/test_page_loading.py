"""The built pages' module preloads go after the stylesheet, and the libraries' modules come in
one script each (betterjournal/page_loading.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from betterjournal.page_loading import (
    VITE_GROUPS_END,
    LoadOrder,
    group_shared_scripts,
    preload_after_styles,
)

PAGE = (
    '<head><link rel="stylesheet" href="/assets/app-AbCd1234.css"/>'
    '<link rel="modulepreload" href="/assets/entry.client-D3JR-U0f.js"/>'
    '<link rel="modulepreload" fetchpriority="high" href="/assets/root-BR-Py8Bu.js"/></head>'
)


def test_module_preloads_are_marked_low_and_nothing_else_changes() -> None:
    marked = preload_after_styles(PAGE)
    assert marked.count('fetchpriority="low"') == 1  # a link that already says one keeps it
    assert '<link rel="modulepreload" fetchpriority="low" href="/assets/entry.client-D3JR-U0f.js"/>' in marked
    assert marked.replace(' fetchpriority="low"', "") == PAGE
    assert preload_after_styles(marked) == marked  # marking twice changes nothing


def test_the_plugin_marks_every_built_page(tmp_path: Path) -> None:
    (tmp_path / "journal").mkdir()
    for page in (tmp_path / "signin.html", tmp_path / "journal" / "index.html"):
        page.write_text(PAGE, encoding="utf-8")
    (tmp_path / "app.css").write_text("a{}", encoding="utf-8")
    LoadOrder().post_build(static_dir=tmp_path)
    for page in (tmp_path / "signin.html", tmp_path / "journal" / "index.html"):
        assert 'rel="modulepreload" fetchpriority="low"' in page.read_text(encoding="utf-8")
    assert (tmp_path / "app.css").read_text(encoding="utf-8") == "a{}"


VITE_CONFIG = """      output: {
        codeSplitting: {
          groups: [
            {
              test: /env.json/,
              name: "reflex-env",
            },
          ],
        },
      },"""


def test_each_library_gets_its_group_after_reflexs_own() -> None:
    grouped = group_shared_scripts(VITE_CONFIG)
    added = [line.strip() for line in grouped.splitlines() if line not in VITE_CONFIG.splitlines()]
    assert added == [
        r'{ test: /node_modules[\\/]lucide-react[\\/]/, name: "icons" },',
        r'{ test: /node_modules[\\/]@radix-ui[\\/]/, name: "radix" },',
    ]
    assert grouped.index('name: "reflex-env"') < grouped.index('name: "icons"')
    assert VITE_GROUPS_END in grouped  # Reflex's own group stays


def test_a_vite_config_that_changed_shape_stops_the_build_rather_than_lose_the_groups() -> None:
    with pytest.raises(RuntimeError, match="SHARED_SCRIPTS"):
        group_shared_scripts(VITE_CONFIG.replace('name: "reflex-env"', 'name: "env"'))


def test_the_plugin_asks_to_group_the_vite_config() -> None:
    asked = []
    LoadOrder().pre_compile(add_modify_task=lambda path, change: asked.append((path, change)))
    assert asked == [("vite.config.js", group_shared_scripts)]
