"""Explanations a person reads: SHAP values per input column, figures, and the HTML report."""

from __future__ import annotations

from mlproj.explain.figures import Figure, write_figures
from mlproj.explain.quality import quality_sections
from mlproj.explain.report import render_report, write_report
from mlproj.explain.shap_values import (
    Explanation,
    explain_pipeline,
    mean_abs_importance,
    worst_rows,
)

__all__ = [
    "Explanation",
    "Figure",
    "explain_pipeline",
    "mean_abs_importance",
    "quality_sections",
    "render_report",
    "worst_rows",
    "write_figures",
    "write_report",
]
