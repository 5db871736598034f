"""The connector SDK's public names are a promise to department teams: guard them."""

import hub.connect


def test_the_sdk_exports_exactly_its_documented_names() -> None:
    assert hub.connect.__all__ == sorted(hub.connect.__all__)
    assert set(hub.connect.__all__) == {
        "Connector",
        "ConnectorRuntime",
        "EventSink",
        "Mapped",
        "PushConnector",
        "RecordRejected",
        "Rejection",
        "Routed",
        "RunReport",
        "SourceRecord",
        "StreamTarget",
        "mapped_events",
    }
    for name in hub.connect.__all__:
        assert getattr(hub.connect, name).__doc__, f"{name} needs a docstring"
