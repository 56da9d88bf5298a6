"""The committed notebooks of every assignment are exactly what its generator writes now.

Each ``assignments/<name>/make_notebooks.py`` has ``main(out)``; the template, the solution and the
sample class are written under a temporary folder and compared byte for byte with the committed
ones, so a change to the teaching text or a sample is always one edit in the generator.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GENERATORS = sorted(REPO.glob("assignments/*/make_notebooks.py"))


def notebooks(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.ipynb"))}


def run_generator(path: Path, out: Path) -> None:
    spec = importlib.util.spec_from_file_location(f"_make_notebooks_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(out)


@pytest.mark.parametrize("generator", GENERATORS, ids=[g.parent.name for g in GENERATORS])
def test_committed_notebooks_equal_what_the_generator_writes(generator, tmp_path):
    run_generator(generator, tmp_path)
    written, committed = notebooks(tmp_path), notebooks(generator.parent)
    assert sorted(written) == sorted(committed)
    assert [name for name in written if written[name] != committed[name]] == []


@pytest.mark.parametrize("generator", GENERATORS, ids=[g.parent.name for g in GENERATORS])
def test_the_template_and_the_solution_name_their_assignment(generator):
    for name in ("student.ipynb", "solution.ipynb"):
        metadata = json.loads((generator.parent / name).read_text(encoding="utf-8"))["metadata"]
        assert metadata["cnngrade"] == {"assignment": generator.parent.name}
