"""A training check's data: scikit-learn's digits split by a seed the student never sees, an .npz in
MedMNIST's layout, a folder of images per class; errors that name the file and what was expected."""
import os

import numpy as np
import pytest

from grader.checks.datasets import load_dataset, private_files


def test_the_built_in_digits_are_split_60_20_20_by_class_and_by_seed():
    a, b = load_dataset("digits", split_seed=1), load_dataset("digits", split_seed=2)
    assert (len(a.train_labels), len(a.val_labels), len(a.test_labels)) == (1078, 359, 360)
    assert a.train_images.shape[1:] == (1, 8, 8) and a.train_images.dtype == np.float32
    assert 0.0 <= a.train_images.min() and a.train_images.max() == 1.0 and a.num_classes == 10
    assert set(np.bincount(a.test_labels)) <= {35, 36, 37}  # stratified
    assert not np.array_equal(a.test_labels, b.test_labels)  # the seed decides the split
    assert np.array_equal(a.test_images, load_dataset("digits", split_seed=1).test_images)
    assert private_files("digits")[0].name == "digits.csv.gz" and private_files("digits")[0].is_file()


def test_an_npz_in_medmnist_layout_loads_as_is(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {f"{s}_{k}": v for s, n in (("train", 20), ("val", 6), ("test", 8)) for k, v in
              (("images", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)), ("labels", rng.integers(0, 2, (n, 1))))}
    np.savez(tmp_path / "pneumoniamnist.npz", **arrays)
    data = load_dataset("pneumoniamnist.npz", base=tmp_path)
    assert data.train_images.shape == (20, 1, 28, 28) and data.test_labels.shape == (8,)
    assert data.train_images.max() <= 1.0 and data.num_classes == 2
    np.savez(tmp_path / "rgb.npz", **{k: (np.repeat(v[..., None], 3, -1) if "images" in k else v) for k, v in arrays.items()})
    assert load_dataset(str(tmp_path / "rgb.npz")).train_images.shape == (20, 3, 28, 28)
    np.savez(tmp_path / "broken.npz", train_images=arrays["train_images"])
    with pytest.raises(ValueError, match=r"broken.npz: expected the arrays train_images, .*missing \['train_labels'"):
        load_dataset(str(tmp_path / "broken.npz"))


def test_a_folder_of_images_per_class_loads_with_or_without_split_folders(tmp_path):
    from PIL import Image

    for split in ("train", "val", "test"):
        for name, value in (("benign", 40), ("malignant", 200)):
            (tmp_path / "split" / split / name).mkdir(parents=True)
            (tmp_path / "flat" / name).mkdir(parents=True, exist_ok=True)
            for i in range(3):
                Image.fromarray(np.full((6, 6), value + i, np.uint8)).save(tmp_path / "split" / split / name / f"{i}.png")
                Image.fromarray(np.full((6, 6), value + i, np.uint8)).save(tmp_path / "flat" / name / f"{split}{i}.png")
    data = load_dataset(str(tmp_path / "split"))
    assert data.classes == ("benign", "malignant") and data.train_images.shape == (6, 1, 6, 6)
    assert data.test_labels.tolist() == [0, 0, 0, 1, 1, 1]
    flat = load_dataset(str(tmp_path / "flat"), split_seed=3)
    assert len(flat.train_labels) + len(flat.val_labels) + len(flat.test_labels) == 18
    with pytest.raises(ValueError, match="expected 'digits', an .npz file or a folder of images"):
        load_dataset("nowhere.npz", base=tmp_path)


def test_checks_read_only_a_folder_submissions_own_files_never_through_a_link(tmp_path):
    from grader.pipeline import submission_files
    from grader.submission import read_submission

    folder = tmp_path / "ada"
    folder.mkdir()
    (folder / "train.py").write_text("def build_model(c, k):\n    pass\n")
    (folder / "model.pt").write_bytes(b"weights")
    (tmp_path / "secret.npz").write_bytes(b"labels")
    os.symlink(tmp_path / "secret.npz", folder / "labels.npz")
    submission = read_submission(folder, functions=("build_model",))
    assert sorted(p.name for p in submission_files(submission)) == ["model.pt", "train.py"]
