"""Tools over the policy and the schema catalogue together: lint, explain, cases, ACLs.

They need both, so they live beside the two rather than inside either: the policy
engine knows no schema files, and the catalogue knows no grants.
"""
