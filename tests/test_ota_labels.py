"""The Open Terms Archive labels and how scripts/evaluate_ota.py scores them.

The texts stay in their public git histories; these tests need only the label files,
so they run without the mirrors.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
LABELS = SCRIPTS / "ota_labels"


def load_script():
    """Import scripts/evaluate_ota.py (scripts/ is no package), leaving sys.path as it was."""
    spec = importlib.util.spec_from_file_location("evaluate_ota", SCRIPTS / "evaluate_ota.py")
    module = importlib.util.module_from_spec(spec)
    saved = list(sys.path)
    sys.modules["evaluate_ota"] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module


@pytest.fixture(scope="module")
def ota():
    return load_script()


def batch(ota, name):
    return ota.read_labels(sorted(LABELS.glob(ota.LABELS_OF[name])))


def test_tuning_batches_cover_the_three_histories_with_over_a_hundred_pairs(ota):
    pairs = batch(ota, "tuning")
    assert len(pairs) >= 110
    assert {p.repo for p in pairs} == set(ota.REPOS)
    assert {"material", "minor", "refuse"} <= {p.label for p in pairs}


def test_every_pair_names_two_commits_a_kind_and_why(ota):
    for pair in [p for name in ota.LABELS_OF for p in batch(ota, name)]:
        assert re.fullmatch(r"[0-9a-f]{40}", pair.old) and re.fullmatch(r"[0-9a-f]{40}", pair.new), pair
        assert pair.old != pair.new and pair.path.endswith(".md") and pair.kind and pair.note.strip(), pair


def test_no_pair_is_labelled_twice(ota):
    pairs = [p for name in ota.LABELS_OF if name != "languages" for p in batch(ota, name) if name != "tuning"]
    pairs += batch(ota, "tuning")
    assert len({(p.repo, p.path, p.new) for p in pairs}) == len(pairs)


def test_the_heldout_batch_shares_no_document_with_the_tuning_batches(ota):
    tuning = {(p.repo, p.path) for p in batch(ota, "tuning")}
    heldout = batch(ota, "heldout")
    assert len(heldout) >= 35
    assert not tuning & {(p.repo, p.path) for p in heldout}


def test_the_second_heldout_batch_shares_no_document_with_any_earlier_batch(ota):
    earlier = {(p.repo, p.path) for p in batch(ota, "tuning") + batch(ota, "heldout")}
    fresh = batch(ota, "heldout2")
    assert len(fresh) >= 40
    assert not earlier & {(p.repo, p.path) for p in fresh}


def test_the_third_heldout_batch_shares_no_document_with_any_earlier_batch(ota):
    earlier = {(p.repo, p.path) for p in batch(ota, "tuning") + batch(ota, "heldout") + batch(ota, "heldout2")}
    fresh = batch(ota, "heldout3")
    assert len(fresh) >= 35
    assert not earlier & {(p.repo, p.path) for p in fresh}


@pytest.mark.parametrize(
    "name, earlier",
    [(f"heldout{n}", n) for n in range(4, 15)],
)
def test_a_fresh_heldout_batch_shares_no_document_with_any_earlier_batch(ota, name, earlier):
    before = ("tuning", "heldout", *(f"heldout{n}" for n in range(2, 14)))[:earlier]
    seen = {(p.repo, p.path) for b in before for p in batch(ota, b)}
    fresh = batch(ota, name)
    assert len(fresh) >= 60
    assert not seen & {(p.repo, p.path) for p in fresh}


def test_the_spent_heldout_batches_are_named_as_tuning_material(ota):
    assert (
        tuple(f"heldout{n}.tsv" for n in ("", 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18)) == ota.SPENT
    )
    for name in ota.SPENT:
        assert "SPENT" in (LABELS / name).read_text(encoding="utf-8")
    assert ota.UNSEEN is None or "SPENT" not in (LABELS / ota.LABELS_OF[ota.UNSEEN]).read_text(encoding="utf-8")


def outcome(ota, label, verdict):
    return ota.Outcome(ota.Pair("r", "a/b.md", "0" * 40, "1" * 40, label, "kind", "note"), verdict, [], 1.0)


def test_a_refusal_is_right_only_for_a_pair_labelled_refuse(ota):
    assert outcome(ota, "refuse", ota.REFUSED).correct
    assert outcome(ota, "material", ota.REFUSED).mistake == "refused a policy"
    assert outcome(ota, "refuse", "material").mistake == "not refused (material)"


def test_a_minor_pair_judged_none_is_kept_minor_and_one_judged_material_is_a_false_alarm(ota):
    assert outcome(ota, "minor", "none").correct
    assert outcome(ota, "minor", "material").mistake == "false alarm"
    assert outcome(ota, "material", "minor").mistake == "missed"


def test_a_labels_line_without_seven_columns_is_named_with_its_line(ota, tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("# header\nrepo\tpath\told\tnew\tmaterial\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"bad\.tsv:2: expected 7 columns"):
        ota.read_labels([bad])


def without_mirror(tmp_path, script: str, *args: str) -> subprocess.CompletedProcess:
    """A script of scripts/ run where $OTA_MIRROR names no folder."""
    return subprocess.run(
        [sys.executable, str(SCRIPTS / script), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "OTA_MIRROR": str(tmp_path / "none")},
        check=False,
    )


def test_a_missing_mirror_is_one_line_and_exit_2(tmp_path):
    run = without_mirror(tmp_path, "evaluate_ota.py")
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and "no such repository (set $OTA_MIRROR)" in run.stderr


def test_the_sampler_without_a_mirror_says_so_in_one_line_and_exits_2(tmp_path):
    run = without_mirror(tmp_path, "ota_sample.py", "--fresh", "--out", str(tmp_path / "draw"))
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and "no such repository (set $OTA_MIRROR)" in run.stderr
    assert not (tmp_path / "draw").exists()


@pytest.mark.parametrize("shaping", ["--wider", "--guidelines", "--revisions"])
def test_the_sampler_refuses_a_shaped_draw_that_is_not_fresh(tmp_path, shaping):
    run = without_mirror(tmp_path, "ota_sample.py", shaping, "--out", str(tmp_path / "draw"))
    assert run.returncode == 2
    assert "use them with --fresh" in run.stderr
    assert not (tmp_path / "draw").exists()


def test_the_unseen_heldout_batch_warns_that_it_is_scored_once(ota, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(ota, "UNSEEN", "heldout14")
    monkeypatch.setattr(ota, "MIRROR", tmp_path / "none")
    assert ota.main(["--batch", "heldout14"]) == 2
    assert "scored once" in capsys.readouterr().err


def test_a_spent_heldout_batch_is_run_without_the_warning(tmp_path):
    run = without_mirror(tmp_path, "evaluate_ota.py", "--batch", "heldout14")
    assert "scored once" not in run.stderr and run.returncode == 2


@pytest.mark.parametrize("revisions", ["heldout15", "heldout16", "heldout17", "heldout18", "heldout19"])
def test_a_revisions_batch_holds_no_revision_labelled_in_an_earlier_batch(ota, revisions):
    names = list(ota.LABELS_OF)
    before = {(p.repo, p.path, p.new) for name in names[: names.index(revisions)] for p in batch(ota, name)}
    fresh = batch(ota, revisions)
    assert len(fresh) >= 60
    assert not before & {(p.repo, p.path, p.new) for p in fresh}
