"""Commands that give counsel evidence: evidence, verify."""

from __future__ import annotations

from pathlib import Path

import typer

from policywatch.cli import app
from policywatch.cli._output import echo


@app.command()
def evidence(
    spec: str = typer.Argument(..., metavar="SLUG@VERSION", help="The release: SLUG@VERSION or its tag."),
    out: Path = typer.Argument(..., metavar="OUT.zip", help="The bundle to write."),
) -> None:
    """Write one zip holding what was published, who was told, and the hash chain that proves the record."""
    from policywatch.evidence.bundle import build
    from policywatch.project import open_project
    from policywatch.store import project_store

    project = open_project()
    with project_store(project) as store:
        written = build(project, store, spec, out)
    echo(
        f"wrote {written.path}: {written.release_tag}, {written.files} files, {written.deliveries} deliveries, "
        f"chain head {written.chain_head.seq} {written.chain_head.hash}"
    )
    echo(f"manifest SHA-256 {written.manifest_sha256}")


@app.command()
def verify(
    bundle: Path = typer.Argument(None, metavar="BUNDLE.zip", help="A bundle written by 'policywatch evidence'."),
    store: bool = typer.Option(False, "--store", help="Check the live database against its chain instead."),
) -> None:
    """Check a bundle (or, with --store, the live ledger); exit 1 naming the first thing that does not match."""
    from policywatch.errors import EvidenceError
    from policywatch.evidence.verify import verify_bundle, verify_store

    if store == (bundle is not None):
        raise EvidenceError("verify: give a BUNDLE.zip, or --store to check the live database")
    root = _repository_root()
    if store:
        from policywatch.project import open_project
        from policywatch.store import project_store

        project = open_project()
        with project_store(project) as opened:
            head = verify_store(opened, project.root)
        echo(f"ok: the ledger matches its chain, head {head.seq} {head.hash}")
        return
    checked = verify_bundle(bundle, root)
    echo(
        f"ok: {bundle}: {checked.tag}, {checked.files} files match the manifest, {checked.events} chain events, "
        f"{checked.deliveries} deliveries; chain head {checked.head.seq} {checked.head.hash}"
    )
    echo(f"manifest SHA-256 {checked.manifest_sha256}; {checked.git}")


def _repository_root() -> Path | None:
    """The git repository around the current folder, if there is one."""
    from policywatch.release.git import Git

    found = Git(Path.cwd()).run("rev-parse", "--show-toplevel", check=False).strip()
    return Path(found) if found else None
