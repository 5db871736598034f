"""`hub audit`: check the audit log, witness it, and manage its checkpoint key."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hub.cli.common import load_settings, run_or_exit

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from hub.config import Settings

NAME = "audit"
app = typer.Typer(help="The audit log: verify, witness, keys.", no_args_is_help=True)


@app.command("keygen")
def keygen(
    rotate: Annotated[
        bool, typer.Option(help="retire the current key (still published) for a new one")
    ] = False,
) -> None:
    """Create the Ed25519 key that signs audit checkpoints (needed once where HUB_ENV=prod)."""
    from hub.audit.signing import generate
    from hub.tlog.notes import verifier_key

    settings = load_settings()
    key = run_or_exit(
        lambda: generate(settings.audit.key_dir, name=settings.audit.origin, rotate=rotate)
    )
    typer.echo(f"checkpoint key written to {settings.audit.key_dir}")
    typer.echo(f"verifier key: {verifier_key(settings.audit.origin, key.public_key())}")


@app.command("verify")
def verify(
    witness: Annotated[
        list[Path] | None,
        typer.Option(help="a witness's folder; its kept checkpoints are checked too"),
    ] = None,
    key: Annotated[
        list[str] | None,
        typer.Option(help="a verifier key (name+id+key); default: the keys in HUB_AUDIT_KEY_DIR"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Check every row's hashes, the tree and every signed checkpoint; exit 1 naming the
    first bad seq."""
    from hub.audit.verify import verify_log
    from hub.audit.witness import Witness, parse_vkey
    from hub.store.engine import make_engine

    settings = load_settings()
    origin = settings.audit.origin
    if key:
        pairs = run_or_exit(lambda: [parse_vkey(v) for v in key])
        origin = pairs[0][0]
        keys = [k for _, k in pairs]
    else:
        keys = run_or_exit(lambda: _local_keys(settings))
    notes = [note for folder in witness or [] for note in Witness(folder).notes()]
    engine = make_engine(settings.database)
    started = time.monotonic()
    try:
        with engine.connect() as connection:
            report = verify_log(connection, origin=origin, keys=keys, witness=notes)
    finally:
        engine.dispose()
    seconds = time.monotonic() - started
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "rows": report.rows,
                    "checkpoints": report.checkpoints,
                    "witnessed": report.witnessed,
                    "root": report.root.hex(),
                    "first_bad_seq": report.first_bad_seq,
                    "findings": [{"seq": f.seq, "problem": f.problem} for f in report.findings],
                    "seconds": round(seconds, 3),
                }
            )
        )
    elif report.ok:
        typer.echo(
            f"audit log ok: {report.rows} rows, {report.checkpoints} signed checkpoints, "
            f"{report.witnessed} witnessed; root {report.root.hex()} ({seconds:.1f}s)"
        )
    else:
        for finding in report.findings:
            where = f"seq {finding.seq}: " if finding.seq is not None else ""
            typer.echo(f"BAD {where}{finding.problem}", err=True)
        bad = report.first_bad_seq
        typer.echo(
            f"audit log NOT ok: first bad seq {bad}" if bad is not None else "audit log NOT ok",
            err=True,
        )
    if not report.ok:
        raise typer.Exit(1)


def _local_keys(settings: Settings) -> list[Ed25519PublicKey]:
    from hub.audit.signing import load_signer, public_keys

    signer = load_signer(settings.audit.key_dir, name=settings.audit.origin, create=False)
    return public_keys(settings.audit.key_dir, signer)


@app.command("witness")
def witness(
    gateway: Annotated[str, typer.Option(help="the gateway's base URL")],
    folder: Annotated[Path, typer.Option("--dir", help="where this witness keeps checkpoints")],
    every: Annotated[
        float, typer.Option(help="seconds between rounds; 0 runs one round and exits")
    ] = 0.0,
    rounds: Annotated[int, typer.Option(help="stop after this many rounds (0: until Ctrl-C)")] = 0,
) -> None:
    """Keep every checkpoint the log signs and check each extends the last (run by any
    agency; credentials from HUB_WITNESS_CLIENT_ID and HUB_WITNESS_CLIENT_SECRET)."""
    from hub.audit.witness import Witness
    from hub.audit.witness_http import GatewaySource

    client_id = os.environ.get("HUB_WITNESS_CLIENT_ID")
    secret = os.environ.get("HUB_WITNESS_CLIENT_SECRET")
    if not client_id or not secret:
        typer.echo("error: set HUB_WITNESS_CLIENT_ID and HUB_WITNESS_CLIENT_SECRET", err=True)
        raise typer.Exit(2)
    source = GatewaySource(gateway, client_id=client_id, client_secret=secret)
    keeper = Witness(folder)
    done = 0
    while True:
        run = run_or_exit(lambda: keeper.run(source))
        if run.pinned:
            typer.echo(f"pinned the log's keys on first contact, in {folder / 'log.vkey'}")
        for alert in run.alerts:
            typer.echo(f"!!! WITNESS ALERT: {alert} (evidence kept in {folder})", err=True)
        if not run.ok:
            raise typer.Exit(1)
        last = keeper.last()
        typer.echo(
            f"kept {len(run.kept)} new checkpoint(s); consistent up to size "
            f"{last.size if last else 0}"
        )
        done += 1
        if every <= 0 or (rounds and done >= rounds):
            return
        time.sleep(every)
