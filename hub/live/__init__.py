"""Live feeds: one shared Kafka follower per stream, fanned out to every subscriber.

A thousand subscribers to one stream cost one consumer: the feed decodes and indexes
each record once, keeps the latest in a ring for clients that reconnect, and hands it
to each subscriber's bounded queue. What each subscriber may see (grant, masks, row
filter) is the gateway's to judge, per subscriber; nothing here knows about HTTP.
"""
