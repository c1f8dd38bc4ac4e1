"""kafka-python 2.0.2 driver for the interop tests.

Reads one JSON request on stdin ({"op": ..., "bootstrap": ..., ...}) and prints one JSON answer
on the last stdout line. Records travel as {"key", "value", "headers": [[k, v]], "timestamp"}
with UTF-8 strings (null for None). Every wait is bounded by the request's "timeout_ms".
"""
import json
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, OffsetAndMetadata, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic


def enc(s):
    return None if s is None else s.encode('utf-8')


def dec(b):
    return None if b is None else b.decode('utf-8')


def admin(req):
    """Runs req['steps'] in order: create, describe, configs, delete (each optional)."""
    client = KafkaAdminClient(bootstrap_servers=req['bootstrap'], client_id='interop-kafka-python',
                              request_timeout_ms=req.get('timeout_ms', 10000))
    topics = req['topics']  # [{name, partitions, configs}]
    names = {t['name'] for t in topics}
    out = {}
    try:
        for step in req['steps']:
            if step == 'create':
                res = client.create_topics([NewTopic(t['name'], t['partitions'], 1, topic_configs=t.get('configs', {}))
                                            for t in topics], timeout_ms=10000)
                out['create'] = sorted([name, code] for (name, code, *_rest) in res.topic_errors)
                out['list_after_create'] = sorted(n for n in client.list_topics() if n in names)
            elif step == 'describe':
                described = client.describe_topics(sorted(names))
                out['describe'] = sorted(
                    [{'topic': d['topic'], 'error_code': d['error_code'], 'is_internal': d['is_internal'],
                      'partitions': sorted([[p['partition'], p['leader'], p['replicas'], p['isr'], p['error_code']]
                                            for p in d['partitions']])} for d in described],
                    key=lambda d: d['topic'])
            elif step == 'configs':
                cfg = client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topics[0]['name'])])
                res = cfg[0].resources[0]
                out['configs_error'] = res[0]
                out['configs'] = {e[0]: e[1] for e in res[4]}
            elif step == 'delete':
                res = client.delete_topics(sorted(names), timeout_ms=10000)
                out['delete'] = sorted([name, code] for (name, code) in res.topic_error_codes)
                deadline = time.time() + 10
                remaining = None
                while time.time() < deadline:
                    remaining = sorted(n for n in client.list_topics() if n in names)
                    if not remaining:
                        break
                    time.sleep(0.05)
                out['list_after_delete'] = remaining
    finally:
        client.close()
    return out


def produce(req):
    producer = KafkaProducer(bootstrap_servers=req['bootstrap'], acks=req.get('acks', 'all'),
                             compression_type=req.get('compression'), linger_ms=req.get('linger_ms', 1000),
                             client_id='interop-kafka-python')
    try:
        futures = []
        for r in req['records']:
            futures.append(producer.send(req['topic'], key=enc(r['key']), value=enc(r['value']),
                                         headers=[(k, enc(v)) for k, v in r['headers']],
                                         partition=req.get('partition', 0), timestamp_ms=r.get('timestamp')))
        producer.flush(timeout=req.get('timeout_ms', 20000) / 1000)
        metas = [f.get(timeout=5) for f in futures]
        return {'offsets': [m.offset for m in metas], 'timestamps': [m.timestamp for m in metas]}
    finally:
        producer.close(timeout=5)


def consume(req):
    """One consumer assigned to every partition in req['partitions'] ([{topic, partition, count}]), from
    the beginning, until each has `count` records (or the timeout); then one more poll for extras."""
    consumer = KafkaConsumer(bootstrap_servers=req['bootstrap'], group_id=None, enable_auto_commit=False,
                             auto_offset_reset='earliest', client_id='interop-kafka-python', fetch_max_wait_ms=100,
                             **req.get('config', {}))
    try:
        want = {TopicPartition(p['topic'], p.get('partition', 0)): p['count'] for p in req['partitions']}
        got = {tp: [] for tp in want}
        consumer.assign(list(want))
        consumer.seek_to_beginning(*want)
        deadline = time.time() + req.get('timeout_ms', 20000) / 1000
        while any(len(got[tp]) < n for tp, n in want.items()) and time.time() < deadline:
            for tp, records in consumer.poll(timeout_ms=200).items():
                for m in records:
                    got[tp].append({'offset': m.offset, 'timestamp': m.timestamp, 'timestamp_type': m.timestamp_type,
                                    'key': dec(m.key), 'value': dec(m.value),
                                    'headers': [[k, dec(v)] for k, v in m.headers]})
        extra = consumer.poll(timeout_ms=300)
        return {'partitions': [{'topic': tp.topic, 'partition': tp.partition, 'records': got[tp],
                                'extra': len(extra.get(tp, []))} for tp in want]}
    finally:
        consumer.close()


def offsets_for_times(req):
    consumer = KafkaConsumer(bootstrap_servers=req['bootstrap'], group_id=None, enable_auto_commit=False,
                             client_id='interop-kafka-python')
    try:
        tp = TopicPartition(req['topic'], req.get('partition', 0))
        out = {}
        for ts in req['timestamps']:
            r = consumer.offsets_for_times({tp: ts}, )[tp]
            out[str(ts)] = None if r is None else [r.offset, r.timestamp]
        out['beginning'] = consumer.beginning_offsets([tp])[tp]
        out['end'] = consumer.end_offsets([tp])[tp]
        return out
    finally:
        consumer.close()


def commit_loop(req):
    """Commits offsets 1..req['commits'] for every partition of req['topic'] in group req['group']
    (one OffsetCommit per offset, assign() without a subscription), then reads them back; with
    req['commits'] 0 it only reads what is committed."""
    consumer = KafkaConsumer(bootstrap_servers=req['bootstrap'], group_id=req['group'], enable_auto_commit=False,
                             client_id='interop-kafka-python')
    try:
        tps = [TopicPartition(req['topic'], p) for p in range(req['partitions'])]
        consumer.assign(tps)
        for i in range(1, req['commits'] + 1):
            consumer.commit({tp: OffsetAndMetadata(i, 'm%d' % i) for tp in tps})
        return {'committed': [consumer.committed(tp) for tp in tps]}
    finally:
        consumer.close()


OPS = {'commit_loop': commit_loop, 'admin': admin, 'produce': produce, 'consume': consume, 'offsets_for_times': offsets_for_times}

if __name__ == '__main__':
    request = json.load(sys.stdin)
    if isinstance(request, list):  # several requests in one process (saves interpreter start-ups)
        print(json.dumps([OPS[r['op']](r) for r in request]))
    else:
        print(json.dumps(OPS[request['op']](request)))
