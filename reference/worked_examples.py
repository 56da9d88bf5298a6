"""Inputs of the course material's worked examples, as plain constants.

The lecture's pooling slides work through these arrays by hand; the reference tests
(``tests/reference/test_worked_examples.py``) prove the reference reproduces the slides' answers,
and the pooling assignment's checks ask students for the same answers. Each is one H x W
channel (float64); add the batch and channel axes with ``a[None, None]``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["LECTURE_POOL3_INPUT", "LECTURE_POOL_INPUT"]

# 2x2 max pooling with stride 2 gives [[7, 8], [3, 4]]; mean pooling [[3.5, 5.5], [1.75, 2]].
LECTURE_POOL_INPUT = np.array(
    [[1, 1, 2, 5],
     [5, 7, 7, 8],
     [3, 1, 1, 0],
     [1, 2, 3, 4]], float,
)

# 3x3 max pooling with stride 1 (overlapping windows) gives [[9, 8, 8], [9, 6, 6], [7, 7, 7]].
LECTURE_POOL3_INPUT = np.array(
    [[2, 4, 8, 3, 6],
     [9, 3, 4, 2, 5],
     [5, 4, 6, 3, 1],
     [2, 3, 1, 3, 4],
     [2, 7, 4, 5, 7]], float,
)
