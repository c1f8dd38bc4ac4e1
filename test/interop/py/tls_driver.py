"""TLS driver for the interop tests: kafka-python or confluent-kafka over an SSL listener.

Reads one JSON request on stdin: {"client": "kafka-python" | "confluent-kafka", "bootstrap",
"topic", "records": [{"key", "value"}], "ssl": {"ca", "cert", "key", "password"}} (cert, key and
password only for mutual TLS). Produces the records to partition 0 (acks=all), then reads
partition 0 from the beginning until as many records came back, and prints one JSON line:
{"offsets": [...], "consumed": [{"key", "value", "offset"}]}. Every wait is bounded.
"""
import json
import sys
import time


def kafka_python(req):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    ssl = req['ssl']
    common = dict(bootstrap_servers=req['bootstrap'], security_protocol='SSL', ssl_cafile=ssl['ca'],
                  ssl_check_hostname=True, request_timeout_ms=10000)
    if ssl.get('cert'):
        common.update(ssl_certfile=ssl['cert'], ssl_keyfile=ssl['key'], ssl_password=ssl.get('password'))
    producer = KafkaProducer(acks='all', **common)
    futures = [producer.send(req['topic'], key=r['key'].encode(), value=r['value'].encode(), partition=0)
               for r in req['records']]
    producer.flush(10)
    offsets = [f.get(timeout=10).offset for f in futures]
    producer.close()
    consumer = KafkaConsumer(enable_auto_commit=False, consumer_timeout_ms=10000, **common)
    tp = TopicPartition(req['topic'], 0)
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    consumed = []
    deadline = time.time() + 15
    while len(consumed) < len(req['records']) and time.time() < deadline:
        for msgs in consumer.poll(timeout_ms=500).values():
            consumed += [{'key': m.key.decode(), 'value': m.value.decode(), 'offset': m.offset} for m in msgs]
    consumer.close()
    return {'offsets': offsets, 'consumed': consumed}


def confluent(req):
    from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
    ssl = req['ssl']
    common = {'bootstrap.servers': req['bootstrap'], 'security.protocol': 'SSL', 'ssl.ca.location': ssl['ca']}
    if ssl.get('cert'):
        common.update({'ssl.certificate.location': ssl['cert'], 'ssl.key.location': ssl['key']})
        if ssl.get('password'):
            common['ssl.key.password'] = ssl['password']
    producer = Producer({**common, 'acks': 'all'})
    offsets = []

    def delivered(err, msg):
        if err is not None:
            raise RuntimeError(str(err))
        offsets.append(msg.offset())
    for r in req['records']:
        producer.produce(req['topic'], key=r['key'], value=r['value'], partition=0, on_delivery=delivered)
    if producer.flush(15) != 0:
        raise RuntimeError('records not delivered')
    consumer = Consumer({**common, 'group.id': 'interop-tls', 'enable.auto.commit': False})
    consumer.assign([TopicPartition(req['topic'], 0, OFFSET_BEGINNING)])
    consumed = []
    deadline = time.time() + 15
    while len(consumed) < len(req['records']) and time.time() < deadline:
        m = consumer.poll(0.5)
        if m is None:
            continue
        if m.error():
            raise RuntimeError(str(m.error()))
        consumed.append({'key': m.key().decode(), 'value': m.value().decode(), 'offset': m.offset()})
    consumer.close()
    return {'offsets': offsets, 'consumed': consumed}


def main():
    req = json.loads(sys.stdin.read())
    out = kafka_python(req) if req['client'] == 'kafka-python' else confluent(req)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
