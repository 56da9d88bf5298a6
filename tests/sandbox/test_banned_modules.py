"""A banned module (``scipy.signal``) is banned at run time however the student's code reaches it:
``from scipy.signal import convolve2d``, ``import scipy.signal as sig``, ``from scipy import
signal``, ``importlib.import_module``, ``__import__`` and ``exec``. Importing it still loads (the
static scan reports the line); using anything from it raises ``BannedAPIUsed``. The rest of the
package, and the libraries' own use of it, are left alone."""
from collections import namedtuple

import numpy as np
import pytest

from grader.sandbox import BannedAPIUsed, Limits, Sandbox

LIMITS = Limits(call_timeout_s=20.0, load_timeout_s=30.0, cpu_s=60, memory_mb=1536)
Chunk = namedtuple("Chunk", "origin source cell")
BANNED = ("scipy.signal", "numpy.convolve")

SOURCE = '''
import importlib
import numpy as np
from scipy.signal import convolve2d
import scipy.signal as sig
import scipy.signal
from scipy import signal, linalg

IMAGE, KERNEL = np.arange(16.0).reshape(4, 4), np.ones((2, 2))

def by_from_import():
    return convolve2d(IMAGE, KERNEL, mode="valid")

def by_alias():
    return sig.correlate2d(IMAGE, KERNEL, mode="valid")

def by_attribute_chain():
    return scipy.signal.fftconvolve(IMAGE, KERNEL)

def by_package_attribute():
    return signal.convolve(IMAGE, KERNEL)

def by_import_module():
    return importlib.import_module("scipy.signal").convolve2d(IMAGE, KERNEL)

def by_dunder_import():
    return __import__("scipy.signal", fromlist=["convolve2d"]).convolve2d(IMAGE, KERNEL)

def by_exec():
    space = {}
    exec("from scipy.signal import convolve2d as c", space)
    return space["c"](IMAGE, KERNEL)

def by_submodule():
    from scipy.signal import windows
    return windows.hann(4)

def banned_function():
    return np.convolve([1.0, 2.0], [1.0, 1.0])

def allowed_sibling():
    return float(linalg.det(np.eye(2) * 2))

def allowed_library_use():
    import scipy.ndimage
    return scipy.ndimage.uniform_filter(IMAGE, size=2).tolist()

def allowed_numpy():
    return float(np.correlate([1.0, 2.0], [1.0, 1.0])[0])
'''

WAYS = ["by_from_import", "by_alias", "by_attribute_chain", "by_package_attribute", "by_import_module",
        "by_dunder_import", "by_exec", "by_submodule"]


@pytest.fixture(scope="module", params=["bubblewrap_pool", "fallback_pool"])
def box(request):
    pool = request.getfixturevalue(request.param)
    with Sandbox([Chunk("ana.ipynb, cell 2", SOURCE, 2)], limits=LIMITS, pool=pool, banned_apis=BANNED) as box:
        yield box


def test_importing_a_banned_module_loads_and_is_reported_by_the_static_scan(box):
    assert "by_from_import" in box.report.defined and "allowed_numpy" in box.report.defined
    lines = sorted(p.line for p in box.report.problems if p.kind == "banned_api")
    assert lines[:4] == [4, 5, 6, 7]
    assert [p for p in box.report.problems if p.kind != "banned_api"] == []


@pytest.mark.parametrize("way", WAYS)
def test_using_a_banned_module_raises_whichever_way_it_was_reached(box, way):
    with pytest.raises(BannedAPIUsed, match=r"scipy\.signal\.[\w.]+ is not allowed in this assignment "
                                            r"\(it bans all of scipy\.signal\)"):
        box.call(way)


def test_a_banned_function_raises_with_its_own_name(box):
    with pytest.raises(BannedAPIUsed, match=r"^BannedAPIUsed: numpy\.convolve is not allowed in this assignment$"):
        box.call("banned_function")


def test_the_rest_of_the_package_and_the_libraries_own_use_stay_allowed(box):
    assert box.call("allowed_sibling") == 4.0
    assert box.call("allowed_numpy") == 3.0
    expected = __import__("scipy.ndimage").ndimage.uniform_filter(np.arange(16.0).reshape(4, 4), size=2)
    assert box.call("allowed_library_use") == expected.tolist()


TORCH_SOURCE = '''
import torch
from torch import nn

def sigmoid_of(x):
    return torch.sigmoid(torch.tensor(x)).tolist()

def softmax_layer(x):
    return nn.Softmax(dim=0)(torch.tensor(x)).tolist()

def own_subclass(x):
    class Mine(nn.Softmax):
        pass
    return Mine(dim=0)(torch.tensor(x)).tolist()

def allowed_layer_and_isinstance(x):
    layer = nn.Linear(2, 1)
    return isinstance(nn.Softmax, type), float(layer(torch.ones(2)).detach().shape[0])
'''


@pytest.mark.parametrize("preload", [("torch",), ()], ids=["torch-preloaded", "torch-imported-by-the-student"])
def test_banned_torch_functions_and_classes_leave_torch_importable(preload, request):
    from grader.sandbox import Pool

    bans = ("torch.sigmoid", "torch.softmax", "torch.log_softmax", "torch.logsumexp", "torch.nn.Softmax",
            "torch.nn.Dropout", "torch.nn.Sigmoid")
    with Pool(preload=preload) as pool:
        with Sandbox([Chunk("t.ipynb, cell 1", TORCH_SOURCE, 1)], limits=LIMITS, pool=pool, banned_apis=bans) as box:
            assert [p for p in box.report.problems if p.kind != "banned_api"] == []
            for name, banned in (("sigmoid_of", "torch.sigmoid"), ("softmax_layer", "torch.nn.Softmax"),
                                 ("own_subclass", "torch.nn.Softmax")):
                with pytest.raises(BannedAPIUsed, match=rf"{banned} is not allowed"):
                    box.call(name, [0.0, 1.0])
            assert box.call("allowed_layer_and_isinstance", [0.0]) == (True, 1.0)
