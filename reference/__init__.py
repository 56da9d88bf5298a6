"""The reference implementations: NumPy in, NumPy out, float64 inside.

Each function mirrors the signature of the PyTorch or scikit-learn function an instructor
already knows, documents its formula, and is proven equal to it by the tests. Importing this
package never imports torch: torch is only an oracle in tests and an optional input type.

Modules: ``conv_arithmetic``, ``receptive_field``, ``conv``, ``pooling``, ``losses``,
``optimizers``, ``normalization``, ``metrics``; and ``mistakes``, the catalog of classic
wrong answers the grader uses to name a student's misconception.
"""
import importlib

__all__ = [
    "conv",
    "conv_arithmetic",
    "losses",
    "metrics",
    "mistakes",
    "normalization",
    "optimizers",
    "pooling",
    "receptive_field",
]


def __getattr__(name):
    # Submodules load on first use, so `import reference` stays cheap.
    if name in __all__:
        return importlib.import_module(f"reference.{name}")
    raise AttributeError(f"module 'reference' has no attribute {name!r}")
