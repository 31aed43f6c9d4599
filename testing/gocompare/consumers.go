// Scenarios on consumers: ordered consumers over gaps, callback
// subscriptions that ack for the caller, redelivery order, and 2.10's
// filter_subjects through the raw API. Same output conventions as main.go.
package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/nats-io/nats.go"
)

func ordered2() {
	sc := "ordered2"
	if !addStream(sc, &nats.StreamConfig{Name: "OR2", Subjects: []string{"or2.*"}}) {
		return
	}
	for i := 1; i <= 8; i++ {
		subj := "or2.a"
		if i%3 == 0 {
			subj = "or2.b"
		}
		pubS(sc, subj, fmt.Sprintf("m%d", i))
	}
	js.DeleteMsg("OR2", 2)
	js.DeleteMsg("OR2", 5)
	read := func(what string, n int, opts ...nats.SubOpt) {
		sub, err := js.SubscribeSync("or2.*", append([]nats.SubOpt{nats.OrderedConsumer()}, opts...)...)
		if !must(sc, err) {
			return
		}
		got := []string{}
		for i := 0; i < n; i++ {
			m, err := sub.NextMsg(time.Second)
			if err != nil {
				got = append(got, "timeout")
				break
			}
			md, _ := m.Metadata()
			got = append(got, fmt.Sprintf("%s:s%d:c%d:p%d", string(m.Data), md.Sequence.Stream, md.Sequence.Consumer, md.NumPending))
		}
		info, err := sub.ConsumerInfo()
		if err == nil {
			c := info.Config
			out(sc, "%s cfg ack=%v fc=%v hb=%v mem=%v replicas=%d deliver=%v inact=%v maxdeliver=%d", what, c.AckPolicy, c.FlowControl, c.Heartbeat, c.MemoryStorage, c.Replicas, c.DeliverPolicy, c.InactiveThreshold, c.MaxDeliver)
		}
		sub.Unsubscribe()
		out(sc, "%s %v", what, got)
	}
	read("all", 6)
	read("last per subject", 2, nats.DeliverLastPerSubject())
	read("start seq 4", 3, nats.StartSequence(4))
	read("headers only", 2, nats.HeadersOnly())
	_, err := js.SubscribeSync("or2.*", nats.OrderedConsumer(), nats.Durable("x"))
	out(sc, "ordered with durable err=%s", e(err))
	_, err = js.SubscribeSync("or2.*", nats.OrderedConsumer(), nats.AckExplicit())
	out(sc, "ordered with ack explicit err=%s", e(err))
	_, err = js.PullSubscribe("or2.*", "", nats.OrderedConsumer())
	out(sc, "ordered pull err=%s", e(err))
}

func autoAck() {
	sc := "autoack"
	if !addStream(sc, &nats.StreamConfig{Name: "AU", Subjects: []string{"au"}}) {
		return
	}
	pub(sc, "au", 5)
	got := make(chan string, 10)
	sub, err := js.Subscribe("au", func(m *nats.Msg) { got <- string(m.Data) }, nats.Durable("auto"))
	if !must(sc, err) {
		return
	}
	out(sc, "distinct=%d", distinct(got, 5))
	ciFull(sc, "AU", "auto")
	sub.Unsubscribe()
	time.Sleep(100 * time.Millisecond)
	_, err = js.ConsumerInfo("AU", "auto")
	out(sc, "durable after unsubscribe err=%s", e(err))
	sub2, err := js.Subscribe("au", func(m *nats.Msg) { got <- string(m.Data) }, nats.Durable("auto2"), nats.AckNone(), nats.DeliverSubject("au.custom.dlv"))
	if must(sc, err) {
		out(sc, "ack none distinct=%d", distinct(got, 5))
		info, _ := js.ConsumerInfo("AU", "auto2")
		if info != nil {
			out(sc, "deliver subject=%s ack=%v ackfloor=%d/%d", info.Config.DeliverSubject, info.Config.AckPolicy, info.AckFloor.Consumer, info.AckFloor.Stream)
		}
		out(sc, "drain err=%s", e(sub2.Drain()))
		time.Sleep(300 * time.Millisecond)
		_, err = js.ConsumerInfo("AU", "auto2")
		out(sc, "durable after drain err=%s", e(err))
	}
	// bind to an existing durable: unsubscribe keeps it
	js.AddConsumer("AU", &nats.ConsumerConfig{Durable: "kept", DeliverSubject: "au.kept", AckPolicy: nats.AckExplicitPolicy})
	sub3, err := js.Subscribe("au", func(m *nats.Msg) { got <- string(m.Data) }, nats.Durable("kept"))
	if must(sc, err) {
		out(sc, "kept distinct=%d", distinct(got, 5))
		sub3.Unsubscribe()
		time.Sleep(100 * time.Millisecond)
		info, err := js.ConsumerInfo("AU", "kept")
		out(sc, "kept after unsubscribe err=%s ackfloor=%d", e(err), func() uint64 {
			if info == nil {
				return 0
			}
			return info.AckFloor.Stream
		}())
	}
}

// redeliveryOrder: what comes first once naks, ack wait expiries and new
// messages mix.
func redeliveryOrder() {
	sc := "redeliv"
	if !addStream(sc, &nats.StreamConfig{Name: "RO", Subjects: []string{"ro"}}) {
		return
	}
	pub(sc, "ro", 6)
	sub, err := js.PullSubscribe("ro", "c", nats.AckWait(600*time.Millisecond))
	if !must(sc, err) {
		return
	}
	msgs := fetchS(sc, sub, 4, 300*time.Millisecond, false)
	if len(msgs) != 4 {
		return
	}
	msgs[3].Nak()
	msgs[1].Nak()
	msgs[0].AckSync()
	fetchS(sc, sub, 10, 300*time.Millisecond, false)
	time.Sleep(700 * time.Millisecond)
	// Sorted: which expiries one check of nats-server's catches is timing.
	ms, _ := sub.Fetch(10, nats.MaxWait(300*time.Millisecond))
	got := []string{}
	for _, m := range ms {
		md, _ := m.Metadata()
		got = append(got, fmt.Sprintf("%s:d%d", string(m.Data), md.NumDelivered))
	}
	sort.Strings(got)
	out(sc, "after ack wait (sorted) %v", got)
	ciFull(sc, "RO", "c")
	for _, m := range ms {
		m.AckSync()
	}
	ciFull(sc, "RO", "c")
	// InProgress keeps a message from being redelivered
	pubS(sc, "ro", "m7")
	ms = fetchS(sc, sub, 1, 300*time.Millisecond, false)
	if len(ms) == 1 {
		for i := 0; i < 4; i++ {
			time.Sleep(250 * time.Millisecond)
			ms[0].InProgress()
		}
		fetchS(sc, sub, 1, 200*time.Millisecond, false)
		out(sc, "ack after in progress err=%s", e(ms[0].AckSync()))
		out(sc, "ack again err=%s", e(ms[0].AckSync()))
	}
	ciFull(sc, "RO", "c")
}

func filterSubjects() {
	sc := "fsubj"
	if !addStream(sc, &nats.StreamConfig{Name: "FS", Subjects: []string{"fs.*"}}) {
		return
	}
	for _, s := range []string{"fs.a", "fs.b", "fs.c", "fs.a", "fs.c", "fs.d"} {
		pubS(sc, s, s)
	}
	create := func(what, name, body string) {
		r, err := nc.Request("$JS.API.CONSUMER.CREATE.FS."+name, []byte(body), time.Second)
		if err != nil {
			out(sc, "%s err=%s", what, e(err))
			return
		}
		var resp struct {
			Error  *nats.APIError `json:"error"`
			Config struct {
				FilterSubject  string   `json:"filter_subject"`
				FilterSubjects []string `json:"filter_subjects"`
			} `json:"config"`
			NumPending uint64 `json:"num_pending"`
		}
		json.Unmarshal(r.Data, &resp)
		if resp.Error != nil {
			out(sc, "%s error %d/%d %s", what, resp.Error.Code, resp.Error.ErrorCode, resp.Error.Description)
			return
		}
		out(sc, "%s filter=%q filters=%v pending=%d", what, resp.Config.FilterSubject, resp.Config.FilterSubjects, resp.NumPending)
	}
	create("two filters", "m", `{"stream_name":"FS","config":{"durable_name":"m","ack_policy":"explicit","filter_subjects":["fs.a","fs.c"]}}`)
	sub, err := js.PullSubscribe("", "m", nats.Bind("FS", "m"))
	if must(sc, err) {
		fetchS(sc, sub, 10, 300*time.Millisecond, true)
	}
	create("update filters", "m", `{"stream_name":"FS","config":{"durable_name":"m","ack_policy":"explicit","filter_subjects":["fs.a","fs.d"]}}`)
	ciFull(sc, "FS", "m")
	if sub != nil {
		fetchS(sc, sub, 10, 300*time.Millisecond, true)
	}
	pubS(sc, "fs.d", "fs.d")
	pubS(sc, "fs.c", "fs.c")
	ciFull(sc, "FS", "m")
	create("both filter and filters", "m2", `{"stream_name":"FS","config":{"durable_name":"m2","ack_policy":"explicit","filter_subject":"fs.a","filter_subjects":["fs.c"]}}`)
	create("overlapping filters", "m3", `{"stream_name":"FS","config":{"durable_name":"m3","ack_policy":"explicit","filter_subjects":["fs.*","fs.c"]}}`)
}
