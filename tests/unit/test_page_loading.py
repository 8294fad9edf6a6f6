"""The built pages' module preloads go after the stylesheet (betterjournal/page_loading.py)."""

from __future__ import annotations

from pathlib import Path

from betterjournal.page_loading import LoadOrder, preload_after_styles

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
