"""The publisher of the live-feed benchmark, in a process of its own, as a department's
connector is: it sends ready-made records (framed Avro, the event id as key, the hub's
headers) one at a time, each acknowledged before the next, with short gaps, and prints
the wall-clock time each was handed to Kafka as JSON (event id -> seconds).

    python bench/live_publisher.py --bootstrap HOST:PORT --topic T --records FILE

``--records`` holds one JSON object per line: ``{"key": event id, "value": base64}``.
"""

from __future__ import annotations

import argparse
import base64
import sys
import time
from pathlib import Path

import orjson
from kafka import KafkaProducer

HEADERS = [
    ("content-type", b"application/vnd.linkage.avro"),
    ("traceparent", b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--records", type=Path, required=True)
    args = parser.parse_args()
    records = [orjson.loads(line) for line in args.records.read_bytes().splitlines()]
    producer = KafkaProducer(bootstrap_servers=args.bootstrap, acks="all", linger_ms=0)
    producer.partitions_for(args.topic)  # metadata fetched before the first clock read
    sent: dict[str, float] = {}
    for i, record in enumerate(records):
        key = str(record["key"])
        value = base64.b64decode(record["value"])
        sent[key] = time.time()
        producer.send(args.topic, value, key=key.encode(), headers=HEADERS).get(10)
        time.sleep(0.02 if i % 2 else 0.005)
    producer.close()
    sys.stdout.write(orjson.dumps(sent).decode() + "\n")


if __name__ == "__main__":
    main()
