"""SASL driver for the interop tests: kafka-python 2.0.2 and confluent-kafka (librdkafka) over
SASL_PLAINTEXT with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 (over SASL_SSL when the request has "cafile").

Reads one JSON request on stdin and prints one JSON answer on the last stdout line:
  {"client": "kafka-python" | "confluent", "op": "roundtrip", "bootstrap", "topic", "mechanism",
   "username", "password", "records": [{"key", "value"}]}
produces the records to partition 0, then reads partition 0 from the beginning until it has as
many; answers {"offsets": [...], "consumed": [{"offset", "key", "value"}]} or {"error": "..."} when
the login (or anything else) fails. Every wait is bounded.
"""
import json
import sys
import time


def enc(s):
    return None if s is None else s.encode('utf-8')


def dec(b):
    return None if b is None else b.decode('utf-8')


def kafka_python(req):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    sasl = dict(security_protocol='SASL_PLAINTEXT', sasl_mechanism=req['mechanism'],
                sasl_plain_username=req['username'], sasl_plain_password=req['password'])
    if req.get('cafile'):  # SASL_SSL: TLS trusting the test CA
        sasl.update(security_protocol='SASL_SSL', ssl_cafile=req['cafile'], ssl_check_hostname=True)
    try:
        producer = KafkaProducer(bootstrap_servers=req['bootstrap'], acks='all', request_timeout_ms=10000,
                                 api_version_auto_timeout_ms=10000, **sasl)
    except Exception as e:  # noqa: BLE001 - the failure is the answer
        return {'error': '%s: %s' % (type(e).__name__, e)}
    try:
        futures = [producer.send(req['topic'], key=enc(r['key']), value=enc(r['value']), partition=0) for r in req['records']]
        offsets = [f.get(timeout=15).offset for f in futures]
    finally:
        producer.close(timeout=5)
    consumer = KafkaConsumer(bootstrap_servers=req['bootstrap'], group_id=None, enable_auto_commit=False,
                             consumer_timeout_ms=15000, **sasl)
    try:
        tp = TopicPartition(req['topic'], 0)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        consumed = []
        deadline = time.time() + 15
        while len(consumed) < len(req['records']) and time.time() < deadline:
            for msgs in consumer.poll(timeout_ms=500).values():
                consumed += [{'offset': m.offset, 'key': dec(m.key), 'value': dec(m.value)} for m in msgs]
    finally:
        consumer.close()
    return {'offsets': offsets, 'consumed': consumed}


def confluent(req):
    from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition, OFFSET_BEGINNING
    sasl = {'bootstrap.servers': req['bootstrap'], 'security.protocol': 'SASL_PLAINTEXT',
            'sasl.mechanisms': req['mechanism'], 'sasl.username': req['username'], 'sasl.password': req['password']}
    if req.get('cafile'):  # SASL_SSL: TLS trusting the test CA
        sasl.update({'security.protocol': 'SASL_SSL', 'ssl.ca.location': req['cafile']})
    errors = []
    p = Producer({**sasl, 'acks': 'all', 'linger.ms': 10, 'message.timeout.ms': 15000,
                  'error_cb': lambda err: errors.append(err.str())})
    offsets = []
    reports = []

    def on_delivery(err, msg):
        reports.append(err.str() if err else None)
        if err is None:
            offsets.append(msg.offset())

    for r in req['records']:
        p.produce(req['topic'], key=enc(r['key']), value=enc(r['value']), partition=0, on_delivery=on_delivery)
    deadline = time.time() + 15
    while len(reports) < len(req['records']) and time.time() < deadline:
        p.poll(0.1)
        if any('Authentication' in e or 'SASL' in e for e in errors):
            return {'error': '; '.join(errors)}
    if len(offsets) < len(req['records']):
        return {'error': '; '.join(errors + [r for r in reports if r])}
    c = Consumer({**sasl, 'group.id': 'interop-sasl', 'enable.auto.commit': False, 'fetch.wait.max.ms': 100})
    try:
        c.assign([TopicPartition(req['topic'], 0, OFFSET_BEGINNING)])
        consumed = []
        deadline = time.time() + 15
        while len(consumed) < len(req['records']) and time.time() < deadline:
            m = c.poll(0.5)
            if m is None or m.error():
                continue
            consumed.append({'offset': m.offset(), 'key': dec(m.key()), 'value': dec(m.value())})
    except KafkaException as e:
        return {'error': str(e)}
    finally:
        c.close()
    return {'offsets': offsets, 'consumed': consumed}


if __name__ == '__main__':
    request = json.load(sys.stdin)
    print(json.dumps({'kafka-python': kafka_python, 'confluent': confluent}[request['client']](request)))
