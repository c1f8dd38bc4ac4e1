"""confluent-kafka (librdkafka) producer for the cluster fault tests: an idempotent acks=all
producer that sends values "v0".."v{count-1}" to one partition at about `rate` per second and prints
one line per delivery report, as it happens:

    ACK <i> <offset>        the broker acknowledged value i at that offset
    ERR <i> <code> <name>   delivery failed for good (after librdkafka's retries)

then "DONE <unflushed>" once flushed. Arguments: bootstrap topic count rate [message_timeout_ms].
librdkafka retries retriable errors (leader changes, NOT_ENOUGH_REPLICAS) until
message.timeout.ms; with idempotence a retry never duplicates nor reorders.
"""
import sys
import time

from confluent_kafka import Producer

bootstrap, topic, count, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
timeout_ms = int(sys.argv[5]) if len(sys.argv) > 5 else 120000

p = Producer({'bootstrap.servers': bootstrap, 'client.id': 'cluster-fault-producer', 'acks': 'all',
              'enable.idempotence': True, 'linger.ms': 5, 'message.timeout.ms': timeout_ms,
              'retry.backoff.ms': 100, 'topic.metadata.refresh.interval.ms': 1000})


def report(err, msg):
    i = int(msg.value().decode()[1:])
    if err is None:
        print(f'ACK {i} {msg.offset()}', flush=True)
    else:
        print(f'ERR {i} {err.code()} {err.name()}', flush=True)


start = time.monotonic()
for i in range(count):
    while True:
        try:
            p.produce(topic, value=f'v{i}'.encode(), partition=0, on_delivery=report)
            break
        except BufferError:
            p.poll(0.05)
    p.poll(0)
    ahead = start + (i + 1) / rate - time.monotonic()
    if ahead > 0:
        p.poll(ahead)
left = p.flush(timeout_ms / 1000 + 10)
print(f'DONE {left}', flush=True)
