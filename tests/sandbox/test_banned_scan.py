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


@pytest.mark.parametrize("source, message", [
    ("import torch.nn.functional as F\nF.conv2d(x, w)\n",
     "F.conv2d is torch.nn.functional.conv2d, which this assignment bans"),
    ("from torch.nn.functional import conv2d\n",
     "from torch.nn.functional import conv2d imports torch.nn.functional.conv2d, which this assignment bans"),
    ("from scipy.signal import convolve2d\n",
     "from scipy.signal import convolve2d imports scipy.signal.convolve2d, which this assignment bans "
     "(all of scipy.signal)"),
    ("import scipy.signal as sig\n", "import scipy.signal imports scipy.signal, which this assignment bans"),
    ("from scipy import signal\nsignal.correlate2d(a, b)\n",
     "signal.correlate2d is scipy.signal.correlate2d, which this assignment bans (all of scipy.signal)"),
], ids=["alias", "from-import", "from-a-banned-module", "import-a-banned-module", "use-of-a-banned-module"])
def test_the_message_says_what_the_text_names_and_which_ban_it_falls_under(source, message):
    uses = find_banned([("bo.ipynb, cell 4", source)], BANNED + ["scipy.signal"])
    assert uses[-1].message == message
    assert str(uses[-1]) == f"bo.ipynb, cell 4, line {uses[-1].line}: {message}"
