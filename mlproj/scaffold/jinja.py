"""The template's Jinja extension: escaping filters, a sandbox, and no templates in answers.

Cookiecutter loads it by name from `_extensions` in `cookiecutter.json`, so plain
`cookiecutter template/` gets the same protection as `mlproj new` whenever mlproj is installed.

- Filters escape a value for the file it lands in (`py`, `pydoc`, `yaml`, `toml`, `md`), so a
  quote, a backslash or a newline in an answer cannot change the meaning of the generated
  source; `slug` derives the folder name as `mlproj new` does; `mlproj_requirement` and
  `mlproj_link` say how the project asks for mlproj and where it came from (`source`).
- The environment becomes a Jinja sandbox: no template (a file name, a default) can reach
  Python internals such as `cycler.__init__.__globals__`.
- Cookiecutter renders every answer given on its command line or in a user config as a
  template (`render_variable`). An answer holding Jinja syntax other than a plain reference to
  another answer (`{{ cookiecutter.project_name }}`) is refused with one line, instead of
  being evaluated. Answers typed at a prompt, replayed, or given to `mlproj new` (which renders
  through a replay file) are never evaluated and reach the files literally. Cookiecutter has
  no hook for this, so the guard recognises `render_variable` as its caller; the tests in
  tests/scaffold/test_hostile_values.py fail if a cookiecutter release renames it.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

# Only cookiecutter loads this module, so importing from it here costs nothing.
from cookiecutter.exceptions import ContextDecodingException  # noqa: TID253
from jinja2 import Environment
from jinja2.ext import Extension
from jinja2.sandbox import SandboxedEnvironment, safe_range

from mlproj._core.yamlio import yaml_string

# A literal argument: a short quoted string or an integer.
_ARG = r"""(?:'[^'{}\\]*'|"[^"{}\\]*"|-?\d+)"""
_ARGS = rf"\(\s*(?:{_ARG}(?:\s*,\s*{_ARG})*)?\s*\)"
# `{{ cookiecutter.NAME }}`, optionally with public methods, indexes and filters that take
# literal arguments: the shape of cookiecutter.json's own derived defaults.
REFERENCE = re.compile(
    rf"\{{\{{\s*cookiecutter\.\w+(?:\.[A-Za-z]\w*(?:{_ARGS})?|\[{_ARG}\])*"
    rf"(?:\s*\|\s*[A-Za-z]\w*(?:{_ARGS})?)*\s*\}}\}}"
)
JINJA_OPENERS = ("{{", "{%", "{#")
# Characters CommonMark may read as markup; any ASCII punctuation may be backslash-escaped.
_MARKDOWN_RISK = re.compile(r"[\\`*\[\]<>!|&~#]|(?<![^\W_])_|_(?![^\W_])|^\s*(?:[#>+=-]|\d+[.)])")
_ASCII_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


class TemplateInAnswer(ContextDecodingException):  # type: ignore[misc]
    """An answer given to plain cookiecutter holds Jinja syntax cookiecutter would evaluate.

    A cookiecutter exception, so cookiecutter's command line prints it as one line.
    """


def python_string(value: object) -> str:
    """VALUE as a Python string literal, quoted the way ruff's formatter prefers."""
    text = str(value)
    quote = "'" if text.count('"') > text.count("'") else '"'
    body = []
    for char in text:
        if char in ("\\", quote):
            body.append("\\" + char)
        elif char.isprintable():
            body.append(char)
        else:
            body.append(repr(char)[1:-1])  # \n, \x00, \u2028, ...
    return quote + "".join(body) + quote


def python_docstring(value: object, width: int = 94) -> str:
    """VALUE as a triple-quoted docstring, wrapped at WIDTH, as ruff's formatter leaves it.

    A long answer stays inside the generated project's line length (its CI runs ruff), so the
    docstring holds the words of VALUE with its line breaks and spacing evened out.
    """
    import textwrap

    lines: list[str] = []
    for line in str(value).split("\n"):
        escaped = "".join(
            "\\" + char if char in '\\"' else char if char.isprintable() else repr(char)[1:-1]
            for char in line.strip()
        )
        wrapped = textwrap.wrap(escaped, width, break_long_words=False, break_on_hyphens=False)
        lines.extend(wrapped or [""])
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    if len(lines) <= 1:
        return '"""' + "".join(lines) + '"""'
    return '"""' + "\n".join(lines) + '\n"""'


def toml_string(value: object) -> str:
    """VALUE as a TOML basic string (control characters escaped, the rest kept as typed)."""
    body = []
    for char in str(value):
        if char in ('"', "\\"):
            body.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            body.append(f"\\u{ord(char):04x}")
        else:
            body.append(char)
    return '"' + "".join(body) + '"'


def markdown_text(value: object) -> str:
    """VALUE as one line of Markdown that renders as the text itself.

    Ordinary text is left as typed; text holding characters Markdown may read as markup
    (emphasis, links, HTML, a heading or list marker at the start) has its punctuation
    backslash-escaped. Line breaks become spaces, so a value stays inside its line.
    """
    text = _LINE_BREAKS.sub(" ", str(value)).strip()
    if _MARKDOWN_RISK.search(text):
        text = _ASCII_PUNCTUATION.sub(r"\\\1", text)
    return text


def slug(value: object) -> str:
    """The folder name `mlproj new` derives from a project name (see `mlproj.scaffold.names`)."""
    return re.sub(r"[^a-z0-9]+", "-", str(value).strip().lower()).strip("-")


def mlproj_requirement(version: object) -> str:
    """How the project asks for mlproj: the running one's URL at its commit, or VERSION's range."""
    from mlproj.scaffold.source import running_source

    return running_source(str(version)).requirement


def mlproj_link(version: object) -> str:
    """The page the project's README links mlproj to: where the running mlproj came from."""
    from mlproj.scaffold.source import running_source

    return running_source(str(version)).link


def check_answer(source: str, name: str | None = None) -> None:
    """Refuse SOURCE, an answer about to be rendered, if it holds Jinja beyond references."""
    rest = REFERENCE.sub("", source)
    if any(opener in rest for opener in JINJA_OPENERS):
        shown = source if len(source) <= 60 else source[:57] + "..."
        field = f"{name} " if name else ""
        raise TemplateInAnswer(
            f"The answer {field}{json.dumps(shown)} holds Jinja template syntax, which "
            "cookiecutter would run: type it at the prompt or use `mlproj new`, which keep "
            "every answer literal."
        )


def _answer_name() -> str | None:
    """The cookiecutter.json key being rendered, read from cookiecutter's prompt loop."""
    frame = sys._getframe(2)  # 0: here, 1: the guard, 2: render_variable
    while frame is not None:
        if frame.f_code.co_name == "prompt_for_config":
            key = frame.f_locals.get("key")
            return key if isinstance(key, str) else None
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _sandbox(environment: Environment) -> None:
    """Make ENVIRONMENT a Jinja sandbox in place (cookiecutter builds it, we cannot)."""
    base = type(environment)
    if isinstance(environment, SandboxedEnvironment):
        return
    environment.__class__ = type(f"Sandboxed{base.__name__}", (SandboxedEnvironment, base), {})
    sandboxed: Any = environment
    sandboxed.binop_table = dict(SandboxedEnvironment.default_binop_table)
    sandboxed.unop_table = dict(SandboxedEnvironment.default_unop_table)
    sandboxed.globals["range"] = safe_range


def _guard_answers(environment: Environment) -> None:
    """Check every string cookiecutter's `render_variable` renders: those are the answers."""
    from_string = environment.from_string

    def guarded(source: Any, *args: Any, **kwargs: Any) -> Any:
        caller = sys._getframe(1)
        if (
            isinstance(source, str)
            and caller.f_code.co_name == "render_variable"
            and caller.f_globals.get("__name__") == "cookiecutter.prompt"
        ):
            check_answer(source, _answer_name())
        return from_string(source, *args, **kwargs)

    environment.from_string = guarded  # type: ignore[method-assign]


class MlprojExtension(Extension):
    """Registers the escaping filters, sandboxes the environment and guards the answers."""

    def __init__(self, environment: Environment) -> None:
        """Set up ENVIRONMENT as the module docstring says."""
        super().__init__(environment)
        environment.filters.update(
            py=python_string,
            pydoc=python_docstring,
            yaml=yaml_string,
            toml=toml_string,
            md=markdown_text,
            slug=slug,
            mlproj_requirement=mlproj_requirement,
            mlproj_link=mlproj_link,
        )
        _sandbox(environment)
        _guard_answers(environment)
