"""Map panels: one field as an image on its lon/lat box, with coastlines where the grid is geographic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.image import AxesImage

from ambs.report.coastline import is_geographic, lines_in_box

# Where imshow puts the first row: on top, or at the bottom (latitudes rising).
Origin = Literal["upper", "lower"]


@dataclass(frozen=True)
class MapGrid:
    """How to place a (row, column) field: its cell-edge box in degrees (None for an index grid)."""

    extent: tuple[float, float, float, float] | None
    origin: Origin
    coastlines: list[np.ndarray]


def map_grid(field: xr.DataArray, coastlines: list[np.ndarray] | None) -> MapGrid:
    """The placement of ``field``'s last two dims, with the coastlines that cross it.

    ``coastlines`` None says the data are not on the Earth (generated datasets):
    then, as for any grid without CF latitude/longitude, a plain image, first row on top.
    """
    if coastlines is None or not is_geographic(field):
        return MapGrid(extent=None, origin="upper", coastlines=[])
    lat, lon = field["latitude"].values, field["longitude"].values
    half_lat = abs(float(lat[1] - lat[0])) / 2 if lat.size > 1 else 0.125
    half_lon = abs(float(lon[1] - lon[0])) / 2 if lon.size > 1 else 0.125
    west, east = float(lon.min()) - half_lon, float(lon.max()) + half_lon
    south, north = float(lat.min()) - half_lat, float(lat.max()) + half_lat
    origin: Origin = "upper" if lat.size > 1 and lat[0] > lat[-1] else "lower"
    return MapGrid((west, east, south, north), origin, lines_in_box(coastlines, west, east, south, north))


def draw_panel(ax: Axes, values: np.ndarray, grid: MapGrid, cmap: str, vmin: float, vmax: float) -> AxesImage:
    """Draw one field (and the coastlines over it) on ``ax`` without ticks."""
    image = ax.imshow(
        values, extent=grid.extent, origin=grid.origin, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest"
    )
    if grid.coastlines and grid.extent is not None:
        ax.add_collection(LineCollection(grid.coastlines, colors="black", linewidths=0.6))
        ax.set_xlim(grid.extent[0], grid.extent[1])
        ax.set_ylim(grid.extent[2], grid.extent[3])
    ax.set_xticks([])
    ax.set_yticks([])
    return image
