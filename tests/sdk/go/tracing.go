package main

// Tracing scenarios: the SDK builds and exports the spans; the Deno side reads them back
// through the server's search (from the DATA lines) and checks what it stored.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/coze-dev/cozeloop-go"
	"github.com/coze-dev/cozeloop-go/spec/tracespec"
)

// pixelPNG is a 1x1 PNG: small, but a real image the server must store byte for byte.
const pixelPNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGA" +
	"WjR9awAAAABJRU5ErkJggg=="

// flushed flushes the client and reports any failed export.
func flushed(ctx context.Context, c cozeloop.Client, f *exportFailures) error {
	c.Flush(ctx)
	return f.check()
}

func traceTree(ctx context.Context, c cozeloop.Client, f *exportFailures) error {
	rootCtx, root := c.StartSpan(ctx, "sdk_root", "custom", cozeloop.WithStartNewTrace())
	root.SetInput(rootCtx, "tree input "+sc.Marker)
	root.SetOutput(rootCtx, "tree output")
	root.SetTags(rootCtx, map[string]any{"scenario": "tree", "attempt": 2, "ratio": 0.5, "cached": true})
	childCtx, child := c.StartSpan(rootCtx, "sdk_child", "tool")
	grandCtx, grand := c.StartSpan(childCtx, "sdk_grandchild", "custom")
	grand.SetInput(grandCtx, "deepest")
	grand.Finish(grandCtx)
	child.Finish(childCtx)
	_, sibling := c.StartSpan(ctx, "sdk_sibling", "retriever", cozeloop.WithChildOf(root))
	sibling.Finish(ctx)
	root.Finish(rootCtx)
	if err := flushed(ctx, c, f); err != nil {
		return err
	}
	if err := expectEq(child.GetTraceID(), root.GetTraceID(), "child joins the root's trace"); err != nil {
		return err
	}
	emit("trace_tree", map[string]string{
		"trace_id": root.GetTraceID(), "root": root.GetSpanID(), "child": child.GetSpanID(),
		"grandchild": grand.GetSpanID(), "sibling": sibling.GetSpanID(),
	})
	return nil
}

func traceError(ctx context.Context, c cozeloop.Client, f *exportFailures) error {
	spanCtx, span := c.StartSpan(ctx, "sdk_error", "custom", cozeloop.WithStartNewTrace())
	message := "boom from " + sc.Marker
	span.SetError(spanCtx, errors.New(message))
	span.SetStatusCode(spanCtx, 500123)
	span.Finish(spanCtx)
	if err := flushed(ctx, c, f); err != nil {
		return err
	}
	emit("trace_error", map[string]any{"trace_id": span.GetTraceID(), "span_id": span.GetSpanID(),
		"message": message, "status_code": 500123})
	return nil
}

func traceModel(ctx context.Context, c cozeloop.Client, f *exportFailures) error {
	spanCtx, span := c.StartSpan(ctx, "sdk_llm", "model", cozeloop.WithStartNewTrace())
	span.SetModelProvider(spanCtx, "openai")
	span.SetModelName(spanCtx, "gpt-sdk")
	span.SetInputTokens(spanCtx, 11)
	span.SetOutputTokens(spanCtx, 7)
	span.SetInput(spanCtx, tracespec.ModelInput{Messages: []*tracespec.ModelMessage{
		{Role: "user", Content: "hi model"},
	}})
	span.SetOutput(spanCtx, tracespec.ModelOutput{Choices: []*tracespec.ModelChoice{{
		FinishReason: "stop", Message: &tracespec.ModelMessage{Role: "assistant", Content: "hello human"},
	}}})
	span.Finish(spanCtx)
	if err := flushed(ctx, c, f); err != nil {
		return err
	}
	emit("trace_model", map[string]string{"trace_id": span.GetTraceID(), "span_id": span.GetSpanID()})
	return nil
}

func traceLargeInput(ctx context.Context, big cozeloop.Client, f *exportFailures) error {
	var b strings.Builder
	line := "large input of " + sc.Marker + ", line "
	for i := 0; b.Len() < 1_500_000; i++ {
		fmt.Fprintf(&b, "%s%07d\n", line, i)
	}
	input := b.String()
	spanCtx, span := big.StartSpan(ctx, "sdk_large", "custom", cozeloop.WithStartNewTrace())
	span.SetInput(spanCtx, input)
	span.SetOutput(spanCtx, "short output")
	span.Finish(spanCtx)
	if err := flushed(ctx, big, f); err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(input))
	emit("trace_large_input", map[string]any{"trace_id": span.GetTraceID(),
		"span_id": span.GetSpanID(), "size": len(input), "sha256": hex.EncodeToString(sum[:])})
	return nil
}

func traceAttachment(ctx context.Context, c cozeloop.Client, f *exportFailures) error {
	spanCtx, span := c.StartSpan(ctx, "sdk_image", "model", cozeloop.WithStartNewTrace())
	span.SetInput(spanCtx, tracespec.ModelInput{Messages: []*tracespec.ModelMessage{{
		Role: "user",
		Parts: []*tracespec.ModelMessagePart{
			{Type: tracespec.ModelMessagePartTypeText, Text: "what is in this picture?"},
			{Type: tracespec.ModelMessagePartTypeImage, ImageURL: &tracespec.ModelImageURL{
				Name: "pixel.png", URL: "data:image/png;base64," + pixelPNG,
			}},
		},
	}}})
	span.SetOutput(spanCtx, "a pixel")
	span.Finish(spanCtx)
	if err := flushed(ctx, c, f); err != nil {
		return err
	}
	emit("trace_attachment", map[string]string{"trace_id": span.GetTraceID(),
		"span_id": span.GetSpanID(), "png_base64": pixelPNG})
	return nil
}

func traceHeader(ctx context.Context, c cozeloop.Client, f *exportFailures) error {
	upCtx, up := c.StartSpan(ctx, "sdk_upstream", "custom", cozeloop.WithStartNewTrace())
	up.SetBaggage(upCtx, map[string]string{"tenant": "acme"})
	headers, err := up.ToHeader()
	up.Finish(upCtx)
	if err != nil {
		return err
	}
	want := fmt.Sprintf("00-%s-%s-01", up.GetTraceID(), up.GetSpanID())
	if err := expectEq(headers["X-Cozeloop-Traceparent"], want, "traceparent header"); err != nil {
		return err
	}
	if !strings.Contains(headers["X-Cozeloop-Tracestate"], "tenant=acme") {
		return fmt.Errorf("tracestate: %v", headers)
	}
	// What another service receives: the headers only.
	received := map[string]string{}
	for k, v := range headers {
		received[strings.ToLower(k)] = v
	}
	parent := c.GetSpanFromHeader(context.Background(), received)
	if err := expectEq([]string{parent.GetTraceID(), parent.GetSpanID()},
		[]string{up.GetTraceID(), up.GetSpanID()}, "span from header"); err != nil {
		return err
	}
	downCtx, down := c.StartSpan(context.Background(), "sdk_downstream", "custom",
		cozeloop.WithChildOf(parent))
	down.Finish(downCtx)
	if err := flushed(ctx, c, f); err != nil {
		return err
	}
	emit("trace_header", map[string]string{"trace_id": up.GetTraceID(), "parent": up.GetSpanID(),
		"child": down.GetSpanID()})
	return nil
}

// runTracing runs every tracing scenario.
func runTracing(ctx context.Context, c, big cozeloop.Client, f *exportFailures) {
	run("trace_tree", func() error { return traceTree(ctx, c, f) })
	run("trace_error", func() error { return traceError(ctx, c, f) })
	run("trace_model", func() error { return traceModel(ctx, c, f) })
	run("trace_large_input", func() error { return traceLargeInput(ctx, big, f) })
	run("trace_attachment", func() error { return traceAttachment(ctx, c, f) })
	run("trace_header", func() error { return traceHeader(ctx, c, f) })
}
