"""The template's Jinja extension, from the installed mlproj.

Cookiecutter puts the template's folder on `sys.path` while it renders, so `_extensions` in
cookiecutter.json can name this module; it stops with a clear line, rather than cookiecutter's
"Unable to load extension", when the Python running cookiecutter has no mlproj.
"""

import sys

try:
    from mlproj.scaffold.jinja import MlprojExtension
except ImportError:
    sys.exit("This template needs mlproj: install it (pip install mlproj) in the Python that runs cookiecutter.")

__all__ = ["MlprojExtension"]
