"""The ledger's tables as CSV files (always) or Parquet files (with pyarrow installed:
``pip install 'summarizer[ledger]'``): ``<dir>/<table>.csv``. A conflict's figures, nested in the
records, are written as a table of their own, ``conflict_figures``."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from summarizer.core.errors import InputError


def flat_tables(tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The tables with no nested values: conflicts' figures in ``conflict_figures``, lists as JSON text."""
    flat: dict[str, list[dict[str, Any]]] = {}
    for name, rows in tables.items():
        flat[name] = [{k: _cell(v) for k, v in row.items() if k != "figures"} for row in rows]
    flat["conflict_figures"] = [
        {"conflict_id": conflict["id"], "position": position, **{k: _cell(v) for k, v in figure.items()}}
        for conflict in tables.get("conflicts", [])
        for position, figure in enumerate(conflict.get("figures", []))
    ]
    return flat


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))


def write_csv(tables: Mapping[str, Sequence[Mapping[str, Any]]], folder: Path) -> list[Path]:
    from summarizer.core.io import check_output_folder, write_text_atomic

    check_output_folder(folder)
    written = []
    for name, rows in flat_tables(tables).items():
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=_columns(rows) or ["empty"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path = folder / f"{name}.csv"
        write_text_atomic(path, buffer.getvalue())
        written.append(path)
    return written


def write_parquet(tables: Mapping[str, Sequence[Mapping[str, Any]]], folder: Path) -> list[Path]:
    from summarizer.core.io import check_output_folder, write_bytes_atomic

    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("Parquet needs pyarrow: pip install 'summarizer[ledger]' (or use --csv)", folder) from None
    check_output_folder(folder)
    written = []
    for name, rows in flat_tables(tables).items():
        columns = _columns(rows)
        table = pa.table({c: [row.get(c) for row in rows] for c in columns}) if columns else pa.table({})
        buffer = pa.BufferOutputStream()
        pq.write_table(table, buffer)
        path = folder / f"{name}.parquet"
        write_bytes_atomic(path, buffer.getvalue().to_pybytes())
        written.append(path)
    return written
