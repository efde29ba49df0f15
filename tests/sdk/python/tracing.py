"""Tracing scenarios of the Python SDK: the SDK builds and exports the spans; the Deno side
reads them back through the server's search (from the DATA lines) and checks what it stored."""
import base64
import hashlib

from cozeloop.spec.tracespec import (ModelChoice, ModelImageURL, ModelInput, ModelMessage,
                                     ModelMessagePart, ModelMessagePartType, ModelOutput)

from common import CTX, data, expect, expect_eq, run

# A 1x1 PNG: small, but a real image the server must store byte for byte.
PIXEL_PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGA"
             "WjR9awAAAABJRU5ErkJggg==")
MARKER = CTX.get("marker", "python")


def trace_tree(client, failures):
    """A root span with a child, a grandchild and a sibling, and tags of every type."""
    with client.start_span("sdk_root", "custom", start_new_trace=True) as root:
        root.set_input(f"tree input {MARKER}")
        root.set_output("tree output")
        root.set_tags({"scenario": "tree", "attempt": 2, "ratio": 0.5, "cached": True})
        with client.start_span("sdk_child", "tool") as child:
            with client.start_span("sdk_grandchild", "custom") as grandchild:
                grandchild.set_input("deepest")
        sibling = client.start_span("sdk_sibling", "retriever", child_of=root)
        sibling.finish()
    client.flush()
    failures.check()
    expect_eq(child.trace_id, root.trace_id, "child joins the root's trace")
    expect_eq(child.parent_span_id, root.span_id, "child's parent (SDK side)")
    data("trace_tree", {
        "trace_id": root.trace_id, "root": root.span_id, "child": child.span_id,
        "grandchild": grandchild.span_id, "sibling": sibling.span_id,
    })


def trace_error(client, failures):
    """A span that failed: an error message and a status code."""
    with client.start_span("sdk_error", "custom", start_new_trace=True) as span:
        span.set_error(RuntimeError(f"boom from {MARKER}"))
        span.set_status_code(500123)
    client.flush()
    failures.check()
    data("trace_error", {"trace_id": span.trace_id, "span_id": span.span_id,
                         "message": f"boom from {MARKER}", "status_code": 500123})


def trace_model(client, failures):
    """A model span: model name and provider, token usage, model input and output."""
    with client.start_span("sdk_llm", "model", start_new_trace=True) as span:
        span.set_model_provider("openai")
        span.set_model_name("gpt-sdk")
        span.set_input_tokens(11)
        span.set_output_tokens(7)
        span.set_input(ModelInput(messages=[ModelMessage(role="user", content="hi model")]))
        # parts=[]: cozeloop 0.1.28's set_output iterates the parts of every choice and drops
        # the whole output (logging "Failed to set output") when a message has none.
        span.set_output(ModelOutput(choices=[ModelChoice(
            finish_reason="stop", index=0,
            message=ModelMessage(role="assistant", content="hello human", parts=[]))]))
    client.flush()
    failures.check()
    data("trace_model", {"trace_id": span.trace_id, "span_id": span.span_id})


def trace_large_input(big_client, failures):
    """An input over 1 MiB: the SDK uploads it as a file and names it in object_storage."""
    line = f"large input of {MARKER}, line "
    big = "".join(f"{line}{i:07d}\n" for i in range(1_500_000 // (len(line) + 8)))
    expect(len(big.encode()) > 1024 * 1024, "the input is over the SDK's 1 MiB limit")
    with big_client.start_span("sdk_large", "custom", start_new_trace=True) as span:
        span.set_input(big)
        span.set_output("short output")
    big_client.flush()
    failures.check()
    data("trace_large_input", {
        "trace_id": span.trace_id, "span_id": span.span_id, "size": len(big.encode()),
        "sha256": hashlib.sha256(big.encode()).hexdigest(),
    })


def trace_attachment(client, failures):
    """A multimodal model input with a base64 image: uploaded as an attachment."""
    message = ModelMessage(role="user", parts=[
        ModelMessagePart(type=ModelMessagePartType.TEXT, text="what is in this picture?"),
        ModelMessagePart(type=ModelMessagePartType.IMAGE, image_url=ModelImageURL(
            name="pixel.png", url=f"data:image/png;base64,{PIXEL_PNG}")),
    ])
    with client.start_span("sdk_image", "model", start_new_trace=True) as span:
        span.set_input(ModelInput(messages=[message]))
        span.set_output("a pixel")
    client.flush()
    failures.check()
    expect(len(base64.b64decode(PIXEL_PNG)) > 0, "the image decodes")
    data("trace_attachment", {"trace_id": span.trace_id, "span_id": span.span_id,
                              "png_base64": PIXEL_PNG})


def trace_header(client, failures):
    """to_header on one side, get_span_from_header and a child span on the other."""
    with client.start_span("sdk_upstream", "custom", start_new_trace=True) as up:
        up.set_baggage({"tenant": "acme"})
        headers = up.to_header()
    expect_eq(headers.get("X-Cozeloop-Traceparent"), f"00-{up.trace_id}-{up.span_id}-01",
              "traceparent header")
    expect("tenant=acme" in headers.get("X-Cozeloop-Tracestate", ""), f"tracestate: {headers}")
    # What another service receives: the headers only.
    received = {k.lower(): v for k, v in headers.items()}
    parent = client.get_span_from_header(received)
    expect_eq((parent.trace_id, parent.span_id), (up.trace_id, up.span_id), "span from header")
    down = client.start_span("sdk_downstream", "custom", child_of=parent)
    down.finish()
    client.flush()
    failures.check()
    data("trace_header", {"trace_id": up.trace_id, "parent": up.span_id,
                          "child": down.span_id})


def run_all(client, big_client, failures):
    """Every tracing scenario."""
    run("trace_tree", lambda: trace_tree(client, failures))
    run("trace_error", lambda: trace_error(client, failures))
    run("trace_model", lambda: trace_model(client, failures))
    run("trace_large_input", lambda: trace_large_input(big_client, failures))
    run("trace_attachment", lambda: trace_attachment(client, failures))
    run("trace_header", lambda: trace_header(client, failures))
