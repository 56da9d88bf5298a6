"""The cnn_training checks in-process: rubric -> checks -> runner -> score, with the sample class's
own code (trusted: we wrote it) in place of a student and the worker harness's functions called
directly. What only the sandbox can show (a loop that never ends is stopped, a student cannot read
the digits or the grader's files) is graded by tests/e2e/test_assignment_classes.py."""
from __future__ import annotations

import functools
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from grader.checks import TrustedCode, load_checks, run_checks
from grader.checks.datasets import load_dataset
from grader.result import Status
from grader.rubric import load_rubric
from grader.sandbox import StudentException, StudentTimeout
from grader.score import score_item, score_submission
from grader.submission import read_submission

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "assignments" / "cnn_training"
RUBRIC = load_rubric(ROOT / "rubrics" / "cnn_training.yaml")
SUITE = load_checks(RUBRIC.assignment.checks_path)
OPTIONS = dict(RUBRIC.options)
DATA = load_dataset(OPTIONS["dataset"], split_seed=OPTIONS["split_seed"])


def _harness_module():
    spec = importlib.util.spec_from_file_location("cnn_training_harness", FOLDER / "harness.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _as_worker_reports(function):
    """The harness runs in the student's worker: an error there is the student's (StudentException),
    as the sandbox reports it, not the grader's."""
    @functools.wraps(function)
    def call(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except Exception as exc:
            raise StudentException(f"{type(exc).__name__}: {exc}") from exc
    return call


_HARNESS_MODULE = _harness_module()
HARNESS = {name: _as_worker_reports(getattr(_HARNESS_MODULE, name)) for name in dir(_HARNESS_MODULE)
           if not name.startswith("_") and callable(getattr(_HARNESS_MODULE, name))}


@pytest.fixture(autouse=True, scope="module")
def one_thread_and_torch_settings_restored():
    """One thread, as in a worker; and what the harness's prepare() sets (deterministic algorithms)
    put back for the tests after these."""
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    torch.set_num_threads(1)
    with torch.random.fork_rng(devices=[]):
        yield
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(deterministic, warn_only=warn_only)


def notebook_of(stem: str) -> Path:
    folder = FOLDER / "samples" / stem
    return folder / "cnn_training.ipynb" if folder.is_dir() else FOLDER / "samples" / f"{stem}.ipynb"


def sample_functions(stem: str) -> dict:
    """A sample notebook's graded functions, run in this process."""
    submission = read_submission(notebook_of(stem), functions=RUBRIC.functions)
    namespace: dict = {}
    for chunk in submission.chunks:
        exec(compile(chunk.source, chunk.origin, "exec"), namespace)
    return {name: namespace[name] for name in RUBRIC.functions if name in namespace}


def sample_code(stem: str, **replaced) -> TrustedCode:
    return TrustedCode({**sample_functions(stem), **replaced}, origin=f"{stem}.ipynb", harness=HARNESS)


def grade(code, *, only=None, options=None, files=()):
    """The outcomes of ``code``'s checks, and its score (None when ``only`` some checks run)."""
    outcomes = run_checks(SUITE, code, seed=RUBRIC.seed, tolerances=RUBRIC.tolerances, only=only,
                          options=OPTIONS if options is None else options, files=files,
                          rubric_dir=RUBRIC.path.parent)
    if only is not None:
        return outcomes, None
    return outcomes, score_submission(RUBRIC, outcomes, student_id="s", files=["s.ipynb"])


def failed(outcomes) -> dict[str, str]:
    return {k: o.message for k, o in outcomes.items() if o.status is not Status.PASSED}


@pytest.fixture(scope="module")
def solution():
    """The solution graded once: its code (which keeps the trained model) and its outcomes."""
    code = sample_code("ada_small_cnn")
    outcomes, result = grade(code)
    return code, outcomes, result


def accuracy_of(outcomes) -> float:
    confusion = np.array(outcomes["test.accuracy"].figure["values"])
    return float(np.trace(confusion) / confusion.sum())


# --- the solution -------------------------------------------------------------------------------


def test_the_solution_gets_full_marks(solution):
    _, outcomes, result = solution
    assert not failed(outcomes)
    assert result.score == result.max_score == 16.0 and not result.errored


def test_training_shows_the_loss_curves_and_the_test_its_confusion_matrix(solution):
    _, outcomes, _ = solution
    curves = outcomes["training.runs"].figure
    assert curves["kind"] == "curves" and [s["label"] for s in curves["series"]] == ["train_loss", "val_loss"]
    epochs = len(curves["series"][0]["x"])
    assert 1 <= epochs <= OPTIONS["max_epochs"] and all(math.isfinite(y) for s in curves["series"] for y in s["y"])
    confusion = outcomes["test.accuracy"].figure
    assert confusion["kind"] == "matrix" and confusion["row_labels"] == [str(c) for c in range(10)]
    values = np.array(confusion["values"])
    assert values.shape == (10, 10) and values.sum() == len(DATA.test_labels)
    assert values.sum(axis=1).tolist() == np.bincount(DATA.test_labels).tolist()  # rows: the true classes
    assert f"{accuracy_of(outcomes):.1%}" in confusion["title"]


def test_grading_the_same_notebook_again_gives_the_same_score_and_the_same_model(solution):
    _, first, first_result = solution
    again, result = grade(sample_code("ada_small_cnn"))  # a fresh "worker": built and trained again
    assert result.score == first_result.score
    assert {k: o.status for k, o in again.items()} == {k: o.status for k, o in first.items()}
    assert again["training.runs"].figure == first["training.runs"].figure
    assert again["test.accuracy"].figure == first["test.accuracy"].figure


# --- accuracy earns points linearly between the rubric's bounds ---------------------------------


def test_test_accuracy_earns_credit_linearly_between_the_bounds_with_the_device_named(solution):
    code, outcomes, _ = solution  # the same code: the model trained above is judged, not retrained
    accuracy = accuracy_of(outcomes)
    item = next(i for i in RUBRIC.items if i.checks == ("test.accuracy",))
    assert accuracy < 1.0  # else no bounds below 1 leave it between them
    for lower, upper in ((0.5, 1.0), (accuracy - 0.1, 1.0), (0.0, (1.0 + accuracy) / 2)):
        bounds = {**OPTIONS, "accuracy": {"lower": lower, "upper": upper}}
        outcome = grade(code, only=["test.accuracy"], options=bounds)[0]["test.accuracy"]
        expected = (accuracy - lower) / (upper - lower)
        assert outcome.status is Status.FAILED and outcome.credit == pytest.approx(expected)
        assert score_item(item, {"test.accuracy": outcome}).points == pytest.approx(item.points * expected)
        assert f"test accuracy {accuracy:.1%} on {len(DATA.test_labels)} images" in outcome.message
        assert f"Points scale from {lower:.0%} (none) to {upper:.0%} (all)" in outcome.message
        assert "Ran on cpu (torch " in outcome.message and "deterministic algorithms on" in outcome.message


def test_test_accuracy_below_the_lower_bound_earns_nothing_and_at_the_upper_bound_everything(solution):
    code, outcomes, _ = solution
    accuracy = accuracy_of(outcomes)
    below = grade(code, only=["test.accuracy"],
                  options={**OPTIONS, "accuracy": {"lower": accuracy + 0.01, "upper": 1.0}})[0]["test.accuracy"]
    assert below.status is Status.FAILED and below.credit == 0.0
    at = grade(code, only=["test.accuracy"],
               options={**OPTIONS, "accuracy": {"lower": 0.0, "upper": accuracy}})[0]["test.accuracy"]
    assert at.status is Status.PASSED


# --- each classic mistake fails its own check, and says what to fix -----------------------------

MISTAKES = {
    # sample: (the check that must fail, what its message must say)
    "chen_no_eval_in_validation": ("training.validation_in_eval_mode",
                                   ["batches of validation images went through the model while it was in training mode",
                                    "Call model.eval() before validating"]),
    "dana_dropout_always_on": ("sanity.eval_deterministic",
                               ["two evaluation-mode passes over the same batch gave different outputs",
                                "F.dropout(x, training=True)"]),
    "emeka_batch_stats_in_eval": ("sanity.batch_independence",
                                  ["changing image 0 of a batch changed the outputs of the other images",
                                   "normalisation over the batch in evaluation mode"]),
    "fatima_view_mixes_batch": ("sanity.batch_independence",
                                ["the forward pass mixes samples across the batch", "x.view(-1, features)"]),
    "goran_dead_layer": ("sanity.parameters_used", ["get no gradient", "hidden.weight, hidden.bias",
                                                    "never used in forward"]),
    "hana_learning_rate_diverges": ("training.runs", ["training diverged: the loss is nan",
                                                      "A learning rate that is too large"]),
    "ivan_too_many_parameters": ("sanity.parameter_count", ["the model has 283978 trainable parameters",
                                                            "at most 60000"]),
}


@pytest.mark.parametrize("stem", sorted(MISTAKES))
def test_each_classic_mistake_fails_its_check_with_a_message_that_says_what_to_fix(stem):
    check_id, phrases = MISTAKES[stem]
    outcomes, _ = grade(sample_code(stem), only=[check_id])
    assert outcomes[check_id].status is Status.FAILED, outcomes[check_id]
    for phrase in phrases:
        assert phrase in outcomes[check_id].message, (phrase, outcomes[check_id].message)
    prerequisites = {k: o.status for k, o in outcomes.items() if k != check_id}
    assert all(status is Status.PASSED for status in prerequisites.values()), prerequisites


def test_reading_the_validation_set_up_front_then_validating_in_evaluation_mode_is_not_flagged():
    solution_train = sample_functions("ada_small_cnn")["train"]

    def reads_validation_up_front(model, train_set, val_set, device, max_epochs):
        cached = [val_set[i] for i in range(len(val_set))]  # once, before any model.eval()
        return solution_train(model, train_set, cached, device, max_epochs)  # which validates after model.eval()

    outcomes, _ = grade(sample_code("ada_small_cnn", train=reads_validation_up_front),
                        only=["training.validation_in_eval_mode"])
    assert not failed(outcomes)


class SeededPerCall(TrustedCode):
    """As the sandbox's worker does: torch's generator seeded with the same seed before every call."""

    def run(self, name, args=(), kwargs=None, *, keep=None, namespace="student", timeout_s=None):
        torch.default_generator.manual_seed(0)
        return super().run(name, args, kwargs, keep=keep, namespace=namespace, timeout_s=timeout_s)


def test_dropout_left_on_is_found_when_every_call_starts_from_the_same_seed():
    code = SeededPerCall(sample_functions("dana_dropout_always_on"), harness=HARNESS)
    outcomes, _ = grade(code, only=["sanity.eval_deterministic"])
    assert outcomes["sanity.eval_deterministic"].status is Status.FAILED


def test_diverged_training_still_shows_its_curves():
    outcome = grade(sample_code("hana_learning_rate_diverges"), only=["training.runs"])[0]["training.runs"]
    assert outcome.figure["kind"] == "curves" and None in outcome.figure["series"][0]["y"]  # NaN: not drawn


@pytest.mark.parametrize("history, phrase", [
    ([{"train_loss": 1.0, "val_loss": 1.0, "val_accuracy": 97.0}], "val_accuracy must be a fraction between 0 and 1"),
    ([{"train_loss": 1.0, "val_loss": 1.0}], "expected a dict with at least train_loss, val_loss, val_accuracy"),
    ([{"train_loss": 1.0, "val_loss": 1.0, "val_accuracy": 0.5}] * (OPTIONS["max_epochs"] + 1),
     f"train ran {OPTIONS['max_epochs'] + 1} epochs, but max_epochs was {OPTIONS['max_epochs']}"),
    pytest.param(None, "train must return a list with one dict per epoch, got None"),
], ids=["accuracy_in_percent", "missing_val_accuracy", "too_many_epochs", "no_history"])
def test_a_history_that_breaks_the_contract_fails_training_and_says_how(history, phrase):
    code = sample_code("ada_small_cnn", train=lambda model, train_set, val_set, device, max_epochs: history)
    outcomes, _ = grade(code, only=["training.runs"])
    assert outcomes["training.runs"].status is Status.FAILED and phrase in outcomes["training.runs"].message


class TimesOutInTraining(TrustedCode):
    """In-process code cannot hang usefully; this one answers ``train`` as the sandbox does when
    the rubric's training budget runs out, and notes the budget it was given."""

    def __init__(self, functions, **kwargs):
        super().__init__(functions, **kwargs)
        self.budgets = []

    def run(self, name, args=(), kwargs=None, *, keep=None, namespace="student", timeout_s=None):
        if namespace == "student" and name == "train":
            self.budgets.append(timeout_s)
            raise StudentTimeout(f"train did not finish within {timeout_s:g} s (wall clock); its processes were killed")
        return super().run(name, args, kwargs, keep=keep, namespace=namespace, timeout_s=timeout_s)


def test_a_training_run_gets_the_rubrics_budget_and_running_out_of_it_costs_training_and_the_test():
    code = TimesOutInTraining(sample_functions("julia_epoch_never_advances"), harness=HARNESS)
    outcomes, result = grade(code)
    assert code.budgets == [OPTIONS["train_timeout_s"]]
    assert outcomes["training.runs"].status is Status.FAILED
    assert f"train did not finish within {OPTIONS['train_timeout_s']:g} s" in outcomes["training.runs"].message
    assert {k for k, o in outcomes.items() if o.status is Status.SKIPPED} == {
        "training.validation_in_eval_mode", "test.accuracy"}
    assert result.score == 7.0  # the seven sanity points


def test_a_rubric_asking_for_cuda_on_a_machine_without_one_trains_on_the_cpu_and_says_so():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: tests/e2e/test_cnn_training_gpu.py grades on it")
    options = {**OPTIONS, "device": "cuda", "accuracy": {"lower": 0.0, "upper": 1.0}}  # 1.0: it always reports
    outcomes, _ = grade(sample_code("ada_small_cnn"), only=["test.accuracy"], options=options)
    assert outcomes["test.accuracy"].credit > 0.9
    assert "Ran on cpu (torch " in outcomes["test.accuracy"].message


# --- submitted weights ----------------------------------------------------------------------------


def never_called(*args, **kwargs):
    raise AssertionError("train must not be called when the submission carries its weights")


def test_submitted_weights_are_loaded_not_trained_and_get_full_marks():
    weights = FOLDER / "samples" / "mira_submitted_weights" / "model.pt"
    outcomes, result = grade(sample_code("mira_submitted_weights", train=never_called), files=[weights])
    assert not failed(outcomes) and result.score == result.max_score
    assert outcomes["training.runs"].figure is None  # nothing was trained: no curves
    assert accuracy_of(outcomes) >= OPTIONS["accuracy"]["upper"]


def test_the_rubric_can_ask_for_weights_and_their_absence_is_reported():
    options = {**OPTIONS, "mode": "weights"}
    outcomes, _ = grade(sample_code("ada_small_cnn", train=never_called), only=["training.runs"], options=options)
    assert outcomes["training.runs"].status is Status.FAILED
    assert "expected a file model.pt (a state_dict saved with torch.save(model.state_dict(), ...))" in (
        outcomes["training.runs"].message)


def corrupt_weights():
    weights = FOLDER / "samples" / "nora_corrupt_weights" / "model.pt"
    return grade(sample_code("nora_corrupt_weights", train=never_called), files=[weights])


def test_corrupt_weights_fail_training_and_leave_nothing_to_judge():
    outcomes, result = corrupt_weights()
    assert outcomes["training.runs"].status is Status.FAILED
    assert {k for k, o in outcomes.items() if o.status is Status.SKIPPED} == {
        "training.validation_in_eval_mode", "test.accuracy"}
    assert result.score == 7.0


def test_corrupt_weights_are_reported_as_the_weights_file_that_does_not_load():
    message = corrupt_weights()[0]["training.runs"].message
    assert "model.pt" in message and "torch.save(model.state_dict()" in message


def _train_with(validate):
    """A train() of one epoch that validates with ``validate(model, images)``, returning logits."""
    def train(model, train_set, val_set, device, max_epochs):
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
        model.train()
        for images, labels in torch.utils.data.DataLoader(train_set, batch_size=64):
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(images), labels).backward()
            optimizer.step()
        images = torch.stack([val_set[i][0] for i in range(len(val_set))])
        labels = torch.tensor([val_set[i][1] for i in range(len(val_set))])
        with torch.no_grad():
            logits = validate(model, images) if validate else torch.zeros(len(labels), 10)
        return [{"train_loss": 1.0, "val_loss": float(torch.nn.functional.cross_entropy(logits, labels)),
                 "val_accuracy": float((logits.argmax(1) == labels).float().mean())}]
    return train


@pytest.mark.parametrize("validate, passes", [
    (lambda model, x: (model.eval(), model(x))[1], True),
    (lambda model, x: model.forward(x), False),  # no eval(), and past the top module's hooks
    (lambda model, x: model[1:](model[0](x)) if isinstance(model, torch.nn.Sequential) else model(x), False),
    (None, False),  # never validates: made-up numbers
], ids=["eval-then-call", "forward-without-eval", "layer-by-layer-without-eval", "never-validates"])
def test_validation_mode_is_judged_by_what_went_through_the_model_however_it_was_called(validate, passes):
    outcomes, _ = grade(sample_code("ada_small_cnn", train=_train_with(validate)),
                        only=["training.validation_in_eval_mode"])
    assert (outcomes["training.validation_in_eval_mode"].status is Status.PASSED) is passes, \
        outcomes["training.validation_in_eval_mode"].message


def test_a_model_that_preprocesses_in_place_and_a_lazy_layer_are_judged_as_any_other():
    class InPlace(torch.nn.Module):
        def __init__(self, in_channels, num_classes):
            super().__init__()
            self.body = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.LazyLinear(num_classes))

        def forward(self, x):
            x.sub_(0.5).mul_(2)  # in place, on the batch it was given
            return self.body(x)

    outcomes, _ = grade(sample_code("ada_small_cnn", build_model=InPlace),
                        only=["sanity.eval_deterministic", "sanity.parameter_count", "sanity.batch_independence"])
    assert not failed(outcomes), {k: o.message for k, o in outcomes.items()}
