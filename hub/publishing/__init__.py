"""Publishing over HTTPS: an event as JSON, validated against the stream's schema,
framed and sent with the connector SDK, once per event id."""
