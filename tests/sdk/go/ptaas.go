package main

// Prompt-as-a-service scenarios: Execute and ExecuteStreaming with unset variables, image
// parts, tool calls, errors before and during the stream, and the caller's trace context.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/coze-dev/cozeloop-go"
	"github.com/coze-dev/cozeloop-go/entity"
)

const toolArguments = `{"city":"Paris"}`

func chatVars(question string) map[string]any {
	return map[string]any{"topic": "weather", "question": question, "history": history()}
}

func chatParam(version string, vars map[string]any) *entity.ExecuteParam {
	return &entity.ExecuteParam{PromptKey: sc.ChatKey, Version: version, VariableVals: vars}
}

// collect reads a stream to its end; it returns the chunks read and the error that ended it
// (nil at a clean end).
func collect(c cozeloop.Client, ctx context.Context, p *entity.ExecuteParam) ([]entity.ExecuteResult, error) {
	reader, err := c.ExecuteStreaming(ctx, p)
	if err != nil {
		return nil, err
	}
	var chunks []entity.ExecuteResult
	for {
		chunk, err := reader.Recv()
		if errors.Is(err, io.EOF) {
			return chunks, nil
		}
		if err != nil {
			return chunks, err
		}
		chunks = append(chunks, chunk)
	}
}

func execBasic(ctx context.Context, c cozeloop.Client) error {
	p := chatParam("1.0.0", chatVars("q"))
	p.Messages = []*entity.Message{{Role: entity.RoleUser, Content: ptr("And tomorrow?")}}
	r, err := c.Execute(ctx, p)
	if err != nil {
		return err
	}
	if r.Message == nil || r.Usage == nil || r.Usage.InputTokens <= 0 || r.Usage.OutputTokens <= 0 {
		return fmt.Errorf("message and usage: got %+v", r)
	}
	return firstErr(
		expectEq(deref(r.Message.Content), "echo: And tomorrow?", "content"),
		expectEq(string(r.Message.Role), "assistant", "role"),
		expectEq(deref(r.FinishReason), "stop", "finish_reason"),
	)
}

func execUnsetVars(ctx context.Context, c cozeloop.Client) error {
	// topic and history are left unset: they render empty, as in the reference.
	r, err := c.Execute(ctx, chatParam("1.0.0", map[string]any{"question": "unset-" + sc.Marker}))
	if err != nil {
		return err
	}
	if r.Message == nil {
		return fmt.Errorf("no message: %+v", r)
	}
	return expectEq(deref(r.Message.Content), "echo: unset-"+sc.Marker, "content")
}

func execImage(ctx context.Context, c cozeloop.Client) error {
	r, err := c.Execute(ctx, &entity.ExecuteParam{
		PromptKey: sc.MultiKey,
		Version:   "1.0.0",
		VariableVals: map[string]any{"subject": "a cat", "extra": []*entity.ContentPart{{
			Type: entity.ContentTypeImageURL, ImageURL: ptr("https://example.com/" + sc.Marker + "-extra.png"),
		}}},
		Messages: []*entity.Message{{Role: entity.RoleUser, Parts: []*entity.ContentPart{
			{Type: entity.ContentTypeText, Text: ptr("what is in it?")},
			{Type: entity.ContentTypeImageURL, ImageURL: ptr("https://example.com/" + sc.Marker + "-look.png")},
		}}},
	})
	if err != nil {
		return err
	}
	if r.Message == nil {
		return fmt.Errorf("no message: %+v", r)
	}
	return expectEq(deref(r.Message.Content), "echo: what is in it?", "content")
}

func execToolCall(ctx context.Context, c cozeloop.Client) error {
	r, err := c.Execute(ctx, chatParam("", chatVars("weather please #tool")))
	if err != nil {
		return err
	}
	if r.Message == nil || len(r.Message.ToolCalls) != 1 || r.Message.ToolCalls[0].FunctionCall == nil {
		return fmt.Errorf("one tool call: got %+v", r.Message)
	}
	call := r.Message.ToolCalls[0]
	if call.ID == "" {
		return fmt.Errorf("a call id: %+v", call)
	}
	return firstErr(
		expectEq(deref(r.FinishReason), "tool_calls", "finish_reason"),
		expectEq(string(call.Type), "function", "type"),
		expectEq([]string{call.FunctionCall.Name, deref(call.FunctionCall.Arguments)},
			[]string{"get_weather", toolArguments}, "function_call"),
	)
}

func execStream(ctx context.Context, c cozeloop.Client) error {
	chunks, err := collect(c, ctx, chatParam("1.0.0", chatVars("stream-"+sc.Marker)))
	if err != nil {
		return err
	}
	if len(chunks) < 2 {
		return fmt.Errorf("several chunks, got %d", len(chunks))
	}
	var text strings.Builder
	usage := false
	for _, ch := range chunks {
		if ch.Message != nil {
			text.WriteString(deref(ch.Message.Content))
		}
		usage = usage || (ch.Usage != nil && ch.Usage.OutputTokens > 0)
	}
	if !usage {
		return fmt.Errorf("no usage in the stream")
	}
	return firstErr(
		expectEq(text.String(), "echo: stream-"+sc.Marker, "streamed content"),
		expectEq(deref(chunks[len(chunks)-1].FinishReason), "stop", "last finish_reason"),
	)
}

func execStreamToolCall(ctx context.Context, c cozeloop.Client) error {
	chunks, err := collect(c, ctx, chatParam("", chatVars("#tool")))
	if err != nil {
		return err
	}
	name, args := "", ""
	for _, ch := range chunks {
		if ch.Message == nil {
			continue
		}
		for _, call := range ch.Message.ToolCalls {
			if call.FunctionCall != nil {
				if name == "" {
					name = call.FunctionCall.Name
				}
				args += deref(call.FunctionCall.Arguments)
			}
		}
	}
	if len(chunks) == 0 {
		return fmt.Errorf("no chunks")
	}
	return firstErr(
		expectEq(name, "get_weather", "tool name"),
		expectEq(args, toolArguments, "assembled arguments"),
		expectEq(deref(chunks[len(chunks)-1].FinishReason), "tool_calls", "last finish_reason"),
	)
}

func missingParam() *entity.ExecuteParam {
	return &entity.ExecuteParam{PromptKey: sc.MissingKey, VariableVals: map[string]any{"q": "x"}}
}

func execErrorUnknownPrompt(ctx context.Context, c cozeloop.Client) error {
	_, err := c.Execute(ctx, missingParam())
	_, err = remoteError(err, "execute")
	return err
}

func execStreamErrorBefore(ctx context.Context, c cozeloop.Client) error {
	chunks, err := collect(c, ctx, missingParam())
	if err == nil {
		return fmt.Errorf("execute_streaming: no error, %d chunks", len(chunks))
	}
	_, err = remoteError(err, "execute_streaming")
	return err
}

func execStreamErrorMid(ctx context.Context, c cozeloop.Client) error {
	chunks, err := collect(c, ctx, chatParam("1.0.0", chatVars("#fail-mid-stream")))
	if err == nil {
		return fmt.Errorf("mid-stream: no error, %d chunks", len(chunks))
	}
	if _, err := remoteError(err, "mid-stream"); err != nil {
		return err
	}
	if len(chunks) < 1 {
		return fmt.Errorf("chunks before the error: none")
	}
	return nil
}

func errorLogID(ctx context.Context, c cozeloop.Client) error {
	_, err := c.Execute(ctx, missingParam())
	var remote *cozeloop.RemoteServiceError
	if !errors.As(err, &remote) {
		return fmt.Errorf("a RemoteServiceError, got %T: %v", err, err)
	}
	if remote.LogID == "" {
		return fmt.Errorf("the error carries the x-tt-logid header: %v", remote)
	}
	return nil
}

func execTraceContext(ctx context.Context, c cozeloop.Client, f *exportFailures) error {
	callerCtx, caller := c.StartSpan(ctx, "sdk_caller", "custom", cozeloop.WithStartNewTrace())
	r, err := c.Execute(callerCtx, chatParam("1.0.0", chatVars("traced-"+sc.Marker)))
	caller.Finish(callerCtx)
	if err != nil {
		return err
	}
	if r.Message == nil {
		return fmt.Errorf("no message: %+v", r)
	}
	if err := expectEq(deref(r.Message.Content), "echo: traced-"+sc.Marker, "content"); err != nil {
		return err
	}
	if err := flushed(ctx, c, f); err != nil {
		return err
	}
	emit("exec_trace_context", map[string]string{"trace_id": caller.GetTraceID(),
		"span_id": caller.GetSpanID(), "prompt_key": sc.ChatKey})
	return nil
}

// runPTaaS runs every PTaaS scenario.
func runPTaaS(ctx context.Context, c cozeloop.Client, f *exportFailures) {
	for _, s := range []struct {
		name string
		fn   func(context.Context, cozeloop.Client) error
	}{
		{"exec_basic", execBasic}, {"exec_unset_vars", execUnsetVars}, {"exec_image", execImage},
		{"exec_tool_call", execToolCall}, {"exec_stream", execStream},
		{"exec_stream_tool_call", execStreamToolCall},
		{"exec_error_unknown_prompt", execErrorUnknownPrompt},
		{"exec_stream_error_before", execStreamErrorBefore},
		{"exec_stream_error_mid", execStreamErrorMid}, {"error_logid", errorLogID},
	} {
		s := s
		run(s.name, func() error { return s.fn(ctx, c) })
	}
	run("exec_trace_context", func() error { return execTraceContext(ctx, c, f) })
}
