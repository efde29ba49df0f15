"""Shared helpers of the Python SDK scenarios: the context the Deno test hands over, the
PASS/FAIL/DATA protocol it reads, and a collector of the SDK's trace export failures."""
import json
import os
import time
import traceback

# What the Deno side prepared: prompt keys, a marker naming this SDK, flags.
CTX = json.loads(os.environ.get("SDK_SCENARIO_CONTEXT", "{}"))
DEBUG = os.environ.get("SDK_SCENARIO_DEBUG") == "1"


def run(name, fn):
    """Runs one scenario and prints `PASS name` or `FAIL name: reason` on one line."""
    only = CTX.get("only")
    if only and name not in only:
        return
    started = time.monotonic()
    try:
        fn()
        print(f"PASS {name} ({time.monotonic() - started:.1f}s)", flush=True)
    except Exception as e:  # every failure becomes a line; the runner goes on
        reason = f"{type(e).__name__}: {e}"
        if e.__cause__ is not None:  # the SDK wraps e.g. pydantic's validation errors
            reason += f" (caused by {type(e.__cause__).__name__}: {e.__cause__})"
        reason = reason.replace("\n", " ")[:1500]
        print(f"FAIL {name}: {reason}", flush=True)
        if DEBUG:
            traceback.print_exc()


def data(name, value):
    """Hands facts (ids, sizes) to the Deno side, which checks what the server stored."""
    print(f"DATA {name} {json.dumps(value)}", flush=True)


def expect(cond, what):
    """Raises with `what` unless `cond` holds."""
    if not cond:
        raise AssertionError(what)


def expect_eq(actual, wanted, what):
    """Raises unless `actual == wanted`, showing both."""
    if actual != wanted:
        raise AssertionError(f"{what}: got {actual!r}, want {wanted!r}")


def raises(fn, what):
    """Calls fn, which must raise; returns the exception."""
    try:
        result = fn()
    except Exception as e:  # the caller inspects the type
        return e
    raise AssertionError(f"{what}: no error raised (returned {result!r})")


class ExportFailures:
    """A trace finish-event processor remembering failed exports (they only log otherwise)."""

    def __init__(self):
        self.items = []

    def __call__(self, info):
        if info.is_event_fail:
            self.items.append(f"{info.event_type}: {info.detail_msg}")

    def check(self):
        """Raises when any export failed since the last check."""
        failed, self.items = self.items, []
        expect(not failed, f"trace export failed: {failed}")
