"""The reconciliation's own MMP merge rule on a small made-up mirror: a later year file
(api/2027.json) is taken with no change, and each year comes from one publication."""

from __future__ import annotations

import csv
import json
from datetime import date

from tests.reconcile.sources import BOM, read_mmp

EXPORT_COLUMNS = [
    "Main ID",
    "Incident Type",
    "Region of Incident",
    "Incident Date",
    "Incident Year",
    "Number of Dead",
    "Minimum Estimated Number of Missing",
    "Total Number of Dead and Missing",
    "Cause of Death",
    "Migration Route",
]


def _row(web_id, day, dead, missing, total, route="Central Mediterranean"):
    return {
        "web_id": web_id,
        "region": "Mediterranean",
        "reported_date": day,
        "number_dead": dead,
        "number_missing": missing,
        "total_dead_and_missing": total,
        "cause_death": "Harsh environmental conditions / lack of adequate shelter, food, water",
        "migration_route": route,
    }


def test_merge_rule_on_a_made_up_mirror(tmp_path):
    """Export to mid-2026; endpoint files 2025 (older), 2026 and a new 2027."""
    folder = tmp_path / "missing_migrants"
    (folder / "api").mkdir(parents=True)
    with open(folder / "Missing_Migrants_Global_Figures_allData_2026-06.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(EXPORT_COLUMNS)
        w.writerow(
            [
                BOM + "2025.MMP1",
                "Incident",
                "Europe",
                "2025-03-01",
                "2025",
                "1,000",
                "",
                "",
                "Drowning",
                "",
            ]
        )
        w.writerow(
            [
                "2026.MMP1",
                "Incident",
                "Mediterranean",
                "2026-06-30",
                "2026",
                "2",
                "3",
                "5",
                "Drowning,Violence",
                "Central Mediterranean,Western Mediterranean",
            ]
        )
        w.writerow(
            [
                "2026.MMP2",
                "Incident",
                "Mediterranean",
                "2026-02-01",
                "2026",
                "1",
                "0",
                "1",
                "Drowning",
                "",
            ]
        )
    # 2025 is older than the export: ignored. 2026: the later publication of 2026 (the
    # export's last year), without 2026.MMP2. 2027: new, two identical origin groups.
    (folder / "api" / "2025.json").write_text(
        json.dumps([_row("2025.MMP1", "2025-03-01", "9", "0", "9")])
    )
    (folder / "api" / "2026.json").write_text(
        json.dumps([_row("2026.MMP1", "2026-06-30", "4", "3", "")])
    )
    row = _row("2027.MMP1", "2027-01-02", "1", "", "1")
    (folder / "api" / "2027.json").write_text(json.dumps({"data": [row, row]}))

    mmp = read_mmp(tmp_path)

    assert mmp.export_last_date == date(2026, 6, 30)
    assert mmp.endpoint_years == {2026, 2027}
    got = mmp.incidents.set_index("id")
    assert sorted(got.index) == ["2025.MMP1", "2026.MMP1", "2027.MMP1"]
    assert got.loc["2025.MMP1", ["source", "dead_and_missing"]].tolist() == ["export", 1000]
    assert got.loc["2026.MMP1", ["source", "dead", "dead_and_missing"]].tolist() == [
        "endpoint",
        4,
        7,
    ]
    assert got.loc["2027.MMP1", ["dead", "missing", "dead_and_missing"]].tolist() == [2, 0, 2]
    assert got.loc["2027.MMP1", "causes"] == (
        "Harsh environmental conditions / lack of adequate shelter, food, water",
    )
    assert mmp.dropped_export_ids() == ["2026.MMP2"]
