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
            'linger.ms': req.get('linger_ms', 20), 'enable.idempotence': False}
    p = Producer(conf)
    reports = []

    def on_delivery(err, msg):
        reports.append({'error': None if err is None else err.str(), 'offset': msg.offset(),
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
    c = Consumer({'bootstrap.servers': req['bootstrap'], 'client.id': 'interop-confluent',
                  'group.id': 'interop-assign-only', 'enable.auto.commit': False,
                  'enable.auto.offset.store': False, 'enable.partition.eof': True,
                  'fetch.wait.max.ms': 100})
    try:
        c.assign([TopicPartition(req['topic'], req.get('partition', 0), OFFSET_BEGINNING)])
        out = []
        errors = []
        deadline = time.time() + req.get('timeout_ms', 15000) / 1000
        eof = False
        while time.time() < deadline and not (eof and len(out) >= req['count']):
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    eof = True
                else:
                    errors.append(m.error().str())
                continue
            eof = False
            out.append({'offset': m.offset(), 'timestamp': m.timestamp()[1], 'timestamp_type': m.timestamp()[0],
                        'key': dec(m.key()), 'value': dec(m.value()),
                        'headers': [[k, dec(v)] for k, v in (m.headers() or [])]})
        return {'records': out, 'errors': errors, 'eof': eof}
    finally:
        c.close()


OPS = {'produce': produce, 'consume': consume}

if __name__ == '__main__':
    request = json.load(sys.stdin)
    if isinstance(request, list):  # several requests in one process (saves interpreter start-ups)
        print(json.dumps([OPS[r['op']](r) for r in request]))
    else:
        print(json.dumps(OPS[request['op']](request)))
