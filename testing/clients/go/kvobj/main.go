// Command kvobj checks the key-value and object stores end to end through
// nats.go (Debian's golang-github-nats-io-go-nats-dev), the way an
// application uses them. It connects to $NATS_URL (or -url), runs every
// scenario, prints "ok NAME" or "FAIL NAME: why" per scenario and exits 1
// when any failed. Buckets are named per scenario and deleted afterwards,
// so one server can run it repeatedly.
package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

type scenario struct {
	name string
	run  func(js nats.JetStreamContext) error
}

var scenarios = []scenario{
	{"kv_bucket_create_open_status_delete", kvBucketLifecycle},
	{"kv_put_get_create_update", kvPutGetCreateUpdate},
	{"kv_max_value_size", kvMaxValueSize},
	{"kv_delete_purge_markers", kvDeletePurge},
	{"kv_history", kvHistory},
	{"kv_keys_and_filters", kvKeys},
	{"kv_watch", kvWatch},
	{"kv_watch_ignore_deletes_meta_history", kvWatchOptions},
	{"kv_ttl", kvTTL},
	{"kv_mirror_direct_get", kvMirror},
	{"obj_bucket_status_delete", objBucketLifecycle},
	{"obj_put_get_1mib_10mib", objPutGetLarge},
	{"obj_info_list_delete", objInfoListDelete},
	{"obj_links", objLinks},
	{"obj_meta_update", objMetaUpdate},
	{"obj_watch", objWatch},
	{"obj_seal", objSeal},
}

func main() {
	url := flag.String("url", os.Getenv("NATS_URL"), "server URL")
	only := flag.String("only", "", "comma-separated scenario names")
	flag.Parse()
	nc, err := nats.Connect(*url, nats.Timeout(10*time.Second))
	if err != nil {
		fmt.Println("FAIL connect:", err)
		os.Exit(1)
	}
	defer nc.Close()
	js, err := nc.JetStream(nats.MaxWait(10 * time.Second))
	if err != nil {
		fmt.Println("FAIL jetstream:", err)
		os.Exit(1)
	}
	failed := 0
	for _, s := range scenarios {
		if *only != "" && !contains(strings.Split(*only, ","), s.name) {
			continue
		}
		start := time.Now()
		if err := runWithTimeout(s, js, time.Minute); err != nil {
			failed++
			fmt.Printf("FAIL %s: %v\n", s.name, err)
		} else {
			fmt.Printf("ok %s (%v)\n", s.name, time.Since(start).Round(time.Millisecond))
		}
	}
	if failed > 0 {
		fmt.Printf("%d scenario(s) failed\n", failed)
		os.Exit(1)
	}
}

// runWithTimeout runs a scenario; one that hangs (a watcher waiting for
// its end-of-initial-values marker for ever) fails after `limit`.
func runWithTimeout(s scenario, js nats.JetStreamContext, limit time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- s.run(js) }()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		return fmt.Errorf("no end within %v", limit)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// expect returns an error saying what differs when got != want.
func expect(what string, got, want interface{}) error {
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return fmt.Errorf("%s: got %v, want %v", what, got, want)
	}
	return nil
}

// first returns the first non-nil error.
func first(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// newKV creates a fresh bucket, deleting any left over from an earlier run.
func newKV(js nats.JetStreamContext, cfg nats.KeyValueConfig) (nats.KeyValue, error) {
	js.DeleteKeyValue(cfg.Bucket)
	return js.CreateKeyValue(&cfg)
}

func kvBucketLifecycle(js nats.JetStreamContext) error {
	if _, err := js.KeyValue("GO_KV_MISSING"); !errors.Is(err, nats.ErrBucketNotFound) {
		return fmt.Errorf("open missing bucket: %v", err)
	}
	kv, err := newKV(js, nats.KeyValueConfig{
		Bucket: "GO_KV_LIFE", Description: "life", History: 5, TTL: time.Hour,
		MaxValueSize: 1024, Replicas: 1, Storage: nats.FileStorage})
	if err != nil {
		return fmt.Errorf("create: %v", err)
	}
	kv.Put("a", []byte("1"))
	kv.Put("b", []byte("2"))
	opened, err := js.KeyValue("GO_KV_LIFE")
	if err != nil {
		return fmt.Errorf("open: %v", err)
	}
	st, err := opened.Status()
	if err != nil {
		return fmt.Errorf("status: %v", err)
	}
	info := st.(*nats.KeyValueBucketStatus).StreamInfo()
	if err := first(
		expect("bucket", st.Bucket(), "GO_KV_LIFE"),
		expect("history", st.History(), 5),
		expect("ttl", st.TTL(), time.Hour),
		expect("values", st.Values(), 2),
		expect("stream", info.Config.Name, "KV_GO_KV_LIFE"),
		expect("max msg size", info.Config.MaxMsgSize, 1024),
		expect("replicas", info.Config.Replicas, 1),
		expect("rollup", info.Config.AllowRollup, true),
		expect("deny delete", info.Config.DenyDelete, true),
		expect("direct", info.Config.AllowDirect, true),
	); err != nil {
		return err
	}
	found := false
	for name := range js.KeyValueStoreNames() {
		found = found || name == "KV_GO_KV_LIFE" || name == "GO_KV_LIFE"
	}
	if !found {
		return errors.New("bucket not listed by KeyValueStoreNames")
	}
	// Creating it again with the same configuration opens it.
	if _, err := js.CreateKeyValue(&nats.KeyValueConfig{
		Bucket: "GO_KV_LIFE", Description: "life", History: 5, TTL: time.Hour,
		MaxValueSize: 1024, Replicas: 1, Storage: nats.FileStorage}); err != nil {
		return fmt.Errorf("create again: %v", err)
	}
	if err := js.DeleteKeyValue("GO_KV_LIFE"); err != nil {
		return fmt.Errorf("delete: %v", err)
	}
	if _, err := js.KeyValue("GO_KV_LIFE"); !errors.Is(err, nats.ErrBucketNotFound) {
		return fmt.Errorf("open after delete: %v", err)
	}
	if err := js.DeleteKeyValue("GO_KV_LIFE"); err == nil {
		return errors.New("deleting a deleted bucket succeeded")
	}
	return nil
}

func kvPutGetCreateUpdate(js nats.JetStreamContext) error {
	kv, err := newKV(js, nats.KeyValueConfig{Bucket: "GO_KV_CRUD", History: 3})
	if err != nil {
		return err
	}
	defer js.DeleteKeyValue("GO_KV_CRUD")
	r1, err := kv.Put("k1", []byte("v1"))
	if err != nil || r1 != 1 {
		return fmt.Errorf("put: rev %d err %v", r1, err)
	}
	r2, _ := kv.PutString("k1", "v2")
	e, err := kv.Get("k1")
	if err != nil {
		return fmt.Errorf("get: %v", err)
	}
	if err := first(
		expect("value", string(e.Value()), "v2"),
		expect("revision", e.Revision(), r2),
		expect("key", e.Key(), "k1"),
		expect("bucket", e.Bucket(), "GO_KV_CRUD"),
		expect("op", e.Operation(), nats.KeyValuePut),
	); err != nil {
		return err
	}
	if time.Since(e.Created()) > time.Minute || time.Since(e.Created()) < -time.Minute {
		return fmt.Errorf("created %v is not now", e.Created())
	}
	old, err := kv.GetRevision("k1", r1)
	if err != nil || string(old.Value()) != "v1" {
		return fmt.Errorf("get revision %d: %v", r1, err)
	}
	if _, err := kv.Get("nope"); !errors.Is(err, nats.ErrKeyNotFound) {
		return fmt.Errorf("get missing: %v", err)
	}
	if _, err := kv.Create("k1", []byte("x")); !errors.Is(err, nats.ErrKeyExists) {
		return fmt.Errorf("create existing: %v", err)
	}
	rc, err := kv.Create("k2", []byte("new"))
	if err != nil || rc != r2+1 {
		return fmt.Errorf("create new: rev %d err %v", rc, err)
	}
	if _, err := kv.Update("k1", []byte("x"), r1); err == nil {
		return errors.New("update with a stale revision succeeded")
	}
	ru, err := kv.Update("k1", []byte("v3"), r2)
	if err != nil || ru != rc+1 {
		return fmt.Errorf("update: rev %d err %v", ru, err)
	}
	// A deleted key can be created again.
	kv.Delete("k2")
	if _, err := kv.Create("k2", []byte("again")); err != nil {
		return fmt.Errorf("create after delete: %v", err)
	}
	e, err = kv.Get("k2")
	if err != nil || string(e.Value()) != "again" {
		return fmt.Errorf("get recreated: %v", err)
	}
	for _, bad := range []string{"", "a b", ".a", "a.", "a*"} {
		if _, err := kv.Put(bad, []byte("x")); !errors.Is(err, nats.ErrInvalidKey) {
			return fmt.Errorf("put %q: %v", bad, err)
		}
	}
	if _, err := kv.Put("path/to_key-1=x.y", []byte("ok")); err != nil {
		return fmt.Errorf("put odd key: %v", err)
	}
	return nil
}

func kvMaxValueSize(js nats.JetStreamContext) error {
	kv, err := newKV(js, nats.KeyValueConfig{Bucket: "GO_KV_MAXV", MaxValueSize: 100})
	if err != nil {
		return err
	}
	defer js.DeleteKeyValue("GO_KV_MAXV")
	if _, err := kv.Put("small", randomBytes(50)); err != nil {
		return fmt.Errorf("put under limit: %v", err)
	}
	if _, err := kv.Put("big", randomBytes(200)); err == nil {
		return errors.New("put over max value size succeeded")
	}
	if _, err := kv.Get("big"); !errors.Is(err, nats.ErrKeyNotFound) {
		return fmt.Errorf("get refused value: %v", err)
	}
	return nil
}

func kvDeletePurge(js nats.JetStreamContext) error {
	kv, err := newKV(js, nats.KeyValueConfig{Bucket: "GO_KV_DEL", History: 10})
	if err != nil {
		return err
	}
	defer js.DeleteKeyValue("GO_KV_DEL")
	kv.Put("a", []byte("1"))
	kv.Put("a", []byte("2"))
	kv.Put("b", []byte("1"))
	r, _ := kv.Put("c", []byte("1"))
	if err := kv.Delete("a"); err != nil {
		return fmt.Errorf("delete: %v", err)
	}
	if _, err := kv.Get("a"); !errors.Is(err, nats.ErrKeyNotFound) {
		return fmt.Errorf("get deleted: %v", err)
	}
	h, err := kv.History("a")
	if err != nil {
		return fmt.Errorf("history after delete: %v", err)
	}
	if err := first(expect("history length", len(h), 3),
		expect("marker op", h[len(h)-1].Operation(), nats.KeyValueDelete)); err != nil {
		return err
	}
	if err := kv.Purge("b"); err != nil {
		return fmt.Errorf("purge: %v", err)
	}
	h, err = kv.History("b")
	if err != nil {
		return fmt.Errorf("history after purge: %v", err)
	}
	if err := first(expect("purged history length", len(h), 1),
		expect("purge op", h[0].Operation(), nats.KeyValuePurge)); err != nil {
		return err
	}
	// Delete with the expected last revision.
	if err := kv.Delete("c", nats.LastRevision(r+100)); err == nil {
		return errors.New("delete with a wrong revision succeeded")
	}
	if err := kv.Delete("c", nats.LastRevision(r)); err != nil {
		return fmt.Errorf("delete with revision: %v", err)
	}
	st, _ := kv.Status()
	if err := expect("values before PurgeDeletes", st.Values(), 6); err != nil {
		return err
	}
	if err := kv.PurgeDeletes(nats.DeleteMarkersOlderThan(-1)); err != nil {
		return fmt.Errorf("purge deletes: %v", err)
	}
	st, _ = kv.Status()
	if err := expect("values after PurgeDeletes", st.Values(), 0); err != nil {
		return err
	}
	if _, err := kv.History("a"); !errors.Is(err, nats.ErrKeyNotFound) {
		return fmt.Errorf("history of a purged key: %v", err)
	}
	return nil
}

func kvHistory(js nats.JetStreamContext) error {
	kv, err := newKV(js, nats.KeyValueConfig{Bucket: "GO_KV_HIST", History: 5})
	if err != nil {
		return err
	}
	defer js.DeleteKeyValue("GO_KV_HIST")
	for i := 1; i <= 8; i++ {
		kv.Put("k", []byte(fmt.Sprint(i)))
		kv.Put("other", []byte(fmt.Sprint(i)))
	}
	h, err := kv.History("k")
	if err != nil {
		return err
	}
	var values []string
	var last uint64
	for _, e := range h {
		values = append(values, string(e.Value()))
		if e.Revision() <= last {
			return fmt.Errorf("revisions not increasing: %d after %d", e.Revision(), last)
		}
		last = e.Revision()
	}
	if err := expect("history", values, []string{"4", "5", "6", "7", "8"}); err != nil {
		return err
	}
	if _, err := kv.History("none"); !errors.Is(err, nats.ErrKeyNotFound) {
		return fmt.Errorf("history of a missing key: %v", err)
	}
	// History of 1 keeps only the latest value.
	kv1, err := newKV(js, nats.KeyValueConfig{Bucket: "GO_KV_HIST1"})
	if err != nil {
		return err
	}
	defer js.DeleteKeyValue("GO_KV_HIST1")
	kv1.Put("k", []byte("a"))
	kv1.Put("k", []byte("b"))
	h, err = kv1.History("k")
	if err != nil {
		return err
	}
	return first(expect("history 1 length", len(h), 1), expect("value", string(h[0].Value()), "b"))
}

func kvKeys(js nats.JetStreamContext) error {
	kv, err := newKV(js, nats.KeyValueConfig{Bucket: "GO_KV_KEYS", History: 2})
	if err != nil {
		return err
	}
	defer js.DeleteKeyValue("GO_KV_KEYS")
	if _, err := kv.Keys(); !errors.Is(err, nats.ErrNoKeysFound) {
		return fmt.Errorf("keys of an empty bucket: %v", err)
	}
	for _, k := range []string{"a.1", "a.2", "a.2", "b.1", "b.2.x", "c", "gone"} {
		kv.Put(k, []byte("v"))
	}
	kv.Delete("gone")
	keys, err := kv.Keys()
	if err != nil {
		return err
	}
	sort.Strings(keys)
	if err := expect("keys", keys, []string{"a.1", "a.2", "b.1", "b.2.x", "c"}); err != nil {
		return err
	}
	// A filtered listing: a watcher on a wildcard, values left out.
	for filter, want := range map[string][]string{
		"a.*": {"a.1", "a.2"},
		"b.>": {"b.1", "b.2.x"},
		"*.1": {"a.1", "b.1"},
		"c":   {"c"},
	} {
		w, err := kv.Watch(filter, nats.MetaOnly(), nats.IgnoreDeletes())
		if err != nil {
			return fmt.Errorf("watch %s: %v", filter, err)
		}
		got, err := collectInitial(w)
		w.Stop()
		if err != nil {
			return fmt.Errorf("watch %s: %v", filter, err)
		}
		var names []string
		for _, e := range got {
			if len(e.Value()) != 0 {
				return fmt.Errorf("meta-only watch %s returned a value", filter)
			}
			names = append(names, e.Key())
		}
		sort.Strings(names)
		if err := expect("keys "+filter, names, want); err != nil {
			return err
		}
	}
	return nil
}

// collectInitial reads a watcher's initial values up to its nil marker.
func collectInitial(w nats.KeyWatcher) ([]nats.KeyValueEntry, error) {
	var got []nats.KeyValueEntry
	for {
		select {
		case e := <-w.Updates():
			if e == nil {
				return got, nil
			}
			got = append(got, e)
		case <-time.After(updateWait):
			return got, errors.New("no end of initial values")
		}
	}
}

// updateWait bounds the wait for a watcher's next update. It is long
// because nats.go's ordered consumer repairs a missed delivery only at its
// next idle heartbeat (every 5 s): on a loaded machine nats-server 2.9.10
// was seen to need that repair.
const updateWait = 20 * time.Second

// next reads one update from a watcher.
func next(w nats.KeyWatcher) (nats.KeyValueEntry, error) {
	select {
	case e := <-w.Updates():
		if e == nil {
			return nil, errors.New("unexpected nil marker")
		}
		return e, nil
	case <-time.After(updateWait):
		return nil, fmt.Errorf("no update within %v", updateWait)
	}
}

// describe is "op key=value@revision" for comparisons.
func describe(e nats.KeyValueEntry) string {
	return fmt.Sprintf("%s %s=%s", e.Operation(), e.Key(), e.Value())
}

func kvWatch(js nats.JetStreamContext) error {
	kv, err := newKV(js, nats.KeyValueConfig{Bucket: "GO_KV_WATCH", History: 5})
	if err != nil {
		return err
	}
	defer js.DeleteKeyValue("GO_KV_WATCH")

	// On an empty bucket the nil marker comes at once.
	w, err := kv.WatchAll()
	if err != nil {
		return err
	}
	initial, err := collectInitial(w)
	if err := first(err, expect("initial of empty", len(initial), 0)); err != nil {
		return err
	}
	kv.Put("x", []byte("1"))
	e, err := next(w)
	if err := first(err, expect("live put", describe(e), "KeyValuePutOp x=1")); err != nil {
		return err
	}
	w.Stop()

	kv.Put("a", []byte("1"))
	kv.Put("a", []byte("2"))
	kv.Put("b", []byte("1"))
	kv.Put("c", []byte("1"))
	kv.Delete("c")
	w, err = kv.WatchAll()
	if err != nil {
		return err
	}
	defer w.Stop()
	initial, err = collectInitial(w)
	if err != nil {
		return err
	}
	var got []string
	for _, e := range initial {
		got = append(got, describe(e))
		if e.Delta() > 10 {
			return fmt.Errorf("delta %d", e.Delta())
		}
	}
	sort.Strings(got)
	if err := expect("initial", got, []string{"KeyValueDeleteOp c=", "KeyValuePutOp a=2",
		"KeyValuePutOp b=1", "KeyValuePutOp x=1"}); err != nil {
		return err
	}
	kv.Put("a", []byte("3"))
	kv.Delete("b")
	kv.Purge("x")
	kv.Create("d", []byte("new"))
	var live []string
	for i := 0; i < 4; i++ {
		e, err := next(w)
		if err != nil {
			return fmt.Errorf("update %d: %v", i, err)
		}
		live = append(live, describe(e))
	}
	return expect("updates", live, []string{"KeyValuePutOp a=3", "KeyValueDeleteOp b=",
		"KeyValuePurgeOp x=", "KeyValuePutOp d=new"})
}

func kvWatchOptions(js nats.JetStreamContext) error {
	kv, err := newKV(js, nats.KeyValueConfig{Bucket: "GO_KV_WOPT", History: 5})
	if err != nil {
		return err
	}
	defer js.DeleteKeyValue("GO_KV_WOPT")
	kv.Put("a", []byte("1"))
	kv.Put("a", []byte("2"))
	kv.Put("b", []byte("1"))
	kv.Delete("b")

	w, err := kv.WatchAll(nats.IgnoreDeletes())
	if err != nil {
		return err
	}
	initial, err := collectInitial(w)
	if err != nil {
		return err
	}
	var got []string
	for _, e := range initial {
		got = append(got, describe(e))
	}
	if err := expect("ignore deletes initial", got, []string{"KeyValuePutOp a=2"}); err != nil {
		return err
	}
	kv.Delete("a")
	kv.Put("c", []byte("1"))
	e, err := next(w)
	w.Stop()
	if err := first(err, expect("ignore deletes live", describe(e), "KeyValuePutOp c=1")); err != nil {
		return err
	}

	w, err = kv.Watch("a", nats.IncludeHistory())
	if err != nil {
		return err
	}
	initial, err = collectInitial(w)
	w.Stop()
	if err != nil {
		return err
	}
	got = nil
	for _, e := range initial {
		got = append(got, describe(e))
	}
	return expect("include history", got, []string{"KeyValuePutOp a=1", "KeyValuePutOp a=2",
		"KeyValueDeleteOp a="})
}

func kvTTL(js nats.JetStreamContext) error {
	kv, err := newKV(js, nats.KeyValueConfig{Bucket: "GO_KV_TTL", TTL: time.Second})
	if err != nil {
		return err
	}
	defer js.DeleteKeyValue("GO_KV_TTL")
	kv.Put("k", []byte("v"))
	if _, err := kv.Get("k"); err != nil {
		return fmt.Errorf("get before expiry: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := kv.Get("k"); errors.Is(err, nats.ErrKeyNotFound) {
			st, _ := kv.Status()
			return expect("values after expiry", st.Values(), 0)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("value still there 5s after a TTL of 1s")
}

// newObj creates a fresh object store, deleting any left from an earlier run.
func newObj(js nats.JetStreamContext, cfg nats.ObjectStoreConfig) (nats.ObjectStore, error) {
	js.DeleteObjectStore(cfg.Bucket)
	return js.CreateObjectStore(&cfg)
}

func digest(data []byte) string {
	h := sha256.New()
	h.Write(data)
	return nats.GetObjectDigestValue(h)
}

func objBucketLifecycle(js nats.JetStreamContext) error {
	if _, err := js.ObjectStore("GO_OBJ_MISSING"); !errors.Is(err, nats.ErrStreamNotFound) {
		return fmt.Errorf("open missing: %v", err)
	}
	obs, err := newObj(js, nats.ObjectStoreConfig{Bucket: "GO_OBJ_LIFE", Description: "objects",
		TTL: time.Hour, Replicas: 1, Storage: nats.FileStorage})
	if err != nil {
		return fmt.Errorf("create: %v", err)
	}
	obs.PutString("x", "hello")
	opened, err := js.ObjectStore("GO_OBJ_LIFE")
	if err != nil {
		return fmt.Errorf("open: %v", err)
	}
	st, err := opened.Status()
	if err != nil {
		return err
	}
	if err := first(
		expect("bucket", st.Bucket(), "GO_OBJ_LIFE"),
		expect("description", st.Description(), "objects"),
		expect("ttl", st.TTL(), time.Hour),
		expect("replicas", st.Replicas(), 1),
		expect("storage", st.Storage(), nats.FileStorage),
		expect("sealed", st.Sealed(), false),
	); err != nil {
		return err
	}
	if st.Size() == 0 {
		return errors.New("size 0 after a put")
	}
	found := false
	for name := range js.ObjectStoreNames() {
		found = found || name == "GO_OBJ_LIFE" || name == "OBJ_GO_OBJ_LIFE"
	}
	if !found {
		return errors.New("not listed by ObjectStoreNames")
	}
	if err := js.DeleteObjectStore("GO_OBJ_LIFE"); err != nil {
		return fmt.Errorf("delete: %v", err)
	}
	if _, err := js.ObjectStore("GO_OBJ_LIFE"); err == nil {
		return errors.New("open after delete succeeded")
	}
	return nil
}

func objPutGetLarge(js nats.JetStreamContext) error {
	obs, err := newObj(js, nats.ObjectStoreConfig{Bucket: "GO_OBJ_BIG"})
	if err != nil {
		return err
	}
	defer js.DeleteObjectStore("GO_OBJ_BIG")
	for _, size := range []int{1 << 20, 10 << 20, 128*1024 + 1, 0} {
		name := fmt.Sprintf("blob-%d", size)
		data := randomBytes(size)
		info, err := obs.PutBytes(name, data)
		if err != nil {
			return fmt.Errorf("put %d: %v", size, err)
		}
		chunks := (size + 128*1024 - 1) / (128 * 1024)
		if err := first(
			expect(name+" size", info.Size, size),
			expect(name+" chunks", info.Chunks, chunks),
			expect(name+" digest", info.Digest, digest(data)),
		); err != nil {
			return err
		}
		got, err := obs.GetBytes(name)
		if err != nil {
			return fmt.Errorf("get %d: %v", size, err)
		}
		if !bytes.Equal(got, data) {
			return fmt.Errorf("get %d: %d bytes differ from what was put", size, len(got))
		}
	}
	// A custom chunk size, read back through the streaming reader.
	data := randomBytes(300000)
	info, err := obs.Put(&nats.ObjectMeta{Name: "chunky", Opts: &nats.ObjectMetaOptions{ChunkSize: 65536}},
		bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("put chunky: %v", err)
	}
	if err := expect("chunky chunks", info.Chunks, 5); err != nil {
		return err
	}
	r, err := obs.Get("chunky")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		return fmt.Errorf("read chunky: %v", err)
	}
	r.Close()
	if !bytes.Equal(buf.Bytes(), data) {
		return errors.New("chunky differs")
	}
	// Replacing an object keeps only the new chunks.
	obs.PutBytes("blob-1048576", []byte("small now"))
	st, _ := obs.Status()
	if st.Size() > 12<<20 {
		return fmt.Errorf("bucket still holds %d bytes after replacing 1 MiB", st.Size())
	}
	s, err := obs.GetString("blob-1048576")
	return first(err, expect("replaced", s, "small now"))
}

func objInfoListDelete(js nats.JetStreamContext) error {
	obs, err := newObj(js, nats.ObjectStoreConfig{Bucket: "GO_OBJ_LIST"})
	if err != nil {
		return err
	}
	defer js.DeleteObjectStore("GO_OBJ_LIST")
	if _, err := obs.List(); !errors.Is(err, nats.ErrNoObjectsFound) {
		return fmt.Errorf("list empty: %v", err)
	}
	hdr := nats.Header{}
	hdr.Set("Color", "blue")
	if _, err := obs.Put(&nats.ObjectMeta{Name: "one", Description: "first", Headers: hdr},
		strings.NewReader("1")); err != nil {
		return err
	}
	obs.PutString("two", "22")
	obs.PutString("dir/three", "333")
	info, err := obs.GetInfo("one")
	if err != nil {
		return fmt.Errorf("info: %v", err)
	}
	if err := first(
		expect("name", info.Name, "one"),
		expect("description", info.Description, "first"),
		expect("header", info.Headers.Get("Color"), "blue"),
		expect("bucket", info.Bucket, "GO_OBJ_LIST"),
		expect("size", info.Size, 1),
	); err != nil {
		return err
	}
	if info.NUID == "" || info.ModTime.IsZero() {
		return fmt.Errorf("info without nuid or mtime: %+v", info)
	}
	list, err := obs.List()
	if err != nil {
		return err
	}
	var names []string
	for _, o := range list {
		names = append(names, o.Name)
	}
	sort.Strings(names)
	if err := expect("list", names, []string{"dir/three", "one", "two"}); err != nil {
		return err
	}
	if err := obs.Delete("two"); err != nil {
		return fmt.Errorf("delete: %v", err)
	}
	if _, err := obs.GetInfo("two"); !errors.Is(err, nats.ErrObjectNotFound) {
		return fmt.Errorf("info deleted: %v", err)
	}
	if _, err := obs.Get("two"); !errors.Is(err, nats.ErrObjectNotFound) {
		return fmt.Errorf("get deleted: %v", err)
	}
	deleted, err := obs.GetInfo("two", nats.GetObjectInfoShowDeleted())
	if err != nil || !deleted.Deleted || deleted.Size != 0 {
		return fmt.Errorf("info show deleted: %+v %v", deleted, err)
	}
	list, _ = obs.List()
	if err := expect("list after delete", len(list), 2); err != nil {
		return err
	}
	list, _ = obs.List(nats.ListObjectsShowDeleted())
	if err := expect("list with deleted", len(list), 3); err != nil {
		return err
	}
	if err := obs.Delete("never"); !errors.Is(err, nats.ErrObjectNotFound) {
		return fmt.Errorf("delete missing: %v", err)
	}
	// Deleting purges the chunks: only the meta records stay.
	st, _ := obs.Status()
	if n := st.(*nats.ObjectBucketStatus).StreamInfo().State.Msgs; n != 5 {
		return fmt.Errorf("messages after delete: %d, want 3 meta + 2 chunks", n)
	}
	return nil
}

func objLinks(js nats.JetStreamContext) error {
	obs, err := newObj(js, nats.ObjectStoreConfig{Bucket: "GO_OBJ_LINK"})
	if err != nil {
		return err
	}
	defer js.DeleteObjectStore("GO_OBJ_LINK")
	other, err := newObj(js, nats.ObjectStoreConfig{Bucket: "GO_OBJ_LINK2"})
	if err != nil {
		return err
	}
	defer js.DeleteObjectStore("GO_OBJ_LINK2")
	data := randomBytes(200000)
	target, err := other.PutBytes("target", data)
	if err != nil {
		return err
	}
	link, err := obs.AddLink("alias", target)
	if err != nil {
		return fmt.Errorf("add link: %v", err)
	}
	if link.Opts == nil || link.Opts.Link == nil ||
		link.Opts.Link.Bucket != "GO_OBJ_LINK2" || link.Opts.Link.Name != "target" {
		return fmt.Errorf("link info: %+v", link)
	}
	got, err := obs.GetBytes("alias")
	if err != nil || !bytes.Equal(got, data) {
		return fmt.Errorf("get through link: %d bytes, %v", len(got), err)
	}
	bl, err := obs.AddBucketLink("whole", other)
	if err != nil {
		return fmt.Errorf("add bucket link: %v", err)
	}
	if bl.Opts == nil || bl.Opts.Link == nil || bl.Opts.Link.Bucket != "GO_OBJ_LINK2" ||
		bl.Opts.Link.Name != "" {
		return fmt.Errorf("bucket link info: %+v", bl)
	}
	if _, err := obs.AddLink("loop", link); err == nil {
		return errors.New("a link to a link succeeded")
	}
	return nil
}

func objMetaUpdate(js nats.JetStreamContext) error {
	obs, err := newObj(js, nats.ObjectStoreConfig{Bucket: "GO_OBJ_META"})
	if err != nil {
		return err
	}
	defer js.DeleteObjectStore("GO_OBJ_META")
	data := randomBytes(150000)
	obs.PutBytes("old", data)
	obs.PutString("taken", "t")
	if err := obs.UpdateMeta("old", &nats.ObjectMeta{Name: "old", Description: "described"}); err != nil {
		return fmt.Errorf("update description: %v", err)
	}
	info, err := obs.GetInfo("old")
	if err := first(err, expect("description", info.Description, "described")); err != nil {
		return err
	}
	if err := obs.UpdateMeta("old", &nats.ObjectMeta{Name: "taken"}); !errors.Is(err, nats.ErrObjectAlreadyExists) {
		return fmt.Errorf("rename onto an existing object: %v", err)
	}
	if err := obs.UpdateMeta("old", &nats.ObjectMeta{Name: "new", Description: "renamed"}); err != nil {
		return fmt.Errorf("rename: %v", err)
	}
	if _, err := obs.GetInfo("old"); !errors.Is(err, nats.ErrObjectNotFound) {
		return fmt.Errorf("old name after rename: %v", err)
	}
	got, err := obs.GetBytes("new")
	if err != nil || !bytes.Equal(got, data) {
		return fmt.Errorf("get renamed: %v", err)
	}
	if err := obs.UpdateMeta("missing", &nats.ObjectMeta{Name: "x"}); !errors.Is(err, nats.ErrUpdateMetaDeleted) {
		return fmt.Errorf("update missing: %v", err)
	}
	return nil
}

func objWatch(js nats.JetStreamContext) error {
	obs, err := newObj(js, nats.ObjectStoreConfig{Bucket: "GO_OBJ_WATCH"})
	if err != nil {
		return err
	}
	defer js.DeleteObjectStore("GO_OBJ_WATCH")
	obs.PutString("a", "1")
	obs.PutString("b", "2")
	w, err := obs.Watch()
	if err != nil {
		return err
	}
	defer w.Stop()
	initial, err := initialObjects(w)
	if err := first(err, expect("initial", initial, []string{"a", "b"})); err != nil {
		return err
	}
	obs.PutString("c", "3")
	obs.Delete("a")
	var live []string
	for i := 0; i < 2; i++ {
		select {
		case info := <-w.Updates():
			if info == nil {
				return errors.New("nil update")
			}
			live = append(live, fmt.Sprintf("%s deleted=%v", info.Name, info.Deleted))
		case <-time.After(updateWait):
			return fmt.Errorf("update %d missing", i)
		}
	}
	if err := expect("updates", live, []string{"c deleted=false", "a deleted=true"}); err != nil {
		return err
	}
	w2, err := obs.Watch(nats.IgnoreDeletes())
	if err != nil {
		return err
	}
	defer w2.Stop()
	names, err := initialObjects(w2)
	return first(err, expect("ignore deletes", names, []string{"b", "c"}))
}

// initialObjects reads an object watcher's initial objects up to its nil
// marker and returns their names, sorted.
func initialObjects(w nats.ObjectWatcher) ([]string, error) {
	var names []string
	for {
		select {
		case info := <-w.Updates():
			if info == nil {
				sort.Strings(names)
				return names, nil
			}
			names = append(names, info.Name)
		case <-time.After(updateWait):
			return names, errors.New("no end of initial objects")
		}
	}
}

func objSeal(js nats.JetStreamContext) error {
	obs, err := newObj(js, nats.ObjectStoreConfig{Bucket: "GO_OBJ_SEAL"})
	if err != nil {
		return err
	}
	defer js.DeleteObjectStore("GO_OBJ_SEAL")
	obs.PutString("kept", "here")
	if err := obs.Seal(); err != nil {
		return fmt.Errorf("seal: %v", err)
	}
	st, err := obs.Status()
	if err := first(err, expect("sealed", st.Sealed(), true)); err != nil {
		return err
	}
	if _, err := obs.PutString("more", "x"); err == nil {
		return errors.New("put into a sealed bucket succeeded")
	}
	if err := obs.Delete("kept"); err == nil {
		return errors.New("delete in a sealed bucket succeeded")
	}
	s, err := obs.GetString("kept")
	return first(err, expect("read sealed", s, "here"))
}

// kvMirror mirrors a bucket (KeyValueConfig.Mirror: a stream with
// mirror_direct) and reads it through direct gets: once the origin stream is
// gone, the mirror answers the origin's $JS.API.DIRECT.GET requests.
func kvMirror(js nats.JetStreamContext) error {
	origin, err := newKV(js, nats.KeyValueConfig{Bucket: "GO_KV_ORIG", History: 2})
	if err != nil {
		return fmt.Errorf("create origin: %v", err)
	}
	defer js.DeleteKeyValue("GO_KV_ORIG")
	origin.Put("a", []byte("1"))
	origin.Put("b", []byte("2"))
	origin.Delete("b")
	origin.Put("c", []byte("3"))
	if _, err := newKV(js, nats.KeyValueConfig{
		Bucket: "GO_KV_MIR", Mirror: &nats.StreamSource{Name: "GO_KV_ORIG"}}); err != nil {
		return fmt.Errorf("create mirror: %v", err)
	}
	defer js.DeleteKeyValue("GO_KV_MIR")
	deadline := time.Now().Add(10 * time.Second)
	var info *nats.StreamInfo
	for {
		info, err = js.StreamInfo("KV_GO_KV_MIR")
		if err != nil {
			return fmt.Errorf("mirror info: %v", err)
		}
		if info.State.LastSeq == 4 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("mirror did not catch up: %+v", info.State)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if info.Mirror == nil || info.Mirror.Name != "KV_GO_KV_ORIG" {
		return fmt.Errorf("mirror info: %+v", info.Mirror)
	}
	if err := first(
		expect("mirror direct", info.Config.MirrorDirect, true),
		expect("subjects", len(info.Config.Subjects), 0),
		expect("mirror lag", info.Mirror.Lag, 0)); err != nil {
		return err
	}
	// Only the mirror is left to answer the origin's direct gets.
	if err := js.DeleteStream("KV_GO_KV_ORIG"); err != nil {
		return fmt.Errorf("delete origin stream: %v", err)
	}
	a, err := origin.Get("a")
	if err != nil {
		return fmt.Errorf("get a through the mirror: %v", err)
	}
	if _, err := origin.Get("b"); !errors.Is(err, nats.ErrKeyNotFound) {
		return fmt.Errorf("get deleted b through the mirror: %v", err)
	}
	c, err := origin.Get("c")
	if err != nil {
		return fmt.Errorf("get c through the mirror: %v", err)
	}
	return first(
		expect("a", string(a.Value()), "1"), expect("a revision", a.Revision(), 1),
		expect("c", string(c.Value()), "3"), expect("c revision", c.Revision(), 4))
}
