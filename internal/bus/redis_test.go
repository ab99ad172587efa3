package bus_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kaicode/kaicode/internal/bus"
)

func TestRedisNodesShareRooms(t *testing.T) {
	t.Parallel()
	opts := bus.RedisOptions{URL: redisURL(t), Prefix: testPrefix()}
	node1, node2 := newRedis(t, opts), newRedis(t, opts)
	on1, on2 := subscribe(t, node1, "room"), subscribe(t, node2, "room")
	ctx := t.Context()
	if err := node1.Publish(ctx, "room", event(1)); err != nil {
		t.Fatal(err)
	}
	if err := node2.Publish(ctx, "room", event(2)); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]bus.Subscription{"node1": on1, "node2": on2} {
		for _, want := range []string{"1", "2"} {
			if got := string(receive(t, s).Data); got != want {
				t.Errorf("%s: got event %s, want %s", name, got, want)
			}
		}
	}
}

func TestRedisPrefixSeparatesApplications(t *testing.T) {
	t.Parallel()
	url := redisURL(t)
	ours := newRedis(t, bus.RedisOptions{URL: url, Prefix: testPrefix()})
	theirs := newRedis(t, bus.RedisOptions{URL: url, Prefix: testPrefix()})
	mine, other := subscribe(t, ours, "room"), subscribe(t, theirs, "room")
	if err := theirs.Publish(t.Context(), "room", event(1)); err != nil {
		t.Fatal(err)
	}
	if err := ours.Publish(t.Context(), "room", event(2)); err != nil {
		t.Fatal(err)
	}
	if got := string(receive(t, mine).Data); got != "2" {
		t.Errorf("got event %s published under another prefix", got)
	}
	receive(t, other)
}

// TestRedisSubscriptionSurvivesReconnect kills the SUBSCRIBE connection as
// a network failure would: the subscription stays open, events published
// while the node reconnects are lost, and later ones arrive.
func TestRedisSubscriptionSurvivesReconnect(t *testing.T) {
	t.Parallel()
	url := redisURL(t)
	prefix := testPrefix()
	name := strings.ReplaceAll(strings.TrimSuffix(prefix, ":"), ":", "-")
	b := newRedis(t, bus.RedisOptions{URL: withQuery(url, "client_name="+name), Prefix: prefix})
	s := subscribe(t, b, "room")
	ctx := t.Context()
	killPubSub(t, redisClient(t, url), name)
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		if err := b.Publish(ctx, "room", event(i)); err != nil {
			t.Fatal(err)
		}
		select {
		case ev, ok := <-s.Events():
			if !ok {
				t.Fatalf("subscription closed by a reconnect: Err() = %v", s.Err())
			}
			t.Logf("first event after the reconnect: %s (%d published)", ev.Data, i+1)
			return
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no event within 10s of the connection being killed")
		}
	}
}

func TestNewRedisErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, url, want string
	}{
		{"EmptyURL", "", "URL is empty"},
		{"NotRedis", "http://localhost:6379", "RedisOptions.URL"},
		{"Malformed", "redis://kaicode:secret@localhost:6379/%zz", "RedisOptions.URL"},
		{"Unreachable", "unix:///nonexistent/redis.sock", "ping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := bus.NewRedis(t.Context(), bus.RedisOptions{URL: tc.url, Timeout: time.Second})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewRedis(%q) = %v, want an error containing %q", tc.url, err, tc.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestRedisPing(t *testing.T) {
	t.Parallel()
	b, err := bus.NewRedis(t.Context(), bus.RedisOptions{URL: redisURL(t), Prefix: testPrefix()})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	b.Close()
	if err := b.Ping(t.Context()); !errors.Is(err, bus.ErrClosed) {
		t.Fatalf("Ping after Close = %v, want ErrClosed", err)
	}
}

// redisClient returns a plain client of the test server, closed when t
// ends.
func redisClient(t *testing.T, url string) *redis.Client {
	t.Helper()
	o, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(o)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// killPubSub closes the server side of the pub/sub connections of the
// clients called name, and only those: other tests may share the server.
func killPubSub(t *testing.T, admin *redis.Client, name string) {
	t.Helper()
	list, err := admin.ClientList(t.Context()).Result()
	if err != nil {
		t.Fatalf("CLIENT LIST: %v", err)
	}
	killed := 0
	for line := range strings.Lines(list) {
		fields := map[string]string{}
		for f := range strings.FieldsSeq(line) {
			k, v, _ := strings.Cut(f, "=")
			fields[k] = v
		}
		if fields["name"] != name || !strings.Contains(fields["flags"], "P") {
			continue
		}
		if err := admin.ClientKillByFilter(t.Context(), "ID", fields["id"]).Err(); err != nil {
			t.Fatalf("CLIENT KILL ID %s: %v", fields["id"], err)
		}
		killed++
	}
	if killed != 1 {
		t.Fatalf("killed %d pub/sub connections named %s, want 1", killed, name)
	}
}

// withQuery adds the query parameter kv to url.
func withQuery(url, kv string) string {
	if strings.Contains(url, "?") {
		return url + "&" + kv
	}
	return url + "?" + kv
}
