"""Robustness on small inline inputs: unique doc_ids, key checks before writing, CSV that round-trips, a cache
that cannot run code and notices edits."""

import json
import pickle

import pandas as pd
from frictionless import Resource
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline import tables
from pipeline.flow.document import DocumentCache
from pipeline.records import PageStatus, Paragraph, Report
from pipeline.schema import CSV_DIALECT, check_tables, load_vocabularies
from pipeline.textkeys import unique_doc_ids

VOCAB = load_vocabularies()


def test_file_names_that_slug_alike_get_distinct_reported_doc_ids():
    ids, notes = unique_doc_ids(["g40_jaarverslag.pdf", "G40 jaarverslag.pdf", "g40-jaarverslag-2.pdf", "ander.pdf"])
    assert ids == {
        "G40 jaarverslag.pdf": "g40-jaarverslag",
        "g40_jaarverslag.pdf": "g40-jaarverslag-3",
        "g40-jaarverslag-2.pdf": "g40-jaarverslag-2",
        "ander.pdf": "ander",
    }
    assert notes == [
        "g40_jaarverslag.pdf and G40 jaarverslag.pdf both give doc_id 'g40-jaarverslag': g40_jaarverslag.pdf is 'g40-jaarverslag-3'"
    ]
    assert unique_doc_ids(reversed(list(ids)))[0] == ids


def documents(*doc_ids: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "doc_id": d,
                "year": 2031 + i,
                "title": "t",
                "source_file": f"{d}.pdf",
                "sha256": "0" * 64,
                "n_pages": 1,
                "n_pages_ocr": 0,
            }
            for i, d in enumerate(doc_ids)
        ]
    )


def test_duplicate_keys_and_dangling_references_are_caught_on_the_frames():
    assert check_tables({"documents": documents("a", "b")}, VOCAB) == []
    problems = check_tables({"documents": documents("a", "a")}, VOCAB)
    assert problems == ["documents.csv: key doc_id is not unique (e.g. ['a'])"]
    pages = pd.DataFrame(
        [{"doc_id": "z", "year": 2031, "page": 1, "status": "gescand", "removed_lines": 0, "n_paragraphs": 0}]
    )
    problems = check_tables({"documents": documents("a"), "pages": pages}, VOCAB)
    assert problems == [
        "pages.csv: status has values outside its list: ['gescand']",
        "pages.csv: 1 doc_id value(s) not in documents.csv",
    ]


# Text as a PDF can hold it: any character but surrogates, with line breaks, quotes, commas and formula starts.
cells = st.text(st.characters(exclude_categories=["Cs"]), max_size=30) | st.sampled_from(
    ["NA", "null", "", "'=x", "=1+1", "a\rb", "a\r\nb", '"quoted", comma', "\x00\x0b", "-", " lead"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(cells, st.integers(-(10**6), 10**6), cells), min_size=1, max_size=6))
@example([("", 0, ""), ("", 0, " "), ('", ', 0, "")])  # a guessed dialect once read the space as missing
def test_any_text_is_read_back_as_written_by_our_reader_and_by_frictionless(tmp_path_factory, rows):
    frame = pd.DataFrame(rows, columns=["url", "page", "text"])
    path = tmp_path_factory.mktemp("csv") / "links.csv"
    tables.write_table(frame, path)
    expected = frame.assign(url=frame["url"].map(tables.clean_cell), text=frame["text"].map(tables.clean_cell))
    read = tables.read_table(path, ["url", "text"])
    pd.testing.assert_frame_equal(read, expected, check_dtype=False)
    schema = {
        "fields": [
            {"name": "url", "type": "string"},
            {"name": "page", "type": "integer"},
            {"name": "text", "type": "string"},
        ],
        "missingValues": [""],
    }
    descriptor = {"name": "links", "path": path.name, "schema": schema, "dialect": CSV_DIALECT}
    with Resource.from_descriptor(descriptor, basepath=str(path.parent)) as resource:
        read_back = [
            (row["url"] or "", row["page"], tables.restore_formula(row["text"] or "")) for row in resource.read_rows()
        ]
    assert [(tables.restore_formula(u), p, t) for u, p, t in read_back] == list(
        expected.itertuples(index=False, name=None)
    )


def report() -> Report:
    paragraph = Paragraph("a-p0001", 1, 1, "Fysiek", "Wonen", "Wonen", "text", "De gemeenten bouwen.")
    return Report(
        "a", 2031, "Jaarverslag", "a.pdf", "0" * 64, 1, [paragraph], [PageStatus(1, "text", 0)], [(1, "https://x")]
    )


def test_the_cache_is_json_and_an_altered_or_misshapen_entry_is_recomputed_with_a_note(tmp_path):
    cache = DocumentCache(tmp_path)
    cache.save("structure", "k", report())
    assert cache.load("structure", "k") == (report(), None)
    path = tmp_path / "structure" / "k.json"
    entry = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(path.read_text(encoding="utf-8").replace("Fysiek", "Fysiekk"), encoding="utf-8")
    value, note = cache.load("structure", "k")
    assert value is None and "altered" in note
    entry["payload"] = {"doc_id": "a"}
    entry["sha256"] = __import__("pipeline.flow.document", fromlist=["payload_digest"]).payload_digest(entry["payload"])
    path.write_text(json.dumps(entry), encoding="utf-8")
    value, note = cache.load("structure", "k")
    assert value is None and "wrong shape" in note
    path.write_bytes(pickle.dumps(report()))
    value, note = cache.load("structure", "k")
    assert value is None and "cannot be read" in note


def test_a_cache_that_cannot_be_written_says_so(tmp_path):
    (tmp_path / "file").write_text("x")
    cache = DocumentCache(tmp_path / "file" / "cache")
    try:
        cache.save("structure", "k", report())
    except Exception as error:
        assert type(error).__name__ == "CacheUnavailable" and "--no-cache" in str(error)
    else:
        raise AssertionError("saving into a file did not fail")
