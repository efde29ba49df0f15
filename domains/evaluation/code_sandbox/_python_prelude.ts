/**
 * The Python the sandbox runs once per engine, before any user code: the `EvalOutput` result
 * type (also importable as `from evaluator import EvalOutput`, like the reference's runtime),
 * the run and check entry points the engine calls, and the removal of what user code has no
 * business with (subprocesses, the JavaScript bridge). The worker's permissions are what
 * actually forbid network, files, environment and processes; this only turns attempts into
 * ordinary Python exceptions instead of engine failures. Past its deadline a run is stopped by
 * KeyboardInterrupt (see _engine_python.ts), reported as the time limit.
 */
export const PYTHON_PRELUDE = `
import ast as _ast, json as _json, sys as _sys, types as _types, traceback as _tb
import os as _os
from dataclasses import dataclass as _dataclass

@_dataclass
class EvalOutput:
    score: float
    reason: str = ""

_evaluator_module = _types.ModuleType("evaluator")
_evaluator_module.EvalOutput = EvalOutput
_sys.modules["evaluator"] = _evaluator_module

def _refuse(*_a, **_k):
    raise PermissionError("the evaluator sandbox runs no subprocess")

for _name in ("system", "popen", "fork", "forkpty", "posix_spawn", "posix_spawnp",
              "execv", "execve", "execvp", "execvpe", "execl", "execle", "execlp", "execlpe",
              "spawnv", "spawnve", "spawnvp", "spawnvpe", "spawnl", "spawnle", "kill"):
    if hasattr(_os, _name):
        setattr(_os, _name, _refuse)
_os.environ.clear()
_os.environ["HOME"] = "/home/evaluator"
import subprocess as _subprocess
_subprocess.Popen._execute_child = _refuse
try:
    import _posixsubprocess
    _posixsubprocess.fork_exec = _refuse
except ImportError:
    pass

_BLOCKED = ("js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core", "micropip", "pyodide_http")

class _Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in _BLOCKED:
            raise ImportError(f"module {name!r} is not available in the evaluator sandbox")
        return None

for _name in list(_sys.modules):
    if _name.split(".")[0] in _BLOCKED:
        del _sys.modules[_name]
_sys.meta_path.insert(0, _Blocker())

def _where(exc):
    frames = [f for f in _tb.extract_tb(exc.__traceback__) if f.filename == "<evaluator>"]
    return f" (line {frames[-1].lineno})" if frames else ""

def _describe(exc):
    text = "".join(_tb.format_exception_only(type(exc), exc)).strip()
    return text + _where(exc)

def _number(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        try:
            v = float(v)
        except (TypeError, ValueError):
            return None
    v = float(v)
    return v if v == v and v not in (float("inf"), float("-inf")) else None

def _result(r):
    if isinstance(r, dict):
        score, reason, err = r.get("score"), r.get("reason"), r.get("err_msg")
    else:
        score = getattr(r, "score", None)
        reason = getattr(r, "reason", None)
        err = getattr(r, "err_msg", None)
    if err and score is None:
        return {"error": f"exec_evaluation reported an error: {err}"}
    n = _number(score) if score is not None else None
    if n is None:
        return {"error": "exec_evaluation must return a numeric score, e.g. EvalOutput(score=1.0, reason='...'), got " + repr(r)[:200]}
    return {"score": n, "reason": "" if reason is None else str(reason)}

def _loop_check(code):
    try:
        tree = _ast.parse(code, "<evaluator>")
    except SyntaxError as e:
        return _json.dumps({"error": f"SyntaxError: {e.msg} (line {e.lineno})"})
    names = {n.name for n in tree.body if isinstance(n, (_ast.FunctionDef, _ast.AsyncFunctionDef))}
    if "exec_evaluation" not in names:
        return _json.dumps({"error": "the code must define a top-level function exec_evaluation(turn)"})
    return _json.dumps({})

def _loop_run(code, turn_json):
    namespace = {"__name__": "__evaluator__", "EvalOutput": EvalOutput}
    try:
        exec(compile(code, "<evaluator>", "exec"), namespace)
        fn = namespace.get("exec_evaluation")
        if not callable(fn):
            return _json.dumps({"error": "the code must define a function exec_evaluation(turn)"})
        out = _result(fn(_json.loads(turn_json)))
    except KeyboardInterrupt:
        return _json.dumps({"error": "the evaluator exceeded its time limit", "limit": "time"})
    except MemoryError:
        return _json.dumps({"error": "MemoryError: the evaluator exceeded its memory limit", "limit": "memory"})
    except RecursionError as e:
        return _json.dumps({"error": _describe(e)})
    except BaseException as e:
        return _json.dumps({"error": _describe(e)})
    return _json.dumps(out)
`;
