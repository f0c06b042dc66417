"""What every figure shares: the Agg backend and atomic PNG output.

Figure modules import ``plt`` from here, never ``matplotlib.pyplot`` directly, so
the Agg backend is chosen before pyplot loads (no display needed on a cluster node).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ambs.atomic import atomic_path  # noqa: E402


def save_figure(fig: plt.Figure, out: Path, dpi: int = 100) -> None:
    """Write ``fig`` as PNG under a temporary name, rename when complete, and free it."""
    with atomic_path(out) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format="png")
    plt.close(fig)
