"""Enforced review: the pull request checklist, the review report, and posting it."""

from __future__ import annotations

from mlproj.review.checklist import check_body, load_checklist, render_templates
from mlproj.review.post import post_report_file
from mlproj.review.report import build_report

__all__ = [
    "build_report",
    "check_body",
    "load_checklist",
    "post_report_file",
    "render_templates",
]
