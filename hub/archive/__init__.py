"""Every stream written to an indexed SQL table, and history read back from it.

The archiver (``hub archive``) tails all the catalogue's topics; history pages, incident
timelines and a restarted broker's refill (``hub archive replay``) are served from here,
so that questions by incident, place, time and severity do not scan Kafka.
"""
