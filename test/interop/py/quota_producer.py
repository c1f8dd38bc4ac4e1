"""confluent-kafka (librdkafka) producer for the quota interop test.

Reads one JSON request on stdin: {"bootstrap", "topic", "client_id", "bytes", "value_size",
"timeout_ms"}; produces `bytes` of values (acks=1, no compression) to partition 0 as fast as the
client goes, and prints one JSON line: the bytes delivered, the seconds from the first produce()
to the last delivery report, the throttle events librdkafka reported (throttle_cb, in ms), and
delivery errors.
"""
import json
import sys
import time

from confluent_kafka import Producer

req = json.loads(sys.stdin.read())
throttles = []
delivered = {'bytes': 0, 'last': None, 'errors': 0}


def on_throttle(event):
    throttles.append(int(event.throttle_time * 1000))


def on_delivery(err, msg):
    if err is not None:
        delivered['errors'] += 1
        return
    delivered['bytes'] += len(msg.value())
    delivered['last'] = time.monotonic()


p = Producer({
    'bootstrap.servers': req['bootstrap'],
    'client.id': req['client_id'],
    'acks': '1',
    'linger.ms': 5,
    'batch.size': req.get('batch_size', 100000),
    'compression.type': 'none',
    'enable.idempotence': False,
    'throttle_cb': on_throttle,
})
value = b'q' * req['value_size']
count = req['bytes'] // req['value_size']
deadline = time.monotonic() + req['timeout_ms'] / 1000
start = time.monotonic()
for _ in range(count):
    while True:
        try:
            p.produce(req['topic'], value, partition=0, on_delivery=on_delivery)
            break
        except BufferError:
            p.poll(0.05)
    p.poll(0)
while len(p) > 0 and time.monotonic() < deadline:
    p.poll(0.1)
p.poll(0)
print(json.dumps({
    'bytes': delivered['bytes'],
    'seconds': (delivered['last'] or start) - start,
    'throttles': throttles,
    'errors': delivered['errors'],
    'undelivered': len(p),
}))
