// The seed article's walk-through through nats.go: the stream
// "devices-events" on devices.*.events, readings published with plain
// requests, the durable push consumer "temperature" delivering to
// devices.events, and a plain core subscriber acking by hand, going offline
// and coming back, also across a kill -9 restart (phase1f/phase2f).
package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/nats-io/nats.go"
)

func seedSetup(sc, stream, subjects, deliver string) bool {
	if !addStream(sc, &nats.StreamConfig{Name: stream, Subjects: []string{subjects}, Storage: nats.FileStorage}) {
		return false
	}
	_, err := js.AddConsumer(stream, &nats.ConsumerConfig{Durable: "temperature", DeliverSubject: deliver, DeliverPolicy: nats.DeliverAllPolicy, AckPolicy: nats.AckExplicitPolicy, AckWait: time.Second})
	return must(sc, err)
}

// seedPublish sends readings as plain requests and prints the PubAcks.
func seedPublish(sc, subjectFmt string, from, to int) {
	for i := from; i <= to; i++ {
		r, err := nc.Request(fmt.Sprintf(subjectFmt, i%2), []byte(fmt.Sprintf(`{"temp":%d}`, 20+i)), time.Second)
		if err != nil {
			out(sc, "reading %d err=%s", i, e(err))
			continue
		}
		var ack map[string]interface{}
		json.Unmarshal(r.Data, &ack)
		out(sc, "reading %d puback %v", i, ack)
	}
}

// seedListen reads up to n deliveries on a plain subscription, acking the
// first `ack` of them, and prints them sorted by stream sequence.
func seedListen(sc, deliver string, n, ack int) {
	sub, err := nc.SubscribeSync(deliver)
	if !must(sc, err) {
		return
	}
	got := []string{}
	for i := 0; i < n; i++ {
		m, err := sub.NextMsg(3 * time.Second)
		if err != nil {
			break
		}
		md, err := m.Metadata()
		if err != nil {
			got = append(got, "no metadata "+m.Subject)
			continue
		}
		got = append(got, fmt.Sprintf("%03d %s %s d%d", md.Sequence.Stream, m.Subject, string(m.Data), md.NumDelivered))
		if i < ack {
			if err := m.AckSync(); err != nil {
				got = append(got, "ack err "+e(err))
			}
		}
	}
	sub.Unsubscribe()
	sort.Strings(got)
	out(sc, "listener got %v", got)
}

func seedArticle() {
	sc := "seed"
	if !seedSetup(sc, "devices-events", "devices.*.events", "devices.events") {
		return
	}
	seedPublish(sc, "devices.%d.events", 1, 3)
	ciFull(sc, "devices-events", "temperature")
	seedListen(sc, "devices.events", 3, 2)
	time.Sleep(100 * time.Millisecond)
	ciFull(sc, "devices-events", "temperature")
	seedPublish(sc, "devices.%d.events", 4, 5)
	time.Sleep(1200 * time.Millisecond)
	seedListen(sc, "devices.events", 3, 3)
	time.Sleep(100 * time.Millisecond)
	ciFull(sc, "devices-events", "temperature")
	r, err := nc.Request("$JS.API.CONSUMER.DURABLE.CREATE.nope.temperature", []byte(`{"stream_name":"nope","config":{"durable_name":"temperature","deliver_subject":"devices.events","ack_policy":"explicit"}}`), time.Second)
	if err == nil {
		out(sc, "consumer on missing stream %s", errText(r.Data))
	}
	_, err = js.AddStream(&nats.StreamConfig{Name: "devices-events", Subjects: []string{"sensors.>"}})
	out(sc, "stream again with other subjects err=%s", e(err))
}

func phase1f() {
	sc := "restart1f"
	if !seedSetup(sc, "devices-events-r", "rdevices.*.events", "rdevices.events") {
		return
	}
	seedPublish(sc, "rdevices.%d.events", 1, 4)
	seedListen(sc, "rdevices.events", 4, 2)
	time.Sleep(100 * time.Millisecond)
	ciFull(sc, "devices-events-r", "temperature")
}

func phase2f() {
	sc := "restart2f"
	ciFull(sc, "devices-events-r", "temperature")
	seedPublish(sc, "rdevices.%d.events", 5, 5)
	seedListen(sc, "rdevices.events", 3, 3)
	time.Sleep(100 * time.Millisecond)
	ciFull(sc, "devices-events-r", "temperature")
	si(sc, "devices-events-r")
}

// phase1g/phase2g: what a kill -9 restart keeps of memory storage.
func phase1g() {
	sc := "restart1g"
	if addStream(sc, &nats.StreamConfig{Name: "MEMR", Subjects: []string{"memr"}, Storage: nats.MemoryStorage}) {
		pub(sc, "memr", 3)
		_, err := js.AddConsumer("MEMR", &nats.ConsumerConfig{Durable: "d", AckPolicy: nats.AckExplicitPolicy})
		must(sc, err)
	}
	if addStream(sc, &nats.StreamConfig{Name: "FILEMC", Subjects: []string{"filemc"}}) {
		pub(sc, "filemc", 3)
		sub, err := js.PullSubscribe("filemc", "memc", nats.ConsumerMemoryStorage())
		if must(sc, err) {
			fetchS(sc, sub, 2, 300*time.Millisecond, true)
		}
	}
	kv, err := js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "memkv", Storage: nats.MemoryStorage})
	if must(sc, err) {
		kv.Put("k", []byte("v"))
	}
}

func phase2g() {
	sc := "restart2g"
	info, err := js.StreamInfo("MEMR")
	if err == nil {
		out(sc, "memory stream after restart msgs=%d last=%d consumers=%d", info.State.Msgs, info.State.LastSeq, info.State.Consumers)
	} else {
		out(sc, "memory stream after restart err=%s", e(err))
	}
	ciFull(sc, "FILEMC", "memc")
	_, err = js.KeyValue("memkv")
	out(sc, "memory kv after restart err=%s", e(err))
}
