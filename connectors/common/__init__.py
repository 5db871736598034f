"""What several departments' connectors share: the pieces of logic that are the same
whoever's export is read, kept here once so that a fix reaches every connector.

Connectors import these modules directly (``connectors.common.changes``); each holds
one concept: :mod:`changes` (which rows of a whole-table export are news),
:mod:`exports` (the latest export of a file drop), :mod:`values` (Shenzhen time and
WGS84 points as exports write them) and :mod:`vocabulary` (the schemas' national
classifications).
"""
