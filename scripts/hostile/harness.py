"""Sandboxes (throw-away git repositories), declarative cases, and the rules that classify an outcome.

A case says what it sets up, which ``policywatch`` command it runs and what the
right answer is (`refuse`, `find`, `accept` or `either`). ``run_case`` builds a
fresh repository from a template, runs the real command as a subprocess with
the interpreter running this script, and classifies what happened:

- ``clean``: refused with a non-zero exit and one ``policywatch: error:`` line,
  nothing half-written, no secret echoed;
- ``accepted``: exit 0 where that is right, and the result checks out;
- ``traceback``: a Python traceback on stderr;
- ``silent``: exit 0 where the command should have refused or did not do its job;
- ``wrong``: anything else that is incorrect.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PYTHON = sys.executable
TIMEOUT = 30.0

CLEAN, ACCEPTED, TRACEBACK, SILENT, WRONG = "clean", "accepted", "traceback", "silent", "wrong"
OUTCOMES = (CLEAN, ACCEPTED, TRACEBACK, SILENT, WRONG)
HARNESS_ERROR = "harness-error"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Policy Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Policy Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
}
TRACEBACK_MARK = "Traceback (most recent call last)"
# C0 controls but tab and newline, DEL, C1 controls: none may reach a terminal raw.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
ERROR_PREFIX = "policywatch: error:"
SIDE_LINES = ("warning:", "note:", "policywatch: warning:", "policywatch: note:")

CONFIG = """\
policies = "policies"
notice_days = 30

[site]
base_url = "https://example.com/legal/"

[email]
from = "Privacy <privacy@example.com>"
"""

POLICY = """\
---
title: Example Privacy Policy
version: "1.0"
effective: 2024-01-01
updated: 2024-01-01
---
# Example Privacy Policy

## Sharing

We do not sell any personal information to third parties.

## Retention

We keep account data for 30 days after you close your account.

## Contact

Write to privacy@example.com with any question about this policy.
"""

# A material edit the engine recognises: a promise not to sell turned into a permission.
MATERIAL_OLD = "We do not sell any personal information to third parties."
MATERIAL_NEW = "We may sell any personal information to third parties."
OWED_READER = "reader@example.com"
SECOND_EDIT = "We share your email address with advertising partners for marketing."


def policy_text(front: str | None = None, body: str | None = None) -> str:
    """The example policy with its front matter (the lines between ``---``) or body replaced."""
    head, _, rest = POLICY.partition("---\n")[2].partition("---\n")
    front = head if front is None else front
    body = rest if body is None else body
    return f"---\n{front}---\n{body}"


@dataclass
class Result:
    args: list[str]
    code: int | None  # None: killed at the time-out
    stdout: str
    stderr: str
    seconds: float = 0.0

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def first_line(self) -> str:
        for line in (self.stderr + "\n" + self.stdout).splitlines():
            if line.strip():
                return line.strip()[:160]
        return "(no output)"


@dataclass
class Context:
    """What every case may use: the templates and the loopback servers the run started."""

    templates: dict[str, Path]
    ports: dict[str, int] = field(default_factory=dict)
    smtp: Any = None  # servers.SmtpServers


class Sandbox:
    """One fresh repository (``root``) inside its own temporary folder (``tmp``, also HOME)."""

    def __init__(self, tmp: Path, root: Path, ctx: Context):
        self.tmp = tmp
        self.root = root
        self.ctx = ctx
        self.vars: dict[str, Any] = {}

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("POLICYWATCH_", "GIT_", "FORCE_COLOR"))}
        base.update(GIT_ENV)
        base["HOME"] = str(self.tmp)
        base["XDG_CONFIG_HOME"] = str(self.tmp / ".config")
        base.update(extra or {})
        return base

    def git(self, *args: str, check: bool = True, cwd: Path | None = None) -> str:
        out = subprocess.run(
            ["git", *args],
            cwd=cwd or self.root,
            env=self.env(),
            capture_output=True,
            timeout=TIMEOUT,
        )
        if check and out.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)}: {out.stderr.decode(errors='replace').strip()}")
        return out.stdout.decode("utf-8", errors="replace").strip()

    def write(self, rel: str, content: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8", errors="replace")

    def commit(self, message: str = "Edit policies") -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "--no-verify", "--allow-empty", "-m", message)

    def edit(self, rel: str, content: str | bytes, message: str = "Edit policy") -> None:
        self.write(rel, content)
        self.commit(message)

    def material_edit(self, rel: str = "policies/privacy.md", message: str = "Sell data") -> None:
        text = self.read(rel)
        self.edit(rel, text.replace(MATERIAL_OLD, MATERIAL_NEW), message)

    def pw(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        stdin: bytes | None = None,
        timeout: float = TIMEOUT,
        cwd: Path | None = None,
    ) -> Result:
        cmd = [PYTHON, "-m", "policywatch", *args]
        start = time.monotonic()
        try:
            out = subprocess.run(
                cmd,
                cwd=cwd or self.root,
                env=self.env(env),
                input=stdin if stdin is not None else b"",
                capture_output=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            return Result(
                list(args), None, _text(exc.stdout or b""), _text(exc.stderr or b""), time.monotonic() - start
            )
        return Result(list(args), out.returncode, _text(out.stdout), _text(out.stderr), time.monotonic() - start)

    def tags(self) -> list[str]:
        listing = self.git("tag", "--list", check=False)
        return [t for t in listing.splitlines() if t]

    def tag_message(self, tag: str) -> str:
        return self.git("cat-file", "-p", f"refs/tags/{tag}", check=False)

    def snapshot(self) -> dict[str, Any]:
        """What a refused command must leave alone: HEAD, refs, the working tree and a publish journal."""
        return {
            "HEAD": self.git("rev-parse", "-q", "--verify", "HEAD", check=False),
            "refs": self.git("for-each-ref", "--format=%(refname) %(objectname)", check=False),
            "status": self.git("status", "--porcelain", "-uall", check=False),
            "files": tree_digest(self.root),
            "journal": (self.root / ".policywatch" / "publish-journal.json").exists(),
        }


def _text(data: bytes | str) -> str:
    return data if isinstance(data, str) else data.decode("utf-8", errors="replace")


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    if not root.is_dir():
        return ""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in (".git", ".policywatch"))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            digest.update(str(path.relative_to(root)).encode("utf-8", "surrogateescape") + b"\0")
            try:
                digest.update(os.readlink(path).encode() if path.is_symlink() else path.read_bytes())
            except OSError:
                digest.update(b"?")
    return digest.hexdigest()


# --- Cases ----------------------------------------------------------------------------

Check = Callable[[Sandbox, Result], "str | None"]


@dataclass(frozen=True)
class Expect:
    """The right answer. ``kind``: refuse (exit non-zero, one line), find (check's exit 1 report),
    accept (exit 0 and ``check`` passes), either (a clean refusal or an accepted run)."""

    kind: str
    code: int | None = None
    mentions: tuple[str, ...] = ()
    one_line: bool = True
    unchanged: bool = True
    check: Check | None = None
    fail_as: str = WRONG
    secrets: tuple[str, ...] = ()
    error_prefixes: tuple[str, ...] = ()  # other starts of the one error line (e.g. "FILE.csv:" for a bad row)


def refuse(*mentions: str, code: int | None = 2, one_line: bool = True, check: Check | None = None, **kw) -> Expect:
    return Expect("refuse", code=code, mentions=mentions, one_line=one_line, check=check, **kw)


def find(*mentions: str, code: int | None = 1, **kw) -> Expect:
    """`check` reporting a problem: exit 1 and a report that names it (several lines are fine)."""
    return Expect("find", code=code, mentions=mentions, one_line=False, **kw)


def nonzero(*mentions: str, **kw) -> Expect:
    """Any refusal (exit 1 or 2), several lines allowed, naming what it must."""
    return Expect("find", code=None, mentions=mentions, one_line=False, **kw)


def accept(check: Check | None = None, fail_as: str = WRONG, **kw) -> Expect:
    return Expect("accept", check=check, fail_as=fail_as, **kw)


def either(check: Check | None = None, *mentions: str, fail_as: str = WRONG, **kw) -> Expect:
    return Expect("either", check=check, mentions=mentions, fail_as=fail_as, **kw)


Setup = Callable[[Sandbox], None]
Probe = Callable[[Sandbox], "tuple[str, str]"]


@dataclass(frozen=True)
class Case:
    name: str
    category: str
    setup: Setup | None
    command: Sequence[str] | Callable[[Sandbox], Sequence[str]]
    expect: Expect
    template: str = "released"
    env: dict[str, str] | Callable[[Sandbox], dict[str, str]] | None = None
    stdin: bytes | None = None
    timeout: float = TIMEOUT
    probe: Probe | None = None  # replaces command and expect: returns (outcome, detail)


@dataclass
class Report:
    name: str
    category: str
    outcome: str
    detail: str
    command: str
    exit_code: int | None
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def run_case(case: Case, ctx: Context) -> Report:
    """Run one case; whatever goes wrong in the harness itself is reported, never raised."""
    try:
        return _run_case(case, ctx)
    except Exception as exc:
        return Report(case.name, case.category, HARNESS_ERROR, f"{type(exc).__name__}: {exc}", "", None, 0.0)


def _run_case(case: Case, ctx: Context) -> Report:
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="pw-hostile-") as tmpdir:
        tmp = Path(tmpdir)
        root = tmp / "repo"
        template = ctx.templates[case.template]
        shutil.copytree(template, root, symlinks=True)
        sandbox = Sandbox(tmp, root, ctx)
        try:
            if case.setup is not None:
                case.setup(sandbox)
        except Exception as exc:
            return Report(case.name, case.category, HARNESS_ERROR, f"setup: {exc}", "", None, 0.0)
        if case.probe is not None:
            try:
                outcome, detail = case.probe(sandbox)
            except Exception as exc:
                outcome, detail = HARNESS_ERROR, f"probe: {type(exc).__name__}: {exc}"
            return Report(case.name, case.category, outcome, detail, "serve", None, time.monotonic() - start)
        args = list(case.command(sandbox) if callable(case.command) else case.command)
        env = case.env(sandbox) if callable(case.env) else case.env
        before = sandbox.snapshot() if case.expect.kind in ("refuse", "either") else {}
        result = sandbox.pw(*args, env=env, stdin=case.stdin, timeout=case.timeout)
        try:
            outcome, detail = classify(case.expect, sandbox, before, result, case.timeout)
        except Exception as exc:
            outcome, detail = HARNESS_ERROR, f"classify: {type(exc).__name__}: {exc}"
        shown = " ".join(_short(a) for a in args)
        return Report(case.name, case.category, outcome, detail, shown, result.code, time.monotonic() - start)


def _short(arg: str) -> str:
    return arg if len(arg) <= 40 else arg[:37] + "..."


def classify(expect: Expect, sb: Sandbox, before: dict[str, Any], r: Result, timeout: float) -> tuple[str, str]:
    if r.code is None:
        return WRONG, f"no answer within {timeout:.0f} s"
    if TRACEBACK_MARK in r.output:
        return TRACEBACK, traceback_summary(r.output)
    leaked = [s for s in expect.secrets if s and s in r.output]
    if leaked:
        return WRONG, f"secret echoed: {leaked[0]!r}"
    control = CONTROL.search(r.output)
    if control:
        return WRONG, f"raw control character {control.group()!r} in output"
    if expect.kind == "accept" or (expect.kind == "either" and r.code == 0):
        return _accepted(expect, sb, r)
    if r.code == 0:
        return SILENT, f"exit 0: {r.first_line()}"
    return _refusal(expect, sb, before, r)


def _accepted(expect: Expect, sb: Sandbox, r: Result) -> tuple[str, str]:
    if r.code != 0:
        return WRONG, f"refused a legitimate input (exit {r.code}): {r.first_line()}"
    problem = expect.check(sb, r) if expect.check else None
    if problem:
        return expect.fail_as, problem
    return ACCEPTED, ""


def _refusal(expect: Expect, sb: Sandbox, before: dict[str, Any], r: Result) -> tuple[str, str]:
    if expect.code is not None and r.code != expect.code:
        return WRONG, f"exit {r.code}, wanted {expect.code}: {r.first_line()}"
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    if expect.one_line and expect.kind in ("refuse", "either"):
        starts = (ERROR_PREFIX, *expect.error_prefixes)
        errors = [line for line in lines if line.startswith(starts)]
        others = [line for line in lines if not line.startswith((*starts, *SIDE_LINES))]
        if len(errors) != 1 or others:
            shown = (others or errors or ["(empty stderr)"])[0][:120]
            return WRONG, f"not one '{ERROR_PREFIX}' line ({len(lines)} lines): {shown}"
    message = (r.stderr if expect.kind != "find" else r.output).casefold()
    for wanted in expect.mentions:
        if wanted.casefold() not in message:
            return WRONG, f"message does not name {wanted!r}: {r.first_line()}"
    if expect.unchanged and before:
        after = sb.snapshot()
        changed = [key for key in before if before[key] != after[key]]
        if changed:
            return WRONG, f"half-written on refusal: {', '.join(changed)} changed"
    if expect.check and expect.kind != "either":
        problem = expect.check(sb, r)
        if problem:
            return WRONG, problem
    return CLEAN, r.first_line()


EXCEPTION_LINE = re.compile(r"^[\w.]+(Error|Exception|Exit|Interrupt|Warning)\b.*")


def traceback_summary(output: str) -> str:
    """The exception line of the last traceback in ``output``."""
    tail = [line.strip() for line in output[output.rfind(TRACEBACK_MARK) :].splitlines() if line.strip()]
    named = [line for line in tail if EXCEPTION_LINE.match(line)]
    return (named or tail or ["traceback"])[-1][:160]


# --- Templates ------------------------------------------------------------------------


def build_templates(base: Path) -> dict[str, Path]:
    """Repositories copied for every case: ``bare`` (git init only), ``fresh`` (config and a
    committed policy, never released), ``released`` (privacy/v1.0 and a material privacy/v2.0),
    ``owed`` (released, one subscriber, and a material privacy/v3.0 not yet announced)."""
    ctx = Context(templates={})
    bare = base / "bare"
    bare.mkdir(parents=True)
    sb = Sandbox(base, bare, ctx)
    sb.git("init", "-q", "-b", "main")
    for key, value in (("commit.gpgsign", "false"), ("tag.gpgsign", "false"), ("core.quotePath", "true")):
        sb.git("config", key, value)
    sb.git("config", "user.name", GIT_ENV["GIT_AUTHOR_NAME"])
    sb.git("config", "user.email", GIT_ENV["GIT_AUTHOR_EMAIL"])

    fresh = base / "fresh"
    shutil.copytree(bare, fresh, symlinks=True)
    sb = Sandbox(base, fresh, ctx)
    sb.write(".gitignore", "/.policywatch/\n")
    sb.write("policywatch.toml", CONFIG)
    sb.write("policies/privacy.md", POLICY)
    sb.commit("Add privacy policy")

    released = base / "released"
    shutil.copytree(fresh, released, symlinks=True)
    sb = Sandbox(base, released, ctx)
    _must(sb.pw("publish", "--yes", "--no-notify", "--date", "2024-01-01"))
    text = sb.read("policies/privacy.md").replace("## Retention", f"{SECOND_EDIT}\n\n## Retention")
    sb.edit("policies/privacy.md", text, "Share email addresses with advertising partners")
    _must(sb.pw("publish", "--yes", "--no-notify", "--date", "2024-06-01"))
    if sb.tags() != ["privacy/v1.0", "privacy/v2.0"]:
        raise RuntimeError(f"template: unexpected tags {sb.tags()}")

    owed = base / "owed"
    shutil.copytree(released, owed, symlinks=True)
    sb = Sandbox(base, owed, ctx)
    _must(sb.pw("subscribers", "add", OWED_READER))
    sb.material_edit()
    _must(sb.pw("publish", "--yes", "--no-notify"))
    return {"bare": bare, "fresh": fresh, "released": released, "owed": owed}


def _must(result: Result) -> None:
    if result.code != 0:
        raise RuntimeError(f"template: policywatch {' '.join(result.args)} failed: {result.output.strip()[:400]}")
