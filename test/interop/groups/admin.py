# Group admin operations for the groups interop tests, printed as one JSON document.
# Usage: admin.py '{"lib": "kafka-python"|"confluent-kafka", "bootstrap": ..., "group": ...}'
# kafka-python: ListGroups, DescribeGroups, OffsetFetch (list_consumer_group_offsets), then
# DeleteGroups when "delete" is set. confluent-kafka 1.7: list_groups (ListGroups + DescribeGroups).
import json, sys

cfg = json.loads(sys.argv[1])
out = {}
if cfg["lib"] == "kafka-python":
    from kafka import KafkaAdminClient
    a = KafkaAdminClient(bootstrap_servers=cfg["bootstrap"], client_id="py-admin")
    out["list"] = sorted([list(g) for g in a.list_consumer_groups()])
    d = a.describe_consumer_groups([cfg["group"]])[0]
    out["describe"] = {"state": d.state, "protocol_type": d.protocol_type, "protocol": d.protocol,
                       "members": [{"client_id": m.client_id, "client_host": m.client_host,
                                    "assignment": sorted([[t, sorted(ps)] for t, ps in m.member_assignment.assignment]) if m.member_assignment else None}
                                   for m in d.members]}
    out["offsets"] = sorted([[tp.topic, tp.partition, om.offset, om.metadata] for tp, om in a.list_consumer_group_offsets(cfg["group"]).items()])
    if cfg.get("delete"):
        out["delete"] = [[g, getattr(e, "errno", 0) if e is not None and not isinstance(e, int) else e] for g, e in a.delete_consumer_groups(cfg["delete"])]
    a.close()
else:
    from confluent_kafka.admin import AdminClient
    a = AdminClient({"bootstrap.servers": cfg["bootstrap"]})
    groups = a.list_groups(timeout=10)
    out["groups"] = sorted([{"id": g.id, "state": g.state, "protocol_type": g.protocol_type, "protocol": g.protocol,
                             "members": [{"client_id": m.client_id, "client_host": m.client_host} for m in g.members]}
                            for g in groups], key=lambda g: g["id"])
print(json.dumps(out))
