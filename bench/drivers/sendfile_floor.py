"""The kernel's share of serving a fetch, without a broker, for bench/run.ts's zero-copy group.

Sends --gb GB of a cached file (--file, read whole first) over one loopback TCP connection to a
forked reader that drops the bytes, in --chunk byte pieces, either with sendfile(2) (--mode
sendfile, what zero-copy Fetch does) or pread(2) into a buffer then send(2) (--mode copy, what
the copy path does), and measures the sender's CPU seconds (user + system). The broker cannot
spend less than this per GB on either path: its own work per Fetch comes on top, so the ratio of
the two rows bounds the broker's CPU s/GB ratio on this machine. Prints one JSON line:
{"seconds", "bytes", "userSeconds", "sysSeconds"}. Python standard library only.
"""
import argparse, json, os, resource, socket, time

ap = argparse.ArgumentParser()
ap.add_argument('--mode', choices=['sendfile', 'copy'], required=True)
ap.add_argument('--file', required=True)
ap.add_argument('--chunk', type=int, default=1 << 20)
ap.add_argument('--gb', type=float, default=2)
a = ap.parse_args()

size = os.path.getsize(a.file)
fd = os.open(a.file, os.O_RDONLY)
buf = bytearray(a.chunk)
pos = 0
while pos < size:  # into the page cache
    pos += os.preadv(fd, [buf], pos) or size
listener = socket.socket()
listener.bind(('127.0.0.1', 0))
listener.listen(1)
port = listener.getsockname()[1]
pid = os.fork()
if pid == 0:
    c = socket.create_connection(('127.0.0.1', port))
    sink = memoryview(bytearray(1 << 20))
    while c.recv_into(sink):
        pass
    os._exit(0)
s, _ = listener.accept()
total = int(a.gb * 1e9)
sent = 0
pos = 0
r0 = resource.getrusage(resource.RUSAGE_SELF)
t0 = time.time()
while sent < total:
    if pos + a.chunk > size:
        pos = 0
    if a.mode == 'sendfile':
        n = 0
        while n < a.chunk:
            n += os.sendfile(s.fileno(), fd, pos + n, a.chunk - n)
    else:
        os.preadv(fd, [buf], pos)
        s.sendall(buf)
    pos += a.chunk
    sent += a.chunk
t1 = time.time()
r1 = resource.getrusage(resource.RUSAGE_SELF)
s.close()
os.waitpid(pid, 0)
print(json.dumps({'seconds': t1 - t0, 'bytes': sent, 'userSeconds': r1.ru_utime - r0.ru_utime, 'sysSeconds': r1.ru_stime - r0.ru_stime}))
