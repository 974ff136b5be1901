"""The benchmark's arithmetic: how growth is judged, how runs are summarised, and the README block it writes.

No time is measured here: the rows are made up, so the verdicts can be checked exactly.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from pipeline.config import PROJ_ROOT


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench", PROJ_ROOT / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_fixed_start_up_does_not_hide_a_cost_that_grows_with_the_square(bench):
    sizes = [1.0, 10.0, 40.0]
    linear = [5 + 0.5 * n for n in sizes]
    square = [5 + 0.01 * n * n for n in sizes]
    assert bench.growth_exponent(sizes, linear) == pytest.approx(1.0)
    assert bench.growth_exponent(sizes, square) > 1.5


def growth_rows(scenario_of, sizes, size_column, seconds):
    return [
        {
            "scenario": scenario_of(size),
            "stage": "report",
            "documents": size if size_column == "documents" else 1,
            "pages": size if size_column == "pages" else 17 * size,
            "seconds": value,
            "peak_rss_mib": None,
        }
        for size, value in zip(sizes, seconds, strict=True)
    ]


def test_a_stage_that_grows_worse_than_linearly_is_named_in_the_targets(bench):
    rows = growth_rows(lambda n: f"corpus of {n} report(s)", bench.CORPUS_SIZES, "documents", [2.0, 5.0, 40.0])
    rows += growth_rows(lambda n: f"one report of {n} pages", bench.PAGE_SIZES, "pages", [1.0, 6.0, 31.0])
    grown = bench.growth(pd.DataFrame(rows))
    verdicts = dict(zip(grown["dimension"], grown["growth"], strict=True))
    assert verdicts == {"reports": "WORSE THAN LINEAR", "pages": "linear or better"}


def test_a_stage_that_hardly_grows_is_not_judged_on_its_noise(bench):
    rows = growth_rows(lambda n: f"one report of {n} pages", bench.PAGE_SIZES, "pages", [0.70, 0.72, 0.93])
    assert list(bench.growth(pd.DataFrame(rows))["growth"]) == ["too small to judge (grows < 0.5 s)"]


def test_runs_are_summarised_as_median_and_spread_with_the_ratio_to_bare_reading(bench):
    rows = []
    for run, (bare, command) in enumerate([(1.0, 3.0), (1.2, 3.0), (0.8, 3.2)], start=1):
        for stage, seconds in ((bench.BARE, bare), ("g40 extract", command)):
            rows.append(
                {
                    "run": run,
                    "scenario": "s",
                    "stage": stage,
                    "documents": 1,
                    "pages": 17,
                    "words": 6000,
                    "seconds": seconds,
                    "peak_rss_mib": 100 * run,
                }
            )
    summary = bench.summarise(pd.DataFrame(rows)).set_index("stage")
    command = summary.loc["g40 extract"]
    assert (command["seconds"], command["seconds_min"], command["seconds_max"]) == (3.0, 3.0, 3.2)
    assert (command["ratio_to_extract_words"], command["ratio_min"], command["ratio_max"]) == (3.0, 2.5, 4.0)
    assert command["peak_rss_mib"] == 300


def test_the_readme_block_is_made_from_the_csvs_alone(bench, tmp_path, monkeypatch):
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{bench.README_START}\nSTALE TABLE\n{bench.README_END}\nafter\n", encoding="utf-8")
    monkeypatch.setattr(bench, "README", readme)
    pd.DataFrame(
        [
            {
                "scenario": "s",
                "stage": "g40 extract",
                "seconds": 3.0,
                "seconds_min": 2.9,
                "seconds_max": 3.3,
                "ratio_to_extract_words": 2.5,
                "peak_rss_mib": 400,
            }
        ]
    ).to_csv(tmp_path / "bench.csv", index=False)
    pd.DataFrame([{"target": "cold", "limit": "≤ 3", "measured": "2.5", "spread": "2.4–2.7", "verdict": "met"}]).to_csv(
        tmp_path / "bench_targets.csv", index=False
    )
    pd.DataFrame(columns=["dimension", "stage", "quantity", "sizes", "values", "exponent", "growth"]).to_csv(
        tmp_path / "bench_growth.csv", index=False
    )
    Path(tmp_path / "bench_meta.json").write_text('{"machine": "m", "runs": 3, "date": "2026-12-01"}', encoding="utf-8")
    bench.update_readme(tmp_path)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("before\n") and text.endswith("after\n") and "STALE" not in text
    assert "g40 extract" in text
    assert "2.4–2.7" in text and "3 runs" in text
