"""confluent-kafka (librdkafka 2.0.2) transactions driver for the interop tests.

Reads one JSON request on stdin ({"op": ..., "bootstrap": ..., ...}) and prints one JSON answer on
the last stdout line. Ops:

- "transactions": one transactional producer runs req["transactions"] in order, each
  {"records": [{"partition", "value"}], "end": "commit" | "abort"}; answers what each end did.
- "plain": a non-transactional producer writes req["records"] ([{"partition", "value"}]).
- "consume": one consumer (isolation.level req["isolation"]) assigned to req["partitions"] from the
  beginning, until each reached its end; answers [{partition, records: [{offset, value}]}].
- "zombie": two producers with one transactional.id: the first begins a transaction and writes,
  the second initialises (fencing the first), then the first tries to write and commit.
- "abandon": begins a transaction, writes, flushes and exits without ending it (os._exit), so the
  coordinator must abort it once transaction.timeout.ms has passed.
- "transform": a consume-transform-produce loop: a group consumer reads req["input"] from the
  committed offsets, writes each value upper-cased to req["output"] in transactions of
  req["per_txn"] records with the consumed offsets (send_offsets_to_transaction), and commits, or
  aborts the transactions whose index is in req["abort"] (then rewinds to the committed offsets).
- "loop": commits transactions of req["per_txn"] records over two partitions until req["count"]
  were attempted or the time is up, tolerating a broker that dies and comes back; answers which
  transactions were acknowledged committed.
Every wait is bounded by "timeout_ms".
"""
import json
import os
import sys
import time

from confluent_kafka import (OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer,
                             TopicPartition)


def txn_producer(req, txn_id=None, extra=None):
    conf = {'bootstrap.servers': req['bootstrap'], 'client.id': 'interop-txn',
            'transactional.id': txn_id or req['transactional_id'], 'linger.ms': 5,
            'transaction.timeout.ms': req.get('transaction_timeout_ms', 60000)}
    conf.update(req.get('config', {}))
    conf.update(extra or {})
    return Producer(conf)


def err_name(e):
    err = e.args[0] if e.args else None
    if isinstance(err, KafkaError):
        return {'name': err.name(), 'fatal': err.fatal(), 'retriable': err.retriable(),
                'abortable': err.txn_requires_abort()}
    return {'name': str(e), 'fatal': None, 'retriable': None, 'abortable': None}


def transactions(req):
    p = txn_producer(req)
    p.init_transactions(req.get('timeout_ms', 20000) / 1000)
    out = []
    for t in req['transactions']:
        p.begin_transaction()
        for r in t['records']:
            p.produce(req['topic'], value=r['value'].encode(), partition=r['partition'])
        p.flush()
        if t['end'] == 'commit':
            p.commit_transaction()
        else:
            p.abort_transaction()
        out.append(t['end'])
    return {'ended': out}


def plain(req):
    p = Producer({'bootstrap.servers': req['bootstrap'], 'enable.idempotence': req.get('idempotent', False),
                  'linger.ms': 5})
    for r in req['records']:
        p.produce(req['topic'], value=r['value'].encode(), partition=r['partition'])
    return {'unflushed': p.flush(req.get('timeout_ms', 20000) / 1000)}


def consume(req):
    c = Consumer({'bootstrap.servers': req['bootstrap'], 'group.id': 'interop-txn-assign',
                  'enable.auto.commit': False, 'enable.partition.eof': True,
                  'isolation.level': req.get('isolation', 'read_committed'), 'fetch.wait.max.ms': 100})
    try:
        parts = req['partitions']
        got = {p: [] for p in parts}
        eof = {p: False for p in parts}
        c.assign([TopicPartition(req['topic'], p, OFFSET_BEGINNING) for p in parts])
        deadline = time.time() + req.get('timeout_ms', 20000) / 1000
        while time.time() < deadline and not all(eof.values()):
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    eof[m.partition()] = True
                continue
            eof[m.partition()] = False
            got[m.partition()].append({'offset': m.offset(), 'value': m.value().decode()})
        return {'partitions': [{'partition': p, 'records': got[p], 'eof': eof[p]} for p in parts]}
    finally:
        c.close()


def zombie(req):
    first = txn_producer(req)
    first.init_transactions(10)
    first.begin_transaction()
    first.produce(req['topic'], value=b'zombie-0', partition=0)
    first.flush()
    second = txn_producer(req)
    second.init_transactions(20)
    result = {'second_initialised': True}
    try:
        first.produce(req['topic'], value=b'zombie-1', partition=0)
        first.flush(10)
        first.commit_transaction(10)
        result['first_committed'] = True
    except KafkaException as e:
        result['first_committed'] = False
        result['first_error'] = err_name(e)
    second.begin_transaction()
    second.produce(req['topic'], value=b'second-0', partition=0)
    second.commit_transaction(20)
    result['second_committed'] = True
    return result


def abandon(req):
    p = txn_producer(req)
    p.init_transactions(10)
    p.begin_transaction()
    errors = []

    def on_delivery(err, _msg):
        if err is not None:
            errors.append(err.str())

    for r in req['records']:
        p.produce(req['topic'], value=r['value'].encode(), partition=r['partition'], on_delivery=on_delivery)
    p.flush()
    print(json.dumps({'abandoned': len(req['records']), 'errors': errors}))
    sys.stdout.flush()
    os._exit(0)


def transform(req):
    group = req['group']
    c = Consumer({'bootstrap.servers': req['bootstrap'], 'group.id': group, 'enable.auto.commit': False,
                  'auto.offset.reset': 'earliest', 'isolation.level': 'read_committed'})
    p = txn_producer(req)
    p.init_transactions(20)
    c.subscribe([req['input']])
    done = 0
    index = 0
    aborted = []
    deadline = time.time() + req.get('timeout_ms', 30000) / 1000
    try:
        while done < req['count'] and time.time() < deadline:
            msgs = c.consume(req['per_txn'], 1.0)
            msgs = [m for m in msgs if not m.error()]
            if not msgs:
                continue
            p.begin_transaction()
            for m in msgs:
                p.produce(req['output'], key=m.key(), value=m.value().decode().upper().encode(), partition=m.partition())
            offsets = {}
            for m in msgs:
                offsets[(m.topic(), m.partition())] = m.offset() + 1
            p.send_offsets_to_transaction([TopicPartition(t, pa, o) for (t, pa), o in offsets.items()],
                                          c.consumer_group_metadata())
            if index in req.get('abort', []):
                p.abort_transaction()
                aborted.append(index)
                # rewind to the committed offsets, as a Kafka Streams task does after an abort
                committed = c.committed([TopicPartition(t, pa) for (t, pa) in offsets], 10)
                for tp in committed:
                    c.seek(TopicPartition(tp.topic, tp.partition, tp.offset if tp.offset >= 0 else OFFSET_BEGINNING))
            else:
                p.commit_transaction()
                done += len(msgs)
            index += 1
        return {'done': done, 'transactions': index, 'aborted': aborted}
    finally:
        c.close()


def loop(req):
    """Transactions of per_txn records split over partitions 0 and 1, values "t<i>-<j>"."""
    # reconnect.backoff.max.ms: librdkafka's reconnect backoff grows to 10 s by default, so a client
    # could stay away from the restarted broker longer than message.timeout.ms. If an
    # AddPartitionsToTxn was lost in the crash, the records then time out and librdkafka's abort
    # sends EndTxn(abort) for a transaction the coordinator never saw: Kafka (and Tributary) answer
    # INVALID_TXN_STATE, fatal for the producer (librdkafka issue 4849). Reconnecting within 0.5 s
    # retries the AddPartitionsToTxn instead, as a client on a real network would soon after.
    p = txn_producer(req, extra={'transaction.timeout.ms': req.get('transaction_timeout_ms', 10000),
                                 'message.timeout.ms': 10000, 'socket.timeout.ms': 3000,
                                 'reconnect.backoff.max.ms': 500})
    p.init_transactions(30)
    committed = []
    failed = []
    deadline = time.time() + req.get('timeout_ms', 60000) / 1000
    i = 0
    while i < req['count'] and time.time() < deadline:
        try:
            p.begin_transaction()
            for j in range(req['per_txn']):
                p.produce(req['topic'], value=('t%d-%d' % (i, j)).encode(), partition=j % 2)
            p.commit_transaction(15)
            committed.append(i)
        except KafkaException as e:
            info = err_name(e)
            failed.append({'txn': i, 'error': info})
            if info['fatal']:
                break
            try:
                p.abort_transaction(15)
            except KafkaException:
                pass
        i += 1
        if req.get('pause_ms'):
            time.sleep(req['pause_ms'] / 1000)
    return {'committed': committed, 'failed': failed, 'attempted': i}


OPS = {'transactions': transactions, 'plain': plain, 'consume': consume, 'zombie': zombie, 'abandon': abandon,
       'transform': transform, 'loop': loop}

if __name__ == '__main__':
    request = json.load(sys.stdin)
    print(json.dumps(OPS[request['op']](request)))
