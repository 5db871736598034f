"""`hub policy`: the access policy in policies/."""

from __future__ import annotations

import typer

from hub.cli.common import load_settings, run_or_exit

NAME = "policy"
app = typer.Typer(help="The access policy in policies/.", no_args_is_help=True)


@app.command("lint")
def lint() -> None:
    """Load and check the policy files; exit non-zero with the file and line of a problem."""
    from hub.policy.loader import load_policy

    settings = load_settings()
    policy = run_or_exit(lambda: load_policy(settings.policies_dir))
    typer.echo(
        f"policy ok: {len(policy.agencies)} agencies, {len(policy.streams)} streams, "
        f"{len(policy.grants)} grants"
    )
