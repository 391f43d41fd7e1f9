"""The JSON Schema of Gradescope's ``results.json`` (``grader/reports/schemas``), for tests.

``validate_results(data)`` raises ``jsonschema.ValidationError`` naming the offending key.
conftest wraps the project's writers of ``results.json`` with it, so every file a test makes is
checked against the format Gradescope reads.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema


@cache
def validator() -> jsonschema.Draft202012Validator:
    text = (
        resources.files("grader.reports")
        .joinpath("schemas")
        .joinpath("gradescope-results.schema.json")
        .read_text("utf-8")
    )
    schema = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate_results(data: Any) -> None:
    validator().validate(data)
