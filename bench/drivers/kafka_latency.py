"""End-to-end latency at a fixed rate, producer to consumer, on confluent-kafka (librdkafka).

A consumer process is assigned partition 0 of --topic at its current end offset (long-polling:
fetch.wait.max.ms=100, fetch.min.bytes=1); then a producer process sends --rate records/s for
--seconds, each value = 8-byte sequence + 8-byte CLOCK_MONOTONIC send time (ns) + padding to --size.
The consumer records receive time - send time (same host clock). Records sent during the first
--warmup seconds are not counted. Prints one JSON line: {"sent", "received", "counted",
"achievedRate", "p50Ms", "p99Ms", "p999Ms", "maxMs"}.
"""
import argparse, json, math, multiprocessing as mp, struct, sys, time
import confluent_kafka as ck

ap = argparse.ArgumentParser()
ap.add_argument('--bootstrap', required=True)
ap.add_argument('--topic', required=True)
ap.add_argument('--size', type=int, default=100)
ap.add_argument('--rate', type=float, required=True)
ap.add_argument('--seconds', type=float, default=10)
ap.add_argument('--warmup', type=float, default=1)
ap.add_argument('--acks', default='1')
ap.add_argument('--linger-ms', default='0')
a = ap.parse_args()
HDR = struct.Struct('>QQ')
PAD = b'x' * max(0, a.size - HDR.size)


def producer(start_evt, result_q):
    p = ck.Producer({'bootstrap.servers': a.bootstrap, 'acks': a.acks, 'linger.ms': a.linger_ms,
                     'queue.buffering.max.messages': 2000000, 'log_level': 3})
    p.list_topics(a.topic, timeout=30)  # connect and learn the leader before the clock starts
    start_evt.wait()
    total = int(a.rate * a.seconds)
    ns_per = 1e9 / a.rate
    produce, poll, mono = p.produce, p.poll, time.monotonic_ns
    t0 = mono()
    sent = 0
    while sent < total:
        now = mono()
        due = min(total, int((now - t0) / ns_per) + 1)
        while sent < due:
            try:
                produce(a.topic, HDR.pack(sent, mono()) + PAD, partition=0)
                sent += 1
            except BufferError:
                poll(0.001)
        poll(0)
        wait = (t0 + sent * ns_per - mono()) / 1e9
        if wait > 0.0002:
            time.sleep(wait)
    elapsed = (mono() - t0) / 1e9
    p.flush(30)
    result_q.put({'sent': sent, 'achievedRate': sent / elapsed})


def main():
    c = ck.Consumer({'bootstrap.servers': a.bootstrap, 'group.id': 'bench-latency', 'enable.auto.commit': False,
                     'fetch.wait.max.ms': 100, 'fetch.min.bytes': 1, 'log_level': 3, 'enable.partition.eof': False})
    tp = ck.TopicPartition(a.topic, 0)
    low, high = c.get_watermark_offsets(tp, timeout=30)
    tp.offset = high
    c.assign([tp])
    c.consume(num_messages=1, timeout=0.5)  # first fetch in flight
    start_evt, result_q = mp.Event(), mp.Queue()
    proc = mp.Process(target=producer, args=(start_evt, result_q))
    proc.start()
    time.sleep(0.2)
    start_evt.set()
    warm_seq = int(a.rate * a.warmup)
    total = int(a.rate * a.seconds)
    lat = []
    received = 0
    mono = time.monotonic_ns
    deadline = time.time() + a.seconds + 60
    while received < total and time.time() < deadline:
        first = c.poll(0.2)  # returns as soon as one record is there
        if first is None:
            continue
        batch = [first] + c.consume(num_messages=10000, timeout=0)  # plus whatever is already queued
        for m in batch:
            if m.error():
                continue
            now = mono()
            seq, ts = HDR.unpack_from(m.value())
            received += 1
            if seq >= warm_seq:
                lat.append((now - ts) / 1e6)
    proc.join(60)
    res = result_q.get(timeout=10) if not result_q.empty() else {'sent': None, 'achievedRate': None}
    c.close()
    lat.sort()
    pct = lambda q: lat[min(len(lat) - 1, max(0, math.ceil(q * len(lat)) - 1))] if lat else None
    print(json.dumps({**res, 'received': received, 'counted': len(lat), 'p50Ms': pct(0.50), 'p99Ms': pct(0.99),
                      'p999Ms': pct(0.999), 'maxMs': lat[-1] if lat else None}))


if __name__ == '__main__':
    main()
