"""A wire-level consumer that costs little per byte, for bench/run.ts's zero-copy group.

--consumers processes (forked), each with its own connection, read partition --partition of --topic
from offset 0 to its high watermark with Fetch v4 requests (no sessions; --partition-max-bytes per
request, isolation read_committed as librdkafka's default) and drop the records: each response is
received into one reused buffer and only the batch headers are read (for the next offset and the
record count). No decompression, no CRC checks, no per-record work: next to kcat, which parses
every record, the broker's share of the CPU grows, so broker-side differences show in throughput.
Prints one JSON line: {"records": [per consumer], "bytes": [...], "seconds", "consumerCpuSeconds"}.
Python standard library only.
"""
import argparse, json, os, resource, socket, struct, sys, time

ap = argparse.ArgumentParser()
ap.add_argument('--bootstrap', default='127.0.0.1:9092')
ap.add_argument('--topic', required=True)
ap.add_argument('--partition', type=int, default=0)
ap.add_argument('--consumers', type=int, default=1)
ap.add_argument('--partition-max-bytes', type=int, default=16 << 20)
ap.add_argument('--max-wait-ms', type=int, default=100)
a = ap.parse_args()

host, port = a.bootstrap.split(':')
topic = a.topic.encode()


def fetch_request(correlation_id, offset):
    client = b'tributary-bench-fetch'
    body = struct.pack('>hhih', 1, 4, correlation_id, len(client)) + client
    body += struct.pack('>iiiib', -1, a.max_wait_ms, 1, a.partition_max_bytes, 1)
    body += struct.pack('>ih', 1, len(topic)) + topic
    body += struct.pack('>iiqi', 1, a.partition, offset, a.partition_max_bytes)
    return struct.pack('>i', len(body)) + body


def recv_exactly(sock, view, n):
    got = 0
    while got < n:
        k = sock.recv_into(view[got:n], n - got)
        if k == 0:
            raise EOFError('connection closed')
        got += k


def consume(out_fd):
    sock = socket.create_connection((host, int(port)))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = bytearray(a.partition_max_bytes + (1 << 20))
    view = memoryview(buf)
    size_buf = bytearray(4)
    offset = 0
    records = 0
    total = 0
    correlation = 0
    while True:
        correlation += 1
        sock.sendall(fetch_request(correlation, offset))
        recv_exactly(sock, memoryview(size_buf), 4)
        size = struct.unpack('>i', size_buf)[0]
        if size > len(buf):
            buf = bytearray(size)
            view = memoryview(buf)
        recv_exactly(sock, view, size)
        total += size
        # correlation id, throttle, 1 topic (name), 1 partition
        pos = 4 + 4
        (ntopics,) = struct.unpack_from('>i', buf, pos)
        pos += 4
        (tlen,) = struct.unpack_from('>h', buf, pos)
        pos += 2 + tlen
        pos += 4  # partitions count (1)
        _, error, hw, _lso, naborted = struct.unpack_from('>ihqqi', buf, pos)
        pos += 4 + 2 + 8 + 8 + 4
        if error != 0:
            raise RuntimeError(f'Fetch error {error} at offset {offset}')
        if naborted > 0:
            pos += 16 * naborted
        (rlen,) = struct.unpack_from('>i', buf, pos)
        pos += 4
        end = pos + max(rlen, 0)
        while pos + 61 <= end:
            base, blen = struct.unpack_from('>qi', buf, pos)
            if pos + 12 + blen > end:
                break
            (last_delta,) = struct.unpack_from('>i', buf, pos + 23)
            (count,) = struct.unpack_from('>i', buf, pos + 57)
            if base + last_delta >= offset:
                records += count
                offset = base + last_delta + 1
            pos += 12 + blen
        if offset >= hw:
            break
    sock.close()
    os.write(out_fd, json.dumps({'records': records, 'bytes': total}).encode() + b'\n')


t0 = time.time()
children = []
for _ in range(a.consumers):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            consume(w)
            os._exit(0)
        except Exception as e:  # noqa: BLE001
            os.write(w, json.dumps({'error': str(e)}).encode() + b'\n')
            os._exit(1)
    os.close(w)
    children.append((pid, r))
results = []
failed = None
for pid, r in children:
    data = b''
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        data += chunk
    os.close(r)
    _, status = os.waitpid(pid, 0)
    res = json.loads(data or b'{"error": "no output"}')
    if 'error' in res:
        failed = res['error']
    results.append(res)
seconds = time.time() - t0
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
if failed:
    print(json.dumps({'error': failed}))
    sys.exit(1)
print(json.dumps({
    'records': [x['records'] for x in results],
    'bytes': [x['bytes'] for x in results],
    'seconds': seconds,
    'consumerCpuSeconds': usage.ru_utime + usage.ru_stime,
}))
