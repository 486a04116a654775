"""Fill in the data-dependent files, then make the git and DVC repository, via mlproj."""

import json
import sys
from pathlib import Path

try:
    from mlproj.scaffold.hooks import post_generate
except ImportError:
    sys.exit("This template needs mlproj: install it (pip install mlproj) in the Python that runs cookiecutter.")

# No ' in the JSON (it becomes \u0027), so no answer can end the raw string early.
ANSWERS = json.loads(r'''{{ cookiecutter | jsonify | replace("'", "\\u0027") }}''')

sys.exit(post_generate(Path.cwd(), ANSWERS))
