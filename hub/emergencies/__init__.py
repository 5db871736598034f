"""Declared emergencies: the Emergency Management Bureau's declarations, and which are in force."""
