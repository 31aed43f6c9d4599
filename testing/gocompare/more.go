// More scenarios: advisories, acks by raw reply, interest and work-queue
// retention corners, rollups, mirrors, push queue groups, listings and a
// restart phase. Same output conventions as main.go.
package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// distinct counts the different payloads read from ch until n were seen or
// 3 s passed, then waits 200 ms for acks to settle.
func distinct(ch chan string, n int) int {
	seen := map[string]int{}
	deadline := time.After(3 * time.Second)
loop:
	for len(seen) < n {
		select {
		case d := <-ch:
			seen[d]++
		case <-deadline:
			break loop
		}
	}
	time.Sleep(200 * time.Millisecond)
	return len(seen)
}

// advFields prints an advisory's type and the fields a test would assert,
// plus its sorted key set (to catch missing or extra fields).
func advFields(sc string, m *nats.Msg) {
	var a map[string]interface{}
	json.Unmarshal(m.Data, &a)
	keys := []string{}
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := []string{}
	for _, k := range []string{"stream", "consumer", "stream_seq", "consumer_seq", "deliveries", "action"} {
		if v, ok := a[k]; ok {
			vals = append(vals, fmt.Sprintf("%s=%v", k, v))
		}
	}
	out(sc, "adv %s on %s %s keys=%v", a["type"], m.Subject, strings.Join(vals, " "), keys)
}

func advisories() {
	sc := "adv"
	adv, _ := nc.SubscribeSync("$JS.EVENT.ADVISORY.*.*.AV.>")
	adv2, _ := nc.SubscribeSync("$JS.EVENT.ADVISORY.STREAM.*.AV")
	advc, _ := nc.SubscribeSync("$JS.EVENT.ADVISORY.CONSUMER.*.AV.*")
	nc.Flush()
	if !addStream(sc, &nats.StreamConfig{Name: "AV", Subjects: []string{"av"}}) {
		return
	}
	pubS(sc, "av", "m1")
	pubS(sc, "av", "m2")
	pubS(sc, "av", "m3")
	sub, err := js.PullSubscribe("av", "c", nats.MaxDeliver(2), nats.AckWait(400*time.Millisecond))
	if !must(sc, err) {
		return
	}
	msgs := fetchS(sc, sub, 3, 300*time.Millisecond, false)
	if len(msgs) == 3 {
		out(sc, "term m1 err=%s", e(msgs[0].Term()))
		out(sc, "ack m2 err=%s", e(msgs[1].AckSync()))
	}
	time.Sleep(600 * time.Millisecond)
	fetchS(sc, sub, 3, 300*time.Millisecond, false)
	time.Sleep(700 * time.Millisecond)
	fetchS(sc, sub, 3, 300*time.Millisecond, false)
	ciFull(sc, "AV", "c")
	js.DeleteConsumer("AV", "c")
	js.UpdateStream(&nats.StreamConfig{Name: "AV", Subjects: []string{"av"}, MaxMsgs: 10})
	js.DeleteStream("AV")
	nc.Flush()
	time.Sleep(200 * time.Millisecond)
	seen := []string{}
	for _, s := range []*nats.Subscription{adv, adv2, advc} {
		for {
			m, err := s.NextMsg(100 * time.Millisecond)
			if err != nil {
				break
			}
			if s == advc {
				advFields(sc, m)
			} else {
				var a map[string]interface{}
				json.Unmarshal(m.Data, &a)
				seen = append(seen, fmt.Sprintf("%v", a["type"]))
			}
		}
		s.Unsubscribe()
	}
	out(sc, "other advisories %v", seen)
}

// rawAcks: the ack protocol sent by hand, with replies, twice.
func rawAcks() {
	sc := "rawack"
	if !addStream(sc, &nats.StreamConfig{Name: "RK", Subjects: []string{"rk"}}) {
		return
	}
	pub(sc, "rk", 8)
	sub, err := js.PullSubscribe("rk", "c", nats.AckWait(2*time.Second))
	if !must(sc, err) {
		return
	}
	msgs := fetchS(sc, sub, 6, 300*time.Millisecond, false)
	if len(msgs) < 6 {
		return
	}
	req := func(what string, m *nats.Msg, body string) {
		r, err := nc.Request(m.Reply, []byte(body), 500*time.Millisecond)
		if err != nil {
			out(sc, "%s -> err=%s", what, e(err))
			return
		}
		out(sc, "%s -> %q status=%q", what, string(r.Data), r.Header.Get("Status"))
	}
	req("ack m1", msgs[0], "+ACK")
	req("ack m1 again", msgs[0], "+ACK")
	req("nak m2 json delay", msgs[1], `-NAK {"delay": 1500000000}`)
	req("wpi m3", msgs[2], "+WPI")
	req("term m4 reason", msgs[3], "+TERM bad data")
	req("term m4 again", msgs[3], "+TERM")
	req("ack m4 after term", msgs[3], "+ACK")
	req("unknown m5", msgs[4], "+XYZ")
	req("empty m5", msgs[4], "")
	time.Sleep(50 * time.Millisecond)
	ciFull(sc, "RK", "c")
	// +NXT: ack and ask for the next message(s) in one go
	inbox := nats.NewInbox()
	s, _ := nc.SubscribeSync(inbox)
	nc.PublishRequest(msgs[5].Reply, inbox, []byte(`+NXT {"batch":2}`))
	got := []string{}
	for i := 0; i < 2; i++ {
		m, err := s.NextMsg(time.Second)
		if err != nil {
			break
		}
		got = append(got, string(m.Data))
	}
	out(sc, "+NXT got %v", got)
	fetchS(sc, sub, 5, 2500*time.Millisecond, false)
	ciFull(sc, "RK", "c")
}

// wqMore: work-queue retention with ack-all, nak, term and consumer delete.
func wqMore() {
	sc := "wq2"
	if !addStream(sc, &nats.StreamConfig{Name: "WQ2", Subjects: []string{"wq2.*"}, Retention: nats.WorkQueuePolicy}) {
		return
	}
	pub(sc, "wq2.a", 6)
	sub, err := js.PullSubscribe("wq2.a", "all", nats.AckAll())
	if !must(sc, err) {
		return
	}
	msgs := fetchS(sc, sub, 4, 300*time.Millisecond, false)
	if len(msgs) == 4 {
		out(sc, "ack m3 err=%s", e(msgs[2].AckSync()))
	}
	si(sc, "WQ2")
	ciFull(sc, "WQ2", "all")
	if len(msgs) == 4 {
		out(sc, "term m4 err=%s", e(msgs[3].Term()))
	}
	time.Sleep(50 * time.Millisecond)
	si(sc, "WQ2")
	ciFull(sc, "WQ2", "all")
	out(sc, "delete consumer err=%s", e(js.DeleteConsumer("WQ2", "all")))
	si(sc, "WQ2")
	sub2, err := js.PullSubscribe("wq2.a", "again")
	if must(sc, err) {
		fetchS(sc, sub2, 5, 300*time.Millisecond, true)
	}
	si(sc, "WQ2")
	// ack none on a work queue: delivered means gone
	js.DeleteConsumer("WQ2", "again")
	pubS(sc, "wq2.b", "b1")
	pubS(sc, "wq2.b", "b2")
	sub3, err := js.PullSubscribe("wq2.b", "none", nats.AckNone())
	out(sc, "ack none on wq err=%s", e(err))
	if err == nil {
		fetchS(sc, sub3, 1, 300*time.Millisecond, false)
		time.Sleep(50 * time.Millisecond)
		si(sc, "WQ2")
	}
	// push consumer on a work queue with a deliver group
	_, err = js.AddConsumer("WQ2", &nats.ConsumerConfig{Durable: "pq", DeliverSubject: "wq2.deliver", DeliverGroup: "g", FilterSubject: "wq2.c", AckPolicy: nats.AckExplicitPolicy})
	out(sc, "push queue on wq err=%s", e(err))
}

// interest3: interest retention with several filtered consumers.
func interest3() {
	sc := "interest3"
	if !addStream(sc, &nats.StreamConfig{Name: "I3", Subjects: []string{"i3.*"}, Retention: nats.InterestPolicy}) {
		return
	}
	pubS(sc, "i3.a", "before")
	si(sc, "I3")
	sa, _ := js.PullSubscribe("i3.a", "ca")
	sb, _ := js.PullSubscribe("i3.b", "cb")
	sall, _ := js.PullSubscribe("i3.*", "call")
	if sa == nil || sb == nil || sall == nil {
		out(sc, "subscribe failed")
		return
	}
	pubS(sc, "i3.a", "a1")
	pubS(sc, "i3.b", "b1")
	pubS(sc, "i3.c", "c1")
	pubS(sc, "i3.a", "a2")
	si(sc, "I3")
	fetchS(sc, sa, 5, 300*time.Millisecond, true)
	si(sc, "I3")
	msgs := fetchS(sc, sall, 5, 300*time.Millisecond, false)
	for i, m := range msgs {
		switch i {
		case 0:
			m.AckSync()
		case 1:
			m.Term()
		case 2:
			m.Nak()
		}
	}
	time.Sleep(50 * time.Millisecond)
	si(sc, "I3")
	ciFull(sc, "I3", "call")
	out(sc, "delete cb err=%s", e(js.DeleteConsumer("I3", "cb")))
	si(sc, "I3")
	out(sc, "delete call err=%s", e(js.DeleteConsumer("I3", "call")))
	si(sc, "I3")
	// ack none consumer on interest stream
	sn, err := js.PullSubscribe("i3.*", "none", nats.AckNone())
	if must(sc, err) {
		pubS(sc, "i3.a", "a3")
		pubS(sc, "i3.c", "c2")
		fetchS(sc, sn, 5, 300*time.Millisecond, false)
		time.Sleep(50 * time.Millisecond)
		si(sc, "I3")
		fetchS(sc, sa, 5, 300*time.Millisecond, true)
		si(sc, "I3")
	}
	// purge with filter on interest stream
	pubS(sc, "i3.a", "a4")
	pubS(sc, "i3.a", "a5")
	out(sc, "purge i3.a err=%s", e(js.PurgeStream("I3", &nats.StreamPurgeRequest{Subject: "i3.a"})))
	si(sc, "I3")
	ciFull(sc, "I3", "ca")
}

// rollup: Nats-Rollup headers, deny rollup, sealed streams.
func rollup() {
	sc := "rollup"
	if !addStream(sc, &nats.StreamConfig{Name: "RU", Subjects: []string{"ru.*"}, AllowRollup: true}) {
		return
	}
	for _, s := range []string{"ru.a", "ru.a", "ru.b", "ru.b", "ru.c"} {
		pubS(sc, s, "x")
	}
	m := nats.NewMsg("ru.a")
	m.Header.Set("Nats-Rollup", "sub")
	m.Data = []byte("rolled a")
	a, err := js.PublishMsg(m)
	out(sc, "rollup sub seq=%d err=%s", seqOf(a), e(err))
	info, _ := js.StreamInfo("RU", &nats.StreamInfoRequest{SubjectsFilter: ">"})
	if info != nil {
		out(sc, "after sub rollup msgs=%d first=%d subjects=%s", info.State.Msgs, info.State.FirstSeq, sortedMap(info.State.Subjects))
	}
	m = nats.NewMsg("ru.b")
	m.Header.Set("Nats-Rollup", "all")
	m.Data = []byte("all")
	a, err = js.PublishMsg(m)
	out(sc, "rollup all seq=%d err=%s", seqOf(a), e(err))
	si(sc, "RU")
	m = nats.NewMsg("ru.b")
	m.Header.Set("Nats-Rollup", "bogus")
	a, err = js.PublishMsg(m)
	out(sc, "rollup bogus seq=%d err=%s", seqOf(a), e(err))
	if addStream(sc, &nats.StreamConfig{Name: "RN", Subjects: []string{"rn"}}) {
		m = nats.NewMsg("rn")
		m.Header.Set("Nats-Rollup", "sub")
		a, err = js.PublishMsg(m)
		out(sc, "rollup denied seq=%d err=%s", seqOf(a), e(err))
		_, err = js.AddStream(&nats.StreamConfig{Name: "RD", Subjects: []string{"rd"}, AllowRollup: true, DenyPurge: true})
		out(sc, "rollup with deny purge err=%s", e(err))
	}
	// sealed
	_, err = js.UpdateStream(&nats.StreamConfig{Name: "RU", Subjects: []string{"ru.*"}, AllowRollup: true, Sealed: true})
	out(sc, "seal err=%s", e(err))
	_, err = js.Publish("ru.a", []byte("x"))
	out(sc, "publish to sealed err=%s", e(err))
	out(sc, "delete msg on sealed err=%s", e(js.DeleteMsg("RU", 7)))
	out(sc, "purge sealed err=%s", e(js.PurgeStream("RU")))
	_, err = js.UpdateStream(&nats.StreamConfig{Name: "RU", Subjects: []string{"ru.*"}, AllowRollup: true})
	out(sc, "unseal err=%s", e(err))
	info, err = js.StreamInfo("RU")
	if must(sc, err) {
		out(sc, "sealed=%v denydelete=%v denypurge=%v rollup=%v", info.Config.Sealed, info.Config.DenyDelete, info.Config.DenyPurge, info.Config.AllowRollup)
	}
	_, err = js.AddStream(&nats.StreamConfig{Name: "RS2", Subjects: []string{"rs2"}, Sealed: true})
	out(sc, "create sealed err=%s", e(err))
}

// mirrors: a mirror and a stream with sources.
func mirrors() {
	sc := "mirror"
	if !addStream(sc, &nats.StreamConfig{Name: "MO", Subjects: []string{"mo.*"}}) {
		return
	}
	for _, s := range []string{"mo.a", "mo.b", "mo.a", "mo.c"} {
		pubS(sc, s, s)
	}
	if !addStream(sc, &nats.StreamConfig{Name: "MM", Mirror: &nats.StreamSource{Name: "MO"}}) {
		return
	}
	if !addStream(sc, &nats.StreamConfig{Name: "MF", Mirror: &nats.StreamSource{Name: "MO", FilterSubject: "mo.a"}}) {
		return
	}
	if !addStream(sc, &nats.StreamConfig{Name: "MSRC", Subjects: []string{"msrc"}, Sources: []*nats.StreamSource{{Name: "MO", FilterSubject: "mo.b"}, {Name: "MO", FilterSubject: "mo.c", OptStartSeq: 1}}}) {
		return
	}
	pubS(sc, "mo.a", "late")
	pubS(sc, "msrc", "own")
	wait := func(stream string, n uint64) {
		for i := 0; i < 50; i++ {
			info, err := js.StreamInfo(stream)
			if err == nil && info.State.Msgs >= n {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	wait("MM", 5)
	wait("MF", 3)
	wait("MSRC", 3)
	for _, s := range []string{"MM", "MF", "MSRC"} {
		info, err := js.StreamInfo(s)
		if !must(sc, err) {
			continue
		}
		mirror := ""
		if info.Mirror != nil {
			mirror = fmt.Sprintf("mirror=%s lag=%d", info.Mirror.Name, info.Mirror.Lag)
		}
		srcs := []string{}
		for _, x := range info.Sources {
			srcs = append(srcs, fmt.Sprintf("%s lag=%d", x.Name, x.Lag))
		}
		sort.Strings(srcs)
		out(sc, "%s msgs=%d first=%d last=%d %s sources=%v", s, info.State.Msgs, info.State.FirstSeq, info.State.LastSeq, mirror, srcs)
	}
	r, err := js.GetMsg("MM", 2)
	if must(sc, err) {
		out(sc, "MM get 2 subj=%s data=%s", r.Subject, string(r.Data))
	}
	r, err = js.GetMsg("MF", 2)
	if err == nil {
		out(sc, "MF get 2 subj=%s data=%s", r.Subject, string(r.Data))
	} else {
		out(sc, "MF get 2 err=%s", e(err))
	}
	sub, err := js.PullSubscribe("", "c", nats.BindStream("MSRC"))
	if must(sc, err) {
		msgs, _ := sub.Fetch(10, nats.MaxWait(300*time.Millisecond))
		got := []string{}
		for _, m := range msgs {
			got = append(got, m.Subject+"="+string(m.Data))
		}
		sort.Strings(got)
		out(sc, "MSRC consumer got %v", got)
	}
	_, err = js.UpdateStream(&nats.StreamConfig{Name: "MM", Mirror: &nats.StreamSource{Name: "MSRC"}})
	out(sc, "change mirror err=%s", e(err))
	_, err = js.UpdateStream(&nats.StreamConfig{Name: "MM", Subjects: []string{"mm"}, Mirror: &nats.StreamSource{Name: "MO"}})
	out(sc, "mirror with subjects err=%s", e(err))
	_, err = js.AddStream(&nats.StreamConfig{Name: "MBAD", Mirror: &nats.StreamSource{Name: "MO"}, Sources: []*nats.StreamSource{{Name: "MO"}}})
	out(sc, "mirror and sources err=%s", e(err))
	out(sc, "delete msg in mirror err=%s", e(js.DeleteMsg("MM", 1)))
}

// pushGroup: durable queue push consumers made by AddConsumer and bound.
func pushGroup() {
	sc := "pushgroup"
	if !addStream(sc, &nats.StreamConfig{Name: "PG2", Subjects: []string{"pg2.*"}}) {
		return
	}
	_, err := js.AddConsumer("PG2", &nats.ConsumerConfig{Durable: "q", DeliverSubject: "pg2.dlv", DeliverGroup: "grp", AckPolicy: nats.AckExplicitPolicy})
	out(sc, "add err=%s", e(err))
	info, _ := js.ConsumerInfo("PG2", "q")
	if info != nil {
		out(sc, "bound=%v group=%q", info.PushBound, info.Config.DeliverGroup)
	}
	_, err = js.SubscribeSync("pg2.*", nats.Bind("PG2", "q"))
	out(sc, "plain subscribe to queue durable err=%s", e(err))
	_, err = js.QueueSubscribeSync("pg2.*", "other", nats.Bind("PG2", "q"))
	out(sc, "wrong group err=%s", e(err))
	got := make(chan string, 100)
	var subs []*nats.Subscription
	for i := 0; i < 3; i++ {
		s, err := js.QueueSubscribe("pg2.*", "grp", func(m *nats.Msg) { got <- string(m.Data); m.AckSync() }, nats.Bind("PG2", "q"), nats.ManualAck())
		if !must(sc, err) {
			return
		}
		subs = append(subs, s)
	}
	time.Sleep(100 * time.Millisecond)
	info, _ = js.ConsumerInfo("PG2", "q")
	if info != nil {
		out(sc, "bound with members=%v", info.PushBound)
	}
	pub(sc, "pg2.x", 9)
	out(sc, "distinct=%d", distinct(got, 9))
	ciFull(sc, "PG2", "q")
	for _, s := range subs {
		s.Unsubscribe()
	}
	time.Sleep(100 * time.Millisecond)
	info, err = js.ConsumerInfo("PG2", "q")
	out(sc, "after unsubscribe err=%s bound=%v", e(err), info != nil && info.PushBound)
	// QueueSubscribe creating the durable, then the durable stays until the last member leaves?
	s1, err := js.QueueSubscribeSync("pg2.*", "g2", nats.Durable("q2"))
	out(sc, "queue create err=%s", e(err))
	if err == nil {
		info, _ = js.ConsumerInfo("PG2", "q2")
		if info != nil {
			out(sc, "q2 group=%q deliver!=''=%v ack=%v deliverpol=%v", info.Config.DeliverGroup, info.Config.DeliverSubject != "", info.Config.AckPolicy, info.Config.DeliverPolicy)
		}
		m, err := s1.NextMsg(time.Second)
		if err == nil {
			md, _ := m.Metadata()
			out(sc, "q2 first s=%d", md.Sequence.Stream)
		}
		s1.Unsubscribe()
		time.Sleep(100 * time.Millisecond)
		_, err = js.ConsumerInfo("PG2", "q2")
		out(sc, "q2 after unsubscribe err=%s", e(err))
	}
	// headers only and rate limit in config
	_, err = js.AddConsumer("PG2", &nats.ConsumerConfig{Durable: "ho", AckPolicy: nats.AckExplicitPolicy, HeadersOnly: true})
	out(sc, "pull headers only err=%s", e(err))
	sub, err := js.PullSubscribe("", "ho", nats.Bind("PG2", "ho"))
	if must(sc, err) {
		msgs, err := sub.Fetch(1, nats.MaxWait(500*time.Millisecond))
		if err == nil && len(msgs) == 1 {
			out(sc, "pull headers only len=%d size=%q", len(msgs[0].Data), msgs[0].Header.Get("Nats-Msg-Size"))
		} else {
			out(sc, "pull headers only fetch err=%s", e(err))
		}
	}
	_, err = js.AddConsumer("PG2", &nats.ConsumerConfig{Durable: "rl", DeliverSubject: "pg2.rl", AckPolicy: nats.AckNonePolicy, RateLimit: 800})
	out(sc, "rate limit err=%s", e(err))
	info, _ = js.ConsumerInfo("PG2", "rl")
	if info != nil {
		out(sc, "rate limit cfg=%d", info.Config.RateLimit)
	}
}

// listPaging: consumer and stream listings past one page.
func listPaging() {
	sc := "listpage"
	if !addStream(sc, &nats.StreamConfig{Name: "LP", Subjects: []string{"lp.>"}}) {
		return
	}
	for i := 0; i < 270; i++ {
		if _, err := js.AddConsumer("LP", &nats.ConsumerConfig{Durable: fmt.Sprintf("c%03d", i), AckPolicy: nats.AckExplicitPolicy}); err != nil {
			out(sc, "add %d err=%s", i, e(err))
			return
		}
	}
	n, first, last := 0, "", ""
	for info := range js.ConsumersInfo("LP") {
		if n == 0 {
			first = info.Name
		}
		last = info.Name
		n++
	}
	out(sc, "consumers info n=%d first=%s last=%s", n, first, last)
	n = 0
	for range js.ConsumerNames("LP") {
		n++
	}
	out(sc, "consumer names n=%d", n)
	si(sc, "LP")
	for _, req := range []string{`{"offset":260}`, `{"offset":0}`, `{"offset":400}`} {
		for _, api := range []string{"CONSUMER.LIST", "CONSUMER.NAMES"} {
			r, err := nc.Request("$JS.API."+api+".LP", []byte(req), time.Second)
			if err != nil {
				out(sc, "%s %s err=%s", api, req, e(err))
				continue
			}
			var p struct {
				Total     int               `json:"total"`
				Offset    int               `json:"offset"`
				Limit     int               `json:"limit"`
				Consumers []json.RawMessage `json:"consumers"`
			}
			json.Unmarshal(r.Data, &p)
			out(sc, "%s %s total=%d offset=%d limit=%d n=%d", api, req, p.Total, p.Offset, p.Limit, len(p.Consumers))
		}
	}
	js.DeleteStream("LP")
	addStream(sc, &nats.StreamConfig{Name: "LP2", Subjects: []string{"lp2.*"}})
	addStream(sc, &nats.StreamConfig{Name: "LP3", Subjects: []string{"lp3.>"}})
	for _, f := range []string{"lp2.x", "lp3.*", "lp2.*", "nomatch", ">"} {
		r, err := nc.Request("$JS.API.STREAM.NAMES", []byte(fmt.Sprintf(`{"subject":%q}`, f)), time.Second)
		if err != nil {
			continue
		}
		var p struct {
			Total   int      `json:"total"`
			Streams []string `json:"streams"`
		}
		json.Unmarshal(r.Data, &p)
		ours := []string{}
		for _, s := range p.Streams {
			if strings.HasPrefix(s, "LP") {
				ours = append(ours, s)
			}
		}
		sort.Strings(ours)
		out(sc, "stream names subject=%s -> %v", f, ours)
	}
	name, err := js.StreamNameBySubject("lp3.a.b")
	out(sc, "by subject lp3.a.b=%s err=%s", name, e(err))
	js.DeleteStream("LP2")
	js.DeleteStream("LP3")
}

// consumerDefaults: the config a consumer gets when a field is left out.
func consumerDefaults() {
	sc := "cdefaults"
	if !addStream(sc, &nats.StreamConfig{Name: "CD", Subjects: []string{"cd.*"}}) {
		return
	}
	show := func(what string, cfg *nats.ConsumerConfig) {
		info, err := js.AddConsumer("CD", cfg)
		if err != nil {
			out(sc, "%s err=%s", what, e(err))
			return
		}
		c := info.Config
		out(sc, "%s ack=%v ackwait=%v maxdeliver=%d maxap=%d maxwaiting=%d replay=%v deliver=%v inact=%v replicas=%d mem=%v hb=%v fc=%v ho=%v maxbatch=%d maxexp=%v", what, c.AckPolicy, c.AckWait, c.MaxDeliver, c.MaxAckPending, c.MaxWaiting, c.ReplayPolicy, c.DeliverPolicy, c.InactiveThreshold, c.Replicas, c.MemoryStorage, c.Heartbeat, c.FlowControl, c.HeadersOnly, c.MaxRequestBatch, c.MaxRequestExpires)
		out(sc, "%s info stream=%s name=%s durable=%q bound=%v created=%v pending=%d", what, info.Stream, info.Name != "", c.Durable, info.PushBound, !info.Created.IsZero(), info.NumPending)
	}
	show("pull durable", &nats.ConsumerConfig{Durable: "d1", AckPolicy: nats.AckExplicitPolicy})
	show("pull ephemeral", &nats.ConsumerConfig{AckPolicy: nats.AckExplicitPolicy})
	show("push durable", &nats.ConsumerConfig{Durable: "d2", DeliverSubject: "cd.dlv", AckPolicy: nats.AckExplicitPolicy})
	show("push ephemeral acknone", &nats.ConsumerConfig{DeliverSubject: "cd.dlv2", AckPolicy: nats.AckNonePolicy})
	show("push ackall", &nats.ConsumerConfig{Durable: "d3", DeliverSubject: "cd.dlv3", AckPolicy: nats.AckAllPolicy})
	show("mem + replicas", &nats.ConsumerConfig{Durable: "d4", AckPolicy: nats.AckExplicitPolicy, MemoryStorage: true, Replicas: 1})
	show("name field", &nats.ConsumerConfig{Name: "n1", AckPolicy: nats.AckExplicitPolicy})
	show("name and durable differ", &nats.ConsumerConfig{Name: "n2", Durable: "n3", AckPolicy: nats.AckExplicitPolicy})
	show("maxdeliver 0 backoff none", &nats.ConsumerConfig{Durable: "d5", AckPolicy: nats.AckExplicitPolicy, MaxDeliver: 0})
	show("replicas 3", &nats.ConsumerConfig{Durable: "d6", AckPolicy: nats.AckExplicitPolicy, Replicas: 3})
	show("filter not in stream wildcard", &nats.ConsumerConfig{Durable: "d7", AckPolicy: nats.AckExplicitPolicy, FilterSubject: "cd.*.x"})
	show("filter superset", &nats.ConsumerConfig{Durable: "d8", AckPolicy: nats.AckExplicitPolicy, FilterSubject: ">"})
	show("ack none maxdeliver", &nats.ConsumerConfig{Durable: "d9", AckPolicy: nats.AckNonePolicy, MaxDeliver: 3})
	show("deliver last per subject no filter", &nats.ConsumerConfig{Durable: "d10", AckPolicy: nats.AckExplicitPolicy, DeliverPolicy: nats.DeliverLastPerSubjectPolicy})
	show("startseq with deliver all", &nats.ConsumerConfig{Durable: "d11", AckPolicy: nats.AckExplicitPolicy, OptStartSeq: 3})
	show("negative maxap", &nats.ConsumerConfig{Durable: "d12", AckPolicy: nats.AckExplicitPolicy, MaxAckPending: -1})
	show("description long", &nats.ConsumerConfig{Durable: "d13", AckPolicy: nats.AckExplicitPolicy, Description: strings.Repeat("x", 5000)})
	show("inactive on durable", &nats.ConsumerConfig{Durable: "d14", AckPolicy: nats.AckExplicitPolicy, InactiveThreshold: time.Minute})
	show("deliver subject with wildcard", &nats.ConsumerConfig{Durable: "d15", DeliverSubject: "cd.*.dlv", AckPolicy: nats.AckExplicitPolicy})
	show("ackwait tiny", &nats.ConsumerConfig{Durable: "d16", AckPolicy: nats.AckExplicitPolicy, AckWait: time.Millisecond})
	show("max batch negative", &nats.ConsumerConfig{Durable: "d17", AckPolicy: nats.AckExplicitPolicy, MaxRequestBatch: -1})
	si(sc, "CD")
}

// ---- kill -9 restart, part e ----

func phase1e() {
	sc := "restart1e"
	// acks with gaps and a redelivered message
	if addStream(sc, &nats.StreamConfig{Name: "RG", Subjects: []string{"rg"}}) {
		pub(sc, "rg", 6)
		sub, err := js.PullSubscribe("rg", "gaps", nats.AckWait(300*time.Millisecond))
		if must(sc, err) {
			msgs := fetchS(sc, sub, 6, 300*time.Millisecond, false)
			for i, m := range msgs {
				if i%2 == 0 {
					m.AckSync()
				}
			}
			time.Sleep(500 * time.Millisecond)
			msgs = fetchS(sc, sub, 1, 300*time.Millisecond, false)
			if len(msgs) == 1 {
				msgs[0].AckSync()
			}
			ciFull(sc, "RG", "gaps")
		}
	}
	// interest stream with two consumers, partly acked by one
	if addStream(sc, &nats.StreamConfig{Name: "RIE", Subjects: []string{"rie"}, Retention: nats.InterestPolicy}) {
		s1, _ := js.PullSubscribe("rie", "one")
		js.PullSubscribe("rie", "two")
		pub(sc, "rie", 4)
		if s1 != nil {
			fetchS(sc, s1, 4, 300*time.Millisecond, true)
		}
		si(sc, "RIE")
	}
	// push queue durable with unacked messages
	if addStream(sc, &nats.StreamConfig{Name: "RQ", Subjects: []string{"rq"}}) {
		js.AddConsumer("RQ", &nats.ConsumerConfig{Durable: "q", DeliverSubject: "rq.dlv", DeliverGroup: "g", AckPolicy: nats.AckExplicitPolicy, AckWait: 2 * time.Second})
		s, err := js.QueueSubscribeSync("rq", "g", nats.Bind("RQ", "q"), nats.ManualAck())
		if must(sc, err) {
			pub(sc, "rq", 4)
			for i := 0; i < 4; i++ {
				m, err := s.NextMsg(time.Second)
				if err != nil {
					break
				}
				if i < 2 {
					m.AckSync()
				}
			}
			ciFull(sc, "RQ", "q")
			s.Unsubscribe()
		}
	}
}

func phase2e() {
	sc := "restart2e"
	ciFull(sc, "RG", "gaps")
	sub, err := js.PullSubscribe("rg", "gaps", nats.Bind("RG", "gaps"))
	if must(sc, err) {
		fetchS(sc, sub, 6, 500*time.Millisecond, true)
		ciFull(sc, "RG", "gaps")
	}
	si(sc, "RIE")
	ciFull(sc, "RIE", "two")
	s2, err := js.PullSubscribe("rie", "two", nats.Bind("RIE", "two"))
	if must(sc, err) {
		fetchS(sc, s2, 4, 500*time.Millisecond, true)
		si(sc, "RIE")
	}
	ciFull(sc, "RQ", "q")
	s, err := js.QueueSubscribeSync("rq", "g", nats.Bind("RQ", "q"), nats.ManualAck())
	if must(sc, err) {
		got := []string{}
		for i := 0; i < 4; i++ {
			m, err := s.NextMsg(3 * time.Second)
			if err != nil {
				break
			}
			md, _ := m.Metadata()
			got = append(got, fmt.Sprintf("%s:d%d", string(m.Data), md.NumDelivered))
			m.AckSync()
		}
		out(sc, "RQ redelivered after restart %v", got)
		ciFull(sc, "RQ", "q")
	}
}
