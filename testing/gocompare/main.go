// gocompare: JetStream scenarios through nats.go whose output compare.sh diffs
// between nats-server and our gateway. Each line is "<scenario>: <what was seen>".
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

var nc *nats.Conn
var js nats.JetStreamContext

func out(sc string, format string, args ...interface{}) {
	fmt.Printf("%s: %s\n", sc, fmt.Sprintf(format, args...))
}

func must(sc string, err error) bool {
	if err != nil {
		out(sc, "ERR %v", err)
		return false
	}
	return true
}

func addStream(sc string, cfg *nats.StreamConfig) bool {
	_, err := js.AddStream(cfg)
	return must(sc+"/addstream", err)
}

func pub(sc, subj string, n int) {
	for i := 1; i <= n; i++ {
		if _, err := js.Publish(subj, []byte(fmt.Sprintf("m%d", i))); err != nil {
			out(sc, "pub ERR %v", err)
			return
		}
	}
}

func ci(sc, stream, name string) {
	info, err := js.ConsumerInfo(stream, name)
	if !must(sc+"/info", err) {
		return
	}
	out(sc, "info delivered=%d/%d ackfloor=%d/%d ackpending=%d redelivered=%d pending=%d waiting=%d",
		info.Delivered.Consumer, info.Delivered.Stream, info.AckFloor.Consumer, info.AckFloor.Stream,
		info.NumAckPending, info.NumRedelivered, info.NumPending, info.NumWaiting)
}

func si(sc, stream string) {
	info, err := js.StreamInfo(stream)
	if !must(sc+"/sinfo", err) {
		return
	}
	out(sc, "sinfo msgs=%d first=%d last=%d consumers=%d", info.State.Msgs, info.State.FirstSeq, info.State.LastSeq, info.State.Consumers)
}

func meta(sc string, m *nats.Msg) string {
	md, err := m.Metadata()
	if err != nil {
		return "meta ERR " + err.Error()
	}
	return fmt.Sprintf("%s %s s=%d c=%d d=%d p=%d", m.Subject, string(m.Data), md.Sequence.Stream, md.Sequence.Consumer, md.NumDelivered, md.NumPending)
}

func fetch(sc string, sub *nats.Subscription, n int, wait time.Duration) []*nats.Msg {
	msgs, err := sub.Fetch(n, nats.MaxWait(wait))
	if err != nil {
		out(sc, "fetch(%d) ERR %v (got %d)", n, err, len(msgs))
	}
	for _, m := range msgs {
		out(sc, "got %s", meta(sc, m))
	}
	return msgs
}

func pullBasics() {
	sc := "pull"
	if !addStream(sc, &nats.StreamConfig{Name: "PULL", Subjects: []string{"pull.>"}}) {
		return
	}
	pub(sc, "pull.a", 5)
	sub, err := js.PullSubscribe("pull.>", "pc", nats.AckWait(2*time.Second))
	if !must(sc, err) {
		return
	}
	msgs := fetch(sc, sub, 3, time.Second)
	ci(sc, "PULL", "pc")
	for _, m := range msgs {
		m.Ack()
	}
	msgs = fetch(sc, sub, 10, time.Second)
	if len(msgs) > 0 {
		must(sc+"/nak", msgs[0].Nak())
		must(sc+"/term", msgs[1].Term())
		must(sc+"/acksync", msgs[1].AckSync())
	}
	time.Sleep(100 * time.Millisecond)
	ci(sc, "PULL", "pc")
	msgs = fetch(sc, sub, 10, time.Second)
	for _, m := range msgs {
		must(sc+"/acksync", m.AckSync())
	}
	ci(sc, "PULL", "pc")
	fetch(sc, sub, 1, 500*time.Millisecond)
	// No wait fetch when empty
	_, err = sub.Fetch(1, nats.MaxWait(200*time.Millisecond))
	out(sc, "empty fetch err=%v", err)
	si(sc, "PULL")
}

func pushBasics() {
	sc := "push"
	if !addStream(sc, &nats.StreamConfig{Name: "PUSH", Subjects: []string{"push.*"}}) {
		return
	}
	pub(sc, "push.a", 3)
	pub(sc, "push.b", 2)
	sub, err := js.SubscribeSync("push.*", nats.Durable("pd"), nats.ManualAck(), nats.AckExplicit())
	if !must(sc, err) {
		return
	}
	for i := 0; i < 5; i++ {
		m, err := sub.NextMsg(2 * time.Second)
		if !must(sc, err) {
			break
		}
		out(sc, "got %s", meta(sc, m))
		if i < 3 {
			m.AckSync()
		}
	}
	ci(sc, "PUSH", "pd")
	sub.Unsubscribe()
	time.Sleep(100 * time.Millisecond)
	// durable stays after Unsubscribe? (nats.go deletes consumers it created)
	_, err = js.ConsumerInfo("PUSH", "pd")
	out(sc, "after unsubscribe info err=%v", err)
	names := []string{}
	for n := range js.ConsumerNames("PUSH") {
		names = append(names, n)
	}
	out(sc, "names %v", names)
}

func pushBind() {
	sc := "pushbind"
	if !addStream(sc, &nats.StreamConfig{Name: "PB", Subjects: []string{"pb.*"}}) {
		return
	}
	_, err := js.AddConsumer("PB", &nats.ConsumerConfig{Durable: "d", DeliverSubject: "deliver.pb", AckPolicy: nats.AckExplicitPolicy, AckWait: time.Second})
	if !must(sc, err) {
		return
	}
	pub(sc, "pb.x", 4)
	sub, err := js.SubscribeSync("pb.*", nats.Bind("PB", "d"), nats.ManualAck())
	if !must(sc, err) {
		return
	}
	for i := 0; i < 4; i++ {
		m, err := sub.NextMsg(2 * time.Second)
		if !must(sc, err) {
			break
		}
		out(sc, "got %s", meta(sc, m))
		if i%2 == 0 {
			m.Ack()
		}
	}
	// Unacked come back after ack wait.
	for i := 0; i < 2; i++ {
		m, err := sub.NextMsg(3 * time.Second)
		if !must(sc, err) {
			break
		}
		out(sc, "redelivered %s", meta(sc, m))
		m.AckSync()
	}
	ci(sc, "PB", "d")
	sub.Unsubscribe()
	_, err = js.ConsumerInfo("PB", "d")
	out(sc, "after unsubscribe bound info err=%v", err)
}

func ordered() {
	sc := "ordered"
	if !addStream(sc, &nats.StreamConfig{Name: "ORD", Subjects: []string{"ord.>"}}) {
		return
	}
	pub(sc, "ord.x", 5)
	sub, err := js.SubscribeSync("ord.>", nats.OrderedConsumer())
	if !must(sc, err) {
		return
	}
	for i := 0; i < 5; i++ {
		m, err := sub.NextMsg(2 * time.Second)
		if !must(sc, err) {
			break
		}
		md, _ := m.Metadata()
		out(sc, "got %s s=%d", string(m.Data), md.Sequence.Stream)
	}
	sub.Unsubscribe()
}

func deliverPolicies() {
	sc := "deliver"
	if !addStream(sc, &nats.StreamConfig{Name: "DP", Subjects: []string{"dp.*"}}) {
		return
	}
	pub(sc, "dp.a", 3)
	pub(sc, "dp.b", 3)
	opts := map[string][]nats.SubOpt{
		"all":      {nats.DeliverAll()},
		"last":     {nats.DeliverLast()},
		"new":      {nats.DeliverNew()},
		"startseq": {nats.StartSequence(4)},
		"lastper":  {nats.DeliverLastPerSubject()},
	}
	keys := []string{"all", "last", "new", "startseq", "lastper"}
	for _, k := range keys {
		sub, err := js.PullSubscribe("dp.*", "c"+k, opts[k]...)
		if !must(sc+"/"+k, err) {
			continue
		}
		msgs, err := sub.Fetch(10, nats.MaxWait(500*time.Millisecond))
		got := []string{}
		for _, m := range msgs {
			md, _ := m.Metadata()
			got = append(got, fmt.Sprintf("%s:%d:p%d", m.Subject, md.Sequence.Stream, md.NumPending))
			m.Ack()
		}
		out(sc+"/"+k, "got %v err=%v", got, err)
		ci(sc+"/"+k, "DP", "c"+k)
	}
}

func maxDeliver() {
	sc := "maxdeliver"
	if !addStream(sc, &nats.StreamConfig{Name: "MD", Subjects: []string{"md"}}) {
		return
	}
	adv, _ := nc.SubscribeSync("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.MD.*")
	pub(sc, "md", 1)
	sub, err := js.PullSubscribe("md", "c", nats.MaxDeliver(2), nats.AckWait(500*time.Millisecond))
	if !must(sc, err) {
		return
	}
	for i := 0; i < 3; i++ {
		msgs, err := sub.Fetch(1, nats.MaxWait(1500*time.Millisecond))
		if err != nil {
			out(sc, "fetch %d err=%v", i, err)
			continue
		}
		out(sc, "got %s", meta(sc, msgs[0]))
	}
	m, err := adv.NextMsg(2 * time.Second)
	if err == nil {
		var a map[string]interface{}
		json.Unmarshal(m.Data, &a)
		out(sc, "advisory type=%v stream=%v consumer=%v seq=%v deliveries=%v", a["type"], a["stream"], a["consumer"], a["stream_seq"], a["deliveries"])
	} else {
		out(sc, "advisory err=%v", err)
	}
	ci(sc, "MD", "c")
}

func mgmt() {
	sc := "mgmt"
	if !addStream(sc, &nats.StreamConfig{Name: "MG", Subjects: []string{"mg.>"}}) {
		return
	}
	_, err := js.AddConsumer("MG", &nats.ConsumerConfig{Durable: "a", AckPolicy: nats.AckExplicitPolicy})
	out(sc, "add a err=%v", err)
	_, err = js.AddConsumer("MG", &nats.ConsumerConfig{Durable: "a", AckPolicy: nats.AckExplicitPolicy})
	out(sc, "add a again err=%v", err)
	_, err = js.AddConsumer("MG", &nats.ConsumerConfig{Durable: "a", AckPolicy: nats.AckAllPolicy})
	out(sc, "add a differing err=%v", err)
	_, err = js.AddConsumer("NOPE", &nats.ConsumerConfig{Durable: "a"})
	out(sc, "add to missing stream err=%v", err)
	_, err = js.UpdateConsumer("MG", &nats.ConsumerConfig{Durable: "a", AckPolicy: nats.AckExplicitPolicy, MaxAckPending: 10, Description: "x"})
	out(sc, "update a err=%v", err)
	_, err = js.UpdateConsumer("MG", &nats.ConsumerConfig{Durable: "zz", AckPolicy: nats.AckExplicitPolicy})
	out(sc, "update missing err=%v", err)
	_, err = js.AddConsumer("MG", &nats.ConsumerConfig{Durable: "b", FilterSubject: "mg.b", AckPolicy: nats.AckNonePolicy})
	out(sc, "add b err=%v", err)
	_, err = js.AddConsumer("MG", &nats.ConsumerConfig{Durable: "c", FilterSubject: "other", AckPolicy: nats.AckExplicitPolicy})
	out(sc, "add bad filter err=%v", err)
	_, err = js.AddConsumer("MG", &nats.ConsumerConfig{Durable: "d", DeliverSubject: "mg.x", AckPolicy: nats.AckExplicitPolicy})
	out(sc, "add deliver=stream subject err=%v", err)
	_, err = js.AddConsumer("MG", &nats.ConsumerConfig{Durable: "e.f", AckPolicy: nats.AckExplicitPolicy})
	out(sc, "add bad name err=%v", err)
	_, err = js.AddConsumer("MG", &nats.ConsumerConfig{Durable: "g", AckPolicy: nats.AckNonePolicy, MaxAckPending: 5})
	out(sc, "add ack none + map err=%v", err)
	names := []string{}
	for n := range js.ConsumerNames("MG") {
		names = append(names, n)
	}
	sort.Strings(names)
	out(sc, "names %v", names)
	n := 0
	for info := range js.ConsumersInfo("MG") {
		n++
		out(sc, "list %s ack=%v maxap=%d maxwaiting=%d ackwait=%v replay=%v deliver=%v desc=%q", info.Name, info.Config.AckPolicy, info.Config.MaxAckPending, info.Config.MaxWaiting, info.Config.AckWait, info.Config.ReplayPolicy, info.Config.DeliverPolicy, info.Config.Description)
	}
	err = js.DeleteConsumer("MG", "a")
	out(sc, "delete a err=%v", err)
	err = js.DeleteConsumer("MG", "a")
	out(sc, "delete a again err=%v", err)
	_, err = js.ConsumerInfo("MG", "a")
	out(sc, "info a err=%v", err)
	si(sc, "MG")
	// ephemeral consumer
	info, err := js.AddConsumer("MG", &nats.ConsumerConfig{AckPolicy: nats.AckExplicitPolicy, InactiveThreshold: 500 * time.Millisecond})
	if must(sc, err) {
		out(sc, "ephemeral name len=%d durable=%q", len(info.Name), info.Config.Durable)
		time.Sleep(2 * time.Second)
		_, err = js.ConsumerInfo("MG", info.Name)
		out(sc, "ephemeral after inactive err=%v", err)
	}
	err = js.DeleteStream("MG")
	out(sc, "delete stream err=%v", err)
	_, err = js.ConsumerInfo("MG", "b")
	out(sc, "info after stream delete err=%v", err)
}

func queuePush() {
	sc := "queue"
	if !addStream(sc, &nats.StreamConfig{Name: "QP", Subjects: []string{"qp"}}) {
		return
	}
	count := make(chan string, 100)
	s1, err := js.QueueSubscribe("qp", "workers", func(m *nats.Msg) { count <- string(m.Data); m.Ack() }, nats.Durable("workers"), nats.ManualAck())
	if !must(sc, err) {
		return
	}
	s2, err := js.QueueSubscribe("qp", "workers", func(m *nats.Msg) { count <- string(m.Data); m.Ack() }, nats.Durable("workers"), nats.ManualAck())
	if !must(sc, err) {
		return
	}
	pub(sc, "qp", 10)
	got := map[string]int{}
	deadline := time.After(3 * time.Second)
loop:
	for len(got) < 10 {
		select {
		case d := <-count:
			got[d]++
		case <-deadline:
			break loop
		}
	}
	time.Sleep(200 * time.Millisecond)
	out(sc, "distinct=%d", len(got))
	ci(sc, "QP", "workers")
	s1.Unsubscribe()
	s2.Unsubscribe()
}

func workQueue() {
	sc := "wq"
	if !addStream(sc, &nats.StreamConfig{Name: "WQ", Subjects: []string{"wq.*"}, Retention: nats.WorkQueuePolicy}) {
		return
	}
	pub(sc, "wq.a", 3)
	si(sc, "WQ")
	sub, err := js.PullSubscribe("wq.*", "w")
	if !must(sc, err) {
		return
	}
	msgs := fetch(sc, sub, 2, time.Second)
	for _, m := range msgs {
		m.AckSync()
	}
	si(sc, "WQ")
	_, err = js.PullSubscribe("wq.*", "w2")
	out(sc, "second overlapping err=%v", err)
	_, err = js.AddConsumer("WQ", &nats.ConsumerConfig{Durable: "w3", FilterSubject: "wq.b", AckPolicy: nats.AckExplicitPolicy})
	out(sc, "filtered overlapping err=%v", err)
}

func interest() {
	sc := "interest"
	if !addStream(sc, &nats.StreamConfig{Name: "IN", Subjects: []string{"in.*"}, Retention: nats.InterestPolicy}) {
		return
	}
	pub(sc, "in.a", 2)
	si(sc, "IN")
	s1, err := js.PullSubscribe("in.*", "i1")
	if !must(sc, err) {
		return
	}
	s2, err := js.PullSubscribe("in.a", "i2")
	if !must(sc, err) {
		return
	}
	pub(sc, "in.a", 2)
	pub(sc, "in.b", 1)
	si(sc, "IN")
	for _, m := range fetch(sc, s1, 10, time.Second) {
		m.AckSync()
	}
	si(sc, "IN")
	for _, m := range fetch(sc, s2, 10, time.Second) {
		m.AckSync()
	}
	si(sc, "IN")
}

func headersAndKV() {
	sc := "hdr"
	if !addStream(sc, &nats.StreamConfig{Name: "HD", Subjects: []string{"hd"}}) {
		return
	}
	m := nats.NewMsg("hd")
	m.Header.Set("X-A", "1")
	m.Data = []byte("body")
	_, err := js.PublishMsg(m)
	must(sc, err)
	sub, err := js.PullSubscribe("hd", "h", nats.DeliverAll())
	if !must(sc, err) {
		return
	}
	msgs, err := sub.Fetch(1, nats.MaxWait(time.Second))
	if must(sc, err) {
		out(sc, "header X-A=%q data=%q", msgs[0].Header.Get("X-A"), string(msgs[0].Data))
	}
	sc = "kv"
	kv, err := js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "b1", History: 3})
	if !must(sc, err) {
		return
	}
	r1, err := kv.Put("k1", []byte("v1"))
	out(sc, "put rev=%d err=%v", r1, err)
	kv.Put("k1", []byte("v2"))
	e, err := kv.Get("k1")
	if must(sc, err) {
		out(sc, "get %s rev=%d", string(e.Value()), e.Revision())
	}
	_, err = kv.Create("k1", []byte("x"))
	out(sc, "create existing err=%v", err)
	_, err = kv.Update("k1", []byte("x"), 1)
	out(sc, "update wrong rev err=%v", err)
	kv.Delete("k1")
	_, err = kv.Get("k1")
	out(sc, "get deleted err=%v", err)
	kv.Put("k2", []byte("v"))
	keys, err := kv.Keys()
	out(sc, "keys %v err=%v", keys, err)
	h, err := kv.History("k1")
	out(sc, "history len=%d err=%v", len(h), err)
	w, err := kv.WatchAll()
	if must(sc, err) {
		for i := 0; i < 3; i++ {
			select {
			case e := <-w.Updates():
				if e == nil {
					out(sc, "watch initial done")
				} else {
					out(sc, "watch %s %s op=%v", e.Key(), string(e.Value()), e.Operation())
				}
			case <-time.After(2 * time.Second):
				out(sc, "watch timeout")
			}
		}
		w.Stop()
	}
}

func moreAcks() {
	sc := "acks2"
	if !addStream(sc, &nats.StreamConfig{Name: "A2", Subjects: []string{"a2"}}) {
		return
	}
	pub(sc, "a2", 6)
	sub, err := js.PullSubscribe("a2", "all", nats.AckAll())
	if !must(sc, err) {
		return
	}
	msgs := fetch(sc, sub, 4, time.Second)
	if len(msgs) == 4 {
		must(sc, msgs[2].AckSync())
	}
	ci(sc, "A2", "all")
	sub2, err := js.PullSubscribe("a2", "nakd", nats.AckWait(5*time.Second))
	if !must(sc, err) {
		return
	}
	msgs = fetch(sc, sub2, 2, time.Second)
	if len(msgs) == 2 {
		must(sc, msgs[0].NakWithDelay(300*time.Millisecond))
		must(sc, msgs[1].InProgress())
	}
	time.Sleep(50 * time.Millisecond)
	ci(sc, "A2", "nakd")
	msgs = fetch(sc, sub2, 1, 2*time.Second)
	for _, m := range msgs {
		m.AckSync()
	}
	ci(sc, "A2", "nakd")
	// max ack pending
	sub3, err := js.PullSubscribe("a2", "map", nats.MaxAckPending(2))
	if !must(sc, err) {
		return
	}
	fetch(sc, sub3, 5, 500*time.Millisecond)
	ci(sc, "A2", "map")
	// backoff
	_, err = js.AddConsumer("A2", &nats.ConsumerConfig{Durable: "bo", AckPolicy: nats.AckExplicitPolicy, BackOff: []time.Duration{200 * time.Millisecond, 400 * time.Millisecond}, MaxDeliver: 3})
	out(sc, "backoff add err=%v", err)
	_, err = js.AddConsumer("A2", &nats.ConsumerConfig{Durable: "bo2", AckPolicy: nats.AckExplicitPolicy, BackOff: []time.Duration{200 * time.Millisecond, 400 * time.Millisecond}, MaxDeliver: 1})
	out(sc, "backoff bad add err=%v", err)
	// pull with max bytes
	sub4, err := js.PullSubscribe("a2", "mb")
	if must(sc, err) {
		msgs, err := sub4.Fetch(5, nats.PullMaxBytes(100), nats.MaxWait(time.Second))
		out(sc, "maxbytes got=%d err=%v", len(msgs), err)
	}
}

func pushFeatures() {
	sc := "push2"
	if !addStream(sc, &nats.StreamConfig{Name: "P2", Subjects: []string{"p2.>"}}) {
		return
	}
	m := nats.NewMsg("p2.h")
	m.Header.Set("A", "b")
	m.Data = []byte("hello world")
	js.PublishMsg(m)
	pub(sc, "p2.x", 3)
	sub, err := js.SubscribeSync("p2.>", nats.HeadersOnly(), nats.IdleHeartbeat(500*time.Millisecond), nats.EnableFlowControl())
	if !must(sc, err) {
		return
	}
	for i := 0; i < 4; i++ {
		m, err := sub.NextMsg(2 * time.Second)
		if !must(sc, err) {
			break
		}
		out(sc, "got %s len=%d size=%q A=%q", m.Subject, len(m.Data), m.Header.Get("Nats-Msg-Size"), m.Header.Get("A"))
	}
	info, err := sub.ConsumerInfo()
	if must(sc, err) {
		out(sc, "ephemeral cfg hb=%v fc=%v ho=%v ack=%v durable=%q", info.Config.Heartbeat, info.Config.FlowControl, info.Config.HeadersOnly, info.Config.AckPolicy, info.Config.Durable)
		name := info.Name
		sub.Unsubscribe()
		time.Sleep(200 * time.Millisecond)
		_, err = js.ConsumerInfo("P2", name)
		out(sc, "ephemeral after unsubscribe err=%v", err)
	}
	// deliver group mismatch
	_, err = js.QueueSubscribeSync("p2.>", "g1", nats.Durable("qd"))
	out(sc, "queue sub err=%v", err)
	_, err = js.QueueSubscribeSync("p2.>", "g2", nats.Durable("qd"))
	out(sc, "queue mismatch err=%v", err)
	_, err = js.SubscribeSync("p2.>", nats.Durable("qd"))
	out(sc, "non-queue on queue durable err=%v", err)
	// Subscribe to an already-active push durable
	_, err = js.SubscribeSync("p2.>", nats.Durable("solo"))
	out(sc, "solo err=%v", err)
	_, err = js.SubscribeSync("p2.>", nats.Durable("solo"))
	out(sc, "solo twice err=%v", err)
	// replay original
	sub5, err := js.SubscribeSync("p2.x", nats.ReplayOriginal())
	if must(sc, err) {
		for i := 0; i < 3; i++ {
			m, err := sub5.NextMsg(2 * time.Second)
			if !must(sc, err) {
				break
			}
			out(sc, "replay %s", string(m.Data))
		}
	}
	// Pull consumer config errors
	_, err = js.PullSubscribe("p2.>", "pp", nats.MaxRequestBatch(2))
	if err == nil {
		s, _ := js.PullSubscribe("p2.>", "pp", nats.MaxRequestBatch(2))
		if s != nil {
			_, err = s.Fetch(5, nats.MaxWait(500*time.Millisecond))
			out(sc, "fetch over max batch err=%v", err)
		}
	} else {
		out(sc, "pp err=%v", err)
	}
	ci(sc, "P2", "pp")
	_, err = js.AddConsumer("P2", &nats.ConsumerConfig{Durable: "bad1", DeliverSubject: "x.y", MaxWaiting: 5, AckPolicy: nats.AckExplicitPolicy})
	out(sc, "push with max_waiting err=%v", err)
	_, err = js.AddConsumer("P2", &nats.ConsumerConfig{Durable: "bad2", Heartbeat: time.Second, AckPolicy: nats.AckExplicitPolicy})
	out(sc, "pull with heartbeat err=%v", err)
	_, err = js.AddConsumer("P2", &nats.ConsumerConfig{Durable: "bad3", DeliverPolicy: nats.DeliverByStartSequencePolicy, AckPolicy: nats.AckExplicitPolicy})
	out(sc, "startseq without seq err=%v", err)
	_, err = js.AddConsumer("P2", &nats.ConsumerConfig{Durable: "bad4", FlowControl: true, AckPolicy: nats.AckExplicitPolicy})
	out(sc, "pull flow control err=%v", err)
	_, err = js.AddConsumer("P2", &nats.ConsumerConfig{Durable: "bad5", RateLimit: 1000, AckPolicy: nats.AckExplicitPolicy})
	out(sc, "pull rate limit err=%v", err)
	_, err = js.AddConsumer("P2", &nats.ConsumerConfig{Durable: "bad6", AckPolicy: nats.AckExplicitPolicy, DeliverGroup: "g"})
	out(sc, "pull deliver group err=%v", err)
}

func streamOps() {
	sc := "sops"
	if !addStream(sc, &nats.StreamConfig{Name: "SO", Subjects: []string{"so.*"}}) {
		return
	}
	pub(sc, "so.a", 5)
	sub, err := js.PullSubscribe("so.*", "c")
	if !must(sc, err) {
		return
	}
	fetch(sc, sub, 2, time.Second)
	must(sc, js.PurgeStream("SO"))
	ci(sc, "SO", "c")
	pub(sc, "so.a", 2)
	ci(sc, "SO", "c")
	fetch(sc, sub, 5, time.Second)
	err = js.DeleteMsg("SO", 7)
	out(sc, "delete msg err=%v", err)
	si(sc, "SO")
	must(sc, js.PurgeStream("SO", &nats.StreamPurgeRequest{Subject: "so.a"}))
	si(sc, "SO")
}

func limitsAndDeletes() {
	sc := "lim"
	if !addStream(sc, &nats.StreamConfig{Name: "LM", Subjects: []string{"lm"}, MaxMsgs: 3}) {
		return
	}
	sub, err := js.PullSubscribe("lm", "c")
	if !must(sc, err) {
		return
	}
	pub(sc, "lm", 10)
	ci(sc, "LM", "c")
	fetch(sc, sub, 10, time.Second)
	sc = "del"
	if !addStream(sc, &nats.StreamConfig{Name: "DL", Subjects: []string{"dl"}}) {
		return
	}
	sub2, err := js.PullSubscribe("dl", "c")
	if !must(sc, err) {
		return
	}
	pub(sc, "dl", 4)
	must(sc, js.DeleteMsg("DL", 2))
	ci(sc, "DL", "c")
	fetch(sc, sub2, 10, time.Second)
	sc = "age"
	if !addStream(sc, &nats.StreamConfig{Name: "AG", Subjects: []string{"ag"}, MaxAge: time.Second}) {
		return
	}
	sub3, err := js.PullSubscribe("ag", "c")
	if !must(sc, err) {
		return
	}
	pub(sc, "ag", 2)
	time.Sleep(2500 * time.Millisecond)
	ci(sc, "AG", "c")
	si(sc, "AG")
	fetch(sc, sub3, 10, time.Second)
}

func phase1() {
	sc := "restart1"
	if !addStream(sc, &nats.StreamConfig{Name: "RS", Subjects: []string{"rs"}}) {
		return
	}
	pub(sc, "rs", 5)
	sub, err := js.PullSubscribe("rs", "dur")
	if !must(sc, err) {
		return
	}
	msgs := fetch(sc, sub, 3, time.Second)
	for _, m := range msgs[:2] {
		m.AckSync()
	}
	ci(sc, "RS", "dur")
	_, err = js.AddConsumer("RS", &nats.ConsumerConfig{Durable: "push", DeliverSubject: "rs.deliver", AckPolicy: nats.AckExplicitPolicy})
	must(sc, err)
}

func phase2() {
	sc := "restart2"
	ci(sc, "RS", "dur")
	ci(sc, "RS", "push")
	si(sc, "RS")
	sub, err := js.PullSubscribe("rs", "dur")
	if !must(sc, err) {
		return
	}
	msgs := fetch(sc, sub, 10, 3*time.Second)
	for _, m := range msgs {
		m.AckSync()
	}
	ci(sc, "RS", "dur")
}

func main() {
	url := flag.String("url", "nats://127.0.0.1:4222", "")
	phase := flag.String("phase", "main", "main|1|2")
	only := flag.String("only", "", "")
	flag.Parse()
	var err error
	nc, err = nats.Connect(*url)
	if err != nil {
		fmt.Println("connect:", err)
		os.Exit(1)
	}
	js, _ = nc.JetStream(nats.MaxWait(5 * time.Second))
	switch *phase {
	case "1":
		phase1()
	case "2":
		phase2()
	default:
		all := map[string]func(){"pull": pullBasics, "push": pushBasics, "pushbind": pushBind, "ordered": ordered,
			"deliver": deliverPolicies, "maxdeliver": maxDeliver, "mgmt": mgmt, "queue": queuePush, "wq": workQueue,
			"interest": interest, "hdr": headersAndKV, "acks2": moreAcks, "push2": pushFeatures, "sops": streamOps, "lim": limitsAndDeletes}
		names := []string{"pull", "push", "pushbind", "ordered", "deliver", "maxdeliver", "mgmt", "queue", "wq", "interest", "hdr", "acks2", "push2", "sops", "lim"}
		for _, n := range names {
			if *only != "" && !strings.Contains(","+*only+",", ","+n+",") {
				continue
			}
			all[n]()
		}
	}
	nc.Flush()
	nc.Close()
}
