"""Drawing the figures checks attach to failures (``grader.checks.figure``): PNG bytes.

Drawn with matplotlib's Agg renderer, on a ``Figure`` of its own (no pyplot state), in a fixed
style: the font matplotlib ships (DejaVu Sans), fixed size and resolution, and no metadata in
the file (no software version, no date). The same figure therefore gives the same bytes on
every run and in every process.
"""
from __future__ import annotations

import functools
import io
import json
import re

__all__ = ["figure_file_name", "figure_png", "has_figure"]

_STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 1.6,
    "svg.hashsalt": "cnngrade",
    "path.simplify": False,
}
# the first series (the student's) solid, the second (expected) dashed; colour-blind-safe colours
_LOOKS = [("#0072b2", "-"), ("#d55e00", "--"), ("#009e73", ":"), ("#cc79a7", "-.")]


def has_figure(check) -> bool:
    figure = getattr(check, "figure", None)
    return isinstance(figure, dict) and figure.get("kind") in ("curves", "matrix", "bars")


def figure_file_name(check_id: str) -> str:
    """``figures/<this>``: the check id with anything but letters, digits, ``.``, ``_`` and ``-``
    replaced, so an id can never name a path outside the folder."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", check_id).lstrip(".") + ".png"


def figure_png(figure: dict) -> bytes:
    """The figure as PNG bytes, identical for the same figure on every run. Drawn once per
    process: feedback.html inlines the same picture the student's folder holds as a file."""
    return _drawn(json.dumps(figure, sort_keys=True, allow_nan=True))


@functools.lru_cache(maxsize=64)
def _drawn(key: str) -> bytes:
    figure = json.loads(key)
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=(5.6, 3.6), dpi=100)
        FigureCanvasAgg(fig)
        axes = fig.add_subplot(1, 1, 1)
        if figure.get("kind") in ("matrix", "bars"):
            (_draw_matrix if figure["kind"] == "matrix" else _draw_bars)(fig, axes, figure)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", metadata={"Software": None})
            return buffer.getvalue()
        notes = []
        for index, series in enumerate(figure.get("series", ())):
            colour, line = _LOOKS[index % len(_LOOKS)]
            x = [float("nan") if v is None else v for v in series.get("x", ())]
            y = [float("nan") if v is None else v for v in series.get("y", ())]
            label = _plain_text(series.get("label", f"series {index + 1}"))
            if series.get("note"):
                notes.append(f"{label}: {series['note']}")
            axes.plot(x, y, color=colour, linestyle=line, label=label,
                      drawstyle="steps-post" if figure.get("steps") else "default",
                      marker="o" if figure.get("markers") else None, markersize=3.5)
        if figure.get("square"):
            axes.set_xlim(-0.02, 1.02)
            axes.set_ylim(-0.02, 1.02)
            axes.set_aspect("equal", adjustable="box")
        axes.set_title(_plain_text(figure.get("title", "")))
        axes.set_xlabel(_plain_text(figure.get("x_label", "")))
        axes.set_ylabel(_plain_text(figure.get("y_label", "")))
        axes.legend(loc="best", frameon=False)
        if notes:
            fig.text(0.01, 0.01, _plain_text("; ".join(notes)[:200]), fontsize=7, color="#57606a")
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _plain_text(text) -> str:
    """Text drawn as written: a ``$`` would start matplotlib's math mode."""
    return str(text).replace("$", r"\$")


def _draw_matrix(fig, axes, figure: dict) -> None:
    """A grid of cells shaded by value, each written in (a confusion matrix: rows true class)."""
    import numpy as np

    values = np.array([[np.nan if v is None else v for v in row] for row in figure.get("values", [[0]])], float)
    axes.grid(False)
    axes.imshow(values, cmap="Blues", vmin=0, vmax=np.nanmax(values) if np.isfinite(values).any() else 1,
                interpolation="nearest", aspect="auto")
    top = np.nanmax(values) if np.isfinite(values).any() else 0
    if values.size <= 400:
        for (i, j), v in np.ndenumerate(values):
            text = "" if not np.isfinite(v) else (f"{v:.0f}" if float(v).is_integer() else f"{v:.2f}")
            axes.text(j, i, text, ha="center", va="center", fontsize=8,
                      color="white" if np.isfinite(v) and top and v > top / 2 else "#1b1b1b")
    rows, columns = figure.get("row_labels") or [], figure.get("column_labels") or []
    axes.set_yticks(range(values.shape[0]), [_plain_text(v) for v in rows] if len(rows) == values.shape[0] else None)
    axes.set_xticks(range(values.shape[1]), [_plain_text(v) for v in columns] if len(columns) == values.shape[1] else None)
    axes.set_title(_plain_text(figure.get("title", "")))
    axes.set_xlabel(_plain_text(figure.get("x_label", "")))
    axes.set_ylabel(_plain_text(figure.get("y_label", "")))
    fig.tight_layout()


def _draw_bars(fig, axes, figure: dict) -> None:
    labels = [_plain_text(v) for v in figure.get("labels", ())]
    values = [0.0 if v is None else v for v in figure.get("values", ())]
    axes.bar(range(len(values)), values, color=_LOOKS[0][0])
    axes.set_xticks(range(len(values)), labels, rotation=45, ha="right", fontsize=7)
    axes.set_title(_plain_text(figure.get("title", "")))
    axes.set_xlabel(_plain_text(figure.get("x_label", "")))
    axes.set_ylabel(_plain_text(figure.get("y_label", "")))
    fig.tight_layout()
