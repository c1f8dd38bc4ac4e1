"""Consumer group time-to-stable, on confluent-kafka (librdkafka), for bench/run.ts.

Starts --members consumers in one group subscribed to --topic (--partitions partitions), polls
them all from one thread, and measures the time from the first subscribe until every member owns
at least one partition and all partitions are owned (the group is stable), confirmed by --settle
seconds without a further rebalance. Prints {"members", "seconds", "rebalances", "assigned"}.
"""
import argparse, json, time
import confluent_kafka as ck

ap = argparse.ArgumentParser()
ap.add_argument('--bootstrap', required=True)
ap.add_argument('--topic', required=True)
ap.add_argument('--members', type=int, default=50)
ap.add_argument('--partitions', type=int, default=100)
ap.add_argument('--settle', type=float, default=2)
ap.add_argument('--timeout', type=float, default=120)
a = ap.parse_args()

owned = {}
events = {'rebalances': 0}

def make(i):
    def on_assign(c, parts):
        owned[i] = len(parts)
        events['rebalances'] += 1
    def on_revoke(c, parts):
        owned[i] = 0
    c = ck.Consumer({'bootstrap.servers': a.bootstrap, 'group.id': 'bench-group', 'log_level': 3,
                     'session.timeout.ms': 30000, 'enable.auto.commit': False})
    c.subscribe([a.topic], on_assign=on_assign, on_revoke=on_revoke)
    return c

t0 = time.perf_counter()
consumers = [make(i) for i in range(a.members)]
stable_at = None
deadline = t0 + a.timeout
while time.perf_counter() < deadline:
    for c in consumers:
        c.poll(0)
    ok = len(owned) == a.members and all(v > 0 for v in owned.values()) and sum(owned.values()) == a.partitions
    now = time.perf_counter()
    if ok and stable_at is None:
        stable_at = now
    elif not ok:
        stable_at = None
    if stable_at is not None and now - stable_at >= a.settle:
        break
    time.sleep(0.005)
for c in consumers:
    c.close()
print(json.dumps({'members': a.members, 'seconds': (stable_at - t0) if stable_at else None,
                  'rebalances': events['rebalances'], 'assigned': sum(owned.values())}))
