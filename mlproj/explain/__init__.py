"""Explanations a person reads: SHAP values per input column, figures, and the HTML report."""

from __future__ import annotations

from mlproj.explain.figures import Figure, write_figures
from mlproj.explain.importance import (
    IMPORTANCE_FILE,
    Importance,
    importance_record,
    parse_importance,
    shap_unit,
    write_importance,
)
from mlproj.explain.quality import PER_CLASS, quality_sections, reference_models
from mlproj.explain.report import render_report, write_report
from mlproj.explain.shap_values import (
    Explanation,
    explain_pipeline,
    mean_abs_importance,
    worst_rows,
)

__all__ = [
    "IMPORTANCE_FILE",
    "PER_CLASS",
    "Explanation",
    "Figure",
    "Importance",
    "explain_pipeline",
    "importance_record",
    "mean_abs_importance",
    "parse_importance",
    "quality_sections",
    "reference_models",
    "render_report",
    "shap_unit",
    "worst_rows",
    "write_figures",
    "write_importance",
    "write_report",
]
