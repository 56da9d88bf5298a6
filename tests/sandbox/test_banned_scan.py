"""Static scan for banned APIs: aliases, from-imports, getattr, across chunks."""
import pytest

from grader.sandbox import find_banned

BANNED = ["torch.nn.functional.conv2d", "numpy.lib.stride_tricks.as_strided"]


@pytest.mark.parametrize("source, text", [
    ("import torch\ntorch.nn.functional.conv2d(x, w)\n", "torch.nn.functional.conv2d"),
    ("import torch.nn.functional as F\nF.conv2d(x, w)\n", "F.conv2d"),
    ("from torch.nn import functional as nnf\nnnf.conv2d\n", "nnf.conv2d"),
    ("from torch.nn.functional import conv2d as c\n", "from torch.nn.functional import conv2d"),
    ("import numpy as np\ngetattr(np.lib.stride_tricks, 'as_strided')\n", "getattr(np.lib.stride_tricks, 'as_strided')"),
], ids=["full-chain", "module-alias", "from-import-alias", "direct-from-import", "getattr"])
def test_banned_use_is_found_with_its_line(source, text):
    (use,) = [u for u in find_banned([("alice.ipynb, cell 2", source)], BANNED) if u.text == text]
    assert use.origin == "alice.ipynb, cell 2" and use.line == source.count("\n", 0, source.index(text.split("(")[0].split(" as")[0][:8])) + 1


def test_aliases_carry_over_from_an_earlier_cell():
    chunks = [("nb, cell 1", "import torch.nn.functional as F\n"), ("nb, cell 2", "y = F.conv2d(x, w)\n")]
    (use,) = find_banned(chunks, BANNED)
    assert (use.origin, use.line, use.name) == ("nb, cell 2", 1, "torch.nn.functional.conv2d")


def test_allowed_functions_and_syntax_errors_are_not_reported():
    chunks = [("a", "import torch.nn.functional as F\nF.relu(x)\nF.conv_transpose2d\n"), ("b", "def (:\n")]
    assert find_banned(chunks, BANNED) == []
