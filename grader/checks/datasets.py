"""The image datasets of a training check, loaded in the grader's process (never in the worker).

Three sources, each giving float32 images ``(N, C, H, W)`` scaled to [0, 1] and int64 labels
0..K-1 for a train, a validation and a test split:

- ``digits``: the handwritten digits that ship inside scikit-learn (1,797 images of 8 x 8, 10
  classes), split with ``split_seed`` (60 / 20 / 20, stratified by class), so a check runs
  anywhere with no download. Its file is hidden from the workers (:func:`private_files`), or a
  student's ``load_digits()`` would hand over every test label.
- an ``.npz`` file with named arrays in MedMNIST's layout: ``train_images``, ``train_labels``,
  ``val_images``, ``val_labels``, ``test_images``, ``test_labels`` (images ``(N, H, W)`` or
  ``(N, H, W, C)``, uint8 0..255 or floats in [0, 1]; labels ``(N,)`` or ``(N, 1)``).
- a folder with one sub-folder per class (``<class>/*.png``), or ``train/``, ``val/`` and
  ``test/`` each holding such class folders; classes are the sorted folder names, and a folder
  without split folders is split as ``digits`` is.

The test labels never leave the grader: the worker is sent the train and validation sets and
the test images only.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Splits", "load_dataset", "private_files"]

_SPLITS = ("train", "val", "test")
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


@dataclass(frozen=True)
class Splits:
    train_images: np.ndarray
    train_labels: np.ndarray
    val_images: np.ndarray
    val_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    classes: tuple[str, ...]
    source: str  # what was loaded, for messages

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def in_channels(self) -> int:
        return int(self.train_images.shape[1])


def load_dataset(spec: str, *, base: Path | None = None, split_seed: int = 0) -> Splits:
    """``"digits"``, or a path (relative to ``base``) to an ``.npz`` file or a folder of images.

    Raises ``ValueError`` naming the file and what was expected when the data does not fit."""
    if spec == "digits":
        return _digits(split_seed)
    path = Path(spec)
    if not path.is_absolute() and base is not None:
        path = Path(base) / path
    if path.suffix == ".npz" and path.is_file():
        return _npz(path)
    if path.is_dir():
        return _folder(path, split_seed)
    raise ValueError(f"dataset {spec!r}: expected 'digits', an .npz file or a folder of images; "
                     f"nothing of that kind is at {path}")


def private_files(spec: str, *, base: Path | None = None) -> list[Path]:
    """What the workers must not see for this dataset: its file or folder (digits: the file
    inside scikit-learn)."""
    if spec == "digits":
        import sklearn.datasets

        return [Path(sklearn.datasets.__file__).parent / "data" / "digits.csv.gz"]
    path = Path(spec)
    return [path if path.is_absolute() or base is None else Path(base) / path]


def _digits(split_seed: int) -> Splits:
    from sklearn.datasets import load_digits

    data = load_digits()
    images = (data.images / 16.0).astype(np.float32)[:, None]
    labels = data.target.astype(np.int64)
    return _split(images, labels, tuple(str(c) for c in range(10)), split_seed, "scikit-learn's digits")


def _split(images, labels, classes, seed: int, source: str) -> Splits:
    """60 / 20 / 20 per class, in an order drawn from ``seed`` (the student never sees it)."""
    rng = np.random.default_rng(seed)
    parts = {name: [] for name in _SPLITS}
    for label in range(len(classes)):
        members = rng.permutation(np.flatnonzero(labels == label))
        n_train, n_val = round(0.6 * len(members)), round(0.2 * len(members))
        parts["train"].append(members[:n_train])
        parts["val"].append(members[n_train:n_train + n_val])
        parts["test"].append(members[n_train + n_val:])
    picked = {name: rng.permutation(np.concatenate(p)) for name, p in parts.items()}
    return Splits(*(a for name in _SPLITS for a in (images[picked[name]], labels[picked[name]])),
                  classes=classes, source=source)


def _npz(path: Path) -> Splits:
    with np.load(path, allow_pickle=False) as data:
        missing = [f"{s}_{k}" for s in _SPLITS for k in ("images", "labels") if f"{s}_{k}" not in data.files]
        if missing:
            raise ValueError(f"{path}: expected the arrays train_images, train_labels, val_images, val_labels, "
                             f"test_images and test_labels (MedMNIST's layout); missing {missing}, found {data.files}")
        arrays = {name: data[name] for name in data.files}
    out = []
    for split in _SPLITS:
        images = _images(arrays[f"{split}_images"], f"{path}: {split}_images")
        labels = np.asarray(arrays[f"{split}_labels"]).reshape(-1)
        if labels.dtype.kind not in "iu" or len(labels) != len(images):
            raise ValueError(f"{path}: {split}_labels must be {len(images)} integer labels (one per image), "
                             f"got shape {arrays[f'{split}_labels'].shape} of {labels.dtype}")
        out += [images, labels.astype(np.int64)]
    k = int(max(a.max(initial=-1) for a in out[1::2])) + 1
    if min(a.min(initial=0) for a in out[1::2]) < 0:
        raise ValueError(f"{path}: labels must be 0..K-1, found a negative one")
    return Splits(*out, classes=tuple(str(c) for c in range(k)), source=str(path.name))


def _images(array, where: str) -> np.ndarray:
    """float32 (N, C, H, W) in [0, 1] from (N, H, W) or (N, H, W, C) uint8 or floats."""
    array = np.asarray(array)
    if array.ndim == 3:
        array = array[:, None]
    elif array.ndim == 4 and array.shape[-1] in (1, 3, 4) and array.shape[1] not in (1, 3, 4):
        array = np.moveaxis(array, -1, 1)
    elif array.ndim != 4:
        raise ValueError(f"{where}: expected images of shape (N, H, W) or (N, H, W, C), got {array.shape}")
    if array.dtype == np.uint8:
        return (array / 255.0).astype(np.float32)
    if array.dtype.kind != "f" or (array.size and (np.nanmin(array) < 0 or np.nanmax(array) > 1)):
        raise ValueError(f"{where}: expected uint8 images or floats in [0, 1], got {array.dtype} "
                         f"with values in [{array.min()}, {array.max()}]")
    return array.astype(np.float32)


def _folder(root: Path, split_seed: int) -> Splits:
    splits = [root / s for s in _SPLITS]
    if all(p.is_dir() for p in splits):
        classes = sorted(p.name for p in splits[0].iterdir() if p.is_dir())
        out = []
        for folder in splits:
            images, labels = _read_classes(folder, classes)
            out += [images, labels]
        return Splits(*out, classes=tuple(classes), source=str(root.name))
    classes = sorted(p.name for p in root.iterdir() if p.is_dir())
    images, labels = _read_classes(root, classes)
    return _split(images, labels, tuple(classes), split_seed, str(root.name))


def _read_classes(folder: Path, classes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    from PIL import Image

    images, labels = [], []
    for label, name in enumerate(classes):
        files = sorted(p for p in (folder / name).iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES) \
            if (folder / name).is_dir() else []
        for file in files:
            with Image.open(file) as image:
                images.append(np.asarray(image.convert("L" if image.mode in ("1", "L", "P", "I;16") else "RGB")))
            labels.append(label)
    if not images:
        raise ValueError(f"{folder}: expected one folder per class holding images ({', '.join(_IMAGE_SUFFIXES)}); "
                         f"found none in {classes or 'no class folders'}")
    shapes = {i.shape for i in images}
    if len(shapes) != 1:
        raise ValueError(f"{folder}: every image must have the same size, found {sorted(shapes)}")
    return _images(np.stack(images), str(folder)), np.array(labels, dtype=np.int64)
