"""notebook/.py/folder/.zip → Submission: read students' files and extract the graded code.

Nothing here runs student code; ``grader.sandbox`` executes the chunks.
"""
from .extract import PYTHON_BODY_CELL_MAGICS, strip_ipython
from .identity import ID_PATTERNS, Identity, identity_from_path, read_manifest
from .integrity import compute_checksum, nbgrader_checksum
from .markers import STYLES
from .model import MODES, CodeChunk, Submission
from .reader import read_submission, read_submissions

__all__ = [
    "CodeChunk",
    "ID_PATTERNS",
    "Identity",
    "MODES",
    "PYTHON_BODY_CELL_MAGICS",
    "STYLES",
    "Submission",
    "compute_checksum",
    "identity_from_path",
    "nbgrader_checksum",
    "read_manifest",
    "read_submission",
    "read_submissions",
    "strip_ipython",
]
