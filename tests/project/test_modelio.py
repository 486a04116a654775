from __future__ import annotations

import pickle
import time
from pathlib import Path

import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from mlproj.errors import DataError, UntrustedModel
from mlproj.project.modelio import load_model, save_model

X = [[0.0], [1.0], [2.0], [3.0]]
Y = [0, 0, 1, 1]


def test_round_trip_with_trusted_types(tmp_path: Path) -> None:
    path = tmp_path / "m.skops"
    save_model(DecisionTreeClassifier(random_state=0).fit(X, Y), path)
    model = load_model(path, ["numpy.dtype", "sklearn.tree._tree.Tree"])
    assert model.predict([[2.5]]).tolist() == [1]


@pytest.mark.slow
def test_same_model_same_bytes(tmp_path: Path) -> None:
    model = LogisticRegression().fit(X, Y)
    save_model(model, tmp_path / "a.skops")
    time.sleep(2.1)  # zip timestamps have a two-second resolution
    save_model(model, tmp_path / "b.skops")
    assert (tmp_path / "a.skops").read_bytes() == (tmp_path / "b.skops").read_bytes()


def test_a_model_copied_through_pickle_saves_to_the_same_bytes(tmp_path: Path) -> None:
    # A model fitted on a Dask worker comes back through pickle: its equal numbers and strings
    # are no longer one object each, and that must not change its file.
    nan = float("nan")
    model = DecisionTreeClassifier(random_state=0, ccp_alpha=0.0).fit(X, Y)
    model.shared_ = [nan, nan, "x" * 3, "x" * 3]
    save_model(model, tmp_path / "a.skops")
    copy = pickle.loads(pickle.dumps(model))
    copy.shared_ = [nan, float("nan"), "x" * 3, "".join("xxx")]
    save_model(copy, tmp_path / "b.skops")
    assert (tmp_path / "a.skops").read_bytes() == (tmp_path / "b.skops").read_bytes()
    loaded = load_model(tmp_path / "b.skops", ["numpy.dtype", "sklearn.tree._tree.Tree"])
    assert loaded.predict([[2.5]]).tolist() == [1]


def test_untrusted_types_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.skops"
    save_model(DecisionTreeClassifier(random_state=0).fit(X, Y), path)
    with pytest.raises(UntrustedModel) as caught:
        load_model(path, ["numpy.dtype"])
    assert str(caught.value) == (
        f"{path} holds types outside the trusted list: sklearn.tree._tree.Tree. "
        "If you trust them, add them to TRUSTED_TYPES in the project's models.py."
    )


def test_missing_model(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no model here; run `dvc repro` to train one"):
        load_model(tmp_path / "none.skops", [])
