"""`policywatch evidence` and `policywatch verify`: a release's bundle, and tampering found wherever it is.

A real repository publishes a policy twice; the material release's notices go to
a real SMTP server on loopback; the ledger is SQLite or PostgreSQL. Tampering is
done the way it would be: bytes edited in the bundle, rows edited with raw SQL
behind policywatch's back.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from policywatch.evidence.bundle import sha256
from policywatch.store import chain, open_store
from tests._email_support import smtp_server
from tests._git_support import SEEDS, new_git_project
from tests._publish_support import run

PEOPLE = "email,name,policies\nana@example.com,Ana,\nbo@example.org,Bo,privacy\ncy@example.net,Cy,privacy\n"


def _company(root: Path, monkeypatch, url: str, config: str = "") -> Path:
    """privacy 1.0 and 2.0 (material), its notices sent to a real SMTP server; the repository's root."""
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", url)
    monkeypatch.setenv("POLICYWATCH_FROM", "Privacy Team <privacy@example.com>")
    repo = new_git_project(root / "repo")
    monkeypatch.chdir(repo.root)
    assert run("init").exit_code == 0
    shutil.copy(SEEDS / "zepp-privacy.md", repo.root / "policies/privacy.md")
    site = '\n[site]\nbase_url = "https://policies.example.com/"\n'
    repo.write("policywatch.toml", repo.read("policywatch.toml") + site + config)
    repo.commit("Add the policy")
    assert run("publish", "--yes", "--date", "2026-01-05").exit_code == 0
    (root / "people.csv").write_text(PEOPLE, encoding="utf-8")
    assert run("subscribers", "import", str(root / "people.csv")).exit_code == 0
    text = repo.read("policies/privacy.md")
    repo.write("policies/privacy.md", text.replace("We do not sell", "We may sell"))
    repo.commit("Allow selling personal information")
    with smtp_server() as (controller, _):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        published = run("publish", "--yes", "--date", "2026-03-02", "--summary", "We may now sell your data.")
    assert published.exit_code == 0, published.output
    return repo.root


@pytest.fixture
def company(tmp_path, monkeypatch, any_url) -> tuple[Path, str]:
    return _company(tmp_path, monkeypatch, any_url), any_url


@pytest.fixture
def sqlite_company(tmp_path, monkeypatch, sqlite_url) -> tuple[Path, str]:
    return _company(tmp_path, monkeypatch, sqlite_url), sqlite_url


@pytest.fixture
def bundle(sqlite_company, tmp_path) -> Path:
    out = tmp_path / "evidence.zip"
    result = run("evidence", "privacy@2.0", str(out))
    assert result.exit_code == 0, result.output
    return out


def _files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write(path: Path, files: dict[str, bytes]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def _refused(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    assert line.startswith("policywatch: error: ") and "\n" not in line, line
    for fragment in fragments:
        assert fragment in line, line


def _sql(url: str, statement: str, params: tuple = ()) -> None:
    store = open_store(url)
    try:
        store.execute(statement, params)
    finally:
        store.close()


# -- the bundle -------------------------------------------------------------------------------------


def test_a_bundle_holds_the_record_text_redline_summary_audit_responses_chain_and_manifest(company, tmp_path):
    out = tmp_path / "evidence.zip"
    assert run("evidence", "privacy@2.0", str(out)).exit_code == 0
    files = _files(out)
    assert set(files) == {
        "README.txt",
        "chain/events.jsonl",
        "chain/head.json",
        "manifest.sha256",
        "notice/audit.csv",
        "notice/audit.json",
        "redline/redline.html",
        "redline/redline.json",
        "release/privacy.md",
        "release/privacy.md.sha256",
        "release/record.json",
        "release/summary.json",
        "release/tag-message.txt",
        "responses/acceptances.json",
        "responses/objections.json",
    }
    assert files["release/privacy.md"] == (company[0] / "policies/privacy.md").read_bytes()
    assert files["release/privacy.md.sha256"].decode().split()[0] == sha256(files["release/privacy.md"])
    assert "user right removed: do not sell" in files["redline/redline.html"].decode()
    assert json.loads(files["redline/redline.json"])["classification"] == "material"
    assert json.loads(files["release/summary.json"])["summary"] == "We may now sell your data."
    assert json.loads(files["release/summary.json"])["reasons"]


def test_the_audit_in_the_bundle_names_each_message_id_and_server_reply(company, tmp_path):
    out = tmp_path / "evidence.zip"
    assert run("evidence", "privacy@2.0", str(out)).exit_code == 0
    rows = json.loads(_files(out)["notice/audit.json"])
    assert sorted(r["recipient"] for r in rows) == ["ana@example.com", "bo@example.org", "cy@example.net"]
    assert all(r["state"] == "sent" and r["message_id"].startswith("<") and r["sent_at"] for r in rows)
    assert all(r["detail"] for r in rows)  # the server's reply


def test_a_bundle_verifies_against_its_release_tag(company, tmp_path):
    out = tmp_path / "evidence.zip"
    assert run("evidence", "privacy@2.0", str(out)).exit_code == 0
    result = run("verify", str(out))
    assert result.exit_code == 0, result.output
    assert "checked against tag privacy/v2.0" in result.output


def test_the_same_state_gives_the_same_bundle_bytes(bundle, tmp_path):
    again = tmp_path / "again.zip"
    assert run("evidence", "privacy@2.0", str(again)).exit_code == 0
    assert again.read_bytes() == bundle.read_bytes()


def test_a_release_nobody_objected_to_has_an_empty_list_of_objections(bundle):
    assert json.loads(_files(bundle)["responses/objections.json"]) == {
        "objections": [],
        "recorded": True,
        "release": "privacy/v2.0",
    }


def test_acceptances_are_counted_per_source_for_the_release(sqlite_company, tmp_path):
    from policywatch.audience.acceptances import Acceptance, record_acceptances

    store = open_store(sqlite_company[1])
    try:
        at = "2026-03-02T09:00:00.000000Z"
        record_acceptances(
            store,
            [Acceptance(f"u-{n}", "privacy", "2.0", at, "web" if n < 2 else "app") for n in range(3)]
            + [Acceptance("u-9", "privacy", "1.0", at, "web")],
        )
    finally:
        store.close()
    out = tmp_path / "evidence.zip"
    assert run("evidence", "privacy@2.0", str(out)).exit_code == 0
    found = json.loads(_files(out)["responses/acceptances.json"])
    assert (found["accepted"], found["by_source"]["web"]["count"], found["by_source"]["app"]["count"]) == (3, 2, 1)
    assert run("verify", str(out)).exit_code == 0


def test_the_first_release_has_no_redline_and_says_why(sqlite_company, tmp_path):
    out = tmp_path / "first.zip"
    assert run("evidence", "privacy@1.0", str(out)).exit_code == 0
    files = _files(out)
    assert "first release" in files["redline/none.txt"].decode()
    assert run("verify", str(out)).exit_code == 0


def test_evidence_of_an_unknown_release_is_a_one_line_error_and_writes_nothing(sqlite_company, tmp_path):
    out = tmp_path / "x.zip"
    result = run("evidence", "privacy@9.9", str(out))
    assert result.exit_code == 2 and "privacy@9.9" in result.stderr
    assert not out.exists()


def test_evidence_into_a_missing_folder_is_a_one_line_error(sqlite_company, tmp_path):
    result = run("evidence", "privacy@2.0", str(tmp_path / "nowhere" / "x.zip"))
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_verify_needs_a_bundle_or_store(sqlite_company):
    result = run("verify")
    assert result.exit_code == 2 and "--store" in result.stderr


def test_verify_outside_a_repository_checks_the_bundle_and_says_git_was_not_checked(bundle, tmp_path, monkeypatch):
    elsewhere = tmp_path / "counsel"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run("verify", str(bundle))
    assert result.exit_code == 0, result.output
    assert "not checked against git" in result.output


# -- one changed byte, anywhere ---------------------------------------------------------------------

KINDS = [  # one of each kind of file the bundle holds
    "release/privacy.md",
    "release/privacy.md.sha256",
    "release/record.json",
    "release/tag-message.txt",
    "release/summary.json",
    "redline/redline.html",
    "redline/redline.json",
    "notice/audit.csv",
    "notice/audit.json",
    "responses/objections.json",
    "chain/events.jsonl",
    "chain/head.json",
    "README.txt",
]


def _flip(data: bytes, at: int | None = None) -> bytes:
    where = len(data) // 2 if at is None else at
    return data[:where] + bytes([data[where] ^ 0x01]) + data[where + 1 :]


@pytest.mark.parametrize("name", KINDS)
def test_one_changed_byte_in_any_file_is_named(bundle, tmp_path, name):
    files = _files(bundle)
    files[name] = _flip(files[name])
    _refused(run("verify", str(_write(tmp_path / "t.zip", files))), name, "does not match the manifest")


def test_one_changed_byte_in_the_manifest_is_found(bundle, tmp_path):
    files = _files(bundle)
    files["manifest.sha256"] = _flip(files["manifest.sha256"], 3)
    _refused(run("verify", str(_write(tmp_path / "t.zip", files))))


def test_a_byte_flipped_in_the_zip_itself_is_found(bundle, tmp_path):
    raw = bundle.read_bytes()
    damaged = tmp_path / "t.zip"
    damaged.write_bytes(_flip(raw, len(raw) // 3))
    _refused(run("verify", str(damaged)))


def test_a_file_added_to_the_bundle_is_named(bundle, tmp_path):
    files = _files(bundle)
    files["notice/extra.csv"] = b"x"
    _refused(run("verify", str(_write(tmp_path / "t.zip", files))), "notice/extra.csv", "not in the manifest")


def _with_manifest(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files with a manifest made anew: a forger who knows how the bundle is built."""
    listed = {name: data for name, data in files.items() if name != "manifest.sha256"}
    files["manifest.sha256"] = "".join(f"{sha256(d)}  {n}\n" for n, d in sorted(listed.items())).encode()
    return files


def test_an_audit_edited_with_its_manifest_redone_differs_from_the_chain(bundle, tmp_path):
    files = _files(bundle)
    rows = json.loads(files["notice/audit.json"])
    rows[0]["message_id"] = "<forged@example.com>"
    files["notice/audit.json"] = json.dumps(rows).encode()
    _refused(
        run("verify", str(_write(tmp_path / "t.zip", _with_manifest(files)))),
        "notice/audit.json",
        "message_id differs from the chained row",
    )


def test_a_chained_row_edited_with_its_manifest_redone_breaks_its_digest(bundle, tmp_path):
    files = _files(bundle)
    events = [json.loads(line) for line in files["chain/events.jsonl"].decode().splitlines()]
    edited = next(e for e in events if '"state":"sent"' in e.get("content", ""))
    edited["content"] = edited["content"].replace('"state":"sent"', '"state":"failed"')
    files["chain/events.jsonl"] = "".join(json.dumps(e) + "\n" for e in events).encode()
    _refused(
        run("verify", str(_write(tmp_path / "t.zip", _with_manifest(files)))),
        f"event {edited['seq']}",
        "does not match its digest",
    )


def test_a_text_edited_with_its_hashes_redone_differs_from_the_release_tag(bundle, tmp_path):
    files = _files(bundle)
    files["release/privacy.md"] = files["release/privacy.md"].replace(b"We may sell", b"We never sell")
    files["release/privacy.md.sha256"] = f"{sha256(files['release/privacy.md'])}  privacy.md\n".encode()
    _refused(
        run("verify", str(_write(tmp_path / "t.zip", _with_manifest(files)))),
        "release/privacy.md",
        "differs from policies/privacy.md at tag privacy/v2.0",
    )


# -- the live database, edited behind policywatch's back ---------------------------------------------


def test_the_live_ledger_verifies_after_publish_and_notify(company):
    result = run("verify", "--store")
    assert result.exit_code == 0, result.output
    assert "the ledger matches its chain" in result.output


def test_a_delivery_changed_with_raw_sql_is_found_by_verify_store(company):
    _sql(company[1], "UPDATE deliveries SET message_id = '<forged@example.com>' WHERE target = 'bo@example.org'")
    _refused(run("verify", "--store"), "deliveries row", "message_id", "<forged@example.com>")


def test_a_delivery_changed_with_raw_sql_is_refused_by_evidence(company, tmp_path):
    _sql(company[1], "UPDATE deliveries SET state = 'failed' WHERE target = 'bo@example.org'")
    out = tmp_path / "evidence.zip"
    _refused(run("evidence", "privacy@2.0", str(out)), "no bundle written", "state differs from the chained row")
    assert not out.exists()


def test_a_chain_event_changed_with_raw_sql_is_found(company):
    _sql(company[1], "UPDATE ledger_chain SET content = REPLACE(content, 'bo@example.org', 'b@example.org')")
    _refused(run("verify", "--store"), "chain event", "does not match its content")


def test_a_chain_event_deleted_with_raw_sql_is_found(company):
    _sql(company[1], "DELETE FROM ledger_chain WHERE seq = 3")
    _refused(run("verify", "--store"), "chain event 3 is missing")


def test_a_delivery_inserted_with_raw_sql_is_found(company):
    _sql(
        company[1],
        "INSERT INTO deliveries (release_tag, channel, target, state, created_at, updated_at)"
        " VALUES ('privacy/v2.0', 'email', 'ghost@example.com', 'sent', 'x', 'x')",
    )
    _refused(run("verify", "--store"), "deliveries row", "is not in the chain")


def test_a_subscriber_deleted_with_raw_sql_is_found(company):
    _sql(company[1], "DELETE FROM subscribers WHERE email = 'cy@example.net'")
    _refused(run("verify", "--store"), "subscribers row", "is gone")


def _rewrite_chain(url: str) -> None:
    """A forger with the database: a delivery changed and every hash after it computed anew."""
    store = open_store(url)
    try:
        store.execute("UPDATE deliveries SET message_id = '<forged@example.com>' WHERE target = 'bo@example.org'")
        row = store.query(f"SELECT {chain.DELIVERIES.select} FROM deliveries WHERE target = 'bo@example.org'")[0]
        last = store.query("SELECT MAX(seq) FROM ledger_chain WHERE tbl = 'deliveries' AND row_id = ?", (row[0],))
        op = store.query("SELECT op FROM ledger_chain WHERE seq = ?", (last[0][0],))[0][0]
        store.execute(
            "UPDATE ledger_chain SET content = ? WHERE seq = ?", (chain.canonical("deliveries", op, row), last[0][0])
        )
        prev = chain.GENESIS
        for seq, content in store.query("SELECT seq, content FROM ledger_chain ORDER BY seq"):
            prev = chain.link(seq, prev, chain.digest(content))
            store.execute("UPDATE ledger_chain SET hash = ? WHERE seq = ?", (prev, seq))
        store.execute("UPDATE chain_head SET hash = ?", (prev,))
    finally:
        store.close()


def test_a_chain_rewritten_throughout_passes_without_an_anchor(company):
    _rewrite_chain(company[1])
    assert run("verify", "--store").exit_code == 0  # what the git note is for: see the next test


def test_a_chain_rewritten_throughout_is_caught_by_the_head_recorded_in_git(tmp_path, monkeypatch, sqlite_url):
    _company(tmp_path, monkeypatch, sqlite_url, "\n[evidence]\ngit_note = true\n")
    _rewrite_chain(sqlite_url)
    _refused(run("verify", "--store"), "git note", "the ledger was rewritten")


def test_evidence_from_a_rewritten_chain_is_refused_by_the_head_recorded_in_git(tmp_path, monkeypatch, sqlite_url):
    _company(tmp_path, monkeypatch, sqlite_url, "\n[evidence]\ngit_note = true\n")
    _rewrite_chain(sqlite_url)
    out = tmp_path / "forged.zip"
    _refused(run("evidence", "privacy@2.0", str(out)), "no bundle written", "head recorded in git")
    assert not out.exists()


def test_a_bundle_forged_without_the_notes_is_caught_by_the_head_recorded_in_git(tmp_path, monkeypatch, sqlite_url):
    import subprocess

    root = _company(tmp_path, monkeypatch, sqlite_url, "\n[evidence]\ngit_note = true\n")
    _rewrite_chain(sqlite_url)
    notes = subprocess.run(["git", "rev-parse", "refs/notes/policywatch"], cwd=root, capture_output=True, text=True)
    subprocess.run(["git", "update-ref", "-d", "refs/notes/policywatch"], cwd=root, check=True)
    out = tmp_path / "forged.zip"
    assert run("evidence", "privacy@2.0", str(out)).exit_code == 0  # consistent with itself, without the notes
    subprocess.run(["git", "update-ref", "refs/notes/policywatch", notes.stdout.strip()], cwd=root, check=True)
    _refused(run("verify", str(out)), "chain head git recorded", "the ledger was rewritten")


def test_publish_and_notify_record_the_chain_head_in_a_git_note_when_asked(tmp_path, monkeypatch, sqlite_url):
    from policywatch.evidence.anchor import anchors

    root = _company(tmp_path, monkeypatch, sqlite_url, "\n[evidence]\ngit_note = true\n")
    store = open_store(sqlite_url)
    try:
        head = chain.head(store)
    finally:
        store.close()
    found = anchors(root)
    latest = max(found, key=lambda anchor: anchor.seq)
    assert (latest.seq, latest.hash) == (head.seq, head.hash)


def test_no_git_note_is_written_by_default(company):
    from policywatch.evidence.anchor import anchors

    assert anchors(company[0]) == []


def test_a_bad_evidence_setting_is_named(sqlite_company):
    root = sqlite_company[0]
    (root / "policywatch.toml").write_text(
        (root / "policywatch.toml").read_text() + '\n[evidence]\ngit_note = "sometimes"\n'
    )
    result = run("notify")
    assert result.exit_code == 2 and "[evidence]: git_note" in result.stderr


def test_the_bundle_lists_the_objections_to_the_release_when_there_are_any(sqlite_company, tmp_path):
    import datetime as dt

    from policywatch.audience.objections import record_objection

    store = open_store(sqlite_company[1])
    try:
        row_id = store.query("SELECT id FROM subscribers WHERE email = 'bo@example.org'")[0][0]
        record_objection(store, "privacy/v2.0", row_id, "bo@example.org", "I do not agree.", dt.date(2026, 4, 1))
    finally:
        store.close()
    out = tmp_path / "evidence.zip"
    assert run("evidence", "privacy@2.0", str(out)).exit_code == 0
    found = json.loads(_files(out)["responses/objections.json"])
    assert found["recorded"] is True
    assert [(o["email"], o["reason"], o["status"]) for o in found["objections"]] == [
        ("bo@example.org", "I do not agree.", "open")
    ]
    assert run("verify", str(out)).exit_code == 0
