"""The pre-push hook that runs ``policywatch check`` on every pushed commit.

A repository may already have a pre-push hook (written by hand or by another
tool). It is never overwritten: either the install refuses and says how to
proceed, or, with ``chain``, the existing hook is kept beside ours as
``pre-push.local`` and runs first with the same arguments and input.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from policywatch.errors import HookExists, HookNotInstalled
from policywatch.files import atomic_write
from policywatch.release.git import Git

MARKER = "# policywatch pre-push hook"
CHAINED = "pre-push.local"

_TEMPLATE = """\
#!/bin/sh
{marker}: stops a push that carries an unpublished material policy change.
# Written by `policywatch hook install`; run it again to update this file.
# Bypass once with `git push --no-verify`.
input=$(cat)
{chain}
if [ -x {python} ]; then
  pw_check() {{ {python} -m policywatch.check "$@"; }}
elif command -v policywatch >/dev/null 2>&1; then
  pw_check() {{ policywatch check "$@"; }}
else
  echo "policywatch pre-push: policywatch is not installed; install it or push with --no-verify" >&2
  exit 1
fi
status=0
while read -r local_ref local_sha remote_ref remote_sha; do
  [ -n "$local_sha" ] || continue
  case "$local_sha" in *[!0]*) ;; *) continue ;; esac  # a deleted ref: nothing to check
  if ! pw_check --against "$local_sha" </dev/null; then
    echo "policywatch pre-push: push of $local_ref stopped (publish first, or push --no-verify)" >&2
    status=1
  fi
done <<EOF
$input
EOF
exit $status
"""

_CHAIN = """\
chained="$(dirname "$0")/{name}"
if [ -x "$chained" ]; then
  printf '%s\\n' "$input" | "$chained" "$@" || exit $?
fi"""


@dataclass(frozen=True)
class HookInstall:
    path: Path
    action: str  # "created" | "updated" | "chained" | "removed" | "restored"
    chained: Path | None = None


def hook_script(python: str, chain: bool) -> str:
    return _TEMPLATE.format(
        marker=MARKER,
        python=shlex.quote(python),
        chain=_CHAIN.format(name=CHAINED) if chain else "",
    )


def install_pre_push(root: str | Path, *, chain: bool = False, python: str | None = None) -> HookInstall:
    """Write the pre-push hook (in core.hooksPath when set); keep or refuse an existing one."""
    git = Git(root)
    hooks = git.git_path("hooks")
    hooks.mkdir(parents=True, exist_ok=True)
    path = hooks / "pre-push"
    kept = hooks / CHAINED
    python = python or sys.executable
    action = "created"
    if path.exists():
        ours = MARKER in path.read_text(encoding="utf-8", errors="replace")
        if ours:
            action = "updated"
            chain = chain or kept.exists()
        elif not chain:
            raise HookExists(
                f"{path}: a pre-push hook already exists and policywatch did not write it; "
                "run 'policywatch hook install --chain' to keep it (it will run first), or remove it"
            )
        else:
            if kept.exists():
                raise HookExists(f"{kept}: already exists; merge it with {path.name} by hand, then try again")
            os.replace(path, kept)
            action = "chained"
    atomic_write(path, hook_script(python, chain), mode=0o755)
    return HookInstall(path, action, kept if chain else None)


def uninstall_pre_push(root: str | Path) -> HookInstall:
    """Remove policywatch's pre-push hook, putting a chained hook back in its place."""
    hooks = Git(root).git_path("hooks")
    path, kept = hooks / "pre-push", hooks / CHAINED
    if not path.exists() or MARKER not in path.read_text(encoding="utf-8", errors="replace"):
        raise HookNotInstalled(f"{path}: no pre-push hook written by policywatch; nothing to remove")
    if kept.exists():
        os.replace(kept, path)
        return HookInstall(path, "restored", kept)
    path.unlink()
    return HookInstall(path, "removed")
