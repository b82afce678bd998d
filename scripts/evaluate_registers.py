"""Compare a real sub-processor list's history entry by entry, and check every added entry is named.

    python scripts/evaluate_registers.py [FOLDER]

FOLDER defaults to the Basecamp sub-processor list in the corpus that
scripts/evaluate_basecamp.py reads (privacy-basecamp-subprocessors), read where it
lies. Each version is read as a register (a list whose items begin with the
entity's name); the script prints per version the entries added, changed and
removed, the verdict, and whether every added entry is named in a reason.
Exits 1 when one is not.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate_basecamp import DEFAULT, versions  # noqa: E402

from policywatch.engine.register import RegisterSettings, compare_register  # noqa: E402

FOLDER = DEFAULT / "privacy-basecamp-subprocessors"


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else FOLDER
    if not (folder / "versions.tsv").is_file():
        print(f"evaluate_registers: {folder}: no versions.tsv here", file=sys.stderr)
        return 2
    history = versions(folder)
    added = named = changed = removed = 0
    missing: list[str] = []
    print(f"== {folder.name}: {len(history)} versions")
    for (old_path, _), (new_path, row) in zip(history, history[1:], strict=False):
        old, new = old_path.read_text(encoding="utf-8"), new_path.read_text(encoding="utf-8")
        result = compare_register(old, new, RegisterSettings())
        table = result.register
        reasons = [r for c in result.changes for r in c.reasons]
        print(
            f"{new_path.name[:3]} {row.get('date', '?'):<10} {result.classification:<8} {row.get('subject', '')[:70]}"
        )
        for entry in table.entries:
            detail = f" ({', '.join(entry.changed)})" if entry.changed else ""
            print(f"      {entry.status:<8} {entry.name}{detail}")
        for entry in table.of("added"):
            added += 1
            if any(f"new sub-processor: {entry.name}" in r for r in reasons):
                named += 1
            else:
                missing.append(f"{new_path.name[:3]} {entry.name}")
        changed += len(table.of("changed"))
        removed += len(table.of("removed"))
    print(
        f"\nentries added {added} (named in the reasons: {named}), changed {changed}, removed {removed}"
        + (f"; NOT named: {', '.join(missing)}" if missing else "")
    )
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
