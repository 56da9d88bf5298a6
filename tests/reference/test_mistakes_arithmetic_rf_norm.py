"""Every mistake of the conv-arithmetic, receptive-field and normalisation areas is a plausible,
provably wrong imitation of its reference function."""
import dataclasses
import importlib
import inspect

import numpy as np
import pytest

from reference.mistakes import catalog, mistakes_for
from reference.mistakes import conv_arithmetic as conv_mistakes
from reference.mistakes import normalization as norm_mistakes
from reference.mistakes import receptive_field as rf_mistakes

MISTAKES = conv_mistakes.MISTAKES + rf_mistakes.MISTAKES + norm_mistakes.MISTAKES


def call(*args, **kwargs):
    return args, kwargs


K3 = {"kernel_size": 3}
K2_S2 = {"kernel_size": 2, "stride": 2}
X = np.array([[0.0, 1.0], [2.0, 5.0], [4.0, -1.0]])  # N=3, C=2
MEAN, VAR = np.array([0.5, 1.0]), np.array([2.0, 3.0])
X_PM = np.array([[-1.0], [1.0], [-1.0], [1.0]])  # xhat = +-1/sqrt(1 + eps)
G_ORTHOGONAL = np.array([[1.0], [1.0], [-1.0], [-1.0]])  # sum(g) = 0 and sum(g * xhat) = 0
KEEP = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
GAMMA, BETA = np.array([2.0, -0.5]), np.array([1.0, 3.0])
X4 = np.arange(16.0).reshape(2, 2, 2, 2) ** 1.5  # (N, C, H, W) with N=2, C=2
G4 = np.cos(np.arange(16.0)).reshape(2, 2, 2, 2)

# mistake id -> (a call where it differs from the reference, a call where it agrees or None)
EXHIBITS = {
    "conv_output_size.ceil_instead_of_floor": (call(5, 2, 2), call(5, 3, 2, 1)),
    "conv_output_size.padding_on_one_side": (call(5, 3, 1, 1), call(5, 3)),
    "conv_output_size.dilation_ignored": (call(7, 3, 1, 0, 2), call(7, 3)),
    "conv_output_size.dilation_times_kernel_size": (call(7, 3, 1, 0, 2), call(7, 3)),
    "conv_output_size.forgot_plus_one": (call(5, 3), None),
    "conv_output_size.stride_ignored": (call(5, 3, 2), call(5, 3)),
    "conv_output_size.divides_before_subtracting_kernel": (call(5, 3, 2, 1), call(5, 3, 1, 1)),
    "pool_output_size.stride_defaults_to_one": (call(8, 2), call(8, 2, 2)),
    "pool_output_size.ceil_mode_without_last_window_rule": (
        call(5, 2, 2, 1, ceil_mode=True), call(5, 2, 2, 0, ceil_mode=True)),
    "pool_output_size.ceil_mode_ignored": (call(5, 2, ceil_mode=True), call(4, 2, ceil_mode=True)),
    "pool_output_size.always_ceil": (call(5, 2), call(4, 2)),
    "conv_transpose_output_size.padding_added_not_removed": (call(4, 3, 2, 1), call(4, 3, 2, 0)),
    "conv_transpose_output_size.output_padding_ignored": (call(4, 3, 2, 1, 1), call(4, 3, 2, 1, 0)),
    "conv_parameter_count.bias_forgotten": (call(3, 8, 3), call(3, 8, 3, bias=False)),
    "conv_parameter_count.bias_per_input_channel": (call(3, 8, 3), call(1, 6, 5)),
    "conv_parameter_count.groups_ignored": (call(4, 8, 3, groups=2), call(4, 8, 3)),
    "conv_parameter_count.input_channels_ignored": (call(3, 8, 3), call(1, 8, 3)),
    "conv_parameter_count.kernel_not_squared": (call(3, 8, 3), call(3, 8, 1)),
    "linear_parameter_count.weights_only": (call(120, 84), call(120, 84, bias=False)),
    "conv_macs.all_input_channels_summed": (call(4, 8, 3, 10, groups=2), call(4, 8, 3, 10)),
    "receptive_field.sums_without_jump": (call([K2_S2, K3]), call([K3, K3, K3])),
    "receptive_field.multiplies_kernel_sizes": (call([K3, K3]), call([K2_S2, K2_S2])),
    "receptive_field.dilation_ignored": (call([{"kernel_size": 3, "dilation": 2}]), call([K3, K3])),
    "receptive_field.previous_stride_only": (call([K2_S2, K2_S2, K3]), call([K2_S2, K3])),
    "receptive_field.own_stride_included": (call([{"kernel_size": 3, "stride": 2}]), call([K3, K3, K3])),
    "receptive_field.padding_subtracted": (call([{"kernel_size": 3, "padding": 1}]), call([K3])),
    "batch_norm.unbiased_variance_in_normalisation": (call(X, MEAN, VAR, training=True), call(X, MEAN, VAR)),
    "batch_norm.biased_variance_in_running_estimate": (call(X, MEAN, VAR, training=True), call(X, MEAN, VAR)),
    "batch_norm.keras_momentum": (call(X, MEAN, VAR, training=True),
                                  call(X, MEAN, VAR, training=True, momentum=0.5)),
    "batch_norm.batch_statistics_in_eval": (call(X, MEAN, VAR), call(X, MEAN, VAR, training=True)),
    "batch_norm.eps_outside_sqrt": (call(X, MEAN, VAR, training=True), call(X, MEAN, VAR, training=True, eps=0)),
    "batch_norm.running_statistics_not_updated": (call(X, MEAN, VAR, training=True), call(X, MEAN, VAR)),
    "batch_norm_backward.mean_and_variance_as_constants": (call(X, X[::-1], None),
                                                           call(G_ORTHOGONAL, X_PM, None)),
    "batch_norm_backward.variance_as_constant": (call(X, X[::-1], MEAN), call(np.ones((4, 1)), X_PM, None)),
    "batch_norm.eval_without_affine": (call(X, MEAN, VAR, GAMMA, BETA), call(X, MEAN, VAR, training=True)),
    "batch_norm.reshape_without_transpose": (call(X4, MEAN, VAR, training=True),
                                             call(X, MEAN, VAR, GAMMA, BETA, training=True)),
    "batch_norm_backward.gamma_forgotten_in_dx": (call(X, X[::-1], GAMMA), call(X, X[::-1], None)),
    "batch_norm_backward.param_grads_batch_axis_only": (call(G4, X4, None), call(X, X[::-1], GAMMA)),
    "batch_norm_backward.unbiased_variance": (call(X, X[::-1], GAMMA), None),
    "dropout.no_rescaling": (call(X, KEEP, 0.5), call(X, KEEP, 0.0)),
    "dropout.scales_by_keep_probability": (call(X, KEEP, 0.5), call(X, KEEP, 0.0)),
    "dropout.mask_means_dropped": (call(X, KEEP, 0.5), None),
    "dropout_backward.gradient_not_rescaled": (call(X, KEEP, 0.5), call(X, KEEP, 0.0)),
    "dropout_backward.gradient_not_masked": (call(X, KEEP, 0.5), call(X, np.ones_like(X), 0.5)),
    "dropout.applied_in_eval": (call(X, KEEP, 0.5, False), call(X, KEEP, 0.5, True)),
    "dropout.eval_scales_by_keep_probability": (call(X, KEEP, 0.5, training=False), call(X, KEEP, 0.5)),
    "dropout_backward.training_ignored": (call(X, KEEP, 0.5, False), call(X, KEEP, 0.5)),
}

# The graded functions of the conv_arithmetic assignment take and return plain ints.
GRADED = {
    "reference.conv_arithmetic.conv_output_size",
    "reference.conv_arithmetic.pool_output_size",
    "reference.conv_arithmetic.conv_parameter_count",
    "reference.receptive_field.receptive_field",
}


def reference_of(m):
    module, name = m.reference.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def same(a, b) -> bool:
    """Equal ints/tuples/records, or arrays equal to rounding."""
    if dataclasses.is_dataclass(a) and dataclasses.is_dataclass(b):
        return same(dataclasses.astuple(a), dataclasses.astuple(b))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if a is None or b is None:
        return a is b
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-12, atol=1e-12))


by_id = {m.id: m for m in MISTAKES}


def test_the_areas_have_at_least_twelve_mistakes_all_exhibited():
    assert len(MISTAKES) >= 12
    assert set(by_id) == set(EXHIBITS)
    assert len(by_id) == len(MISTAKES), "mistake ids must be unique"


@pytest.mark.parametrize("mistake_id", EXHIBITS.keys())
def test_mistake_differs_from_the_reference_on_its_exhibit(mistake_id):
    m = by_id[mistake_id]
    (args, kwargs), _ = EXHIBITS[mistake_id]
    assert not same(m(*args, **kwargs), reference_of(m)(*args, **kwargs))


@pytest.mark.parametrize("mistake_id", [i for i, (_, agree) in EXHIBITS.items() if agree is not None])
def test_mistake_agrees_with_the_reference_on_an_ordinary_input(mistake_id):
    m = by_id[mistake_id]
    _, (args, kwargs) = EXHIBITS[mistake_id]
    assert same(m(*args, **kwargs), reference_of(m)(*args, **kwargs))


@pytest.mark.parametrize("mistake_id", EXHIBITS.keys())
def test_mistake_has_the_reference_signature_a_docstring_and_a_one_line_explanation(mistake_id):
    m = by_id[mistake_id]
    assert inspect.signature(m.function).parameters == inspect.signature(reference_of(m)).parameters
    assert m.function.__doc__ and m.function.__doc__.strip()
    assert m.explanation.strip() and "\n" not in m.explanation


@pytest.mark.parametrize("mistake_id", [i for i in EXHIBITS if by_id[i].reference in GRADED])
def test_mistakes_of_graded_functions_take_and_give_plain_ints(mistake_id):
    m = by_id[mistake_id]
    (args, kwargs), _ = EXHIBITS[mistake_id]
    result = m(*args, **kwargs)
    if isinstance(result, list):  # receptive_field: the student returns the last record's field
        result = result[-1].receptive_field
    assert type(result) is int


@pytest.mark.parametrize("mistake_id", EXHIBITS.keys())
def test_mistake_validates_its_arguments_like_the_reference(mistake_id):
    m = by_id[mistake_id]
    (args, kwargs), _ = EXHIBITS[mistake_id]
    bad_args = ("not valid",) + args[1:]
    with pytest.raises((TypeError, ValueError)):
        reference_of(m)(*bad_args, **kwargs)
    with pytest.raises((TypeError, ValueError)):
        m(*bad_args, **kwargs)


def test_the_catalog_lists_these_mistakes_under_their_reference():
    assert set(MISTAKES) <= set(catalog())
    assert set(mistakes_for("reference.receptive_field.receptive_field")) == set(rf_mistakes.MISTAKES)
