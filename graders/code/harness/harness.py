"""grader's trusted harness for Python exercises, run inside the sandbox.

It never sees an expected value: it reads the cases' inputs from stdin, runs
each case in a child process of its own, and appends what the learner's code
returned (or raised, or printed) to a results file. The host compares.

Protocol (all in one sandbox run):
  stdin   one JSON object: nonce, dir (this folder), module, probe, entry,
          case_timeout, cases [{id, call, args} or {id, argv, stdin}]
  stdout  first line, before any learner code runs:
              GRADER-PRE <nonce> <json: {"syntax": [...]}>
          then, before each case, a marker line  \\x1egrader-case <nonce> <id>
          (also on stderr), then whatever the learner's code prints.
  file    <dir>/results.jsonl, one JSON object a line, one per case.
"""

import json
import os
import select
import signal
import sys
import time

RESULT_CAP = 1 << 20  # bytes of one case's result
RESERVE = 1 << 20  # bytes of the results file written before any learner code runs

# Taken before any learner code exists: a forked child that runs the
# learner's code must end with these even if that code replaced os._exit or
# os.write (else the child would go on running the harness's loop).
_exit = os._exit
_write = os.write
_dumps = json.dumps
RECORD_FAILED = 70  # the child's exit status when it could not record a result
IO_CAP = 64 << 10  # bytes of stdout (and of stderr) kept for an io case
SKIP_DIRS = {".git", ".grader", "__pycache__"}


# Standard modules that exercises commonly import, loaded once here so that
# each case's child inherits them instead of reading them again from the
# image (slow on overlay file systems). /work is not on sys.path yet, so a
# learner's re.py cannot stand in for one of them.
WARM = ("math", "re", "collections", "functools", "itertools", "string", "heapq", "bisect")


def main():
    sys.dont_write_bytecode = True
    for name in WARM:
        try:
            __import__(name)
        except ImportError:
            pass
    cfg = json.loads(sys.stdin.buffer.read())
    nonce = cfg["nonce"]
    here = cfg["dir"]
    work = os.getcwd()
    # Compile (never run) every learner .py file first, and say so on stdout
    # before any learner code exists in a process: what comes first on the
    # stream cannot be rewritten by what runs later.
    pre = {"syntax": check_syntax(work, os.path.basename(here))}
    out = sys.stdout.buffer
    out.write(b"GRADER-PRE " + nonce.encode() + b" " + json.dumps(pre).encode() + b"\n")
    out.flush()
    results = os.path.join(here, "results.jsonl")
    # Reserve the results file's space now, so code that fills the disk
    # cannot stop the harness from recording what happened.
    fd = os.open(results, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    os.write(fd, b"\n" * RESERVE)
    os.close(fd)
    offset = 0
    abnormal = False
    for case in cfg["cases"]:
        marker = ("\x1egrader-case %s %s\n" % (nonce, case["id"])).encode()
        out.write(marker)
        out.flush()
        sys.stderr.buffer.write(marker)
        sys.stderr.flush()
        if "argv" in case:
            res = run_io(case, cfg, work)
        else:
            res = run_call(case, cfg, work, here)
        res["id"] = case["id"]
        res["nonce"] = nonce
        if res["status"] in ("timeout", "crash", "noresult"):
            abnormal = True
        offset = write_result(results, offset, (json.dumps(res) + "\n").encode())
    # A non-zero exit lets the sandbox check its process and memory counters
    # when some case died abnormally.
    sys.exit(3 if abnormal else 0)


def write_result(path, offset, line):
    """Writes one line at offset, over the reserved space; returns the next
    offset. Opened per case, so no child inherits the handle, and never
    through a link the learner's code may have planted."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)
    except OSError:
        return offset
    try:
        os.pwrite(fd, line, offset)
        offset += len(line)
    except OSError:
        pass
    finally:
        os.close(fd)
    return offset


def check_syntax(work, own):
    errors = []
    for root, dirs, files in os.walk(work):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and d != own)
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, work)
            try:
                with open(path, "rb") as f:
                    src = f.read(4 << 20)
                compile(src, rel, "exec", dont_inherit=True)
            except SyntaxError as e:
                errors.append({"file": rel, "line": e.lineno or 0, "col": e.offset or 0,
                               "msg": "%s: %s" % (type(e).__name__, e.msg), "text": (e.text or "").rstrip()[:200]})
            except (ValueError, MemoryError, RecursionError, OSError) as e:
                errors.append({"file": rel, "line": 0, "col": 0, "msg": "%s: %s" % (type(e).__name__, e), "text": ""})
            if len(errors) >= 20:
                return errors
    return errors


def run_call(case, cfg, work, here):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the only process that runs the learner's code for this case
        os.close(r)
        code = 0
        try:
            os.setpgid(0, 0)
            res = call_in_child(case, cfg, work, here)
            data = _dumps(res).encode()
            if len(data) > RESULT_CAP:
                data = _dumps({"status": "unsupported", "type": "a value too large to compare"}).encode()
            flush_std()
            view = memoryview(data)
            while view:
                n = _write(w, view)
                view = view[n:]
        except BaseException:  # nothing of the learner's may escape the child
            code = RECORD_FAILED
        finally:
            flush_std()
            _exit(code)
    os.close(w)
    data, status, timed_out = collect(pid, r, time.monotonic() + cfg["case_timeout"])
    os.close(r)
    kill_group(pid)  # whatever the case left running
    if timed_out:
        return {"status": "timeout", "seconds": cfg["case_timeout"]}
    if data:
        try:
            return json.loads(data)
        except ValueError:
            return {"status": "noresult", "exit": status}
    if status < 0:
        return {"status": "crash", "signal": -status}
    return {"status": "noresult", "exit": status}


def collect(pid, fd, deadline):
    """Reads the child's result until it exits (a grandchild may keep the pipe
    open) or the deadline passes; returns (data, exit status or -signal, timed out).
    Waits on a pidfd where the kernel has them, so a child's exit is seen at once."""
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None
    buf = bytearray()
    too_big = False
    eof = False
    status = None
    try:
        while status is None:
            left = deadline - time.monotonic()
            if left <= 0:
                kill_group(pid)
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return b"", 0, True
            fds = [] if eof else [fd]
            if pidfd is not None:
                fds.append(pidfd)
            wait = left if pidfd is not None else min(left, 0.01)
            ready = select.select(fds, [], [], wait)[0] if fds else time.sleep(wait) or []
            if fd in ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    eof = True
                elif not too_big:
                    buf += chunk
                    if len(buf) > RESULT_CAP:
                        too_big, buf = True, bytearray()
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = -os.WTERMSIG(st) if os.WIFSIGNALED(st) else os.WEXITSTATUS(st)
    finally:
        if pidfd is not None:
            os.close(pidfd)
    # The child has exited: take what it left in the pipe, without waiting on
    # a grandchild that still holds it open.
    while not eof and not too_big and select.select([fd], [], [], 0)[0]:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buf += chunk
        too_big = len(buf) > RESULT_CAP
    if too_big:
        return _dumps({"status": "unsupported", "type": "a value too large to compare"}).encode(), status, False
    return bytes(buf), status, False


def call_in_child(case, cfg, work, here):
    """Imports the learner's module and calls one function; returns a result."""
    sys.path[:0] = [here, work]
    os.chdir(work)
    stage = "import"
    try:
        name = cfg.get("probe") or cfg["module"]
        mod = __import__(name)
        fn = getattr(mod, case["call"], None)
        if fn is None or not callable(fn):
            return {"status": "missing", "name": case["call"], "module": name}
        stage = "call"
        args = case.get("args") or []
        value = fn(*args)
        stage = "return"
        return {"status": "ok", "value": encode(value, 0)}
    except Unsupported as e:
        return {"status": "unsupported", "type": str(e)}
    except SystemExit as e:
        return {"status": "exit", "stage": stage, "code": repr(e.code)[:100]}
    except BaseException as e:  # the learner's exception is a result, not our failure
        # The traceback's frames walked by hand: the traceback module costs
        # every run its imports (linecache, tokenize, re...) for this.
        frames = []
        t = e.__traceback__
        while t is not None:
            name = t.tb_frame.f_code.co_filename
            if name.startswith(work) and not name.startswith(here):
                frames.append((name, t.tb_lineno))
            t = t.tb_next
        where = ""
        if frames:
            name, line = frames[-1]
            where = "%s:%d" % (os.path.relpath(name, work), line)
        names = [c.__name__ for c in type(e).__mro__]
        try:
            msg = str(e)[:300]
        except BaseException:
            msg = ""
        return {"status": "raised", "stage": stage, "type": type(e).__name__, "types": names,
                "message": msg, "where": where}


class Unsupported(Exception):
    pass


def encode(v, depth):
    """Turns a returned value into plain JSON; only exact built-in types pass,
    so an object with a clever __eq__ or __str__ cannot pose as a value."""
    if depth > 50:
        raise Unsupported("a value nested too deeply")
    t = type(v)
    if v is None or t is bool or t is str or t is int:
        return v
    if t is float:
        if v != v or v in (float("inf"), float("-inf")):
            return {"$float": repr(v)}
        return v
    if t is list or t is tuple:
        return [encode(x, depth + 1) for x in v]
    if t is dict:
        out = {}
        for k, x in v.items():
            if type(k) not in (str, int, bool, float) and k is not None:
                raise Unsupported("a dict with %s keys" % type(k).__name__)
            out[k if type(k) is str else json.dumps(k)] = encode(x, depth + 1)
        return out
    if t is set or t is frozenset:
        items = [encode(x, depth + 1) for x in v]
        return sorted(items, key=lambda x: json.dumps(x, sort_keys=True))
    raise Unsupported("a value of type %s" % t.__name__)


def run_io(case, cfg, work):
    """Runs the learner's program with the case's arguments and stdin."""
    import subprocess  # only io suites pay for it

    argv = [sys.executable, "-B", cfg["entry"]] + list(case.get("argv") or [])
    try:
        p = subprocess.Popen(argv, cwd=work, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)
    except OSError as e:
        return {"status": "crash", "error": str(e)}
    deadline = time.monotonic() + cfg["case_timeout"]
    stdin = (case.get("stdin") or "").encode()
    bufs = {p.stdout.fileno(): bytearray(), p.stderr.fileno(): bytearray()}
    over = False
    try:
        p.stdin.write(stdin)
    except OSError:
        pass
    try:
        p.stdin.close()
    except OSError:
        pass
    open_fds = set(bufs)
    timed_out = False
    while open_fds:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select(list(open_fds), [], [], left)
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                open_fds.discard(fd)
                continue
            room = IO_CAP - len(bufs[fd])
            bufs[fd] += chunk[:room]
            if len(chunk) > room:
                over = True
        if over:
            break
    if timed_out or over:
        kill_group(p.pid)
    try:
        p.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_group(p.pid)
        p.wait()
    kill_group(p.pid)
    res = {"status": "ok", "stdout": bufs[p.stdout.fileno()].decode("utf-8", "replace"),
           "stderr": bufs[p.stderr.fileno()].decode("utf-8", "replace"), "exit": p.returncode}
    if over:
        res["status"] = "overflow"
        res["cap"] = IO_CAP
    elif timed_out:
        res["status"] = "timeout"
        res["seconds"] = cfg["case_timeout"]
    return res


def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def flush_std():
    for s in (sys.stdout, sys.stderr):
        try:
            s.flush()
        except BaseException:
            pass


if __name__ == "__main__":
    main()
