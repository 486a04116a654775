"""Build the offline page `dvc plots show` fills: Vega, Vega-Lite and vega-embed inlined.

DVC's default page loads these three scripts from a CDN, so with no network the plots are
blank. A generated project points `plots.html_template` at the page this script writes, which
carries the scripts themselves and their licences (the packages' own, and every notice their
bundles keep in the unminified builds), as JavaScript comments.

Regenerate (needs `npm` and the npm registry; nothing else reaches the network):

    python tools/offline_plots.py            # the versions pinned below
    python tools/offline_plots.py --check    # exit 1 if the committed page differs

The major versions follow the CDN URLs in `dvc_render/vega.py` (vega 5, vega-lite 5,
vega-embed 6): the specs DVC writes are Vega-Lite 5. Bump the pins within those majors.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGES = (("vega", "5.33.1"), ("vega-lite", "5.23.0"), ("vega-embed", "6.29.0"))
TARGET = (
    Path(__file__).resolve().parents[1]
    / "template"
    / "{{cookiecutter.project_slug}}"
    / ".dvc"
    / "plots"
    / "offline.html"
)
# The vega package ships no LICENSE file; its package.json says BSD-3-Clause, and this is the
# licence of its repository (github.com/vega/vega, LICENSE).
VEGA_LICENSE = """\
Copyright (c) 2015-2023, University of Washington Interactive Data Lab
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.

3. Neither the name of the copyright holder nor the names of its contributors
   may be used to endorse or promote products derived from this software
   without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
"""
# dvc_render replaces these in the page; a script holding one would be cut apart.
PLACEHOLDERS = ("{plot_divs}", "{scripts}", "{refresh_tag}")
PAGE = """\
<!DOCTYPE html>
<!--
  The page `dvc plots show` and `dvc plots diff` fill (plots.html_template in .dvc/config).
  DVC's default page loads Vega from a CDN; this one carries {names} inline, so the plots
  render with no network. Their licences are kept in the comment above each script, with
  the notices each bundle keeps for the packages it includes (listed as dependencies in its
  package.json on npm: d3 modules under the ISC licence, among others).
  Made by mlproj's tools/offline_plots.py: do not edit by hand.
-->
<html lang="en">
<head>
<meta charset="utf-8">
{{refresh_tag}}
<title>DVC plots</title>
<style>
body {{ font: 14px system-ui, sans-serif; margin: 1.5rem; }}
table {{ border-spacing: 15px; }}
</style>
{scripts}
</head>
<body>
{{plot_divs}}
</body>
</html>
"""


def fetch(workdir: Path) -> dict[str, Path]:
    """`npm pack` each package into WORKDIR and unpack it; each package's folder."""
    specs = [f"{name}@{version}" for name, version in PACKAGES]
    quiet = subprocess.DEVNULL
    subprocess.run(["npm", "pack", "--silent", *specs], cwd=workdir, check=True, stdout=quiet)
    folders = {}
    for name, version in PACKAGES:
        folder = workdir / name
        with tarfile.open(workdir / f"{name}-{version}.tgz") as archive:
            archive.extractall(folder, filter="data")
        folders[name] = folder / "package"
    return folders


def notices(source: str) -> list[str]:
    """The licence comments an unminified bundle keeps for the code it bundles, deduplicated."""
    found: list[str] = []
    # A comment that opens a line: `/*` inside a string (a glob, a URL) is not one.
    for comment in re.findall(r"^[ \t]*/\*[\s\S]*?\*/", source, re.MULTILINE):
        comment = comment.strip()
        if re.search(r"copyright|licen[cs]e", comment, re.IGNORECASE) and comment not in found:
            found.append(comment)
    return found


def script(name: str, version: str, folder: Path) -> str:
    """One inline <script>: the package's licence and its bundle's notices, then its code."""
    licence_file = folder / "LICENSE"
    licence = licence_file.read_text() if licence_file.is_file() else VEGA_LICENSE
    bundled = notices((folder / "build" / f"{name}.js").read_text(encoding="utf-8"))
    code = (folder / "build" / f"{name}.min.js").read_text(encoding="utf-8")
    code = re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "", code)
    header = (
        f"/*\n{name} {version}, from the npm registry: https://www.npmjs.com/package/{name}\n\n"
        f"{licence.replace('*/', '* /')}*/\n"
    )
    if bundled:
        header += f"/* Notices kept by {name}'s bundle for the code it includes: */\n"
        header += "\n".join(bundled) + "\n"
    body = header + code
    for bad in ("</script", "<!--", *PLACEHOLDERS):
        if bad.lower() in body.lower():
            raise SystemExit(f"{name} {version}: its code holds {bad!r}; cannot inline it.")
    return f"<script>\n{body}\n</script>"


def build(workdir: Path) -> str:
    """The whole page, from the packages fetched into WORKDIR."""
    folders = fetch(workdir)
    scripts = "\n".join(script(name, version, folders[name]) for name, version in PACKAGES)
    names = ", ".join(f"{name} {version}" for name, version in PACKAGES)
    return PAGE.format(names=names, scripts=scripts)


def main() -> int:
    """Write the page (or, with --check, compare it with the committed one)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="offline-plots-") as scratch:
        page = build(Path(scratch))
    if args.check:
        same = TARGET.is_file() and TARGET.read_text(encoding="utf-8") == page
        print("up to date" if same else f"{TARGET} differs from the pinned packages")
        return 0 if same else 1
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(page, encoding="utf-8")
    print(f"wrote {TARGET} ({len(page.encode()) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
