"""A seeded corpus of malformed, hostile and randomly mutated cohort files
(CSV, XLSX, Parquet) made from the demo cohort: the inputs of the fuzz test."""

from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo_nsclc_synthetic.csv"
NASTY_VALUES = ["inf", "-inf", "nan", "1e308", "-1e308", "60 Gy", "6000 cGy", "12 mo", "365 d", "2 y", "abc Gy",
                "", " ", "None", "NULL", "#DIV/0!", "=1+1", "+1", "-5", "0", "@SUM(A1)", "\t=cmd", "\r",
                "<a href='http://evil.example'>x</a>", "[x](http://evil.example)", "x" * 5000, "2023-02-30",
                "31/12/2020", "12/31/2020", "3000-01-01", "1800-01-01", "\u202e\u0000", "😀", "1,5", "1.5.5",
                "TRUE", "yes", "Adeno", "SCC", "ECOG 1", "0.0", "1e-300", "9" * 40]


def _demo(rng: random.Random) -> pd.DataFrame:
    full = pd.read_csv(DEMO, dtype=str, keep_default_na=False)
    n = rng.choice([1, 2, 3, 6, 12, 20])
    rows = rng.sample(range(len(full)), n)
    cols = list(full.columns)
    if rng.random() < 0.4:  # drop some columns
        cols = [c for c in cols if c == "patient_id" or rng.random() > 0.3]
    if rng.random() < 0.2:
        rng.shuffle(cols)
    return full.iloc[rows][cols].reset_index(drop=True)


def _mutate_cells(df: pd.DataFrame, rng: random.Random) -> pd.DataFrame:
    out = df.copy()
    for _ in range(rng.randint(0, 8)):
        r, c = rng.randrange(len(out)), rng.randrange(out.shape[1])
        out.iat[r, c] = rng.choice(NASTY_VALUES)
    if rng.random() < 0.15 and out.shape[1] > 2:  # a column of one nasty value
        c = rng.randrange(out.shape[1])
        out.iloc[:, c] = rng.choice(NASTY_VALUES)
    if rng.random() < 0.1:
        out = out.rename(columns={out.columns[rng.randrange(out.shape[1])]: rng.choice(
            ["[x](http://evil.example)", "age", "OS (days)", "", "os", "ecog", "  "])})
    return out


def _mutate_text(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    for _ in range(rng.randint(0, 3)):
        kind = rng.randrange(8)
        i = rng.randrange(len(lines))
        if kind == 0:
            lines[i] = lines[i].replace(",", ',"', 1)  # stray quote
        elif kind == 1:
            lines[i] = lines[i].rsplit(",", rng.randint(1, 4))[0] + "\n"  # short row
        elif kind == 2:
            lines[i] = lines[i].rstrip("\n") + ",extra,cells\n"  # long row
        elif kind == 3:
            lines.insert(i, rng.choice(["\n", ",,,,\n", "Title of the export\n", '"\n']))
        elif kind == 4:
            lines[i] = lines[i].replace(",", ";")
        elif kind == 5:
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        elif kind == 6 and i == 0:
            lines[0] = lines[0].replace("age", "histology", 1)  # duplicate header
        else:
            lines[i] = "".join(ch for ch in lines[i] if rng.random() > 0.02)
    return "".join(lines)


def _to_csv(df: pd.DataFrame, rng: random.Random) -> bytes:
    sep = rng.choice([",", ",", ";", "\t"])
    text = _mutate_text(df.to_csv(index=False, sep=sep), rng)
    encoding = rng.choice(["utf-8", "utf-8", "utf-8-sig", "cp1252", "utf-16"])
    raw = text.encode(encoding, errors="replace")
    if rng.random() < 0.05:
        raw = raw[: rng.randrange(len(raw) + 1)]
    if rng.random() < 0.03:
        raw = bytes(rng.randrange(256) for _ in range(200))
    return raw


def _typed(value: str, rng: random.Random):
    """A spreadsheet-like cell: numbers and dates as such, sometimes (control
    characters, which a worksheet cannot hold, become '?')."""
    value = "".join(ch if ch >= " " or ch in "\t\n\r" else "?" for ch in value)
    try:
        number = float(value)
        if rng.random() < 0.7 and np.isfinite(number):
            return number
    except ValueError:
        pass
    try:
        if rng.random() < 0.6 and len(value) == 10:
            return dt.datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        pass
    return value


def _to_xlsx(df: pd.DataFrame, rng: random.Random) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append([_typed(str(c), rng) for c in df.columns])
    split = len(df) // 2 if rng.random() < 0.2 else len(df)
    for r in range(split):
        ws.append([_typed(str(v), rng) if not str(v).startswith("=") else "=1/0" for v in df.iloc[r]])
    if split < len(df):
        ws2 = book.create_sheet("more")
        ws2.append([str(c) for c in df.columns])
        for r in range(split, len(df)):
            ws2.append([_typed(str(v), rng) for v in df.iloc[r]])
    out = io.BytesIO()
    book.save(out)
    raw = out.getvalue()
    if rng.random() < 0.1:
        raw = raw[: rng.randrange(len(raw))]
    return raw


def _to_parquet(df: pd.DataFrame, rng: random.Random) -> bytes:
    columns = {}
    for j, col in enumerate(df.columns):
        values = df.iloc[:, j].tolist()
        choice = rng.random()
        if col.startswith("date_") and choice < 0.5:
            stamps = pd.to_datetime(pd.Series(values), errors="coerce", format="%Y-%m-%d")
            arr = pa.array(stamps, pa.timestamp("ns"))
            if rng.random() < 0.5:
                arr = pa.array(stamps.dt.tz_localize("UTC"), pa.timestamp("ns", tz="UTC"))
            columns[col] = arr
        elif choice < 0.1:
            columns[col] = pa.array([str(v).encode("utf-8") + (b"\xff" if rng.random() < 0.2 else b"")
                                     for v in values], pa.binary())
        elif choice < 0.15:
            columns[col] = pa.array([[str(v)] for v in values])
        elif choice < 0.2:
            columns[col] = pa.array([dt.datetime(3000, 1, 1)] * len(values), pa.timestamp("us"))
        else:
            numbers = pd.to_numeric(pd.Series(values), errors="coerce")
            columns[col] = pa.array(numbers) if numbers.notna().all() and len(values) else pa.array(
                [str(v) for v in values])
    names = list(dict.fromkeys(columns))
    out = io.BytesIO()
    pq.write_table(pa.table({n: columns[n] for n in names}), out)
    raw = out.getvalue()
    if rng.random() < 0.05:
        raw = raw[: rng.randrange(len(raw))]
    return raw


def corpus(n: int, seed: int = 20261128) -> list[tuple[str, bytes]]:
    """``n`` (file name, bytes) pairs, the same for the same seed."""
    rng = random.Random(seed)
    files = []
    for i in range(n):
        df = _mutate_cells(_demo(rng), rng)
        fmt = rng.choices(["csv", "xlsx", "parquet"], weights=[6, 2, 2])[0]
        make = {"csv": _to_csv, "xlsx": _to_xlsx, "parquet": _to_parquet}[fmt]
        name = rng.choice([f"cohort_{i}.{fmt}", f"[x](http://evil.example)_{i}.{fmt}", f"<b>{i}</b>.{fmt}"])
        files.append((name, make(df, rng)))
    return files
