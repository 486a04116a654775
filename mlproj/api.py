"""The one module a generated project imports: what mlproj promises its projects.

A project made by `mlproj new` imports from here and nowhere else in mlproj, and its
`pyproject.toml` asks for `mlproj>=X.Y,<X+1`. Within a major version every name in `__all__`
keeps its meaning and signature (new keyword arguments may be added with defaults); a name to be
removed first warns (`DeprecationWarning`) for one minor version. Everything else in mlproj is
internal and may move in any release. See docs/api.md.

- Model files: `save_model` writes a canonical skops file; `load_model` loads one trusting only
  the listed types (`UntrustedModel` otherwise).
- The data contract: `load_contract` reads `data/contract.yaml`; `validate_frame` checks a
  table against it (`ContractViolation`, naming the column, the rule and the rows);
  `check_features` refuses a feature with no contract rule (`FeatureNotInContract`) or a
  forbidden or sensitive one (`ForbiddenFeature`).
- Tables: `read_frame` reads a CSV or Parquet file, or a partitioned Parquet folder, keeping
  only the columns asked for (a project's `data.read_table`). `validate_table` checks
  a CSV or Parquet file, or a partitioned Parquet folder, against the contract, partition by
  partition on the cluster when there is one, with the report and result of a whole-table check.
- Test data: `synthesize` makes rows that satisfy a contract, for a project's fast tests.
- Configuration: `check_params` fails when `params.yaml` differs from the composition of `conf/`;
  `guard_experiment_params` (called by the project's Hydra plugin) stops `dvc exp run` from
  discarding a hand edit of `params.yaml`.
- Incidents: `check_suite` raises `RegressionFailed` when a fixed incident fails again.
- Explanations: `explain_pipeline` (SHAP values of a fitted pipeline, per input column),
  `mean_abs_importance`, `write_importance` (`reports/importance.json` with the unit of its
  SHAP values), `worst_rows`, `write_figures`, `quality_sections`, `render_report`,
  `write_report` (a self-contained HTML page), `read_slices` (`reports/slices.json`).
- CSV for people: `neutralise_formulas` prefixes labels that a spreadsheet would run as a
  formula (`=HYPERLINK(...)`, `@SUM(...)`) with `'`, as OWASP recommends for CSV injection.
- Compute: `compute(cfg, stage=...)` runs a stage's parallel work where conf/compute says
  (here, or on a Dask cluster through joblib's Dask backend; `Compute.run` for one task) and
  records what ran where; `parallel_map` sends a project's own calls there from code the
  stage calls (`ComputeUnavailable`, `ComputeFailed` when the cluster cannot do the work).
- Errors: `UserError` (a message safe to show and an exit code) and the subclasses a stage or a
  test may raise or expect.
"""

from __future__ import annotations

from mlproj._core.spreadsheet import neutralise_formulas
from mlproj.compute import Compute, compute, parallel_map, validate_table
from mlproj.data.contract import Contract, load_contract, validate_frame
from mlproj.data.parts import read_frame
from mlproj.data.policy import check_features
from mlproj.data.synthetic import synthesize
from mlproj.errors import (
    ComputeFailed,
    ComputeUnavailable,
    ConfigError,
    ContractViolation,
    DataError,
    FeatureNotInContract,
    ForbiddenFeature,
    InvalidGates,
    MlprojError,
    RegressionFailed,
    UntrustedModel,
    UserError,
)
from mlproj.explain.figures import write_figures
from mlproj.explain.importance import write_importance
from mlproj.explain.quality import quality_sections
from mlproj.explain.report import render_report, write_report
from mlproj.explain.shap_values import (
    Explanation,
    explain_pipeline,
    mean_abs_importance,
    worst_rows,
)
from mlproj.gates.slices import SliceReport, read_slices
from mlproj.incidents.commands import check_suite
from mlproj.project.exp_guard import guard_experiment_params
from mlproj.project.modelio import load_model, save_model
from mlproj.project.params import check_params

__all__ = [
    "Compute",
    "ComputeFailed",
    "ComputeUnavailable",
    "ConfigError",
    "Contract",
    "ContractViolation",
    "DataError",
    "Explanation",
    "FeatureNotInContract",
    "ForbiddenFeature",
    "InvalidGates",
    "MlprojError",
    "RegressionFailed",
    "SliceReport",
    "UntrustedModel",
    "UserError",
    "check_features",
    "check_params",
    "check_suite",
    "compute",
    "explain_pipeline",
    "guard_experiment_params",
    "load_contract",
    "load_model",
    "mean_abs_importance",
    "neutralise_formulas",
    "parallel_map",
    "quality_sections",
    "read_frame",
    "read_slices",
    "render_report",
    "save_model",
    "synthesize",
    "validate_frame",
    "validate_table",
    "worst_rows",
    "write_figures",
    "write_importance",
    "write_report",
]
