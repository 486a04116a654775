"""Turn a project NAME into a safe folder name (slug) and Python package name."""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass

from mlproj.errors import InvalidName

# A package with one of these names would shadow what the project imports.
SHADOWED = frozenset(
    {
        "catboost",
        "click",
        "cookiecutter",
        "dvc",
        "gto",
        "hydra",
        "joblib",
        "lightgbm",
        "matplotlib",
        "mlproj",
        "numpy",
        "omegaconf",
        "palmerpenguins",
        "pandas",
        "pandera",
        "pre_commit",
        "pyarrow",
        "pytest",
        "rich",
        "scipy",
        "shap",
        "sklearn",
        "scikit_learn",
        "skops",
        "test",
        "tests",
        "typer",
        "xgboost",
        "yaml",
    }
)


@dataclass(frozen=True)
class ProjectNames:
    """The names one project goes by: as typed, as a folder, as a Python package."""

    name: str
    slug: str
    package: str

    @property
    def transliterated(self) -> bool:
        """True when NAME had letters outside ASCII: the folder and package spell it otherwise."""
        return not self.name.isascii()


def derive_names(name: str) -> ProjectNames:
    """Normalise NAME, refusing anything that is not a safe folder and package name."""
    stripped = name.strip()
    if not stripped:
        raise InvalidName("Project name is empty.")
    if "/" in stripped or "\\" in stripped or ".." in stripped:
        raise InvalidName(
            f"Project name {name!r} contains a path separator or '..'; "
            "give a plain name and use --output-dir for the location."
        )
    slug = re.sub(r"[^a-z0-9]+", "-", _ascii(stripped).lower()).strip("-")
    package = slug.replace("-", "_")
    check_package_name(package, name)
    return ProjectNames(name=stripped, slug=slug, package=package)


def _ascii(name: str) -> str:
    """NAME spelt in ASCII: `café-модель` is `cafe-model`, never cut to `caf` at the first letter.

    python-slugify (already installed with cookiecutter) transliterates whole scripts, where
    Unicode decomposition alone would only strip accents and drop Cyrillic or CJK letters.
    """
    if name.isascii():
        return name
    from slugify import slugify

    return slugify(name, lowercase=False, separator="-")


def check_package_name(package: str, name: str | None = None) -> None:
    """Refuse a package name Python cannot import or that would shadow another module."""
    shown = repr(name if name is not None else package)
    if not package.isidentifier() or not package.isascii():
        raise InvalidName(
            f"Project name {shown} does not give a valid Python package name "
            f"({package!r}); start it with a letter."
        )
    if keyword.iskeyword(package) or keyword.issoftkeyword(package):
        raise InvalidName(f"Project name {shown} is a Python keyword; choose another name.")
    if package in SHADOWED or package in sys.stdlib_module_names:
        raise InvalidName(
            f"Project name {shown} would shadow the module {package!r}; choose another name."
        )
