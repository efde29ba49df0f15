"""Prompt-as-a-service scenarios of the Python SDK: execute_prompt, streamed or not, with
unset variables, image parts, tool calls, errors before and during the stream, and the
caller's trace context."""
from cozeloop import RemoteServiceError
from cozeloop.entities.prompt import ContentPart, ContentType, Message, Role

from common import CTX, data, expect, expect_eq, raises, run

CHAT = CTX.get("chat_key", "")
MULTI = CTX.get("multi_key", "")
MISSING = CTX.get("missing_key", "")
MARKER = CTX.get("marker", "python")
TOOL_ARGUMENTS = '{"city":"Paris"}'


def chat_vars(question):
    """Every variable of the chat prompt."""
    return {"topic": "weather", "question": question,
            "history": [Message(role=Role.USER, content="hi"),
                        Message(role=Role.ASSISTANT, content="hello")]}


def remote_error(e, what):
    """`e` must be the SDK's RemoteServiceError with a non-zero code."""
    expect(isinstance(e, RemoteServiceError), f"{what}: a RemoteServiceError, got "
           f"{type(e).__name__}: {e}")
    expect(e.error_code not in (0, None, -1), f"{what}: the server's error code, got {e}")


def exec_basic(client):
    r = client.execute_prompt(CHAT, version="1.0.0", variable_vals=chat_vars("q"),
                              messages=[Message(role=Role.USER, content="And tomorrow?")])
    expect_eq(r.message.content, "echo: And tomorrow?", "content")
    expect_eq(getattr(r.message.role, "value", r.message.role), "assistant", "role")
    expect_eq(r.finish_reason, "stop", "finish_reason")
    expect(r.usage and r.usage.input_tokens > 0 and r.usage.output_tokens > 0, f"usage {r.usage}")


def exec_unset_vars(client):
    # topic and history are left unset: they render empty, as in the reference.
    r = client.execute_prompt(CHAT, version="1.0.0",
                              variable_vals={"question": f"unset-{MARKER}"})
    expect_eq(r.message.content, f"echo: unset-{MARKER}", "content")


def exec_image(client):
    extra = [ContentPart(type=ContentType.IMAGE_URL,
                         image_url=f"https://example.com/{MARKER}-extra.png")]
    look = Message(role=Role.USER, parts=[
        ContentPart(type=ContentType.TEXT, text="what is in it?"),
        ContentPart(type=ContentType.IMAGE_URL, image_url=f"https://example.com/{MARKER}-look.png"),
    ])
    r = client.execute_prompt(MULTI, version="1.0.0",
                              variable_vals={"subject": "a cat", "extra": extra}, messages=[look])
    expect_eq(r.message.content, "echo: what is in it?", "content")


def exec_tool_call(client):
    r = client.execute_prompt(CHAT, variable_vals=chat_vars("weather please #tool"))
    expect_eq(r.finish_reason, "tool_calls", "finish_reason")
    calls = r.message.tool_calls or []
    expect_eq(len(calls), 1, "one tool call")
    expect_eq(getattr(calls[0].type, "value", calls[0].type), "function", "type")
    expect(calls[0].id, "a call id")
    expect_eq((calls[0].function_call.name, calls[0].function_call.arguments),
              ("get_weather", TOOL_ARGUMENTS), "function_call")


def exec_stream(client):
    with client.execute_prompt(CHAT, version="1.0.0", variable_vals=chat_vars(f"stream-{MARKER}"),
                               stream=True) as reader:
        chunks = list(reader)
    expect(len(chunks) >= 2, f"several chunks, got {len(chunks)}")
    text = "".join(c.message.content or "" for c in chunks if c.message)
    expect_eq(text, f"echo: stream-{MARKER}", "streamed content")
    expect_eq(chunks[-1].finish_reason, "stop", "last finish_reason")
    expect(any(c.usage and c.usage.output_tokens > 0 for c in chunks), "usage in the stream")


def exec_stream_tool_call(client):
    chunks = list(client.execute_prompt(CHAT, variable_vals=chat_vars("#tool"), stream=True))
    calls = [t for c in chunks if c.message for t in (c.message.tool_calls or [])]
    expect(calls, "tool call chunks")
    expect_eq(calls[0].function_call.name, "get_weather", "tool name")
    args = "".join((t.function_call.arguments or "") for t in calls if t.function_call)
    expect_eq(args, TOOL_ARGUMENTS, "assembled arguments")
    expect_eq(chunks[-1].finish_reason, "tool_calls", "last finish_reason")


def exec_error_unknown_prompt(client):
    e = raises(lambda: client.execute_prompt(MISSING, variable_vals={"q": "x"}), "unknown key")
    remote_error(e, "execute")


def exec_stream_error_before(client):
    e = raises(lambda: list(client.execute_prompt(MISSING, variable_vals={"q": "x"}, stream=True)),
               "unknown key, streamed")
    remote_error(e, "execute_streaming")


def exec_stream_error_mid(client):
    got = []

    def consume():
        for chunk in client.execute_prompt(CHAT, version="1.0.0",
                                           variable_vals=chat_vars("#fail-mid-stream"),
                                           stream=True):
            got.append(chunk)

    e = raises(consume, "a provider failing mid-stream")
    remote_error(e, "mid-stream")
    expect(len(got) >= 1, "chunks before the error")


def error_logid(client):
    e = raises(lambda: client.execute_prompt(MISSING, variable_vals={"q": "x"}), "unknown key")
    expect(isinstance(e, RemoteServiceError), f"a RemoteServiceError, got {e!r}")
    expect(e.log_id, f"the error carries the x-tt-logid header: {e}")


def exec_trace_context(client, failures):
    with client.start_span("sdk_caller", "custom", start_new_trace=True) as caller:
        r = client.execute_prompt(CHAT, version="1.0.0",
                                  variable_vals=chat_vars(f"traced-{MARKER}"))
    expect_eq(r.message.content, f"echo: traced-{MARKER}", "content")
    client.flush()
    failures.check()
    data("exec_trace_context", {"trace_id": caller.trace_id, "span_id": caller.span_id,
                                "prompt_key": CHAT})


def run_all(client, failures):
    """Every PTaaS scenario."""
    for name, fn in [("exec_basic", exec_basic), ("exec_unset_vars", exec_unset_vars),
                     ("exec_image", exec_image), ("exec_tool_call", exec_tool_call),
                     ("exec_stream", exec_stream),
                     ("exec_stream_tool_call", exec_stream_tool_call),
                     ("exec_error_unknown_prompt", exec_error_unknown_prompt),
                     ("exec_stream_error_before", exec_stream_error_before),
                     ("exec_stream_error_mid", exec_stream_error_mid),
                     ("error_logid", error_logid)]:
        run(name, lambda fn=fn: fn(client))
    run("exec_trace_context", lambda: exec_trace_context(client, failures))
