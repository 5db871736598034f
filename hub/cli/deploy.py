"""`hub deploy`: manifests for running the hub in production, rendered from the policy."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from hub import __version__
from hub.cli.common import load_settings, run_or_exit

if TYPE_CHECKING:
    from hub.deploy.render import Bundle
    from hub.deploy.site import ConnectorRun, Site

NAME = "deploy"
app = typer.Typer(
    help="Manifests for running the hub in production, rendered from the catalogue and the policy.",
    no_args_is_help=True,
)
TARGETS = ("strimzi",)


@app.command("render")
def render(
    target: Annotated[
        str, typer.Option(help="what to render for; strimzi: Kubernetes with Strimzi's Kafka")
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            help="write one file per group (and a kustomization.yaml) into this folder "
            "instead of printing one YAML stream"
        ),
    ] = None,
    namespace: Annotated[str, typer.Option(help="the Kubernetes namespace of it all")] = "linkage",
    cluster: Annotated[
        str, typer.Option(help="the Strimzi Kafka cluster's name (prefixes its pods and secrets)")
    ] = "linkage",
    image: Annotated[str, typer.Option(help="the hub's container image")] = (
        f"linkage-hub:{__version__}"
    ),
    public_url: Annotated[
        str, typer.Option(help="the gateway's public https address: token issuer, Ingress host")
    ] = "https://linkage.example.org",
    ingress_namespace: Annotated[
        str, typer.Option(help="the ingress controller's namespace, allowed to call the gateway")
    ] = "ingress-nginx",
    prometheus_namespace: Annotated[
        str, typer.Option(help="Prometheus' namespace, allowed to scrape /metrics")
    ] = "monitoring",
    gateway_replicas: Annotated[
        int, typer.Option(help="the fewest gateway replicas the autoscaler keeps (2 or more)")
    ] = 2,
    connector: Annotated[
        list[str] | None,
        typer.Option(
            help="also run a shipped connector (see `hub connector list`) as NAME=SOURCE; "
            "repeatable"
        ),
    ] = None,
) -> None:
    """Render the Kubernetes manifests of a production hub.

    The Strimzi Kafka cluster (KRaft node pools), a KafkaTopic per topic the hub
    creates and a KafkaUser per agency with the ACLs its grants allow (the same as
    `hub policy export-acls`), the gateway (Deployment, Service, Ingress, autoscaler,
    disruption budget), the archiver and the NetworkPolicies. Secrets are referenced,
    never written: the ones to create first are listed on standard error. Render again
    after changing the policy, the catalogue or a schema.
    """
    if target not in TARGETS:
        _usage(f"unknown target {target!r}; the targets are: {', '.join(TARGETS)}")
    if out is not None and out.exists() and not out.is_dir():
        _usage(f"--out {out} is a file; give a folder (made if missing)")
    from hub.catalog.files import SchemaCatalog
    from hub.deploy.render import write_folder, yaml_stream
    from hub.deploy.site import Site
    from hub.deploy.strimzi import render_strimzi
    from hub.policy.loader import load_policy

    runs = _connector_runs(connector or [])
    try:
        site = Site(
            namespace=namespace,
            cluster=cluster,
            public_url=public_url,
            ingress_namespace=ingress_namespace,
            prometheus_namespace=prometheus_namespace,
            gateway_replicas=gateway_replicas,
            connectors=tuple(runs),
            image=image,
        )
    except ValueError as exc:
        _usage(str(exc))
    settings = load_settings()
    policy = run_or_exit(lambda: load_policy(settings.policies_dir))
    catalog = run_or_exit(lambda: SchemaCatalog.load(settings.schemas_dir))
    bundle = run_or_exit(lambda: render_strimzi(policy, catalog, site))
    if out is None:
        typer.echo(yaml_stream(bundle), nl=False)
    else:
        try:
            written = write_folder(bundle, out)
        except OSError as exc:
            _usage(f"cannot write to {out}: {exc.strerror or exc}")
        typer.echo(f"wrote {len(written)} files to {out}", err=True)
    _list_secrets(bundle, site)


def _usage(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _connector_runs(given: list[str]) -> list[ConnectorRun]:
    from connectors.catalog import CONNECTORS
    from hub.deploy.site import ConnectorRun

    runs = []
    for item in given:
        name, sep, source = item.partition("=")
        if not sep or not name or not source:
            _usage(f"--connector {item!r}: write it as NAME=SOURCE")
        if name not in CONNECTORS:
            _usage(f"no connector {name!r}; the shipped ones are: {', '.join(sorted(CONNECTORS))}")
        runs.append(ConnectorRun(name=name, stream=CONNECTORS[name].stream, source=source))
    return runs


def _list_secrets(bundle: Bundle, site: Site) -> None:
    from hub.deploy.secrets import referenced

    typer.echo("The manifests name these Secrets and hold none of them:", err=True)
    for ref in referenced(bundle, site):
        keys = f" ({', '.join(ref.keys)})" if ref.keys else ""
        typer.echo(f"  {ref.name}{keys}: {ref.holds}\n      from: {ref.made_by}", err=True)
