"""The JSON Schema of a register file, generated from the models that validate it (`model.validation`).

One source of truth: whatever the loader's pydantic models accept, the schema accepts, so an editor
(taplo, Even Better TOML) flags a misspelt key, a string where a number goes or an unknown status as
it is typed. What a schema cannot say (ids unique, links to existing actions, numbering without gaps)
stays with `jnap check`. The repository ships the result as `data/jnap-register.schema.json`.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
from typing import Any

DIALECT = "https://json-schema.org/draft/2020-12/schema"
FILE_NAME = "jnap-register.schema.json"  # the shipped copy, and the copy `jnap init` writes beside a register
REGENERATE = f"jnap schema -o data/{FILE_NAME}"


def register_schema() -> dict[str, Any]:
    """The register file's JSON Schema: keys in the models' order, descriptions from `model.schema`."""
    from pydantic.json_schema import GenerateJsonSchema, NoDefault

    from jnap_cli.model import validation

    class _TomlSchema(GenerateJsonSchema):
        """pydantic's schema, as TOML can be written: TOML has no null, so an optional key is absent,
        never `null`; and keys are named by themselves, not by titles made from their names."""

        def nullable_schema(self, schema: Any) -> Any:
            return self.generate_inner(schema["schema"])

        def get_default_value(self, schema: Any) -> Any:
            default = super().get_default_value(schema)
            return NoDefault if default is None else default

        def field_title_should_be_set(self, schema: Any) -> bool:
            return False

    generated = validation.Register.model_json_schema(schema_generator=_TomlSchema)
    for name, definition in generated.get("$defs", {}).items():
        described = _dataclass_doc(name)
        if described:
            definition["description"] = described
    head = {
        "$schema": DIALECT,
        "title": "jnap register",
        "description": f"{_dataclass_doc('Register')} `jnap check` checks what a schema cannot (ids, links).",
    }
    return head | {key: value for key, value in generated.items() if key not in head}


def _dataclass_doc(name: str) -> str | None:
    """The first paragraph of the docstring of `model.schema`'s dataclass `name`, on one line: what a
    register's author reads (the pydantic models' docstrings speak to jnap's developers)."""
    from jnap_cli.model import schema

    found = getattr(schema, name, None)
    if not (inspect.isclass(found) and dataclasses.is_dataclass(found)):
        return None
    doc = inspect.getdoc(found) or ""
    return " ".join(doc.split("\n\n")[0].split()) or None


def register_schema_text() -> str:
    """`register_schema` as the shipped file holds it: indented JSON, keys in a fixed order, a final newline."""
    return json.dumps(register_schema(), indent=2, ensure_ascii=False) + "\n"
