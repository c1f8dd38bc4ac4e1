"""Produce load generator on confluent-kafka (librdkafka), for bench/run.ts.

Produces --count records (values cycled from the lines of --file) to --topic, either through the
default partitioner or round-robin over --partitions explicit partitions, waits for every delivery
report, and prints one JSON line: {"delivered", "errors", "seconds", "firstError"}. Stops early after
--max-seconds (then "delivered" tells how many made it). --mock uses librdkafka's in-process mock
broker (to measure the load generator alone).
"""
import argparse, json, sys, time
import confluent_kafka as ck

ap = argparse.ArgumentParser()
ap.add_argument('--bootstrap', default='127.0.0.1:9092')
ap.add_argument('--topic', required=True)
ap.add_argument('--file', required=True)
ap.add_argument('--count', type=int, required=True)
ap.add_argument('--partitions', type=int, default=0, help='>0: assign partition i %% N explicitly')
ap.add_argument('--acks', default='1')
ap.add_argument('--compression', default='none')
ap.add_argument('--linger-ms', default='5')
ap.add_argument('--max-seconds', type=float, default=120)
ap.add_argument('--mock', action='store_true')
ap.add_argument('-X', action='append', default=[], help='extra librdkafka property k=v')
a = ap.parse_args()

values = []
with open(a.file, 'rb') as f:
    for line in f:
        values.append(line.rstrip(b'\n'))
        if len(values) >= 4096:
            break

conf = {
    'bootstrap.servers': a.bootstrap, 'acks': a.acks, 'compression.type': a.compression,
    'linger.ms': a.linger_ms, 'queue.buffering.max.messages': 1000000,
    'queue.buffering.max.kbytes': 1048576, 'batch.num.messages': 10000, 'batch.size': 1000000,
}
if a.mock:
    conf['test.mock.num.brokers'] = 1
for kv in a.X:
    k, v = kv.split('=', 1)
    conf[k] = v

state = {'delivered': 0, 'errors': 0, 'firstError': None}
def on_delivery(err, msg):
    if err is None:
        state['delivered'] += 1
    else:
        state['errors'] += 1
        if state['firstError'] is None:
            state['firstError'] = str(err)

p = ck.Producer(conf)
topic, nvals, parts = a.topic, len(values), a.partitions
produce, poll = p.produce, p.poll
t0 = time.perf_counter()
deadline = t0 + a.max_seconds
for i in range(a.count):
    v = values[i % nvals]
    while True:
        try:
            if parts > 0:
                produce(topic, v, partition=i % parts, on_delivery=on_delivery)
            else:
                produce(topic, v, on_delivery=on_delivery)
            break
        except BufferError:
            poll(0.005)
    if (i & 0x3fff) == 0:
        poll(0)
        if time.perf_counter() > deadline:
            break
remaining = p.flush(max(1.0, deadline - time.perf_counter() + 10))
seconds = time.perf_counter() - t0
print(json.dumps({'delivered': state['delivered'], 'errors': state['errors'], 'undelivered': remaining,
                  'seconds': seconds, 'firstError': state['firstError']}))
