#!/usr/bin/env node
// Checks the stream and consumer features of nats-server 2.10's JetStream
// API end to end through nats.js v3 (@nats-io/jetstream, pinned in
// package-lock.json): first_seq, subject_transform, compression "s2"
// stored and read back, metadata, filter_subjects, consumer_limits, and the
// error for deleting a sequence past the last. Connects to $NATS_URL, runs
// every scenario, prints "ok NAME", "skip NAME: why" or "FAIL NAME: why" per
// scenario and exits 1 when any failed. Streams are named per scenario and
// deleted afterwards.
//
// A server announcing a version below 2.10 (the Debian nats-server 2.9.10
// the reference deployment runs) lacks these features: every scenario is
// skipped there.
//
//   NATS_URL=nats://127.0.0.1:4222 node api210.mjs [scenario,...]
import assert from "node:assert/strict";

let connect, jetstream, jetstreamManager, JetStreamApiError, StoreCompression, AckPolicy;
try {
  ({ connect } = await import("@nats-io/transport-node"));
  ({ jetstream, jetstreamManager, JetStreamApiError, StoreCompression, AckPolicy } =
    await import("@nats-io/jetstream"));
} catch (err) {
  console.log(`FAIL import: ${err.message}\n` +
    "(./bazelw installs the packages: npm ci in testing/clients/js)");
  process.exit(1);
}

async function newStream(jsm, cfg) {
  try {
    await jsm.streams.delete(cfg.name);
  } catch {
    // not there
  }
  return jsm.streams.add(cfg);
}

async function expectApiError(promise, errCode, what) {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof JetStreamApiError, `${what}: ${err}`);
    assert.equal(err.code, errCode, `${what}: ${err.message}`);
    return err;
  }
  assert.fail(`${what}: no error, want err_code ${errCode}`);
}

async function fetchAll(consumer, max) {
  const got = [];
  const iter = await consumer.fetch({ max_messages: max, expires: 1000 });
  for await (const m of iter) {
    got.push(m);
    m.ack();
  }
  return got;
}

const scenarios = {
  async stream_first_seq(jsm, js) {
    const si = await newStream(jsm, { name: "T210_FIRST", subjects: ["first.>"], first_seq: 100 });
    assert.equal(si.config.first_seq, 100);
    assert.equal(si.state.first_seq, 100);
    assert.equal(si.state.last_seq, 99);
    const ack = await js.publish("first.a", "x");
    assert.equal(ack.seq, 100);
    const again = await jsm.streams.info("T210_FIRST");
    assert.equal(again.state.messages, 1);
    assert.equal(again.state.first_seq, 100);
    await jsm.streams.delete("T210_FIRST");
  },

  async stream_subject_transform(jsm, js) {
    const si = await newStream(jsm, {
      name: "T210_TR",
      subjects: ["in.>"],
      subject_transform: { src: "in.*.*", dest: "out.{{wildcard(2)}}.$1" },
    });
    assert.deepEqual(si.config.subject_transform, { src: "in.*.*", dest: "out.{{wildcard(2)}}.$1" });
    await js.publish("in.a.b", "1");
    await js.publish("in.c", "2");  // Not matched by src: stored as published.
    const m1 = await jsm.streams.getMessage("T210_TR", { seq: 1 });
    assert.equal(m1.subject, "out.b.a");
    const m2 = await jsm.streams.getMessage("T210_TR", { seq: 2 });
    assert.equal(m2.subject, "in.c");
    const c = await jsm.consumers.add("T210_TR", {
      name: "c", ack_policy: AckPolicy.Explicit, filter_subject: "out.>",
    });
    const got = await fetchAll(await js.consumers.get("T210_TR", c.name), 10);
    assert.deepEqual(got.map((m) => m.subject), ["out.b.a"]);
    const bad = await expectApiError(
      newStream(jsm, {
        name: "T210_TR_BAD", subjects: ["bad.>"],
        subject_transform: { src: "bad.*", dest: "x.$2" },
      }),
      10049, "bad transform");
    assert.equal(bad.message,
      "stream subject transform from 'bad.*' to 'x.$2': invalid mapping destination: " +
      "wildcard index out of range in $2: [2]");
    await jsm.streams.delete("T210_TR");
  },

  async stream_compression_s2(jsm, js) {
    const si = await newStream(jsm, {
      name: "T210_S2", subjects: ["s2.>"], compression: StoreCompression.S2,
    });
    assert.equal(si.config.compression, "s2");
    const big = "compressible ".repeat(20000);
    await js.publish("s2.big", big);
    await js.publish("s2.small", "x");
    let m = await jsm.streams.getMessage("T210_S2", { seq: 1 });
    assert.equal(m.string(), big);
    assert.equal((await jsm.streams.getMessage("T210_S2", { seq: 2 })).string(), "x");
    const info = await jsm.streams.info("T210_S2");
    // Bytes count the message as published, whatever the compression.
    assert.ok(info.state.bytes > big.length, `bytes ${info.state.bytes}`);
    const updated = await jsm.streams.update("T210_S2", {
      ...info.config, compression: StoreCompression.None,
    });
    assert.equal(updated.config.compression, "none");
    await js.publish("s2.after", big);
    m = await jsm.streams.getMessage("T210_S2", { seq: 3 });
    assert.equal(m.string(), big);
    m = await jsm.streams.getMessage("T210_S2", { seq: 1 });
    assert.equal(m.string(), big);
    const plain = await newStream(jsm, { name: "T210_S2_NONE", subjects: ["none.>"] });
    assert.equal(plain.config.compression, "none");
    await jsm.streams.delete("T210_S2_NONE");
    await jsm.streams.delete("T210_S2");
  },

  async metadata_and_filter_subjects(jsm, js) {
    const si = await newStream(jsm, {
      name: "T210_META", subjects: ["f.>"], metadata: { owner: "team-a" },
    });
    assert.deepEqual(si.config.metadata, { owner: "team-a" });
    for (const s of ["f.a", "f.b", "f.c", "f.a"]) await js.publish(s, s);
    const ci = await jsm.consumers.add("T210_META", {
      durable_name: "multi",
      ack_policy: AckPolicy.Explicit,
      filter_subjects: ["f.a", "f.c"],
      metadata: { purpose: "test" },
    });
    assert.deepEqual(ci.config.filter_subjects, ["f.a", "f.c"]);
    assert.deepEqual(ci.config.metadata, { purpose: "test" });
    assert.equal(ci.num_pending, 3);
    const got = await fetchAll(await js.consumers.get("T210_META", "multi"), 10);
    assert.deepEqual(got.map((m) => m.subject), ["f.a", "f.c", "f.a"]);
    await expectApiError(
      jsm.consumers.add("T210_META", {
        durable_name: "overlap", ack_policy: AckPolicy.Explicit, filter_subjects: ["f.*", "f.a"],
      }),
      10138, "overlapping filters");
    await jsm.streams.delete("T210_META");
  },

  async consumer_limits(jsm) {
    const si = await newStream(jsm, {
      name: "T210_LIM", subjects: ["lim.>"],
      consumer_limits: { max_ack_pending: 10, inactive_threshold: 30_000_000_000 },
    });
    assert.deepEqual(si.config.consumer_limits,
      { max_ack_pending: 10, inactive_threshold: 30_000_000_000 });
    const ci = await jsm.consumers.add("T210_LIM", { name: "d", ack_policy: AckPolicy.Explicit });
    assert.equal(ci.config.max_ack_pending, 10);
    assert.equal(ci.config.inactive_threshold, 30_000_000_000);
    const tooMany = await expectApiError(
      jsm.consumers.add("T210_LIM", {
        name: "big", ack_policy: AckPolicy.Explicit, max_ack_pending: 20,
      }),
      10121, "max_ack_pending over the stream's limit");
    assert.equal(tooMany.message, "consumer max ack pending exceeds system limit of 10");
    const idle = await expectApiError(
      jsm.consumers.add("T210_LIM", {
        name: "idle", ack_policy: AckPolicy.Explicit, inactive_threshold: 60_000_000_000,
      }),
      10153, "inactive_threshold over the stream's limit");
    assert.equal(idle.message, "consumer inactive threshold exceeds system limit of 30s");
    const violated = await expectApiError(
      jsm.streams.update("T210_LIM", {
        ...si.config, consumer_limits: { max_ack_pending: 5, inactive_threshold: 30_000_000_000 },
      }),
      10069, "limits below a consumer's");
    assert.equal(violated.message, "change to limits violates consumers: d");
    await jsm.streams.delete("T210_LIM");
  },

  async delete_past_last(jsm, js) {
    await newStream(jsm, { name: "T210_DEL", subjects: ["del.>"] });
    await js.publish("del.a", "x");
    const err = await expectApiError(jsm.streams.deleteMessage("T210_DEL", 5), 10057, "past last");
    assert.equal(err.message, "stream store EOF");
    await jsm.streams.delete("T210_DEL");
  },
};

const nc = await connect({ servers: process.env.NATS_URL, timeout: 10000 });
const [major, minor] = nc.info.version.split(".").map(Number);
const before210 = major < 2 || (major === 2 && minor < 10);
const jsm = await jetstreamManager(nc, { timeout: 10000 });
const js = jetstream(nc, { timeout: 10000 });
const only = process.argv.slice(2).join(",").split(",").filter((s) => s);
let failed = 0;
for (const [name, run] of Object.entries(scenarios)) {
  if (only.length > 0 && !only.includes(name)) continue;
  if (before210) {
    console.log(`skip ${name}: server ${nc.info.version} predates 2.10`);
    continue;
  }
  const start = Date.now();
  try {
    await run(jsm, js);
    console.log(`ok ${name} (${Date.now() - start}ms)`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}: ${err.stack ?? err}`);
  }
}
await nc.close();
if (failed > 0) {
  console.log(`${failed} scenario(s) failed`);
  process.exit(1);
}
