"""Receptive field records, checked against the gradient support of real torch models."""
import math
import subprocess
import sys

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from reference.receptive_field import LayerField, receptive_field


def pair(value):
    return value if isinstance(value, tuple) else (value, value)


@st.composite
def layer_stacks(draw, max_layers=4):
    """A list of ``(kind, params)`` with kind 'conv' or 'avg'; square layers use ints."""
    stack = []
    for _ in range(draw(st.integers(1, max_layers))):
        kind = draw(st.sampled_from(["conv", "avg"]))
        square = draw(st.booleans())
        dim = (lambda s: s) if square else (lambda s: st.tuples(s, s))
        kernel = draw(dim(st.integers(1, 4)))
        stride = draw(dim(st.integers(1, 3)))
        if kind == "avg":
            padding = tuple(draw(st.integers(0, k // 2)) for k in pair(kernel))
            params = {"kernel_size": kernel, "stride": stride,
                      "padding": padding[0] if square else padding, "ceil_mode": draw(st.booleans())}
        else:
            dilation = draw(dim(st.integers(1, 2)))
            same = pair(stride) == (1, 1) and draw(st.booleans())
            padding = "same" if same else draw(dim(st.integers(0, 4)))
            params = {"kernel_size": kernel, "stride": stride, "padding": padding, "dilation": dilation}
        stack.append((kind, params))
    return stack


def as_dicts(stack):
    return [{k: v for k, v in params.items() if k != "ceil_mode"} for _, params in stack]


def as_model(stack):
    """Conv2d layers with weights 1 and AvgPool2d (positive: gradients cannot cancel), with ReLUs."""
    modules = []
    for kind, params in stack:
        if kind == "conv":
            conv = nn.Conv2d(1, 1, bias=False, dtype=torch.float64, **params)
            nn.init.ones_(conv.weight)
            modules += [conv, nn.ReLU()]
        else:
            modules.append(nn.AvgPool2d(**params))
    return nn.Sequential(*modules)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@given(stack=layer_stacks())
def test_receptive_field_equals_the_gradient_support_of_a_central_unit(stack):
    last = receptive_field(as_dicts(stack))[-1]
    r, j, start = (pair(v) for v in (last.receptive_field, last.jump, last.start))
    # Unit u sees input pixels [start + u*j - (r-1)/2, start + u*j + (r-1)/2]. Make the input
    # big enough that some unit sees no padding, and pick the first such unit in each dimension.
    first_left = [s - (ri - 1) / 2 for s, ri in zip(start, r)]
    unit = [math.ceil(-left / ji) if left < 0 else 0 for left, ji in zip(first_left, j)]
    size = [ri + math.ceil(-min(left, 0)) + ji + 1 for ri, left, ji in zip(r, first_left, j)]
    x = torch.ones(1, 1, *size, dtype=torch.float64, requires_grad=True)
    out = as_model(stack)(x)
    out[0, 0, unit[0], unit[1]].backward()

    support = x.grad[0, 0].numpy() != 0
    for axis in range(2):
        nonzero = np.flatnonzero(support.any(axis=1 - axis))
        left = first_left[axis] + unit[axis] * j[axis]
        assert (nonzero.min(), nonzero.max()) == (left, left + r[axis] - 1)


def model_and_dicts_for(stack_spec):
    """A Sequential with Conv/MaxPool/AvgPool and pass-through layers, and the matching dicts."""
    modules, dicts = [], []
    for kind, k, s, p, d in stack_spec:
        if kind == "conv":
            modules += [nn.Conv2d(2, 2, k, s, p, d), nn.BatchNorm2d(2), nn.ReLU()]
        elif kind == "max":
            modules += [nn.MaxPool2d(k, s, p, d), nn.Dropout(0.5)]
        else:
            modules += [nn.Sequential(nn.AvgPool2d(k, s, p), nn.LeakyReLU())]
            d = 1
        dicts.append({"kernel_size": k, "stride": s, "padding": p, "dilation": d})
    return nn.Sequential(*modules), dicts


@given(
    stack_spec=st.lists(
        st.tuples(st.sampled_from(["conv", "max", "avg"]), st.integers(1, 5), st.integers(1, 3),
                  st.integers(0, 2), st.integers(1, 3)),
        min_size=1, max_size=5,
    ).map(lambda layers: [(kind, k, s, min(p, k // 2), d) for kind, k, s, p, d in layers])
)
def test_a_torch_sequential_gives_the_records_of_its_layer_dicts(stack_spec):
    model, dicts = model_and_dicts_for(stack_spec)
    assert receptive_field(model) == receptive_field(dicts)


def test_worked_example_three_stacked_3x3_convs_see_7_pixels_and_two_see_5():
    records = receptive_field([{"kernel_size": 3}] * 3)
    assert [r.receptive_field for r in records] == [3, 5, 7]
    assert [r.jump for r in records] == [1, 1, 1]


def test_records_follow_the_recurrence_through_a_strided_padded_stack():
    layers = [
        {"kernel_size": 3, "stride": 2, "padding": 1},  # r 3, j 2, start 0
        {"kernel_size": 2, "stride": 2},  # r 3 + 1*2 = 5, j 4, start 0 + 0.5*2 = 1
        {"kernel_size": 3, "dilation": 2, "padding": 2},  # r 5 + 2*2*4 = 21, j 4, start 1 + 0*4
    ]
    assert receptive_field(layers) == [
        LayerField(3, 2, 0.0), LayerField(5, 4, 1.0), LayerField(21, 4, 1.0)
    ]


def test_non_square_layers_give_per_dimension_records():
    model = nn.Sequential(nn.Conv2d(1, 1, (3, 5), stride=(1, 2)), nn.Conv2d(1, 1, 3))
    assert receptive_field(model)[-1] == LayerField((5, 9), (1, 2), (2.0, 4.0))


def test_square_tuples_and_conv1d_give_int_records():
    assert receptive_field([{"kernel_size": (3, 3), "stride": [2, 2]}]) == [LayerField(3, 2, 1.0)]
    assert receptive_field(nn.Sequential(nn.Conv1d(1, 1, 3), nn.MaxPool1d(2))) == [
        LayerField(3, 1, 1.0), LayerField(4, 2, 1.5)
    ]


def test_same_padding_is_resolved_like_torch_with_the_odd_pixel_on_the_right():
    # kernel 4, dilation 1: torch pads 1 on the left and 2 on the right.
    assert receptive_field([{"kernel_size": 4, "padding": "same"}]) == [LayerField(4, 1, 0.5)]
    assert receptive_field([{"kernel_size": 3, "padding": "valid"}]) == [LayerField(3, 1, 1.0)]


def test_an_empty_stack_has_no_records_and_pass_through_layers_add_none():
    assert receptive_field([]) == []
    assert receptive_field(nn.Sequential(nn.ReLU(), nn.BatchNorm2d(3), nn.Dropout2d())) == []


def test_a_single_module_counts_as_a_one_layer_stack():
    assert receptive_field(nn.Conv2d(1, 1, 3, stride=2)) == [LayerField(3, 2, 1.0)]


def test_importing_these_reference_modules_and_their_mistakes_does_not_import_torch():
    code = (
        "import sys\n"
        "import reference.conv_arithmetic, reference.normalization, reference.receptive_field as rf\n"
        "import reference.mistakes.conv_arithmetic, reference.mistakes.receptive_field\n"
        "import reference.mistakes.normalization\n"
        "rf.receptive_field([{'kernel_size': 3}])\n"
        "print('torch' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


BAD_LAYERS = {
    "unknown-module-is-named": (nn.Sequential(nn.Conv2d(1, 1, 3), nn.Flatten()), TypeError,
                                "layers[1] is a Flatten, which receptive_field does not know"),
    "nested-unknown-module": (nn.Sequential(nn.Sequential(nn.Linear(2, 2))), TypeError,
                              "layers[0][0] is a Linear"),
    "not-a-sequence": (5, TypeError, "layers must be a sequence of layer dicts or a torch.nn.Sequential"),
    "item-not-a-dict": ([{"kernel_size": 3}, 3], TypeError,
                        "layers[1] must be a layer dict or a torch.nn module, got 3 (type=int)"),
    "missing-kernel-size": ([{"stride": 2}], ValueError, "layers[0] must have a 'kernel_size'"),
    "unknown-key": ([{"kernel_size": 3, "strides": 2}], ValueError, "layers[0] has unknown keys ['strides']"),
    "kernel-size-zero": ([{"kernel_size": 0}], ValueError, "layers[0] kernel_size must be a positive int, got 0"),
    "padding-negative": ([{"kernel_size": 3, "padding": -1}], ValueError,
                         "layers[0] padding must be a non-negative int"),
    "unknown-padding-mode": ([{"kernel_size": 3, "padding": "full"}], ValueError,
                             "layers[0] padding must be one of ('valid', 'same')"),
    "dimensions-differ": ([{"kernel_size": (3, 3)}, {"kernel_size": (3, 3, 3)}], ValueError,
                          "layers[1]: kernel_size=(3, 3, 3) has 3 dimensions, but an earlier layer has 2"),
}


@pytest.mark.parametrize("layers, error, message", BAD_LAYERS.values(), ids=BAD_LAYERS.keys())
def test_bad_layers_raise_naming_the_layer(layers, error, message):
    with pytest.raises(error) as info:
        receptive_field(layers)
    assert message in str(info.value)
