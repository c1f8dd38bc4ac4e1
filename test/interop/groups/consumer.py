# A consumer group member for the groups interop tests, with kafka-python or confluent-kafka.
# Config: one JSON argument {lib, bootstrap, group, topic, strategy, sessionTimeoutMs, groupInstanceId
# (confluent-kafka only)}.
# Prints JSON lines: {"assigned": [partitions]} whenever the assignment changes, {"rec": [p, o]}
# for each record processed; commits synchronously after processing. SIGTERM: close (leave group).
import json, signal, sys

cfg = json.loads(sys.argv[1])
running = True
def stop(*_):
    global running
    running = False
signal.signal(signal.SIGTERM, stop)

def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()

last = None
def report(parts):
    global last
    parts = sorted(parts)
    if parts != last:
        last = parts
        out({"assigned": parts})

if cfg["lib"] == "kafka-python":
    from kafka import KafkaConsumer, TopicPartition, OffsetAndMetadata
    from kafka.coordinator.assignors.range import RangePartitionAssignor
    from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
    assignor = {"range": RangePartitionAssignor, "roundrobin": RoundRobinPartitionAssignor}[cfg.get("strategy", "range")]
    c = KafkaConsumer(cfg["topic"], bootstrap_servers=cfg["bootstrap"], group_id=cfg["group"], client_id=cfg.get("clientId", "kafka-python"),
                      enable_auto_commit=False, auto_offset_reset="earliest", partition_assignment_strategy=[assignor],
                      session_timeout_ms=cfg["sessionTimeoutMs"], heartbeat_interval_ms=300,
                      metadata_max_age_ms=1000, fetch_max_wait_ms=100)
    while running:
        batch = c.poll(timeout_ms=100)
        for tp, records in batch.items():
            for r in records:
                out({"rec": [r.partition, r.offset]})
        if batch:
            try:
                c.commit()
            except Exception as e:
                out({"commitError": str(e)})
        report([tp.partition for tp in c.assignment()])
    c.close()
else:
    from confluent_kafka import Consumer
    c = Consumer({"bootstrap.servers": cfg["bootstrap"], "group.id": cfg["group"], "client.id": cfg.get("clientId", "confluent-kafka"),
                  "enable.auto.commit": False, "auto.offset.reset": "earliest",
                  "partition.assignment.strategy": cfg.get("strategy", "range"),
                  "session.timeout.ms": cfg["sessionTimeoutMs"], "heartbeat.interval.ms": 300,
                  "topic.metadata.refresh.interval.ms": 1000, "fetch.wait.max.ms": 100,
                  **({"group.instance.id": cfg["groupInstanceId"]} if cfg.get("groupInstanceId") else {})})
    c.subscribe([cfg["topic"]])
    while running:
        m = c.poll(0.1)
        if m is not None and m.error() is None:
            out({"rec": [m.partition(), m.offset()]})
            try:
                c.commit(message=m, asynchronous=False)
            except Exception as e:
                out({"commitError": str(e)})
        report([tp.partition for tp in c.assignment()])
    c.close()
