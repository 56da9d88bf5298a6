"""Write the conv_arithmetic notebooks: the student template, the solution and the sample class.

The notebooks are committed; this script is how they were made, so that a change to the
teaching text or to a sample is one edit here. Run: ``python assignments/conv_arithmetic/make_notebooks.py``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from nbformat.v4 import new_code_cell, new_markdown_cell

HERE = Path(__file__).parent
if str(HERE.parent) not in sys.path:  # notebook_parts sits in assignments/, which is not a package
    sys.path.insert(0, str(HERE.parent))
from notebook_parts import AssignmentNotebooks, hashed_ids  # noqa: E402

INTRO = r"""# Assignment 1: convolution arithmetic

Before you build a CNN you must know the shape of every tensor in it. In this assignment you write
four small functions that PyTorch computes for you every time you stack layers:

| function | question it answers |
|---|---|
| `conv_output_size` | how wide is the output of a convolution? |
| `pool_output_size` | how wide is the output of a pooling layer? |
| `conv_param_count` | how many parameters does a convolution layer learn? |
| `receptive_field` | how many input pixels can one output unit see? |

Write your code only in the cells marked **graded** (they carry the tag `graded:<name>`). Keep the
function names and signatures. Your functions must return Python `int`s.
Run the self-check cell at the end as often as you like."""

CONV_TEXT = r"""## 1. Output size of a convolution

A kernel of size $k$ with dilation $d$ covers $d(k-1)+1$ input pixels. With padding $p$ on **both**
sides and stride $s$, an input of width $n$ gives

$$n_\text{out} = \left\lfloor \frac{n + 2p - d(k-1) - 1}{s} \right\rfloor + 1 .$$

The floor matters: a window that does not fit is dropped (this is what `torch.nn.Conv2d` does).

*Worked example.* A 5×5 input, $k=3$, $p=1$, $s=2$: $\lfloor (5+2-2-1)/2 \rfloor + 1 = 3$, so 3×3.
Apply the same layer again: $\lfloor (3+2-2-1)/2 \rfloor + 1 = 2$, so 2×2."""

POOL_TEXT = r"""## 2. Output size of a pooling layer

Pooling slides a window of size $k$ with stride $s$ (by default $s = k$) and, here, no padding:

$$n_\text{out} = \left\lfloor \frac{n - k}{s} \right\rfloor + 1 .$$

With `ceil_mode=True` PyTorch rounds up instead, **but** drops a last window that would start
outside the input: if $(n_\text{out}-1)\,s \ge n$, then $n_\text{out}$ is one less.

*Worked example.* A 4×4 input, 2×2 max pooling with stride 2 gives 2×2. A 5-wide input with
$k=2$, $s=2$ gives 2 (floor) or 3 with `ceil_mode=True`."""

PARAM_TEXT = r"""## 3. Parameters of a convolution layer

Each of the $C_\text{out}$ filters has a $k \times k$ kernel for each of the $C_\text{in}$ input
channels, plus one bias:

$$P = C_\text{out}\,(C_\text{in} k^2 + 1) \quad\text{(without bias: } C_\text{out} C_\text{in} k^2\text{)}.$$

*Worked example.* LeNet-5's C1 maps 1 channel to 6 with 5×5 kernels: $6(1\cdot25+1) = 156$.
C5 maps 16 channels to 120: $120(16\cdot 25+1) = 48\,120$."""

RF_TEXT = r"""## 4. Receptive field

Going up the stack, each layer widens the receptive field by $(k-1)\,d$ times the **jump** $j$,
the distance in input pixels between neighbouring units of the layer below:

$$r_\ell = r_{\ell-1} + (k_\ell - 1)\, d_\ell\, j_{\ell-1}, \qquad j_\ell = j_{\ell-1}\, s_\ell,
\qquad r_0 = 1,\ j_0 = 1.$$

`layers` is a list of dicts with keys `kernel_size`, `stride` and optionally `dilation` (default 1).

*Worked example.* Three stacked 3×3 convolutions with stride 1: $1 + 2 + 2 + 2 = 7$. Two: 5."""

SELF_CHECK = """# Self-check: runs the visible checks on your functions, in a sandbox. Run it as often as you like.
try:
    from grader import check
except ImportError:
    print("cnngrade is not installed here: run `cnngrade check <this notebook> --assignment conv_arithmetic`")
else:
    for name in ["conv_output_size", "pool_output_size", "conv_param_count", "receptive_field"]:
        check(name)"""

TEMPLATE = {
    "conv_output_size": '''def conv_output_size(n_in, kernel_size, stride=1, padding=0, dilation=1):
    """Width of the output of a convolution over an input of width n_in (an int)."""
    # YOUR CODE HERE
    raise NotImplementedError()''',
    "pool_output_size": '''def pool_output_size(n_in, kernel_size, stride=None, ceil_mode=False):
    """Width of the output of a pooling layer (stride defaults to kernel_size; no padding)."""
    # YOUR CODE HERE
    raise NotImplementedError()''',
    "conv_param_count": '''def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    """Number of learnable parameters of a Conv2d layer with a square kernel."""
    # YOUR CODE HERE
    raise NotImplementedError()''',
    "receptive_field": '''def receptive_field(layers):
    """Receptive field, in input pixels, of one unit of the last layer."""
    # YOUR CODE HERE
    raise NotImplementedError()''',
}

SOLUTION = {
    "conv_output_size": '''def conv_output_size(n_in, kernel_size, stride=1, padding=0, dilation=1):
    """Width of the output of a convolution over an input of width n_in (an int)."""
    return (n_in + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1''',
    "pool_output_size": '''def pool_output_size(n_in, kernel_size, stride=None, ceil_mode=False):
    """Width of the output of a pooling layer (stride defaults to kernel_size; no padding)."""
    if stride is None:
        stride = kernel_size
    span = n_in - kernel_size
    if ceil_mode:
        n_out = -(-span // stride) + 1
        if (n_out - 1) * stride >= n_in:  # the last window must start inside the input
            n_out -= 1
        return n_out
    return span // stride + 1''',
    "conv_param_count": '''def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    """Number of learnable parameters of a Conv2d layer with a square kernel."""
    weights = out_channels * in_channels * kernel_size * kernel_size
    return weights + (out_channels if bias else 0)''',
    "receptive_field": '''def receptive_field(layers):
    """Receptive field, in input pixels, of one unit of the last layer."""
    rf, jump = 1, 1
    for layer in layers:
        dilation = layer.get("dilation", 1)
        rf += (layer["kernel_size"] - 1) * dilation * jump
        jump *= layer["stride"]
    return rf''',
}

TEXTS = {
    "conv_output_size": CONV_TEXT,
    "pool_output_size": POOL_TEXT,
    "conv_param_count": PARAM_TEXT,
    "receptive_field": RF_TEXT,
}

EXAMPLES = {
    "conv_output_size": "print(conv_output_size(5, 3, stride=2, padding=1))  # 3\nprint(conv_output_size(3, 3, stride=2, padding=1))  # 2",
    "pool_output_size": "print(pool_output_size(4, 2))  # 2\nprint(pool_output_size(5, 2, ceil_mode=True))  # 3",
    "conv_param_count": "print(conv_param_count(1, 6, 5))  # 156\nprint(conv_param_count(16, 120, 5))  # 48120",
    "receptive_field": "print(receptive_field([{'kernel_size': 3, 'stride': 1}] * 3))  # 7",
}


NOTEBOOKS = AssignmentNotebooks(
    "conv_arithmetic", list(TEMPLATE), INTRO, TEXTS, EXAMPLES, TEMPLATE, SOLUTION,
    self_check=SELF_CHECK, cell_ids=hashed_ids,
)


def plain_notebook(*sources: str):
    """A notebook with untagged code cells: students who deleted the markers."""
    return NOTEBOOKS.plain_notebook(*sources, declared=True)


# --- The sample class --------------------------------------------------------------------
# Each entry: file stem -> (notebook, what the demo should show). Mistakes are the classic
# ones from reference.mistakes; hostile ones are attacks seen on public autograders.

LOOP_STYLE = '''
import math

def conv_output_size(n_in, kernel_size, stride=1, padding=0, dilation=1):
    # slide the window and count the positions where it fits
    span = dilation * (kernel_size - 1) + 1
    count, start = 0, 0
    while start + span <= n_in + 2 * padding:
        count += 1
        start += stride
    return count

def pool_output_size(n_in, kernel_size, stride=None, ceil_mode=False):
    stride = stride or kernel_size
    count, start = 0, 0
    while start + kernel_size <= n_in:
        count += 1
        start += stride
    last_end = start - stride + kernel_size  # where the last full window ends
    if ceil_mode and last_end < n_in and start < n_in:
        count += 1   # a partial window that starts inside the input
    return count

def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    total = 0
    for _ in range(out_channels):
        total += in_channels * kernel_size ** 2
        if bias:
            total += 1
    return total

def receptive_field(layers):
    rf, jump = 1, 1
    for layer in layers:
        rf = rf + (layer["kernel_size"] - 1) * layer.get("dilation", 1) * jump
        jump = jump * layer["stride"]
    return rf
'''

FLOAT_STYLE = '''
def conv_output_size(n_in, kernel_size, stride=1, padding=0, dilation=1):
    return int((n_in + 2.0 * padding - dilation * (kernel_size - 1.0) - 1.0) / stride) + 1

def pool_output_size(n_in, kernel_size, stride=None, ceil_mode=False):
    import math
    if stride is None:
        stride = kernel_size
    if ceil_mode:
        out = int(math.ceil((n_in - kernel_size) / stride)) + 1
        if (out - 1) * stride >= n_in:
            out -= 1
        return out
    return int((n_in - kernel_size) / stride) + 1

def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    return int(out_channels * (in_channels * kernel_size ** 2 + (1.0 if bias else 0.0)))

def receptive_field(layers):
    r, j = 1.0, 1.0
    for l in layers:
        r += (l["kernel_size"] - 1) * l.get("dilation", 1) * j
        j *= l["stride"]
    return int(r)
'''

MATH_FLOOR_STYLE = '''
import math
from functools import reduce

def conv_output_size(n_in, kernel_size, stride=1, padding=0, dilation=1):
    effective = dilation * (kernel_size - 1) + 1
    return math.floor((n_in + 2 * padding - effective) / stride) + 1

def pool_output_size(n_in, kernel_size, stride=None, ceil_mode=False):
    s = kernel_size if stride is None else stride
    rounding = math.ceil if ceil_mode else math.floor
    out = rounding((n_in - kernel_size) / s) + 1
    return out - 1 if ceil_mode and (out - 1) * s >= n_in else out

def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    return out_channels * in_channels * kernel_size * kernel_size + bias * out_channels

def receptive_field(layers):
    def step(acc, layer):
        rf, jump = acc
        return rf + (layer["kernel_size"] - 1) * layer.get("dilation", 1) * jump, jump * layer["stride"]
    return reduce(step, layers, (1, 1))[0]
'''

NUMPY_STYLE = '''
import numpy as np

def conv_output_size(n_in, kernel_size, stride=1, padding=0, dilation=1):
    return int(np.floor((n_in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride)) + 1

def pool_output_size(n_in, kernel_size, stride=None, ceil_mode=False):
    stride = kernel_size if stride is None else stride
    starts = np.arange(0, n_in, stride)
    fits = starts + kernel_size <= n_in
    if ceil_mode:
        return int(np.sum(fits)) + int(np.any(~fits & (starts < n_in)) and starts[fits].size > 0 and (starts[fits][-1] + kernel_size) < n_in)
    return int(np.sum(fits))

def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    weight = np.zeros((out_channels, in_channels, kernel_size, kernel_size))
    return int(weight.size + (out_channels if bias else 0))

def receptive_field(layers):
    strides = [1] + [l["stride"] for l in layers]
    jumps = np.cumprod(strides)[:-1]
    growth = [(l["kernel_size"] - 1) * l.get("dilation", 1) for l in layers]
    return int(1 + np.dot(growth, jumps))
'''


def coursera_style(code: dict[str, str], *, markers: bool):
    cells = [new_markdown_cell("# Convolution arithmetic (Coursera-style notebook)")]
    for name, src in code.items():
        head = f"# GRADED FUNCTION: {name}\n\n" if markers else ""
        cells.append(new_code_cell(head + src))
    return NOTEBOOKS.notebook(cells)


def sample_class() -> dict[str, object]:
    s = SOLUTION
    return {
        # correct, in different styles: all must get full marks
        "ada_formulas": NOTEBOOKS.assignment_notebook(SOLUTION),
        "bruno_loops": plain_notebook(LOOP_STYLE),
        "chen_float_then_int": plain_notebook(FLOAT_STYLE),
        "dana_math_floor": plain_notebook(MATH_FLOOR_STYLE),
        "emeka_numpy": plain_notebook(NUMPY_STYLE),
        "fatima_coursera_markers": coursera_style(SOLUTION, markers=True),
        "goran_markers_deleted_training_loop": plain_notebook(
            "import torch\nimport torch.nn as nn",
            s["conv_output_size"],
            "# quick experiment left at top level: must not run when grading\n"
            "model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())\n"
            "for epoch in range(10**9):\n    model(torch.randn(64, 3, 224, 224))",
            s["pool_output_size"] + "\n\n" + s["conv_param_count"],
            "%matplotlib inline\n!pip install nothing\n" + s["receptive_field"],
        ),
        # classic mistakes: lose points on the right item, and the feedback names the mistake
        "hana_ceil_instead_of_floor": NOTEBOOKS.with_changes(conv_output_size='''def conv_output_size(n_in, kernel_size, stride=1, padding=0, dilation=1):
    import math
    return math.ceil((n_in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1'''),
        "ivan_padding_once": NOTEBOOKS.with_changes(conv_output_size='''def conv_output_size(n_in, kernel_size, stride=1, padding=0, dilation=1):
    return (n_in + padding - dilation * (kernel_size - 1) - 1) // stride + 1'''),
        "julia_dilation_ignored": NOTEBOOKS.with_changes(conv_output_size='''def conv_output_size(n_in, kernel_size, stride=1, padding=0, dilation=1):
    return (n_in + 2 * padding - kernel_size) // stride + 1'''),
        "kofi_pool_stride_one": NOTEBOOKS.with_changes(pool_output_size='''def pool_output_size(n_in, kernel_size, stride=None, ceil_mode=False):
    import math
    stride = stride or 1
    rounding = math.ceil if ceil_mode else math.floor
    return rounding((n_in - kernel_size) / stride) + 1'''),
        "lena_bias_forgotten": NOTEBOOKS.with_changes(conv_param_count='''def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    return out_channels * in_channels * kernel_size * kernel_size'''),
        "malik_rf_without_jump": NOTEBOOKS.with_changes(receptive_field='''def receptive_field(layers):
    rf = 1
    for layer in layers:
        rf += (layer["kernel_size"] - 1) * layer.get("dilation", 1)
    return rf'''),
        "nora_ceil_mode_no_rule": NOTEBOOKS.with_changes(pool_output_size='''def pool_output_size(n_in, kernel_size, stride=None, ceil_mode=False):
    import math
    stride = kernel_size if stride is None else stride
    rounding = math.ceil if ceil_mode else math.floor
    return rounding((n_in - kernel_size) / stride) + 1'''),
        "omar_rf_dilation_ignored": NOTEBOOKS.with_changes(receptive_field='''def receptive_field(layers):
    rf, jump = 1, 1
    for layer in layers:
        rf += (layer["kernel_size"] - 1) * jump
        jump *= layer["stride"]
    return rf'''),
        # broken: a clear message naming file, cell and line; only what is broken costs points
        "petra_syntax_error": NOTEBOOKS.with_changes(conv_param_count='''def conv_param_count(in_channels, out_channels, kernel_size, bias=True)
    return out_channels * (in_channels * kernel_size ** 2 + bias)'''),
        "quinn_missing_function": coursera_style(
            {k: v for k, v in SOLUTION.items() if k != "receptive_field"}, markers=True
        ),
        "rosa_not_json": None,  # written as broken JSON below
        "sam_untouched_template": NOTEBOOKS.assignment_notebook(TEMPLATE),
        # hostile: the batch completes and they earn nothing they did not earn honestly
        "tariq_infinite_loop": NOTEBOOKS.with_changes(pool_output_size='''def pool_output_size(n_in, kernel_size, stride=None, ceil_mode=False):
    while True:
        try:
            pass
        except BaseException:
            pass'''),
        "uma_sys_exit": plain_notebook("import sys\nsys.exit(0)", s["conv_output_size"],
                                       "import os\n\ndef pool_output_size(n_in, kernel_size, stride=None, ceil_mode=False):\n    os._exit(0)"),
        "victor_always_equal": NOTEBOOKS.with_changes(conv_param_count='''class Anything(int):
    def __eq__(self, other):
        return True
    __hash__ = int.__hash__

def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    return Anything(0)'''),
        "wei_forges_results": plain_notebook('''
import glob, json, os

def receptive_field(layers):
    for pattern in ["/work/**/rubrics/*.yaml", "../**/grades.csv", "/autograder/results"]:
        for path in glob.glob(pattern, recursive=True):
            try:
                open(path, "a").write("wei,100,100\\n")
            except OSError:
                pass
    print(json.dumps({"score": 100, "tests": []}))
    print("::set-output name=score::100")
    print("::error file=grades.csv::all good")
    return 0
''', s["conv_output_size"]),
        "xena_reads_reference": plain_notebook('''
def conv_output_size(n_in, kernel_size, stride=1, padding=0, dilation=1):
    from reference.conv_arithmetic import conv_output_size as answer
    return answer(n_in, kernel_size, stride, padding, dilation)

def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    import grader
    return 0
'''),
    }


def main(out: Path = HERE) -> None:
    """Write the notebooks under ``out`` (default: this folder, where they are committed)."""
    NOTEBOOKS.write_all(out, {stem: nb for stem, nb in sample_class().items() if nb is not None})
    (Path(out) / "samples" / "rosa_not_json.ipynb").write_text(
        '{\n "cells": [\n  {"cell_type": "code", "source": "def conv_output_size(n_in, k):\\n    return n_in - k + 1",\n', encoding="utf-8"
    )


if __name__ == "__main__":
    main()
