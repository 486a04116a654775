"""The template's offline page for `dvc plots`: what tools/offline_plots.py built, kept whole.

Rendering it in a browser is tests/e2e/test_plots_offline.py's job; these check, without a
network or a browser, that DVC fills it and that nothing in it points elsewhere.
"""

from __future__ import annotations

import re
from pathlib import Path

from dvc_render import VegaRenderer, render_html

from mlproj.scaffold.new import template_dir
from tools.offline_plots import PACKAGES

PAGE = template_dir() / "{{cookiecutter.project_slug}}" / ".dvc" / "plots" / "offline.html"


def test_the_page_carries_each_library_and_its_licence() -> None:
    page = PAGE.read_text(encoding="utf-8")
    for name, version in PACKAGES:
        assert f"{name} {version}, from the npm registry" in page
    assert page.count("Redistribution and use in source and binary forms") >= 3
    assert page.count("<script>") == 3
    assert not re.search(r"<script[^>]*\bsrc=", page)
    # DVC puts its CDN script tags at {scripts}: the page has no such place, so they are dropped.
    assert "{scripts}" not in page
    assert page.count("{plot_divs}") == 1 and page.count("{refresh_tag}") == 1


def test_dvc_fills_the_page_without_a_cdn(tmp_path: Path) -> None:
    datapoints = [{"x": 0, "y": 0.1}, {"x": 1, "y": 0.9}]
    renderer = VegaRenderer(datapoints, "plots/roc.csv", x="x", y="y", template="linear")
    out = tmp_path / "index.html"
    render_html([renderer], out, html_template=str(PAGE))
    html = out.read_text(encoding="utf-8")
    assert "cdn.jsdelivr" not in html
    assert html.count("vegaEmbed('#") == 1
    assert "{plot_divs}" not in html
