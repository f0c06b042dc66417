"""Entry point of the table_html rule: a CSV table as an HTML page for the report."""

import argparse
from pathlib import Path

from ambs.report.tables import csv_to_html

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--title", required=True)
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("csv", type=Path)
args = parser.parse_args()

rows = csv_to_html(args.csv, args.title, args.out)
print(f"wrote {args.out} ({rows} rows)")
