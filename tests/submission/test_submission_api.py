"""The public surface of grader.submission cannot drift by accident."""
import dataclasses

import grader.submission as submission


def test_public_names_are_exactly_all():
    public = {name for name in dir(submission) if not name.startswith("_")}
    modules = {"archive", "choice", "extract", "identity", "integrity", "layout", "limits", "markers", "model", "notebook",
               "reader", "zips"}
    assert public - modules == set(submission.__all__)


def test_contract_fields_from_the_architecture_document():
    assert [f.name for f in dataclasses.fields(submission.CodeChunk)][:4] == ["origin", "source", "cell", "names"]
    assert [f.name for f in dataclasses.fields(submission.Submission)][:8] == [
        "student_id", "path", "chunks", "problems", "file_sha256", "source_sha256", "mode", "defined",
    ]
