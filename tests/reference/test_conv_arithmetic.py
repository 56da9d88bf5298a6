"""Output sizes, parameter counts and MACs, checked against the shapes PyTorch produces."""
import warnings

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode

from reference.conv_arithmetic import (
    conv_macs,
    conv_output_size,
    conv_parameter_count,
    conv_transpose_output_size,
    linear_parameter_count,
    pool_output_size,
)

CONV = {1: F.conv1d, 2: F.conv2d}
CONV_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d}
MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d}
AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d}


def zeros(*shape):
    return torch.zeros(*shape, dtype=torch.float64)


def torch_shape(call):
    """The spatial output shape of a torch call, or None when torch refuses the arguments."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # 'same' padding with even kernels warns
            return tuple(call().shape[2:])
    except RuntimeError:
        return None


def reference_shape(function, *args, **kwargs):
    """The reference's result as a tuple, or None when it raises ValueError."""
    try:
        out = function(*args, **kwargs)
    except ValueError:
        return None
    return out if isinstance(out, tuple) else (out,)


@st.composite
def per_dimension(draw, ndim, values):
    """An int (ndim 1) or a tuple of ints (ndim 2)."""
    drawn = tuple(draw(values) for _ in range(ndim))
    return drawn[0] if ndim == 1 else drawn


def size_arguments(ndim, **ranges):
    return st.fixed_dictionaries(
        {name: per_dimension(ndim, st.integers(lo, hi)) for name, (lo, hi) in ranges.items()}
    )


def dims(value, ndim):
    return value if isinstance(value, tuple) else (value,) * ndim


# --- conv_output_size -----------------------------------------------------------------------


@pytest.mark.parametrize("ndim", [1, 2], ids=["conv1d", "conv2d"])
@given(data=st.data())
def test_conv_output_size_matches_torch_output_shape(ndim, data):
    a = data.draw(
        size_arguments(ndim, size=(1, 20), kernel_size=(1, 6), stride=(1, 4), padding=(0, 3), dilation=(1, 3))
    )
    weight = zeros(1, 1, *dims(a["kernel_size"], ndim))
    expected = torch_shape(
        lambda: CONV[ndim](zeros(1, 1, *dims(a["size"], ndim)), weight, stride=a["stride"],
                           padding=a["padding"], dilation=a["dilation"])
    )
    assert reference_shape(conv_output_size, **a) == expected


@pytest.mark.parametrize("padding", ["valid", "same"])
@given(height=st.integers(1, 20), width=st.integers(1, 20), kernel_size=st.integers(1, 6),
       dilation=st.integers(1, 3))
def test_conv_output_size_with_string_padding_matches_torch(padding, height, width, kernel_size, dilation):
    expected = torch_shape(
        lambda: F.conv2d(zeros(1, 1, height, width), zeros(1, 1, kernel_size, kernel_size),
                         padding=padding, dilation=dilation)
    )
    got = reference_shape(conv_output_size, (height, width), kernel_size, 1, padding, dilation)
    assert got == expected
    expected_1d = torch_shape(
        lambda: F.conv1d(zeros(1, 1, height), zeros(1, 1, kernel_size), padding=padding, dilation=dilation)
    )
    assert reference_shape(conv_output_size, height, kernel_size, padding=padding, dilation=dilation) == expected_1d


def test_conv_output_size_returns_int_for_ints_and_tuple_when_any_argument_is_a_tuple():
    assert conv_output_size(5, 3, stride=2, padding=1) == 3
    assert conv_output_size(5, (3, 1), stride=2, padding=1) == (3, 4)
    assert conv_output_size([5, 7], 3, padding=[1, 0]) == (5, 5)
    assert conv_output_size(5, 3, padding="same") == 5


def test_worked_example_5x5_kernel_3_padding_1_stride_2_gives_3x3_then_2x2():
    first = conv_output_size((5, 5), 3, stride=2, padding=1)
    assert first == (3, 3)
    assert conv_output_size(first, 3, stride=2, padding=1) == (2, 2)


# --- pool_output_size -----------------------------------------------------------------------


@st.composite
def pool_arguments(draw, ndim, dilation=True):
    kernel = draw(per_dimension(ndim, st.integers(1, 5)))
    k = dims(kernel, ndim)
    padding = tuple(draw(st.integers(0, ki // 2)) for ki in k)
    return {
        "size": draw(per_dimension(ndim, st.integers(1, 20))),
        "kernel_size": kernel,
        "stride": draw(st.none() | per_dimension(ndim, st.integers(1, 4))),
        "padding": padding[0] if ndim == 1 else padding,
        "dilation": draw(per_dimension(ndim, st.integers(1, 3))) if dilation else 1,
        "ceil_mode": draw(st.booleans()),
    }


@pytest.mark.parametrize("ndim", [1, 2], ids=["max_pool1d", "max_pool2d"])
@given(data=st.data())
def test_pool_output_size_matches_max_pool_output_shape(ndim, data):
    a = data.draw(pool_arguments(ndim))
    expected = torch_shape(
        lambda: MAX_POOL[ndim](zeros(1, 1, *dims(a["size"], ndim)), a["kernel_size"], a["stride"],
                               a["padding"], a["dilation"], ceil_mode=a["ceil_mode"])
    )
    assert reference_shape(pool_output_size, **a) == expected


@pytest.mark.parametrize("ndim", [1, 2], ids=["avg_pool1d", "avg_pool2d"])
@given(data=st.data())
def test_pool_output_size_matches_avg_pool_output_shape(ndim, data):
    a = data.draw(pool_arguments(ndim, dilation=False))
    del a["dilation"]
    expected = torch_shape(
        lambda: AVG_POOL[ndim](zeros(1, 1, *dims(a["size"], ndim)), a["kernel_size"], a["stride"],
                               a["padding"], ceil_mode=a["ceil_mode"])
    )
    assert reference_shape(pool_output_size, **a) == expected


CEIL_MODE_CORNERS = {
    # (size, kernel_size, stride, padding): the last window starts in the right padding.
    "last-window-in-right-padding-is-dropped": (5, 2, 2, 1),
    "last-window-starting-on-last-pixel-is-kept": (6, 2, 2, 1),
    "partial-window-without-padding-is-kept": (5, 2, 2, 0),
    "exact-fit-adds-nothing": (6, 2, 2, 0),
    "stride-larger-than-kernel": (7, 2, 3, 1),
    "kernel-1-stride-2": (4, 1, 2, 0),
}


@pytest.mark.parametrize("pool", ["max", "avg"])
@pytest.mark.parametrize("case", CEIL_MODE_CORNERS.values(), ids=CEIL_MODE_CORNERS.keys())
def test_pool_output_size_ceil_mode_corners_match_torch(case, pool):
    size, kernel, stride, padding = case
    pooling = {"max": F.max_pool1d, "avg": F.avg_pool1d}[pool]
    expected = torch_shape(lambda: pooling(zeros(1, 1, size), kernel, stride, padding, ceil_mode=True))
    assert (pool_output_size(size, kernel, stride, padding, ceil_mode=True),) == expected


def test_pool_output_size_drops_a_last_window_that_would_start_in_the_right_padding():
    # floor((5 + 2 - 2) / 2) rounded up is 3, + 1 = 4; but window 4 would start at 6 >= 5 + 1.
    assert pool_output_size(5, 2, 2, padding=1, ceil_mode=True) == 3


def test_pool_output_size_stride_defaults_to_kernel_size():
    assert pool_output_size(8, 2) == 4
    assert pool_output_size((8, 9), 3) == (2, 3)


# --- conv_transpose_output_size ---------------------------------------------------------------


@pytest.mark.parametrize("ndim", [1, 2], ids=["conv_transpose1d", "conv_transpose2d"])
@given(data=st.data())
def test_conv_transpose_output_size_matches_torch_output_shape(ndim, data):
    a = data.draw(
        size_arguments(ndim, size=(1, 10), kernel_size=(1, 5), stride=(1, 4), padding=(0, 4),
                       output_padding=(0, 3), dilation=(1, 3))
    )
    expected = torch_shape(
        lambda: CONV_TRANSPOSE[ndim](
            zeros(1, 1, *dims(a["size"], ndim)), zeros(1, 1, *dims(a["kernel_size"], ndim)),
            stride=a["stride"], padding=a["padding"], output_padding=a["output_padding"],
            dilation=a["dilation"])
    )
    assert reference_shape(conv_transpose_output_size, **a) == expected


def test_conv_transpose_output_size_undoes_a_strided_convolution():
    # 7 -> conv(k=3, s=2, p=1) -> 4 -> transposed conv with output_padding 0 -> 7.
    assert conv_output_size(7, 3, 2, 1) == 4
    assert conv_transpose_output_size(4, 3, 2, 1) == 7
    assert conv_transpose_output_size(4, 3, 2, 1, output_padding=1) == 8


# --- parameter counts and MACs ---------------------------------------------------------------


@given(
    groups=st.integers(1, 3), in_per_group=st.integers(1, 4), out_per_group=st.integers(1, 4),
    kernel_size=st.integers(1, 5) | st.tuples(st.integers(1, 5), st.integers(1, 5)),
    bias=st.booleans(),
)
def test_conv_parameter_count_matches_torch_conv2d(groups, in_per_group, out_per_group, kernel_size, bias):
    conv = torch.nn.Conv2d(groups * in_per_group, groups * out_per_group, kernel_size,
                           groups=groups, bias=bias, device="meta")
    expected = sum(p.numel() for p in conv.parameters())
    got = conv_parameter_count(groups * in_per_group, groups * out_per_group, kernel_size,
                               bias=bias, groups=groups)
    assert got == expected


@pytest.mark.parametrize(
    "module, kernel_size",
    [(torch.nn.Conv1d, (4,)), (torch.nn.Conv3d, (2, 3, 4))],
    ids=["conv1d", "conv3d"],
)
def test_conv_parameter_count_with_a_kernel_tuple_counts_every_dimension(module, kernel_size):
    conv = module(3, 5, kernel_size, device="meta")
    assert conv_parameter_count(3, 5, kernel_size) == sum(p.numel() for p in conv.parameters())


@given(in_features=st.integers(1, 50), out_features=st.integers(1, 50), bias=st.booleans())
def test_linear_parameter_count_matches_torch_linear(in_features, out_features, bias):
    linear = torch.nn.Linear(in_features, out_features, bias=bias, device="meta")
    assert linear_parameter_count(in_features, out_features, bias=bias) == sum(
        p.numel() for p in linear.parameters()
    )


@given(
    groups=st.integers(1, 3), in_per_group=st.integers(1, 3), out_per_group=st.integers(1, 3),
    kernel_size=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    size=st.tuples(st.integers(4, 9), st.integers(4, 9)),
)
def test_conv_macs_are_half_the_flops_torch_counts(groups, in_per_group, out_per_group, kernel_size, size):
    x = zeros(1, groups * in_per_group, *size)
    w = zeros(groups * out_per_group, in_per_group, *kernel_size)
    with FlopCounterMode(display=False) as counter:
        out = F.conv2d(x, w, groups=groups)
    macs = conv_macs(groups * in_per_group, groups * out_per_group, kernel_size,
                     tuple(out.shape[2:]), groups=groups)
    assert 2 * macs == counter.get_total_flops()


def test_conv_macs_with_ints_mean_a_square_kernel_and_output():
    assert conv_macs(3, 8, 3, 32) == 32 * 32 * 8 * 3 * 9
    assert conv_macs(4, 8, (3,), 10, groups=2) == 10 * 8 * 2 * 3


# --- worked examples: LeNet-5 and stacked 3x3 convolutions -------------------------------------


@pytest.mark.parametrize(
    "layer, count, expected",
    [
        ("C1 conv 1->6 5x5", lambda: conv_parameter_count(1, 6, 5), 156),
        ("C5 conv 16->120 5x5", lambda: conv_parameter_count(16, 120, 5), 48_120),
        ("F6 linear 120->84", lambda: linear_parameter_count(120, 84), 10_164),
    ],
    ids=["C1", "C5", "F6"],
)
def test_lenet5_parameter_counts(layer, count, expected):
    assert count() == expected


def test_lenet5_c3_partial_connection_table_has_1516_parameters():
    # 6 maps see 3 input maps, 9 see 4, 1 sees all 6; each map is a 5x5 conv with one bias.
    inputs_per_map = [3] * 6 + [4] * 9 + [6]
    assert sum(conv_parameter_count(n, 1, 5) for n in inputs_per_map) == 1_516
    assert sum(n * 25 + 1 for n in inputs_per_map) == 1_516


@pytest.mark.parametrize("channels", [1, 16, 64])
def test_two_stacked_3x3_convs_have_18k2_weights_against_25k2_for_one_5x5(channels):
    two_3x3 = 2 * conv_parameter_count(channels, channels, 3, bias=False)
    one_5x5 = conv_parameter_count(channels, channels, 5, bias=False)
    assert (two_3x3, one_5x5) == (18 * channels**2, 25 * channels**2)


# --- errors -------------------------------------------------------------------------------------

BAD_ARGUMENTS = {
    "kernel-size-zero": (conv_output_size, (5, 0), {}, ValueError, "kernel_size must be a positive int, got 0"),
    "size-float": (conv_output_size, (5.0, 3), {}, TypeError, "size must be an int or a sequence"),
    "stride-negative": (conv_output_size, (5, 3, -1), {}, ValueError, "stride must be a positive int"),
    "tuple-lengths-differ": (conv_output_size, ((5, 5), (3, 3, 3)), {}, ValueError,
                             "kernel_size has 3 dimensions but size has 2"),
    "empty-tuple": (conv_output_size, ((), 3), {}, ValueError, "size must not be empty"),
    "unknown-padding-mode": (conv_output_size, (5, 3), {"padding": "full"}, ValueError,
                             "padding must be one of ('valid', 'same'); got 'full'"),
    "same-padding-with-stride": (conv_output_size, (5, 3, 2, "same"), {}, ValueError,
                                 "padding='same' is only supported with stride 1"),
    "padding-float": (conv_output_size, (5, 3), {"padding": 1.5}, TypeError,
                      "padding must be a non-negative int"),
    "padding-negative": (conv_output_size, (5, 3), {"padding": -1}, ValueError,
                         "padding must be a non-negative int, got -1"),
    "conv-kernel-larger-than-input": (conv_output_size, (5, 7), {}, ValueError,
                                      "the kernel does not fit: input size 5 gives output size -1"),
    "pool-padding-over-half-kernel": (pool_output_size, (5, 3), {"padding": 2}, ValueError,
                                      "padding must be at most half of kernel_size"),
    "pool-window-larger-than-input": (pool_output_size, ((5, 5), 7), {}, ValueError,
                                      "the pooling window does not fit"),
    "ceil-mode-not-bool": (pool_output_size, (5, 2), {"ceil_mode": 1}, TypeError,
                           "ceil_mode must be a bool, got 1 (type=int)"),
    "output-padding-too-large": (conv_transpose_output_size, (5, 3, 2), {"output_padding": 2}, ValueError,
                                 "output_padding must be smaller than either stride or dilation"),
    "transpose-padding-eats-output": (conv_transpose_output_size, (2, 1), {"padding": 1}, ValueError,
                                      "the padding does not fit"),
    "in-channels-not-divisible-by-groups": (conv_parameter_count, (3, 4, 3), {"groups": 2}, ValueError,
                                            "in_channels must be divisible by groups"),
    "out-channels-not-divisible-by-groups": (conv_parameter_count, (4, 3, 3), {"groups": 2}, ValueError,
                                             "out_channels must be divisible by groups"),
    "groups-zero": (conv_macs, (4, 4, 3, 5), {"groups": 0}, ValueError, "groups must be a positive int"),
    "bias-not-bool": (conv_parameter_count, (3, 4, 3), {"bias": 1}, TypeError, "bias must be a bool"),
    "linear-bias-not-bool": (linear_parameter_count, (3, 4), {"bias": "yes"}, TypeError,
                             "bias must be a bool"),
    "linear-features-zero": (linear_parameter_count, (0, 4), {}, ValueError,
                             "in_features must be a positive int, got 0"),
    "macs-dimensions-differ": (conv_macs, (4, 4, (3, 3), (5, 5, 5)), {}, ValueError,
                               "output_size has 3 dimensions but kernel_size has 2"),
}


@pytest.mark.parametrize("function, args, kwargs, error, message", BAD_ARGUMENTS.values(),
                         ids=BAD_ARGUMENTS.keys())
def test_bad_arguments_raise_saying_what_was_expected_and_what_came(function, args, kwargs, error, message):
    with pytest.raises(error) as info:
        function(*args, **kwargs)
    assert message in str(info.value)


def test_reference_raises_where_torch_refuses_the_same_layer():
    assert torch_shape(lambda: F.conv1d(zeros(1, 1, 5), zeros(1, 1, 7))) is None
    assert torch_shape(lambda: F.max_pool1d(zeros(1, 1, 5), 3, padding=2)) is None
    assert torch_shape(lambda: F.conv_transpose1d(zeros(1, 1, 5), zeros(1, 1, 3), stride=2,
                                                  output_padding=2)) is None


@pytest.mark.parametrize("module_name", ["conv_arithmetic", "receptive_field", "normalization"])
def test_all_lists_exactly_the_public_functions_and_classes(module_name):
    import importlib
    import inspect

    module = importlib.import_module(f"reference.{module_name}")
    public = {
        name for name, value in vars(module).items()
        if not name.startswith("_") and (inspect.isfunction(value) or inspect.isclass(value))
        and value.__module__ == module.__name__
    }
    assert set(module.__all__) == public
