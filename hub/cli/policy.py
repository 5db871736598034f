"""`hub policy`: the access policy in policies/."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hub.cli.common import load_settings, run_or_exit
from hub.errors import HubError

NAME = "policy"
app = typer.Typer(help="The access policy in policies/.", no_args_is_help=True)


@app.command("lint")
def lint() -> None:
    """Load and check the policy files against the schemas; name file and line of a problem."""
    from hub.catalog.files import SchemaCatalog
    from hub.policy.loader import load_policy
    from hub.policy_tools.lint import lint as lint_policy

    settings = load_settings()
    policy = run_or_exit(lambda: load_policy(settings.policies_dir))
    catalog = run_or_exit(lambda: SchemaCatalog.load(settings.schemas_dir))
    problems = lint_policy(policy, catalog)
    for problem in problems:
        typer.echo(problem)
    if problems:
        typer.echo(f"{len(problems)} problem(s)", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"policy ok: {len(policy.agencies)} agencies, {len(policy.streams)} streams, "
        f"{len(policy.grants)} grants, {len(policy.denies)} denies, "
        f"{len(policy.targets)} coordination targets (version {policy.version})"
    )


@app.command("explain")
def explain(
    agency: Annotated[str, typer.Option(help="the reading agency")],
    stream: Annotated[str, typer.Option(help="the stream, agency.stream")],
    purpose: Annotated[str | None, typer.Option(help="the purpose the reader names")] = None,
) -> None:
    """Which grant lets an agency read a stream, and what it shows: masks, rows, purposes."""
    from hub.catalog.files import SchemaCatalog
    from hub.policy.loader import load_policy
    from hub.policy_tools.explain import explain as explain_access

    settings = load_settings()

    def run() -> list[str]:
        policy = load_policy(settings.policies_dir)
        entry = policy.stream(stream)
        if entry is None:
            raise HubError(f"stream {stream} is not in the catalogue")
        if policy.agency(agency) is None:
            raise HubError(f"agency {agency} is not in the policy")
        catalog = SchemaCatalog.load(settings.schemas_dir)
        return explain_access(policy, catalog, agency=agency, stream=entry, purpose=purpose)

    for line in run_or_exit(run):
        typer.echo(line)


@app.command("test")
def run_tests(
    cases: Annotated[
        Path | None, typer.Option(help="folder of case files; default policies/cases")
    ] = None,
) -> None:
    """Run the policy's cases (agency, stream, purpose, record -> decision and output)."""
    from hub.catalog.files import SchemaCatalog
    from hub.policy.loader import load_policy
    from hub.policy_tools.cases import load_cases, run_cases

    settings = load_settings()
    folder = cases or settings.policies_dir / "cases"

    def run() -> list:  # type: ignore[type-arg]
        policy = load_policy(settings.policies_dir)
        catalog = SchemaCatalog.load(settings.schemas_dir)
        return run_cases(policy, catalog, load_cases(folder))

    results = run_or_exit(run)
    for result in results:
        mark = "ok  " if result.passed else "FAIL"
        typer.echo(f"{mark} {result.file}: {result.name}")
        for failure in result.failures:
            typer.echo(f"       {failure}")
    failed = sum(not r.passed for r in results)
    typer.echo(f"{len(results) - failed} passed, {failed} failed", err=True)
    if failed or not results:
        raise typer.Exit(1)


@app.command("reload")
def reload(
    wait: Annotated[float, typer.Option(help="seconds to wait for each gateway to answer")] = 10.0,
) -> None:
    """Check the policy files, then have every gateway running here swap them in (SIGHUP,
    no restart).

    A file that does not load is reported here and the gateways keep their policy. The
    gateways are those with a status file in var/gateways/ (one per port).
    """
    from hub.cli.reload_gateways import reload_all, running_gateways
    from hub.policy.loader import load_policy

    settings = load_settings()
    policy = run_or_exit(lambda: load_policy(settings.policies_dir))
    gateways = running_gateways(settings.var_dir)
    if not gateways:
        where = settings.var_dir / "gateways"
        typer.echo(f"error: no gateway is running from here (nothing live in {where})", err=True)
        raise typer.Exit(1)
    failed = False
    for outcome in reload_all(gateways, wait_s=wait):
        if outcome.error:
            failed = True
            kept = f" kept {outcome.version}" if outcome.version else ""
            typer.echo(f"error: gateway :{outcome.port}{kept}: {outcome.error}", err=True)
        else:
            typer.echo(f"gateway :{outcome.port}: policy {outcome.version} is in force")
    if failed:
        raise typer.Exit(1)
    typer.echo(f"policy {policy.version} checked and sent to {len(gateways)} gateway(s)")


@app.command("keygen")
def keygen() -> None:
    """Create the missing per-grant keys of the hash mask (needed once where HUB_ENV=prod)."""
    from hub.policy.keys import write_key
    from hub.policy.loader import load_policy

    settings = load_settings()
    policy = run_or_exit(lambda: load_policy(settings.policies_dir))
    folder = settings.policy.mask_key_dir
    hashing = [g.id for g in policy.grants if any(m.method == "hash" for m in g.masks)]
    for grant_id in hashing:
        if (folder / f"{grant_id}.key").exists():
            typer.echo(f"{grant_id}: key exists")
        else:
            write_key(folder, grant_id)
            typer.echo(f"{grant_id}: key written to {folder}")
    if not hashing:
        typer.echo("no grant uses the hash mask")


@app.command("export-acls")
def export_acls(
    output: Annotated[str, typer.Option("--format", help="json or strimzi")] = "json",
    cluster: Annotated[str, typer.Option(help="Strimzi cluster label")] = "linkage",
    authentication: Annotated[str, typer.Option(help="tls or scram-sha-512")] = "tls",
) -> None:
    """Kafka ACLs for the readers plain Kafka clients may serve: grants that mask nothing
    and filter nothing; everyone else reads through the gateway.

    Judged by each stream's current schema: export again after a schema change.
    """
    import json

    import yaml

    from hub.catalog.files import SchemaCatalog
    from hub.policy.loader import load_policy
    from hub.policy_tools.acls import acls, strimzi_users

    if output not in ("json", "strimzi") or authentication not in ("tls", "scram-sha-512"):
        typer.echo(
            "error: --format is json or strimzi; --authentication tls or scram-sha-512", err=True
        )
        raise typer.Exit(2)
    settings = load_settings()
    policy = run_or_exit(lambda: load_policy(settings.policies_dir))
    catalog = run_or_exit(lambda: SchemaCatalog.load(settings.schemas_dir))
    rules = acls(policy, catalog)
    if output == "json":
        typer.echo(json.dumps([r.as_json() for r in rules], indent=2))
        return
    users = strimzi_users(rules, cluster=cluster, authentication=authentication)  # type: ignore[arg-type]
    typer.echo(yaml.safe_dump_all(users, sort_keys=False, allow_unicode=True), nl=False)
