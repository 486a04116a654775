"""`dvc plots show` draws its plots in a browser with no network (the offline page).

Headless Chromium opens the page DVC writes; vega-embed must have drawn one canvas per plot.
CI installs Chromium (.ci/run); a machine without it skips here, but CI fails instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.e2e.conftest import copy_project, sh

pytestmark = pytest.mark.e2e

# Every switch that could make Chromium reach the network on its own is off.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=5000",
)


def chromium() -> str:
    """The browser, or a skip (a failure in CI, where .ci/run installs it)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    reason = "no chromium on PATH: `apt-get install chromium` to check the offline plots page"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


class Drawn(HTMLParser):
    """Counts what vega-embed drew and collects the page's visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.canvases = 0
        self.marks = 0
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.canvases += tag == "canvas"
        self.marks += tag == "svg" and ("class", "marks") in attrs
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def rendered_dom(page: Path, scratch: Path) -> str:
    """The page's DOM after its scripts ran in headless Chromium."""
    result = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={scratch}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_plots_show_renders_with_no_network(penguins: Path, tmp_path: Path) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    sh("dvc", "plots", "show", cwd=project)
    page = project / "dvc_plots" / "index.html"
    source = page.read_text(encoding="utf-8")
    # Nothing is loaded from elsewhere: no script, style sheet or image has a URL to fetch.
    assert not re.search(r"""<(script|link|img)\b[^>]*\b(src|href)=["']?(https?:)?//""", source)
    plots = source.count("vegaEmbed('#")
    assert plots >= 3  # confusion matrix, ROC and precision-recall curves
    dom = Drawn()
    dom.feed(rendered_dom(page, tmp_path / "chromium"))
    assert dom.canvases + dom.marks == plots
    assert "error" not in " ".join(dom.text).lower()

    sh("dvc", "plots", "diff", "HEAD", "-o", "diff_plots", cwd=project)
    diff = (project / "diff_plots" / "index.html").read_text(encoding="utf-8")
    assert "cdn.jsdelivr" not in diff and "vega-embed 6." in diff
