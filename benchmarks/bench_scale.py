"""Scale benchmark: many subscribers, notify with 1, 2 and 4 sender processes, to a local SMTP sink.

    python benchmarks/bench_scale.py --subscribers 1000000 --database postgresql://postgres@127.0.0.1:5432/test

Measures, with the real ``policywatch`` command in subprocesses:

- ``subscribers import`` of a CSV of N subscribers: time and peak memory;
- ``notify --workers W`` for each W: the ledger is emptied first, so each run
  ledgers the release (one INSERT ... SELECT) and sends N personalised text + HTML
  messages; messages per second, and the peak RSS of every sender process;
- Postfix's ``smtp-source`` (4 connections) against the same sink, for scale.

The sink is Postfix's ``smtp-sink`` when installed, else an in-process aiosmtpd.
On PostgreSQL the run uses a schema of its own and drops it at the end.
Results print as a table and are written as JSON (``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SMTP_SINK = "/usr/sbin/smtp-sink"
SMTP_SOURCE = "/usr/sbin/smtp-source"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink(port: int):
    """Postfix's smtp-sink if present (fast, C), else aiosmtpd in this process."""
    if Path(SMTP_SINK).exists():
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        proc = subprocess.Popen([SMTP_SINK, *user, "-m", "64", f"127.0.0.1:{port}", "256"])
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return "smtp-sink", proc.terminate
            except OSError:
                time.sleep(0.05)
        raise SystemExit("smtp-sink did not start")
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    return "aiosmtpd", controller.stop


def make_repo(folder: Path) -> Path:
    from policywatch.release.record import Release, tag_message

    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)

    import datetime as dt

    (folder / "policies").mkdir(parents=True)
    (folder / "policies" / "privacy.md").write_text("---\ntitle: Privacy\nversion: '2.0'\n---\n# Privacy\n\nText.\n")
    (folder / "policywatch.toml").write_text(
        '[email]\nfrom = "Example Privacy <privacy@example.com>"\n'
        'unsubscribe_url = "https://example.com/unsubscribe/{token}"\n'
        '[site]\nbase_url = "https://policies.example.com"\n'
        "[notify]\nbatch_size = 500\n"
    )
    (folder / ".gitignore").write_text("/.policywatch/\n")
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "Add privacy policy")
    today = dt.date.today()
    from policywatch.release.record import ChangeSummary

    release = Release(
        policy="privacy",
        title="Example Privacy Policy",
        path="policies/privacy.md",
        version="2.0",
        previous_version="1.0",
        classification="material",
        effective=today + dt.timedelta(days=30),
        updated=today,
        published=today,
        tag="privacy/v2.0",
        reasons=["new recipient: advertising partners"],
        changes=[
            ChangeSummary(
                "Sharing",
                "modified",
                "material",
                ["new recipient: advertising partners"],
                "We do not share your personal data.",
                "We share your personal data with advertising partners.",
            )
        ],
    )
    git("tag", "-a", release.tag, "-m", tag_message(release))
    return folder


def write_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("email,name,policies\n")
        for i in range(count):
            out.write(f"user{i:07d}@example.org,Subscriber {i},\n")


def run_measured(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall time, peak RSS (MB) of the process itself, stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {err.strip()[-2000:]}")
    import resource

    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, peak, out


def smtp_source_rate(port: int, messages: int) -> float | None:
    if not Path(SMTP_SOURCE).exists():
        return None
    start = time.perf_counter()
    subprocess.run(
        [
            SMTP_SOURCE,
            "-s",
            "4",
            "-m",
            str(messages),
            "-l",
            "3000",
            "-f",
            "a@example.com",
            "-t",
            "b@example.org",
            f"127.0.0.1:{port}",
        ],
        check=True,
        capture_output=True,
    )
    return messages / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument(
        "--database",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="postgresql://... (a schema is made and dropped) or 'sqlite'",
    )
    parser.add_argument("--workers", default="1,2,4", help="comma-separated sender counts")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "scale.json")
    opts = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="pw-bench-"))
    schema = None
    if opts.database == "sqlite":
        url = f"sqlite:///{tmp / 'repo' / '.policywatch' / 'state.db'}"
    else:
        import psycopg

        schema = f"pw_bench_{secrets.token_hex(4)}"
        with psycopg.connect(opts.database, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        sep = "&" if "?" in opts.database else "?"
        url = f"{opts.database}{sep}options=-csearch_path%3D{schema}"
    port = free_port()
    sink_name, stop_sink = start_sink(port)
    results: dict = {"subscribers": opts.subscribers, "database": url.split("?")[0].split(":")[0], "sink": sink_name}
    try:
        repo = make_repo(tmp / "repo")
        csv_path = tmp / "subscribers.csv"
        write_csv(csv_path, opts.subscribers)
        env = {
            **os.environ,
            "POLICYWATCH_DATABASE_URL": url,
            "POLICYWATCH_SMTP_URL": f"smtp://127.0.0.1:{port}?pool_size=4&timeout=60",
            "CI": "1",
            "PYTHONPATH": str(ROOT),
        }
        cli = [sys.executable, "-m", "policywatch"]
        seconds, peak, _ = run_measured([*cli, "subscribers", "import", str(csv_path)], repo, env)
        results["import"] = {
            "seconds": round(seconds, 1),
            "rows_per_s": round(opts.subscribers / seconds),
            "peak_rss_mb": round(peak, 1),
        }
        print(
            f"import {opts.subscribers:,} subscribers: {seconds:.1f} s ({opts.subscribers / seconds:,.0f}/s), "
            f"peak {peak:.0f} MB",
            flush=True,
        )
        results["notify"] = []
        for workers in [int(w) for w in opts.workers.split(",")]:
            reset_ledger(url)
            seconds, _, out = run_measured([*cli, "notify", "--workers", str(workers), "--format", "json"], repo, env)
            summary = json.loads(out)
            row = {
                "workers": workers,
                "sent": summary["sent"],
                "seconds": round(seconds, 1),
                "messages_per_s": round(summary["sent"] / seconds),
                "ledger_seconds": summary["ledger_seconds"],
                "peak_rss_mb_per_worker": summary["peak_rss_mb"],
            }
            results["notify"].append(row)
            print(
                f"notify --workers {workers}: {summary['sent']:,} sent in {seconds:.1f} s "
                f"({row['messages_per_s']:,}/s; ledgering {summary['ledger_seconds']:.1f} s), "
                f"peak RSS per worker {summary['peak_rss_mb']} MB",
                flush=True,
            )
        rate = smtp_source_rate(port, min(opts.subscribers, 20_000))
        if rate:
            results["smtp_source_4_connections_per_s"] = round(rate)
            print(f"smtp-source, 4 connections, same sink: {rate:,.0f}/s")
    finally:
        stop_sink()
        if schema:
            import psycopg

            with psycopg.connect(opts.database, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        shutil.rmtree(tmp, ignore_errors=True)
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    opts.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results: {opts.out}")


def reset_ledger(url: str) -> None:
    from policywatch.store import open_store

    store = open_store(url)
    try:
        if store.dialect == "postgresql":
            store.execute("TRUNCATE deliveries, releases")  # no dead rows left for the next run to wade through
        else:
            store.execute("DELETE FROM deliveries")
            store.execute("DELETE FROM releases")
        # The deliveries' chain events go too, so each run appends to a chain of the same length.
        store.execute("DELETE FROM ledger_chain WHERE tbl = 'deliveries'")
        store.execute(
            "UPDATE chain_head SET seq = (SELECT COALESCE(MAX(seq), 0) FROM ledger_chain),"
            " hash = COALESCE((SELECT hash FROM ledger_chain ORDER BY seq DESC LIMIT 1), ?)",
            ("0" * 64,),
        )
    finally:
        store.close()


if __name__ == "__main__":
    main()
