"""Receptive field, jump and centre of the units of a stack of convolution and pooling layers.

Accepts a list of layer dicts or a ``torch.nn.Sequential``. Modules are recognised by their
class names (and those of their base classes), so this module never imports torch.
"""
from __future__ import annotations

from dataclasses import dataclass

from reference._validation import _describe, int_tuple, is_int, nonnegative_int, one_of, positive_int

__all__ = ["LayerField", "layer_parameters", "make_record", "receptive_field"]

LAYER_KEYS = ("kernel_size", "stride", "padding", "dilation", "name")
PADDING_MODES = ("valid", "same")

# torch.nn classes that change which input pixels a unit sees.
SPATIAL_MODULES = frozenset(
    f"{kind}{n}d" for kind in ("Conv", "MaxPool", "AvgPool") for n in (1, 2, 3)
)
# torch.nn classes that act on each position separately (or per channel): no contribution.
POINTWISE_MODULES = frozenset(
    {
        "Identity", "ReLU", "ReLU6", "LeakyReLU", "PReLU", "RReLU", "ELU", "SELU", "CELU",
        "GELU", "SiLU", "Mish", "Sigmoid", "Tanh", "Hardtanh", "Hardswish", "Hardsigmoid",
        "Softplus", "Softsign", "Tanhshrink", "LogSigmoid", "Threshold",
        "BatchNorm1d", "BatchNorm2d", "BatchNorm3d",
        "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
    }
)


@dataclass(frozen=True)
class LayerField:
    """What one unit after a layer sees, in input pixels.

    Ints for a square stack (every parameter the same in every dimension), otherwise
    per-dimension tuples.

    Attributes:
        receptive_field: how many input pixels (per dimension) one unit depends on.
        jump: distance in input pixels between neighbouring units (the product of strides).
        start: input coordinate of the centre of the first unit; input pixel ``i`` has
            centre ``i``, so a unit ``u`` is centred on ``start + u * jump``.
    """

    receptive_field: int | tuple[int, ...]
    jump: int | tuple[int, ...]
    start: float | tuple[float, ...]


def _torch_class_names(obj) -> set[str] | None:
    """The class names of a torch.nn module and its bases, or None for anything else."""
    mro = type(obj).__mro__
    if not any(c.__name__ == "Module" and c.__module__.startswith("torch.nn") for c in mro):
        return None
    return {c.__name__ for c in mro if c.__module__.startswith("torch.")}


def _items(layers):
    """``(description, layer)`` pairs, flattening nested Sequentials."""
    names = _torch_class_names(layers)
    if names is not None:
        if "Sequential" not in names:
            return [("the model", layers)]
        found = []
        for i, layer in enumerate(layers):
            inner = _torch_class_names(layer)
            if inner is not None and "Sequential" in inner:
                found.extend((f"layers[{i}]{d.removeprefix('layers')}", m) for d, m in _items(layer))
            else:
                found.append((f"layers[{i}]", layer))
        return found
    if isinstance(layers, (list, tuple)):
        return [(f"layers[{i}]", layer) for i, layer in enumerate(layers)]
    raise TypeError(
        f"layers must be a sequence of layer dicts or a torch.nn.Sequential, got {_describe(layers)}"
    )


def _from_dict(where: str, layer: dict) -> dict:
    unknown = sorted(set(layer) - set(LAYER_KEYS), key=str)
    if unknown:
        raise ValueError(f"{where} has unknown keys {unknown}; allowed keys are {LAYER_KEYS}")
    if "kernel_size" not in layer:
        raise ValueError(f"{where} must have a 'kernel_size', got {layer!r}")
    return {
        "kernel_size": layer["kernel_size"],
        "stride": layer.get("stride", 1),
        "padding": layer.get("padding", 0),
        "dilation": layer.get("dilation", 1),
    }


def _from_module(where: str, module, names: set[str]) -> dict | None:
    kind = next((n for n in names if n in SPATIAL_MODULES), None)
    if kind is None:
        if names & POINTWISE_MODULES:
            return None
        raise TypeError(
            f"{where} is a {type(module).__name__}, which receptive_field does not know; "
            f"it handles Conv, MaxPool and AvgPool layers and ignores activations, "
            f"BatchNorm and Dropout"
        )
    return {
        "kernel_size": module.kernel_size,
        "stride": module.stride,
        "padding": module.padding,
        "dilation": getattr(module, "dilation", 1),  # AvgPool has none
    }


def layer_parameters(layers):
    """Validate ``layers``; return ``(square, per_layer)``.

    ``per_layer`` holds, for each contributing layer, one ``(k, s, pad_left, d)`` tuple per
    spatial dimension (``'same'`` padding resolved to ``d*(k-1)//2`` on the left, as torch);
    ``square`` is True when every parameter is the same in every dimension.
    """
    raw = []
    for where, layer in _items(layers):
        names = _torch_class_names(layer)
        if isinstance(layer, dict):
            raw.append((where, _from_dict(where, layer)))
        elif names is not None:
            params = _from_module(where, layer, names)
            if params is not None:
                raw.append((where, params))
        else:
            raise TypeError(f"{where} must be a layer dict or a torch.nn module, got {_describe(layer)}")
    ndim = 1
    for where, params in raw:
        for key, value in params.items():
            if isinstance(value, (tuple, list)) and len(value) != 1:
                if ndim not in (1, len(value)):
                    raise ValueError(
                        f"{where}: {key}={value!r} has {len(value)} dimensions, "
                        f"but an earlier layer has {ndim}"
                    )
                ndim = len(value)
    per_layer = []
    for where, params in raw:
        as_tuple = lambda key, check: int_tuple(  # noqa: E731
            _unwrap(params[key]), f"{where} {key}", ndim, check
        )
        k = as_tuple("kernel_size", positive_int)
        s = as_tuple("stride", positive_int)
        d = as_tuple("dilation", positive_int)
        padding = _unwrap(params["padding"])
        if isinstance(padding, str):
            one_of(padding, f"{where} padding", PADDING_MODES)
            p = tuple(0 if padding == "valid" else di * (ki - 1) // 2 for ki, di in zip(k, d))
        else:
            p = as_tuple("padding", nonnegative_int)
        per_layer.append(tuple(zip(k, s, p, d)))
    square = all(len(set(dims)) == 1 for dims in per_layer)
    return square, per_layer


def _unwrap(value):
    """A 1-tuple (as Conv1d stores its sizes) means the same as its single int."""
    if isinstance(value, (tuple, list)) and len(value) == 1 and is_int(value[0]):
        return value[0]
    return value


def make_record(fields: list[tuple[int, int, float]], square: bool) -> LayerField:
    """A LayerField from per-dimension ``(receptive_field, jump, start)`` triples."""
    r, j, start = zip(*fields)
    if square:
        return LayerField(r[0], j[0], start[0])
    return LayerField(r, j, start)


def receptive_field(layers) -> list[LayerField]:
    """One :class:`LayerField` per Conv/MaxPool/AvgPool layer of ``layers``, in order.

    Per dimension, starting from one input pixel (``r = 1, j = 1, start = 0``)::

        r_out     = r_in + (k - 1) * d * j_in
        j_out     = j_in * s
        start_out = start_in + ((k - 1) * d / 2 - p) * j_in

    (the recurrence of Dumoulin & Visin, "A guide to convolution arithmetic", and of
    Araujo et al., "Computing receptive fields of convolutional neural networks", 2019).

    Args:
        layers: a sequence of dicts with ``kernel_size`` and optional ``stride`` (default 1),
            ``padding`` (0; or ``'valid'``/``'same'``), ``dilation`` (1) and ``name``
            (ignored), each an int or a per-dimension tuple; or a ``torch.nn.Sequential``
            of ``Conv{1,2,3}d``, ``MaxPool``, ``AvgPool`` layers, with activations, BatchNorm
            and Dropout passed over (they add no record). Anything else raises TypeError.

    Agrees with the support of the gradient of one unit with respect to the input of the
    corresponding torch model (positive weights, unclipped by padding).
    """
    square, per_layer = layer_parameters(layers)
    ndim = len(per_layer[0]) if per_layer else 1
    state = [(1, 1, 0.0)] * ndim
    records = []
    for dims in per_layer:
        state = [
            (r + (k - 1) * d * j, j * s, start + ((k - 1) * d / 2 - p) * j)
            for (r, j, start), (k, s, p, d) in zip(state, dims)
        ]
        records.append(make_record(state, square))
    return records
