"""Plumbing every capability shares and no user sees: processes, atomic writes, git, HTML, text.

Imports nothing from mlproj but `mlproj.errors`.
"""

from __future__ import annotations

from mlproj._core.atomic import write_bytes, write_text
from mlproj._core.git import DEVELOP, MAIN
from mlproj._core.html import number_cell, page, table, text_cell, write_page
from mlproj._core.shell import DVC_ENV, python_module, run
from mlproj._core.text import first_line, listing

__all__ = [
    "DEVELOP",
    "DVC_ENV",
    "MAIN",
    "first_line",
    "listing",
    "number_cell",
    "page",
    "python_module",
    "run",
    "table",
    "text_cell",
    "write_bytes",
    "write_page",
    "write_text",
]
