"""CSV tables as HTML pages, so the Snakemake report shows them instead of offering a download."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from ambs.atomic import atomic_path

STYLE = (
    "body{font-family:sans-serif;font-size:13px;margin:12px}"
    "table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:2px 8px;text-align:right}"
    "th{background:#eee}caption{font-weight:bold;text-align:left;padding:4px 0}"
)


def csv_to_html(csv: Path, title: str, out: Path) -> int:
    """Write ``csv`` as a self-contained HTML table (floats to 4 significant digits); returns its row count."""
    table = pd.read_csv(csv)
    body = table.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep="", border=0, table_id="table")
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h3>{html.escape(title)}</h3>{body}</body></html>"
    )
    with atomic_path(out) as tmp:
        tmp.write_text(page)
    return len(table)
