"""One array assignment in-process, for its tests: rubric -> checks -> runner -> score, with students
made of the reference (some functions replaced by catalogued mistakes) or of a sample notebook's
own code (trusted: we wrote it).

``AssignmentHarness("pooling")`` reads ``rubrics/pooling.yaml``, its checks and
``assignments/pooling/expected.yaml`` once; each test module of an assignment makes one.
"""
from __future__ import annotations

import functools
from pathlib import Path

import yaml

from grader.checks import TrustedCode, load_checks, run_checks
from grader.rubric import load_rubric
from grader.score import score_submission
from grader.submission import read_submission
from reference.mistakes import mistakes_for

ROOT = Path(__file__).resolve().parents[1]


class AssignmentHarness:
    """The rubric, checks and expected outcomes of ``assignments/<name>``, and ways to grade it."""

    def __init__(self, name: str):
        self.name = name
        self.folder = ROOT / "assignments" / name
        self.rubric = load_rubric(ROOT / "rubrics" / f"{name}.yaml")
        self.suite = load_checks(self.rubric.assignment.checks_path)
        self.expected = yaml.safe_load((self.folder / "expected.yaml").read_text(encoding="utf-8"))
        self.not_applicable = self.expected["mistakes_not_applicable"]
        self.references = list(dict.fromkeys(spec.reference for spec in self.suite))
        self.catalogued = [m for ref in self.references for m in mistakes_for(ref)]
        self.applicable = [m for m in self.catalogued if m.id not in self.not_applicable]
        self.correct = [stem for stem, e in self.expected["samples"].items() if e.get("correct")]
        self.adapt_of = {spec.function: spec.adapt for spec in self.suite}
        self.reference_of = {spec.function: spec.reference for spec in self.suite}
        self._function_of = {spec.reference: spec.function for spec in self.suite}

    def student(self, **replaced) -> TrustedCode:
        """The functions as the reference computes them, some replaced by reference-like ones."""
        return TrustedCode({
            name: functools.partial(self.adapt_of[name], replaced.get(name, self.reference_of[name]))
            for name in self.rubric.functions
        })

    def grade(self, code, *, only=None):
        """The outcomes of ``code``'s checks, and its score (None when ``only`` some checks run)."""
        rubric = self.rubric
        outcomes = run_checks(self.suite, code, seed=rubric.seed, tolerances=rubric.tolerances, only=only)
        if only is not None:
            return outcomes, None
        return outcomes, score_submission(rubric, outcomes, student_id="s", files=["s.ipynb"])

    def function_for(self, mistake) -> str:
        """The student function whose reference the mistake imitates."""
        return next(self._function_of[r] for r in self.references
                    if f"{r.__module__}.{r.__name__}" == mistake.reference)

    def checks_of(self, function) -> list[str]:
        return [spec.id for spec in self.suite if spec.function == function]

    def grade_mistake(self, mistake, *, only=None):
        """The outcomes of the reference with ``mistake`` in place of its function, on ``only``
        (default: every check of that function)."""
        function = self.function_for(mistake)
        return self.grade(self.student(**{function: mistake.function}),
                          only=self.checks_of(function) if only is None else only)

    def named_mistakes(self):
        """(sample stem, item id, mistake id) for each mistake ``expected.yaml`` says is named."""
        for stem, expected in self.expected["samples"].items():
            for item, mistake_id in (expected.get("named") or {}).items():
                yield stem, item, mistake_id

    def sample_code(self, stem) -> TrustedCode:
        """A sample notebook's graded code, run in this process (our own trusted samples)."""
        functions = self.rubric.functions
        submission = read_submission(self.folder / "samples" / f"{stem}.ipynb", functions=functions)
        namespace = {}
        for chunk in submission.chunks:
            exec(compile(chunk.source, chunk.origin, "exec"), namespace)
        return TrustedCode({name: namespace[name] for name in functions if name in namespace},
                           origin=f"{stem}.ipynb")

    def generated_calls(self, function, check_ids=None):
        """Every call the generated checks (and the worked examples they depend on) make of
        ``function`` on a right answer: (args, kwargs). ``check_ids``: those checks instead."""
        calls = []

        def recording(name):
            def call(*args, **kwargs):
                calls.append((args, kwargs))
                return self.adapt_of[name](self.reference_of[name], *args, **kwargs)
            return call

        code = TrustedCode({name: recording(name) if name == function else
                            functools.partial(self.adapt_of[name], self.reference_of[name])
                            for name in self.rubric.functions})
        generated = check_ids or [spec.id for spec in self.suite if spec.function == function and spec.generated]
        run_checks(self.suite, code, seed=self.rubric.seed, only=generated)
        return calls
