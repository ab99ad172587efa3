// Command kcload is a load generator for y-websocket servers (Kaicode's,
// @y/websocket-server) and Hocuspocus. It speaks the protocol itself, so
// the client side costs little, and reports server memory and CPU from
// /proc for the server process given by -pid.
//
//	kcload -url ws://127.0.0.1:1234/ws -pid 123 idle -conns 1000
//	kcload -url ws://127.0.0.1:1234/ws -pid 123 fanout -room-size 10 -clients 100
//	kcload -url ws://127.0.0.1:1234/ws -pid 123 latejoin -doc 1MiB
//
// Each mode prints one JSON line with its figures.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "kcload:", err)
		os.Exit(1)
	}
}

type settings struct {
	url        string
	hocuspocus bool
	pid        int
	label      string
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("kcload", flag.ContinueOnError)
	var s settings
	fs.StringVar(&s.url, "url", "ws://127.0.0.1:1234/ws", "server URL; rooms are appended as /room (y-websocket)")
	fs.BoolVar(&s.hocuspocus, "hocuspocus", false, "speak Hocuspocus framing (document name prefix, auth first)")
	fs.IntVar(&s.pid, "pid", 0, "server process id, for memory and CPU figures")
	fs.StringVar(&s.label, "label", "", "server name printed with the results")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("missing mode: idle, fanout or latejoin")
	}
	var res any
	var err error
	switch mode, rest := fs.Arg(0), fs.Args()[1:]; mode {
	case "idle":
		res, err = idle(ctx, s, rest)
	case "fanout":
		res, err = fanout(ctx, s, rest)
	case "latejoin":
		res, err = lateJoin(ctx, s, rest)
	default:
		return fmt.Errorf("unknown mode %q: want idle, fanout or latejoin", mode)
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(out).Encode(res)
}

func roomName(prefix string, i int) string {
	return strings.ReplaceAll(fmt.Sprintf("%s-%04d", prefix, i), " ", "")
}
