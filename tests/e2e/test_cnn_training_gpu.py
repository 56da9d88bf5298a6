"""The cnn_training solution, and its submitted weights, graded on CUDA by the real ``cnngrade``: a
GPU worker trains (or loads) the model on the device the rubric asks for (``device: cuda``), and
the result says so. Marked ``gpu``; skipped where torch sees no CUDA device.

A passed ``test.accuracy`` carries no message, and the device is named only in the messages of
the training and test checks (``Ran on cuda (torch ..., CUDA ..., N thread(s), deterministic
algorithms on)``). So the data here are the built-in digits, split as the rubric splits them, in
an .npz whose test labels are wrong for every fifth image: no model gets above 80 %, under the
rubric's upper bound, and the test check always reports its share of credit and the device.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
FOLDER = REPO / "assignments" / "cnn_training"

pytestmark = pytest.mark.gpu


@pytest.fixture(scope="module")
def cuda():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device here (torch.cuda.is_available() is False): the cnn_training GPU tests need one")
    return torch


@pytest.fixture(scope="module")
def cuda_rubric(tmp_path_factory, cuda) -> Path:
    """rubrics/cnn_training.yaml with ``device: cuda``, the digits with every fifth test label
    wrong, and its checks file named by absolute path (the copy lives elsewhere)."""
    from grader.checks.datasets import load_dataset

    folder = tmp_path_factory.mktemp("rubric")
    rubric = yaml.safe_load((REPO / "rubrics" / "cnn_training.yaml").read_text(encoding="utf-8"))
    data = load_dataset("digits", split_seed=rubric["options"]["split_seed"])
    wrong = data.test_labels.copy()
    wrong[::5] = (wrong[::5] + 1) % data.num_classes
    images = {f"{split}_images": getattr(data, f"{split}_images")[:, 0] for split in ("train", "val", "test")}
    np.savez(folder / "digits_fifth_wrong.npz", **images, train_labels=data.train_labels,
             val_labels=data.val_labels, test_labels=wrong)
    rubric["assignment"]["checks"] = str((REPO / "rubrics" / rubric["assignment"]["checks"]).resolve())
    rubric["options"]["device"] = "cuda"
    rubric["options"]["dataset"] = str(folder / "digits_fifth_wrong.npz")
    path = folder / "cnn_training.yaml"
    path.write_text(yaml.safe_dump(rubric, sort_keys=False), encoding="utf-8")
    return path


def accuracy_outcome(result: dict) -> tuple[dict, float]:
    """The test check's outcome, and the accuracy its message gives."""
    items = {item["item_id"]: item for item in result["items"]}
    outcome = next(c for c in items["test_accuracy"]["checks"] if c["check_id"] == "test.accuracy")
    return outcome, float(re.search(r"test accuracy ([\d.]+)%", outcome["message"]).group(1)) / 100


@pytest.fixture(scope="module")
def gpu_class(tmp_path_factory, cuda) -> Path:
    """The solution, and the solution's notebook with its weights (a folder submission)."""
    folder = tmp_path_factory.mktemp("class")
    shutil.copy(FOLDER / "samples" / "ada_small_cnn.ipynb", folder)
    shutil.copytree(FOLDER / "samples" / "mira_submitted_weights", folder / "mira_submitted_weights")
    return folder


def grade(cnngrade, grade_outputs, rubric: Path, class_folder: Path, out: Path):
    process = cnngrade("grade", class_folder, "--rubric", rubric, "--out", out, "--jobs", "1")
    assert process.returncode == 0, process.stderr[-3000:]
    return grade_outputs(out)


@pytest.fixture(scope="module")
def graded_on_cuda(cnngrade, grade_outputs, cuda_rubric, gpu_class, tmp_path_factory):
    return grade(cnngrade, grade_outputs, cuda_rubric, gpu_class, tmp_path_factory.mktemp("out"))


def test_the_solution_trains_on_cuda_and_the_result_says_so(graded_on_cuda):
    result = graded_on_cuda.result("ada_small_cnn")
    assert result["status"] == "graded" and not result["errored"], result
    items = {item["item_id"]: item for item in result["items"]}
    assert all(it["points"] == it["max_points"] for name, it in items.items() if name != "test_accuracy"), items
    assert items["training"]["checks"][0]["figure"]["kind"] == "curves"
    outcome, accuracy = accuracy_outcome(result)
    assert re.search(r"Ran on cuda(:\d+)? \(torch [\d.]+, CUDA \d+\.\d+, ", outcome["message"]), outcome["message"]
    assert 0.7 <= accuracy <= 0.8  # every fifth label is wrong: at most 80 %


def test_submitted_weights_are_loaded_and_judged_on_cuda(graded_on_cuda):
    result = graded_on_cuda.result("mira_submitted_weights")
    assert result["status"] == "graded" and not result["errored"], result
    items = {item["item_id"]: item for item in result["items"]}
    assert items["training"]["checks"][0]["figure"] is None  # loaded, not trained
    outcome, accuracy = accuracy_outcome(result)
    assert "Ran on cuda" in outcome["message"] and 0.7 <= accuracy <= 0.8, outcome["message"]


def test_grading_again_on_the_same_gpu_gives_the_same_scores(graded_on_cuda, cnngrade, grade_outputs, cuda_rubric,
                                                            gpu_class, tmp_path):
    again = grade(cnngrade, grade_outputs, cuda_rubric, gpu_class, tmp_path / "again")
    assert again.grades == graded_on_cuda.grades
