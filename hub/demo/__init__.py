"""The demo that `hub dev` runs: its clients, and what it tells the person who started it."""
