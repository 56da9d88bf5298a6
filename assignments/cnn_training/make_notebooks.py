"""Write the cnn_training notebooks: the student template, the solution and the sample class.

The notebooks are committed; this script is how they were made, so that a change to the
teaching text or to a sample is one edit here. Run: ``python assignments/cnn_training/make_notebooks.py``.
Cell ids are numbered, not random, so that running it again gives the same bytes.

The course's numbers in the text (epochs, time budget, parameter cap, accuracy bounds) are read
from ``rubrics/cnn_training.yaml``, so the notebook says what the grader does. Two samples are
folders, a notebook with a ``model.pt`` beside it (the submitted-weights mode): the good weights
are the solution's model trained here, in this process, with a fixed seed on one thread, and
saved with ``torch.save``; the corrupt ones are those bytes cut in half.
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).parent
if str(HERE.parent) not in sys.path:  # notebook_parts sits in assignments/, which is not a package
    sys.path.insert(0, str(HERE.parent))
from notebook_parts import AssignmentNotebooks, graded_function, self_check_source  # noqa: E402

ASSIGNMENT = "cnn_training"
FUNCTIONS = ["build_model", "train"]
RUBRIC = HERE.parent.parent / "rubrics" / f"{ASSIGNMENT}.yaml"
OPTIONS = yaml.safe_load(RUBRIC.read_text(encoding="utf-8"))["options"]
WEIGHTS_SEED = 0  # torch's seed for the submitted-weights sample

INTRO = rf"""# Assignment: build and train a CNN

You design a small convolutional network and write its training loop. The grader does not take
your word for how well it does: it builds your model, checks it, trains it itself with your
`train` (in a sandbox, on the GPU when there is one) and judges it on a **test split whose labels
your code never sees**.

| function | returns |
|---|---|
| `build_model(in_channels, num_classes)` | a `torch.nn.Module` mapping images `(N, in_channels, H, W)` to logits `(N, num_classes)` |
| `train(model, train_set, val_set, device, max_epochs)` | the history: a list with one dict per epoch |

What the grader gives you, and what it expects back:

- `train_set` and `val_set` are `torch.utils.data.Dataset`s of pairs `(image, label)`: `image` a
  float32 tensor `(C, H, W)` scaled to `[0, 1]`, `label` an int in `0 .. num_classes - 1`. Wrap them
  in a `torch.utils.data.DataLoader` to get batches. In this course they are scikit-learn's
  handwritten digits: 1 channel, 8 × 8 pixels, 10 classes.
- `device` is `"cpu"` or `"cuda"`: move the model and every batch there (`.to(device)`).
- `max_epochs` is the most epochs you may train (here {OPTIONS["max_epochs"]}); stopping earlier is fine.
  Your `train` gets {OPTIONS["train_timeout_s"]} s on a CPU: a loop that does not end is stopped, and
  costs the training and test points.
- Each history entry holds at least `train_loss`, `val_loss` (mean cross-entropy over the epoch)
  and `val_accuracy` (a **fraction** between 0 and 1, not a percentage); add any keys you like.
  The grader draws the curves from it.
- After `train` returns, the model must be the one you want judged: with **early stopping** on
  `val_set`, put the best epoch's weights back (`model.load_state_dict(best)`).
- The grader evaluates with `model.eval()` and `model(images)` on batches of such images, nothing
  else: any preprocessing (normalising the pixels, say) belongs in the model's `forward`.

Write your code only in the cells marked **graded** (they carry the tag `graded:<name>`). Keep the
function names and signatures. Run the self-check cell at the end as often as you like."""

SETUP_TEXT = r"""## Setup

The imports the solution needs. Add your own here (anything in PyTorch, NumPy or the standard
library). Reading the dataset's files yourself does not work: inside the grader they are not there."""

SETUP = '''import copy

import torch
from torch import nn
import torch.nn.functional as F'''

BUILD_TEXT = rf"""## 1. The model

`build_model(in_channels, num_classes)` returns a fresh, untrained `torch.nn.Module`. A good start
for 8 × 8 digits: two 3 × 3 convolutions with batch norm and ReLU, one 2 × 2 max pooling, dropout
and one linear layer.

Before training anything, the grader runs the checks a careful practitioner runs by hand (each
is worth a point):

- **Shapes.** A batch `(N, C, H, W)` gives logits `(N, num_classes)`, in training and in evaluation
  mode, and for a batch of one image. Use `x.flatten(1)` (or `nn.Flatten()`) to flatten each image
  on its own: `x.view(-1, 512)` with the wrong number merges images of the batch together.
- **Initial loss.** Untrained, the model should be unsure: with $K$ classes its cross-entropy is
  about $\ln K$ ($\ln 10 \approx 2.30$), within {OPTIONS["initial_loss_tolerance"]}. Return raw logits: no softmax
  at the end (the loss applies it).
- **Every parameter is used.** Each trainable parameter gets a gradient: no layer made in
  `__init__` and forgotten in `forward`.
- **Images are independent in evaluation mode.** Changing one image of a batch changes no other
  image's output, and an image alone gets what it gets within a batch. (Batch norm uses its
  running statistics in evaluation mode; `nn.BatchNorm2d` does this for you.)
- **Evaluation is deterministic.** Two evaluation passes give the same outputs: dropout is off
  in evaluation mode (`nn.Dropout`, or `F.dropout(x, p, training=self.training)`).
- **Size.** At most {OPTIONS["max_parameters"]:,} trainable parameters.
- **It can learn.** Trained by the grader on one batch of {OPTIONS["overfit"]["samples"]} images
  ({OPTIONS["overfit"]["steps"]} steps of {OPTIONS["overfit"]["optimizer"].capitalize()}), it gets at least {OPTIONS["overfit"]["accuracy"]:.0%} of them right."""

TRAIN_TEXT = rf"""## 2. The training loop

`train(model, train_set, val_set, device, max_epochs)` trains `model` in place and returns the
history. Write the whole loop yourself: the optimizer (Adam is a safe choice), the loss
(`nn.CrossEntropyLoss`), batches from a `DataLoader`, and for every epoch:

1. `model.train()`, then one pass over the training batches: `zero_grad`, forward, loss,
   `backward`, `step`;
2. `model.eval()` and `torch.no_grad()`, then one pass over `val_set` for `val_loss` and
   `val_accuracy`. **Validate in evaluation mode**: in training mode dropout is on and batch norm
   uses each batch's statistics, and the validation numbers are wrong. The grader notes the model's
   mode whenever an item of `val_set` is read, so read it only after `model.eval()`;
3. early stopping: keep a copy of the best weights (`copy.deepcopy(model.state_dict())`), stop when
   the validation loss has not improved for a few epochs, and load the best weights back at the end.

The grader seeds PyTorch before calling `build_model` and `train`, so the same notebook gets the
same score every time. A loss that becomes NaN or infinite (a learning rate far too large, most
often) is reported as diverged training, and costs the training and test points: return the
history anyway, do not raise.

**How it is judged.** After your `train`, the grader sends the test images (not their labels) to
your model in evaluation mode, and computes accuracy, per-class recall and the confusion matrix
itself. Points scale linearly from {OPTIONS["accuracy"]["lower"]:.0%} test accuracy (none) to {OPTIONS["accuracy"]["upper"]:.0%} (all):
there is no cliff at one threshold.

### Or: submit trained weights

If you trained elsewhere (on a GPU at home, say), submit a **folder** holding this notebook and
the weights, saved as a plain `state_dict` beside it:

```python
torch.save(model.state_dict(), "{OPTIONS["weights_file"]}")
```

The grader then builds `build_model(in_channels, num_classes)`, loads the file with
`torch.load("{OPTIONS["weights_file"]}", weights_only=True)` and `model.load_state_dict(...)`, and only
evaluates: your `train` is not called. The file must hold exactly that model's tensors (the same
layers, with the same names and shapes); anything else, a whole pickled model for one, does not
load."""

SIGNATURES = {
    "build_model": (
        "def build_model(in_channels, num_classes):",
        '"""A fresh torch.nn.Module: images (N, in_channels, H, W) -> logits (N, num_classes)."""'),
    "train": (
        "def train(model, train_set, val_set, device, max_epochs):",
        '"""Train model in place on train_set, early-stopping on val_set; return the history,\n'
        '    one dict per epoch with at least train_loss, val_loss and val_accuracy (a fraction)."""'),
}


def function(name: str, body: str) -> str:
    """A graded function: the contract's signature and docstring, then ``body``."""
    return graded_function(SIGNATURES[name], body)


TEMPLATE = {name: function(name, "# YOUR CODE HERE\nraise NotImplementedError()") for name in FUNCTIONS}

SOLUTION_BUILD = function("build_model", """
    return nn.Sequential(
        nn.Conv2d(in_channels, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.2), nn.Linear(32 * 4 * 4, num_classes),
    )
""")


def solution_train(*, optimizer: str = "torch.optim.Adam(model.parameters(), lr=3e-3)",
                   validate: str = "model.eval()") -> str:
    """The solution's train, with its optimizer line or its switch to evaluation mode replaced."""
    return function("train", f"""
        loader = torch.utils.data.DataLoader(train_set, batch_size=64, shuffle=True)
        val_loader = torch.utils.data.DataLoader(val_set, batch_size=256)
        optimizer = {optimizer}
        loss_fn = nn.CrossEntropyLoss()
        history, best_loss, best_weights, patience = [], float("inf"), None, 0
        for epoch in range(max_epochs):
            model.train()
            total, count = 0.0, 0
            for images, labels in loader:
                images, labels = images.to(device), labels.to(device)
                optimizer.zero_grad()
                loss = loss_fn(model(images), labels)
                loss.backward()
                optimizer.step()
                total += loss.item() * len(labels)
                count += len(labels)
            {validate}
            val_total, correct, seen = 0.0, 0, 0
            with torch.no_grad():
                for images, labels in val_loader:
                    images, labels = images.to(device), labels.to(device)
                    logits = model(images)
                    val_total += loss_fn(logits, labels).item() * len(labels)
                    correct += (logits.argmax(dim=1) == labels).sum().item()
                    seen += len(labels)
            history.append({{"train_loss": total / count, "val_loss": val_total / seen,
                            "val_accuracy": correct / seen}})
            if history[-1]["val_loss"] < best_loss:  # early stopping on the validation loss
                best_loss, best_weights, patience = history[-1]["val_loss"], copy.deepcopy(model.state_dict()), 0
            else:
                patience += 1
                if patience >= 3:
                    break
        if best_weights is not None:
            model.load_state_dict(best_weights)  # the best epoch's weights, not the last one's
        return history
    """)


SOLUTION = {"build_model": SOLUTION_BUILD, "train": solution_train()}

TEXTS = {"build_model": BUILD_TEXT, "train": TRAIN_TEXT}

EXAMPLES = {
    "build_model": """model = build_model(1, 10)
print(model)
print(sum(p.numel() for p in model.parameters() if p.requires_grad), "trainable parameters")
images = torch.rand(4, 1, 8, 8)  # a batch of four random 8 x 8 "images"
print(model(images).shape)       # torch.Size([4, 10])
model.eval()
print(model(images[:1]).shape)   # a batch of one, in evaluation mode: torch.Size([1, 10])""",
    "train": """# A smoke test on random data (the grader trains on the real digits): it runs, and the history has its keys.
toy = torch.utils.data.TensorDataset(torch.rand(128, 1, 8, 8), torch.randint(0, 10, (128,)))
history = train(build_model(1, 10), toy, toy, "cpu", 2)
print(history[-1])  # {'train_loss': ..., 'val_loss': ..., 'val_accuracy': ...}""",
}

NOTEBOOKS = AssignmentNotebooks(
    ASSIGNMENT, FUNCTIONS, INTRO, TEXTS, EXAMPLES, TEMPLATE, SOLUTION,
    self_check=self_check_source(ASSIGNMENT, FUNCTIONS), setup_text=SETUP_TEXT, setup=SETUP,
    signatures=SIGNATURES,
)


# --- A correct solution in another style: it must get full marks ------------------------------

# An nn.Module subclass, SGD with momentum and a one-cycle schedule, an evaluation helper, early
# stopping on the validation accuracy.
MODULE_SETUP = '''
import copy

import torch
from torch import nn
import torch.nn.functional as F


class DigitNet(nn.Module):
    """Two convolution blocks, global average pooling, dropout, one linear layer."""

    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 24, 3, padding=1, bias=False)  # batch norm has the bias
        self.bn1 = nn.BatchNorm2d(24)
        self.conv2 = nn.Conv2d(24, 48, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(48)
        self.dropout = nn.Dropout(0.25)
        self.fc = nn.Linear(48, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(self.dropout(x))


def evaluate(model, loader, device):
    """Mean cross-entropy and accuracy over a loader, in evaluation mode."""
    model.eval()
    loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            logits = model(images)
            loss += F.cross_entropy(logits, labels, reduction="sum").item()
            correct += (logits.argmax(dim=1) == labels).sum().item()
            count += len(labels)
    return loss / count, correct / count
'''

MODULE_STYLE = {
    "build_model": "return DigitNet(in_channels, num_classes)",
    "train": """
        loader = torch.utils.data.DataLoader(train_set, batch_size=32, shuffle=True)
        val_loader = torch.utils.data.DataLoader(val_set, batch_size=128)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, epochs=max_epochs,
                                                        steps_per_epoch=len(loader))
        history, best_accuracy, best_weights = [], -1.0, None
        for epoch in range(max_epochs):
            model.train()
            running, seen = 0.0, 0
            for images, labels in loader:
                images, labels = images.to(device), labels.to(device)
                optimizer.zero_grad()
                loss = F.cross_entropy(model(images), labels)
                loss.backward()
                optimizer.step()
                scheduler.step()
                running += loss.item() * len(labels)
                seen += len(labels)
            val_loss, val_accuracy = evaluate(model, val_loader, device)
            history.append({"epoch": epoch + 1, "train_loss": running / seen, "val_loss": val_loss,
                            "val_accuracy": val_accuracy, "lr": scheduler.get_last_lr()[0]})
            if val_accuracy > best_accuracy:
                best_accuracy, best_weights = val_accuracy, copy.deepcopy(model.state_dict())
        model.load_state_dict(best_weights)
        return history
    """,
}


# --- Classic mistakes: each loses points on the right item ---------------------------------------

def with_setup(setup: str, build_body: str, train_source: str | None = None):
    """The solution's notebook with the setup cell (imports and the student's classes) replaced,
    ``build_model``'s body replaced, and ``train`` replaced or the solution's."""
    return NOTEBOOKS.assignment_notebook(
        {"build_model": function("build_model", build_body), "train": train_source or SOLUTION["train"]},
        setup=SETUP + "\n\n\n" + setup.strip("\n"), examples=False)


# dropout by hand, always on: F.dropout's training flag defaults to True
DROPOUT_ALWAYS_ON = '''
class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32 * 4 * 4, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.dropout(x.flatten(1), p=0.2, training=True)
        return self.fc(x)
'''

# batch norm written by hand that always normalises with the batch's own statistics
BATCH_STATS_ALWAYS = '''
class MyBatchNorm(nn.Module):
    """Batch norm over (N, H, W) per channel, with a learned scale and shift."""

    def __init__(self, channels):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.register_buffer("running_mean", torch.zeros(channels))
        self.register_buffer("running_var", torch.ones(channels))

    def forward(self, x):
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, training=True)
'''

BATCH_STATS_MODEL = """
    return nn.Sequential(
        nn.Conv2d(in_channels, 16, 3, padding=1), MyBatchNorm(16), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), MyBatchNorm(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.2), nn.Linear(32 * 4 * 4, num_classes),
    )
"""

# flattening with the batch as the last axis, then transposing: each row mixes several images
VIEW_MIXES_BATCH = '''
class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(32 * 4 * 4, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = x.reshape(-1, x.shape[0]).t()  # one column per image, then one row per image
        return self.classifier(x)
'''

# a hidden layer made in __init__ and forgotten in forward
DEAD_LAYER = '''
class Net(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))
        self.hidden = nn.Linear(32 * 4 * 4, 64)
        self.out = nn.Linear(32 * 4 * 4, num_classes)

    def forward(self, x):
        x = self.features(x).flatten(1)
        return self.out(F.dropout(x, 0.2, self.training))
'''

LENET_LEAKY = """
    return nn.Sequential(  # LeNet-style, no batch norm
        nn.Conv2d(in_channels, 16, 3, padding=1), nn.LeakyReLU(0.1), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.LeakyReLU(0.1),
        nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.LeakyReLU(0.1), nn.Linear(64, num_classes),
    )
"""

TOO_LARGE = """
    return nn.Sequential(  # VGG-style: 32 and 64 channels, then a wide classifier
        nn.Conv2d(in_channels, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 4 * 4, 256), nn.ReLU(), nn.Dropout(0.3), nn.Linear(256, num_classes),
    )
"""

# a fixed number of epochs, counted by hand, and the count never moves on
NEVER_ENDS = function("train", """
    loader = torch.utils.data.DataLoader(train_set, batch_size=64, shuffle=True)
    val_loader = torch.utils.data.DataLoader(val_set, batch_size=256)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    history, epoch = [], 0
    while epoch < max_epochs:
        model.train()
        total = 0.0
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(labels)
        model.eval()
        with torch.no_grad():
            pairs = [(model(x.to(device)), y.to(device)) for x, y in val_loader]
        val_loss = sum(F.cross_entropy(p, y, reduction="sum").item() for p, y in pairs) / len(val_set)
        val_accuracy = sum((p.argmax(1) == y).sum().item() for p, y in pairs) / len(val_set)
        history.append({"train_loss": total / len(train_set), "val_loss": val_loss, "val_accuracy": val_accuracy})
    return history
""")

# hostile: the labels of every digit from scikit-learn's own copy, the model a lookup table
LOAD_DIGITS = '''
from sklearn.datasets import load_digits


class LookUp(nn.Module):
    """The label of the nearest known image: every image and its label, learned by heart."""

    def __init__(self, images, labels, num_classes):
        super().__init__()
        self.register_buffer("images", images.flatten(1))
        self.register_buffer("answers", F.one_hot(labels, num_classes).float() * 10)
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, x):
        return self.answers[torch.cdist(x.flatten(1), self.images).argmin(dim=1)] * self.scale
'''

LOAD_DIGITS_MODEL = """
    digits = load_digits()
    images = torch.tensor(digits.images / 16, dtype=torch.float32)[:, None]
    return LookUp(images, torch.tensor(digits.target), num_classes)
"""

# hostile: the same, from the file inside scikit-learn's folder, or from the grader's own files
SEARCHES_FOR_ANSWERS = LOAD_DIGITS.replace("from sklearn.datasets import load_digits\n", '''import gzip
import os
from pathlib import Path

import sklearn


def answers():
    """Every digit and its label: scikit-learn's own file, or whatever the grader keeps nearby."""
    found = []
    for top in ("/", os.getcwd(), os.path.expanduser("~")):
        for folder, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if os.path.join(folder, d) not in ("/proc", "/sys", "/dev")]
            found += [os.path.join(folder, f) for f in files
                      if f in ("digits.csv.gz", "cnn_training.yaml") or "cnn_training" in folder]
    csv = Path(sklearn.__file__).parent / "datasets" / "data" / "digits.csv.gz"
    try:
        with gzip.open(csv, "rt") as rows:
            table = torch.tensor([[float(v) for v in row.split(",")] for row in rows if row.strip()])
    except OSError as error:
        raise RuntimeError(f"no labels to copy ({error}); files found: {found}") from error
    return table[:, :-1].reshape(-1, 1, 8, 8) / 16, table[:, -1].long()
''')

SEARCHES_FOR_ANSWERS_MODEL = """
    images, labels = answers()
    return LookUp(images, labels, num_classes)
"""


def folder_samples() -> dict[str, bytes]:
    """Folder stem -> the bytes of its model.pt: good weights, and the same bytes cut in half."""
    good = trained_weights()
    return {"mira_submitted_weights": good, "nora_corrupt_weights": good[: len(good) // 2]}


def trained_weights() -> bytes:
    """The solution's model trained on the training split with a fixed seed on one thread, as
    the bytes ``torch.save(model.state_dict(), ...)`` writes (the same bytes every run here)."""
    import torch

    from grader.checks.datasets import load_dataset

    data = load_dataset(OPTIONS["dataset"], split_seed=OPTIONS["split_seed"])
    namespace: dict = {}
    exec(compile(SETUP + "\n\n\n" + SOLUTION["build_model"] + "\n\n\n" + SOLUTION["train"], "solution", "exec"),
         namespace)
    threads = torch.get_num_threads()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(WEIGHTS_SEED)
        torch.set_num_threads(1)
        try:
            model = namespace["build_model"](data.in_channels, data.num_classes)
            train_set = torch.utils.data.TensorDataset(torch.from_numpy(data.train_images),
                                                       torch.from_numpy(data.train_labels))
            val_set = torch.utils.data.TensorDataset(torch.from_numpy(data.val_images), torch.from_numpy(data.val_labels))
            namespace["train"](model, train_set, val_set, "cpu", OPTIONS["max_epochs"])
        finally:
            torch.set_num_threads(threads)
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.getvalue()


def sample_class() -> dict[str, object]:
    """File stem -> notebook."""
    return {
        # correct, in two styles: both must get full marks
        "ada_small_cnn": NOTEBOOKS.assignment_notebook(SOLUTION),
        "bruno_module_with_scheduler": NOTEBOOKS.own_style(MODULE_SETUP, MODULE_STYLE),
        # validation with dropout on and batch norm on batch statistics
        "chen_no_eval_in_validation": NOTEBOOKS.with_changes(train=solution_train(validate="")),
        "dana_dropout_always_on": with_setup(DROPOUT_ALWAYS_ON, "return Net(in_channels, num_classes)"),
        "emeka_batch_stats_in_eval": with_setup(BATCH_STATS_ALWAYS, BATCH_STATS_MODEL),
        "fatima_view_mixes_batch": with_setup(VIEW_MIXES_BATCH, "return Net(in_channels, num_classes)"),
        "goran_dead_layer": with_setup(DEAD_LAYER, "return Net(in_channels, num_classes)"),
        "hana_learning_rate_diverges": NOTEBOOKS.with_changes(
            build_model=function("build_model", LENET_LEAKY),
            train=solution_train(optimizer="torch.optim.SGD(model.parameters(), lr=10.0, momentum=0.9)  # faster")),
        "ivan_too_many_parameters": NOTEBOOKS.with_changes(build_model=function("build_model", TOO_LARGE)),
        "julia_epoch_never_advances": NOTEBOOKS.with_changes(train=NEVER_ENDS),
        # hostile: they earn nothing, and nothing of the test labels reaches them
        "kofi_load_digits": with_setup(LOAD_DIGITS, LOAD_DIGITS_MODEL),
        "lena_searches_for_answers": with_setup(SEARCHES_FOR_ANSWERS, SEARCHES_FOR_ANSWERS_MODEL),
        "omar_untouched_template": NOTEBOOKS.assignment_notebook(TEMPLATE),
    }


def main(out: Path = HERE) -> None:
    """Write the notebooks under ``out`` (default: this folder, where they are committed), and the
    folder samples: the solution's notebook with a model.pt beside it."""
    NOTEBOOKS.write_all(out, sample_class())
    for stem, weights in folder_samples().items():
        folder = Path(out) / "samples" / stem
        folder.mkdir(parents=True, exist_ok=True)
        NOTEBOOKS.write(NOTEBOOKS.assignment_notebook(SOLUTION, examples=False), folder / f"{ASSIGNMENT}.ipynb")
        (folder / OPTIONS["weights_file"]).write_bytes(weights)


if __name__ == "__main__":
    main()
