"""Derive resources/coastline_europe.geojson from Natural Earth 1:50m land (world-atlas TopoJSON).

Provenance script, run once by hand; the workflow only reads its output. Usage:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python resources/derive_coastline.py package/land-50m.json resources/coastline_europe.geojson

Every arc of the land topology is a coastline (land has no inner borders). The arcs are
decoded, cut to the box below, thinned with Douglas-Peucker and rounded to 0.01 degree.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

WEST, EAST, SOUTH, NORTH = -45.0, 60.0, 20.0, 80.0
TOLERANCE_DEG = 0.02


def decode_arcs(topology: dict) -> list[np.ndarray]:
    """Quantised, delta-encoded TopoJSON arcs as (n, 2) lon/lat arrays."""
    scale, translate = np.array(topology["transform"]["scale"]), np.array(topology["transform"]["translate"])
    return [np.cumsum(np.array(arc, float), axis=0) * scale + translate for arc in topology["arcs"]]


def inside_runs(line: np.ndarray) -> list[np.ndarray]:
    """Pieces of ``line`` inside the box, each extended by one point beyond it so no coast stops short."""
    inside = (line[:, 0] >= WEST) & (line[:, 0] <= EAST) & (line[:, 1] >= SOUTH) & (line[:, 1] <= NORTH)
    keep = inside.copy()
    keep[1:] |= inside[:-1]
    keep[:-1] |= inside[1:]
    edges = np.flatnonzero(np.diff(np.concatenate([[0], keep.astype(int), [0]])))
    return [line[start:stop] for start, stop in zip(edges[::2], edges[1::2]) if stop - start >= 2]


def douglas_peucker(line: np.ndarray, tolerance: float) -> np.ndarray:
    """The points of ``line`` needed to stay within ``tolerance`` of it (iterative Douglas-Peucker)."""
    keep = np.zeros(len(line), bool)
    keep[[0, -1]] = True
    stack = [(0, len(line) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        start, end = line[first], line[last]
        chord = end - start
        points = line[first + 1 : last] - start
        length = np.hypot(*chord)
        distance = np.abs(chord[0] * points[:, 1] - chord[1] * points[:, 0]) / length if length else np.hypot(*points.T)
        farthest = int(np.argmax(distance))
        if distance[farthest] > tolerance:
            middle = first + 1 + farthest
            keep[middle] = True
            stack += [(first, middle), (middle, last)]
    return line[keep]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("topojson", type=Path, help="land-50m.json of the world-atlas npm package")
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    lines = []
    for arc in decode_arcs(json.loads(args.topojson.read_text())):
        for run in inside_runs(arc):
            thinned = np.round(douglas_peucker(run, TOLERANCE_DEG), 2)
            if len(thinned) >= 2:
                lines.append(thinned.tolist())
    feature = {
        "type": "Feature",
        "properties": {
            "source": "Natural Earth 1:50m land v4.1.0 (public domain), via the world-atlas 2.0.2 npm package",
            "derivation": f"arcs cut to lon {WEST}..{EAST}, lat {SOUTH}..{NORTH}; "
            f"Douglas-Peucker {TOLERANCE_DEG} deg; rounded to 0.01 deg",
        },
        "geometry": {"type": "MultiLineString", "coordinates": lines},
    }
    args.out.write_text(json.dumps(feature, separators=(",", ":")))
    print(f"wrote {len(lines)} lines, {sum(map(len, lines))} points to {args.out}")


if __name__ == "__main__":
    main()
