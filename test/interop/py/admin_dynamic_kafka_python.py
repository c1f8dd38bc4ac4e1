"""kafka-python 2.0.2 driver for test/interop/admin-dynamic-configs.test.ts.

Reads {"bootstrap", "topic"} as JSON on stdin. Sets dynamic broker configs with
KafkaAdminClient.alter_configs, the cluster-wide default (resource "") and broker 1's own, then
describe_configs (DescribeConfigs v2 with synonyms) of broker 1 and of a topic inheriting them
(kafka-python cannot describe the default resource: it sends a BROKER resource to the broker its
name numbers); records the answers to refused changes ([error code, message]) and clears
both resources. Prints one JSON line.
"""
import json
import sys

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic


def entries(response):
    """{name: [value, read_only, source, is_sensitive, synonyms]} of the first resource."""
    res = response.resources[0]
    out = {}
    for e in res[4]:
        syn = [list(s) for s in e[5]] if len(e) > 5 else []
        out[e[0]] = [e[1], e[2], e[3], e[4], syn]
    return out


def alter(client, name, configs):
    r = client.alter_configs([ConfigResource(ConfigResourceType.BROKER, name, configs=configs)])
    return [list(x[:2]) for x in r.resources]


def main():
    req = json.loads(sys.stdin.read())
    topic = req['topic']
    client = KafkaAdminClient(bootstrap_servers=req['bootstrap'], client_id='interop-dynamic', request_timeout_ms=10000)
    out = {}
    try:
        client.create_topics([NewTopic(topic, 1, 1)], timeout_ms=10000)
        out['set_default'] = alter(client, '', {'log.segment.bytes': '2000000', 'log.retention.ms': '7200000'})
        out['set_broker'] = alter(client, '1', {'log.segment.bytes': '3000000'})
        names = {'log.segment.bytes': None, 'log.retention.ms': None}
        out['broker'] = entries(client.describe_configs([ConfigResource(ConfigResourceType.BROKER, '1', configs=names)], include_synonyms=True)[0])
        tnames = {'segment.bytes': None, 'retention.ms': None}
        out['topic'] = entries(client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs=tnames)], include_synonyms=True)[0])
        out['per_broker_at_default'] = alter(client, '', {'listeners': 'PLAINTEXT://127.0.0.1:1'})
        out['dedupe_buffer'] = alter(client, '1', {'log.cleaner.dedupe.buffer.size': '1000'})
        out['clear'] = alter(client, '', {}) + alter(client, '1', {})
        out['topic_after_clear'] = {k: v[:3] for k, v in entries(client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs=tnames)])[0]).items()}
    finally:
        client.close()
    print(json.dumps(out))


if __name__ == '__main__':
    main()
