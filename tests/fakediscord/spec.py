"""Validation of REST bodies against Discord's official OpenAPI description.

The description lives outside the repository, at ``../shared/discord-api-spec/openapi.json``
relative to the repository root. It is loaded once per process (see :func:`load_spec`).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import (  # type: ignore[import-untyped]
    ValidationError,
    best_match,
)
from referencing import Registry
from referencing.jsonschema import DRAFT202012

__all__ = ["DEFAULT_SPEC_PATH", "REPO_ROOT", "OpenApiSpec", "load_spec"]

_SPEC_IN_SHARED = Path("shared", "discord-api-spec", "openapi.json")
# The repository root as the test run sees it (symlinks kept), then with symlinks resolved.
REPO_ROOT = Path(os.path.abspath(__file__)).parents[2]
_ROOTS = (REPO_ROOT, Path(__file__).resolve().parents[2])
DEFAULT_SPEC_PATH = next(
    (root.parent / _SPEC_IN_SHARED for root in _ROOTS if (root.parent / _SPEC_IN_SHARED).is_file()),
    REPO_ROOT.parent / _SPEC_IN_SHARED,
)

# Requests are checked against a copy in which snowflakes may also be JSON integers:
# discord.py sends some that way (e.g. in ``message_reference``) and Discord accepts them.
_REQUEST_URI = "urn:discord-api-spec:requests"
_RESPONSE_URI = "urn:discord-api-spec:responses"
_MAX_ERRORS = 5
_MAX_MESSAGE = 240
_JSON = "application/json"

Template = tuple[str | None, ...]


def _pointer(*parts: str) -> str:
    """Build a URI-fragment JSON pointer from raw (unescaped) reference tokens."""
    return "".join("/" + quote(p.replace("~", "~0").replace("/", "~1"), safe="~") for p in parts)


def _short(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _closest(error: ValidationError) -> ValidationError:
    """The most telling sub-error of a oneOf/anyOf failure.

    Branches whose ``type`` discriminator does not match are ignored; of the rest, the
    deepest error wins (recursively), which names the offending field.
    """
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.schema_path[0], []).append(sub)
    candidates = [
        sub
        for subs in branches.values()
        if not any(s.validator in ("enum", "const") and list(s.path)[-1:] == ["type"] for s in subs)
        for sub in subs
    ]
    if not candidates:
        return best_match(error.context) or error
    deepest = max(candidates, key=lambda e: len(e.absolute_path))
    return _closest(deepest) if deepest.context else deepest


def _describe(errors: Iterable[ValidationError]) -> list[str]:
    out: list[str] = []
    for error in sorted(errors, key=lambda e: e.json_path)[:_MAX_ERRORS]:
        if error.context:
            error = _closest(error)
        out.append(f"{error.json_path}: {_short(error.message)}")
    return out


class OpenApiSpec:
    """An index of the OpenAPI paths plus cached JSON Schema validators."""

    def __init__(self, path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        self.document: dict[str, Any] = json.loads(text)
        lenient: dict[str, Any] = json.loads(text)
        schemas = lenient["components"]["schemas"]
        schemas["SnowflakeType"] = {
            "anyOf": [schemas["SnowflakeType"], {"type": "integer", "minimum": 0}]
        }
        self._registry: Registry[Any] = Registry().with_resources(
            [
                (_REQUEST_URI, DRAFT202012.create_resource(lenient)),
                (_RESPONSE_URI, DRAFT202012.create_resource(self.document)),
            ]
        )
        self._validators: dict[str, Draft202012Validator] = {}
        self._templates: dict[int, list[tuple[Template, str]]] = {}
        for template in self.document["paths"]:
            parts: Template = tuple(
                None if seg.startswith("{") else seg for seg in template.strip("/").split("/")
            )
            self._templates.setdefault(len(parts), []).append((parts, template))
        for entries in self._templates.values():
            # Literal segments beat parameters: ``/messages/@original`` before ``/{message_id}``.
            entries.sort(key=lambda e: [seg is None for seg in e[0]])

    def match(self, path: str) -> tuple[str, dict[str, str]] | None:
        """Find the spec path template for a concrete path (without the ``/api/v10`` prefix)."""
        segments = path.strip("/").split("/")
        for parts, template in self._templates.get(len(segments), []):
            if all(p is None or p == s for p, s in zip(parts, segments, strict=True)):
                names = [seg[1:-1] for seg in template.strip("/").split("/")]
                params = {n: s for n, p, s in zip(names, parts, segments, strict=True) if p is None}
                return template, params
        return None

    def operation(self, method: str, template: str) -> dict[str, Any] | None:
        """The operation object for ``method`` on ``template``, if the spec defines one."""
        op = self.document["paths"].get(template, {}).get(method.lower())
        return op if isinstance(op, dict) else None

    def _validate(self, uri: str, pointer: str, instance: Any) -> list[str]:
        key = uri + "#" + pointer
        validator = self._validators.get(key)
        if validator is None:
            validator = Draft202012Validator({"$ref": key}, registry=self._registry)
            self._validators[key] = validator
        return _describe(validator.iter_errors(instance))

    def validate_request(self, method: str, template: str, body: Any) -> list[str]:
        """Check a request body (``None`` when absent) against the operation's requestBody."""
        op = self.operation(method, template)
        if op is None:
            return [f"operation {method} {template} is not in the spec"]
        request_body = op.get("requestBody")
        if request_body is None:
            return [] if body is None else ["request has a body but the operation takes none"]
        if body is None:
            return ["request body is required"] if request_body.get("required") else []
        content = request_body.get("content", {})
        media = _JSON if _JSON in content else "multipart/form-data"
        if media not in content:
            return [f"operation accepts no JSON body (only {sorted(content)})"]
        pointer = _pointer("paths", template, method.lower(), "requestBody", "content", media)
        return self._validate(_REQUEST_URI, pointer + "/schema", body)

    def validate_response(self, method: str, template: str, status: int, body: Any) -> list[str]:
        """Check a response body (``None`` for no body) against the documented response."""
        op = self.operation(method, template)
        if op is None:
            return [f"operation {method} {template} is not in the spec"]
        responses: dict[str, Any] = op.get("responses", {})
        key = next(
            (k for k in (str(status), f"{status // 100}XX", "default") if k in responses), None
        )
        if key is None:
            return [f"status {status} is not documented (documented: {sorted(responses)})"]
        response = responses[key]
        parts: tuple[str, ...] = ("paths", template, method.lower(), "responses", key)
        ref = response.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            response = self.document["components"]["responses"][name]
            parts = ("components", "responses", name)
        if _JSON not in response.get("content", {}):
            return [] if body is None else [f"status {status} must not have a JSON body"]
        if body is None:
            return [f"status {status} must have a JSON body"]
        pointer = _pointer(*parts, "content", _JSON, "schema")
        return self._validate(_RESPONSE_URI, pointer, body)


@functools.cache
def load_spec(path: Path = DEFAULT_SPEC_PATH) -> OpenApiSpec:
    """Load (once per process) and index the OpenAPI description at ``path``."""
    if not path.is_file():
        raise FileNotFoundError(
            f"Discord OpenAPI description not found at {path}; expected it at "
            "../shared/discord-api-spec/openapi.json relative to the repository root"
        )
    return OpenApiSpec(path)
