"""Load scripts and organisation profiles from YAML with errors that name file, line and field."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from conversations.model import Organisation, Script

ModelT = TypeVar("ModelT", bound=BaseModel)

_MESSAGE_LOCATION = re.compile(r"^((?:\w+|\[\d+\])(?:\.?(?:\w+|\[\d+\]))*): (.*)$", re.S)
_LOCATION_PART = re.compile(r"(\w+)|\[(\d+)\]")


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false, so ``yes:``/``no:``/``on`` stay strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


class ScriptError(Exception):
    """A script or profile that cannot be used; the message names file, line and field."""

    def __init__(self, source: str, line: int | None, field: str | None, problem: str) -> None:
        self.source = source
        self.line = line
        self.field = field
        self.problem = problem
        location = source if line is None else f"{source}:{line}"
        where = f" (field '{field}')" if field else ""
        super().__init__(f"{location}{where}: {problem}")


@dataclass(frozen=True)
class LoadedScript:
    """A validated script with the YAML text it came from (stored when a dialogue pins it)."""

    script: Script
    source_text: str
    source: str

    @property
    def checksum(self) -> str:
        """Return a short hash of the source text, to notice edits without a version bump."""
        return hashlib.sha256(self.source_text.encode()).hexdigest()[:16]


def parse_script(text: str, source: str) -> LoadedScript:
    """Validate YAML ``text`` as a script; ``source`` names it in error messages."""
    return LoadedScript(_parse(text, source, Script), text, source)


def load_script(path: Path) -> LoadedScript:
    """Read and validate the script file at ``path``."""
    return parse_script(_read(path), str(path))


def load_organisation(path: Path) -> Organisation:
    """Read and validate an organisation profile (name, intro, challenges)."""
    return _parse(_read(path), str(path), Organisation)


def builtin_script_paths() -> list[Path]:
    """Return the scripts shipped in ``conversations/scripts``."""
    folder = resources.files("conversations") / "scripts"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith((".yaml", ".yml")))


def default_organisation() -> Organisation:
    """Return the example organisation profile shipped with the package."""
    text = (resources.files("conversations") / "organisation.example.yaml").read_text("utf-8")
    return _parse(text, "conversations/organisation.example.yaml", Organisation)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScriptError(str(path), None, None, "file not found") from None
    except UnicodeDecodeError as error:
        raise ScriptError(str(path), None, None, f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise ScriptError(str(path), None, None, error.strerror or str(error)) from None


def _parse(text: str, source: str, model: type[ModelT]) -> ModelT:
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise ScriptError(source, line, None, f"invalid YAML: {error.problem}") from None
    except yaml.YAMLError as error:
        raise ScriptError(source, None, None, f"invalid YAML: {error}") from None
    if node is None or not isinstance(data, dict):
        raise ScriptError(source, 1, None, "expected a mapping at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        problem = _describe(first)
        extra_loc, problem = _location_in_message(problem)
        if first["type"] == "union_tag_invalid":
            extra_loc = ("kind",)
        line, field = _locate(node, (*first["loc"], *extra_loc))
        raise ScriptError(source, line, field, problem) from None


def _describe(error: Any) -> str:
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return "unknown field"
    if error["type"] == "union_tag_invalid":
        expected = error.get("ctx", {}).get("expected_tags", "")
        return f"unknown step kind {error['input'].get('kind')!r}; expected one of {expected}"
    if error["type"] == "union_tag_not_found":
        return "missing field 'kind'"
    return message


def _locate(root: yaml.Node, loc: tuple[int | str, ...]) -> tuple[int, str]:
    """Follow a pydantic error location through the YAML node tree to a line number.

    Pydantic inserts names of union members (e.g. ``'ask'``) into locations; such parts do not
    exist in the YAML and are passed over. Trailing parts that do not exist are missing fields:
    they are named, at the line of the mapping that lacks them.
    """
    node = root
    path: list[str] = []
    missing: list[str] = []
    line = root.start_mark.line + 1
    for part in loc:
        child = _child(node, part)
        if child is None:
            missing.append(f"[{part}]" if isinstance(part, int) else str(part))
            continue
        missing = []
        line, node = child
        path.append(f"[{part}]" if isinstance(part, int) else str(part))
    field = ".".join(path + missing).replace(".[", "[")
    return line, field


def _child(node: yaml.Node, part: int | str) -> tuple[int, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        name = "in" if part == "in_" else part
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == name:
                return key.start_mark.line + 1, value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item = node.value[part]
        return item.start_mark.line + 1, item
    return None


def _location_in_message(problem: str) -> tuple[tuple[int | str, ...], str]:
    """Split ``"steps[3].when: problem"`` (from model-level checks) into a location and text."""
    match = _MESSAGE_LOCATION.match(problem)
    if not match:
        return (), problem
    loc: list[int | str] = []
    for name, index in _LOCATION_PART.findall(match.group(1)):
        loc.append(int(index) if index else name)
    return tuple(loc), match.group(2)
