"""Refuse bad answers before anything is generated; the checks live in mlproj itself."""

import json
import sys

try:
    from mlproj.scaffold.hooks import pre_generate
except ImportError:
    sys.exit("This template needs mlproj: install it (pip install mlproj) in the Python that runs cookiecutter.")

ANSWERS = json.loads(r'''{{ cookiecutter | jsonify }}''')

sys.exit(pre_generate(ANSWERS))
