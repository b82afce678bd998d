"""scripts/evaluate_registers.py on a history laid out as the Basecamp corpus is, and re-ordering as a property."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from policywatch import compare

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "evaluate_registers.py"
HEAD = (
    "---\ntitle: Subprocessors\n---\n\n# Subprocessors\n\nThese subprocessors are all located in the United States:\n\n"
)


def history(folder: Path, *versions: list[str]) -> Path:
    folder.mkdir()
    rows = ["seq\tdate\tcommit\tsubject"]
    for n, items in enumerate(versions, 1):
        (folder / f"{n:03d}-2024-01-0{n}-abc.md").write_text(HEAD + "".join(items), encoding="utf-8")
        rows.append(f"{n}\t2024-01-0{n}\tabc\tversion {n}")
    (folder / "versions.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def evaluate(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), str(folder)], capture_output=True, text=True, check=False)


def test_the_evaluation_prints_each_versions_entries_and_counts_the_added_ones_named(tmp_path):
    aws, acme = "* [AWS](https://a). Cloud services provider.\n", "* [Acme AI](https://b). Model hosting.\n"
    folder = history(tmp_path / "subprocessors", [aws], [aws, acme], [acme])
    result = evaluate(folder)
    assert result.returncode == 0, result.stderr
    assert "added    Acme AI" in result.stdout
    assert "removed  AWS" in result.stdout
    assert "entries added 1 (named in the reasons: 1), changed 0, removed 1" in result.stdout


def test_the_evaluation_refuses_a_folder_without_versions(tmp_path):
    result = evaluate(tmp_path)
    assert result.returncode == 2
    assert "no versions.tsv" in result.stderr


ROWS = [f"| Entity {n} | Purpose {n} | Data {n} | Country {n} |\n" for n in range(8)]
FRONT = "---\nkind: register\n---\n\n| Name | Purpose | Data categories | Location |\n|---|---|---|---|\n"


@settings(max_examples=60, deadline=None)
@given(st.permutations(ROWS))
def test_any_order_of_the_same_rows_changes_nothing(rows):
    assert compare(FRONT + "".join(ROWS), FRONT + "".join(rows)).classification == "none"


@settings(max_examples=60, deadline=None)
@given(st.permutations(ROWS), st.integers(0, len(ROWS)))
def test_an_added_row_anywhere_is_material_and_named(rows, at):
    new = list(rows)
    new.insert(at, "| Newco | Hosting | Logs | Canada |\n")
    result = compare(FRONT + "".join(ROWS), FRONT + "".join(new))
    assert result.classification == "material"
    assert [r for c in result.changes for r in c.reasons] == ["new sub-processor: Newco (Canada; Hosting)"]
