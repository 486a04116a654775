"""A generated project as the commands see it: its settings, answers, parameters and model files.

`open_project` is the one reader of `params.yaml` and `.mlproj-answers.yaml`; `params` keeps
`params.yaml` equal to the composition of `conf/`; `contract_rules` adds contract rules for
new features (`mlproj contract add`).
"""

from __future__ import annotations

from mlproj.project.contract_rules import AddedRules, add_contract_rules
from mlproj.project.modelio import load_model, save_model
from mlproj.project.params import (
    PARAMS_FILE,
    check_params,
    compose_yaml,
    refresh_params,
    sync_params,
)
from mlproj.project.project import ANSWERS_FILE, Project, open_project, read_answers

__all__ = [
    "ANSWERS_FILE",
    "PARAMS_FILE",
    "AddedRules",
    "Project",
    "add_contract_rules",
    "check_params",
    "compose_yaml",
    "load_model",
    "open_project",
    "read_answers",
    "refresh_params",
    "save_model",
    "sync_params",
]
