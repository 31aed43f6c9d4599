#!/usr/bin/env node
// Checks the key-value and object stores end to end through nats.js v3
// (@nats-io/kv, @nats-io/obj over @nats-io/transport-node, pinned in
// package-lock.json), the way an application uses them. Connects to
// $NATS_URL, runs every scenario, prints "ok NAME" or "FAIL NAME: why" per
// scenario and exits 1 when any failed. Buckets are named per scenario and
// deleted afterwards.
//
//   NATS_URL=nats://127.0.0.1:4222 node kvobj.mjs [scenario,...]
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";

let connect, Kvm, KvWatchInclude, Objm;
try {
  ({ connect } = await import("@nats-io/transport-node"));
  ({ Kvm, KvWatchInclude } = await import("@nats-io/kv"));
  ({ Objm } = await import("@nats-io/obj"));
} catch (err) {
  console.log(`FAIL import: ${err.message}\n` +
    "(./bazelw installs the packages: npm ci in testing/clients/js)");
  process.exit(1);
}

const enc = new TextEncoder();
const dec = new TextDecoder();

// Reads from an async iterator, failing after `ms` without a value.
function reader(iter, ms = 5000) {
  const it = iter[Symbol.asyncIterator]();
  return async (what) => {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} within ${ms}ms`)), ms);
    });
    try {
      const r = await Promise.race([it.next(), timeout]);
      if (r.done) throw new Error(`iterator ended before ${what}`);
      return r.value;
    } finally {
      clearTimeout(timer);
    }
  };
}

async function collect(iter) {
  const out = [];
  for await (const x of iter) out.push(x);
  return out;
}

const describe = (e) => `${e.operation} ${e.key}=${e.string()}`;

async function newKV(kvm, name, opts = {}) {
  try {
    await (await kvm.open(name)).destroy();
  } catch {
    // not there
  }
  return kvm.create(name, opts);
}

async function newObj(objm, name, opts = {}) {
  try {
    await (await objm.open(name)).destroy();
  } catch {
    // not there
  }
  return objm.create(name, opts);
}

async function rejects(promise, what) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error(`${what} succeeded`);
}

const scenarios = {
  async kv_bucket_create_open_status_delete({ kvm }) {
    await rejects((await kvm.open("JS_KV_MISSING")).status(), "status of a missing bucket");
    const kv = await newKV(kvm, "JS_KV_LIFE", {
      description: "life", history: 5, ttl: 3600_000, maxValueSize: 1024, replicas: 1,
    });
    await kv.put("a", "1");
    await kv.put("b", "2");
    const opened = await kvm.open("JS_KV_LIFE");
    const st = await opened.status();
    assert.equal(st.bucket, "JS_KV_LIFE");
    assert.equal(st.history, 5);
    assert.equal(st.ttl, 3600_000);
    assert.equal(st.values, 2);
    assert.equal(st.maxValueSize, 1024);
    assert.equal(st.replicas, 1);
    assert.equal(st.description, "life");
    assert.equal(st.streamInfo.config.name, "KV_JS_KV_LIFE");
    assert.equal(st.streamInfo.config.allow_rollup_hdrs, true);
    assert.equal(st.streamInfo.config.deny_delete, false);
    assert.ok(st.size > 0);
    const names = [];
    for await (const s of kvm.list()) names.push(s.bucket);
    assert.ok(names.includes("JS_KV_LIFE"), `list: ${names}`);
    assert.equal(await opened.destroy(), true);
    await rejects((await kvm.open("JS_KV_LIFE")).status(), "status of a deleted bucket");
  },

  async kv_put_get_create_update({ kvm }) {
    const kv = await newKV(kvm, "JS_KV_CRUD", { history: 3 });
    try {
      const r1 = await kv.put("k1", "v1");
      assert.equal(r1, 1);
      const r2 = await kv.put("k1", enc.encode("v2"));
      const e = await kv.get("k1");
      assert.equal(e.string(), "v2");
      assert.equal(e.revision, r2);
      assert.equal(e.key, "k1");
      assert.equal(e.bucket, "JS_KV_CRUD");
      assert.equal(e.operation, "PUT");
      assert.ok(Math.abs(Date.now() - e.created.getTime()) < 60_000, `created ${e.created}`);
      assert.equal((await kv.get("k1", { revision: r1 })).string(), "v1");
      assert.equal(await kv.get("nope"), null);
      await rejects(kv.create("k1", "x"), "create of an existing key");
      const rc = await kv.create("k2", "new");
      assert.equal(rc, r2 + 1);
      await rejects(kv.update("k1", "x", r1), "update with a stale revision");
      const ru = await kv.update("k1", "v3", r2);
      assert.equal(ru, rc + 1);
      await kv.delete("k2");
      await kv.create("k2", "again");
      assert.equal((await kv.get("k2")).string(), "again");
      await kv.purge("k2");
      await kv.create("k2", "after purge");
      assert.equal((await kv.get("k2")).string(), "after purge");
      for (const bad of ["", "a b", ".a", "a.", "a*"]) {
        await rejects(kv.put(bad, "x"), `put of key ${JSON.stringify(bad)}`);
      }
      await kv.put("path/to_key-1=x.y", "ok");
      assert.equal((await kv.get("path/to_key-1=x.y")).string(), "ok");
    } finally {
      await kv.destroy();
    }
  },

  async kv_max_value_size({ kvm }) {
    const kv = await newKV(kvm, "JS_KV_MAXV", { maxValueSize: 100 });
    try {
      await kv.put("small", randomBytes(50));
      await rejects(kv.put("big", randomBytes(200)), "put over the max value size");
      assert.equal(await kv.get("big"), null);
    } finally {
      await kv.destroy();
    }
  },

  async kv_delete_purge_markers({ kvm }) {
    const kv = await newKV(kvm, "JS_KV_DEL", { history: 10 });
    try {
      await kv.put("a", "1");
      await kv.put("a", "2");
      await kv.put("b", "1");
      const r = await kv.put("c", "1");
      await kv.delete("a");
      assert.equal((await kv.get("a")).operation, "DEL");
      let h = await collect(await kv.history({ key: "a" }));
      assert.deepEqual(h.map((e) => e.operation), ["PUT", "PUT", "DEL"]);
      await kv.purge("b");
      h = await collect(await kv.history({ key: "b" }));
      assert.deepEqual(h.map((e) => e.operation), ["PURGE"]);
      await rejects(kv.delete("c", { previousSeq: r + 100 }), "delete with a wrong revision");
      await kv.delete("c", { previousSeq: r });
      assert.equal((await kv.status()).values, 6);
      const keys = await collect(await kv.keys());
      assert.deepEqual(keys, []);
    } finally {
      await kv.destroy();
    }
  },

  async kv_history({ kvm }) {
    const kv = await newKV(kvm, "JS_KV_HIST", { history: 5 });
    try {
      for (let i = 1; i <= 8; i++) {
        await kv.put("k", `${i}`);
        await kv.put("other", `${i}`);
      }
      const h = await collect(await kv.history({ key: "k" }));
      assert.deepEqual(h.map((e) => e.string()), ["4", "5", "6", "7", "8"]);
      for (let i = 1; i < h.length; i++) assert.ok(h[i].revision > h[i - 1].revision);
      assert.equal(h.length, 5);
      const all = await collect(await kv.history());
      assert.equal(all.length, 10);
      assert.deepEqual(await collect(await kv.history({ key: "none" })), []);
    } finally {
      await kv.destroy();
    }
  },

  async kv_keys_and_filters({ kvm }) {
    const kv = await newKV(kvm, "JS_KV_KEYS", { history: 2 });
    try {
      assert.deepEqual(await collect(await kv.keys()), []);
      for (const k of ["a.1", "a.2", "a.2", "b.1", "b.2.x", "c", "gone"]) await kv.put(k, "v");
      await kv.delete("gone");
      assert.deepEqual((await collect(await kv.keys())).sort(), ["a.1", "a.2", "b.1", "b.2.x", "c"]);
      const filters = { "a.*": ["a.1", "a.2"], "b.>": ["b.1", "b.2.x"], "*.1": ["a.1", "b.1"], c: ["c"] };
      for (const [filter, want] of Object.entries(filters)) {
        assert.deepEqual((await collect(await kv.keys(filter))).sort(), want, `keys(${filter})`);
      }
      assert.deepEqual(await collect(await kv.keys("zzz.*")), []);
    } finally {
      await kv.destroy();
    }
  },

  async kv_watch({ kvm }) {
    const kv = await newKV(kvm, "JS_KV_WATCH", { history: 5 });
    try {
      let w = await kv.watch();
      let next = reader(w);
      await kv.put("x", "1");
      let e = await next("live put");
      assert.equal(describe(e), "PUT x=1");
      assert.equal(e.isUpdate, true);
      w.stop();

      await kv.put("a", "1");
      await kv.put("a", "2");
      await kv.put("b", "1");
      await kv.put("c", "1");
      await kv.delete("c");
      w = await kv.watch();
      next = reader(w);
      const initial = [];
      for (let i = 0; i < 4; i++) {
        e = await next(`initial value ${i}`);
        assert.equal(e.isUpdate, i === 3, `isUpdate of initial value ${i}`);
        initial.push(describe(e));
      }
      assert.deepEqual(initial.sort(), ["DEL c=", "PUT a=2", "PUT b=1", "PUT x=1"]);
      await kv.put("a", "3");
      await kv.delete("b");
      await kv.purge("x");
      await kv.create("d", "new");
      const live = [];
      for (let i = 0; i < 4; i++) {
        e = await next(`update ${i}`);
        assert.equal(e.isUpdate, true);
        live.push(describe(e));
      }
      assert.deepEqual(live, ["PUT a=3", "DEL b=", "PURGE x=", "PUT d=new"]);
      w.stop();

      w = await kv.watch({ key: "a" });
      next = reader(w);
      assert.equal(describe(await next("filtered initial")), "PUT a=3");
      await kv.put("d", "2");
      await kv.put("a", "4");
      assert.equal(describe(await next("filtered update")), "PUT a=4");
      w.stop();
    } finally {
      await kv.destroy();
    }
  },

  async kv_watch_options({ kvm }) {
    const kv = await newKV(kvm, "JS_KV_WOPT", { history: 5 });
    try {
      await kv.put("a", "1");
      await kv.put("a", "2");
      await kv.put("b", "1");
      await kv.delete("b");

      let w = await kv.watch({ ignoreDeletes: true });
      let next = reader(w);
      assert.equal(describe(await next("initial")), "PUT a=2");
      await kv.delete("a");
      await kv.put("c", "1");
      assert.equal(describe(await next("update")), "PUT c=1");
      w.stop();

      w = await kv.watch({ key: "a", include: KvWatchInclude.AllHistory });
      next = reader(w);
      const got = [];
      for (let i = 0; i < 3; i++) got.push(describe(await next(`history ${i}`)));
      assert.deepEqual(got, ["PUT a=1", "PUT a=2", "DEL a="]);
      w.stop();

      w = await kv.watch({ include: KvWatchInclude.UpdatesOnly });
      next = reader(w);
      await kv.put("z", "new");
      const e = await next("updates-only");
      assert.equal(describe(e), "PUT z=new");
      assert.equal(e.isUpdate, true);
      w.stop();

      w = await kv.watch({ key: "c", headers_only: true });
      next = reader(w);
      const h = await next("headers only");
      assert.equal(h.key, "c");
      assert.equal(h.value.length, 0);
      w.stop();
    } finally {
      await kv.destroy();
    }
  },

  async kv_ttl({ kvm }) {
    const kv = await newKV(kvm, "JS_KV_TTL", { ttl: 1000 });
    try {
      await kv.put("k", "v");
      assert.equal((await kv.get("k")).string(), "v");
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        if ((await kv.get("k")) === null) {
          assert.equal((await kv.status()).values, 0);
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("value still there 5s after a TTL of 1s");
    } finally {
      await kv.destroy();
    }
  },

  async obj_bucket_status_delete({ objm }) {
    await rejects(objm.open("JS_OBJ_MISSING"), "open of a missing object store");
    const os = await newObj(objm, "JS_OBJ_LIFE", {
      description: "objects", ttl: 3600_000_000_000, replicas: 1,
    });
    await os.putBlob({ name: "x" }, enc.encode("hello"));
    const st = await (await objm.open("JS_OBJ_LIFE")).status();
    assert.equal(st.bucket, "JS_OBJ_LIFE");
    assert.equal(st.description, "objects");
    assert.equal(st.ttl, 3600_000_000_000);
    assert.equal(st.replicas, 1);
    assert.equal(st.sealed, false);
    assert.ok(st.size > 0);
    const names = [];
    for await (const s of objm.list()) names.push(s.bucket);
    assert.ok(names.includes("JS_OBJ_LIFE"), `list: ${names}`);
    assert.equal(await os.destroy(), true);
    await rejects(objm.open("JS_OBJ_LIFE"), "open of a deleted object store");
  },

  async obj_put_get_1mib_10mib({ objm }) {
    const os = await newObj(objm, "JS_OBJ_BIG");
    try {
      for (const size of [1 << 20, 10 << 20, 128 * 1024 + 1, 0]) {
        const name = `blob-${size}`;
        const data = randomBytes(size);
        const info = await os.putBlob({ name }, data);
        assert.equal(info.size, size, `${name} size`);
        assert.equal(info.chunks, Math.ceil(size / (128 * 1024)), `${name} chunks`);
        const digest = "SHA-256=" + createHash("sha256").update(data).digest("base64url") + "=";
        assert.equal(info.digest, digest, `${name} digest`);
        const got = await os.getBlob(name);
        assert.ok(Buffer.from(got).equals(data), `${name}: ${got.length} bytes differ`);
      }
      const data = randomBytes(300000);
      const info = await os.put({ name: "chunky", options: { max_chunk_size: 65536 } },
        new ReadableStream({ start(c) { c.enqueue(data); c.close(); } }));
      assert.equal(info.chunks, 5);
      const r = await os.get("chunky");
      const parts = [];
      for await (const chunk of r.data) parts.push(chunk);
      assert.ok(!(await r.error), "read error");
      assert.ok(Buffer.concat(parts).equals(data), "chunky differs");
      await os.putBlob({ name: "blob-1048576" }, enc.encode("small now"));
      assert.ok((await os.status()).size < 12 << 20, "old chunks kept after a replace");
      assert.equal(dec.decode(await os.getBlob("blob-1048576")), "small now");
    } finally {
      await os.destroy();
    }
  },

  async obj_info_list_delete({ objm, headers }) {
    const os = await newObj(objm, "JS_OBJ_LIST");
    try {
      assert.deepEqual(await os.list(), []);
      const h = headers();
      h.set("Color", "blue");
      await os.putBlob({ name: "one", description: "first", headers: h }, enc.encode("1"));
      await os.putBlob({ name: "two" }, enc.encode("22"));
      await os.putBlob({ name: "dir/three" }, enc.encode("333"));
      const info = await os.info("one");
      assert.equal(info.name, "one");
      assert.equal(info.description, "first");
      assert.equal(info.headers.get("Color"), "blue");
      assert.equal(info.bucket, "JS_OBJ_LIST");
      assert.equal(info.size, 1);
      assert.ok(info.nuid && info.mtime, "nuid and mtime");
      assert.deepEqual((await os.list()).map((o) => o.name).sort(), ["dir/three", "one", "two"]);
      assert.equal((await os.delete("two")).success, true);
      const gone = await os.info("two");
      assert.ok(gone === null || gone.deleted, `info of a deleted object: ${JSON.stringify(gone)}`);
      assert.equal(await os.get("two"), null);
      assert.deepEqual((await os.list()).map((o) => o.name).sort(), ["dir/three", "one"]);
      assert.equal((await os.delete("never")).success, false);
      assert.equal((await os.status()).streamInfo.state.messages, 5);
    } finally {
      await os.destroy();
    }
  },

  async obj_links({ objm }) {
    const os = await newObj(objm, "JS_OBJ_LINK");
    const other = await newObj(objm, "JS_OBJ_LINK2");
    try {
      const data = randomBytes(200000);
      const target = await other.putBlob({ name: "target" }, data);
      const link = await os.link("alias", target);
      assert.deepEqual(link.options.link, { bucket: "JS_OBJ_LINK2", name: "target" });
      assert.ok(Buffer.from(await os.getBlob("alias")).equals(data), "read through a link");
      const bl = await os.linkStore("whole", other);
      assert.equal(bl.options.link.bucket, "JS_OBJ_LINK2");
      assert.equal(bl.options.link.name, undefined);
      await rejects(os.link("loop", link), "a link to a link");
      assert.deepEqual((await os.list()).map((o) => o.name).sort(), ["alias", "whole"]);
    } finally {
      await os.destroy();
      await other.destroy();
    }
  },

  async obj_meta_update({ objm }) {
    const os = await newObj(objm, "JS_OBJ_META");
    try {
      const data = randomBytes(150000);
      await os.putBlob({ name: "old" }, data);
      await os.putBlob({ name: "taken" }, enc.encode("t"));
      await os.update("old", { name: "old", description: "described" });
      assert.equal((await os.info("old")).description, "described");
      await rejects(os.update("old", { name: "taken" }), "a rename onto an existing object");
      await os.update("old", { name: "new", description: "renamed" });
      assert.equal(await os.info("old"), null);
      assert.equal((await os.info("new")).description, "renamed");
      assert.ok(Buffer.from(await os.getBlob("new")).equals(data), "renamed data");
      await rejects(os.update("missing", { name: "x" }), "update of a missing object");
    } finally {
      await os.destroy();
    }
  },

  async obj_watch({ objm }) {
    const os = await newObj(objm, "JS_OBJ_WATCH");
    try {
      await os.putBlob({ name: "a" }, enc.encode("1"));
      await os.putBlob({ name: "b" }, enc.encode("2"));
      let w = await os.watch({ includeHistory: true });
      let next = reader(w);
      const initial = [(await next("initial 0")).name, (await next("initial 1")).name];
      assert.deepEqual(initial.sort(), ["a", "b"]);
      await os.putBlob({ name: "c" }, enc.encode("3"));
      await os.delete("a");
      const live = [];
      for (let i = 0; i < 2; i++) {
        const info = await next(`update ${i}`);
        assert.equal(info.isUpdate, true);
        live.push(`${info.name} deleted=${!!info.deleted}`);
      }
      assert.deepEqual(live, ["c deleted=false", "a deleted=true"]);
      w.stop();

      w = await os.watch();
      next = reader(w);
      await os.putBlob({ name: "d" }, enc.encode("4"));
      assert.equal((await next("updates only")).name, "d");
      w.stop();

      w = await os.watch({ includeHistory: true, ignoreDeletes: true });
      next = reader(w);
      const names = [];
      for (let i = 0; i < 3; i++) names.push((await next(`ignore deletes ${i}`)).name);
      assert.deepEqual(names.sort(), ["b", "c", "d"]);
      w.stop();
    } finally {
      await os.destroy();
    }
  },

  async obj_seal({ objm }) {
    const os = await newObj(objm, "JS_OBJ_SEAL");
    try {
      await os.putBlob({ name: "kept" }, enc.encode("here"));
      const st = await os.seal();
      assert.equal(st.sealed, true);
      assert.equal((await os.status()).sealed, true);
      await rejects(os.putBlob({ name: "more" }, enc.encode("x")), "a put into a sealed store");
      await rejects(os.delete("kept"), "a delete in a sealed store");
      assert.equal(dec.decode(await os.getBlob("kept")), "here");
    } finally {
      await os.destroy();
    }
  },
};

const only = process.argv[2] ? process.argv[2].split(",") : null;
const nc = await connect({ servers: process.env.NATS_URL || "nats://127.0.0.1:4222", timeout: 10000 });
const { headers } = await import("@nats-io/transport-node");
const ctx = { kvm: new Kvm(nc), objm: new Objm(nc), headers };
let failed = 0;
for (const [name, run] of Object.entries(scenarios)) {
  if (only && !only.includes(name)) continue;
  const start = Date.now();
  let timer;
  try {
    await Promise.race([run(ctx), new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error("no end within 60s")), 60_000);
    })]);
    console.log(`ok ${name} (${Date.now() - start}ms)`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}: ${err.stack || err}`);
  } finally {
    clearTimeout(timer);
  }
}
await nc.close();
if (failed > 0) console.log(`${failed} scenario(s) failed`);
process.exit(failed > 0 ? 1 : 0);
