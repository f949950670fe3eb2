"""Bounds as images: LaTeX rendered with matplotlib's mathtext (no TeX installation, no MathJax).

The HTML report must render without a network, so it cannot load MathJax/KaTeX; instead each bound's
LaTeX (``Result.bound["latex"]``) is rendered to a small PNG embedded as a data URI.  Mathtext covers the
subset of LaTeX that ``sympy.latex`` emits for typical bounds (fractions, roots, exponentials, logs,
min/max, named functions); anything it cannot parse (``cases`` environments, ...) returns ``None`` and
the report shows the LaTeX source and the plain-text form instead.
"""

from __future__ import annotations

import io
import os
from functools import lru_cache

__all__ = ["png_size", "render_latex"]

_MAX_LEN = 2000  # beyond this a formula is not readable as one image anyway


@lru_cache(maxsize=512)
def render_latex(latex: str, dpi: int = 200) -> bytes | None:
    """Render a LaTeX math expression (no surrounding ``$``) to PNG bytes.

    Parameters
    ----------
    latex : str
        The expression, e.g. ``r"\\frac{C}{\\sqrt{n}}"``.
    dpi : int
        Resolution of the image.

    Returns
    -------
    bytes or None
        The PNG, or ``None`` when the expression is empty, too long, or mathtext cannot parse it.
    """
    text = (latex or "").strip()
    if not text or len(text) > _MAX_LEN or "$" in text:
        return None
    return _disk_memo(text, dpi)


def _disk_memo(text: str, dpi: int) -> bytes | None:
    """The PNG of ``text`` from ``cache_dir("formulas")`` (keyed by the text, dpi and matplotlib's version;
    an empty file: mathtext cannot render it), rendered and stored when missing: mathtext parsing is the
    slowest part of re-rendering a report."""
    import hashlib

    import matplotlib

    from sgmverify._cachedir import cache_dir

    key = hashlib.sha256(f"{matplotlib.__version__}|{dpi}|{text}".encode()).hexdigest()
    path = cache_dir("formulas") / f"{key}.png"
    try:
        return path.read_bytes() or None
    except OSError:
        pass
    data = _render(text, dpi)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data or b"")
        os.replace(tmp, path)
    except OSError:
        pass  # an unwritable cache only costs the rendering next time
    return data


def _render(text: str, dpi: int) -> bytes | None:
    try:
        import matplotlib
        from matplotlib import mathtext

        buf = io.BytesIO()
        with matplotlib.rc_context({"font.size": 18, "mathtext.fontset": "cm"}):
            mathtext.math_to_image(f"${text}$", buf, dpi=dpi, format="png")
    except Exception:  # noqa: BLE001  (any parse/render failure means: show the source instead)
        return None
    data = buf.getvalue()
    return data or None


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels of a PNG, read from its IHDR chunk ((0, 0) if not a PNG)."""
    if len(png) < 24 or png[:8] != b"\x89PNG\r\n\x1a\n":
        return 0, 0
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
