"""Checks for assignment 1, convolution arithmetic (ids as in rubrics/conv_arithmetic.yaml).

The student's functions (see the notebook):

    conv_output_size(n_in, kernel_size, stride=1, padding=0, dilation=1) -> int
    pool_output_size(n_in, kernel_size, stride=None, ceil_mode=False) -> int
    conv_param_count(in_channels, out_channels, kernel_size, bias=True) -> int
    receptive_field(layers) -> int      # layers: dicts with kernel_size, stride[, dilation]

"matches_torch" checks compare with ``reference.conv_arithmetic``, which the reference tests
prove equal to torch; generated inputs are restricted to valid layers (output size >= 1).
Each ``adapt`` calls a reference-like function the way the student's function is called, so
that the catalogued mistakes can be compared with the student's answers.
"""
from hypothesis import assume
from hypothesis import strategies as st

import reference.conv_arithmetic as ref
import reference.receptive_field as ref_rf
from grader.checks import cases, check, expect_equal, given


def conv_as_student(f, n_in, kernel_size, stride=1, padding=0, dilation=1):
    return f(n_in, kernel_size, stride, padding, dilation)


def pool_as_student(f, n_in, kernel_size, stride=None, ceil_mode=False):
    return f(n_in, kernel_size, stride, ceil_mode=ceil_mode)


def param_count_as_student(f, in_channels, out_channels, kernel_size, bias=True):
    return f(in_channels, out_channels, kernel_size, bias=bias)


def rf_as_student(f, layers):
    return f(layers)[-1].receptive_field


def conv_fits(n_in, kernel_size, padding, dilation):
    return n_in + 2 * padding >= dilation * (kernel_size - 1) + 1


# --- conv_output_size -------------------------------------------------------------------------

CONV = dict(function="conv_output_size", reference=ref.conv_output_size, adapt=conv_as_student)


@check("conv_output_size.worked_examples", **CONV)
@cases(
    dict(n_in=5, kernel_size=3, stride=2, padding=1, expected=3),  # the notebook's example
    dict(n_in=3, kernel_size=3, stride=2, padding=1, expected=2),  # the same layer again
    dict(n_in=32, kernel_size=5, stride=1, padding=0, expected=28),  # LeNet-5 C1
    dict(n_in=224, kernel_size=7, stride=2, padding=3, expected=112),  # ResNet stem
)
def _(student, n_in, kernel_size, stride, padding, expected):
    expect_equal(student.conv_output_size(n_in, kernel_size, stride=stride, padding=padding), expected)


@check("conv_output_size.matches_torch", depends_on=["conv_output_size.worked_examples"], **CONV)
@given(
    n_in=st.integers(1, 64),
    kernel_size=st.integers(1, 7),
    stride=st.integers(1, 4),
    padding=st.integers(0, 3),
    dilation=st.integers(1, 3),
)
def _(student, n_in, kernel_size, stride, padding, dilation):
    assume(conv_fits(n_in, kernel_size, padding, dilation))
    expect_equal(
        student.conv_output_size(n_in, kernel_size, stride=stride, padding=padding, dilation=dilation),
        ref.conv_output_size(n_in, kernel_size, stride, padding, dilation),
    )


# --- pool_output_size -------------------------------------------------------------------------

POOL = dict(function="pool_output_size", reference=ref.pool_output_size, adapt=pool_as_student)


def call_pool(student, n_in, kernel_size, stride, **options):
    # stride=None is left out, so that the student's own default is what is tested
    stride_option = {} if stride is None else {"stride": stride}
    return student.pool_output_size(n_in, kernel_size, **stride_option, **options)


@check("pool_output_size.worked_examples", **POOL)
@cases(
    dict(n_in=4, kernel_size=2, stride=None, expected=2),  # the notebook's example
    dict(n_in=5, kernel_size=2, stride=None, expected=2),  # a partial window is dropped
    dict(n_in=28, kernel_size=2, stride=2, expected=14),  # LeNet-5 S2
    dict(n_in=112, kernel_size=3, stride=2, expected=55),  # 3x3 max pooling, stride 2
)
def _(student, n_in, kernel_size, stride, expected):
    expect_equal(call_pool(student, n_in, kernel_size, stride), expected)


@check("pool_output_size.matches_torch", depends_on=["pool_output_size.worked_examples"], **POOL)
@given(
    n_in=st.integers(1, 64),
    kernel_size=st.integers(1, 7),
    stride=st.none() | st.integers(1, 8),
)
def _(student, n_in, kernel_size, stride):
    assume(n_in >= kernel_size)
    expect_equal(
        call_pool(student, n_in, kernel_size, stride),
        ref.pool_output_size(n_in, kernel_size, stride),
    )


@check("pool_output_size.ceil_mode", depends_on=["pool_output_size.worked_examples"], **POOL)
@given(
    n_in=st.integers(1, 64),
    kernel_size=st.integers(1, 7),
    stride=st.none() | st.integers(1, 8),
)
def _(student, n_in, kernel_size, stride):
    # strides above the kernel size reach torch's rule: a last window must start inside
    assume(n_in >= kernel_size)
    expect_equal(
        call_pool(student, n_in, kernel_size, stride, ceil_mode=True),
        ref.pool_output_size(n_in, kernel_size, stride, ceil_mode=True),
    )


# --- conv_param_count -------------------------------------------------------------------------

PARAMS = dict(
    function="conv_param_count", reference=ref.conv_parameter_count, adapt=param_count_as_student
)


@check("conv_param_count.worked_examples", **PARAMS)
@cases(
    dict(in_channels=1, out_channels=6, kernel_size=5, bias=True, expected=156),  # LeNet-5 C1
    dict(in_channels=16, out_channels=120, kernel_size=5, bias=True, expected=48120),  # C5
    dict(in_channels=3, out_channels=64, kernel_size=3, bias=False, expected=1728),  # no bias
)
def _(student, in_channels, out_channels, kernel_size, bias, expected):
    expect_equal(student.conv_param_count(in_channels, out_channels, kernel_size, bias=bias), expected)


@check("conv_param_count.matches_torch", depends_on=["conv_param_count.worked_examples"], **PARAMS)
@given(
    in_channels=st.integers(1, 64),
    out_channels=st.integers(1, 64),
    kernel_size=st.integers(1, 7),
    bias=st.booleans(),
)
def _(student, in_channels, out_channels, kernel_size, bias):
    expect_equal(
        student.conv_param_count(in_channels, out_channels, kernel_size, bias=bias),
        ref.conv_parameter_count(in_channels, out_channels, kernel_size, bias=bias),
    )


# --- receptive_field --------------------------------------------------------------------------

RF = dict(function="receptive_field", reference=ref_rf.receptive_field, adapt=rf_as_student)
CONV3 = {"kernel_size": 3, "stride": 1}


def layers(dilation):
    layer = st.fixed_dictionaries(
        {"kernel_size": st.integers(1, 7), "stride": st.integers(1, 3), **dilation}
    )
    return st.lists(layer, min_size=1, max_size=6)


@check("receptive_field.worked_examples", **RF)
@cases(
    dict(layers=[CONV3] * 3, expected=7),  # the notebook's example
    dict(layers=[CONV3] * 2, expected=5),
    # LeNet-5: conv 5x5, pool 2 stride 2, conv 5x5, pool 2 stride 2
    dict(
        layers=[
            {"kernel_size": 5, "stride": 1},
            {"kernel_size": 2, "stride": 2},
            {"kernel_size": 5, "stride": 1},
            {"kernel_size": 2, "stride": 2},
        ],
        expected=16,
    ),
)
def _(student, layers, expected):
    expect_equal(student.receptive_field(layers), expected)


@check("receptive_field.matches_reference", depends_on=["receptive_field.worked_examples"], **RF)
@given(layers=layers(dilation={}))
def _(student, layers):
    expect_equal(student.receptive_field(layers), rf_as_student(ref_rf.receptive_field, layers))


@check("receptive_field.dilation", depends_on=["receptive_field.worked_examples"], **RF)
@given(layers=layers(dilation={"dilation": st.integers(1, 4)}))
def _(student, layers):
    assume(any(layer["dilation"] > 1 for layer in layers))
    expect_equal(student.receptive_field(layers), rf_as_student(ref_rf.receptive_field, layers))
