"""Runs the official Python SDK (cozeloop 0.1.28) against our server, configured like any
user's program: COZELOOP_API_BASE_URL, COZELOOP_WORKSPACE_ID and COZELOOP_API_TOKEN (or the
COZELOOP_JWT_OAUTH_* variables) from the environment. SDK_SCENARIO_CONTEXT (JSON) names the
prompts the Deno side created. Prints `PASS name` / `FAIL name: reason` per scenario and
`DATA name {json}` for what the Deno side verifies on the server; tests/sdk/sdk_test.ts runs it."""
import logging
import os

import cozeloop

import prompt_hub
import ptaas
import tracing
from common import CTX, DEBUG, ExportFailures, data, expect_eq, run


def jwt_oauth():
    """A client authenticated by a JWT OAuth app, taken from the environment alone."""
    failures = ExportFailures()
    client = cozeloop.new_client(trace_finish_event_processor=failures)
    prompt = client.get_prompt(CTX["chat_key"], version="1.0.0")
    expect_eq(prompt.version if prompt else None, "1.0.0", "prompt fetched with an OAuth token")
    with client.start_span("sdk_jwt", "custom", start_new_trace=True) as span:
        span.set_input("sent with an OAuth access token")
    client.flush()
    failures.check()
    data("jwt_oauth", {"trace_id": span.trace_id, "span_id": span.span_id})
    client.close()


def main():
    logging.basicConfig(level=logging.DEBUG if DEBUG else logging.CRITICAL)
    if os.environ.get("COZELOOP_JWT_OAUTH_CLIENT_ID"):
        run("jwt_oauth", jwt_oauth)
        return
    failures = ExportFailures()
    client = cozeloop.new_client(timeout=10, trace_finish_event_processor=failures)
    big_client = cozeloop.new_client(timeout=10, ultra_large_report=True,
                                     trace_finish_event_processor=failures)
    tracing.run_all(client, big_client, failures)
    prompt_hub.run_all(client)
    ptaas.run_all(client, failures)
    client.close()
    big_client.close()


if __name__ == "__main__":
    main()
