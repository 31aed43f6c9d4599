#!/usr/bin/env python3
"""Captures nats-server's JetStream API replies byte for byte (golden files).

Usage: nats-server -js -p PORT -sd DIR &  then  capture.py PORT OUTDIR
Each step sends one request (optionally with headers) over a raw NATS
connection and writes the reply payload (and headers, if any) to OUTDIR.
"""
import socket, sys, os

port, out = int(sys.argv[1]), sys.argv[2]
n = 0

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
