"""Drawing the figures checks attach to failures (``grader.checks.figure``): PNG bytes.

Drawn with matplotlib's Agg renderer, on a ``Figure`` of its own (no pyplot state), in a fixed
style: the font matplotlib ships (DejaVu Sans), fixed size and resolution, and no metadata in
the file (no software version, no date). The same figure therefore gives the same bytes on
every run and in every process.
"""
from __future__ import annotations

import io
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
    return isinstance(figure, dict) and figure.get("kind") == "curves"


def figure_file_name(check_id: str) -> str:
    """``figures/<this>``: the check id with anything but letters, digits, ``.``, ``_`` and ``-``
    replaced, so an id can never name a path outside the folder."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", check_id).lstrip(".") + ".png"


def figure_png(figure: dict) -> bytes:
    """The figure as PNG bytes, identical for the same figure on every run."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=(5.6, 3.6), dpi=100)
        FigureCanvasAgg(fig)
        axes = fig.add_subplot(1, 1, 1)
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
