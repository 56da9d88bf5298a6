"""Rubrics: YAML files parsed into typed, validated ``Rubric`` objects."""
from grader.rubric.command import main_validate
from grader.rubric.errors import RubricError, RubricInvalid
from grader.rubric.load import load_rubric, validate_rubric
from grader.rubric.schema import (
    SUPPORTED_SCHEMA_VERSIONS,
    AssignmentInfo,
    Item,
    LatePolicy,
    Rubric,
    RubricLimits,
)

__all__ = [
    "SUPPORTED_SCHEMA_VERSIONS",
    "AssignmentInfo",
    "Item",
    "LatePolicy",
    "Rubric",
    "RubricError",
    "RubricInvalid",
    "RubricLimits",
    "load_rubric",
    "main_validate",
    "validate_rubric",
]
