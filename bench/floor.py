"""The floor: what `mlproj new --data`'s pipeline does, as one plain Python script, one process.

    python bench/floor.py --data table.parquet --project RENDERED_PROJECT --out DIR [--json F]

`bench/scale.py --floor` runs it beside mlproj on the same file. It reads the settings of a
project `mlproj new` rendered from that file (params.yaml: target, feature lists, split, model,
explain sample sizes; data/contract.yaml) and imports the project's own `build_pipeline`, so it
fits exactly the project's model and preprocessing, whatever the defaults become. Then, with no
DVC, no intermediate files and one set of imports:

read the Parquet (the model's columns) -> validate with pandera (kinds, nullability, ranges,
allowed values: the contract's rules) -> seeded split, stratified as the split stage -> fit
-> save it with skops -> score on the test set -> SHAP (TreeExplainer for trees, as the
explain stage) on the configured sample plus the worst rows -> one self-contained HTML report
with the same global and local plots.

It does not fit the reference models `evaluate` adds (a baseline and a simple model), score
slices, or write the card: `scale.py` reports those as part of what the rest costs.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PHASES: dict[str, float] = {}  # wall seconds
PHASES_CPU: dict[str, float] = {}  # CPU seconds of this process


@contextmanager
def phase(name: str) -> Iterator[None]:
    start, cpu = time.perf_counter(), time.process_time()
    yield
    PHASES[name] = round(PHASES.get(name, 0.0) + time.perf_counter() - start, 3)
    PHASES_CPU[name] = round(PHASES_CPU.get(name, 0.0) + time.process_time() - cpu, 3)


def schema_of(contract: dict[str, Any]) -> Any:
    """A pandera schema holding the contract's rules."""
    import pandera.pandas as pa

    columns = {}
    for name, rule in contract["columns"].items():
        checks = []
        if "min" in rule:
            checks.append(pa.Check.ge(rule["min"]))
        if "max" in rule:
            checks.append(pa.Check.le(rule["max"]))
        if rule.get("allowed"):
            checks.append(pa.Check.isin(rule["allowed"]))
        kind = {"numeric": float, "integer": int, "boolean": bool}.get(rule["kind"], object)
        columns[name] = pa.Column(
            kind, checks=checks, nullable=rule.get("nullable", False), coerce=True
        )
    return pa.DataFrameSchema(columns)


def figure_html(title: str, draw: Any) -> str:
    import matplotlib.pyplot as plt

    draw()
    buffer = io.BytesIO()
    plt.gcf().savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close("all")
    data = base64.b64encode(buffer.getvalue()).decode()
    return f'<h3>{title}</h3><img alt="{title}" src="data:image/png;base64,{data}">'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    start = time.perf_counter()

    with phase("imports"):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import numpy as np
        import pandas as pd
        import shap
        import yaml
        from omegaconf import OmegaConf
        from sklearn import metrics
        from sklearn.model_selection import train_test_split

        sys.path.insert(0, str(args.project.resolve()))
        package = next(args.project.glob("*/stages/__init__.py")).parent.parent.name
        build_pipeline = __import__(f"{package}.models", fromlist=["build_pipeline"]).build_pipeline
        project_data = __import__(f"{package}.data", fromlist=["data"])

    cfg = OmegaConf.load(args.project / "params.yaml")
    # The project's own feature list when it has one, so new column roles are followed.
    if hasattr(project_data, "feature_columns"):
        features = list(project_data.feature_columns(cfg))
    else:
        features = [*cfg.data.numeric, *cfg.data.categorical]
    target = cfg.data.target

    with phase("read"):  # only the columns the model sees, as a careful script would
        frame = pd.read_parquet(args.data, columns=[*dict.fromkeys([*features, target])])
    with phase("validate"):
        contract = yaml.safe_load((args.project / cfg.data.contract).read_text())
        rules = {k: v for k, v in contract["columns"].items() if k in frame.columns}
        frame = schema_of({"columns": rules}).validate(frame, lazy=True)
    with phase("split"):
        labelled = frame.dropna(subset=[target])
        stratify = cfg.data.task == "classification" and cfg.split.stratify
        train, test = train_test_split(
            labelled,
            test_size=cfg.split.test_size,
            random_state=cfg.split.seed,
            stratify=labelled[target] if stratify else None,
        )
    with phase("fit"):
        model = build_pipeline(cfg).fit(train[features], train[target])
    with phase("save"):
        import skops.io

        args.out.mkdir(parents=True, exist_ok=True)
        skops.io.dump(model, args.out / "model.skops")
    with phase("score"):
        x_test, y_test = test[features], test[target]
        predicted = model.predict(x_test)
        scores = {"accuracy": metrics.accuracy_score(y_test, predicted)}
        if cfg.data.task == "classification":
            proba = model.predict_proba(x_test)
            scores["f1_macro"] = metrics.f1_score(y_test, predicted, average="macro")
            if proba.shape[1] == 2:
                scores["roc_auc"] = metrics.roc_auc_score(y_test, proba[:, 1])
            wrongness = 1 - proba[np.arange(len(y_test)), np.searchsorted(model.classes_, y_test)]
        else:
            wrongness = np.abs(np.asarray(y_test) - predicted)
    with phase("shap"):
        settings = cfg.explain
        sample = x_test.sample(n=min(settings.sample_size, len(x_test)), random_state=settings.seed)
        worst = x_test.index[np.argsort(-wrongness, kind="stable")[: settings.local_explanations]]
        rows = sample.index.union(worst, sort=False)
        preprocess, estimator = model[:-1], model[-1]
        explained = preprocess.transform(x_test.loc[rows])
        names = list(preprocess.get_feature_names_out())
        try:
            explainer = shap.TreeExplainer(estimator)
            values = explainer(explained, check_additivity=False)
        except Exception:  # not a tree model: what the explain stage falls back to
            background = preprocess.transform(
                train[features].sample(n=min(settings.background_size, len(train)),
                                       random_state=settings.seed)
            )  # fmt: skip
            explainer = shap.Explainer(estimator.predict, background)
            values = explainer(explained)
        values.feature_names = names
        if values.values.ndim == 3:  # one slice per class: explain the last (positive) class
            values = values[..., -1]
    with phase("report"):
        args.out.mkdir(parents=True, exist_ok=True)
        figures = [
            figure_html("SHAP summary", lambda: shap.plots.beeswarm(values, show=False)),
            figure_html("Mean |SHAP|", lambda: shap.plots.bar(values, show=False)),
        ]
        for position in [rows.get_loc(i) for i in worst]:
            figures.append(
                figure_html(
                    f"Row {rows[position]}",
                    lambda p=position: shap.plots.waterfall(values[p], show=False),
                )
            )
        importance = dict(
            zip(names, np.abs(values.values).mean(axis=0).round(5).tolist(), strict=True)
        )
        table = "".join(f"<tr><td>{k}</td><td>{v:.4f}</td></tr>" for k, v in scores.items())
        ranked = sorted(importance.items(), key=lambda kv: -kv[1])
        shares = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in ranked)
        html = (
            "<!doctype html><meta charset=utf-8><title>floor</title><h1>What the model learned"
            f"</h1><h2>Metrics</h2><table>{table}</table><h2>Global explanation</h2>"
            f"{''.join(figures[:2])}<h2>Feature importance</h2><table>{shares}</table>"
            f"<h2>Individual predictions</h2>{''.join(figures[2:])}"
        )
        (args.out / "explain.html").write_text(html, encoding="utf-8")
        plt.close("all")
    result = {
        "rows": len(frame),
        "scores": scores,
        "phases": {**PHASES, "total": round(time.perf_counter() - start, 3)},
        "phases_cpu": {**PHASES_CPU, "total": round(time.process_time(), 3)},
    }
    text = json.dumps(result, indent=2)
    if args.json:
        args.json.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
