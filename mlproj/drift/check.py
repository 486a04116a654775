"""`mlproj drift`: tell whether a production batch moved away from the training data.

The batch's features are held against the data contract first (`mlproj.drift.conformance`):
one that cannot be compared (a feature missing, text in a number) is refused; rows outside the
contract's ranges and categories are counted, reported and gated. Then each model feature is
compared with the reference (the project's training split unless another file is given), on
all rows, and so are the model's predictions on both. The verdict rules live in
`mlproj.drift.rules`, the thresholds in the project's `conf/drift/`; the report is `drift.json`
(stable bytes for a diff) and `drift.html`.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlproj._core.atomic import write_text
from mlproj._core.progress import Activity, Progress, ignore
from mlproj.drift.conformance import Held, hold_to_contract
from mlproj.drift.rules import ColumnDrift, DriftResult, Kind, Thresholds, judge_column
from mlproj.errors import ConfigError, DataError
from mlproj.project.project import Project, open_project

if TYPE_CHECKING:
    import pandas as pd

    from mlproj.data.contract import Contract

REPORT_DIR = "drift"
JSON_FILE = "drift.json"
HTML_FILE = "drift.html"
PREDICTIONS = "predictions"


@dataclass(frozen=True)
class DriftSettings:
    """What `mlproj drift` reads from a project's `params.yaml`."""

    config: Project
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    train: Path
    output_dir: Path
    thresholds: Thresholds


@dataclass(frozen=True)
class DriftRun:
    """A result and the two report files written for it."""

    result: DriftResult
    json_path: Path
    html_path: Path


def drift_settings(project: Path) -> DriftSettings:
    """Read the feature lists, training split, report folder and `drift` group of a project."""
    config = open_project(project)
    if "drift" not in config.params:
        raise ConfigError(
            f"{config.params_file}: no 'drift' thresholds; add `- drift: default` to the defaults "
            "of conf/config.yaml with a conf/drift/default.yaml (see mlproj's docs/drift.md), "
            "then run `mlproj params sync`."
        )
    return DriftSettings(
        config=config,
        numeric=tuple(str(c) for c in config.setting("data.numeric") or []),
        categorical=tuple(str(c) for c in config.setting("data.categorical") or []),
        train=project / str(config.setting("data.train")),
        output_dir=config.reports / REPORT_DIR,
        thresholds=Thresholds.from_mapping(
            config.params["drift"], source=f"{config.params_file}: drift"
        ),
    )


def compare_frames(
    reference: pd.DataFrame,
    batch: pd.DataFrame,
    *,
    numeric: Sequence[str],
    categorical: Sequence[str],
    thresholds: Thresholds,
) -> tuple[ColumnDrift, ...]:
    """The verdict on every named column, numeric ones first, each in the order given."""
    kinds: list[tuple[str, Kind]] = [(name, "numeric") for name in numeric]
    kinds += [(name, "categorical") for name in categorical]
    return tuple(
        judge_column(name, kind, reference[name], batch[name], thresholds) for name, kind in kinds
    )


def run_drift(
    project: Path,
    batch: Path,
    *,
    reference: Path | None = None,
    output_dir: Path | None = None,
    on_step: Progress = ignore,
) -> DriftRun:
    """Compare BATCH with the reference, write `drift.json` and `drift.html`, return the result.

    Drift is a result, not an error: the caller shows it, then calls `result.check()`. Every
    refusal (unreadable file, a feature missing or of the wrong type, bad thresholds) comes
    before anything is written; rows outside the contract's ranges are part of the result.
    ON_STEP hears what runs.
    """
    from mlproj._core.html import write_page
    from mlproj.data.contract import load_contract
    from mlproj.drift.report import render_drift_report

    settings = drift_settings(project)
    features = [*settings.numeric, *settings.categorical]
    contract = load_contract(settings.config.contract)
    t = settings.thresholds
    on_step(Activity(f"Reading {batch.name}"))
    held = _read_held(
        batch, contract, features, source=str(batch), limit=t.max_out_of_contract_share
    )
    new = held.frame
    if reference is None:
        reference = settings.train
        if not reference.is_file():
            raise DataError(
                f"{_shown(reference, project)}: the training split is not here; run `dvc repro` "
                "(or `dvc pull`) first, or give --reference FILE."
            )
    shown = _shown(reference, project)
    on_step(Activity(f"Reading {reference.name}"))
    base = _read_held(reference, contract, features, source=shown, limit=1.0)
    old = base.frame
    on_step(Activity(f"Comparing {len(new):,} rows with {len(old):,}, feature by feature"))
    columns = compare_frames(
        old, new, numeric=settings.numeric, categorical=settings.categorical, thresholds=t
    )
    on_step(Activity("Comparing the model's predictions on both"))
    predictions, notes = _predictions(settings, base, held, source=str(batch))
    if base.out_of_contract.rows:
        rows = base.out_of_contract.summary
        notes = (*notes, f"{rows} of the reference break the data contract; compared all the same")
    unused = [str(c) for c in new.columns if str(c) not in set(features)]
    if unused:
        notes = (*notes, f"not compared, the model does not use them: {', '.join(unused)}")
    result = DriftResult(
        str(batch), shown, len(new), len(old), t, columns, predictions, held.out_of_contract, notes
    )
    out = output_dir or settings.output_dir
    page = render_drift_report(result)
    write_text(out / JSON_FILE, json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
    write_page(out / HTML_FILE, page)
    return DriftRun(result, out / JSON_FILE, out / HTML_FILE)


def _read_held(
    path: Path, contract: Contract, features: Sequence[str], *, source: str, limit: float
) -> Held:
    """Read a table and hold its features to the contract; other columns may be absent.

    A production batch rarely carries the label, and may lack identifiers: only the features
    are required, and only they are judged. A folder is a partitioned Parquet batch, read whole.
    """
    from mlproj.data.dataset import read_table
    from mlproj.data.parts import read_frame

    frame = read_frame(path) if path.is_dir() else read_table(path)
    if frame.empty:
        raise DataError(f"{source}: the partitioned batch has no rows.")
    return hold_to_contract(frame, contract, features, source=source, limit=limit)


def _predictions(
    settings: DriftSettings, reference: Held, batch: Held, *, source: str
) -> tuple[ColumnDrift | None, tuple[str, ...]]:
    """The verdict on the model's predictions, or a note saying why there is none.

    Every row is predicted. A model that cannot predict a table's out-of-contract rows (an
    encoder that refuses unseen categories) is given its in-contract rows, and a note says so;
    one that fails on rows the contract allows is refused.
    """
    import pandas as pd

    config, t = settings.config, settings.thresholds
    if not config.model.is_file():
        where = _shown(config.model, config.root)
        return None, (f"predictions not compared: no model at {where} (run `dvc repro`)",)
    model = config.load_model()
    columns = [str(c) for c in getattr(model, "feature_names_in_", config.features)]
    absent = [c for c in columns if c not in batch.frame.columns]
    if absent:
        names = ", ".join(map(repr, absent))
        raise DataError(f"{source}: no column {names}, which the model uses.")
    outputs, notes = [], []
    for side, held in (("reference", reference), ("batch", batch)):
        try:
            outputs.append(_predict(model, held.frame[columns], t))
            continue
        except Exception as exc:  # whatever the project's model raises on these rows
            failure = f"{type(exc).__name__}: {exc}"
            if held.inside.all():
                raise DataError(
                    f"{source}: the model cannot predict these rows ({failure})"
                ) from exc
        if not held.inside.any():
            return None, (
                f"predictions not compared: the model cannot predict the {side}'s rows, all "
                f"outside the data contract ({failure})",
            )
        try:
            outputs.append(_predict(model, held.frame.loc[held.inside, columns], t))
        except Exception as exc:  # it fails on rows the contract allows too
            refusal = f"{source}: the model cannot predict these rows ({type(exc).__name__}: {exc})"
            raise DataError(refusal) from exc
        notes.append(
            f"predictions on the {side}'s rows inside the data contract only: the model cannot "
            f"predict the others ({failure})"
        )
    kind: Kind = "categorical" if config.task == "classification" else "numeric"
    verdict = judge_column(
        PREDICTIONS, kind, pd.Series(outputs[0]), pd.Series(outputs[1]), t.for_predictions()
    )
    sampled = max(len(reference.frame), len(batch.frame)) > t.prediction_rows
    if sampled:
        notes.append(f"predictions on a seeded sample of {t.prediction_rows} rows of each")
    return verdict, tuple(notes)


def _predict(model: Any, rows: pd.DataFrame, t: Thresholds) -> Any:
    """The model's output on ROWS, or on a seeded sample of `prediction_rows` of them."""
    if len(rows) > t.prediction_rows:
        rows = rows.sample(n=t.prediction_rows, random_state=t.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the verdict matters here, not sklearn's advice
        return model.predict(rows)


def _shown(path: Path, project: Path) -> str:
    """PATH relative to the project when it is inside it: what the user reads in conf/."""
    try:
        return str(path.resolve().relative_to(project.resolve()))
    except ValueError:
        return str(path)
