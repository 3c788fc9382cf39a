"""UNHCR population statistics by year, origin and asylum."""

from __future__ import annotations

import pandas as pd

from geo.context import LoadContext
from geo.loaders.countries import report_unresolved
from geo.readers import read_csv, require_columns

DATASET = "unhcr_population"
FILE = "unhcr_refugees/unhcr_population.csv"
NAMES = ["year", "coo_name", "coo", "coo_iso", "coa_name", "coa", "coa_iso"]
COUNTS = [
    "refugees",
    "asylum_seekers",
    "returned_refugees",
    "idps",
    "returned_idps",
    "stateless",
    "ooc",
    "oip",
    "hst",
]
#: Columns of ``unhcr_refugees/unhcr_population.csv`` in the reference layout (fetch writes them).
COLUMNS = (*NAMES, *COUNTS)


def load(ctx: LoadContext) -> bool:
    """Load ``unhcr_population.csv``; rows with an unreadable year or count are rejected."""
    path = ctx.sources / FILE
    if not path.exists():
        return False
    df, _ = read_csv(path)
    require_columns(df, path, ["year", "coo_iso", "coa_iso", "refugees"])
    for c in COUNTS + ["coo_name", "coa_name"]:
        if c not in df.columns:
            df[c] = ""
    # The rows keep the publisher's codes; a name or code that is not a country
    # ("Unknown" UNK, "Stateless" XXA, "Tibetan" TIB) is reported once.
    for side in ("coa", "coo"):
        report_unresolved(
            ctx,
            DATASET,
            path,
            f"{side}_name/{side}_iso",
            zip(
                df["_row"],
                df[f"{side}_name"].str.strip(),
                df[f"{side}_iso"].str.strip(),
                strict=True,
            ),
        )
    # Vectorised: 139k rows. Empty counts are zero; anything else must be a number.
    year = pd.to_numeric(df["year"].str.strip(), errors="coerce")
    bad = year.isna() | (year < 1900) | (year > 2100)
    for i in df.index[bad]:
        ctx.issue(
            DATASET, path, int(df.at[i, "_row"]), "year", df.at[i, "year"], "rejected", "not a year"
        )
    numbers = {}
    for c in COUNTS:
        stripped = df[c].str.strip()
        separated = stripped.str.fullmatch(r"\d{1,3}(,\d{3})+")
        text = stripped.mask(separated, stripped.str.replace(",", "", regex=False))
        text = text.mask(text.isin(["", "NA", "-"]), "0")
        values = pd.to_numeric(text, errors="coerce")
        wrong = values.isna() | (values < 0)
        for i in df.index[wrong & ~bad]:
            ctx.issue(
                DATASET, path, int(df.at[i, "_row"]), c, df.at[i, c], "rejected", "not a count"
            )
        for i in df.index[separated & ~bad & ~wrong]:
            ctx.issue(
                DATASET,
                path,
                int(df.at[i, "_row"]),
                c,
                df.at[i, c],
                "repaired",
                "thousands separator removed",
            )
        bad = bad | wrong
        numbers[c] = values
    keep = ~bad
    out = pd.DataFrame(
        {
            "year": year[keep].astype("int64"),
            "origin_iso3": df.loc[keep, "coo_iso"].str.strip(),
            "origin_name": df.loc[keep, "coo_name"].str.strip(),
            "asylum_iso3": df.loc[keep, "coa_iso"].str.strip(),
            "asylum_name": df.loc[keep, "coa_name"].str.strip(),
            **{c: numbers[c][keep].round().astype("int64") for c in COUNTS},
            "_row": df.loc[keep, "_row"],  # not stored: names the row of a value out of range
        }
    )
    n = ctx.insert("refugee_population", out, path=path)
    ctx.record_source(DATASET, path, ["refugee_population"], n)
    ctx.say(
        f"  UNHCR population: {n:,} rows ({out['year'].min()}-{out['year'].max()}), {int(bad.sum())} rejected"
    )
    return True
