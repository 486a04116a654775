"""Refuse bad answers before anything is generated; the checks live in mlproj itself."""

import json
import sys

try:
    from mlproj.scaffold.hooks import pre_generate
except ImportError:
    sys.exit("This template needs mlproj: install it (pip install mlproj) in the Python that runs cookiecutter.")

# No ' in the JSON (it becomes \u0027), so no answer can end the raw string early.
ANSWERS = json.loads(r'''{{ cookiecutter | jsonify | replace("'", "\\u0027") }}''')

sys.exit(pre_generate(ANSWERS))
