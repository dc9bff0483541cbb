"""Plots a claim's procedure asked for, drawn with matplotlib as inline SVG.

Spec (``details["plots"]``, one dict per plot)::

    {"title", "x_label", "y_label", "log_x": bool, "log_y": bool,
     "series": [{"label", "x": [...], "y": [...], "lo": [...] | None, "hi": [...] | None,
                 "band_label": str | None}]}

``lo``/``hi`` draw a band around the series (a confidence interval, an enclosure). ``None`` or a
non-finite entry is a gap. The SVG is deterministic for a given spec (fixed hash salt, no date),
carries no external reference, and keeps text as text (``svg.fonttype = none``) so it stays small
and searchable.
"""
from __future__ import annotations

import io
import math
import re
from typing import Any

MAX_POINTS = 2000  # a spec should keep to ~200 points per series; refuse to draw absurd ones


class PlotSpecError(ValueError):
    """A plot spec the renderer cannot draw (the report shows this message instead)."""


def _numbers(values: Any, what: str) -> list[float]:
    if not isinstance(values, (list, tuple)):
        raise PlotSpecError(f"{what} must be a list of numbers")
    if len(values) > MAX_POINTS:
        raise PlotSpecError(f"{what} has {len(values)} points (at most {MAX_POINTS})")
    out = []
    for v in values:
        if v is None:
            out.append(math.nan)
            continue
        if isinstance(v, dict) and "float" in v:  # an encoded number
            v = v["float"]
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise PlotSpecError(f"{what} holds {v!r}, not a number") from None
        out.append(f if math.isfinite(f) else math.nan)
    return out


def validate(spec: Any) -> list[dict[str, Any]]:
    """The series of a spec as float lists; raises :class:`PlotSpecError` with a one-line reason."""
    if not isinstance(spec, dict):
        raise PlotSpecError("a plot spec must be a dict")
    series = spec.get("series")
    if not isinstance(series, list) or not series:
        raise PlotSpecError("a plot needs a non-empty 'series' list")
    out = []
    for k, s in enumerate(series):
        if not isinstance(s, dict):
            raise PlotSpecError(f"series {k + 1} is not a dict")
        label = str(s.get("label") or f"series {k + 1}")
        x = _numbers(s.get("x"), f"series {label!r} x")
        y = _numbers(s.get("y"), f"series {label!r} y")
        if len(x) != len(y):
            raise PlotSpecError(f"series {label!r}: {len(x)} x values but {len(y)} y values")
        lo = hi = None
        if s.get("lo") is not None or s.get("hi") is not None:
            lo = _numbers(s.get("lo") if s.get("lo") is not None else s.get("y"), f"series {label!r} lo")
            hi = _numbers(s.get("hi") if s.get("hi") is not None else s.get("y"), f"series {label!r} hi")
            if len(lo) != len(x) or len(hi) != len(x):
                raise PlotSpecError(f"series {label!r}: the band needs one lo and one hi per x")
        band_label = s.get("band_label")
        out.append({"label": label, "x": x, "y": y, "lo": lo, "hi": hi,
                    "band_label": str(band_label) if band_label else None})
    return out


def _mathtext_safe(text: str) -> str:
    """matplotlib reads ``$...$`` as mathtext; an unbalanced or invalid one would fail the draw."""
    return text.replace("$", r"\$")


def plot_svg(spec: dict[str, Any], salt: str = "proofcheck", with_title: bool = True) -> str:
    """One plot as an ``<svg>`` element to inline in HTML. Raises :class:`PlotSpecError`."""
    series = validate(spec)
    try:
        return _draw(spec, series, salt, safe_text=False, with_title=with_title)
    except ValueError:
        # Most likely a label with invalid mathtext: draw it again with literal dollars.
        return _draw(spec, series, salt, safe_text=True, with_title=with_title)


def _draw(spec: dict[str, Any], series: list[dict[str, Any]], salt: str, safe_text: bool,
          with_title: bool = True) -> str:
    # lazy, measured: matplotlib takes 2.5 s wall to import (load 23, -X importtime); only a report
    # with a declared plot needs it
    import matplotlib
    from matplotlib.figure import Figure  # no pyplot: no global backend, no GUI, thread-friendly

    txt = _mathtext_safe if safe_text else (lambda s: s)
    rc = {"svg.fonttype": "none", "svg.hashsalt": salt, "font.size": 10,
          "font.family": ["DejaVu Sans", "sans-serif"], "axes.spines.top": False,
          "axes.spines.right": False, "axes.grid": True, "grid.color": "#d0d7de", "grid.linewidth": 0.6}
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(6.4, 3.4), layout="constrained")
        ax = fig.add_subplot()
        for k, s in enumerate(series):
            colour = f"C{k % 10}"
            ax.plot(s["x"], s["y"], color=colour, linewidth=1.6, label=txt(s["label"]),
                    marker="o" if len(s["x"]) <= 12 else None, markersize=3.5)
            if s["lo"] is not None:
                # The band's legend entry: the spec's "band_label", else "<label> (band)" unless the
                # series label already says what its band is ("... (band: discretisation error)").
                band = s.get("band_label") or (None if "band" in s["label"].lower() else f"{s['label']} (band)")
                ax.fill_between(s["x"], s["lo"], s["hi"], color=colour, alpha=0.18, linewidth=0,
                                label=txt(band) if band else "_nolegend_")
        if spec.get("log_x"):
            ax.set_xscale("log")
        if spec.get("log_y"):
            ax.set_yscale("log")
        if with_title:  # the HTML report puts the title in a <figcaption>, where it wraps
            ax.set_title(txt(str(spec.get("title") or "")), fontsize=11, loc="left")
        ax.set_xlabel(txt(str(spec.get("x_label") or "")))
        ax.set_ylabel(txt(str(spec.get("y_label") or "")))
        if len(series) > 1 or any(s["lo"] is not None for s in series):
            ax.legend(frameon=False, fontsize=9)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None,
                                                 "Type": None})
    return _inline(buf.getvalue())


def _inline(svg: str) -> str:
    """Strip what an inline SVG must not carry: XML prolog, doctype, metadata, global style,
    namespace declarations (the HTML parser supplies the namespaces)."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    # matplotlib's "* { stroke-linejoin: round }" would apply to the whole page; the page's
    # stylesheet sets it for plots instead.
    svg = re.sub(r"<defs>\s*<style[^>]*>.*?</style>\s*</defs>", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    svg = re.sub(r'\s+version="1\.1"', "", svg)
    # Group ids ("figure_1", "axes_1") repeat from one plot to the next; only the referenced ones
    # (clip paths and markers, salted per plot) are kept, so the page has no duplicate ids.
    referenced = set(re.findall(r"#([A-Za-z_][\w.-]*)", svg))
    svg = re.sub(r'\s+id="([^"]*)"', lambda m: m.group(0) if m.group(1) in referenced else "", svg)
    svg = re.sub(r'<svg ', '<svg class="plot-svg" ', svg, count=1)
    return svg.strip()
