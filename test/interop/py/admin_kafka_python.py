"""kafka-python 2.0.2 admin driver for test/interop/admin-kafka-python.test.ts.

Reads {"bootstrap", "a", "b", "group"} (two topic names and a group) as JSON on stdin, runs
KafkaAdminClient's create_topics, describe_configs (topic and broker; the settings Kafka 3.x
accepts and ignores), alter_configs, create_partitions, describe_consumer_groups with
include_authorized_operations (DescribeGroups v3) and delete_topics, and prints what it saw as one
JSON line. Errors kafka-python raises are recorded by class name.
"""
import json
import sys
import time

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic


def entries(response):
    """{name: [value, read_only, source_or_is_default, is_sensitive, synonyms]} of the first resource."""
    res = response.resources[0]
    out = {}
    for e in res[4]:
        syn = [list(s) for s in e[5]] if len(e) > 5 else []
        out[e[0]] = [e[1], e[2], e[3], e[4], syn]
    return res[0], res[1], out


def raised(fn):
    try:
        fn()
        return None
    except Exception as e:  # noqa: BLE001 - the class name is the result
        return type(e).__name__


def main():
    req = json.loads(sys.stdin.read())
    a, b = req['a'], req['b']
    client = KafkaAdminClient(bootstrap_servers=req['bootstrap'], client_id='interop-admin', request_timeout_ms=10000)
    out = {}
    try:
        client.create_topics([NewTopic(a, 2, 1, topic_configs={'retention.ms': '3600000'}), NewTopic(b, 1, 1)], timeout_ms=10000)
        code, msg, cfg = entries(client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, a)], include_synonyms=True)[0])
        out['describe_topic'] = {'error': code, 'retention.ms': cfg['retention.ms'], 'cleanup.policy': cfg['cleanup.policy'], 'count': len(cfg)}
        ignored = {'message.format.version': None, 'message.downconversion.enable': None}
        _, _, cfg = entries(client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, a, configs=ignored)], include_synonyms=True)[0])
        out['describe_ignored'] = cfg
        client.alter_configs([ConfigResource(ConfigResourceType.TOPIC, b, configs={'message.format.version': '2.8', 'message.downconversion.enable': 'false'})])
        _, _, cfg = entries(client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, b, configs=ignored)])[0])
        out['altered_ignored'] = {k: v[:3] for k, v in cfg.items()}
        r = client.alter_configs([ConfigResource(ConfigResourceType.TOPIC, b, configs={'message.format.version': '3.x'})])
        out['alter_bad_format'] = [list(x[:2]) for x in r.resources]
        code, msg, cfg = entries(client.describe_configs([ConfigResource(ConfigResourceType.BROKER, '1', configs={'num.partitions': None})])[0])
        out['describe_broker'] = {'error': code, 'configs': cfg}
        code, msg, _ = entries(client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, 'no-such-topic')])[0])
        out['describe_unknown'] = [code, msg]

        r = client.alter_configs([ConfigResource(ConfigResourceType.TOPIC, a, configs={'segment.bytes': '1048576', 'cleanup.policy': 'compact'})])
        out['alter'] = [list(x[:2]) for x in r.resources]
        r = client.alter_configs([ConfigResource(ConfigResourceType.TOPIC, b, configs={'retention.ms': 'soon'})])
        out['alter_bad'] = [list(x[:2]) for x in r.resources]
        _, _, cfg = entries(client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, a)])[0])
        out['after_alter'] = {k: v[0] for k, v in cfg.items() if v[2] == 1}

        r = client.create_partitions({a: NewPartitions(4)}, timeout_ms=10000)
        out['create_partitions'] = [list(x[:2]) for x in r.topic_errors]
        out['create_partitions_down'] = raised(lambda: client.create_partitions({a: NewPartitions(1)}, timeout_ms=10000))
        out['partitions_after'] = sorted(p['partition'] for d in client.describe_topics([a]) for p in d['partitions'])

        g = client.describe_consumer_groups([req['group']], include_authorized_operations=True)[0]
        # kafka-python 2.0.2 sends DescribeGroups v3 with the flag but cannot read the field: it
        # decodes v3 answers with the v2 schema, and its v3 schema misplaces the field (a stray
        # third element of the groups tuple), so authorized_operations is always None.
        out['describe_group'] = [g.error_code, g.group, g.state, g.authorized_operations]

        r = client.delete_topics([a, b], timeout_ms=10000)
        out['delete'] = sorted([list(x[:2]) for x in r.topic_error_codes])
        out['delete_again'] = raised(lambda: client.delete_topics([a], timeout_ms=10000))
        deadline = time.time() + 10
        remaining = None
        while time.time() < deadline:
            remaining = sorted(n for n in client.list_topics() if n in (a, b))
            if not remaining:
                break
            time.sleep(0.05)
        out['list_after_delete'] = remaining
    finally:
        client.close()
    print(json.dumps(out))


if __name__ == '__main__':
    main()
