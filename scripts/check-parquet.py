#!/usr/bin/env python3
"""Reads every table of a build's output folder both as CSV (Python's csv module) and as Parquet (pyarrow, or
DuckDB when pyarrow is missing) and checks that they hold the same rows, column by column.

  scripts/check-parquet.py [OUTPUT_DIR]        (default: output)

Prints one line per table and exits 1 on any difference. Needs `pip install pyarrow` (or duckdb).
"""
import csv, datetime, os, sys

csv.field_size_limit(1 << 30)
TABLES = ["articles", "alignments", "stories", "rejects", "sentences", "sentence_alignments", "lexicon"]


def fmt(v):
    """The text form the CSV writer uses for a Parquet value."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        s = "%.4f" % v
        s = s.rstrip("0").rstrip(".")
        return "0" if s == "-0" else s
    if isinstance(v, datetime.datetime):
        v = v.astimezone(datetime.timezone.utc)
        return v.strftime("%Y-%m-%dT%H:%M:%S") + ("" if v.microsecond == 0 else ".%06d" % v.microsecond) + "Z"
    return str(v)


def parquet_rows(path):
    try:
        import pyarrow.parquet as pq
        t = pq.read_table(path)
        cols = t.column_names
        data = [t.column(c).to_pylist() for c in cols]
        return cols, [[fmt(col[i]) for col in data] for i in range(t.num_rows)], "pyarrow"
    except ImportError:
        import duckdb
        rel = duckdb.sql("SELECT * FROM read_parquet('%s')" % path.replace("'", "''"))
        return rel.columns, [[fmt(v) for v in row] for row in rel.fetchall()], "duckdb"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "output"
    bad = 0
    for t in TABLES:
        with open(os.path.join(out, t + ".csv"), encoding="utf-8", newline="") as f:
            r = csv.reader(f)
            header = next(r)
            crows = list(r)
        pcols, prows, engine = parquet_rows(os.path.join(out, t + ".parquet"))
        same = header == list(pcols) and crows == prows
        if not same:
            bad += 1
            diff = next((i for i, (a, b) in enumerate(zip(crows, prows)) if a != b), min(len(crows), len(prows)))
            print("%-20s DIFFERENT (csv %d rows, parquet %d rows, first difference at row %d)" % (t, len(crows), len(prows), diff))
        else:
            print("%-20s %7d rows, %2d columns: CSV = Parquet (%s)" % (t, len(crows), len(header), engine))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
