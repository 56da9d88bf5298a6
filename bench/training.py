"""The training check's cost: the harness's overhead against a bare loop, and a class's grading time.

    python bench/training.py [--repeats 3] [--class] [--device cpu|cuda] [--jobs 1 2]

1. Overhead (goal: at most 5 %): the solution's own ``train`` on the rubric's dataset, once in
   this process as a bare loop (torch single-threaded, as in a worker, the datasets built the
   same way) and once in a sandbox worker as the training check runs it (seeded, deterministic
   algorithms, a forward hook watching the model's mode on validation batches, arrays sent over
   the wire). Runs
   alternate; the median of the paired ratios is printed.
2. ``--class``: the time to grade the sample class (``assignments/cnn_training/samples``) with
   each ``--jobs``, on the device the rubric's ``device`` option picks (CPU here without a GPU).
"""
import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from grader.checks.datasets import load_dataset  # noqa: E402
from grader.rubric import load_rubric  # noqa: E402
from grader.sandbox import Limits, Pool, Sandbox  # noqa: E402
from grader.submission import read_submission  # noqa: E402

RUBRIC = ROOT / "rubrics" / "cnn_training.yaml"
HARNESS = ROOT / "assignments" / "cnn_training" / "harness.py"


def solution_source() -> str:
    submission = read_submission(ROOT / "assignments" / "cnn_training" / "solution.ipynb",
                                 functions=("build_model", "train"))
    return "\n\n".join(chunk.source for chunk in submission.chunks)


def harness_module():
    spec = importlib.util.spec_from_file_location("cnngrade_harness", HARNESS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bare(source, data, options, device, harness):
    torch.set_num_threads(1)
    torch.manual_seed(options.get("seed", 0))
    namespace = {}
    exec(compile(source, "solution", "exec"), namespace)
    model = namespace["build_model"](data.in_channels, data.num_classes).to(device)
    train_set = harness.make_set(data.train_images, data.train_labels)
    val_set = harness.make_set(data.val_images, data.val_labels)
    began = time.perf_counter()
    namespace["train"](model, train_set, val_set, device, options.get("max_epochs", 6))
    return time.perf_counter() - began


def graded(box, data, options, device):
    box.run("prepare", (options.get("seed", 0), device, True), namespace="harness")
    model = box.run("build_model", (data.in_channels, data.num_classes), keep="auto").value
    box.run("to_device", (model, device), namespace="harness")
    train_set = box.run("make_set", (data.train_images, data.train_labels), keep="all", namespace="harness").value
    val_set = box.run("make_set", (data.val_images, data.val_labels), keep="all", namespace="harness").value
    watch = box.run("watch_validation", (model, data.val_images), keep="all", namespace="harness").value
    began = time.perf_counter()
    box.run("train", (model, train_set, val_set, device, options.get("max_epochs", 6)), timeout_s=600)
    box.run("validation_reads", (watch,), namespace="harness")
    return time.perf_counter() - began


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--class", dest="whole_class", action="store_true")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    rubric = load_rubric(RUBRIC)
    options = dict(rubric.options)
    data = load_dataset(options.get("dataset", "digits"), base=RUBRIC.parent, split_seed=options.get("split_seed", 0))
    source, harness = solution_source(), harness_module()
    print(f"# training check on {args.device}, {data.source}: {len(data.train_labels)} training images, "
          f"{options.get('max_epochs')} epochs at most")
    ratios, bares, checks = [], [], []
    limits = Limits(call_timeout_s=60, cpu_s=3600, submission_timeout_s=3600, memory_mb=4096,
                    gpu=args.device.startswith("cuda"))
    with Pool(gpu=args.device.startswith("cuda")) as pool:
        for _ in range(args.repeats):
            b = bare(source, data, options, args.device, harness)
            with Sandbox([("solution.ipynb, cell 1", source)], limits=limits, pool=pool,
                         harness=[("<cnngrade harness: harness.py>", HARNESS.read_text())]) as box:
                c = graded(box, data, options, args.device)
            bares.append(b)
            checks.append(c)
            ratios.append(c / b)
    print(f"bare loop in this process: median {statistics.median(bares):.3f} s over {args.repeats} runs")
    print(f"the same train() as the training check runs it: median {statistics.median(checks):.3f} s")
    print(f"overhead: median of paired ratios {statistics.median(ratios):.3f}x "
          f"({(statistics.median(ratios) - 1) * 100:+.1f} %; goal at most +5 %)")
    if args.whole_class:
        samples = ROOT / "assignments" / "cnn_training" / "samples"
        count = sum(1 for p in samples.iterdir() if p.suffix == ".ipynb" or p.is_dir())
        for jobs in args.jobs:
            with tempfile.TemporaryDirectory() as out:
                began = time.perf_counter()
                subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(samples), "--assignment",
                                "cnn_training", "--out", out, "--jobs", str(jobs)], check=False,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
                print(f"sample class ({count} submissions), --jobs {jobs}: {time.perf_counter() - began:.1f} s wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
