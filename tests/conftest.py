"""Shared fixtures: paths to the R reference outputs and the demo cohorts."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference"
if not REFERENCE.exists():  # CI clones main with shared/ beside it
    REFERENCE = ROOT / ".." / "shared" / "reference"
DATA = ROOT / "data"


def reference(name: str) -> dict:
    """The R output for a dataset (lung, veteran, pbc_competing)."""
    return json.loads((REFERENCE / f"{name}.json").read_text())


def reference_data(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "data" / f"{name}.csv")


@pytest.fixture(scope="session")
def nsclc_cohort():
    """The NSCLC demo under its publication's endpoint rules (PFS: death censored)."""
    import recur
    from recur.demo import PUBLISHED_RULES
    settings = recur.Settings(rules=PUBLISHED_RULES["demo_nsclc_synthetic.csv"][0])
    return recur.load_cohort(DATA / "demo_nsclc_synthetic.csv", settings=settings)


@pytest.fixture(scope="session")
def npc_cohort():
    import recur
    from recur.demo import PUBLISHED_RULES
    settings = recur.Settings(rules=PUBLISHED_RULES["demo_npc_reirradiation_synthetic.csv"][0])
    return recur.load_cohort(DATA / "demo_npc_reirradiation_synthetic.csv", settings=settings), settings
