"""`mlproj score`: the ML Test Score (Breck et al., 2017) of a project, from its records.

`evidence` reads what ran (dvc.lock and the hashes behind it, the JUnit report, tags),
`records` the reports several tests share, `data_model`, `operations` and `monitoring` (which
reads `mlproj monitor`'s last report) hold the 28 tests,
`scorecard` the result and its renderings, `audit` puts them together.
"""

from __future__ import annotations

from mlproj.score.audit import check_minimum, score_project
from mlproj.score.scorecard import Scorecard, TestScore

__all__ = ["Scorecard", "TestScore", "check_minimum", "score_project"]
