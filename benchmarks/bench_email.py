"""How fast the email channel sends personalised notices, beside Postfix's smtp-source.

Starts Postfix's ``smtp-sink`` on a free loopback port, then in the same run:

1. ``smtp-source -s 4`` (4 parallel sessions) sends N messages of the same size
   as ours: the baseline, a C client with no rendering at all;
2. the email channel sends N personalised text + HTML notices through its
   connection pool (``--pool``, default 4);
3. a naive loop (render the templates and serialise with the email package for
   every recipient, one connection) sends a sample, for comparison.

It also times the per-recipient cost of ``NoticeMessage.build`` against a full
render + serialise, and reports peak memory (ru_maxrss) of a run in a child
process for two sizes, to show it stays flat in the number of subscribers.

    python benchmarks/bench_email.py [--messages 20000] [--pool 4] [--rounds 3]

Needs Debian's postfix package (``/usr/sbin/smtp-sink``, ``/usr/sbin/smtp-source``).
"""

from __future__ import annotations

import argparse
import asyncio
import email.policy
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policywatch.audience.channels import Notice, Outcome, Recipient  # noqa: E402
from policywatch.audience.email import EmailChannel  # noqa: E402
from policywatch.audience.message import NoticeMessage, notice_context  # noqa: E402
from policywatch.audience.smtp_settings import SenderSettings, parse_smtp_url  # noqa: E402
from policywatch.release.record import ChangeSummary, Release  # noqa: E402
from policywatch.templates import template_environment  # noqa: E402

SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
SOURCE = shutil.which("smtp-source") or "/usr/sbin/smtp-source"
SENDER = SenderSettings("privacy@example.com", "Example Privacy <privacy@example.com>", "<policies.example.com>", "")


def notice() -> Notice:
    import datetime as dt

    changes = [
        ChangeSummary(
            section=f"Section {i}",
            kind="modified",
            classification="material",
            reasons=["new recipient: advertising partners", "retention period changed"],
            old_text="We keep your data for 30 days and do not share it with anyone. " * 2,
            new_text="We keep your data for 2 years and share it with advertising partners. " * 2,
        )
        for i in range(5)
    ]
    release = Release(
        policy="privacy", title="Example Privacy Policy", path="policies/privacy.md", version="2.0",
        previous_version="1.0", classification="material", effective=dt.date(2026, 12, 25),
        updated=dt.date(2026, 11, 25), published=dt.date(2026, 11, 25), tag="privacy/v2.0",
        reasons=["new recipient: advertising partners"], changes=changes,
    )  # fmt: skip
    return Notice(release, base_url="https://policies.example.com")


def recipients(count: int) -> Iterator[Recipient]:
    for i in range(count):
        yield Recipient(f"privacy/v2.0:{i}:email", f"subscriber{i}@example.org", f"Subscriber Nº {i}", f"tok{i:08x}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_sink() -> Iterator[int]:
    port = free_port()
    sink = subprocess.Popen([SINK, "-u", "nobody", f"127.0.0.1:{port}", "1024"], stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield port
    finally:
        sink.terminate()
        sink.wait()


def smtp_source_rate(port: int, messages: int, size: int) -> float:
    start = time.perf_counter()
    subprocess.run(
        [SOURCE, "-s", "4", "-m", str(messages), "-l", str(size), "-f", "privacy@example.com",
         "-t", "subscriber@example.org", f"127.0.0.1:{port}"],
        check=True,
    )  # fmt: skip
    return messages / (time.perf_counter() - start)


async def channel_run(port: int, messages: int, pool: int) -> dict[str, float]:
    url = f"smtp://127.0.0.1:{port}?pool_size={pool}&timeout=30"
    channel = EmailChannel(parse_smtp_url(url), SENDER, template_environment())
    counts = {"sent": 0, "failed": 0, "deferred": 0}

    def report(outcome: Outcome) -> None:
        counts[outcome.status] += 1

    start, cpu = time.perf_counter(), time.process_time()
    async with channel:
        await channel.send(notice(), recipients(messages), report)
    elapsed = time.perf_counter() - start
    cpu_us = (time.process_time() - cpu) / messages * 1e6
    return {
        **counts,
        "seconds": elapsed,
        "rate": messages / elapsed,
        "cpu_us_per_message": cpu_us,
        "connections": channel.connections_opened,
    }


def naive_message(env, n: Notice, r: Recipient) -> bytes:
    """What a straightforward sender does per recipient: render and serialise everything."""
    context = {
        **notice_context(n),
        "name": r.name,
        "unsubscribe_url": f"https://x.example/u?token={r.unsubscribe_token}",
    }
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = SENDER.header
    msg["To"] = f"{r.name} <{r.address}>"
    msg["Subject"] = env.get_template("email/subject.txt").render(**context).strip()
    msg.set_content(env.get_template("email/body.txt").render(**context))
    msg.add_alternative(env.get_template("email/body.html").render(**context), subtype="html")
    return msg.as_bytes()


async def naive_run(port: int, messages: int) -> float:
    import aiosmtplib

    env = template_environment()
    n = notice()
    start = time.perf_counter()
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False) as client:
        for r in recipients(messages):
            await client.sendmail(SENDER.address, [r.address], naive_message(env, n, r))
    return messages / (time.perf_counter() - start)


def build_costs(samples: int) -> dict[str, float]:
    env = template_environment()
    n = notice()
    start = time.perf_counter()
    message = NoticeMessage(n, SENDER, env)
    message.build(next(recipients(1)))
    prepare = time.perf_counter() - start
    people = list(recipients(samples))
    start = time.perf_counter()
    for r in people:
        message.build(r)
    spliced = (time.perf_counter() - start) / samples
    start = time.perf_counter()
    for r in people[: samples // 10]:
        naive_message(env, n, r)
    naive = (time.perf_counter() - start) / (samples // 10)
    size = len(message.build(people[0]))
    return {"prepare_ms": prepare * 1e3, "build_us": spliced * 1e6, "naive_us": naive * 1e6, "size": size}


def peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM): unlike ru_maxrss, not inherited across exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_peak(port: int, messages: int, pool: int) -> float:
    """Peak RSS (MiB) of a child process sending ``messages`` notices."""
    folder = str(Path(__file__).parent)
    code = (
        f"import asyncio, sys; sys.path.insert(0, {folder!r}); import bench_email as b; "
        f"asyncio.run(b.channel_run({port}, {messages}, {pool})); print(b.peak_rss_mib())"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--pool", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="smtp-source / channel pairs, run back to back")
    parser.add_argument("--naive", type=int, default=2000, help="messages for the naive loop (0 to skip)")
    args = parser.parse_args()
    if not os.path.exists(SINK) or not os.path.exists(SOURCE):
        sys.exit("needs Postfix's smtp-sink and smtp-source (apt-get install postfix)")

    costs = build_costs(5000)
    print(
        f"message size {costs['size']} bytes; prepare once {costs['prepare_ms']:.1f} ms; "
        f"per recipient {costs['build_us']:.1f} µs spliced vs {costs['naive_us']:.0f} µs full render+serialise"
    )
    with smtp_sink() as port:
        pairs = []
        for round_ in range(1, args.rounds + 1):
            # Back to back, so both sides of a pair see the same load on a shared machine.
            baseline = smtp_source_rate(port, args.messages, costs["size"])
            result = asyncio.run(channel_run(port, args.messages, args.pool))
            pairs.append((baseline, result))
            print(
                f"round {round_}: smtp-source -s 4 {baseline:,.0f} msg/s; email channel (pool {args.pool}) "
                f"{result['rate']:,.0f} msg/s = {result['rate'] / baseline:.0%} of smtp-source "
                f"({result['sent']:.0f} sent, {result['failed']:.0f} failed, {result['deferred']:.0f} deferred, "
                f"{result['connections']:.0f} connections, {result['cpu_us_per_message']:.0f} µs CPU per message)"
            )
        ratios = sorted(r["rate"] / b for b, r in pairs)
        print(f"share of smtp-source: median {statistics.median(ratios):.0%}, range {ratios[0]:.0%}–{ratios[-1]:.0%}")
        naive = asyncio.run(naive_run(port, args.naive)) if args.naive else 0.0
        if naive:
            print(f"naive render-and-send loop: {args.naive} messages, {naive:,.0f} msg/s")
        small, large = child_peak(port, args.messages // 10, args.pool), child_peak(port, args.messages, args.pool)
        print(f"peak RSS: {small:.0f} MiB for {args.messages // 10} messages, {large:.0f} MiB for {args.messages}")
    print(
        json.dumps(
            {
                "rounds": [{"smtp_source_rate": b, "channel": r} for b, r in pairs],
                "naive_rate": naive,
                "build": costs,
                "peak_rss_mib": {str(args.messages // 10): small, str(args.messages): large},
                "peak_rss_mib_this_process": peak_rss_mib(),
            }
        )
    )


if __name__ == "__main__":
    main()
