"""The web console: server-rendered pages in Chinese and English for auditors and duty
officers. Every page request is decided and audited like any other gateway request."""
