"""`mlproj predict`: score a batch file with the workspace model or a registry version.

Every refusal that needs no row (the file, the output's place, the columns the model needs)
comes before the first chunk is read. Rows are then held to the data contract, scored and
written chunk by chunk into a temporary file beside the output, renamed into place at the end:
a refusal, a crash or Ctrl-C half way leaves no output and no temporary file.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlproj._core import atomic
from mlproj._core.progress import Activity, Progress, ignore
from mlproj._core.text import first_line, listing
from mlproj.data.contract import Contract
from mlproj.errors import ContractViolation, DataError, OutputExists
from mlproj.predict.model import ScoringModel, scoring_model
from mlproj.predict.rows import check_rows, refusal
from mlproj.predict.tables import TableWriter, read_chunks, read_columns, table_format

if TYPE_CHECKING:
    import pandas as pd

    from mlproj.project.project import Project

PREDICTION = "prediction"
PROBA = "proba_"
VERSION = "model_version"
ROW = "row"
REASON = "reasons"
CHUNK_SIZE = 100_000


@dataclass(frozen=True)
class Predicted:
    """What a run wrote: where, from how many rows, with which model."""

    output: Path
    rejects: Path | None
    rows: int
    predicted: int
    rejected: int
    version: str


def default_output(batch: Path) -> Path:
    """`<batch stem>.predictions<batch's extension>`, beside the batch."""
    return batch.with_name(f"{batch.stem}.predictions{batch.suffix}")


def default_rejects(batch: Path, output: Path) -> Path:
    """`<batch stem>.rejects<output's extension>`, beside the output."""
    return output.with_name(f"{batch.stem}.rejects{output.suffix}")


def predict_file(
    project: Project,
    batch: Path,
    output: Path | None = None,
    *,
    which: str | None = None,
    skip_invalid: bool = False,
    rejects: Path | None = None,
    chunk_size: int = CHUNK_SIZE,
    force: bool = False,
    on_step: Progress = ignore,
) -> Predicted:
    """Score BATCH into OUTPUT, with the registry's version or stage WHICH or the workspace model.

    Rows that break the contract refuse the whole file, unless SKIP_INVALID sets them aside in
    REJECTS with the reasons beside each. Each output row is its input row (every column,
    contract columns with the contract's types), its prediction, one `proba_<class>` column
    per class for a classifier, and `model_version`. ON_STEP hears what runs (rows so far).
    """
    if chunk_size < 1:
        raise DataError(f"--chunk-size must be at least 1, not {chunk_size}.")
    output = output or default_output(batch)
    rejects = (rejects or default_rejects(batch, output)) if skip_invalid else None
    table_format(output, "the output")
    if rejects is not None:
        table_format(rejects, "the rejects")
    _check_outputs(batch, [p for p in (output, rejects) if p is not None], force=force)
    columns = read_columns(batch)
    on_step(Activity("Loading the model"))
    scorer = scoring_model(project, which)
    features = [str(c) for c in getattr(scorer.model, "feature_names_in_", project.features)]
    absent = [name for name in features if name not in columns]
    if absent:
        names = listing([repr(name) for name in absent])
        raise DataError(f"{batch}: no column {names}, which the model needs.")
    proba = _probabilities(scorer.model, project)
    added = [*_added_columns(scorer.model, proba), *([ROW, REASON] if skip_invalid else [])]
    clashes = [name for name in columns if name in added]
    if clashes:
        raise DataError(
            f"{batch}: already has a column {clashes[0]!r}, which predict adds; rename it."
        )
    present = set(columns)
    rules = tuple(r for r in scorer.contract.columns if r.name in present or r.name in features)
    run = _Run(batch, columns, Contract(rules), scorer, features, proba, chunk_size)
    on_step(Activity(f"Scoring {batch.name} with {scorer.version}"))
    counts = _stream(run, output, rejects, on_step)
    return Predicted(output, rejects, *counts, scorer.version)


@dataclass(frozen=True)
class _Run:
    """What streaming the rows needs, settled before the first row is read."""

    batch: Path
    columns: list[str]
    contract: Contract
    scorer: ScoringModel
    features: list[str]
    proba: bool
    chunk_size: int


def _stream(
    run: _Run, output: Path, rejects: Path | None, on_step: Progress
) -> tuple[int, int, int]:
    """Check, score and write every chunk; return the rows read, predicted and rejected."""
    source = str(run.batch)
    hint = (
        "Fix the rows, or give --skip-invalid to set them aside in "
        f"{rejects or default_rejects(run.batch, output)}."
    )
    read = predicted = rejected = 0
    with ExitStack() as stack:
        handle = stack.enter_context(atomic.streaming(output))
        writer = TableWriter(handle, table_format(output, "the output"), output)
        stack.callback(writer.discard)
        set_aside = None
        if rejects is not None:
            handle = stack.enter_context(atomic.streaming(rejects))
            set_aside = TableWriter(handle, table_format(rejects, "the rejects"), rejects)
            stack.callback(set_aside.discard)
        for chunk in read_chunks(run.batch, run.columns, run.contract, run.chunk_size):
            checked = check_rows(chunk, run.contract, source=source)
            if checked.reasons and set_aside is None:
                raise ContractViolation(refusal(checked, source=source, hint=hint))
            writer.write(_scored(checked.valid, run, source=source))
            if set_aside is not None:
                set_aside.write(_with_reasons(checked.rejected, checked.reasons))
            read, predicted = read + len(chunk), predicted + len(checked.valid)
            rejected += len(checked.rejected)
            on_step(Activity(f"Scoring {run.batch.name}: {read:,} rows read, {predicted:,} scored"))
        if read == 0:
            raise DataError(f"{run.batch}: the file has a header but no rows.")
        writer.close()
        if set_aside is not None:
            set_aside.close()
    return read, predicted, rejected


def _check_outputs(batch: Path, outputs: Sequence[Path], *, force: bool) -> None:
    """Refuse, before any work, outputs that would overwrite the batch, each other, or a file."""
    source = batch.resolve()
    if len({p.resolve() for p in outputs}) < len(outputs):
        raise DataError(f"{outputs[0]}: the predictions and the rejects need two different files.")
    for path in outputs:
        if path.resolve() == source:
            raise DataError(f"{path}: this is the batch itself; name another output file.")
        atomic.check_target(path)
        if path.exists() and not force:
            raise OutputExists(f"{path} exists; give --force to replace it, or another --output.")


def _added_columns(model: Any, proba: bool) -> list[str]:
    """The columns predict writes after the input's: prediction, probabilities, version."""
    names = [PREDICTION]
    if proba:
        names += [f"{PROBA}{label}" for label in model.classes_]
    return [*names, VERSION]


def _probabilities(model: Any, project: Project) -> bool:
    """Whether to write class probabilities: a classifier that gives them."""
    return (
        project.task == "classification"
        and hasattr(model, "predict_proba")
        and hasattr(model, "classes_")
    )


def _scored(valid: pd.DataFrame, run: _Run, *, source: str) -> pd.DataFrame:
    """VALID with the prediction, the class probabilities and the model's version added."""
    import numpy as np

    model, out, features = run.scorer.model, valid.copy(), run.features
    classes = list(model.classes_) if run.proba else []
    probabilities = np.empty((0, len(classes)))
    if len(valid):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # sklearn's advice is not the user's business here
                out[PREDICTION] = model.predict(valid[features])
                if run.proba:
                    probabilities = model.predict_proba(valid[features])
        except Exception as exc:  # whatever the project's model raises on rows the contract allows
            rows = f"rows {valid.index[0] + 1}-{valid.index[-1] + 1}"
            raise DataError(
                f"{source}: the model cannot predict {rows} ({type(exc).__name__}: "
                f"{first_line(exc)})."
            ) from None
    else:
        labels = getattr(model, "classes_", None)
        out[PREDICTION] = np.array(
            [], dtype=np.asarray(labels).dtype if labels is not None else float
        )
    for index, label in enumerate(classes):
        out[f"{PROBA}{label}"] = probabilities[:, index]
    out[VERSION] = run.scorer.version
    return out


def _with_reasons(rejected: pd.DataFrame, reasons: dict[Any, list[str]]) -> pd.DataFrame:
    """The rejected rows as read (as text, so a Parquet file takes any value) and why."""
    out = rejected.astype("string")
    out.insert(0, ROW, [int(label) + 1 for label in rejected.index])
    out[REASON] = ["; ".join(reasons[label]) for label in rejected.index]
    return out
