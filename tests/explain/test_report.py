from __future__ import annotations

import base64
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mlproj.errors import CannotWrite
from mlproj.explain.figures import Figure
from mlproj.explain.report import render_report, write_report

# A real 1x1 PNG: the report embeds bytes as they are and never decodes them.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


class Links(HTMLParser):
    """Collects every attribute that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.targets += [v or "" for k, v in attrs if k in {"src", "href", "srcset", "action"}]


@pytest.fixture
def figures(tmp_path: Path) -> list[Figure]:
    paths = [tmp_path / name for name in ("bar.png", "beeswarm.png", "waterfall_1.png")]
    for path in paths:
        path.write_bytes(PIXEL)
    return [
        Figure(paths[0], "Global importance", "Mean |SHAP| per feature."),
        Figure(paths[1], "Effect of each feature", "One dot per row."),
        Figure(paths[2], "Row 7: why the predicted class 'Gentoo'", "Worst row.", local=True),
    ]


def render(figures: list[Figure], sections: list[tuple[str, str]] | None = None) -> str:
    return render_report(
        title="Penguins <script>alert(1)</script>",
        metrics={"accuracy": 0.958333, "f1_macro": 0.95},
        figures=figures,
        importance={"bill_length_mm": 0.42, "island": 0.1, "sex": 0.0},
        notes=["Rows with a missing <sex> were imputed."],
        sections=sections or [],
    )


def test_report_shows_metrics_importance_and_notes(figures: list[Figure]) -> None:
    page = render(figures)

    assert '<tr><td>accuracy</td><td class="num">0.9583</td></tr>' in page
    assert '<tr><td>f1_macro</td><td class="num">0.95</td></tr>' in page
    assert page.index("bill_length_mm") < page.index("island") < page.index("<td>sex</td>")
    assert "Rows with a missing &lt;sex&gt; were imputed." in page


def test_report_embeds_every_figure_and_fetches_nothing(figures: list[Figure]) -> None:
    page = render(figures)
    parser = Links()
    parser.feed(page)

    assert page.count("data:image/png;base64,") == len(figures)
    assert base64.b64encode(PIXEL).decode() in page
    assert all(target.startswith("data:image/png;base64,") for target in parser.targets)
    assert "script" not in parser.tags and "link" not in parser.tags
    for forbidden in ("http://", "https://", 'src="//', "url("):
        assert forbidden not in page
    assert "Content-Security-Policy" in page


def test_report_escapes_text_but_keeps_section_html(figures: list[Figure]) -> None:
    page = render(figures, sections=[("Baseline <vs> model", "<table><tr><td>1</td></tr></table>")])

    assert "<script>" not in page
    assert "<title>Penguins &lt;script&gt;alert(1)&lt;/script&gt;</title>" in page
    assert "<h2>Baseline &lt;vs&gt; model</h2>" in page
    assert "<table><tr><td>1</td></tr></table>" in page
    assert "Row 7: why the predicted class &#x27;Gentoo&#x27;" in page


def test_report_puts_local_explanations_after_the_global_ones(figures: list[Figure]) -> None:
    page = render(figures)

    assert page.index("Effect of each feature") < page.index("Feature importance")
    assert page.index("Feature importance") < page.index("Individual predictions")
    assert page.index("Individual predictions") < page.index("Worst row.")
    assert "Individual predictions" not in render(figures[:2])


def test_write_report_replaces_the_page(tmp_path: Path) -> None:
    path = tmp_path / "reports" / "explain.html"

    write_report(path, "<p>first</p>")
    write_report(path, "<p>second ✓</p>")

    assert path.read_text(encoding="utf-8") == "<p>second ✓</p>"
    assert [p.name for p in path.parent.iterdir()] == ["explain.html"]


def test_write_report_keeps_the_old_page_when_the_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "explain.html"
    path.write_text("<p>old</p>", encoding="utf-8")

    def fail(source: object, target: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(CannotWrite, match="disk full"):
        write_report(path, "<p>new</p>")

    assert path.read_text(encoding="utf-8") == "<p>old</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["explain.html"]


def test_importance_table_names_the_unit_and_each_share(figures: list[Figure]) -> None:
    page = render_report(
        title="t",
        metrics={"rmse": 12814.6},
        figures=figures,
        importance={"carat": 3000.0, "cut": 1000.0},
        unit="units of price",
    )
    assert '<td class="num">12,815</td>' in page
    assert "<th>Mean |SHAP| (units of price)</th><th>Share</th>" in page
    assert '<tr><td>carat</td><td class="num">3,000</td><td class="num">75%</td>' in page
