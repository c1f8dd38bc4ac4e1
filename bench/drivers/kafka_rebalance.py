"""Consumer group rebalance latency, on confluent-kafka (librdkafka), for bench/run.ts.

The orchestrator (this script without --member) produces a steady load to --topic (one record to
every partition each --interval-ms; the value is the produce time, time.monotonic_ns(), which is
one clock for every process on the machine), starts --members consumer processes (this script
with --member) in group --group with --assignor, waits until every partition delivers, then runs:

  join   a pre-started consumer process subscribes (T = just before its subscribe())
  close  that member calls close() (T = just before close())            [--joins of each, paired;
         --no-close: joins only, the joined member is killed afterwards]
  kill   a member is SIGKILLed (T = just before the kill)               [--kills times]; between
         kills a replacement member joins (not measured) so the group is back to --members

and for each event measures the time from T until the group consumes again: the live members'
assignment is complete and balanced, and every partition has delivered to its owner, after the
callback that assigned it there, a record produced after T (see consuming_again_after). For kills it also polls DescribeGroups (AdminClient.list_groups) every 25 ms
to see when the coordinator evicted the member (its member count drops): kill -> eviction and
eviction -> consuming again. Prints one JSON line:
{"join": [ms...], "close": [ms...], "kill": [ms...], "killToEviction": [ms...], "evictionToConsuming": [ms...], "error"?}

Members print to stdout: "ready", "sub <t>", "a <t> p,p", "r <t> p,p", "d <t> p:ts,p:ts" (per
consume batch: each partition's newest produce time in the batch), "close <t>"; they read
"go" (subscribe) and "close" from stdin. Times are monotonic ns.
"""
import argparse, json, os, signal, subprocess, sys, threading, time

ap = argparse.ArgumentParser()
ap.add_argument('--bootstrap', required=True)
ap.add_argument('--topic', required=True)
ap.add_argument('--group', default='bench-rebalance')
ap.add_argument('--assignor', default='cooperative-sticky')
ap.add_argument('--partitions', type=int, default=12)
ap.add_argument('--members', type=int, default=4)
ap.add_argument('--joins', type=int, default=2)
ap.add_argument('--kills', type=int, default=1)
ap.add_argument('--no-close', action='store_true', help='joins only: the joined member is killed, not measured')
ap.add_argument('--interval-ms', type=float, default=10)
ap.add_argument('--session-timeout-ms', type=int, default=6000)
ap.add_argument('--heartbeat-interval-ms', type=int, default=1000)
ap.add_argument('--settle', type=float, default=0.5)
ap.add_argument('--timeout', type=float, default=30)
ap.add_argument('--member', action='store_true')
a = ap.parse_args()

import confluent_kafka as ck
from confluent_kafka.admin import AdminClient

now = time.monotonic_ns


def consumer_conf():
    return {'bootstrap.servers': a.bootstrap, 'group.id': a.group, 'log_level': 3,
            'partition.assignment.strategy': a.assignor, 'session.timeout.ms': a.session_timeout_ms,
            'heartbeat.interval.ms': a.heartbeat_interval_ms, 'auto.offset.reset': 'earliest',
            'enable.auto.commit': True}


def member():
    out_lock = threading.Lock()

    def out(line):
        with out_lock:
            sys.stdout.write(line + '\n')
            sys.stdout.flush()

    c = ck.Consumer(consumer_conf())
    cmds = []
    threading.Thread(target=lambda: [cmds.append(l.strip()) for l in sys.stdin], daemon=True).start()
    out('ready')
    while not cmds:
        time.sleep(0.002)
    cmds.pop(0)  # "go"
    plist = lambda parts: ','.join(str(p.partition) for p in parts)
    out(f'sub {now()}')
    c.subscribe([a.topic], on_assign=lambda _c, ps: out(f'a {now()} {plist(ps)}'),
                on_revoke=lambda _c, ps: out(f'r {now()} {plist(ps)}'),
                on_lost=lambda _c, ps: out(f'r {now()} {plist(ps)}'))
    while True:
        if cmds and cmds[0] == 'close':
            out(f'close {now()}')
            c.close()
            return
        msgs = c.consume(1000, 0.05)
        if not msgs:
            continue
        t = now()
        newest = {}
        for m in msgs:
            if m.error() is None:
                newest[m.partition()] = int(m.value())
        if newest:
            out(f'd {t} ' + ','.join(f'{p}:{ts}' for p, ts in newest.items()))


if a.member:
    member()
    sys.exit(0)

# ------------------------------------------------------------------ orchestrator
lock = threading.Lock()
# partition -> list of (deliveredAt, newestProduceTs, memberId) in arrival order
deliveries = {p: [] for p in range(a.partitions)}
owned = {}  # memberId -> {partition: time of the assign callback that gave it}
members = {}  # id -> {'proc', 'ready', 'sub', 'close'}
next_id = [0]


def reader(mid, proc):
    m = members[mid]
    for line in proc.stdout:
        parts = line.split()
        if not parts:
            continue
        kind = parts[0]
        if kind == 'd':
            t = int(parts[1])
            with lock:
                for pair in parts[2].split(','):
                    p, ts = pair.split(':')
                    deliveries[int(p)].append((t, int(ts), mid))
        elif kind in ('a', 'r'):
            t = int(parts[1])
            ps = [int(x) for x in parts[2].split(',')] if len(parts) > 2 else []
            with lock:
                mine = owned.setdefault(mid, {})
                for p in ps:
                    if kind == 'a':
                        mine[p] = t
                    else:
                        mine.pop(p, None)
        elif kind == 'ready':
            m['ready'] = True
        elif kind in ('sub', 'close'):
            m[kind] = int(parts[1])


def spawn():
    mid = next_id[0]
    next_id[0] += 1
    proc = subprocess.Popen([sys.executable, __file__, '--member'] + [x for x in sys.argv[1:] if x != '--member'],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    members[mid] = {'proc': proc, 'ready': False, 'sub': None, 'close': None}
    threading.Thread(target=reader, args=(mid, proc), daemon=True).start()
    return mid


def send(mid, cmd):
    members[mid]['proc'].stdin.write(cmd + '\n')
    members[mid]['proc'].stdin.flush()


producer = ck.Producer({'bootstrap.servers': a.bootstrap, 'linger.ms': 5, 'acks': 1, 'log_level': 3})
stop = threading.Event()


def produce_loop():
    step = a.interval_ms / 1000
    nxt = time.monotonic()
    while not stop.is_set():
        v = str(now()).encode()
        for p in range(a.partitions):
            producer.produce(a.topic, v, partition=p)
        producer.poll(0)
        nxt += step
        d = nxt - time.monotonic()
        if d > 0:
            time.sleep(d)
        else:
            nxt = time.monotonic()
    producer.flush(5)


def wait_for(cond, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.005)
    return False


def consuming_again_after(t0, live):
    """Time (ns) at which the group consumed again after t0, or None while it has not: the live
    members' assignment is complete and balanced (each partition owned once, floor/ceil of
    partitions/members each) and every partition has delivered, to its owner, after the callback
    that assigned it there, a record produced after t0."""
    n = len(live)
    lo, hi = a.partitions // n, -(-a.partitions // n)
    latest = 0
    with lock:
        owner = {}
        for mid in live:
            mine = owned.get(mid, {})
            if not lo <= len(mine) <= hi:
                return None
            for p, at in mine.items():
                if p in owner:
                    return None
                owner[p] = (mid, at)
        if len(owner) != a.partitions:
            return None
        for p, (mid, at) in owner.items():
            hit = next((t for t, ts, by in deliveries[p] if by == mid and ts > t0 and t >= at), None)
            if hit is None:
                return None
            latest = max(latest, hit)
    return latest


def measure(t0, live):
    got = [None]
    ok = wait_for(lambda: (got.__setitem__(0, consuming_again_after(t0, live)) or got[0] is not None), a.timeout)
    if not ok:
        with lock:
            state = {m: sorted(owned.get(m, {})) for m in live}
        raise RuntimeError(f'the group did not consume every partition again within {a.timeout} s (assignment {state})')
    time.sleep(a.settle)
    with lock:  # drop history before the group settled (keeps the scans short)
        for p in range(a.partitions):
            deliveries[p] = [d for d in deliveries[p] if d[0] >= got[0]]
    return (got[0] - t0) / 1e6


def group_size(admin):
    try:
        gs = admin.list_groups(a.group, timeout=2)
        return len(gs[0].members) if gs else None
    except Exception:
        return None


result = {'join': [], 'close': [], 'kill': [], 'killToEviction': [], 'evictionToConsuming': []}
threading.Thread(target=produce_loop, daemon=True).start()
try:
    ids = [spawn() for _ in range(a.members)]
    if not wait_for(lambda: all(members[i]['ready'] for i in ids), a.timeout):
        raise RuntimeError('member processes did not start')
    for i in ids:
        send(i, 'go')
    live = list(ids)
    measure(now(), live)
    pending = spawn()  # pre-started so process start-up is not in the figure

    def join_pending():
        j = pending
        wait_for(lambda: members[j]['ready'], a.timeout)
        send(j, 'go')
        wait_for(lambda: members[j]['sub'] is not None, 5)
        live.append(j)
        return j, measure(members[j]['sub'], live)

    for _ in range(a.joins):
        j, ms = join_pending()
        pending = spawn()
        result['join'].append(ms)
        live.remove(j)
        if a.no_close:
            members[j]['proc'].kill()
            members[j]['proc'].wait(10)
            continue
        send(j, 'close')
        wait_for(lambda: members[j]['close'] is not None, 5)
        result['close'].append(measure(members[j]['close'], live))
        members[j]['proc'].wait(10)
    admin = AdminClient({'bootstrap.servers': a.bootstrap, 'log_level': 3}) if a.kills else None
    for k in range(a.kills):
        before = group_size(admin)
        victim = live.pop(0)
        t0 = now()
        os.kill(members[victim]['proc'].pid, signal.SIGKILL)
        evicted = [None]

        def watch():
            while evicted[0] is None and not stop.is_set():
                n = group_size(admin)
                if n is not None and before is not None and n < before:
                    evicted[0] = now()
                    return
                time.sleep(0.025)
        w = threading.Thread(target=watch, daemon=True)
        w.start()
        total = measure(t0, live)
        w.join(5)
        result['kill'].append(total)
        if evicted[0] is not None:
            result['killToEviction'].append((evicted[0] - t0) / 1e6)
            result['evictionToConsuming'].append(total - (evicted[0] - t0) / 1e6)
        if k + 1 < a.kills:  # a replacement joins (not measured) so the next kill starts from the same group size
            join_pending()
            pending = spawn()
except Exception as e:  # report what was measured so far
    result['error'] = str(e)
finally:
    stop.set()
    for m in members.values():
        if m['proc'].poll() is None:
            m['proc'].kill()
    for m in members.values():
        m['proc'].wait(5)
print(json.dumps(result))
