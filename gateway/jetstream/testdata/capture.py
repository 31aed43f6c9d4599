#!/usr/bin/env python3
"""Captures nats-server's JetStream API replies byte for byte (golden files).

Usage: nats-server -js -p PORT -sd DIR &  then  capture.py PORT OUTDIR [extra|consumers|consumer_api]
Each step sends one request (optionally with headers) over a raw NATS
connection and writes the reply payload (and headers, if any) to OUTDIR.
"""
import socket, sys, os, time

port, out = int(sys.argv[1]), sys.argv[2]
n = 0

# (golden name, subject, config) of the consumer run's create requests on
# ORDERS; consumer_json_test.cc replays the same configs.
CONSUMER_CASES = [
    ("consumer_create_durable", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.PULL",
     '{"durable_name":"PULL","ack_policy":"explicit"}'),
    ("consumer_create_push", "$JS.API.CONSUMER.CREATE.ORDERS.PUSH",
     '{"deliver_subject":"out.push","deliver_group":"g","ack_policy":"none",'
     '"deliver_policy":"by_start_time","opt_start_time":"2026-11-24T16:00:00.5Z",'
     '"replay_policy":"original","rate_limit_bps":1000000,"sample_freq":"50%",'
     '"idle_heartbeat":5000000000,"flow_control":true,"headers_only":true,'
     '"filter_subject":"orders.*","description":"push & <more>","mem_storage":true,'
     '"inactive_threshold":60000000000}'),
    ("consumer_create_ephemeral", "$JS.API.CONSUMER.CREATE.ORDERS", '{"deliver_subject":"out.eph"}'),
    ("consumer_create_pull_options", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.FULL",
     '{"durable_name":"FULL","ack_policy":"all","max_waiting":10,"max_ack_pending":20,'
     '"max_batch":5,"max_expires":30000000000,"max_bytes":1024,"inactive_threshold":3600000000000,'
     '"filter_subject":"ship.>","deliver_policy":"by_start_sequence","opt_start_seq":2,'
     '"num_replicas":1,"backoff":[1000000000,2000000000],"max_deliver":3,"unknown":{"x":[1]}}'),
    ("consumer_create_wait", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.WAIT",
     '{"durable_name":"WAIT","ack_policy":"explicit","deliver_policy":"new","ACK_WAIT":1000000000}'),
    ("consumer_create_undefined", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.UNDEF",
     '{"durable_name":"UNDEF","deliver_policy":"undefined","deliver_subject":"out.undef",'
     '"filter_subject":"orders.a","max_ack_pending":0}'),
    ("consumer_create_bad_json", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.X", '{"durable_name":'),
    ("consumer_create_wrong_type", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.X",
     '{"durable_name":"X","ack_wait":"30s"}'),
    ("consumer_create_null_enum", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.X",
     '{"durable_name":"X","ack_policy":null}'),
    ("consumer_create_bad_enum", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.X",
     '{"durable_name":"X","ack_policy":"Explicit"}'),
    ("consumer_create_pull_heartbeat", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.X",
     '{"durable_name":"X","ack_policy":"explicit","idle_heartbeat":1000000000}'),
    ("consumer_create_push_max_waiting", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.X",
     '{"durable_name":"X","deliver_subject":"out.x","max_waiting":5}'),
    ("consumer_create_flow_no_heartbeat", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.X",
     '{"durable_name":"X","deliver_subject":"out.x","flow_control":true}'),
    ("consumer_create_start_conflict", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.X",
     '{"durable_name":"X","deliver_policy":"last","opt_start_seq":3}'),
    ("consumer_create_bad_sample", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.X",
     '{"durable_name":"X","sample_freq":"5 %"}'),
    ("consumer_create_negative_sample", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.X",
     '{"durable_name":"X","sample_freq":"-5%"}'),
    ("consumer_create_deliver_cycle", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.X",
     '{"durable_name":"X","deliver_subject":"orders.x"}'),
    ("consumer_create_deliver_wildcard", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.X",
     '{"durable_name":"X","deliver_subject":"out.*"}'),
    ("consumer_create_name_mismatch", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.X",
     '{"durable_name":"X","name":"Y"}'),
    ("consumer_create_bad_name", "$JS.API.CONSUMER.CREATE.ORDERS", '{"name":"a.b"}'),
    ("consumer_create_description_too_long", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.X",
     '{"durable_name":"X","description":"%s"}' % ("d" * 4097)),
    ("consumer_update_ack_policy", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.PULL",
     '{"durable_name":"PULL","ack_policy":"all"}'),
    ("consumer_update_deliver_policy", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.PULL",
     '{"durable_name":"PULL","ack_policy":"explicit","deliver_policy":"new"}'),
    ("consumer_create_path_separator", "$JS.API.CONSUMER.CREATE.ORDERS.a/b", '{"name":"a/b"}'),
]

def connect():
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")
    f.readline()  # INFO
    s.sendall(b'CONNECT {"verbose":false,"headers":true,"no_responders":true,"protocol":1}\r\nSUB _R.* 1\r\nPING\r\n')
    assert f.readline().startswith(b"PONG")
    return s, f

s, f = connect()

def request(subject, payload=b"", headers=None, expect=True):
    global n, s, f
    n += 1
    reply = "_R.%d" % n
    if isinstance(payload, str):
        payload = payload.encode()
    if headers is not None:
        h = b"NATS/1.0\r\n" + b"".join(b"%s: %s\r\n" % (k.encode(), v.encode()) for k, v in headers) + b"\r\n"
        s.sendall(b"HPUB %s %s %d %d\r\n%s%s\r\nPING\r\n" % (subject.encode(), reply.encode(), len(h), len(h) + len(payload), h, payload))
    else:
        s.sendall(b"PUB %s %s %d\r\n%s\r\nPING\r\n" % (subject.encode(), reply.encode(), len(payload), payload))
    s.settimeout(1.0 if expect else 0.5)
    hdr, body = b"", None
    try:
        while True:
            line = f.readline()
            if line.startswith(b"PONG"):
                continue
            parts = line.split()
            if parts[0] == b"MSG":
                body = f.read(int(parts[-1])); f.readline(); break
            if parts[0] == b"HMSG":
                hl, tl = int(parts[-2]), int(parts[-1])
                data = f.read(tl); f.readline()
                hdr, body = data[:hl], data[hl:]; break
    except socket.timeout:
        body = None
        s.close()
        s, f = connect()
    s.settimeout(None)
    return hdr, body

def save(name, subject, payload=b"", headers=None):
    hdr, body = request(subject, payload, headers)
    with open(os.path.join(out, name + ".json" if not hdr else name + ".body"), "wb") as o:
        o.write(b"" if body is None else body)
    if hdr:
        with open(os.path.join(out, name + ".hdr"), "wb") as o:
            o.write(hdr)
    print(name, hdr, body)

def publish(subject, payload=b""):
    """Publishes without a reply subject; returns once the server has it."""
    if isinstance(payload, str):
        payload = payload.encode()
    s.sendall(b"PUB %s %d\r\n%s\r\nPING\r\n" % (subject.encode(), len(payload), payload))
    while not f.readline().startswith(b"PONG"):
        pass

def pull(subject, payload, count):
    """Sends a request and returns the reply subjects of the first `count` messages."""
    global n
    n += 1
    reply = "_R.%d" % n
    s.sendall(b"PUB %s %s %d\r\n%s\r\n" % (subject.encode(), reply.encode(), len(payload), payload.encode()))
    acks = []
    while len(acks) < count:
        parts = f.readline().split()
        if parts[0] == b"MSG":
            f.read(int(parts[-1])); f.readline()
            acks.append(parts[3].decode())
    return acks

def orders_stream():
    """ORDERS (orders.*, ship.>) with the consumer runs' three messages."""
    request("$JS.API.STREAM.CREATE.ORDERS", '{"name":"ORDERS","subjects":["orders.*","ship.>"]}')
    request("orders.a", "hello")
    request("orders.b", "world")
    request("ship.eu.x", "third")

if len(sys.argv) > 3 and sys.argv[3] == "consumers":
    # A third run, for the consumer API (its times differ from the others).
    def create(name, subject, config, stream="ORDERS"):
        save(name, subject, '{"stream_name":"%s","config":%s}' % (stream, config))
    orders_stream()
    request("$JS.API.STREAM.CREATE.WQ", '{"name":"WQ","subjects":["wq.>"],"retention":"workqueue"}')
    request("$JS.API.STREAM.CREATE.LIST", '{"name":"LIST","storage":"memory"}')
    for name, subject, config in CONSUMER_CASES:
        create(name, subject, config)
    create("consumer_create_wq_ack_all", "$JS.API.CONSUMER.DURABLE.CREATE.WQ.W",
           '{"durable_name":"W","ack_policy":"all"}', "WQ")
    create("consumer_create_wq_ack_none", "$JS.API.CONSUMER.DURABLE.CREATE.WQ.W",
           '{"durable_name":"W","ack_policy":"none"}', "WQ")
    acks = pull("$JS.API.CONSUMER.MSG.NEXT.ORDERS.PULL", '{"batch":2}', 2)
    publish(acks[0], "+ACK")
    pull("$JS.API.CONSUMER.MSG.NEXT.ORDERS.WAIT", '{"batch":1,"expires":60000000000}', 0)
    time.sleep(0.5)  # Acks and pull requests reach the consumer asynchronously.
    save("consumer_info", "$JS.API.CONSUMER.INFO.ORDERS.PULL")
    save("consumer_info_waiting", "$JS.API.CONSUMER.INFO.ORDERS.WAIT")
    save("consumer_info_missing", "$JS.API.CONSUMER.INFO.ORDERS.NOPE")
    save("consumer_names_orders", "$JS.API.CONSUMER.NAMES.ORDERS")
    create("consumer_create_list_one", "$JS.API.CONSUMER.DURABLE.CREATE.LIST.ONE",
           '{"durable_name":"ONE","ack_policy":"explicit","description":"only"}', "LIST")
    save("consumer_list", "$JS.API.CONSUMER.LIST.LIST")
    save("consumer_list_empty", "$JS.API.CONSUMER.LIST.WQ")
    sys.exit(0)

# (golden name, subject, payload) of the consumer API run, in its order: the
# checks nats-server's API handler makes before the consumer exists, and the
# replies consumer_api_test.cc rebuilds from a mocked consumer service.
CONSUMER_API_CASES = [
    ("capi_create_empty", "$JS.API.CONSUMER.CREATE.ORDERS", ''),
    ("capi_create_null", "$JS.API.CONSUMER.CREATE.ORDERS", 'null'),
    ("capi_create_stream_mismatch", "$JS.API.CONSUMER.CREATE.ORDERS",
     '{"stream_name":"OTHER","config":{"deliver_subject":"x"}}'),
    ("capi_create_mismatch_before_path", "$JS.API.CONSUMER.CREATE.OTHER.a/b",
     '{"stream_name":"ORDERS","config":{}}'),
    ("capi_create_durable_path_separator", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.a\\b",
     '{"stream_name":"ORDERS","config":{}}'),
    ("capi_create_durable_not_set", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.D",
     '{"stream_name":"ORDERS","config":{"ack_policy":"explicit"}}'),
    ("capi_create_durable_not_match", "$JS.API.CONSUMER.DURABLE.CREATE.ORDERS.D",
     '{"stream_name":"ORDERS","config":{"durable_name":"E","ack_policy":"explicit"}}'),
    ("capi_create_named_durable_not_match", "$JS.API.CONSUMER.CREATE.ORDERS.N",
     '{"stream_name":"ORDERS","config":{"durable_name":"D","ack_policy":"explicit"}}'),
    ("capi_create_ephemeral_durable", "$JS.API.CONSUMER.CREATE.ORDERS",
     '{"stream_name":"ORDERS","config":{"durable_name":"D","ack_policy":"explicit"}}'),
    ("capi_create_filter_mismatch", "$JS.API.CONSUMER.CREATE.ORDERS.F.orders.a",
     '{"stream_name":"ORDERS","config":{"filter_subject":"orders.b","ack_policy":"explicit"}}'),
    ("capi_create_filter_missing", "$JS.API.CONSUMER.CREATE.ORDERS.F.orders.a",
     '{"stream_name":"ORDERS","config":{"ack_policy":"explicit"}}'),
    ("capi_create_replicas", "$JS.API.CONSUMER.CREATE.ORDERS.R",
     '{"stream_name":"ORDERS","config":{"num_replicas":3,"ack_policy":"explicit"}}'),
    ("capi_create_replicas_missing_stream", "$JS.API.CONSUMER.DURABLE.CREATE.NOPE.D",
     '{"stream_name":"NOPE","config":{"durable_name":"D","num_replicas":3}}'),
    ("capi_create_missing_stream", "$JS.API.CONSUMER.CREATE.NOPE",
     '{"stream_name":"NOPE","config":{"deliver_subject":"x"}}'),
    ("capi_create_wildcard_stream", "$JS.API.CONSUMER.CREATE.*",
     '{"stream_name":"*","config":{"deliver_subject":"x"}}'),
    ("capi_create_named", "$JS.API.CONSUMER.CREATE.ORDERS.NAMED",
     '{"stream_name":"ORDERS","config":{"name":"IGNORED","ack_policy":"explicit"}}'),
    ("capi_create_filtered", "$JS.API.CONSUMER.CREATE.ORDERS.F.orders.a",
     '{"stream_name":"ORDERS","config":{"durable_name":"F","filter_subject":"orders.a",'
     '"ack_policy":"explicit"}}'),
    ("capi_create_durable_new_style", "$JS.API.CONSUMER.CREATE.ORDERS.DN",
     '{"stream_name":"ORDERS","config":{"durable_name":"DN","ack_policy":"explicit"}}'),
    ("capi_info_not_empty", "$JS.API.CONSUMER.INFO.ORDERS.F", '{"x":1}'),
    ("capi_info_null", "$JS.API.CONSUMER.INFO.ORDERS.F", 'null'),
    ("capi_info_missing_stream", "$JS.API.CONSUMER.INFO.NOPE.F", ''),
    ("capi_info_filtered", "$JS.API.CONSUMER.INFO.ORDERS.F", '{}'),
    ("capi_names", "$JS.API.CONSUMER.NAMES.ORDERS", '{}'),
    ("capi_names_offset", "$JS.API.CONSUMER.NAMES.ORDERS", '{"offset":1}'),
    ("capi_names_offset_beyond", "$JS.API.CONSUMER.NAMES.ORDERS", '{"offset":99}'),
    ("capi_names_bad_json", "$JS.API.CONSUMER.NAMES.ORDERS", '{"offset":"1"}'),
    ("capi_names_missing_stream", "$JS.API.CONSUMER.NAMES.NOPE", ''),
    ("capi_list_offset", "$JS.API.CONSUMER.LIST.ORDERS", '{"offset":2,"subject":"x"}'),
    ("capi_list_bad_json", "$JS.API.CONSUMER.LIST.ORDERS", '[]'),
    ("capi_list_missing_stream", "$JS.API.CONSUMER.LIST.NOPE", ''),
    ("capi_delete_not_empty", "$JS.API.CONSUMER.DELETE.ORDERS.DN", '{"x":1}'),
    ("capi_delete_missing_stream", "$JS.API.CONSUMER.DELETE.NOPE.DN", ''),
    ("capi_delete", "$JS.API.CONSUMER.DELETE.ORDERS.DN", ''),
    ("capi_delete_missing", "$JS.API.CONSUMER.DELETE.ORDERS.DN", ''),
    ("capi_leader_stepdown", "$JS.API.CONSUMER.LEADER.STEPDOWN.ORDERS.F", ''),
]

if len(sys.argv) > 3 and sys.argv[3] == "consumer_api":
    # A fourth run, for the consumer API's own checks (fresh store directory).
    orders_stream()
    for name, subject, payload in CONSUMER_API_CASES:
        save(name, subject, payload)
    sys.exit(0)

if len(sys.argv) > 3 and sys.argv[3] == "extra":
    # A second run, for files added later (its times differ from the first).
    save("x_stream_create_sourced", "$JS.API.STREAM.CREATE.SRC",
         '{"name":"SRC","subjects":["src.>"],"sources":[{"name":"ORDERS","opt_start_seq":5,'
         '"filter_subject":"orders.a"},{"name":"OTHER","opt_start_time":"2026-11-24T16:00:00.5+01:00"}],'
         '"republish":{"src":"src.>","dest":"re.>","headers_only":true},"no_ack":true,'
         '"description":"line\\nbreak","discard_new_per_subject":true,"discard":"new","max_msgs_per_subject":1}')
    for i in range(4):
        request("src.%d" % i, "m%d" % i)
    request("$JS.API.STREAM.MSG.DELETE.SRC", '{"seq":2}')
    save("x_stream_info_deleted", "$JS.API.STREAM.INFO.SRC", '{"deleted_details":true}')
    save("x_stream_info_filter_none", "$JS.API.STREAM.INFO.SRC", '{"subjects_filter":"none.*"}')
    save("x_stream_names_offset", "$JS.API.STREAM.NAMES", '{"offset":5}')
    sys.exit(0)

save("account_info_empty", "$JS.API.INFO")
save("stream_create", "$JS.API.STREAM.CREATE.ORDERS",
     '{"name":"ORDERS","subjects":["orders.*","ship.>"],"retention":"limits","max_consumers":-1,"max_msgs":-1,'
     '"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file",'
     '"num_replicas":1,"duplicate_window":120000000000,"allow_direct":true,"mirror_direct":false,"sealed":false,'
     '"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false}')
save("stream_create_mismatch", "$JS.API.STREAM.CREATE.OTHER", '{"name":"ORDERS","subjects":["x"]}')
save("stream_create_bad_json", "$JS.API.STREAM.CREATE.BAD", '{"name":')
save("stream_create_wrong_type", "$JS.API.STREAM.CREATE.BAD", '{"name":"BAD","max_msgs":"ten"}')
save("pub_ack", "orders.a", "hello")
save("pub_ack_hdr", "orders.b", "world", [("Nats-Msg-Id", "m1"), ("X-Trace", "t<1>")])
save("pub_ack_duplicate", "orders.b", "world", [("Nats-Msg-Id", "m1")])
save("pub_err_wrong_last_seq", "orders.a", "x", [("Nats-Expected-Last-Sequence", "1")])
save("pub_err_wrong_stream", "orders.a", "x", [("Nats-Expected-Stream", "NOPE")])
request("ship.eu.x", "third")
save("stream_info", "$JS.API.STREAM.INFO.ORDERS")
save("stream_info_not_found", "$JS.API.STREAM.INFO.NOPE")
save("stream_info_subjects", "$JS.API.STREAM.INFO.ORDERS", '{"subjects_filter":">"}')
save("msg_get_seq", "$JS.API.STREAM.MSG.GET.ORDERS", '{"seq":2}')
save("msg_get_no_hdr", "$JS.API.STREAM.MSG.GET.ORDERS", '{"seq":1}')
save("msg_get_last", "$JS.API.STREAM.MSG.GET.ORDERS", '{"last_by_subj":"orders.a"}')
save("msg_get_next", "$JS.API.STREAM.MSG.GET.ORDERS", '{"next_by_subj":"ship.>","seq":2}')
save("msg_get_missing", "$JS.API.STREAM.MSG.GET.ORDERS", '{"seq":99}')
save("msg_get_empty", "$JS.API.STREAM.MSG.GET.ORDERS", '')
save("msg_get_both", "$JS.API.STREAM.MSG.GET.ORDERS", '{"seq":1,"last_by_subj":"orders.a"}')
save("direct_get_seq", "$JS.API.DIRECT.GET.ORDERS", '{"seq":2}')
save("direct_get_no_hdr", "$JS.API.DIRECT.GET.ORDERS", '{"seq":1}')
save("direct_get_last_subject", "$JS.API.DIRECT.GET.ORDERS.ship.eu.x")
save("direct_get_missing", "$JS.API.DIRECT.GET.ORDERS", '{"seq":99}')
save("direct_get_empty", "$JS.API.DIRECT.GET.ORDERS", '')
save("direct_get_bad_json", "$JS.API.DIRECT.GET.ORDERS", '{"seq":')
save("direct_get_unknown_stream", "$JS.API.DIRECT.GET.NOPE", '{"seq":1}')
save("msg_delete", "$JS.API.STREAM.MSG.DELETE.ORDERS", '{"seq":1}')
save("msg_delete_missing", "$JS.API.STREAM.MSG.DELETE.ORDERS", '{"seq":1}')
save("stream_info_deleted", "$JS.API.STREAM.INFO.ORDERS", '{"deleted_details":true}')
save("stream_names", "$JS.API.STREAM.NAMES")
save("stream_names_filter", "$JS.API.STREAM.NAMES", '{"subject":"nomatch"}')
save("stream_list", "$JS.API.STREAM.LIST")
save("stream_update", "$JS.API.STREAM.UPDATE.ORDERS",
     '{"name":"ORDERS","subjects":["orders.*","ship.>"],"retention":"limits","max_consumers":-1,"max_msgs":1000,'
     '"max_bytes":-1,"max_age":3600000000000,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"new","storage":"file",'
     '"num_replicas":1,"duplicate_window":120000000000,"allow_direct":true,"description":"orders & <stuff>"}')
save("account_info", "$JS.API.INFO")
save("stream_purge_keep", "$JS.API.STREAM.PURGE.ORDERS", '{"keep":1}')
save("stream_purge_bad", "$JS.API.STREAM.PURGE.ORDERS", '{"keep":1,"seq":3}')
save("stream_purge", "$JS.API.STREAM.PURGE.ORDERS")
save("stream_purge_missing", "$JS.API.STREAM.PURGE.NOPE")
save("stream_delete_not_empty", "$JS.API.STREAM.DELETE.ORDERS", '{"x":1}')
save("stream_delete", "$JS.API.STREAM.DELETE.ORDERS")
save("stream_delete_missing", "$JS.API.STREAM.DELETE.ORDERS")
save("stream_names_empty", "$JS.API.STREAM.NAMES")
save("stream_list_empty", "$JS.API.STREAM.LIST")
save("stream_create_memory", "$JS.API.STREAM.CREATE.KV_x", '{"name":"KV_x","subjects":["$KV.x.>"],"storage":"memory","retention":"workqueue","discard":"new","max_msgs_per_subject":1,"allow_rollup_hdrs":true,"deny_delete":true,"placement":{"cluster":"","tags":["a"]},"metadata":{"k":"v"}}')
save("stream_create_dotted", "$JS.API.STREAM.CREATE.A.B", '{"name":"A.B"}')
save("stream_create_wildcard", "$JS.API.STREAM.CREATE.*", '{"name":"*"}')
save("unknown_api", "$JS.API.NOPE.X")
save("consumer_names", "$JS.API.CONSUMER.NAMES.KV_x")
