// Scenarios on stream limits and publish expectations, key-value and object
// store details, and pull request corners. Same output conventions as main.go.
package main

import (
	"bytes"
	"fmt"
	"sort"
	"time"

	"github.com/nats-io/nats.go"
)

func pubHdr(sc, what, subj string, hdr map[string]string) {
	m := nats.NewMsg(subj)
	for k, v := range hdr {
		m.Header.Set(k, v)
	}
	m.Data = []byte(what)
	a, err := js.PublishMsg(m)
	out(sc, "%s seq=%d dup=%v err=%s", what, seqOf(a), a != nil && a.Duplicate, e(err))
}

func limits2() {
	sc := "lim2"
	if addStream(sc, &nats.StreamConfig{Name: "L2A", Subjects: []string{"l2a.*"}, MaxMsgsPerSubject: 2, Discard: nats.DiscardNew, DiscardNewPerSubject: true}) {
		for _, s := range []string{"l2a.x", "l2a.x", "l2a.x", "l2a.y"} {
			a, err := js.Publish(s, []byte("d"))
			out(sc, "per-subject discard new %s seq=%d err=%s", s, seqOf(a), e(err))
		}
		info, _ := js.StreamInfo("L2A")
		if info != nil {
			out(sc, "discard new per subject cfg=%v msgs=%d", info.Config.DiscardNewPerSubject, info.State.Msgs)
		}
	}
	_, err := js.AddStream(&nats.StreamConfig{Name: "L2B", Subjects: []string{"l2b"}, DiscardNewPerSubject: true})
	out(sc, "discard new per subject without discard new err=%s", e(err))
	if addStream(sc, &nats.StreamConfig{Name: "L2C", Subjects: []string{"l2c"}, MaxBytes: 400}) {
		for i := 0; i < 10; i++ {
			js.Publish("l2c", bytes.Repeat([]byte("x"), 50))
		}
		info, _ := js.StreamInfo("L2C")
		if info != nil {
			out(sc, "max bytes discard old msgs=%d first=%d bytes<=400=%v", info.State.Msgs, info.State.FirstSeq, info.State.Bytes <= 400)
		}
		_, err := js.Publish("l2c", bytes.Repeat([]byte("x"), 500))
		out(sc, "one message over max bytes err=%s", e(err))
		si(sc, "L2C")
	}
	if addStream(sc, &nats.StreamConfig{Name: "L2D", Subjects: []string{"l2d"}, MaxMsgs: 2, Discard: nats.DiscardNew}) {
		pub(sc, "l2d", 2)
		_, err := js.Publish("l2d", []byte("x"))
		out(sc, "max msgs discard new err=%s", e(err))
	}
	if addStream(sc, &nats.StreamConfig{Name: "L2E", Subjects: []string{"l2e"}, MaxConsumers: 1}) {
		_, err := js.AddConsumer("L2E", &nats.ConsumerConfig{Durable: "a", AckPolicy: nats.AckExplicitPolicy})
		out(sc, "first consumer err=%s", e(err))
		_, err = js.AddConsumer("L2E", &nats.ConsumerConfig{Durable: "b", AckPolicy: nats.AckExplicitPolicy})
		out(sc, "second consumer err=%s", e(err))
		_, err = js.AddConsumer("L2E", &nats.ConsumerConfig{Durable: "a", AckPolicy: nats.AckExplicitPolicy})
		out(sc, "first again err=%s", e(err))
		_, err = js.UpdateStream(&nats.StreamConfig{Name: "L2E", Subjects: []string{"l2e"}, MaxConsumers: 5})
		out(sc, "update max consumers err=%s", e(err))
	}
	// a stream without subjects listens on its name
	if addStream(sc, &nats.StreamConfig{Name: "L2F"}) {
		a, err := js.Publish("L2F", []byte("x"))
		out(sc, "publish on stream name seq=%d err=%s", seqOf(a), e(err))
		info, _ := js.StreamInfo("L2F")
		if info != nil {
			out(sc, "no subjects -> %v", info.Config.Subjects)
		}
	}
	_, err = js.Publish("nostream.here", []byte("x"))
	out(sc, "publish without stream err=%s", e(err))
	_, err = js.AddStream(&nats.StreamConfig{Name: "L2G", Subjects: []string{"l2g"}, MaxMsgs: -5})
	out(sc, "negative max msgs err=%s", e(err))
	_, err = js.AddStream(&nats.StreamConfig{Name: "L2H", Subjects: []string{"l2h"}, Duplicates: time.Hour, MaxAge: time.Minute})
	out(sc, "dup window over max age err=%s", e(err))
	_, err = js.AddStream(&nats.StreamConfig{Name: "L2I", Subjects: []string{"$JS.API.x"}})
	out(sc, "subject in $JS.API err=%s", e(err))
	_, err = js.AddStream(&nats.StreamConfig{Name: "L2J", Subjects: []string{"a.>.b"}})
	out(sc, "invalid subject err=%s", e(err))
	_, err = js.AddStream(&nats.StreamConfig{Name: "L2K", Subjects: []string{"l2k", "l2k"}})
	out(sc, "duplicate subjects err=%s", e(err))
}

func expectations() {
	sc := "expect"
	if !addStream(sc, &nats.StreamConfig{Name: "EX", Subjects: []string{"ex.*"}, Duplicates: 700 * time.Millisecond}) {
		return
	}
	pubHdr(sc, "expect seq 0 on empty", "ex.a", map[string]string{"Nats-Expected-Last-Sequence": "0"})
	pubHdr(sc, "expect seq 0 again", "ex.a", map[string]string{"Nats-Expected-Last-Sequence": "0"})
	pubHdr(sc, "msgid a", "ex.a", map[string]string{"Nats-Msg-Id": "a"})
	pubHdr(sc, "expect last msgid a", "ex.b", map[string]string{"Nats-Expected-Last-Msg-Id": "a", "Nats-Msg-Id": "b"})
	pubHdr(sc, "expect last msgid a again", "ex.b", map[string]string{"Nats-Expected-Last-Msg-Id": "a"})
	pubHdr(sc, "expect last msgid empty", "ex.b", map[string]string{"Nats-Expected-Last-Msg-Id": ""})
	pubHdr(sc, "expect subject seq 0 for new subject", "ex.c", map[string]string{"Nats-Expected-Last-Subject-Sequence": "0"})
	pubHdr(sc, "expect subject seq 0 for used subject", "ex.a", map[string]string{"Nats-Expected-Last-Subject-Sequence": "0"})
	pubHdr(sc, "expect subject seq 3", "ex.a", map[string]string{"Nats-Expected-Last-Subject-Sequence": "3"})
	pubHdr(sc, "expect stream EX", "ex.a", map[string]string{"Nats-Expected-Stream": "EX"})
	pubHdr(sc, "expect bad seq", "ex.a", map[string]string{"Nats-Expected-Last-Sequence": "abc"})
	pubHdr(sc, "dup b within window", "ex.z", map[string]string{"Nats-Msg-Id": "b"})
	time.Sleep(1200 * time.Millisecond)
	pubHdr(sc, "dup b after window", "ex.z", map[string]string{"Nats-Msg-Id": "b"})
	pubHdr(sc, "msgid with expectation failing", "ex.a", map[string]string{"Nats-Msg-Id": "c", "Nats-Expected-Last-Sequence": "1"})
	pubHdr(sc, "same msgid now ok", "ex.a", map[string]string{"Nats-Msg-Id": "c"})
	si(sc, "EX")
	// republish
	if addStream(sc, &nats.StreamConfig{Name: "RP", Subjects: []string{"rp.*"}, RePublish: &nats.RePublish{Source: "rp.>", Destination: "rpout.>"}}) {
		s, _ := nc.SubscribeSync("rpout.>")
		nc.Flush()
		pubS(sc, "rp.a", "one")
		pubS(sc, "rp.b", "two")
		for i := 0; i < 2; i++ {
			m, err := s.NextMsg(time.Second)
			if err != nil {
				out(sc, "republish err=%s", e(err))
				break
			}
			out(sc, "republished %s %q stream=%s seq=%s last=%s subj=%s", m.Subject, string(m.Data), m.Header.Get("Nats-Stream"), m.Header.Get("Nats-Sequence"), m.Header.Get("Nats-Last-Sequence"), m.Header.Get("Nats-Subject"))
		}
		s.Unsubscribe()
		_, err := js.AddStream(&nats.StreamConfig{Name: "RP2", Subjects: []string{"rp2.*"}, RePublish: &nats.RePublish{Source: "rp2.>", Destination: "rp2.x"}})
		out(sc, "republish into itself err=%s", e(err))
	}
}

func kv2() {
	sc := "kv2"
	kv, err := js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "kb2", History: 5, MaxValueSize: 10, Description: "d"})
	if !must(sc, err) {
		return
	}
	st, err := kv.Status()
	if must(sc, err) {
		out(sc, "status bucket=%s values=%d history=%d ttl=%v store=%s", st.Bucket(), st.Values(), st.History(), st.TTL(), st.BackingStore())
		si := st.(*nats.KeyValueBucketStatus).StreamInfo()
		c := si.Config
		out(sc, "stream %s subjects=%v mps=%d discard=%v rollup=%v denydelete=%v allowdirect=%v maxmsgsize=%d dup=%v", c.Name, c.Subjects, c.MaxMsgsPerSubject, c.Discard, c.AllowRollup, c.DenyDelete, c.AllowDirect, c.MaxMsgSize, c.Duplicates)
	}
	_, err = kv.Put("big", []byte("0123456789abc"))
	out(sc, "put too big err=%s", e(err))
	for i := 1; i <= 3; i++ {
		kv.Put("a.b", []byte(fmt.Sprintf("v%d", i)))
	}
	kv.Put("a.c", []byte("c"))
	kv.Put("x", []byte("x"))
	en, err := kv.GetRevision("a.b", 2)
	if err == nil {
		out(sc, "get revision 2 %s", string(en.Value()))
	} else {
		out(sc, "get revision 2 err=%s", e(err))
	}
	_, err = kv.GetRevision("a.b", 4)
	out(sc, "get revision of other key err=%s", e(err))
	w, err := kv.Watch("a.*")
	if must(sc, err) {
		got := []string{}
		for i := 0; i < 3; i++ {
			select {
			case en := <-w.Updates():
				if en == nil {
					got = append(got, "<init done>")
				} else {
					got = append(got, fmt.Sprintf("%s=%s@%d/%v d%d", en.Key(), string(en.Value()), en.Revision(), en.Operation(), en.Delta()))
				}
			case <-time.After(time.Second):
				got = append(got, "timeout")
			}
		}
		kv.Delete("a.c")
		select {
		case en := <-w.Updates():
			if en != nil {
				got = append(got, fmt.Sprintf("%s@%d/%v", en.Key(), en.Revision(), en.Operation()))
			}
		case <-time.After(time.Second):
			got = append(got, "timeout")
		}
		w.Stop()
		out(sc, "watch a.* %v", got)
	}
	err = kv.Delete("a.b", nats.LastRevision(1))
	out(sc, "delete with wrong last revision err=%s", e(err))
	out(sc, "purge a.b err=%s", e(kv.Purge("a.b")))
	h, err := kv.History("a.b")
	if err == nil {
		ops := []string{}
		for _, en := range h {
			ops = append(ops, fmt.Sprintf("%v@%d", en.Operation(), en.Revision()))
		}
		out(sc, "history after purge %v", ops)
	} else {
		out(sc, "history after purge err=%s", e(err))
	}
	r, err := kv.Create("a.b", []byte("new"))
	out(sc, "create after purge rev=%d err=%s", r, e(err))
	keys, err := kv.Keys()
	sort.Strings(keys)
	out(sc, "keys %v err=%s", keys, e(err))
	out(sc, "purge deletes err=%s", e(kv.PurgeDeletes(nats.DeleteMarkersOlderThan(-1))))
	info, _ := js.StreamInfo("KV_kb2")
	if info != nil {
		out(sc, "after purge deletes msgs=%d", info.State.Msgs)
	}
	w2, err := kv.WatchAll(nats.IgnoreDeletes(), nats.MetaOnly())
	if must(sc, err) {
		n := 0
		for en := range w2.Updates() {
			if en == nil {
				break
			}
			n++
			if len(en.Value()) != 0 {
				out(sc, "meta only has value %s", en.Key())
			}
		}
		w2.Stop()
		out(sc, "watch all meta only n=%d", n)
	}
	names := []string{}
	for n := range js.KeyValueStoreNames() {
		names = append(names, n)
	}
	sort.Strings(names)
	out(sc, "kv names %v", names)
	out(sc, "delete bucket err=%s", e(js.DeleteKeyValue("kb2")))
	_, err = js.KeyValue("kb2")
	out(sc, "open deleted bucket err=%s", e(err))
	kvt, err := js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "kbt", TTL: 500 * time.Millisecond})
	if must(sc, err) {
		kvt.Put("k", []byte("v"))
		time.Sleep(1200 * time.Millisecond)
		_, err = kvt.Get("k")
		out(sc, "ttl expired get err=%s", e(err))
	}
	e0, _ := js.KeyValue("nope")
	out(sc, "missing bucket nil=%v", e0 == nil)
}

func objStore() {
	sc := "obj"
	obs, err := js.CreateObjectStore(&nats.ObjectStoreConfig{Bucket: "ob1", Description: "objs"})
	if !must(sc, err) {
		return
	}
	data := bytes.Repeat([]byte("0123456789"), 30000)
	info, err := obs.PutBytes("big", data)
	if must(sc, err) {
		out(sc, "put big size=%d chunks=%d digest=%s deleted=%v", info.Size, info.Chunks, info.Digest, info.Deleted)
	}
	obs.PutString("small", "hello")
	b, err := obs.GetBytes("big")
	out(sc, "get big equal=%v err=%s", bytes.Equal(b, data), e(err))
	list, err := obs.List()
	names := []string{}
	for _, i := range list {
		names = append(names, fmt.Sprintf("%s:%d", i.Name, i.Size))
	}
	sort.Strings(names)
	out(sc, "list %v err=%s", names, e(err))
	out(sc, "delete small err=%s", e(obs.Delete("small")))
	_, err = obs.GetString("small")
	out(sc, "get deleted err=%s", e(err))
	i2, err := obs.GetInfo("small", nats.GetObjectInfoShowDeleted())
	if err == nil {
		out(sc, "info deleted size=%d deleted=%v", i2.Size, i2.Deleted)
	}
	st, err := obs.Status()
	if must(sc, err) {
		out(sc, "status bucket=%s desc=%s sealed=%v size>0=%v", st.Bucket(), st.Description(), st.Sealed(), st.Size() > 0)
	}
	si, _ := js.StreamInfo("OBJ_ob1")
	if si != nil {
		out(sc, "stream subjects=%v msgs=%d rollup=%v allowdirect=%v discard=%v", si.Config.Subjects, si.State.Msgs, si.Config.AllowRollup, si.Config.AllowDirect, si.Config.Discard)
	}
	out(sc, "seal err=%s", e(obs.Seal()))
	_, err = obs.PutString("after", "x")
	out(sc, "put after seal err=%s", e(err))
	out(sc, "delete store err=%s", e(js.DeleteObjectStore("ob1")))
}

func pullCorners() {
	sc := "pull2"
	if !addStream(sc, &nats.StreamConfig{Name: "PC", Subjects: []string{"pc.*"}}) {
		return
	}
	pubS(sc, "pc.a", "0123456789")
	pubS(sc, "pc.a", "x")
	_, err := js.AddConsumer("PC", &nats.ConsumerConfig{Durable: "c", AckPolicy: nats.AckExplicitPolicy, AckWait: 5 * time.Second})
	must(sc, err)
	rawPull(sc, "PC", "c", `{"batch":2,"max_bytes":5,"expires":500000000}`, 700*time.Millisecond)
	rawPull(sc, "PC", "c", `{"batch":1,"no_wait":true}`, 300*time.Millisecond)
	rawPull(sc, "PC", "c", `{"batch":5,"no_wait":true}`, 300*time.Millisecond)
	rawPull(sc, "PC", "c", `{"batch":1,"no_wait":true}`, 300*time.Millisecond)
	rawPull(sc, "PC", "c", `{"batch":1,"expires":300000000,"no_wait":true}`, 500*time.Millisecond)
	rawPull(sc, "PC", "c", `{"batch":0}`, 300*time.Millisecond)
	rawPull(sc, "PC", "c", `{"batch":1,"expires":-1}`, 300*time.Millisecond)
	rawPull(sc, "PC", "nope", `{"batch":1,"no_wait":true}`, 300*time.Millisecond)
	js.AddConsumer("PC", &nats.ConsumerConfig{Durable: "push", DeliverSubject: "pc2.dlv", AckPolicy: nats.AckExplicitPolicy})
	rawPull(sc, "PC", "push", `{"batch":1,"no_wait":true}`, 300*time.Millisecond)
	_, err = js.PullSubscribe("pc.*", "push")
	out(sc, "pull subscribe on push consumer err=%s", e(err))
	sub, err := js.PullSubscribe("pc.*", "c")
	if must(sc, err) {
		js.DeleteConsumer("PC", "c")
		_, err = sub.Fetch(1, nats.MaxWait(300*time.Millisecond))
		out(sc, "fetch on deleted consumer err=%s", e(err))
	}
	_, err = js.PullSubscribe("pc.*", "wrongfilter", nats.BindStream("PC"))
	out(sc, "pull subscribe bind stream err=%s", e(err))
	_, err = js.PullSubscribe("other.*", "mism", nats.BindStream("PC"))
	out(sc, "pull subscribe subject not in stream err=%s", e(err))
	_, err = js.PullSubscribe("pc.a", "wrongfilter")
	out(sc, "pull subscribe existing with different filter err=%s", e(err))
}

func accountInfo() {
	sc := "acct"
	show := func(what string) {
		a, err := js.AccountInfo()
		if !must(sc, err) {
			return
		}
		out(sc, "%s streams=%d consumers=%d memory>0=%v store>0=%v limits mem=%d store=%d streams=%d consumers=%d maxackpending=%d memmaxstream=%d storemaxstream=%d maxbytesrequired=%v domain=%q", what, a.Streams, a.Consumers, a.Memory > 0, a.Store > 0, a.Limits.MaxMemory, a.Limits.MaxStore, a.Limits.MaxStreams, a.Limits.MaxConsumers, a.Limits.MaxAckPending, a.Limits.MemoryMaxStreamBytes, a.Limits.StoreMaxStreamBytes, a.Limits.MaxBytesRequired, a.Domain)
	}
	before, _ := js.AccountInfo()
	if !addStream(sc, &nats.StreamConfig{Name: "ACF", Subjects: []string{"acf"}}) {
		return
	}
	addStream(sc, &nats.StreamConfig{Name: "ACM", Subjects: []string{"acm"}, Storage: nats.MemoryStorage})
	pub(sc, "acf", 3)
	pub(sc, "acm", 3)
	js.AddConsumer("ACF", &nats.ConsumerConfig{Durable: "c", AckPolicy: nats.AckExplicitPolicy})
	after, err := js.AccountInfo()
	if must(sc, err) && before != nil {
		out(sc, "delta streams=%d consumers=%d api total+=%d errors+=%d", after.Streams-before.Streams, after.Consumers-before.Consumers, after.API.Total-before.API.Total, after.API.Errors-before.API.Errors)
	}
	js.StreamInfo("NOPE")
	after2, err := js.AccountInfo()
	if must(sc, err) {
		out(sc, "after one failing request api total+=%d errors+=%d", after2.API.Total-after.API.Total, after2.API.Errors-after.API.Errors)
	}
	show("now")
	js.DeleteStream("ACF")
	js.DeleteStream("ACM")
}
