"""Acceptances at scale: a million rows imported into PostgreSQL, then lookups under a bounded loopback load.

    python benchmarks/bench_acceptances.py [--subjects 200000] [--clients 16] [--requests 500] [--threads 8]

1. A repository with real release tags (privacy 1.0, 2.0 material, 2.1 minor,
   3.0 material and upcoming; terms 1.0, 2.0 material).
2. A CSV of 5 acceptances per subject (1,000,000 rows for 200,000 subjects),
   imported with the real ``policywatch acceptances import`` in a child process:
   time, rows per second, and the child's peak RSS.
3. ``policywatch acceptances report privacy@3.0``: time.
4. ``policywatch.audience.service:application`` under a production WSGI server in
   a child process (``--server waitress``, threads in one process, or ``gunicorn``:
   ``--workers`` processes of ``--threads`` threads, which uses both cores);
   ``--clients`` clients, each on its own keep-alive connection, send ``--requests`` ``GET /api/acceptances/<subject>``
   one after another for random subjects: at most ``--clients`` requests are in
   flight. Reports lookups per second, client-observed p50/p99, the in-app time
   (the ``Server-Timing`` header) p50/p99, and the server's RSS.

The machine's load average is printed with the figures: on a shared machine they
move with it. The database is a fresh schema of the test PostgreSQL database
(``POLICYWATCH_TEST_POSTGRES``), dropped after. Loopback only; needs waitress or gunicorn.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_subscribe import state  # noqa: E402
from tests._acceptance_support import API_KEY, days, released_repo  # noqa: E402
from tests._burst_support import gunicorn_serving, waitress_serving  # noqa: E402

HISTORY = (
    ("privacy", "1.0", "initial", days(-400), days(-400)),
    ("privacy", "2.0", "material", days(-100), days(-130)),
    ("privacy", "2.1", "minor", days(-100), days(-50)),
    ("privacy", "3.0", "material", days(20), days(-10)),
    ("terms", "1.0", "initial", days(-400), days(-400)),
    ("terms", "2.0", "material", days(-30), days(-60)),
)


def moment(day: dt.date, seconds: int) -> str:
    return (dt.datetime.combine(day, dt.time(), dt.UTC) + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_csv(path: Path, subjects: int) -> int:
    """Five acceptances per subject, each after its version was published."""
    published = {(slug, version): day for slug, version, _, _, day in HISTORY}
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject", "policy", "version", "accepted_at", "source"])
        for i in range(subjects):
            subject = f"user-{i:07d}"
            extra = (
                [("privacy", "2.1"), ("terms", "2.0")],
                [("privacy", "3.0"), ("terms", "2.0")],
                [("privacy", "2.1"), ("privacy", "3.0")],
            )[i % 3]
            for slug, version in [("privacy", "1.0"), ("privacy", "2.0"), ("terms", "1.0"), *extra]:
                day = published[(slug, version)]
                writer.writerow([subject, slug, version, moment(day, 3600 + i % 80000), ("web", "app", "api")[i % 3]])
                rows += 1
    return rows


def run_child(command: list[str], cwd: Path) -> tuple[float, int, str]:
    """Seconds, peak RSS (KiB) and stdout of a child process: its own rusage, from ``os.wait4``."""
    began = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - began
        out.seek(0)
        err.seek(0)
        if process.returncode:
            raise SystemExit(f"{' '.join(command)} failed: {err.read().strip()}")
        return seconds, usage.ru_maxrss, out.read()


async def load(base: str, subjects: int, clients: int, requests: int) -> dict:
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    in_app: list[float] = []
    statuses: dict[int, int] = {}
    must = 0

    async def client(number: int) -> None:
        nonlocal must
        rng = random.Random(number)
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for _ in range(requests):
                subject = f"user-{rng.randrange(subjects):07d}"
                request = (
                    f"GET /api/acceptances/{subject} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                    f"Authorization: Bearer {API_KEY}\r\n\r\n"
                ).encode()
                began = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                body = await reader.readexactly(int(headers["content-length"]))
                latencies.append(time.perf_counter() - began)
                status = int(lines[0].split()[1])
                statuses[status] = statuses.get(status, 0) + 1
                timing = headers.get("server-timing", "")
                if "dur=" in timing:
                    in_app.append(float(timing.split("dur=")[1]) / 1000)
                if status == 200 and json.loads(body)["policies"]["privacy"]["must_accept"]:
                    must += 1
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    seconds = time.perf_counter() - began
    return {"latencies": latencies, "in_app": in_app, "statuses": statuses, "seconds": seconds, "must": must}


def percentile(values: list[float], p: int) -> float:
    return 1000 * statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def rss_of(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


def server_pids(port: str) -> list[int]:
    """The server's processes on ``port``: waitress's one, or gunicorn's master and its workers."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(arg.endswith(f"127.0.0.1:{port}".encode()) for arg in cmd) and int(entry.name) != os.getpid():
                found.append(int(entry.name))
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU time of every PostgreSQL process on this machine (others' work on it included: an upper bound)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip().startswith("postgres"):
                total += cpu_seconds(int(entry.name))
        except OSError:
            continue
    return total


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=500, help="per client")
    parser.add_argument("--server", choices=("waitress", "gunicorn"), default="waitress")
    parser.add_argument("--threads", type=int, default=8, help="threads (per worker, for gunicorn)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here too")
    args = parser.parse_args()
    figures: dict[str, object] = {"cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp, state(True):
        root = Path(tmp) / "repo"
        released_repo(root, HISTORY)
        data = Path(tmp) / "acceptances.csv"
        rows = write_csv(data, args.subjects)
        figures["load_before_import"] = load_average()
        seconds, peak, out = run_child([sys.executable, "-m", "policywatch", "acceptances", "import", str(data)], root)
        figures.update(rows=rows, import_s=round(seconds, 1), rows_per_s=round(rows / seconds))
        figures["import_peak_rss_kib"] = peak
        print(f"import: {out.strip()} in {seconds:.1f} s, {rows / seconds:,.0f} rows/s, peak RSS {peak / 1024:.0f} MiB")
        print(f"  load average {figures['load_before_import']} before")
        seconds, _, out = run_child(
            [sys.executable, "-m", "policywatch", "acceptances", "report", "privacy@3.0", "--format", "json"], root
        )
        figures["report_s"] = round(seconds, 2)
        figures["report"] = json.loads(out)
        print(f"report privacy@3.0 in {seconds:.2f} s: {json.dumps(figures['report'])}")
        os.environ["POLICYWATCH_API_KEY"] = API_KEY
        serving = (
            waitress_serving(root, threads=args.threads)
            if args.server == "waitress"
            else gunicorn_serving(root, workers=args.workers, threads=args.threads)
        )
        with serving as base:
            asyncio.run(load(base, args.subjects, 4, 50))  # warm up: connections opened, code paths loaded
            pids = server_pids(base.rsplit(":", 1)[1])
            assert pids, "the server's processes were not found"
            figures["load_before_lookups"] = load_average()
            app_cpu, pg_cpu = sum(map(cpu_seconds, pids)), postgres_cpu_seconds()
            result = asyncio.run(load(base, args.subjects, args.clients, args.requests))
            app_cpu, pg_cpu = sum(map(cpu_seconds, pids)) - app_cpu, postgres_cpu_seconds() - pg_cpu
            figures["load_after_lookups"] = load_average()
            sizes = [rss_of(pid) for pid in pids]
            memory = {key: sum(size.get(key, 0) for size in sizes) for key in ("VmRSS", "VmHWM")}
        total = len(result["latencies"])
        figures.update(
            lookups=total,
            statuses=result["statuses"],
            lookups_per_s=round(total / result["seconds"]),
            client_p50_ms=round(percentile(result["latencies"], 50), 2),
            client_p99_ms=round(percentile(result["latencies"], 99), 2),
            app_p50_ms=round(percentile(result["in_app"], 50), 2),
            app_p99_ms=round(percentile(result["in_app"], 99), 2),
            server_rss_kib=memory.get("VmRSS"),
            server_peak_rss_kib=memory.get("VmHWM"),
            must_accept_share=round(result["must"] / max(1, total), 3),
            server_cpu_ms_per_lookup=round(1000 * app_cpu / total, 3),
            postgres_cpu_ms_per_lookup=round(1000 * pg_cpu / total, 3),
            clients=args.clients,
            server=args.server,
            workers=args.workers if args.server == "gunicorn" else 1,
            threads=args.threads,
        )
    print(
        f"lookups: {total} in {result['seconds']:.1f} s = {figures['lookups_per_s']}/s, statuses {result['statuses']}"
    )
    print(f"  client p50 {figures['client_p50_ms']} ms, p99 {figures['client_p99_ms']} ms")
    print(f"  in-app p50 {figures['app_p50_ms']} ms, p99 {figures['app_p99_ms']} ms (Server-Timing)")
    app_ms, pg_ms = figures["server_cpu_ms_per_lookup"], figures["postgres_cpu_ms_per_lookup"]
    print(f"  CPU per lookup: {args.server} {app_ms} ms, PostgreSQL {pg_ms} ms (all its processes: an upper bound)")
    print(f"  so two idle cores would answer about {2000 / (app_ms + pg_ms):.0f} lookups/s")
    rss, peak = memory["VmRSS"] / 1024, memory["VmHWM"] / 1024
    print(f"  {args.server} RSS {rss:.0f} MiB, peaks {peak:.0f} MiB (all its processes)")
    print(f"  load average {figures['load_before_lookups']} before, {figures['load_after_lookups']} after")
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if set(result["statuses"]) == {200} else 1


if __name__ == "__main__":
    raise SystemExit(main())
