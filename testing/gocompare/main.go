// gocompare: JetStream scenarios through nats.go whose output compare.sh diffs
// between nats-server and our gateway. Each line is "<scenario>: <what was seen>".
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

var nc *nats.Conn
var verbose = flag.Bool("v", false, "details on stderr")
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
	out(sc, "distinct=%d", distinct(count, 10))
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

// ---- added scenarios ----

// e formats an error with its JetStream API code when there is one.
func e(err error) string {
	if err == nil {
		return "<nil>"
	}
	var ae *nats.APIError
	if errors.As(err, &ae) {
		return fmt.Sprintf("%v [%d/%d]", err, ae.Code, ae.ErrorCode)
	}
	return err.Error()
}

// rawPull sends one pull request and prints everything that arrives within
// wait, messages and status lines.
func rawPull(sc, stream, consumer, req string, wait time.Duration) {
	inbox := nats.NewInbox()
	s, err := nc.SubscribeSync(inbox)
	if !must(sc, err) {
		return
	}
	defer s.Unsubscribe()
	nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT."+stream+"."+consumer, inbox, []byte(req))
	deadline := time.Now().Add(wait)
	got := []string{}
	for {
		rem := time.Until(deadline)
		if rem <= 0 {
			break
		}
		m, err := s.NextMsg(rem)
		if err != nil {
			break
		}
		if st := m.Header.Get("Status"); st != "" && len(m.Data) == 0 && m.Reply == "" {
			got = append(got, fmt.Sprintf("status %s %q", st, m.Header.Get("Description")))
			continue
		}
		md, err := m.Metadata()
		if err != nil {
			got = append(got, fmt.Sprintf("?%s %q", m.Subject, string(m.Data)))
			continue
		}
		got = append(got, fmt.Sprintf("%s:%d:d%d", string(m.Data), md.Sequence.Stream, md.NumDelivered))
	}
	out(sc, "raw %s -> %v", req, got)
}

func ciFull(sc, stream, name string) {
	info, err := js.ConsumerInfo(stream, name)
	if err != nil {
		out(sc, "info %s ERR %s", name, e(err))
		return
	}
	c := info.Config
	out(sc, "info %s delivered=%d/%d ackfloor=%d/%d ackpending=%d redelivered=%d pending=%d waiting=%d | ack=%v ackwait=%v maxdeliver=%d filter=%q deliver=%v startseq=%d maxap=%d maxwaiting=%d replay=%v desc=%q push=%v hb=%v fc=%v inact=%v backoff=%v",
		name, info.Delivered.Consumer, info.Delivered.Stream, info.AckFloor.Consumer, info.AckFloor.Stream,
		info.NumAckPending, info.NumRedelivered, info.NumPending, info.NumWaiting,
		c.AckPolicy, c.AckWait, c.MaxDeliver, c.FilterSubject, c.DeliverPolicy, c.OptStartSeq, c.MaxAckPending, c.MaxWaiting, c.ReplayPolicy, c.Description, c.DeliverSubject != "", c.Heartbeat, c.FlowControl, c.InactiveThreshold, c.BackOff)
}

func fetchS(sc string, sub *nats.Subscription, n int, wait time.Duration, ack bool) []*nats.Msg {
	msgs, err := sub.Fetch(n, nats.MaxWait(wait))
	got := []string{}
	for _, m := range msgs {
		md, _ := m.Metadata()
		got = append(got, fmt.Sprintf("%s:%d:d%d", string(m.Data), md.Sequence.Stream, md.NumDelivered))
		if ack {
			m.AckSync()
		}
	}
	out(sc, "fetch(%d) %v err=%s", n, got, e(err))
	return msgs
}

func pubS(sc, subj string, data string) {
	if _, err := js.Publish(subj, []byte(data)); err != nil {
		out(sc, "pub %s ERR %s", subj, e(err))
	}
}

func fetchEmpty() {
	sc := "fetchempty"
	if !addStream(sc, &nats.StreamConfig{Name: "FE", Subjects: []string{"fe.>"}}) {
		return
	}
	sub, err := js.PullSubscribe("fe.>", "c", nats.AckWait(5*time.Second))
	if !must(sc, err) {
		return
	}
	fetchS(sc, sub, 1, 300*time.Millisecond, false)
	fetchS(sc, sub, 5, 300*time.Millisecond, false)
	time.Sleep(100 * time.Millisecond)
	ciFull(sc, "FE", "c")
	rawPull(sc, "FE", "c", `{"batch":1,"no_wait":true}`, 300*time.Millisecond)
	rawPull(sc, "FE", "c", `{"batch":3,"no_wait":true}`, 300*time.Millisecond)
	rawPull(sc, "FE", "c", `{"batch":1,"expires":200000000}`, 500*time.Millisecond)
	rawPull(sc, "FE", "c", `{"batch":1,"expires":200000000,"no_wait":true}`, 500*time.Millisecond)
	pubS(sc, "fe.a", "m1")
	pubS(sc, "fe.a", "m2")
	rawPull(sc, "FE", "c", `{"batch":5,"no_wait":true}`, 400*time.Millisecond)
	pubS(sc, "fe.a", "m3")
	pubS(sc, "fe.a", "m4")
	rawPull(sc, "FE", "c", `{"batch":5,"expires":300000000}`, 600*time.Millisecond)
	ciFull(sc, "FE", "c")
	// A request without expires keeps waiting: it shows in num_waiting.
	inbox := nats.NewInbox()
	s, _ := nc.SubscribeSync(inbox)
	nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.FE.c", inbox, []byte(`{"batch":2}`))
	nc.Flush()
	time.Sleep(100 * time.Millisecond)
	ciFull(sc, "FE", "c")
	pubS(sc, "fe.b", "m5")
	m, err := s.NextMsg(time.Second)
	if err == nil {
		out(sc, "waiting request got %q", string(m.Data))
	} else {
		out(sc, "waiting request err=%v", err)
	}
	time.Sleep(50 * time.Millisecond)
	ciFull(sc, "FE", "c")
	// "1" as a bare batch count
	pubS(sc, "fe.b", "m6")
	rawPull(sc, "FE", "c", `1`, 300*time.Millisecond)
	rawPull(sc, "FE", "c", ``, 300*time.Millisecond)
	rawPull(sc, "FE", "c", `{"batch":0}`, 300*time.Millisecond)
	rawPull(sc, "FE", "c", `{"batch":-1}`, 300*time.Millisecond)
	rawPull(sc, "FE", "c", `{bad json`, 300*time.Millisecond)
	rawPull(sc, "FE", "nope", `{"batch":1,"no_wait":true}`, 300*time.Millisecond)
	s.Unsubscribe()
	// fetch on a push consumer / pull subscribe to a push consumer
	js.AddConsumer("FE", &nats.ConsumerConfig{Durable: "pushc", DeliverSubject: "fe.deliver.x", AckPolicy: nats.AckExplicitPolicy})
	_, err = js.PullSubscribe("fe.>", "pushc")
	out(sc, "pull subscribe to push err=%s", e(err))
	_, err = js.SubscribeSync("fe.>", nats.Durable("c"))
	out(sc, "push subscribe to pull err=%s", e(err))
	rawPull(sc, "FE", "pushc", `{"batch":1,"no_wait":true}`, 300*time.Millisecond)
}

func maxWaiting() {
	sc := "maxwaiting"
	if !addStream(sc, &nats.StreamConfig{Name: "MW", Subjects: []string{"mw"}}) {
		return
	}
	_, err := js.AddConsumer("MW", &nats.ConsumerConfig{Durable: "c", AckPolicy: nats.AckExplicitPolicy, MaxWaiting: 2, MaxRequestBatch: 3, MaxRequestExpires: 2 * time.Second, MaxRequestMaxBytes: 1000})
	out(sc, "add err=%s", e(err))
	ciFull(sc, "MW", "c")
	inboxes := []*nats.Subscription{}
	for i := 0; i < 3; i++ {
		inbox := nats.NewInbox()
		s, _ := nc.SubscribeSync(inbox)
		inboxes = append(inboxes, s)
		nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.MW.c", inbox, []byte(`{"batch":1,"expires":1000000000}`))
	}
	nc.Flush()
	time.Sleep(100 * time.Millisecond)
	for i, s := range inboxes {
		m, err := s.NextMsg(50 * time.Millisecond)
		if err != nil {
			out(sc, "req%d nothing yet", i)
		} else {
			out(sc, "req%d status %s %q", i, m.Header.Get("Status"), m.Header.Get("Description"))
		}
	}
	ciFull(sc, "MW", "c")
	pubS(sc, "mw", "m1")
	pubS(sc, "mw", "m2")
	for i, s := range inboxes[:2] {
		m, err := s.NextMsg(500 * time.Millisecond)
		if err != nil {
			out(sc, "req%d err=%v", i, err)
		} else {
			out(sc, "req%d got %q status=%q", i, string(m.Data), m.Header.Get("Status"))
		}
	}
	for _, s := range inboxes {
		s.Unsubscribe()
	}
	time.Sleep(50 * time.Millisecond)
	ciFull(sc, "MW", "c")
	rawPull(sc, "MW", "c", `{"batch":5,"expires":300000000}`, 500*time.Millisecond)
	rawPull(sc, "MW", "c", `{"batch":1,"expires":5000000000}`, 500*time.Millisecond)
	rawPull(sc, "MW", "c", `{"batch":1,"max_bytes":5000,"expires":300000000}`, 500*time.Millisecond)
	pubS(sc, "mw", strings.Repeat("x", 200))
	rawPull(sc, "MW", "c", `{"batch":1,"max_bytes":50,"expires":300000000}`, 500*time.Millisecond)
	rawPull(sc, "MW", "c", `{"batch":1,"max_bytes":500,"expires":300000000}`, 500*time.Millisecond)
	rawPull(sc, "MW", "c", `{"batch":1,"no_wait":true}`, 300*time.Millisecond)
	ciFull(sc, "MW", "c")
	// nats.go Fetch on a consumer with max_batch: the error it returns
	sub, err := js.PullSubscribe("mw", "c", nats.Bind("MW", "c"))
	if must(sc, err) {
		fetchS(sc, sub, 5, 300*time.Millisecond, false)
		_, err := sub.Fetch(1, nats.MaxWait(3*time.Second))
		out(sc, "fetch with wait over max_expires err=%s", e(err))
	}
	// PullMaxWaiting via nats.go, then 2 concurrent fetches on empty
	sub2, err := js.PullSubscribe("mw", "c2", nats.PullMaxWaiting(1))
	if must(sc, err) {
		ciFull(sc, "MW", "c2")
		sub2.Fetch(1, nats.MaxWait(200*time.Millisecond))
	}
}

func maxAckPending() {
	sc := "maxap"
	if !addStream(sc, &nats.StreamConfig{Name: "MAP", Subjects: []string{"map.*"}}) {
		return
	}
	for i := 1; i <= 6; i++ {
		pubS(sc, "map.a", fmt.Sprintf("m%d", i))
	}
	sub, err := js.PullSubscribe("map.*", "pull", nats.MaxAckPending(2), nats.AckWait(10*time.Second))
	if !must(sc, err) {
		return
	}
	msgs := fetchS(sc, sub, 5, 400*time.Millisecond, false)
	ciFull(sc, "MAP", "pull")
	fetchS(sc, sub, 1, 300*time.Millisecond, false)
	rawPull(sc, "MAP", "pull", `{"batch":1,"no_wait":true}`, 300*time.Millisecond)
	if len(msgs) > 0 {
		msgs[0].AckSync()
	}
	fetchS(sc, sub, 5, 400*time.Millisecond, false)
	ciFull(sc, "MAP", "pull")
	// a waiting pull gets served when an ack frees room
	inbox := nats.NewInbox()
	s, _ := nc.SubscribeSync(inbox)
	nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.MAP.pull", inbox, []byte(`{"batch":1,"expires":2000000000}`))
	nc.Flush()
	time.Sleep(100 * time.Millisecond)
	ciFull(sc, "MAP", "pull")
	if len(msgs) > 1 {
		msgs[1].AckSync()
	}
	m, err := s.NextMsg(time.Second)
	if err == nil {
		out(sc, "waiting pull after ack got %q status=%q", string(m.Data), m.Header.Get("Status"))
	} else {
		out(sc, "waiting pull after ack err=%v", err)
	}
	s.Unsubscribe()
	// push with max ack pending
	psub, err := js.SubscribeSync("map.*", nats.Durable("push"), nats.MaxAckPending(2), nats.ManualAck(), nats.AckWait(10*time.Second))
	if !must(sc, err) {
		return
	}
	got := []*nats.Msg{}
	for {
		m, err := psub.NextMsg(400 * time.Millisecond)
		if err != nil {
			break
		}
		got = append(got, m)
	}
	out(sc, "push got %d before ack", len(got))
	ciFull(sc, "MAP", "push")
	if len(got) > 0 {
		got[0].AckSync()
	}
	n := 0
	for {
		_, err := psub.NextMsg(400 * time.Millisecond)
		if err != nil {
			break
		}
		n++
	}
	out(sc, "push got %d after one ack", n)
	ciFull(sc, "MAP", "push")
	psub.Unsubscribe()
}

func ackWaitRedeliver() {
	sc := "ackwait"
	if !addStream(sc, &nats.StreamConfig{Name: "AW", Subjects: []string{"aw"}}) {
		return
	}
	pubS(sc, "aw", "m1")
	pubS(sc, "aw", "m2")
	sub, err := js.PullSubscribe("aw", "c", nats.AckWait(600*time.Millisecond))
	if !must(sc, err) {
		return
	}
	fetchS(sc, sub, 1, 300*time.Millisecond, false)
	fetchS(sc, sub, 1, 200*time.Millisecond, false) // gets m2 (not acked either)
	fetchS(sc, sub, 1, 100*time.Millisecond, false) // nothing: m1 not yet due
	ciFull(sc, "AW", "c")
	time.Sleep(600 * time.Millisecond)
	ciFull(sc, "AW", "c")
	msgs := fetchS(sc, sub, 5, 300*time.Millisecond, false)
	ciFull(sc, "AW", "c")
	for _, m := range msgs {
		m.AckSync()
	}
	ciFull(sc, "AW", "c")
	// ack of an already acked message (AckSync double ack)
	if len(msgs) > 0 {
		out(sc, "double acksync err=%s", e(msgs[0].AckSync()))
	}
	// InProgress extends the ack wait
	sc = "inprogress"
	pubS(sc, "aw", "m3")
	msgs = fetchS(sc, sub, 1, 300*time.Millisecond, false)
	time.Sleep(400 * time.Millisecond)
	if len(msgs) > 0 {
		out(sc, "inprogress err=%s", e(msgs[0].InProgress()))
	}
	time.Sleep(400 * time.Millisecond)
	fetchS(sc, sub, 1, 100*time.Millisecond, false) // 800ms since delivery but 400 since +WPI: nothing
	time.Sleep(300 * time.Millisecond)
	fetchS(sc, sub, 1, 300*time.Millisecond, true) // redelivered now
	ciFull(sc, "AW", "c")
	// Nak with delay and plain nak
	sc = "nakdelay"
	pubS(sc, "aw", "m4")
	msgs = fetchS(sc, sub, 1, 300*time.Millisecond, false)
	if len(msgs) > 0 {
		out(sc, "nakdelay err=%s", e(msgs[0].NakWithDelay(400*time.Millisecond)))
	}
	fetchS(sc, sub, 1, 150*time.Millisecond, false)
	ciFull(sc, "AW", "c")
	time.Sleep(250 * time.Millisecond)
	msgs = fetchS(sc, sub, 1, 400*time.Millisecond, false)
	if len(msgs) > 0 {
		out(sc, "nak err=%s", e(msgs[0].Nak()))
	}
	msgs = fetchS(sc, sub, 1, 200*time.Millisecond, false)
	if len(msgs) > 0 {
		// delay longer than ack wait
		out(sc, "nakdelay long err=%s", e(msgs[0].NakWithDelay(1200*time.Millisecond)))
	}
	time.Sleep(700 * time.Millisecond)
	fetchS(sc, sub, 1, 100*time.Millisecond, false)
	time.Sleep(500 * time.Millisecond)
	fetchS(sc, sub, 1, 400*time.Millisecond, true)
	ciFull(sc, "AW", "c")
	// raw nak with a JSON delay body
	pubS(sc, "aw", "m5")
	msgs = fetchS(sc, sub, 1, 300*time.Millisecond, false)
	if len(msgs) > 0 {
		msgs[0].Respond([]byte(`-NAK {"delay": 300000000}`))
	}
	fetchS(sc, sub, 1, 100*time.Millisecond, false)
	time.Sleep(300 * time.Millisecond)
	fetchS(sc, sub, 1, 300*time.Millisecond, true)
	// Term
	sc = "term"
	adv, _ := nc.SubscribeSync("$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.AW.*")
	pubS(sc, "aw", "m6")
	pubS(sc, "aw", "m7")
	msgs = fetchS(sc, sub, 2, 300*time.Millisecond, false)
	if len(msgs) == 2 {
		out(sc, "term err=%s", e(msgs[1].Term()))
	}
	time.Sleep(50 * time.Millisecond)
	ciFull(sc, "AW", "c")
	time.Sleep(700 * time.Millisecond)
	fetchS(sc, sub, 5, 300*time.Millisecond, true)
	ciFull(sc, "AW", "c")
	m, err := adv.NextMsg(500 * time.Millisecond)
	if err == nil {
		var a map[string]interface{}
		json.Unmarshal(m.Data, &a)
		out(sc, "advisory type=%v stream=%v consumer=%v seq=%v deliveries=%v", a["type"], a["stream"], a["consumer"], a["stream_seq"], a["deliveries"])
	} else {
		out(sc, "advisory err=%v", err)
	}
	adv.Unsubscribe()
}

func backoff() {
	sc := "backoff"
	if !addStream(sc, &nats.StreamConfig{Name: "BO", Subjects: []string{"bo"}}) {
		return
	}
	_, err := js.AddConsumer("BO", &nats.ConsumerConfig{Durable: "c", AckPolicy: nats.AckExplicitPolicy, DeliverSubject: "bo.deliver", BackOff: []time.Duration{300 * time.Millisecond, 900 * time.Millisecond}, MaxDeliver: 4})
	out(sc, "add err=%s", e(err))
	ciFull(sc, "BO", "c")
	sub, err := js.SubscribeSync("bo", nats.Bind("BO", "c"), nats.ManualAck())
	if !must(sc, err) {
		return
	}
	pubS(sc, "bo", "m1")
	start := time.Now()
	for i := 0; i < 5; i++ {
		m, err := sub.NextMsg(2500 * time.Millisecond)
		if err != nil {
			out(sc, "next %d err=%v", i, err)
			break
		}
		md, _ := m.Metadata()
		el := time.Since(start)
		// round to 300ms buckets
		out(sc, "delivery d=%d at~%dx300ms", md.NumDelivered, int((el+150*time.Millisecond)/(300*time.Millisecond)))
	}
	ciFull(sc, "BO", "c")
	sub.Unsubscribe()
	// BackOff with ackwait given: ack_wait is replaced by first backoff?
	_, err = js.AddConsumer("BO", &nats.ConsumerConfig{Durable: "c2", AckPolicy: nats.AckExplicitPolicy, AckWait: 5 * time.Second, BackOff: []time.Duration{time.Second}, MaxDeliver: 3})
	out(sc, "add c2 err=%s", e(err))
	ciFull(sc, "BO", "c2")
	_, err = js.AddConsumer("BO", &nats.ConsumerConfig{Durable: "c3", AckPolicy: nats.AckExplicitPolicy, BackOff: []time.Duration{time.Second}})
	out(sc, "backoff without maxdeliver err=%s", e(err))
	_, err = js.AddConsumer("BO", &nats.ConsumerConfig{Durable: "c4", AckPolicy: nats.AckNonePolicy, BackOff: []time.Duration{time.Second}, MaxDeliver: 3})
	out(sc, "backoff with ack none err=%s", e(err))
	// nak on a backoff consumer uses backoff delay
	sub2, err := js.PullSubscribe("bo", "c5", nats.BackOff([]time.Duration{500 * time.Millisecond}), nats.MaxDeliver(3))
	if must(sc, err) {
		msgs := fetchS(sc, sub2, 1, 300*time.Millisecond, false)
		if len(msgs) > 0 {
			msgs[0].Nak()
		}
		fetchS(sc, sub2, 1, 200*time.Millisecond, false)
		time.Sleep(300 * time.Millisecond)
		fetchS(sc, sub2, 1, 300*time.Millisecond, true)
	}
}

func ackAll() {
	sc := "ackall"
	if !addStream(sc, &nats.StreamConfig{Name: "AA", Subjects: []string{"aa"}}) {
		return
	}
	for i := 1; i <= 6; i++ {
		pubS(sc, "aa", fmt.Sprintf("m%d", i))
	}
	sub, err := js.PullSubscribe("aa", "c", nats.AckAll(), nats.AckWait(700*time.Millisecond))
	if !must(sc, err) {
		return
	}
	msgs := fetchS(sc, sub, 5, 300*time.Millisecond, false)
	if len(msgs) < 5 {
		return
	}
	out(sc, "ack m3 err=%s", e(msgs[2].AckSync()))
	ciFull(sc, "AA", "c")
	out(sc, "ack m1 again err=%s", e(msgs[0].AckSync()))
	ciFull(sc, "AA", "c")
	out(sc, "nak m5 err=%s", e(msgs[4].Nak()))
	time.Sleep(50 * time.Millisecond)
	ciFull(sc, "AA", "c")
	fetchS(sc, sub, 5, 300*time.Millisecond, false)
	time.Sleep(800 * time.Millisecond)
	ciFull(sc, "AA", "c")
	msgs = fetchS(sc, sub, 5, 300*time.Millisecond, false)
	if len(msgs) > 0 {
		out(sc, "ack last err=%s", e(msgs[len(msgs)-1].AckSync()))
	}
	ciFull(sc, "AA", "c")
	// Term under ack all
	pubS(sc, "aa", "m7")
	pubS(sc, "aa", "m8")
	msgs = fetchS(sc, sub, 2, 300*time.Millisecond, false)
	if len(msgs) == 2 {
		out(sc, "term m8 err=%s", e(msgs[1].Term()))
	}
	time.Sleep(50 * time.Millisecond)
	ciFull(sc, "AA", "c")
	// ack none consumer: acking
	sub2, err := js.PullSubscribe("aa", "none", nats.AckNone())
	if must(sc, err) {
		msgs := fetchS(sc, sub2, 3, 300*time.Millisecond, false)
		if len(msgs) > 0 {
			out(sc, "ack on acknone err=%s", e(msgs[0].Ack()))
		}
		ciFull(sc, "AA", "none")
	}
}

func deliver2() {
	sc := "deliver2"
	if !addStream(sc, &nats.StreamConfig{Name: "D2", Subjects: []string{"d2.>"}}) {
		return
	}
	pubS(sc, "d2.a.x", "1")
	pubS(sc, "d2.b.x", "2")
	pubS(sc, "d2.a.y", "3")
	time.Sleep(50 * time.Millisecond)
	t0 := time.Now()
	time.Sleep(50 * time.Millisecond)
	pubS(sc, "d2.b.y", "4")
	pubS(sc, "d2.a.x", "5")
	pubS(sc, "d2.c", "6")
	show := func(k string, opts ...nats.SubOpt) {
		sub, err := js.PullSubscribe("", "c"+k, opts...)
		if err != nil {
			out(sc+"/"+k, "subscribe err=%s", e(err))
			return
		}
		ciFull(sc+"/"+k, "D2", "c"+k)
		fetchS(sc+"/"+k, sub, 10, 300*time.Millisecond, true)
	}
	show("bytime", nats.BindStream("D2"), nats.StartTime(t0))
	show("lastper_a", nats.BindStream("D2"), nats.DeliverLastPerSubject())
	sub, err := js.PullSubscribe("d2.a.*", "clastperf", nats.DeliverLastPerSubject())
	if must(sc, err) {
		ciFull(sc+"/lastperf", "D2", "clastperf")
		fetchS(sc+"/lastperf", sub, 10, 300*time.Millisecond, true)
	}
	sub, err = js.PullSubscribe("d2.*.x", "cwild")
	if must(sc, err) {
		ciFull(sc+"/wild", "D2", "cwild")
		fetchS(sc+"/wild", sub, 10, 300*time.Millisecond, true)
	}
	sub, err = js.PullSubscribe("d2.a.>", "cgt", nats.StartSequence(2))
	if must(sc, err) {
		ciFull(sc+"/gt", "D2", "cgt")
		fetchS(sc+"/gt", sub, 10, 300*time.Millisecond, true)
	}
	sub, err = js.PullSubscribe("d2.>", "cbeyond", nats.StartSequence(100))
	if must(sc, err) {
		ciFull(sc+"/beyond", "D2", "cbeyond")
		fetchS(sc+"/beyond", sub, 10, 200*time.Millisecond, true)
		pubS(sc, "d2.c", "7")
		ciFull(sc+"/beyond", "D2", "cbeyond")
		fetchS(sc+"/beyond", sub, 10, 200*time.Millisecond, true)
	}
	sub, err = js.PullSubscribe("d2.>", "clastseq", nats.StartSequence(7))
	if must(sc, err) {
		fetchS(sc+"/lastseq", sub, 10, 200*time.Millisecond, true)
	}
	sub, err = js.PullSubscribe("d2.c", "clast", nats.DeliverLast())
	if must(sc, err) {
		ciFull(sc+"/lastfilt", "D2", "clast")
		fetchS(sc+"/lastfilt", sub, 10, 200*time.Millisecond, true)
	}
	sub, err = js.PullSubscribe("d2.zz", "cnomatch", nats.DeliverLast())
	if must(sc, err) {
		ciFull(sc+"/lastnomatch", "D2", "cnomatch")
		fetchS(sc+"/lastnomatch", sub, 10, 200*time.Millisecond, true)
		pubS(sc, "d2.zz", "8")
		fetchS(sc+"/lastnomatch", sub, 10, 200*time.Millisecond, true)
	}
	sub, err = js.PullSubscribe("d2.a.x", "cnew", nats.DeliverNew())
	if must(sc, err) {
		ciFull(sc+"/new", "D2", "cnew")
		pubS(sc, "d2.a.x", "9")
		pubS(sc, "d2.b.x", "10")
		ciFull(sc+"/new", "D2", "cnew")
		fetchS(sc+"/new", sub, 10, 200*time.Millisecond, true)
		ciFull(sc+"/new", "D2", "cnew")
	}
	// start time in the future
	_, err = js.AddConsumer("D2", &nats.ConsumerConfig{Durable: "cfut", DeliverPolicy: nats.DeliverByStartTimePolicy, OptStartTime: func() *time.Time { t := time.Now().Add(time.Hour); return &t }(), AckPolicy: nats.AckExplicitPolicy})
	out(sc, "future start time err=%s", e(err))
	ciFull(sc+"/fut", "D2", "cfut")
	_, err = js.AddConsumer("D2", &nats.ConsumerConfig{Durable: "cbad", DeliverPolicy: nats.DeliverAllPolicy, OptStartSeq: 3, AckPolicy: nats.AckExplicitPolicy})
	out(sc, "all with start seq err=%s", e(err))
	_, err = js.AddConsumer("D2", &nats.ConsumerConfig{Durable: "cbad2", DeliverPolicy: nats.DeliverByStartTimePolicy, AckPolicy: nats.AckExplicitPolicy})
	out(sc, "bytime without time err=%s", e(err))
	_, err = js.AddConsumer("D2", &nats.ConsumerConfig{Durable: "cbad3", DeliverPolicy: nats.DeliverLastPerSubjectPolicy, AckPolicy: nats.AckExplicitPolicy, FilterSubject: ""})
	out(sc, "lastper no filter err=%s", e(err))
	_, err = js.AddConsumer("D2", &nats.ConsumerConfig{Durable: "cbad4", AckPolicy: nats.AckExplicitPolicy, FilterSubject: "d2"})
	out(sc, "filter not in stream err=%s", e(err))
	_, err = js.AddConsumer("D2", &nats.ConsumerConfig{Durable: "cok5", AckPolicy: nats.AckExplicitPolicy, FilterSubject: "d2.>"})
	out(sc, "filter == stream subject err=%s", e(err))
	_, err = js.AddConsumer("D2", &nats.ConsumerConfig{Durable: "cok6", AckPolicy: nats.AckExplicitPolicy, FilterSubject: ">"})
	out(sc, "filter > err=%s", e(err))
}

func listing() {
	sc := "listing"
	if !addStream(sc, &nats.StreamConfig{Name: "LS", Subjects: []string{"ls.*"}}) {
		return
	}
	for _, n := range []string{"zeta", "alpha", "Mid", "beta", "_u", "1num"} {
		_, err := js.AddConsumer("LS", &nats.ConsumerConfig{Durable: n, AckPolicy: nats.AckExplicitPolicy})
		if err != nil {
			out(sc, "add %s err=%s", n, e(err))
		}
	}
	names := []string{}
	for n := range js.ConsumerNames("LS") {
		names = append(names, n)
	}
	out(sc, "names order %v", names)
	infos := []string{}
	for i := range js.ConsumersInfo("LS") {
		infos = append(infos, fmt.Sprintf("%s/%s", i.Name, i.Stream))
	}
	out(sc, "infos order %v", infos)
	_, err := js.AddConsumer("LS", &nats.ConsumerConfig{Durable: "a", Name: "b", AckPolicy: nats.AckExplicitPolicy})
	out(sc, "durable != name err=%s", e(err))
	_, err = js.AddConsumer("LS", &nats.ConsumerConfig{Name: "named", AckPolicy: nats.AckExplicitPolicy})
	out(sc, "name only err=%s", e(err))
	ciFull(sc, "LS", "named")
	for _, bad := range []string{"a*", "a>", "a.b"} {
		_, err = js.AddConsumer("LS", &nats.ConsumerConfig{Durable: bad, AckPolicy: nats.AckExplicitPolicy})
		out(sc, "bad name %q err=%s", bad, e(err))
	}
	// Raw list with offset
	resp, err := nc.Request("$JS.API.CONSUMER.NAMES.LS", []byte(`{"offset":2}`), time.Second)
	if err == nil {
		var r struct {
			Total     int      `json:"total"`
			Offset    int      `json:"offset"`
			Limit     int      `json:"limit"`
			Consumers []string `json:"consumers"`
		}
		json.Unmarshal(resp.Data, &r)
		out(sc, "names offset=2 total=%d offset=%d limit=%d consumers=%v", r.Total, r.Offset, r.Limit, r.Consumers)
	}
	resp, err = nc.Request("$JS.API.CONSUMER.NAMES.NOPE", nil, time.Second)
	if err == nil {
		out(sc, "names missing stream %s", string(resp.Data))
	}
	resp, err = nc.Request("$JS.API.CONSUMER.LIST.LS", []byte(`{"offset":5}`), time.Second)
	if err == nil {
		var r struct {
			Total     int                 `json:"total"`
			Offset    int                 `json:"offset"`
			Limit     int                 `json:"limit"`
			Consumers []nats.ConsumerInfo `json:"consumers"`
		}
		json.Unmarshal(resp.Data, &r)
		ns := []string{}
		for _, c := range r.Consumers {
			ns = append(ns, c.Name)
		}
		out(sc, "list offset=5 total=%d offset=%d limit=%d consumers=%v", r.Total, r.Offset, r.Limit, ns)
	}
	// stream names / list with subject filter
	sn := []string{}
	for n := range js.StreamNames(nats.StreamListFilter("ls.x")) {
		sn = append(sn, n)
	}
	out(sc, "stream names filtered %v", sn)
	name, err := js.StreamNameBySubject("ls.q")
	out(sc, "stream by subject %q err=%s", name, e(err))
	name, err = js.StreamNameBySubject("nomatch.q")
	out(sc, "stream by subject nomatch %q err=%s", name, e(err))
}

func updateConsumer() {
	sc := "update"
	if !addStream(sc, &nats.StreamConfig{Name: "UP", Subjects: []string{"up.*"}}) {
		return
	}
	base := func() *nats.ConsumerConfig {
		return &nats.ConsumerConfig{Durable: "c", AckPolicy: nats.AckExplicitPolicy, AckWait: 5 * time.Second, MaxDeliver: 5, FilterSubject: "up.a", MaxAckPending: 100, MaxWaiting: 10}
	}
	_, err := js.AddConsumer("UP", base())
	out(sc, "add err=%s", e(err))
	try := func(what string, f func(c *nats.ConsumerConfig)) {
		c := base()
		f(c)
		_, err := js.UpdateConsumer("UP", c)
		out(sc, "update %s err=%s", what, e(err))
	}
	try("same", func(c *nats.ConsumerConfig) {})
	try("ackwait", func(c *nats.ConsumerConfig) { c.AckWait = 7 * time.Second })
	try("maxdeliver", func(c *nats.ConsumerConfig) { c.MaxDeliver = 9 })
	try("description", func(c *nats.ConsumerConfig) { c.Description = "d" })
	try("maxackpending", func(c *nats.ConsumerConfig) { c.MaxAckPending = 50 })
	try("maxwaiting", func(c *nats.ConsumerConfig) { c.MaxWaiting = 20 })
	try("filter", func(c *nats.ConsumerConfig) { c.FilterSubject = "up.b" })
	try("filter removed", func(c *nats.ConsumerConfig) { c.FilterSubject = "" })
	try("ackpolicy", func(c *nats.ConsumerConfig) { c.AckPolicy = nats.AckAllPolicy })
	try("deliverpolicy", func(c *nats.ConsumerConfig) { c.DeliverPolicy = nats.DeliverNewPolicy })
	try("startseq", func(c *nats.ConsumerConfig) { c.DeliverPolicy = nats.DeliverByStartSequencePolicy; c.OptStartSeq = 2 })
	try("replay", func(c *nats.ConsumerConfig) { c.ReplayPolicy = nats.ReplayOriginalPolicy })
	try("to push", func(c *nats.ConsumerConfig) { c.DeliverSubject = "up.deliver.x"; c.MaxWaiting = 0 })
	try("headersonly", func(c *nats.ConsumerConfig) { c.HeadersOnly = true })
	try("maxbatch", func(c *nats.ConsumerConfig) { c.MaxRequestBatch = 5 })
	try("maxexpires", func(c *nats.ConsumerConfig) { c.MaxRequestExpires = time.Second })
	try("backoff", func(c *nats.ConsumerConfig) { c.BackOff = []time.Duration{time.Second, 2 * time.Second} })
	try("inactive", func(c *nats.ConsumerConfig) { c.InactiveThreshold = time.Minute })
	try("samplefreq", func(c *nats.ConsumerConfig) { c.SampleFrequency = "50%" })
	try("memstorage", func(c *nats.ConsumerConfig) { c.MemoryStorage = true })
	try("replicas", func(c *nats.ConsumerConfig) { c.Replicas = 3 })
	ciFull(sc, "UP", "c")
	// push consumer updates
	pbase := func() *nats.ConsumerConfig {
		return &nats.ConsumerConfig{Durable: "p", AckPolicy: nats.AckExplicitPolicy, DeliverSubject: "up.deliver.p"}
	}
	_, err = js.AddConsumer("UP", pbase())
	out(sc, "add push err=%s", e(err))
	tryp := func(what string, f func(c *nats.ConsumerConfig)) {
		c := pbase()
		f(c)
		_, err := js.UpdateConsumer("UP", c)
		out(sc, "update push %s err=%s", what, e(err))
	}
	tryp("deliver subject", func(c *nats.ConsumerConfig) { c.DeliverSubject = "up.deliver.q" })
	tryp("to pull", func(c *nats.ConsumerConfig) { c.DeliverSubject = "" })
	tryp("ratelimit", func(c *nats.ConsumerConfig) { c.RateLimit = 1000000 })
	tryp("heartbeat", func(c *nats.ConsumerConfig) { c.Heartbeat = time.Second })
	tryp("flowcontrol", func(c *nats.ConsumerConfig) { c.FlowControl = true; c.Heartbeat = time.Second })
	tryp("deliver group", func(c *nats.ConsumerConfig) { c.DeliverGroup = "g" })
	ciFull(sc, "UP", "p")
	// AddConsumer on existing durable with changed config (2.9: create acts as update?)
	c := base()
	c.AckWait = 11 * time.Second
	_, err = js.AddConsumer("UP", c)
	out(sc, "add existing changed ackwait err=%s", e(err))
	ciFull(sc, "UP", "c")
	// raw CONSUMER.DURABLE.CREATE with action not supported in 2.9 (ignored)
	resp, err := nc.Request("$JS.API.CONSUMER.DURABLE.CREATE.UP.c", []byte(`{"stream_name":"UP","config":{"durable_name":"c","ack_policy":"explicit","filter_subject":"up.a","ack_wait":12000000000,"max_deliver":5,"max_ack_pending":100,"max_waiting":10,"deliver_policy":"all","replay_policy":"instant"}}`), time.Second)
	if err == nil {
		var r struct {
			Error  *nats.APIError       `json:"error"`
			Config *nats.ConsumerConfig `json:"config"`
		}
		json.Unmarshal(resp.Data, &r)
		if r.Error != nil {
			out(sc, "raw durable create error %d/%d %s", r.Error.Code, r.Error.ErrorCode, r.Error.Description)
		} else if r.Config != nil {
			out(sc, "raw durable create ok ackwait=%v", r.Config.AckWait)
		}
	}
	resp, err = nc.Request("$JS.API.CONSUMER.DURABLE.CREATE.UP.other", []byte(`{"stream_name":"UP","config":{"durable_name":"c","ack_policy":"explicit"}}`), time.Second)
	if err == nil {
		out(sc, "raw durable name mismatch %s", errText(resp.Data))
	}
	resp, err = nc.Request("$JS.API.CONSUMER.CREATE.UP", []byte(`{"stream_name":"XX","config":{"ack_policy":"explicit"}}`), time.Second)
	if err == nil {
		out(sc, "raw stream name mismatch %s", errText(resp.Data))
	}
}

func errText(b []byte) string {
	var r struct {
		Error *nats.APIError `json:"error"`
	}
	if json.Unmarshal(b, &r) != nil {
		return "bad json: " + string(b)
	}
	if r.Error == nil {
		return "ok"
	}
	return fmt.Sprintf("error %d/%d %q", r.Error.Code, r.Error.ErrorCode, r.Error.Description)
}

func hbfc() {
	sc := "hbfc"
	if !addStream(sc, &nats.StreamConfig{Name: "HB", Subjects: []string{"hb"}}) {
		return
	}
	inbox := "hb.deliver.raw"
	s, _ := nc.SubscribeSync(inbox)
	_, err := js.AddConsumer("HB", &nats.ConsumerConfig{Durable: "raw", DeliverSubject: inbox, AckPolicy: nats.AckExplicitPolicy, Heartbeat: 300 * time.Millisecond, FlowControl: true})
	out(sc, "add err=%s", e(err))
	ciFull(sc, "HB", "raw")
	hb := 0
	var first *nats.Msg
	deadline := time.Now().Add(1100 * time.Millisecond)
	for time.Now().Before(deadline) {
		m, err := s.NextMsg(time.Until(deadline))
		if err != nil {
			break
		}
		if m.Header.Get("Status") == "100" {
			hb++
			if first == nil {
				first = m
			}
		} else {
			out(sc, "unexpected %q", string(m.Data))
		}
	}
	out(sc, "heartbeats in 1.1s: >=2:%v", hb >= 2)
	if first != nil {
		out(sc, "hb desc=%q last-consumer=%q last-stream=%q reply=%v data=%d", first.Header.Get("Description"), first.Header.Get("Nats-Last-Consumer"), first.Header.Get("Nats-Last-Stream"), first.Reply != "", len(first.Data))
	}
	// publish a few big messages to trigger flow control
	big := strings.Repeat("z", 64*1024)
	for i := 0; i < 40; i++ {
		js.PublishAsync("hb", []byte(big))
	}
	<-js.PublishAsyncComplete()
	data, fc, hbs := 0, 0, 0
	lastFC := ""
	deadline = time.Now().Add(1500 * time.Millisecond)
	for time.Now().Before(deadline) {
		m, err := s.NextMsg(time.Until(deadline))
		if err != nil {
			break
		}
		if m.Header.Get("Status") == "100" {
			if m.Reply != "" {
				fc++
				lastFC = m.Header.Get("Description")
				m.Respond(nil)
			} else {
				hbs++
			}
			continue
		}
		data++
		m.Ack()
	}
	out(sc, "data=%d fc>0:%v fcdesc=%q", data, fc > 0, lastFC)
	s.Unsubscribe()
	time.Sleep(100 * time.Millisecond)
	ciFull(sc, "HB", "raw")
	// nats.go durable push with heartbeat + flow control; stop reading
	got := 0
	sub, err := js.SubscribeSync("hb", nats.Durable("gohb"), nats.IdleHeartbeat(300*time.Millisecond), nats.EnableFlowControl(), nats.ManualAck())
	if must(sc, err) {
		for {
			m, err := sub.NextMsg(700 * time.Millisecond)
			if err != nil {
				break
			}
			got++
			m.Ack()
		}
		out(sc, "nats.go hb sub got %d", got)
		ciFull(sc, "HB", "gohb")
		sub.Unsubscribe()
	}
	// heartbeat missing detection: subscribe ordered w/ hb, server should keep sending
	errs := make(chan error, 10)
	nc2, _ := nats.Connect(nc.ConnectedUrl(), nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs <- err }))
	js2, _ := nc2.JetStream()
	sub2, err := js2.SubscribeSync("hb", nats.OrderedConsumer(), nats.IdleHeartbeat(250*time.Millisecond), nats.DeliverNew())
	if must(sc, err) {
		time.Sleep(1200 * time.Millisecond)
		select {
		case err := <-errs:
			out(sc, "ordered hb async err=%v", err)
		default:
			out(sc, "ordered hb no async err")
		}
		sub2.Unsubscribe()
	}
	nc2.Close()
}

func chanSub() {
	sc := "chansub"
	if !addStream(sc, &nats.StreamConfig{Name: "CS", Subjects: []string{"cs.*"}}) {
		return
	}
	ch := make(chan *nats.Msg, 64)
	sub, err := js.ChanSubscribe("cs.*", ch, nats.Durable("chd"), nats.ManualAck(), nats.AckWait(time.Second))
	if !must(sc, err) {
		return
	}
	pubS(sc, "cs.a", "1")
	pubS(sc, "cs.b", "2")
	pubS(sc, "cs.a", "3")
	got := []string{}
	to := time.After(1500 * time.Millisecond)
loop:
	for len(got) < 3 {
		select {
		case m := <-ch:
			md, _ := m.Metadata()
			got = append(got, fmt.Sprintf("%s:%s:%d", m.Subject, string(m.Data), md.Sequence.Stream))
			if string(m.Data) != "2" {
				m.Ack()
			}
		case <-to:
			break loop
		}
	}
	out(sc, "got %v", got)
	select {
	case m := <-ch:
		md, _ := m.Metadata()
		out(sc, "redelivered %s d=%d", string(m.Data), md.NumDelivered)
		m.AckSync()
	case <-time.After(2 * time.Second):
		out(sc, "no redelivery")
	}
	ciFull(sc, "CS", "chd")
	sub.Unsubscribe()
	// ChanQueueSubscribe
	ch2 := make(chan *nats.Msg, 64)
	q1, err := js.ChanQueueSubscribe("cs.*", "qg", ch2, nats.Durable("qd"), nats.DeliverNew())
	if must(sc, err) {
		q2, err := js.ChanQueueSubscribe("cs.*", "qg", ch2, nats.Durable("qd"))
		out(sc, "second chan queue err=%s", e(err))
		for i := 0; i < 6; i++ {
			pubS(sc, "cs.q", fmt.Sprintf("q%d", i))
		}
		seen := map[string]bool{}
		to := time.After(1500 * time.Millisecond)
	loop2:
		for len(seen) < 6 {
			select {
			case m := <-ch2:
				seen[string(m.Data)] = true
			case <-to:
				break loop2
			}
		}
		out(sc, "queue distinct %d", len(seen))
		time.Sleep(100 * time.Millisecond)
		ciFull(sc, "CS", "qd")
		info, _ := js.ConsumerInfo("CS", "qd")
		if info != nil {
			out(sc, "queue consumer group=%q push_bound=%v", info.Config.DeliverGroup, info.PushBound)
		}
		q1.Unsubscribe()
		if q2 != nil {
			q2.Unsubscribe()
		}
	}
	// Async Subscribe with auto ack
	n := make(chan string, 10)
	asub, err := js.Subscribe("cs.a", func(m *nats.Msg) { n <- string(m.Data) }, nats.Durable("auto"))
	if must(sc, err) {
		got := []string{}
		to := time.After(time.Second)
	loop3:
		for len(got) < 2 {
			select {
			case d := <-n:
				got = append(got, d)
			case <-to:
				break loop3
			}
		}
		time.Sleep(100 * time.Millisecond)
		out(sc, "auto got %v", got)
		ciFull(sc, "CS", "auto")
		asub.Unsubscribe()
	}
	_, err = js.ConsumerInfo("CS", "auto")
	out(sc, "after unsubscribe of created durable err=%s", e(err))
	// Drain
	dsub, err := js.SubscribeSync("cs.a", nats.Durable("drn"))
	if must(sc, err) {
		dsub.NextMsg(time.Second)
		out(sc, "drain err=%s", e(dsub.Drain()))
		time.Sleep(300 * time.Millisecond)
		_, err = js.ConsumerInfo("CS", "drn")
		out(sc, "after drain info err=%s", e(err))
	}
}

func orderedPurge() {
	sc := "ordpurge"
	if !addStream(sc, &nats.StreamConfig{Name: "OP", Subjects: []string{"op.*"}}) {
		return
	}
	for i := 1; i <= 3; i++ {
		pubS(sc, "op.a", fmt.Sprintf("m%d", i))
	}
	sub, err := js.SubscribeSync("op.*", nats.OrderedConsumer())
	if !must(sc, err) {
		return
	}
	read := func(n int) {
		for i := 0; i < n; i++ {
			m, err := sub.NextMsg(1500 * time.Millisecond)
			if err != nil {
				out(sc, "next err=%v", err)
				return
			}
			md, _ := m.Metadata()
			out(sc, "got %s s=%d c=%d p=%d", string(m.Data), md.Sequence.Stream, md.Sequence.Consumer, md.NumPending)
		}
	}
	read(3)
	must(sc, js.PurgeStream("OP"))
	for i := 4; i <= 5; i++ {
		pubS(sc, "op.a", fmt.Sprintf("m%d", i))
	}
	read(2)
	js.PurgeStream("OP", &nats.StreamPurgeRequest{Sequence: 10})
	pubS(sc, "op.b", "m6")
	read(1)
	// delete a message in the middle then publish
	pubS(sc, "op.b", "m7")
	pubS(sc, "op.b", "m8")
	read(2)
	info, err := sub.ConsumerInfo()
	if must(sc, err) {
		out(sc, "ordered info delivered=%d/%d pending=%d ack=%v durable=%q mem=%v replicas=%d inact>0=%v hb=%v fc=%v", info.Delivered.Consumer, info.Delivered.Stream, info.NumPending, info.Config.AckPolicy, info.Config.Durable, info.Config.MemoryStorage, info.Config.Replicas, info.Config.InactiveThreshold > 0, info.Config.Heartbeat, info.Config.FlowControl)
	}
	sub.Unsubscribe()
	// ordered consumer started on empty stream after purge
	js.PurgeStream("OP")
	sub, err = js.SubscribeSync("op.*", nats.OrderedConsumer())
	if must(sc, err) {
		pubS(sc, "op.c", "m9")
		read(1)
		sub.Unsubscribe()
	}
}

func ephemeral() {
	sc := "ephemeral"
	if !addStream(sc, &nats.StreamConfig{Name: "EP", Subjects: []string{"ep"}}) {
		return
	}
	pubS(sc, "ep", "m1")
	ci1, err := js.AddConsumer("EP", &nats.ConsumerConfig{AckPolicy: nats.AckExplicitPolicy, InactiveThreshold: 600 * time.Millisecond})
	if !must(sc, err) {
		return
	}
	// keep it alive with pull requests
	for i := 0; i < 4; i++ {
		time.Sleep(300 * time.Millisecond)
		nc.Request("$JS.API.CONSUMER.MSG.NEXT.EP."+ci1.Name, []byte(`{"batch":1,"no_wait":true}`), 200*time.Millisecond)
	}
	_, err = js.ConsumerInfo("EP", ci1.Name)
	out(sc, "pulled ephemeral after 1.2s err=%s", e(err))
	time.Sleep(1500 * time.Millisecond)
	_, err = js.ConsumerInfo("EP", ci1.Name)
	out(sc, "pulled ephemeral idle 1.5s err=%s", e(err))
	// default threshold of an ephemeral pull consumer
	ci2, err := js.AddConsumer("EP", &nats.ConsumerConfig{AckPolicy: nats.AckExplicitPolicy})
	if must(sc, err) {
		out(sc, "default ephemeral pull inactive=%v", ci2.Config.InactiveThreshold)
		js.DeleteConsumer("EP", ci2.Name)
	}
	// ephemeral push without subscriber
	ci3, err := js.AddConsumer("EP", &nats.ConsumerConfig{AckPolicy: nats.AckExplicitPolicy, DeliverSubject: "ep.nobody", InactiveThreshold: 500 * time.Millisecond})
	if must(sc, err) {
		out(sc, "ephemeral push push_bound=%v inactive=%v", ci3.PushBound, ci3.Config.InactiveThreshold)
		time.Sleep(1500 * time.Millisecond)
		_, err = js.ConsumerInfo("EP", ci3.Name)
		out(sc, "ephemeral push no interest after 1.5s err=%s", e(err))
	}
	// ephemeral push with a subscriber stays
	s, _ := nc.SubscribeSync("ep.somebody")
	ci4, err := js.AddConsumer("EP", &nats.ConsumerConfig{AckPolicy: nats.AckNonePolicy, DeliverSubject: "ep.somebody", InactiveThreshold: 500 * time.Millisecond})
	if must(sc, err) {
		time.Sleep(1200 * time.Millisecond)
		info, err := js.ConsumerInfo("EP", ci4.Name)
		out(sc, "ephemeral push with interest after 1.2s err=%s bound=%v", e(err), info != nil && info.PushBound)
		s.Unsubscribe()
		time.Sleep(1500 * time.Millisecond)
		_, err = js.ConsumerInfo("EP", ci4.Name)
		out(sc, "ephemeral push after unsubscribe 1.5s err=%s", e(err))
	}
	// durable with inactive threshold (2.9 allows)
	_, err = js.AddConsumer("EP", &nats.ConsumerConfig{Durable: "dit", AckPolicy: nats.AckExplicitPolicy, InactiveThreshold: 500 * time.Millisecond})
	out(sc, "durable with inactive err=%s", e(err))
	time.Sleep(1500 * time.Millisecond)
	_, err = js.ConsumerInfo("EP", "dit")
	out(sc, "durable with inactive after 1.5s err=%s", e(err))
	// ephemeral pull with a waiting request is not idle
	ci5, err := js.AddConsumer("EP", &nats.ConsumerConfig{AckPolicy: nats.AckExplicitPolicy, InactiveThreshold: 500 * time.Millisecond})
	if must(sc, err) {
		inbox := nats.NewInbox()
		ws, _ := nc.SubscribeSync(inbox)
		nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.EP."+ci5.Name, inbox, []byte(`{"batch":5,"expires":3000000000}`))
		time.Sleep(1500 * time.Millisecond)
		_, err = js.ConsumerInfo("EP", ci5.Name)
		out(sc, "ephemeral with waiting pull 1.5s err=%s", e(err))
		ws.Unsubscribe()
	}
	// pull subscribe ephemeral via nats.go then unsubscribe
	sub, err := js.PullSubscribe("ep", "")
	if must(sc, err) {
		info, err := sub.ConsumerInfo()
		if must(sc, err) {
			out(sc, "nats.go ephemeral pull durable=%q inactive=%v", info.Config.Durable, info.Config.InactiveThreshold)
			sub.Unsubscribe()
			time.Sleep(100 * time.Millisecond)
			_, err = js.ConsumerInfo("EP", info.Name)
			out(sc, "nats.go ephemeral pull after unsubscribe err=%s", e(err))
		}
	}
}

func interest2() {
	sc := "interest2"
	if !addStream(sc, &nats.StreamConfig{Name: "I2", Subjects: []string{"i2.*"}, Retention: nats.InterestPolicy}) {
		return
	}
	pubS(sc, "i2.a", "0")
	si(sc, "I2")
	s1, err := js.PullSubscribe("i2.*", "c1", nats.AckWait(10*time.Second))
	if !must(sc, err) {
		return
	}
	s2, err := js.PullSubscribe("i2.*", "c2", nats.AckWait(10*time.Second))
	if !must(sc, err) {
		return
	}
	for i := 1; i <= 5; i++ {
		pubS(sc, "i2.a", fmt.Sprintf("m%d", i))
	}
	si(sc, "I2")
	m1 := fetchS(sc, s1, 5, 300*time.Millisecond, false)
	m2 := fetchS(sc, s2, 5, 300*time.Millisecond, false)
	if len(m1) < 5 || len(m2) < 5 {
		return
	}
	m1[0].AckSync()
	m1[1].AckSync()
	m2[1].AckSync()
	m2[2].AckSync()
	time.Sleep(50 * time.Millisecond)
	si(sc, "I2")
	m2[0].AckSync()
	time.Sleep(50 * time.Millisecond)
	si(sc, "I2")
	ciFull(sc, "I2", "c1")
	ciFull(sc, "I2", "c2")
	// delete c1: messages acked by c2 only should go
	js.DeleteConsumer("I2", "c1")
	time.Sleep(100 * time.Millisecond)
	si(sc, "I2")
	// Term counts as ack for interest
	m2[3].Term()
	time.Sleep(100 * time.Millisecond)
	si(sc, "I2")
	// Nak keeps it
	m2[4].Nak()
	time.Sleep(100 * time.Millisecond)
	si(sc, "I2")
	// ack none consumer on interest stream
	s3, err := js.PullSubscribe("i2.b", "none", nats.AckNone())
	if must(sc, err) {
		pubS(sc, "i2.b", "b1")
		si(sc, "I2")
		fetchS(sc, s3, 5, 300*time.Millisecond, false)
		time.Sleep(100 * time.Millisecond)
		si(sc, "I2")
	}
	// filtered consumer: message on subject without interest dropped immediately
	pubS(sc, "i2.zz", "nobody?")
	si(sc, "I2")
	// workqueue-like: purge effect on consumers
	must(sc, js.PurgeStream("I2"))
	ciFull(sc, "I2", "c2")
	si(sc, "I2")
	// interest with a push consumer without subscriber
	js.AddConsumer("I2", &nats.ConsumerConfig{Durable: "p", DeliverSubject: "i2.deliver.none", AckPolicy: nats.AckExplicitPolicy, FilterSubject: "i2.p"})
	pubS(sc, "i2.p", "p1")
	si(sc, "I2")
	// interest with ack-all
	s4, err := js.PullSubscribe("i2.c", "all", nats.AckAll())
	if must(sc, err) {
		pubS(sc, "i2.c", "c1")
		pubS(sc, "i2.c", "c2")
		pubS(sc, "i2.c", "c3")
		ms := fetchS(sc, s4, 3, 300*time.Millisecond, false)
		if len(ms) == 3 {
			ms[1].AckSync()
		}
		time.Sleep(100 * time.Millisecond)
		si(sc, "I2")
	}
}

func wqFilter() {
	sc := "wqfilter"
	if !addStream(sc, &nats.StreamConfig{Name: "WF", Subjects: []string{"wf.>"}, Retention: nats.WorkQueuePolicy}) {
		return
	}
	try := func(name, filter string) {
		_, err := js.AddConsumer("WF", &nats.ConsumerConfig{Durable: name, FilterSubject: filter, AckPolicy: nats.AckExplicitPolicy})
		out(sc, "add %s filter=%q err=%s", name, filter, e(err))
	}
	try("a", "wf.a")
	try("b", "wf.b.*")
	try("a2", "wf.a")
	try("bx", "wf.b.x")
	try("all", "")
	try("gt", "wf.>")
	try("c", "wf.c.>")
	try("cx", "wf.*.x")
	_, err := js.AddConsumer("WF", &nats.ConsumerConfig{Durable: "np", FilterSubject: "wf.n", AckPolicy: nats.AckNonePolicy})
	out(sc, "ack none on wq err=%s", e(err))
	_, err = js.AddConsumer("WF", &nats.ConsumerConfig{Durable: "nd", FilterSubject: "wf.d", AckPolicy: nats.AckExplicitPolicy, DeliverPolicy: nats.DeliverLastPolicy})
	out(sc, "deliver last on wq err=%s", e(err))
	_, err = js.AddConsumer("WF", &nats.ConsumerConfig{Durable: "a", FilterSubject: "wf.a", AckPolicy: nats.AckExplicitPolicy})
	out(sc, "re-add same a err=%s", e(err))
	pubS(sc, "wf.a", "a1")
	pubS(sc, "wf.b.y", "b1")
	pubS(sc, "wf.z", "z1")
	si(sc, "WF")
	sa, _ := js.PullSubscribe("wf.a", "a", nats.Bind("WF", "a"))
	sb, _ := js.PullSubscribe("wf.b.*", "b", nats.Bind("WF", "b"))
	if sa == nil || sb == nil {
		return
	}
	fetchS(sc, sa, 5, 200*time.Millisecond, true)
	fetchS(sc, sb, 5, 200*time.Millisecond, false)
	time.Sleep(50 * time.Millisecond)
	si(sc, "WF")
	ciFull(sc, "WF", "a")
	ciFull(sc, "WF", "b")
	// delete b: unacked b1 stays
	js.DeleteConsumer("WF", "b")
	try("all-after", "")
	js.DeleteConsumer("WF", "a")
	try("all-after2", "")
	sall, _ := js.PullSubscribe("", "all-after2", nats.Bind("WF", "all-after2"))
	if sall != nil {
		ciFull(sc, "WF", "all-after2")
		fetchS(sc, sall, 5, 200*time.Millisecond, true)
		time.Sleep(50 * time.Millisecond)
		si(sc, "WF")
	}
	// nats.go PullSubscribe on wq (default policy) twice
	_, err = js.PullSubscribe("wf.>", "all-after2")
	out(sc, "pull subscribe existing on wq err=%s", e(err))
	// push on workqueue
	js.DeleteConsumer("WF", "all-after2")
	psub, err := js.SubscribeSync("wf.>", nats.Durable("pw"))
	out(sc, "push durable on wq err=%s", e(err))
	if psub != nil {
		pubS(sc, "wf.q", "q1")
		m, err := psub.NextMsg(time.Second)
		if err == nil {
			m.AckSync()
		}
		time.Sleep(50 * time.Millisecond)
		si(sc, "WF")
		psub.Unsubscribe()
	}
}

func discard() {
	sc := "discard"
	if !addStream(sc, &nats.StreamConfig{Name: "DN", Subjects: []string{"dn.*"}, MaxMsgs: 3, Discard: nats.DiscardNew}) {
		return
	}
	for i := 1; i <= 4; i++ {
		pubS(sc, "dn.a", fmt.Sprintf("m%d", i))
	}
	si(sc, "DN")
	js.DeleteMsg("DN", 1)
	pubS(sc, "dn.a", "m5")
	si(sc, "DN")
	// max bytes discard new
	if addStream(sc, &nats.StreamConfig{Name: "DB", Subjects: []string{"db"}, MaxBytes: 300, Discard: nats.DiscardNew}) {
		for i := 1; i <= 6; i++ {
			pubS(sc, "db", strings.Repeat("x", 60))
		}
		si(sc, "DB")
	}
	// max msgs per subject (discard old)
	if addStream(sc, &nats.StreamConfig{Name: "PS", Subjects: []string{"ps.*"}, MaxMsgsPerSubject: 2}) {
		for i := 1; i <= 3; i++ {
			pubS(sc, "ps.a", fmt.Sprintf("a%d", i))
			pubS(sc, "ps.b", fmt.Sprintf("b%d", i))
		}
		si(sc, "PS")
		sub, err := js.PullSubscribe("ps.*", "c")
		if must(sc, err) {
			fetchS(sc, sub, 10, 200*time.Millisecond, true)
		}
		info, _ := js.StreamInfo("PS", &nats.StreamInfoRequest{SubjectsFilter: ">"})
		if info != nil {
			out(sc, "ps subjects %v numsubjects=%d", sortedMap(info.State.Subjects), info.State.NumSubjects)
		}
	}
	// discard new + per subject
	if addStream(sc, &nats.StreamConfig{Name: "PN", Subjects: []string{"pn.*"}, MaxMsgsPerSubject: 1, Discard: nats.DiscardNew, DiscardNewPerSubject: true}) {
		pubS(sc, "pn.a", "1")
		pubS(sc, "pn.a", "2")
		pubS(sc, "pn.b", "3")
		si(sc, "PN")
	}
	_, err := js.AddStream(&nats.StreamConfig{Name: "PN2", Subjects: []string{"pn2.*"}, DiscardNewPerSubject: true})
	out(sc, "discard new per subject without limits err=%s", e(err))
	if addStream(sc, &nats.StreamConfig{Name: "PN3", Subjects: []string{"pn3.*"}, MaxMsgsPerSubject: 1, Discard: nats.DiscardNew}) {
		pubS(sc, "pn3.a", "1")
		pubS(sc, "pn3.a", "2")
		si(sc, "PN3")
	}
	// max msg size
	if addStream(sc, &nats.StreamConfig{Name: "MS", Subjects: []string{"ms"}, MaxMsgSize: 10}) {
		pubS(sc, "ms", "short")
		pubS(sc, "ms", "this is too long")
		si(sc, "MS")
	}
	// discard old with max msgs and consumer mid-way
	if addStream(sc, &nats.StreamConfig{Name: "DO", Subjects: []string{"do"}, MaxMsgs: 2}) {
		pubS(sc, "do", "1")
		sub, _ := js.PullSubscribe("do", "c", nats.AckWait(10*time.Second))
		msgs := fetchS(sc, sub, 1, 200*time.Millisecond, false)
		pubS(sc, "do", "2")
		pubS(sc, "do", "3")
		pubS(sc, "do", "4")
		ciFull(sc, "DO", "c")
		if len(msgs) > 0 {
			out(sc, "ack of discarded msg err=%s", e(msgs[0].AckSync()))
		}
		ciFull(sc, "DO", "c")
		fetchS(sc, sub, 5, 200*time.Millisecond, true)
		ciFull(sc, "DO", "c")
	}
	// expected headers
	_, err = js.Publish("dn.b", []byte("x"), nats.ExpectLastSequence(99))
	out(sc, "expect last seq err=%s", e(err))
	_, err = js.Publish("dn.b", []byte("x"), nats.ExpectStream("OTHER"))
	out(sc, "expect stream err=%s", e(err))
	_, err = js.Publish("ps.a", []byte("x"), nats.ExpectLastSequencePerSubject(1))
	out(sc, "expect last per subject err=%s", e(err))
	ack, err := js.Publish("ps.a", []byte("x"), nats.MsgId("id1"))
	out(sc, "msgid1 seq=%d dup=%v err=%s", seqOf(ack), ack != nil && ack.Duplicate, e(err))
	ack, err = js.Publish("ps.a", []byte("y"), nats.MsgId("id1"))
	out(sc, "msgid1 again seq=%d dup=%v err=%s", seqOf(ack), ack != nil && ack.Duplicate, e(err))
}

func seqOf(a *nats.PubAck) uint64 {
	if a == nil {
		return 0
	}
	return a.Sequence
}

func sortedMap(m map[string]uint64) string {
	keys := []string{}
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := []string{}
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func getMsgs() {
	sc := "getmsg"
	if !addStream(sc, &nats.StreamConfig{Name: "GM", Subjects: []string{"gm.>"}}) {
		return
	}
	m := nats.NewMsg("gm.h")
	m.Header.Set("K", "v")
	m.Data = []byte("withhdr")
	js.PublishMsg(m)
	pubS(sc, "gm.a", "a1")
	pubS(sc, "gm.b", "b1")
	pubS(sc, "gm.a", "a2")
	pubS(sc, "gm.c.d", "cd")
	show := func(what string, r *nats.RawStreamMsg, err error) {
		if err != nil {
			out(sc, "%s err=%s", what, e(err))
			return
		}
		out(sc, "%s subj=%s seq=%d data=%q K=%q", what, r.Subject, r.Sequence, string(r.Data), r.Header.Get("K"))
	}
	r, err := js.GetMsg("GM", 1)
	show("get 1", r, err)
	r, err = js.GetMsg("GM", 4)
	show("get 4", r, err)
	r, err = js.GetMsg("GM", 99)
	show("get 99", r, err)
	r, err = js.GetMsg("GM", 0)
	show("get 0", r, err)
	r, err = js.GetLastMsg("GM", "gm.a")
	show("last gm.a", r, err)
	r, err = js.GetLastMsg("GM", "gm.zz")
	show("last gm.zz", r, err)
	r, err = js.GetLastMsg("GM", "gm.*")
	show("last gm.*", r, err)
	r, err = js.GetLastMsg("GM", "gm.>")
	show("last gm.>", r, err)
	r, err = js.GetLastMsg("NOPE", "gm.a")
	show("last on missing stream", r, err)
	out(sc, "delete 2 err=%s", e(js.DeleteMsg("GM", 2)))
	out(sc, "delete 2 again err=%s", e(js.DeleteMsg("GM", 2)))
	out(sc, "secure delete 3 err=%s", e(js.SecureDeleteMsg("GM", 3)))
	out(sc, "delete 99 err=%s", e(js.DeleteMsg("GM", 99)))
	out(sc, "delete 0 err=%s", e(js.DeleteMsg("GM", 0)))
	r, err = js.GetMsg("GM", 2)
	show("get deleted 2", r, err)
	r, err = js.GetMsg("GM", 3)
	show("get secure-deleted 3", r, err)
	r, err = js.GetLastMsg("GM", "gm.b")
	show("last gm.b after delete", r, err)
	out(sc, "delete 1 (first) err=%s", e(js.DeleteMsg("GM", 1)))
	info, err := js.StreamInfo("GM", &nats.StreamInfoRequest{DeletedDetails: true})
	if must(sc, err) {
		out(sc, "state msgs=%d first=%d last=%d numdeleted=%d deleted=%v", info.State.Msgs, info.State.FirstSeq, info.State.LastSeq, info.State.NumDeleted, info.State.Deleted)
	}
	out(sc, "delete 5 (last) err=%s", e(js.DeleteMsg("GM", 5)))
	si(sc, "GM")
	pubS(sc, "gm.a", "a3")
	si(sc, "GM")
	// raw get by next_by_subj (2.9 supports)
	resp, err := nc.Request("$JS.API.STREAM.MSG.GET.GM", []byte(`{"seq":1,"next_by_subj":"gm.a"}`), time.Second)
	if err == nil {
		var g struct {
			Error   *nats.APIError `json:"error"`
			Message struct {
				Subject string `json:"subject"`
				Seq     uint64 `json:"seq"`
			} `json:"message"`
		}
		json.Unmarshal(resp.Data, &g)
		if g.Error != nil {
			out(sc, "next_by_subj err %d/%d %s", g.Error.Code, g.Error.ErrorCode, g.Error.Description)
		} else {
			out(sc, "next_by_subj %s %d", g.Message.Subject, g.Message.Seq)
		}
	}
	resp, err = nc.Request("$JS.API.STREAM.MSG.GET.GM", []byte(`{"seq":1,"last_by_subj":"gm.a"}`), time.Second)
	if err == nil {
		out(sc, "seq+last_by_subj %s", errText(resp.Data))
	}
	// DenyDelete
	if addStream(sc, &nats.StreamConfig{Name: "DD", Subjects: []string{"dd"}, DenyDelete: true, DenyPurge: true}) {
		pubS(sc, "dd", "x")
		out(sc, "deny delete err=%s", e(js.DeleteMsg("DD", 1)))
		out(sc, "deny purge err=%s", e(js.PurgeStream("DD")))
	}
}

func sinfo() {
	sc := "sinfo"
	if !addStream(sc, &nats.StreamConfig{Name: "SI", Subjects: []string{"si.>"}}) {
		return
	}
	for _, s := range []string{"si.a", "si.a", "si.b.x", "si.b.y", "si.c", "si.b.x"} {
		pubS(sc, s, "d")
	}
	for _, f := range []string{">", "si.>", "si.b.*", "si.a", "si.nope", "si.*"} {
		info, err := js.StreamInfo("SI", &nats.StreamInfoRequest{SubjectsFilter: f})
		if must(sc, err) {
			out(sc, "filter %q subjects=%s numsubjects=%d", f, sortedMap(info.State.Subjects), info.State.NumSubjects)
		}
	}
	info, err := js.StreamInfo("SI")
	if must(sc, err) {
		out(sc, "no filter subjects=%v numsubjects=%d bytes>0=%v", info.State.Subjects, info.State.NumSubjects, info.State.Bytes > 0)
		c := info.Config
		out(sc, "config retention=%v maxmsgs=%d maxbytes=%d maxage=%v discard=%v storage=%v replicas=%d dupwin=%v maxmps=%d maxmsgsize=%d maxconsumers=%d allowdirect=%v", c.Retention, c.MaxMsgs, c.MaxBytes, c.MaxAge, c.Discard, c.Storage, c.Replicas, c.Duplicates, c.MaxMsgsPerSubject, c.MaxMsgSize, c.MaxConsumers, c.AllowDirect)
	}
	_, err = js.StreamInfo("NOPE")
	out(sc, "missing err=%s", e(err))
	// stream update allowed / refused
	_, err = js.UpdateStream(&nats.StreamConfig{Name: "SI", Subjects: []string{"si.>", "si2"}, MaxMsgs: 100})
	out(sc, "update subjects+maxmsgs err=%s", e(err))
	_, err = js.UpdateStream(&nats.StreamConfig{Name: "SI", Subjects: []string{"si.>"}, Storage: nats.MemoryStorage})
	out(sc, "update storage err=%s", e(err))
	_, err = js.UpdateStream(&nats.StreamConfig{Name: "SI", Subjects: []string{"si.>"}, Retention: nats.WorkQueuePolicy})
	out(sc, "update retention err=%s", e(err))
	_, err = js.UpdateStream(&nats.StreamConfig{Name: "SI", Subjects: []string{"si.>"}, MaxMsgsPerSubject: 1})
	out(sc, "update per subject limit err=%s", e(err))
	info, err = js.StreamInfo("SI", &nats.StreamInfoRequest{SubjectsFilter: ">"})
	if must(sc, err) {
		out(sc, "after per-subject limit msgs=%d subjects=%s first=%d", info.State.Msgs, sortedMap(info.State.Subjects), info.State.FirstSeq)
	}
	_, err = js.AddStream(&nats.StreamConfig{Name: "SIX", Subjects: []string{"si.b.*"}})
	out(sc, "overlapping stream err=%s", e(err))
	_, err = js.AddStream(&nats.StreamConfig{Name: "SI", Subjects: []string{"si.>"}, MaxMsgs: 5})
	out(sc, "add existing different err=%s", e(err))
	_, err = js.UpdateStream(&nats.StreamConfig{Name: "NOPE2", Subjects: []string{"zz"}})
	out(sc, "update missing err=%s", e(err))
}

func purge2() {
	sc := "purge2"
	if !addStream(sc, &nats.StreamConfig{Name: "PG", Subjects: []string{"pg.*"}}) {
		return
	}
	for i := 1; i <= 10; i++ {
		subj := "pg.a"
		if i%2 == 0 {
			subj = "pg.b"
		}
		pubS(sc, subj, fmt.Sprintf("m%d", i))
	}
	sa, _ := js.PullSubscribe("pg.*", "all", nats.AckWait(10*time.Second))
	sb, _ := js.PullSubscribe("pg.b", "bonly", nats.AckWait(10*time.Second))
	if sa == nil || sb == nil {
		return
	}
	fetchS(sc, sa, 3, 200*time.Millisecond, false) // 1,2,3 pending ack
	fetchS(sc, sb, 2, 200*time.Millisecond, true)  // 2,4 acked
	ciFull(sc, "PG", "all")
	ciFull(sc, "PG", "bonly")
	show := func(what string, req *nats.StreamPurgeRequest) {
		err := js.PurgeStream("PG", req)
		out(sc, "purge %s err=%s", what, e(err))
		si(sc, "PG")
		ciFull(sc, "PG", "all")
		ciFull(sc, "PG", "bonly")
	}
	show("subject pg.a keep 2", &nats.StreamPurgeRequest{Subject: "pg.a", Keep: 2})
	show("seq 4", &nats.StreamPurgeRequest{Sequence: 4})
	show("subject pg.b seq 8", &nats.StreamPurgeRequest{Subject: "pg.b", Sequence: 8})
	show("keep 1", &nats.StreamPurgeRequest{Keep: 1})
	show("seq+keep", &nats.StreamPurgeRequest{Sequence: 3, Keep: 1})
	fetchS(sc, sa, 10, 200*time.Millisecond, true)
	fetchS(sc, sb, 10, 200*time.Millisecond, true)
	pubS(sc, "pg.b", "m11")
	fetchS(sc, sa, 10, 200*time.Millisecond, true)
	fetchS(sc, sb, 10, 200*time.Millisecond, true)
	show("all", nil)
	show("subject wildcard pg.*", &nats.StreamPurgeRequest{Subject: "pg.*"})
	show("subject not in stream", &nats.StreamPurgeRequest{Subject: "zz"})
	// raw purge response: purged count
	pubS(sc, "pg.a", "x")
	pubS(sc, "pg.a", "y")
	resp, err := nc.Request("$JS.API.STREAM.PURGE.PG", []byte(`{"filter":"pg.a","keep":1}`), time.Second)
	if err == nil {
		var r struct {
			Success bool   `json:"success"`
			Purged  uint64 `json:"purged"`
		}
		json.Unmarshal(resp.Data, &r)
		out(sc, "raw purge success=%v purged=%d", r.Success, r.Purged)
	}
}

// ---- kill -9 restart, extended ----

func phase1b() {
	sc := "restart1b"
	if !addStream(sc, &nats.StreamConfig{Name: "RB", Subjects: []string{"rb.*"}}) {
		return
	}
	for i := 1; i <= 8; i++ {
		pubS(sc, "rb.a", fmt.Sprintf("m%d", i))
	}
	// pull with out-of-order acks, a nak, a term and one left pending
	sub, err := js.PullSubscribe("rb.*", "pp", nats.AckWait(2*time.Second))
	if !must(sc, err) {
		return
	}
	msgs := fetchS(sc, sub, 5, 300*time.Millisecond, false)
	if len(msgs) == 5 {
		msgs[0].AckSync()
		msgs[2].AckSync()
		msgs[3].Nak()
		msgs[4].Term()
	}
	time.Sleep(50 * time.Millisecond)
	fetchS(sc, sub, 1, 300*time.Millisecond, false) // redelivery of m4 (d=2)
	ciFull(sc, "RB", "pp")
	// push durable bound, partial acks
	_, err = js.AddConsumer("RB", &nats.ConsumerConfig{Durable: "pd", DeliverSubject: "rb.deliver.pd", AckPolicy: nats.AckExplicitPolicy, AckWait: 2 * time.Second, FilterSubject: "rb.a"})
	if must(sc, err) {
		psub, err := js.SubscribeSync("rb.a", nats.Bind("RB", "pd"), nats.ManualAck())
		if must(sc, err) {
			for i := 0; i < 4; i++ {
				m, err := psub.NextMsg(time.Second)
				if err != nil {
					break
				}
				if i == 0 || i == 1 {
					m.AckSync()
				}
			}
			psub.Unsubscribe()
		}
		ciFull(sc, "RB", "pd")
	}
	// ack all consumer
	asub, err := js.PullSubscribe("rb.*", "aa", nats.AckAll(), nats.AckWait(2*time.Second))
	if must(sc, err) {
		ms := fetchS(sc, asub, 4, 300*time.Millisecond, false)
		if len(ms) == 4 {
			ms[2].AckSync()
		}
		ciFull(sc, "RB", "aa")
	}
	// interest and work queue state
	if addStream(sc, &nats.StreamConfig{Name: "RI", Subjects: []string{"ri"}, Retention: nats.InterestPolicy}) {
		s1, _ := js.PullSubscribe("ri", "c1")
		s2, _ := js.PullSubscribe("ri", "c2")
		for i := 1; i <= 4; i++ {
			pubS(sc, "ri", fmt.Sprintf("i%d", i))
		}
		if s1 != nil && s2 != nil {
			fetchS(sc, s1, 4, 300*time.Millisecond, true)
			ms := fetchS(sc, s2, 2, 300*time.Millisecond, false)
			for _, m := range ms {
				m.AckSync()
			}
		}
		time.Sleep(50 * time.Millisecond)
		si(sc, "RI")
	}
	if addStream(sc, &nats.StreamConfig{Name: "RW", Subjects: []string{"rw"}, Retention: nats.WorkQueuePolicy}) {
		for i := 1; i <= 4; i++ {
			pubS(sc, "rw", fmt.Sprintf("w%d", i))
		}
		s, _ := js.PullSubscribe("rw", "w", nats.AckWait(2*time.Second))
		if s != nil {
			ms := fetchS(sc, s, 3, 300*time.Millisecond, false)
			if len(ms) == 3 {
				ms[1].AckSync()
			}
		}
		time.Sleep(50 * time.Millisecond)
		si(sc, "RW")
	}
	// stream with deletes and a purge
	if addStream(sc, &nats.StreamConfig{Name: "RD", Subjects: []string{"rd.*"}, MaxMsgsPerSubject: 2}) {
		for i := 1; i <= 6; i++ {
			pubS(sc, "rd.a", fmt.Sprintf("d%d", i))
		}
		pubS(sc, "rd.b", "b1")
		js.DeleteMsg("RD", 6)
		js.PurgeStream("RD", &nats.StreamPurgeRequest{Subject: "rd.b"})
		si(sc, "RD")
	}
	// let the reference flush its state, then make changes just before the kill
	time.Sleep(1500 * time.Millisecond)
	_, err = js.AddConsumer("RB", &nats.ConsumerConfig{Durable: "late", AckPolicy: nats.AckExplicitPolicy, DeliverPolicy: nats.DeliverByStartSequencePolicy, OptStartSeq: 3, FilterSubject: "rb.a", MaxDeliver: 7, Description: "late one", AckWait: 3 * time.Second})
	must(sc, err)
	lsub, err := js.PullSubscribe("rb.a", "late2", nats.AckWait(2*time.Second))
	if must(sc, err) {
		ms := fetchS(sc, lsub, 2, 300*time.Millisecond, false)
		if len(ms) > 0 {
			ms[0].AckSync()
		}
	}
	_, err = js.UpdateConsumer("RB", &nats.ConsumerConfig{Durable: "pp", AckPolicy: nats.AckExplicitPolicy, AckWait: 2 * time.Second, MaxDeliver: 9, Description: "updated"})
	out(sc, "update pp err=%s", e(err))
	js.DeleteConsumer("RB", "aa")
	pubS(sc, "rb.b", "m9")
}

func phase2b() {
	sc := "restart2b"
	si(sc, "RB")
	for _, c := range []string{"pp", "pd", "aa", "late", "late2"} {
		ciFull(sc, "RB", c)
	}
	sub, err := js.PullSubscribe("rb.*", "pp", nats.Bind("RB", "pp"))
	if must(sc, err) {
		fetchS(sc, sub, 10, 500*time.Millisecond, false)
		ciFull(sc, "RB", "pp")
		time.Sleep(2200 * time.Millisecond)
		fetchS(sc, sub, 10, 500*time.Millisecond, true)
		ciFull(sc, "RB", "pp")
	}
	psub, err := js.SubscribeSync("rb.a", nats.Bind("RB", "pd"), nats.ManualAck())
	if must(sc, err) {
		got := []string{}
		for {
			m, err := psub.NextMsg(2500 * time.Millisecond)
			if err != nil {
				break
			}
			md, _ := m.Metadata()
			got = append(got, fmt.Sprintf("%s:%d:d%d", string(m.Data), md.Sequence.Stream, md.NumDelivered))
			m.AckSync()
			if len(got) >= 8 {
				break
			}
		}
		out(sc, "push pd got %v", got)
		psub.Unsubscribe()
		ciFull(sc, "RB", "pd")
	}
	lsub, err := js.PullSubscribe("rb.a", "late", nats.Bind("RB", "late"))
	if must(sc, err) {
		fetchS(sc, lsub, 10, 300*time.Millisecond, true)
	}
	l2, err := js.PullSubscribe("rb.a", "late2", nats.Bind("RB", "late2"))
	if must(sc, err) {
		fetchS(sc, l2, 10, 300*time.Millisecond, false)
		time.Sleep(2200 * time.Millisecond)
		fetchS(sc, l2, 10, 300*time.Millisecond, true)
	}
	pubS(sc, "rb.a", "after")
	si(sc, "RB")
	si(sc, "RI")
	ciFull(sc, "RI", "c1")
	ciFull(sc, "RI", "c2")
	si(sc, "RW")
	ciFull(sc, "RW", "w")
	s, err := js.PullSubscribe("rw", "w", nats.Bind("RW", "w"))
	if must(sc, err) {
		time.Sleep(1000 * time.Millisecond)
		fetchS(sc, s, 10, 500*time.Millisecond, true)
		time.Sleep(50 * time.Millisecond)
		si(sc, "RW")
	}
	info, err := js.StreamInfo("RD", &nats.StreamInfoRequest{SubjectsFilter: ">", DeletedDetails: true})
	if must(sc, err) {
		out(sc, "RD msgs=%d first=%d last=%d subjects=%s deleted=%v", info.State.Msgs, info.State.FirstSeq, info.State.LastSeq, sortedMap(info.State.Subjects), info.State.Deleted)
	}
	ack, err := js.Publish("rd.a", []byte("new"))
	out(sc, "RD publish seq=%d err=%s", seqOf(ack), e(err))
	// ephemeral consumers don't survive? (created in phase1? none) - check consumer count
	names := []string{}
	for n := range js.ConsumerNames("RB") {
		names = append(names, n)
	}
	sort.Strings(names)
	out(sc, "RB consumers %v", names)
}

func waitingInterest() {
	sc := "wantinterest"
	if !addStream(sc, &nats.StreamConfig{Name: "WI", Subjects: []string{"wi"}}) {
		return
	}
	pubS(sc, "wi", "m1")
	pubS(sc, "wi", "m2")
	pubS(sc, "wi", "m3")
	sub, err := js.PullSubscribe("wi", "c", nats.MaxAckPending(1), nats.AckWait(10*time.Second))
	if !must(sc, err) {
		return
	}
	msgs := fetchS(sc, sub, 1, 300*time.Millisecond, false)
	// no_wait request while at max ack pending, requester stays subscribed
	inbox := nats.NewInbox()
	s, _ := nc.SubscribeSync(inbox)
	nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.WI.c", inbox, []byte(`{"batch":1,"no_wait":true}`))
	nc.Flush()
	time.Sleep(100 * time.Millisecond)
	m, err := s.NextMsg(100 * time.Millisecond)
	if err == nil {
		out(sc, "no_wait at max ack pending: status=%q desc=%q data=%q", m.Header.Get("Status"), m.Header.Get("Description"), string(m.Data))
	} else {
		out(sc, "no_wait at max ack pending: no reply")
	}
	ciFull(sc, "WI", "c")
	if len(msgs) > 0 {
		msgs[0].AckSync()
	}
	m, err = s.NextMsg(300 * time.Millisecond)
	if err == nil {
		out(sc, "after ack, no_wait requester got status=%q data=%q", m.Header.Get("Status"), string(m.Data))
		m.AckSync()
	} else {
		out(sc, "after ack, no_wait requester got nothing")
	}
	s.Unsubscribe()
	ciFull(sc, "WI", "c")
	// A request (expires 5s) whose requester unsubscribes: does the next message go to it?
	inbox2 := nats.NewInbox()
	s2, _ := nc.SubscribeSync(inbox2)
	nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.WI.c", inbox2, []byte(`{"batch":1,"expires":5000000000}`))
	nc.Flush()
	time.Sleep(100 * time.Millisecond)
	ciFull(sc, "WI", "c")
	s2.Unsubscribe()
	nc.Flush()
	time.Sleep(100 * time.Millisecond)
	ciFull(sc, "WI", "c")
	fetchS(sc, sub, 1, 500*time.Millisecond, true)
	ciFull(sc, "WI", "c")
}

func interestFetch() {
	sc := "interestfetch"
	if !addStream(sc, &nats.StreamConfig{Name: "IF", Subjects: []string{"if"}, Retention: nats.InterestPolicy}) {
		return
	}
	s1, _ := js.PullSubscribe("if", "c1")
	s2, _ := js.PullSubscribe("if", "c2")
	if s1 == nil || s2 == nil {
		return
	}
	for i := 1; i <= 4; i++ {
		pubS(sc, "if", fmt.Sprintf("i%d", i))
	}
	si(sc, "IF")
	ciFull(sc, "IF", "c1")
	fetchS(sc, s1, 4, 300*time.Millisecond, false)
	ciFull(sc, "IF", "c1")
	rawPull(sc, "IF", "c2", `{"batch":4,"no_wait":true}`, 300*time.Millisecond)
	ciFull(sc, "IF", "c2")
	// same on a limits stream created empty
	if !addStream(sc, &nats.StreamConfig{Name: "IFL", Subjects: []string{"ifl"}}) {
		return
	}
	s3, _ := js.PullSubscribe("ifl", "c1")
	for i := 1; i <= 4; i++ {
		pubS(sc, "ifl", fmt.Sprintf("l%d", i))
	}
	ciFull(sc, "IFL", "c1")
	fetchS(sc, s3, 4, 300*time.Millisecond, false)
	// and a work queue
	if !addStream(sc, &nats.StreamConfig{Name: "IFW", Subjects: []string{"ifw"}, Retention: nats.WorkQueuePolicy}) {
		return
	}
	s4, _ := js.PullSubscribe("ifw", "c1")
	for i := 1; i <= 4; i++ {
		pubS(sc, "ifw", fmt.Sprintf("w%d", i))
	}
	ciFull(sc, "IFW", "c1")
	fetchS(sc, s4, 4, 300*time.Millisecond, false)
}

func discardAck() {
	sc := "discardack"
	if !addStream(sc, &nats.StreamConfig{Name: "DA", Subjects: []string{"da"}, MaxMsgs: 2}) {
		return
	}
	pubS(sc, "da", "m1")
	pubS(sc, "da", "m2")
	sub, err := js.PullSubscribe("da", "c", nats.AckWait(500*time.Millisecond), nats.MaxAckPending(2))
	if !must(sc, err) {
		return
	}
	fetchS(sc, sub, 2, 300*time.Millisecond, false)
	pubS(sc, "da", "m3")
	pubS(sc, "da", "m4")
	pubS(sc, "da", "m5")
	si(sc, "DA")
	ciFull(sc, "DA", "c")
	fetchS(sc, sub, 5, 300*time.Millisecond, false)
	time.Sleep(700 * time.Millisecond)
	ciFull(sc, "DA", "c")
	fetchS(sc, sub, 5, 300*time.Millisecond, true)
	ciFull(sc, "DA", "c")
	// message deleted while pending ack
	pubS(sc, "da", "m6")
	msgs := fetchS(sc, sub, 1, 300*time.Millisecond, false)
	if len(msgs) == 1 {
		md, _ := msgs[0].Metadata()
		out(sc, "delete pending msg err=%s", e(js.DeleteMsg("DA", md.Sequence.Stream)))
	}
	ciFull(sc, "DA", "c")
	time.Sleep(700 * time.Millisecond)
	fetchS(sc, sub, 5, 300*time.Millisecond, true)
	ciFull(sc, "DA", "c")
	// MaxAge expiry of a pending message
	if !addStream(sc, &nats.StreamConfig{Name: "DG", Subjects: []string{"dg"}, MaxAge: 800 * time.Millisecond}) {
		return
	}
	pubS(sc, "dg", "g1")
	sub2, err := js.PullSubscribe("dg", "c", nats.AckWait(5*time.Second))
	if must(sc, err) {
		fetchS(sc, sub2, 1, 300*time.Millisecond, false)
		time.Sleep(1500 * time.Millisecond)
		si(sc, "DG")
		ciFull(sc, "DG", "c")
	}
}

func purge3() {
	sc := "purge3"
	if !addStream(sc, &nats.StreamConfig{Name: "P3", Subjects: []string{"p3.*"}}) {
		return
	}
	for i := 1; i <= 6; i++ {
		subj := "p3.a"
		if i%2 == 0 {
			subj = "p3.b"
		}
		pubS(sc, subj, fmt.Sprintf("m%d", i))
	}
	sub, err := js.PullSubscribe("p3.*", "c", nats.AckWait(10*time.Second))
	if !must(sc, err) {
		return
	}
	fetchS(sc, sub, 1, 300*time.Millisecond, true)
	must(sc, js.PurgeStream("P3", &nats.StreamPurgeRequest{Subject: "p3.a"}))
	si(sc, "P3")
	ciFull(sc, "P3", "c")
	fetchS(sc, sub, 10, 300*time.Millisecond, true)
	// filtered purge with a consumer on the other subject
	sub2, err := js.PullSubscribe("p3.b", "cb", nats.AckWait(10*time.Second))
	if !must(sc, err) {
		return
	}
	pubS(sc, "p3.a", "m7")
	pubS(sc, "p3.b", "m8")
	pubS(sc, "p3.a", "m9")
	must(sc, js.PurgeStream("P3", &nats.StreamPurgeRequest{Subject: "p3.a", Keep: 1}))
	ciFull(sc, "P3", "cb")
	fetchS(sc, sub2, 10, 300*time.Millisecond, true)
	ciFull(sc, "P3", "c")
	fetchS(sc, sub, 10, 300*time.Millisecond, true)
}

// restart with long ack wait: nothing must come back right after the restart
func phase1c() {
	sc := "restart1c"
	if !addStream(sc, &nats.StreamConfig{Name: "RC", Subjects: []string{"rc"}}) {
		return
	}
	for i := 1; i <= 4; i++ {
		pubS(sc, "rc", fmt.Sprintf("m%d", i))
	}
	sub, err := js.PullSubscribe("rc", "long", nats.AckWait(30*time.Second))
	if must(sc, err) {
		ms := fetchS(sc, sub, 2, 300*time.Millisecond, false)
		if len(ms) == 2 {
			ms[1].AckSync()
		}
	}
	_, err = js.AddConsumer("RC", &nats.ConsumerConfig{Durable: "longpush", DeliverSubject: "rc.deliver", AckPolicy: nats.AckExplicitPolicy, AckWait: 30 * time.Second})
	if must(sc, err) {
		s, _ := js.SubscribeSync("rc", nats.Bind("RC", "longpush"), nats.ManualAck())
		if s != nil {
			m, err := s.NextMsg(time.Second)
			if err == nil {
				m.AckSync()
			}
			s.NextMsg(time.Second)
			time.Sleep(100 * time.Millisecond)
			s.Unsubscribe()
		}
	}
	ciFull(sc, "RC", "long")
	ciFull(sc, "RC", "longpush")
	time.Sleep(1200 * time.Millisecond)
}

func phase2c() {
	sc := "restart2c"
	ciFull(sc, "RC", "long")
	ciFull(sc, "RC", "longpush")
	sub, err := js.PullSubscribe("rc", "long", nats.Bind("RC", "long"))
	if must(sc, err) {
		fetchS(sc, sub, 10, 500*time.Millisecond, false)
		ciFull(sc, "RC", "long")
	}
	s, err := js.SubscribeSync("rc", nats.Bind("RC", "longpush"), nats.ManualAck())
	if must(sc, err) {
		got := []string{}
		for {
			m, err := s.NextMsg(700 * time.Millisecond)
			if err != nil {
				break
			}
			md, _ := m.Metadata()
			got = append(got, fmt.Sprintf("%s:%d:d%d", string(m.Data), md.Sequence.Stream, md.NumDelivered))
		}
		out(sc, "longpush got %v", got)
		s.Unsubscribe()
	}
}

func deadRequester() {
	sc := "deadreq"
	if !addStream(sc, &nats.StreamConfig{Name: "DR", Subjects: []string{"dr"}}) {
		return
	}
	pubS(sc, "dr", "m1")
	pubS(sc, "dr", "m2")
	sub, err := js.PullSubscribe("dr", "c", nats.MaxAckPending(1), nats.AckWait(10*time.Second))
	if !must(sc, err) {
		return
	}
	msgs := fetchS(sc, sub, 1, 300*time.Millisecond, false)
	// at max ack pending: a request with long expires from a requester that then goes away
	inbox := nats.NewInbox()
	s, _ := nc.SubscribeSync(inbox)
	nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.DR.c", inbox, []byte(`{"batch":1,"expires":5000000000}`))
	nc.Flush()
	time.Sleep(100 * time.Millisecond)
	ciFull(sc, "DR", "c")
	s.Unsubscribe()
	nc.Flush()
	time.Sleep(100 * time.Millisecond)
	ciFull(sc, "DR", "c")
	if len(msgs) > 0 {
		msgs[0].AckSync()
	}
	time.Sleep(100 * time.Millisecond)
	ciFull(sc, "DR", "c")
	fetchS(sc, sub, 1, 500*time.Millisecond, true)
	ciFull(sc, "DR", "c")
	// no messages at all: waiting request from a gone requester, then publish
	pubS(sc, "dr", "m3")
	fetchS(sc, sub, 1, 300*time.Millisecond, true)
	inbox2 := nats.NewInbox()
	s2, _ := nc.SubscribeSync(inbox2)
	nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.DR.c", inbox2, []byte(`{"batch":1,"expires":5000000000}`))
	nc.Flush()
	time.Sleep(100 * time.Millisecond)
	s2.Unsubscribe()
	nc.Flush()
	time.Sleep(100 * time.Millisecond)
	pubS(sc, "dr", "m4")
	time.Sleep(100 * time.Millisecond)
	ciFull(sc, "DR", "c")
	fetchS(sc, sub, 1, 500*time.Millisecond, true)
	// requester on a connection that is closed
	nc2, _ := nats.Connect(nc.ConnectedUrl())
	inbox3 := nats.NewInbox()
	nc2.SubscribeSync(inbox3)
	nc2.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.DR.c", inbox3, []byte(`{"batch":1,"expires":5000000000}`))
	nc2.Flush()
	time.Sleep(100 * time.Millisecond)
	nc2.Close()
	time.Sleep(100 * time.Millisecond)
	pubS(sc, "dr", "m5")
	time.Sleep(100 * time.Millisecond)
	ciFull(sc, "DR", "c")
	fetchS(sc, sub, 1, 500*time.Millisecond, true)
}

func pubRace() {
	sc := "pubrace"
	short := map[string]int{}
	for _, ret := range []nats.RetentionPolicy{nats.LimitsPolicy, nats.InterestPolicy, nats.WorkQueuePolicy} {
		for i := 0; i < 30; i++ {
			name := fmt.Sprintf("PR%d", i)
			if _, err := js.AddStream(&nats.StreamConfig{Name: name, Subjects: []string{"pr" + name}, Retention: ret}); err != nil {
				out(sc, "add err=%s", e(err))
				return
			}
			sub, err := js.PullSubscribe("pr"+name, "c")
			if err != nil {
				out(sc, "sub err=%s", e(err))
				return
			}
			for j := 0; j < 4; j++ {
				js.Publish("pr"+name, []byte("x"))
			}
			msgs, _ := sub.Fetch(4, nats.MaxWait(500*time.Millisecond))
			if len(msgs) != 4 {
				short[ret.String()]++
				if *verbose {
					info, _ := js.ConsumerInfo(name, "c")
					fmt.Fprintf(os.Stderr, "short %s got %d, info pending=%d ackpending=%d delivered=%d/%d\n", ret, len(msgs), info.NumPending, info.NumAckPending, info.Delivered.Consumer, info.Delivered.Stream)
				}
			}
			js.DeleteStream(name)
		}
	}
	out(sc, "short fetches limits=%d interest=%d workqueue=%d (of 30 each)", short["Limits"], short["Interest"], short["WorkQueue"])
}

// pubRaceRaw: like pubrace but with a raw no_wait pull (what Fetch sends first),
// and with a pause between the publishes and the pull.
func pubRaceRaw() {
	sc := "pubraceraw"
	for _, mode := range []string{"new", "warm", "new+50ms"} {
		pause := time.Duration(0)
		if mode == "new+50ms" {
			pause = 50 * time.Millisecond
		}
		warm := mode == "warm"
		short := 0
		statuses := map[string]int{}
		for i := 0; i < 30; i++ {
			name := fmt.Sprintf("PRR%d", i)
			if _, err := js.AddStream(&nats.StreamConfig{Name: name, Subjects: []string{"prr" + name}}); err != nil {
				out(sc, "add err=%s", e(err))
				return
			}
			js.AddConsumer(name, &nats.ConsumerConfig{Durable: "c", AckPolicy: nats.AckExplicitPolicy})
			for j := 0; j < 4; j++ {
				js.Publish("prr"+name, []byte("x"))
			}
			if warm {
				// drain the first 4 and publish 4 more: the consumer is no longer new
				rs, _ := nc.SubscribeSync(nats.NewInbox())
				nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT."+name+".c", rs.Subject, []byte(`{"batch":4,"expires":1000000000}`))
				for k := 0; k < 4; k++ {
					if m, err := rs.NextMsg(time.Second); err == nil {
						m.AckSync()
					}
				}
				rs.Unsubscribe()
				for j := 0; j < 4; j++ {
					js.Publish("prr"+name, []byte("x"))
				}
			}
			time.Sleep(pause)
			inbox := nats.NewInbox()
			s, _ := nc.SubscribeSync(inbox)
			nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT."+name+".c", inbox, []byte(`{"batch":4,"no_wait":true}`))
			n := 0
			for {
				m, err := s.NextMsg(300 * time.Millisecond)
				if err != nil {
					statuses["none"]++
					break
				}
				if st := m.Header.Get("Status"); st != "" {
					statuses[st+" "+m.Header.Get("Description")]++
					break
				}
				n++
				if n == 4 {
					break
				}
			}
			s.Unsubscribe()
			if n != 4 {
				short++
			}
			js.DeleteStream(name)
		}
		keys := []string{}
		for k, v := range statuses {
			keys = append(keys, fmt.Sprintf("%s=%d", k, v))
		}
		sort.Strings(keys)
		out(sc, "%s short=%d/30 terminators %v", mode, short, keys)
	}
}

func pullHeartbeat() {
	sc := "pullhb"
	if !addStream(sc, &nats.StreamConfig{Name: "PH", Subjects: []string{"ph"}}) {
		return
	}
	js.AddConsumer("PH", &nats.ConsumerConfig{Durable: "c", AckPolicy: nats.AckExplicitPolicy, AckWait: 400 * time.Millisecond, MaxDeliver: 3})
	rawPull(sc, "PH", "c", `{"batch":1,"expires":1000000000,"idle_heartbeat":300000000}`, 1200*time.Millisecond)
	rawPull(sc, "PH", "c", `{"batch":1,"expires":1000000000,"idle_heartbeat":2000000000}`, 1200*time.Millisecond)
	rawPull(sc, "PH", "c", `{"batch":1,"idle_heartbeat":300000000}`, 500*time.Millisecond)
	// redelivery order of several expired messages, and max deliver
	for i := 1; i <= 3; i++ {
		pubS(sc, "ph", fmt.Sprintf("m%d", i))
	}
	sub, err := js.PullSubscribe("ph", "c", nats.Bind("PH", "c"))
	if !must(sc, err) {
		return
	}
	fetchS(sc, sub, 3, 300*time.Millisecond, false)
	time.Sleep(500 * time.Millisecond)
	fetchS(sc, sub, 3, 300*time.Millisecond, false)
	ciFull(sc, "PH", "c")
	time.Sleep(500 * time.Millisecond)
	fetchS(sc, sub, 3, 300*time.Millisecond, false)
	time.Sleep(500 * time.Millisecond)
	fetchS(sc, sub, 3, 300*time.Millisecond, false)
	ciFull(sc, "PH", "c")
	pubS(sc, "ph", "m4")
	ms := fetchS(sc, sub, 3, 300*time.Millisecond, false)
	if len(ms) > 0 {
		ms[0].AckSync()
		out(sc, "nak after ack err=%s", e(ms[0].Nak()))
		out(sc, "term after ack err=%s", e(ms[0].Term()))
		out(sc, "inprogress after ack err=%s", e(ms[0].InProgress()))
	}
	ciFull(sc, "PH", "c")
	// message ack with a raw reply subject for a non-existing consumer
	err = nc.Publish("$JS.ACK.PH.nope.1.1.1.0.0", []byte("+ACK"))
	out(sc, "ack to missing consumer publish err=%s", e(err))
	resp, err := nc.Request("$JS.ACK.PH.c.1.99.99.0.0", []byte("+ACK"), 300*time.Millisecond)
	if err != nil {
		out(sc, "ack request for unknown delivery err=%v", err)
	} else {
		out(sc, "ack request for unknown delivery reply=%q", string(resp.Data))
	}
	ciFull(sc, "PH", "c")
}

func phase1d() {
	sc := "restart1d"
	// dedupe window survives restart
	if addStream(sc, &nats.StreamConfig{Name: "RX", Subjects: []string{"rx.*"}, Duplicates: time.Minute}) {
		ack, err := js.Publish("rx.a", []byte("1"), nats.MsgId("dup1"))
		out(sc, "msgid seq=%d err=%s", seqOf(ack), e(err))
		js.Publish("rx.a", []byte("2"))
		js.Publish("rx.b", []byte("3"))
		// purge all: the last sequence must survive the restart
		js.PurgeStream("RX")
		si(sc, "RX")
	}
	// an ephemeral consumer with a long inactive threshold, a deliver-new durable
	if addStream(sc, &nats.StreamConfig{Name: "RE", Subjects: []string{"re"}}) {
		pubS(sc, "re", "e1")
		info, err := js.AddConsumer("RE", &nats.ConsumerConfig{AckPolicy: nats.AckExplicitPolicy, InactiveThreshold: time.Minute})
		if must(sc, err) {
			os.WriteFile(os.TempDir()+"/gocompare-ephemeral-name", []byte(info.Name), 0644)
		}
		_, err = js.AddConsumer("RE", &nats.ConsumerConfig{Durable: "newonly", AckPolicy: nats.AckExplicitPolicy, DeliverPolicy: nats.DeliverNewPolicy})
		must(sc, err)
		pubS(sc, "re", "e2")
	}
	// KV with history
	kv, err := js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "rkv", History: 3})
	if must(sc, err) {
		kv.Put("k", []byte("v1"))
		kv.Put("k", []byte("v2"))
		kv.Put("j", []byte("x"))
		kv.Delete("j")
	}
	// MaxAge stream: messages should expire across the restart
	if addStream(sc, &nats.StreamConfig{Name: "RA", Subjects: []string{"ra"}, MaxAge: 1500 * time.Millisecond}) {
		pubS(sc, "ra", "a1")
	}
}

func phase2d() {
	sc := "restart2d"
	si(sc, "RX")
	ack, err := js.Publish("rx.a", []byte("1"), nats.MsgId("dup1"))
	out(sc, "msgid again seq=%d dup=%v err=%s", seqOf(ack), ack != nil && ack.Duplicate, e(err))
	ack, err = js.Publish("rx.a", []byte("n"))
	out(sc, "publish after purge+restart seq=%d err=%s", seqOf(ack), e(err))
	b, _ := os.ReadFile(os.TempDir() + "/gocompare-ephemeral-name")
	name := string(b)
	os.Remove(os.TempDir() + "/gocompare-ephemeral-name")
	names := []string{}
	for n := range js.ConsumerNames("RE") {
		if n == name {
			n = "<ephemeral>"
		}
		names = append(names, n)
	}
	sort.Strings(names)
	out(sc, "RE consumers %v", names)
	if name != "" {
		info, err := js.ConsumerInfo("RE", name)
		if err == nil {
			out(sc, "ephemeral after restart pending=%d inactive=%v durable=%q", info.NumPending, info.Config.InactiveThreshold, info.Config.Durable)
		} else {
			out(sc, "ephemeral after restart err=%s", e(err))
		}
	}
	ciFull(sc, "RE", "newonly")
	sub, err := js.PullSubscribe("re", "newonly", nats.Bind("RE", "newonly"))
	if must(sc, err) {
		fetchS(sc, sub, 5, 300*time.Millisecond, true)
		pubS(sc, "re", "e3")
		fetchS(sc, sub, 5, 300*time.Millisecond, true)
	}
	kv, err := js.KeyValue("rkv")
	if must(sc, err) {
		e1, err := kv.Get("k")
		if err == nil {
			out(sc, "kv k=%s rev=%d", string(e1.Value()), e1.Revision())
		} else {
			out(sc, "kv k err=%s", e(err))
		}
		_, err = kv.Get("j")
		out(sc, "kv j err=%s", e(err))
		h, err := kv.History("k")
		out(sc, "kv history k len=%d err=%s", len(h), e(err))
		keys, err := kv.Keys()
		out(sc, "kv keys %v err=%s", keys, e(err))
		r, err := kv.Update("k", []byte("v3"), 2)
		out(sc, "kv update rev2 -> %d err=%s", r, e(err))
	}
	time.Sleep(1600 * time.Millisecond)
	si(sc, "RA")
}

// pubLag: right after a PubAck, is the message visible everywhere?
func pubLag() {
	sc := "publag"
	js.DeleteStream("PL")
	if !addStream(sc, &nats.StreamConfig{Name: "PL", Subjects: []string{"pl"}}) {
		return
	}
	js.AddConsumer("PL", &nats.ConsumerConfig{Durable: "c", AckPolicy: nats.AckExplicitPolicy})
	badInfo, badGet, badLast, badPending := 0, 0, 0, 0
	for i := 1; i <= 40; i++ {
		ack, err := js.Publish("pl", []byte(fmt.Sprintf("m%d", i)))
		if err != nil {
			out(sc, "pub err=%s", e(err))
			return
		}
		if info, err := js.StreamInfo("PL"); err != nil || info.State.LastSeq != ack.Sequence || info.State.Msgs != uint64(i) {
			badInfo++
		}
		if _, err := js.GetMsg("PL", ack.Sequence); err != nil {
			badGet++
		}
		if m, err := js.GetLastMsg("PL", "pl"); err != nil || m.Sequence != ack.Sequence {
			badLast++
		}
		if ci, err := js.ConsumerInfo("PL", "c"); err != nil || ci.NumPending != uint64(i) {
			badPending++
		}
	}
	out(sc, "of 40 publishes, not yet visible: streaminfo=%d getmsg=%d getlast=%d consumer-pending=%d", badInfo, badGet, badLast, badPending)
	// push consumer: time from PubAck to delivery is not checked; only that all arrive in order
	sub, err := js.SubscribeSync("pl", nats.Durable("p"), nats.DeliverNew(), nats.AckNone())
	if must(sc, err) {
		for i := 0; i < 20; i++ {
			js.Publish("pl", []byte(fmt.Sprintf("n%d", i)))
		}
		inorder := true
		n := 0
		for {
			m, err := sub.NextMsg(500 * time.Millisecond)
			if err != nil {
				break
			}
			if string(m.Data) != fmt.Sprintf("n%d", n) {
				inorder = false
			}
			n++
		}
		out(sc, "push got %d in order=%v", n, inorder)
		sub.Unsubscribe()
	}
}

// limRace: consumer exists, publishes overflow MaxMsgs; a Fetch must only
// return messages still in the stream.
func limRace() {
	sc := "limrace"
	stale, short := 0, 0
	example := ""
	for i := 0; i < 30; i++ {
		name := fmt.Sprintf("LR%d", i)
		if _, err := js.AddStream(&nats.StreamConfig{Name: name, Subjects: []string{"lr" + name}, MaxMsgs: 3}); err != nil {
			out(sc, "add err=%s", e(err))
			return
		}
		sub, err := js.PullSubscribe("lr"+name, "c")
		if err != nil {
			out(sc, "sub err=%s", e(err))
			return
		}
		for j := 1; j <= 10; j++ {
			js.Publish("lr"+name, []byte(fmt.Sprintf("m%d", j)))
		}
		msgs, _ := sub.Fetch(10, nats.MaxWait(500*time.Millisecond))
		got := []string{}
		bad := false
		for _, m := range msgs {
			md, _ := m.Metadata()
			got = append(got, fmt.Sprintf("%s:%d", string(m.Data), md.Sequence.Stream))
			if md.Sequence.Stream < 8 {
				bad = true
			}
		}
		if bad {
			stale++
			if example == "" {
				example = strings.Join(got, " ")
			}
		}
		if len(msgs) != 3 {
			short++
		}
		js.DeleteStream(name)
	}
	out(sc, "of 30: fetches with discarded msgs=%d, fetches != 3 msgs=%d", stale, short)
	if *verbose && example != "" {
		fmt.Fprintf(os.Stderr, "limrace example: %s\n", example)
	}
}

// delRace: a message deleted (or purged) right before a Fetch must not be delivered.
func delRace() {
	sc := "delrace"
	delBad, purgeBad := 0, 0
	for i := 0; i < 30; i++ {
		name := fmt.Sprintf("DLR%d", i)
		if _, err := js.AddStream(&nats.StreamConfig{Name: name, Subjects: []string{"dlr" + name}}); err != nil {
			out(sc, "add err=%s", e(err))
			return
		}
		sub, _ := js.PullSubscribe("dlr"+name, "c")
		for j := 1; j <= 5; j++ {
			js.Publish("dlr"+name, []byte(fmt.Sprintf("m%d", j)))
		}
		js.DeleteMsg(name, 3)
		msgs, _ := sub.Fetch(4, nats.MaxWait(300*time.Millisecond))
		for _, m := range msgs {
			md, _ := m.Metadata()
			if md.Sequence.Stream == 3 {
				delBad++
			}
		}
		for j := 6; j <= 8; j++ {
			js.Publish("dlr"+name, []byte(fmt.Sprintf("m%d", j)))
		}
		js.PurgeStream(name)
		msgs, _ = sub.Fetch(1, nats.MaxWait(100*time.Millisecond))
		if len(msgs) > 0 {
			purgeBad++
		}
		js.DeleteStream(name)
	}
	out(sc, "of 30: deleted msg delivered=%d, msgs delivered after purge=%d", delBad, purgeBad)
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
		phase1b()
		phase1c()
		phase1d()
		phase1e()
		phase1f()
		phase1g()
	case "2":
		phase2()
		phase2b()
		phase2c()
		phase2d()
		phase2e()
		phase2f()
		phase2g()
	default:
		all := map[string]func(){"pull": pullBasics, "push": pushBasics, "pushbind": pushBind, "ordered": ordered,
			"deliver": deliverPolicies, "maxdeliver": maxDeliver, "mgmt": mgmt, "queue": queuePush, "wq": workQueue,
			"interest": interest, "hdr": headersAndKV, "acks2": moreAcks, "push2": pushFeatures, "sops": streamOps, "lim": limitsAndDeletes,
			"fetchempty": fetchEmpty, "maxwaiting": maxWaiting, "maxap": maxAckPending, "ackwait": ackWaitRedeliver, "backoff": backoff,
			"ackall": ackAll, "deliver2": deliver2, "listing": listing, "update": updateConsumer, "hbfc": hbfc, "chansub": chanSub,
			"ordpurge": orderedPurge, "ephemeral": ephemeral, "interest2": interest2, "wqfilter": wqFilter, "discard": discard,
			"getmsg": getMsgs, "sinfo": sinfo, "purge2": purge2,
			"wantinterest": waitingInterest, "interestfetch": interestFetch, "discardack": discardAck, "purge3": purge3,
			"deadreq": deadRequester, "pubrace": pubRace, "pubraceraw": pubRaceRaw, "pullhb": pullHeartbeat, "publag": pubLag, "limrace": limRace, "delrace": delRace,
			"adv": advisories, "rawack": rawAcks, "wq2": wqMore, "interest3": interest3, "rollup": rollup, "mirror": mirrors,
			"pushgroup": pushGroup, "listpage": listPaging, "cdefaults": consumerDefaults,
			"lim2": limits2, "expect": expectations, "kv2": kv2, "obj": objStore, "pull2": pullCorners,
			"ordered2": ordered2, "autoack": autoAck, "redeliv": redeliveryOrder, "fsubj": filterSubjects,
			"seed": seedArticle, "acct": accountInfo}
		names := []string{"pull", "push", "pushbind", "ordered", "deliver", "maxdeliver", "mgmt", "queue", "wq", "interest", "hdr", "acks2", "push2", "sops", "lim",
			"fetchempty", "maxwaiting", "maxap", "ackwait", "backoff", "ackall", "deliver2", "listing", "update", "hbfc", "chansub",
			"ordpurge", "ephemeral", "interest2", "wqfilter", "discard", "getmsg", "sinfo", "purge2",
			"wantinterest", "interestfetch", "discardack", "purge3", "deadreq", "pubrace", "pubraceraw", "pullhb", "publag", "limrace", "delrace",
			"adv", "rawack", "wq2", "interest3", "rollup", "mirror", "pushgroup", "listpage", "cdefaults",
			"lim2", "expect", "kv2", "obj", "pull2", "ordered2", "autoack", "redeliv", "fsubj", "seed", "acct"}
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
