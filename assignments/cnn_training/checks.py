"""Checks for the cnn_training assignment (ids as in rubrics/cnn_training.yaml).

The student writes (see the notebook):

    build_model(in_channels, num_classes) -> torch.nn.Module
    train(model, train_set, val_set, device, max_epochs) -> history   # one dict per epoch

The grader builds the student's model in the worker, where it stays (a ``Handle``), runs the
course's sanity checks on it, trains it with the student's own ``train`` under the rubric's
budget (or loads the submitted weights), and judges it on a test split whose labels never leave
this process: the worker sends back logits, and accuracy, recall and the confusion matrix are
computed here. The worker-side code is ``harness.py`` (``WORKER_HARNESS``); it reports raw
outputs, and every judgement below is made from them.

The rubric's ``options`` (all optional; defaults in ``Settings``):

    dataset: digits                    # or an .npz file (MedMNIST's layout) or a folder of images
    split_seed: 4242                   # how digits / an unsplit folder is split (never sent to the worker)
    mode: auto                         # train | weights | auto (weights when the submission has the file)
    weights_file: model.pt             # a state_dict beside the notebook, for mode weights
    max_epochs: 6
    train_timeout_s: 60                # the student's train() on the CPU; gpu_train_timeout_s on a GPU
    device: auto                       # auto (a GPU when the worker has one) | cpu | cuda
    seed: 0                            # torch's seed before building and training
    deterministic: true                # torch.use_deterministic_algorithms(True, warn_only=True)
    accuracy: {lower: 0.5, upper: 0.9} # points scale linearly between the bounds
    initial_loss_tolerance: 0.7        # |initial loss - ln(num_classes)| allowed, in nats
    max_parameters: 200000
    overfit: {samples: 32, steps: 80, lr: 0.01, optimizer: adam, accuracy: 0.9}
"""
from __future__ import annotations

import functools
import math
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.checks import Mismatch, cases, check, curves, measures, options
from grader.checks.datasets import load_dataset, private_files
from grader.checks.figure import matrix, show
from grader.checks.student import code_of, student_run
from grader.sandbox import Handle, StudentError

WORKER_HARNESS = ["harness.py"]
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Settings:
    dataset: str = "digits"
    split_seed: int = 4242
    mode: str = "auto"
    weights_file: str = "model.pt"
    max_epochs: int = 6
    train_timeout_s: float = 60.0
    gpu_train_timeout_s: float = 60.0
    device: str = "auto"
    seed: int = 0
    deterministic: bool = True
    accuracy_lower: float = 0.5
    accuracy_upper: float = 0.9
    initial_loss_tolerance: float = 0.7
    max_parameters: int = 200_000
    overfit_samples: int = 32
    overfit_steps: int = 80
    overfit_lr: float = 0.01
    overfit_optimizer: str = "adam"
    overfit_accuracy: float = 0.9


def settings() -> Settings:
    """The rubric's options, checked: a wrong one is the instructor's to fix (a grader error)."""
    given = dict(options.current())
    flat = {k: v for k, v in given.items() if k not in ("accuracy", "overfit")}
    for group in ("accuracy", "overfit"):
        for key, value in (given.get(group) or {}).items():
            flat[f"{group}_{key}"] = value
    known = Settings.__dataclass_fields__
    unknown = sorted(set(flat) - set(known))
    if unknown:
        raise ValueError(f"rubric options: unknown {unknown}; known: {sorted(known)}")
    chosen = Settings(**flat)
    if chosen.mode not in ("train", "weights", "auto") or chosen.device not in ("auto", "cpu", "cuda"):
        raise ValueError(f"rubric options: mode must be train, weights or auto and device auto, cpu or cuda; "
                         f"got mode={chosen.mode!r}, device={chosen.device!r}")
    if not 0 <= chosen.accuracy_lower < chosen.accuracy_upper <= 1:
        raise ValueError(f"rubric options: expected 0 <= accuracy.lower < accuracy.upper <= 1, got "
                         f"{chosen.accuracy_lower} and {chosen.accuracy_upper}")
    return chosen


def worker_hidden(rubric_options, rubric_dir) -> list[Path]:
    """What the workers must not see: the dataset's files (``Assignment.private_paths`` asks)."""
    return private_files(str(rubric_options.get("dataset", "digits")), base=rubric_dir)


@functools.lru_cache(maxsize=4)
def _dataset(spec: str, split_seed: int, base: str):
    return load_dataset(spec, base=Path(base), split_seed=split_seed)


def dataset():
    """The rubric's dataset (a relative path is relative to the rubric's folder)."""
    chosen = settings()
    return _dataset(chosen.dataset, chosen.split_seed, str(options.rubric_dir() or HERE))


# --- the student's model, built in the worker ------------------------------------------------------


def build(student) -> Handle:
    data = dataset()
    model = student_run(student, "build_model", (data.in_channels, data.num_classes), keep="auto")
    plain = model is None or isinstance(model, (bool, int, float, str, list, tuple, dict, np.ndarray))
    if plain or (isinstance(model, Handle) and model.type in ("list", "tuple", "dict")):
        raise Mismatch(f"build_model({data.in_channels}, {data.num_classes}) must return a torch.nn.Module, "
                       f"got {model!r}", expected="a torch.nn.Module", got=model)
    return model


def harness(student, name, *args, keep=None):
    return student_run(student, name, args, keep=keep, namespace="harness")


def logits_of(student, model, images, mode="eval", device="cpu") -> np.ndarray:
    """The model's outputs on ``images``, checked to be (N, num_classes) finite-or-not floats."""
    data = dataset()
    out = harness(student, "outputs", model, images, mode, device)
    if not isinstance(out, np.ndarray) or out.shape != (len(images), data.num_classes):
        shape = getattr(out, "shape", None)
        raise Mismatch(f"in {mode} mode the model maps a batch of shape {tuple(np.shape(images))} to "
                       f"{'shape ' + str(shape) if shape is not None else repr(out)}; expected logits of shape "
                       f"({len(images)}, {data.num_classes}), one row of num_classes scores per image",
                       expected=f"shape ({len(images)}, {data.num_classes})", got=shape)
    return out


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(labels)), labels].mean())


def sample(images, labels, n):
    """About ``n`` training images, the first ones of every class alike (the same for every student)."""
    k = int(labels.max()) + 1
    picked = sorted(i for label in range(k) for i in np.flatnonzero(labels == label)[: max(1, n // k)])
    return images[picked], labels[picked]


# --- 1. sanity before training --------------------------------------------------------------------


@check("sanity.output_shape", function="build_model")
@cases({})
def _(student):
    data = dataset()
    model = build(student)
    batch = data.train_images[:4]
    logits_of(student, model, batch, "train")
    logits_of(student, model, batch, "eval")
    logits_of(student, model, batch[:1], "eval")


@check("sanity.initial_loss", function="build_model", depends_on=["sanity.output_shape"])
@cases({})
def _(student):
    data, chosen = dataset(), settings()
    harness(student, "prepare", chosen.seed, "cpu", chosen.deterministic)
    model = build(student)
    loss = cross_entropy(logits_of(student, model, data.train_images[:128]), data.train_labels[:128])
    expected = math.log(data.num_classes)
    if not abs(loss - expected) <= chosen.initial_loss_tolerance:
        raise Mismatch(f"the untrained model's cross-entropy is {loss:.3f}; with {data.num_classes} classes a "
                       f"freshly initialised network should give about ln({data.num_classes}) = {expected:.3f} "
                       f"(within {chosen.initial_loss_tolerance}). A much larger loss usually means overconfident "
                       "initial logits (a large final-layer initialisation, a wrong input scaling); a much smaller "
                       "one, logits that already favour the right classes.", expected=f"{expected:.3f}", got=f"{loss:.3f}")


@check("sanity.parameters_used", function="build_model", depends_on=["sanity.output_shape"])
@cases({})
def _(student):
    data = dataset()
    model = build(student)
    missing = harness(student, "gradient_flow", model, data.train_images[:16], data.train_labels[:16])
    if missing:
        raise Mismatch(f"these trainable parameters get no gradient (they take no part in the forward pass): "
                       f"{', '.join(map(str, missing[:10]))}{' ...' if len(missing) > 10 else ''}. A layer made in "
                       "__init__ but never used in forward, or a branch whose output is dropped.",
                       expected="every trainable parameter used", got=missing)


@check("sanity.batch_independence", function="build_model", depends_on=["sanity.output_shape"])
@cases({})
def _(student):
    data = dataset()
    model = build(student)
    batch = np.array(data.train_images[:8])
    base = logits_of(student, model, batch)
    changed = batch.copy()
    changed[0] = 1.0 - changed[0]
    moved = logits_of(student, model, changed)
    alone = logits_of(student, model, batch[1:2])
    scale = max(1.0, float(np.abs(base).max()))
    if not np.allclose(moved[1:], base[1:], rtol=1e-4, atol=1e-5 * scale):
        raise Mismatch("in evaluation mode, changing image 0 of a batch changed the outputs of the other images: "
                       "the forward pass mixes samples across the batch (a view or reshape that merges the batch "
                       "dimension with the features, e.g. x.view(-1, features) with the wrong features, or a "
                       "normalisation over the batch in evaluation mode).",
                       expected="rows 1..7 unchanged", got="rows 1..7 changed")
    if not np.allclose(alone[0], base[1], rtol=1e-4, atol=1e-5 * scale):
        raise Mismatch("in evaluation mode, image 1 alone (a batch of one) gets different outputs than within a "
                       "batch of eight: evaluation must not depend on the batch (batch norm must use its running "
                       "statistics in evaluation mode).", expected=np.round(base[1], 4), got=np.round(alone[0], 4))


@check("sanity.eval_deterministic", function="build_model", depends_on=["sanity.output_shape"])
@cases({})
def _(student):
    data = dataset()
    model = build(student)
    passes = harness(student, "outputs_twice", model, data.train_images[:16])
    if not (isinstance(passes, tuple) and len(passes) == 2 and all(isinstance(p, np.ndarray) for p in passes)):
        raise Mismatch("two evaluation-mode passes did not give two arrays of logits", expected="two arrays",
                       got=type(passes).__name__)
    first, second = passes
    if not np.array_equal(first, second):
        raise Mismatch("two evaluation-mode passes over the same batch gave different outputs: something random "
                       "stays on in evaluation mode (dropout applied by hand with F.dropout(x, training=True), "
                       "or noise added in forward).", expected=np.round(first[0], 4), got=np.round(second[0], 4))


@check("sanity.parameter_count", function="build_model")
@cases({})
def _(student):
    chosen = settings()
    count = harness(student, "describe", build(student), dataset().train_images[:2])["parameters"]
    if not (isinstance(count, int) and count <= chosen.max_parameters):
        raise Mismatch(f"the model has {count} trainable parameters; this assignment allows at most "
                       f"{chosen.max_parameters} (a smaller network trains within the budget)",
                       expected=f"at most {chosen.max_parameters}", got=count)


@check("sanity.overfit_small_batch", function="build_model", depends_on=["sanity.output_shape"])
@cases({})
def _(student):
    data, chosen = dataset(), settings()
    harness(student, "prepare", chosen.seed, "cpu", chosen.deterministic)
    images, labels = sample(data.train_images, data.train_labels, chosen.overfit_samples)
    model = build(student)
    after = harness(student, "overfit", model, images, labels, chosen.overfit_steps, chosen.overfit_lr,
                    chosen.overfit_optimizer)
    if not isinstance(after, np.ndarray) or after.shape != (len(labels), data.num_classes):
        raise Mismatch("the model's outputs after overfitting are not logits of the right shape",
                       expected=(len(labels), data.num_classes), got=getattr(after, "shape", after))
    accuracy = float(np.mean(after.argmax(axis=1) == labels))
    if not accuracy >= chosen.overfit_accuracy:
        raise Mismatch(f"after {chosen.overfit_steps} steps of {chosen.overfit_optimizer} (lr {chosen.overfit_lr}) on "
                       f"one batch of {len(labels)} images the model gets {accuracy:.0%} of that batch right; a "
                       f"network that can learn fits one small batch almost perfectly (at least "
                       f"{chosen.overfit_accuracy:.0%}). Look for a layer that blocks learning: a missing "
                       "non-linearity, a frozen layer, an output squashed by a softmax or sigmoid.",
                       expected=f"at least {chosen.overfit_accuracy:.0%}", got=f"{accuracy:.0%}")


# --- 2. training, 3. the hidden test split --------------------------------------------------------


@dataclass
class Trained:
    model: Handle
    history: object  # what the student's train returned (checked by training.runs)
    environment: dict
    validation: dict | None
    device: str
    weights: bool = False  # submitted weights were loaded: nothing was trained here


_trained: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def device_for(student, chosen: Settings) -> str:
    if chosen.device == "cpu":
        return "cpu"
    available = harness(student, "environment")["cuda_available"] is True
    if chosen.device == "cuda" and not available:
        return "cpu"  # the report says which device was used
    return "cuda" if available else "cpu"


def weights_file(chosen: Settings) -> Path | None:
    for path in options.submission_files():
        if path.name == chosen.weights_file and not path.is_symlink() and path.is_file():
            return path
    return None


def trained(student) -> Trained:
    """The student's model trained (or loaded) once per worker, shared by the checks after."""
    code = code_of(student)
    if code in _trained:
        return _trained[code]
    data, chosen = dataset(), settings()
    device = device_for(student, chosen)
    environment = harness(student, "prepare", chosen.seed, device, chosen.deterministic)
    model = build(student)
    harness(student, "to_device", model, device)
    weights = weights_file(chosen) if chosen.mode != "train" else None
    if chosen.mode == "weights" and weights is None:
        raise Mismatch(f"this assignment grades submitted weights: expected a file {chosen.weights_file} (a "
                       "state_dict saved with torch.save(model.state_dict(), ...)) beside the notebook; none came",
                       expected=chosen.weights_file, got="no such file")
    if weights is not None:
        blob = np.frombuffer(weights.read_bytes(), dtype=np.uint8)
        try:
            harness(student, "load_weights", model, blob)
        except StudentError as error:
            raise Mismatch(f"{chosen.weights_file} does not load into build_model({data.in_channels}, "
                           f"{data.num_classes}) with torch.load(..., weights_only=True) and load_state_dict: "
                           f"{error.message}. Save it with torch.save(model.state_dict(), '{chosen.weights_file}') "
                           "from the model this notebook's build_model makes, and submit the whole file.",
                           expected="a state_dict of build_model's model", got=error.message[:200]) from None
        result = Trained(model, None, environment, None, device, weights=True)
    else:
        train_set = harness(student, "make_set", data.train_images, data.train_labels, keep="all")
        val_set = harness(student, "make_set", data.val_images, data.val_labels, keep="all")
        watch = harness(student, "watch_validation", model, data.val_images, keep="all")
        timeout = chosen.gpu_train_timeout_s if device.startswith("cuda") else chosen.train_timeout_s
        history = student_run(student, "train", (model, train_set, val_set, device, chosen.max_epochs),
                              timeout_s=timeout)
        result = Trained(model, history, environment, harness(student, "validation_reads", watch), device)
    _trained[code] = result
    return result


def environment_text(run: Trained) -> str:
    env = run.environment
    return (f"Ran on {run.device} (torch {env.get('torch')}, CUDA {env.get('cuda')}, {env.get('threads')} "
            f"thread(s), deterministic algorithms {'on' if env.get('deterministic') else 'off'}).")


REQUIRED = ("train_loss", "val_loss", "val_accuracy")


def history_problem(history, max_epochs: int) -> str | None:
    if not isinstance(history, list) or not history:
        return f"train must return a list with one dict per epoch, got {history!r}"[:300]
    if len(history) > max_epochs:
        return f"train ran {len(history)} epochs, but max_epochs was {max_epochs}"
    for epoch, record in enumerate(history):
        if not isinstance(record, dict) or not all(k in record for k in REQUIRED):
            return f"epoch {epoch}: expected a dict with at least {', '.join(REQUIRED)}, got {record!r}"[:300]
        for key in REQUIRED:
            if isinstance(record[key], bool) or not isinstance(record[key], (int, float)):
                return f"epoch {epoch}: {key} must be a number, got {record[key]!r}"[:300]
        if not (math.isnan(record["val_accuracy"]) or 0 <= record["val_accuracy"] <= 1):
            return f"epoch {epoch}: val_accuracy must be a fraction between 0 and 1, got {record['val_accuracy']}"
    return None


@check("training.runs", function="train")
@cases({})
def _(student):
    chosen = settings()
    run = trained(student)
    if run.weights:
        return  # submitted weights: nothing was trained here
    problem = history_problem(run.history, chosen.max_epochs)
    if problem:
        raise Mismatch(problem, expected="one dict per epoch with train_loss, val_loss, val_accuracy",
                       got=str(run.history)[:200])
    epochs = list(range(1, len(run.history) + 1))
    show(curves("Training and validation loss", {
        "train_loss": (epochs, [r["train_loss"] for r in run.history]),
        "val_loss": (epochs, [r["val_loss"] for r in run.history])}, x_label="epoch", y_label="loss",
        markers=True))
    for epoch, record in enumerate(run.history, start=1):
        if not (math.isfinite(record["train_loss"]) and math.isfinite(record["val_loss"])):
            raise Mismatch(f"training diverged: the loss is {record['train_loss']} (train) and {record['val_loss']} "
                           f"(validation) at epoch {epoch}. A learning rate that is too large is the usual cause; "
                           "lower it, or clip the gradients. " + environment_text(run),
                           expected="finite losses", got=record["train_loss"])


@check("training.validation_in_eval_mode", function="train", depends_on=["training.runs"])
@cases({})
def _(student):
    run = trained(student)
    if run.validation is None:
        return
    seen = run.validation
    if not seen.get("batches", 0):
        raise Mismatch("the validation images never went through the model during train(): the history's "
                       "val_loss and val_accuracy must come from the model's outputs on val_set, computed in "
                       "evaluation mode (model.eval()) at the end of each epoch.",
                       expected="validation on val_set", got="no validation batch")
    if seen.get("in_training_mode", 0):
        raise Mismatch(f"{seen['in_training_mode']} of the {seen['batches']} batches of validation images went "
                       "through the model while it was in training mode: validation ran with dropout on and batch "
                       "norm using batch statistics. Call model.eval() before validating (and model.train() before "
                       "the next epoch).", expected="validation in evaluation mode", got="training mode")


@check("test.accuracy", function="train", depends_on=["training.runs"])
@cases({})
def _(student):
    data, chosen = dataset(), settings()
    run = trained(student)
    logits = logits_of(student, run.model, data.test_images, "eval", run.device)
    predicted = np.nan_to_num(logits, nan=-np.inf).argmax(axis=1)
    k = data.num_classes
    confusion = np.zeros((k, k), dtype=np.int64)
    np.add.at(confusion, (data.test_labels, predicted), 1)
    accuracy = float(np.trace(confusion) / max(1, len(data.test_labels)))
    recall = confusion.diagonal() / np.maximum(confusion.sum(axis=1), 1)
    measures.record("test accuracy", accuracy)
    env = run.environment
    show(matrix(f"Confusion matrix on the test split (accuracy {accuracy:.1%})\n{run.device}, torch {env.get('torch')}, "
                f"CUDA {env.get('cuda')}, {env.get('threads')} thread(s), deterministic algorithms "
                f"{'on' if env.get('deterministic') else 'off'}", confusion,
                row_labels=data.classes, column_labels=data.classes, x_label="predicted class",
                y_label="true class"))
    lower, upper = chosen.accuracy_lower, chosen.accuracy_upper
    worst = int(np.argmin(recall))
    text = (f"test accuracy {accuracy:.1%} on {len(data.test_labels)} images; lowest recall {recall[worst]:.0%} "
            f"(class {data.classes[worst]}). Points scale from {lower:.0%} (none) to {upper:.0%} (all). "
            + environment_text(run))
    if accuracy < upper:
        credit = min(1.0, max(0.0, (accuracy - lower) / (upper - lower)))
        raise Mismatch(text, expected=f"at least {upper:.0%}", got=f"{accuracy:.1%}", credit=credit)
