"""ACL driver for test/interop/acls.test.ts: kafka-python 2.0.2 or confluent-kafka (librdkafka 2.0.2)
against a broker with Kafka's StandardAuthorizer, as User:ANONYMOUS.

Reads {"client", "bootstrap", "ok_topic", "no_topic", "ok_group", "no_group", "new_topic"} as JSON
on stdin and prints one JSON line: what producing to the allowed and the denied topic, consuming
the denied topic, joining the denied group, creating a topic and describing every ACL gave.
Errors are recorded by Kafka error name. confluent-kafka before 1.9 has no ACL admin: then "acls" is
null.
"""
import json
import sys


def kafka_python(req):
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.admin import ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType, NewTopic, ResourcePatternFilter, ResourceType
    from kafka.errors import KafkaError

    def name(e):
        return getattr(e, 'message', None) or type(e).__name__

    out = {}
    b = req['bootstrap']
    producer = KafkaProducer(bootstrap_servers=b, client_id='acl-kp', max_block_ms=10000, retries=0, api_version_auto_timeout_ms=10000)
    try:
        md = producer.send(req['ok_topic'], b'yes').get(timeout=10)
        out['produce_ok'] = ['NONE', md.offset]
    except KafkaError as e:
        out['produce_ok'] = [name(e), None]
    try:
        producer.send(req['no_topic'], b'no').get(timeout=10)
        out['produce_denied'] = 'NONE'
    except KafkaError as e:
        out['produce_denied'] = name(e)
    producer.close(timeout=5)

    consumer = KafkaConsumer(bootstrap_servers=b, client_id='acl-kp', group_id=None, consumer_timeout_ms=3000, auto_offset_reset='earliest')
    consumer.assign([TopicPartition(req['no_topic'], 0)])
    try:
        consumer.poll(timeout_ms=5000)
        out['consume_denied'] = 'NONE'
    except KafkaError as e:
        out['consume_denied'] = name(e)
    consumer.close()

    consumer = KafkaConsumer(req['ok_topic'], bootstrap_servers=b, client_id='acl-kp', group_id=req['no_group'], auto_offset_reset='earliest')
    try:
        consumer.poll(timeout_ms=5000)
        out['group_denied'] = 'NONE'
    except KafkaError as e:
        out['group_denied'] = name(e)
    consumer.close()

    admin = KafkaAdminClient(bootstrap_servers=b, client_id='acl-kp', request_timeout_ms=10000)
    try:
        admin.create_topics([NewTopic(req['new_topic'], 1, 1)], timeout_ms=10000)
        out['create_denied'] = 'NONE'
    except KafkaError as e:
        out['create_denied'] = name(e)
    acls, err = admin.describe_acls(ACLFilter(principal=None, host=None, operation=ACLOperation.ANY, permission_type=ACLPermissionType.ANY,
                                              resource_pattern=ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY)))
    out['describe_error'] = err.__name__
    out['acls'] = sorted('%s:%s:%s %s@%s %s %s' % (a.resource_pattern.resource_type.name, a.resource_pattern.pattern_type.name,
                                                    a.resource_pattern.resource_name, a.principal, a.host, a.permission_type.name,
                                                    a.operation.name) for a in acls)
    admin.close()
    return out


def confluent(req):
    from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
    from confluent_kafka.admin import AdminClient, NewTopic

    out = {}
    b = req['bootstrap']
    p = Producer({'bootstrap.servers': b, 'client.id': 'acl-ck', 'message.timeout.ms': 10000})
    results = {}

    def report(key):
        def cb(err, msg):
            results[key] = [err.name() if err else 'NONE', None if err else msg.offset()]
        return cb

    p.produce(req['ok_topic'], b'yes', callback=report('ok'))
    p.produce(req['no_topic'], b'no', callback=report('denied'))
    p.flush(15)
    out['produce_ok'] = results.get('ok')
    out['produce_denied'] = (results.get('denied') or ['none'])[0]

    c = Consumer({'bootstrap.servers': b, 'client.id': 'acl-ck', 'group.id': req['no_group'], 'auto.offset.reset': 'earliest'})
    c.subscribe([req['ok_topic']])
    seen = None
    for _ in range(20):
        m = c.poll(0.5)
        if m is not None and m.error():
            seen = m.error().name()
            break
        if m is not None:
            seen = 'NONE'
            break
    out['group_denied'] = seen
    c.close()

    c = Consumer({'bootstrap.servers': b, 'client.id': 'acl-ck', 'group.id': req['ok_group'], 'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
    c.assign([TopicPartition(req['no_topic'], 0, 0)])
    seen = None
    for _ in range(20):
        m = c.poll(0.5)
        if m is not None and m.error():
            seen = m.error().name()
            break
        if m is not None:
            seen = 'NONE'
            break
    out['consume_denied'] = seen
    c.close()

    a = AdminClient({'bootstrap.servers': b, 'client.id': 'acl-ck'})
    try:
        a.create_topics([NewTopic(req['new_topic'], 1, 1)])[req['new_topic']].result(10)
        out['create_denied'] = 'NONE'
    except KafkaException as e:
        out['create_denied'] = e.args[0].name()
    try:
        from confluent_kafka.admin import AclBindingFilter, AclOperation, AclPermissionType, ResourcePatternType, ResourceType
    except ImportError:  # confluent-kafka before 1.9 has no ACL admin
        out['describe_error'] = 'unsupported'
        out['acls'] = None
        return out
    acls = a.describe_acls(AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None, AclOperation.ANY,
                                            AclPermissionType.ANY)).result(10)
    out['describe_error'] = 'NoError'
    out['acls'] = sorted('%s:%s:%s %s@%s %s %s' % (x.restype.name, x.resource_pattern_type.name, x.name, x.principal, x.host,
                                                    x.permission_type.name, x.operation.name) for x in acls)
    return out


def main():
    req = json.loads(sys.stdin.read())
    out = kafka_python(req) if req['client'] == 'kafka-python' else confluent(req)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
