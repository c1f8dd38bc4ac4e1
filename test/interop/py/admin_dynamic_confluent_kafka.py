"""confluent-kafka (librdkafka) driver for test/interop/admin-dynamic-configs.test.ts.

Reads {"bootstrap", "topic"} as JSON on stdin. Sets dynamic broker configs on broker 1 with
AdminClient.alter_configs (librdkafka cannot name the cluster-wide default, ""), describes the
broker and a topic inheriting them, produces a message over and under the dynamic
message.max.bytes, and records the errors of refused changes (code name, code, message); then
clears the broker's dynamic configs and produces the large message again. Prints one JSON line.
"""
import json
import sys

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic


def one(futures):
    return [f.result() for f in futures.values()][0]


def error_of(fn):
    try:
        fn()
        return None
    except Exception as e:  # noqa: BLE001 - the error is the result
        err = e.args[0] if e.args else None
        return [err.name(), err.code(), err.str()] if hasattr(err, 'name') else type(e).__name__


def entry(configs, name):
    e = configs[name]
    return [e.value, e.source, e.is_read_only, [[s.name, s.value, s.source] for s in e.synonyms.values()]]


def produce(bootstrap, topic, size):
    """The delivery error's [name, code], or None when delivered."""
    out = []
    p = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 0, 'acks': 'all', 'message.max.bytes': 1000000})
    p.produce(topic, b'x' * size, on_delivery=lambda err, msg: out.append(None if err is None else [err.name(), err.code()]))
    p.flush(15)
    return out[0] if out else 'not delivered'


def main():
    req = json.loads(sys.stdin.read())
    bootstrap, topic = req['bootstrap'], req['topic']
    a = AdminClient({'bootstrap.servers': bootstrap})
    out = {}
    one(a.create_topics([NewTopic(topic, 1, 1)]))
    one(a.alter_configs([ConfigResource('broker', '1', set_config={'log.retention.ms': '7200000', 'message.max.bytes': '2000'})]))
    b = one(a.describe_configs([ConfigResource('broker', '1')]))
    out['broker'] = {k: entry(b, k) for k in ('log.retention.ms', 'message.max.bytes')}
    t = one(a.describe_configs([ConfigResource('topic', topic)]))
    out['topic'] = {k: entry(t, k) for k in ('retention.ms', 'max.message.bytes')}
    out['produce_large'] = produce(bootstrap, topic, 5000)
    out['produce_small'] = produce(bootstrap, topic, 100)
    out['read_only'] = error_of(lambda: one(a.alter_configs([ConfigResource('broker', '1', set_config={'log.dirs': '/x'})])))
    out['cleaner_threads'] = error_of(lambda: one(a.alter_configs([ConfigResource('broker', '1', set_config={'log.cleaner.threads': '9'})])))
    one(a.alter_configs([ConfigResource('broker', '1', set_config={})]))
    out['produce_large_after_clear'] = produce(bootstrap, topic, 5000)
    b = one(a.describe_configs([ConfigResource('broker', '1')]))
    out['broker_after_clear'] = {k: entry(b, k)[:2] for k in ('log.retention.ms', 'message.max.bytes')}
    print(json.dumps(out))


if __name__ == '__main__':
    main()
