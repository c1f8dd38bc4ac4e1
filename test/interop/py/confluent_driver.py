"""confluent-kafka (librdkafka 2.0.2) driver for the interop tests.

Reads one JSON request on stdin ({"op": "produce"|"consume", "bootstrap": ..., ...}) and prints
one JSON answer on the last stdout line. Records travel as {"key", "value", "headers": [[k, v]],
"timestamp"} with UTF-8 strings (null for None). Consumption uses assign() from the beginning,
no group coordination. Every wait is bounded by "timeout_ms".
"""
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition


def enc(s):
    return None if s is None else s.encode('utf-8')


def dec(b):
    return None if b is None else b.decode('utf-8')


def produce(req):
    conf = {'bootstrap.servers': req['bootstrap'], 'client.id': 'interop-confluent',
            'compression.type': req.get('compression', 'none'), 'acks': str(req.get('acks', 'all')),
            'linger.ms': req.get('linger_ms', 1000), 'enable.idempotence': False}
    conf.update(req.get('config', {}))
    p = Producer(conf)
    reports = []

    def on_delivery(err, msg):
        reports.append({'error': None if err is None else err.str(), 'code': None if err is None else err.code(),
                        'offset': msg.offset(),
                        'timestamp': msg.timestamp()[1]})

    for r in req['records']:
        kw = {'key': enc(r['key']), 'value': enc(r['value']), 'partition': req.get('partition', 0),
              'headers': [(k, enc(v)) for k, v in r['headers']], 'on_delivery': on_delivery}
        if r.get('timestamp') is not None:
            kw['timestamp'] = r['timestamp']
        p.produce(req['topic'], **kw)
        p.poll(0)
    left = p.flush(req.get('timeout_ms', 20000) / 1000)
    return {'unflushed': left, 'reports': reports}


def consume(req):
    """One consumer assigned to every partition in req['partitions'] ([{topic, partition, count}]), from
    the beginning; runs until each has `count` records and reached its end (or the timeout)."""
    c = Consumer({'bootstrap.servers': req['bootstrap'], 'client.id': 'interop-confluent',
                  'group.id': 'interop-assign-only', 'enable.auto.commit': False,
                  'enable.auto.offset.store': False, 'enable.partition.eof': True,
                  'fetch.wait.max.ms': 100})
    try:
        want = {(p['topic'], p.get('partition', 0)): p['count'] for p in req['partitions']}
        got = {k: [] for k in want}
        eof = {k: False for k in want}
        errors = []
        c.assign([TopicPartition(t, p, OFFSET_BEGINNING) for (t, p) in want])
        deadline = time.time() + req.get('timeout_ms', 20000) / 1000
        while time.time() < deadline and not all(eof[k] and len(got[k]) >= want[k] for k in want):
            m = c.poll(0.2)
            if m is None:
                continue
            k = (m.topic(), m.partition())
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    eof[k] = True
                else:
                    errors.append(m.error().str())
                continue
            eof[k] = False
            got[k].append({'offset': m.offset(), 'timestamp': m.timestamp()[1], 'timestamp_type': m.timestamp()[0],
                           'key': dec(m.key()), 'value': dec(m.value()),
                           'headers': [[hk, dec(hv)] for hk, hv in (m.headers() or [])]})
        return {'partitions': [{'topic': t, 'partition': p, 'records': got[(t, p)], 'eof': eof[(t, p)]}
                               for (t, p) in want], 'errors': errors}
    finally:
        c.close()


OPS = {'produce': produce, 'consume': consume}

if __name__ == '__main__':
    request = json.load(sys.stdin)
    if isinstance(request, list):  # several requests in one process (saves interpreter start-ups)
        print(json.dumps([OPS[r['op']](r) for r in request]))
    else:
        print(json.dumps(OPS[request['op']](request)))
