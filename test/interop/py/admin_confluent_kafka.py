"""confluent-kafka (librdkafka) admin driver for test/interop/admin-confluent-kafka.test.ts.

Reads {"bootstrap", "topic"} as JSON on stdin; runs AdminClient create_topics, describe_configs
(topic, broker), alter_configs, create_partitions (grow, then a refused decrease), delete_topics;
prints what it saw as one JSON line. Errors are recorded as their KafkaError code names.
"""
import json
import sys

from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic


def one(futures):
    return [f.result() for f in futures.values()][0]


def error_name(fn):
    try:
        fn()
        return None
    except Exception as e:  # noqa: BLE001 - the error name is the result
        err = e.args[0] if e.args else None
        return err.name() if hasattr(err, 'name') else type(e).__name__


def main():
    req = json.loads(sys.stdin.read())
    topic = req['topic']
    a = AdminClient({'bootstrap.servers': req['bootstrap']})
    out = {}
    one(a.create_topics([NewTopic(topic, 2, 1, config={'retention.ms': '3600000'})]))
    c = one(a.describe_configs([ConfigResource('topic', topic)]))
    e = c['retention.ms']
    out['describe'] = {'count': len(c), 'retention.ms': [e.value, e.source, e.is_default, e.is_read_only, e.is_sensitive,
                                                       [[s.name, s.value, s.source] for s in e.synonyms.values()]]}
    b = one(a.describe_configs([ConfigResource('broker', '1')]))
    out['broker'] = {k: [b[k].value, b[k].source, b[k].is_read_only] for k in ('num.partitions', 'log.retention.hours', 'log.dirs') if k in b}
    out['broker']['log.dirs'][0] = None
    one(a.alter_configs([ConfigResource('topic', topic, set_config={'segment.bytes': '1048576'})]))
    out['alter_bad'] = error_name(lambda: one(a.alter_configs([ConfigResource('topic', topic, set_config={'segment.bytes': 'big'})])))
    c = one(a.describe_configs([ConfigResource('topic', topic)]))
    out['overrides'] = {k: v.value for k, v in c.items() if v.source == 1}
    one(a.create_partitions([NewPartitions(topic, 3)]))
    out['decrease'] = error_name(lambda: one(a.create_partitions([NewPartitions(topic, 1)])))
    out['partitions'] = sorted(a.list_topics(topic, timeout=10).topics[topic].partitions.keys())
    one(a.delete_topics([topic]))
    out['delete_again'] = error_name(lambda: one(a.delete_topics([topic])))
    print(json.dumps(out))


if __name__ == '__main__':
    main()
