"""Stage 6: what changed between years, per pillar, on the normalised pillars, the theme taxonomy and canonical entities.

Reports differ in length and layout, so nothing is compared as a raw count: a theme by its share of the
pillar's words (percent, so the delta is in percentage points), an entity or a lobbying instrument by its
mentions or acts per 10,000 words of the pillar, with the raw counts kept beside the values. A pillar with no
paragraphs in one year of a pair is not compared in that pair (a note says so): its themes and entities did
not disappear, the pillar is missing. Each pair of years uses only those two years, so adding a report for
another year never changes the rows of an existing pair.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import pandas as pd

from pipeline.columns import TABLE_COLUMNS
from pipeline.tables import tidy

PER_WORDS = 10_000
DECIMALS = 2
OBSERVATION_COLUMNS = ["year", "pillar", "dimension", "key", "entity_id", "value", "count"]
ONE_YEAR_NOTE = "comparison needs a second year: none written"
COMPARISON_INPUTS = ["focus", "entities", "lobby_actions", "paragraphs"]


def year_pairs(years: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive years of the corpus, and the first with the last when there are three or more."""
    ordered = sorted(set(years))
    pairs = list(itertools.pairwise(ordered))
    if len(ordered) > 2:
        pairs.append((ordered[0], ordered[-1]))
    return pairs


def pillar_words(paragraphs: pd.DataFrame) -> pd.Series:
    """Words per year and pillar: the denominator of every value."""
    return paragraphs.groupby(["year", "pillar"])["n_words"].sum()


def share_of_pillar(amounts: pd.Series, frame: pd.DataFrame, words: pd.Series) -> pd.Series:
    """`amounts` (words, mentions, acts) over the words of the row's year and pillar."""
    totals = frame.join(words.rename("pillar_words"), on=["year", "pillar"])["pillar_words"]
    return amounts / totals


def theme_observations(focus: pd.DataFrame, words: pd.Series) -> pd.DataFrame:
    """Each theme's share of its pillar's words, in percent; the count is its paragraphs."""
    frame = focus.assign(dimension="theme", key=focus["theme"], entity_id="", count=focus["paragraphs"])
    return frame.assign(value=100 * share_of_pillar(frame["words"], frame, words))[OBSERVATION_COLUMNS]


def entity_observations(entities: pd.DataFrame, words: pd.Series) -> pd.DataFrame:
    """Mentions per 10,000 words of the pillar, one row per entity id.

    An id written in several forms (an unknown name in two spellings) is one row, named by its most
    mentioned canonical (ties by name).
    """
    keys = ["year", "pillar", "entity_type", "entity_id"]
    ordered = entities.sort_values(
        [*keys, "mentions", "canonical"], ascending=[True] * 4 + [False, True], kind="mergesort"
    )
    frame = ordered.groupby(keys, as_index=False, sort=True).agg(key=("canonical", "first"), count=("mentions", "sum"))
    frame = frame.rename(columns={"entity_type": "dimension"})
    return frame.assign(value=PER_WORDS * share_of_pillar(frame["count"], frame, words))[OBSERVATION_COLUMNS]


def lobby_observations(lobby_actions: pd.DataFrame, words: pd.Series) -> pd.DataFrame:
    """Lobbying acts per instrument per 10,000 words of the pillar."""
    frame = lobby_actions.groupby(["year", "pillar", "instrument"], as_index=False, sort=True).size()
    frame = frame.rename(columns={"instrument": "key", "size": "count"}).assign(
        dimension="lobby_instrument", entity_id=""
    )
    return frame.assign(value=PER_WORDS * share_of_pillar(frame["count"], frame, words))[OBSERVATION_COLUMNS]


def observations(
    focus: pd.DataFrame, entities: pd.DataFrame, lobby_actions: pd.DataFrame, paragraphs: pd.DataFrame
) -> pd.DataFrame:
    """One row per year, pillar, dimension and key: the normalised value that is compared and its raw count."""
    words = pillar_words(paragraphs)
    parts = [
        theme_observations(focus, words),
        entity_observations(entities, words),
        lobby_observations(lobby_actions, words),
    ]
    frame = pd.concat(parts, ignore_index=True)
    return frame.assign(value=frame["value"].astype(float).round(DECIMALS), count=frame["count"].astype(int))


def change(count_from: int, count_to: int, delta: float) -> str:
    """`new`/`dropped` when absent in one year; otherwise the sign of the delta, `same` when it rounds to zero."""
    if count_from == 0:
        return "new"
    if count_to == 0:
        return "dropped"
    if round(delta, DECIMALS) == 0:
        return "same"
    return "up" if delta > 0 else "down"


def compare_pair(observed: pd.DataFrame, pillars: pd.Index, year_from: int, year_to: int) -> pd.DataFrame:
    """The rows of one pair of years over the pillars present in both; an absent key counts zero.

    Entities are matched by id and named as in `year_from` (as in `year_to` when new).
    """
    match = ["pillar", "dimension", "entity_id", "match"]
    sides = []
    for year in (year_from, year_to):
        rows = observed[(observed["year"] == year) & observed["pillar"].isin(pillars)]
        sides.append(
            rows.assign(match=rows["entity_id"].where(rows["entity_id"] != "", rows["key"])).drop(columns="year")
        )
    merged = sides[0].merge(sides[1], on=match, how="outer", suffixes=("_from", "_to"), sort=True)
    merged["key"] = merged["key_from"].fillna(merged["key_to"])
    for suffix in ("from", "to"):
        merged[f"value_{suffix}"] = merged[f"value_{suffix}"].fillna(0.0)
        merged[f"count_{suffix}"] = merged[f"count_{suffix}"].fillna(0).astype(int)
    merged["delta"] = (merged["value_to"] - merged["value_from"]).round(DECIMALS)
    merged["change"] = [
        change(*row) for row in zip(merged["count_from"], merged["count_to"], merged["delta"], strict=True)
    ]
    return merged.assign(year_from=year_from, year_to=year_to)


def comparison_table(
    focus: pd.DataFrame, entities: pd.DataFrame, lobby_actions: pd.DataFrame, paragraphs: pd.DataFrame
) -> pd.DataFrame:
    """Every pair of years (`year_pairs`), per pillar present in both: themes, entities and lobbying instruments."""
    observed = observations(focus, entities, lobby_actions, paragraphs)
    present = pillar_words(paragraphs)
    present = present[present > 0]
    pairs = []
    for year_from, year_to in year_pairs(paragraphs["year"]):
        pillars = present[year_from].index.intersection(present[year_to].index)
        pairs.append(compare_pair(observed, pillars, year_from, year_to))
    if not pairs:
        return pd.DataFrame(columns=TABLE_COLUMNS["comparison"])
    compared = pd.concat(pairs, ignore_index=True)
    labels = dict(zip(focus["theme"], focus["theme_label"], strict=True)) if "theme_label" in focus else {}
    themed = compared["dimension"] == "theme"
    compared["theme_label"] = [
        labels.get(key, "") if theme else "" for key, theme in zip(compared["key"], themed, strict=True)
    ]
    return tidy(compared, "comparison")


def comparison_notes(paragraphs: pd.DataFrame) -> list[str]:
    """What the comparison cannot say: a single year, a year missing between two reports, a pillar missing in a year."""
    years = sorted(set(paragraphs["year"]))
    if len(years) < 2:
        return [ONE_YEAR_NOTE]
    pillars = paragraphs.groupby("year")["pillar"].agg(set)
    notes = []
    for year_from, year_to in year_pairs(years):
        consecutive = years.index(year_to) == years.index(year_from) + 1
        if consecutive and year_to - year_from > 1:
            missing = ", ".join(str(y) for y in range(year_from + 1, year_to))
            notes.append(f"no report for {missing}: {year_from} is compared with {year_to}")
        for pillar in sorted(pillars[year_from] ^ pillars[year_to]):
            has, lacks = (year_from, year_to) if pillar in pillars[year_from] else (year_to, year_from)
            notes.append(
                f"comparison {year_from}-{year_to}: pillar {pillar} has no paragraphs in {lacks} (only in {has}): not compared"
            )
    return notes


def add_comparison(frames: dict[str, pd.DataFrame]) -> list[str]:
    """Add `comparison` to the tables when they hold two or more years; the notes say what is not compared."""
    inputs = {name: frames[name] for name in COMPARISON_INPUTS}
    if inputs["paragraphs"]["year"].nunique() >= 2:
        frames["comparison"] = comparison_table(**inputs)
    return comparison_notes(inputs["paragraphs"])
