// Command cozeloop_sdk_scenarios runs the official Go SDK (cozeloop-go v0.1.23) against our
// server, configured like any user's program: COZELOOP_API_BASE_URL, COZELOOP_WORKSPACE_ID and
// COZELOOP_API_TOKEN (or the COZELOOP_JWT_OAUTH_* variables) from the environment.
// SDK_SCENARIO_CONTEXT (JSON) names the prompts the Deno side created. It prints
// `PASS name` / `FAIL name: reason` per scenario and `DATA name {json}` for what the Deno side
// verifies on the server; tests/sdk/sdk_test.ts runs it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/coze-dev/cozeloop-go"
)

// scenarioContext is what the Deno side hands over.
type scenarioContext struct {
	ChatKey    string   `json:"chat_key"`
	JinjaKey   string   `json:"jinja_key"`
	MultiKey   string   `json:"multi_key"`
	MissingKey string   `json:"missing_key"`
	Marker     string   `json:"marker"`
	Only       []string `json:"only"`
}

var sc scenarioContext

// run runs one scenario and prints PASS or FAIL; a panic is a failure too.
func run(name string, fn func() error) {
	if len(sc.Only) > 0 && !contains(sc.Only, name) {
		return
	}
	started := time.Now()
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return fn()
	}()
	if err != nil {
		reason := strings.ReplaceAll(err.Error(), "\n", " ")
		if len(reason) > 1500 {
			reason = reason[:1500]
		}
		fmt.Printf("FAIL %s: %s\n", name, reason)
		return
	}
	fmt.Printf("PASS %s (%.1fs)\n", name, time.Since(started).Seconds())
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// emit hands facts (ids, sizes) to the Deno side.
func emit(name string, v any) {
	b, _ := json.Marshal(v)
	fmt.Printf("DATA %s %s\n", name, b)
}

// expectEq fails unless got and want are deeply equal.
func expectEq(got, want any, what string) error {
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("%s: got %#v, want %#v", what, got, want)
	}
	return nil
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// remoteError checks that err is the SDK's RemoteServiceError with the server's code.
func remoteError(err error, what string) (*cozeloop.RemoteServiceError, error) {
	if err == nil {
		return nil, fmt.Errorf("%s: no error", what)
	}
	var remote *cozeloop.RemoteServiceError
	if !errors.As(err, &remote) {
		return nil, fmt.Errorf("%s: a RemoteServiceError, got %T: %v", what, err, err)
	}
	if remote.ErrCode == 0 || remote.ErrCode == -1 {
		return nil, fmt.Errorf("%s: the server's error code, got %v", what, remote)
	}
	return remote, nil
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// exportFailures remembers failed trace exports, which the SDK otherwise only logs.
type exportFailures struct {
	mu    sync.Mutex
	items []string
}

func (f *exportFailures) processor(_ context.Context, info *cozeloop.FinishEventInfo) {
	if info != nil && info.IsEventFail {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.items = append(f.items, fmt.Sprintf("%s: %s", info.EventType, info.DetailMsg))
	}
}

// check fails when an export failed since the last check.
func (f *exportFailures) check() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	failed := f.items
	f.items = nil
	if len(failed) > 0 {
		return fmt.Errorf("trace export failed: %v", failed)
	}
	return nil
}

func main() {
	if err := json.Unmarshal([]byte(os.Getenv("SDK_SCENARIO_CONTEXT")), &sc); err != nil {
		fmt.Printf("FAIL context: SDK_SCENARIO_CONTEXT: %v\n", err)
		os.Exit(2)
	}
	ctx := context.Background()
	failures := &exportFailures{}
	if os.Getenv("COZELOOP_JWT_OAUTH_CLIENT_ID") != "" {
		run("jwt_oauth", func() error { return jwtOAuth(ctx, failures) })
		return
	}
	client, err := cozeloop.NewClient(cozeloop.WithTimeout(10*time.Second),
		cozeloop.WithTraceFinishEventProcessor(failures.processor))
	if err != nil {
		fmt.Printf("FAIL client: %v\n", err)
		os.Exit(2)
	}
	big, err := cozeloop.NewClient(cozeloop.WithTimeout(10*time.Second),
		cozeloop.WithUltraLargeTraceReport(true),
		cozeloop.WithTraceFinishEventProcessor(failures.processor))
	if err != nil {
		fmt.Printf("FAIL client: %v\n", err)
		os.Exit(2)
	}
	runTracing(ctx, client, big, failures)
	runPromptHub(ctx, client)
	runPTaaS(ctx, client, failures)
	client.Close(ctx)
	big.Close(ctx)
}

// jwtOAuth: a client authenticated by a JWT OAuth app, taken from the environment alone.
func jwtOAuth(ctx context.Context, failures *exportFailures) error {
	client, err := cozeloop.NewClient(cozeloop.WithTraceFinishEventProcessor(failures.processor))
	if err != nil {
		return err
	}
	defer client.Close(ctx)
	p, err := client.GetPrompt(ctx, cozeloop.GetPromptParam{PromptKey: sc.ChatKey, Version: "1.0.0"})
	if err != nil {
		return err
	}
	if p == nil || p.Version != "1.0.0" {
		return fmt.Errorf("prompt fetched with an OAuth token: got %+v", p)
	}
	spanCtx, span := client.StartSpan(ctx, "sdk_jwt", "custom", cozeloop.WithStartNewTrace())
	span.SetInput(spanCtx, "sent with an OAuth access token")
	span.Finish(spanCtx)
	client.Flush(ctx)
	if err := failures.check(); err != nil {
		return err
	}
	emit("jwt_oauth", map[string]string{"trace_id": span.GetTraceID(), "span_id": span.GetSpanID()})
	return nil
}
