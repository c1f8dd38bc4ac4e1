"""Creates topics through the Kafka Admin API (confluent-kafka / librdkafka), for bench/run.ts.

Usage: kafka_admin.py BOOTSTRAP NAME:PARTITIONS [NAME:PARTITIONS ...]
Waits until every topic shows all its partitions in Metadata. Prints {"created": [...]} or exits 1.
"""
import json, sys, time
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, specs = sys.argv[1], sys.argv[2:]
topics = [(s.rsplit(':', 1)[0], int(s.rsplit(':', 1)[1])) for s in specs]
admin = AdminClient({'bootstrap.servers': bootstrap, 'log_level': 3, 'socket.timeout.ms': 300000})
futures = admin.create_topics([NewTopic(n, num_partitions=p, replication_factor=1) for n, p in topics],
                              operation_timeout=300, request_timeout=300)
for name, f in futures.items():
    try:
        f.result(timeout=320)
    except Exception as e:  # TOPIC_ALREADY_EXISTS is fine
        if 'already exists' not in str(e).lower() and 'TOPIC_ALREADY_EXISTS' not in str(e):
            print(json.dumps({'error': f'{name}: {e}'}))
            sys.exit(1)
deadline = time.time() + 300
want = dict(topics)
while True:
    md = admin.list_topics(timeout=30)
    ok = all(n in md.topics and md.topics[n].error is None and len(md.topics[n].partitions) == p for n, p in want.items())
    if ok:
        break
    if time.time() > deadline:
        print(json.dumps({'error': 'topics did not appear in metadata'}))
        sys.exit(1)
    time.sleep(0.1)
print(json.dumps({'created': list(want)}))
