#!/usr/bin/env python3
"""A misbehaving driver, for proving the runner survives its implementations.

It speaks sockref-driver/1 well enough to pass simple cases: every `exec` returns None, every
background step finishes with None. What it does wrong is chosen by the case id (a case whose
id contains the word misbehaves at step 2, so the runner's record of step 1 can be checked):

    exits       prints a last word on stderr and exits with status 3
    garbage     writes a line that is not JSON
    hangs       never answers
    wrongstep   answers for another step number
    protoerror  answers {"error": ...}
    badoutcome  answers with an outcome PROTOCOL.md does not define
    leaks       reports 2 leaked descriptors at `end`
    unfinished  reports its background steps as unfinished at `end`
    raises      raises OSError(EBADF) at every step
    badutf8     writes invalid UTF-8 on stderr and in its reply
    bloats      answers every step with a 4.4 MB bytes value, whatever want_value says
    overlong    writes a 7 MiB line
    noop        answers without "op" and "step"
    badleaks    reports -3 leaked descriptors at `end`
    errorend    answers {"error": ...}, then exits when sent `end`
    errorhang   answers {"error": ...}, then never answers `end`
    wrongvalue  answers 7 at step 2, and exits with status 5 if sent any later step
    biglist     answers step 2 with a list of 400 bytes values of 10,000 bytes each (4 MB)

Every request is appended to the file $FAKE_OPS_LOG, when set, as "<case> <op> [<step>]".
    orphan      (at `begin`) starts a grandchild that leaves its process group with setsid()
                and sleeps; its pid is appended to the file $FAKE_ORPHAN_PIDS

--quirks exits,hangs,... limits the misbehaviours to those listed (default: all), so two fakes
can disagree. At start-up, by flag: --hello garbage|wrong-protocol|exit|silent|no-capabilities,
--capabilities A,B (default AF_UNIX).
"""

import argparse
import base64
import json
import os
import sys
import time


BLOAT = base64.b64encode(b"x" * 4400000).decode()


def start_orphan():
    """A grandchild in a session of its own: out of reach of a kill of the driver's group."""
    if os.fork() == 0:
        os.setsid()
        grandchild = os.fork()
        if grandchild == 0:
            time.sleep(3600)
            os._exit(0)
        # Recorded before this process exits and the grandchild is orphaned.
        path = os.environ.get("FAKE_ORPHAN_PIDS")
        if path:
            with open(path, "a") as f:
                f.write("%d\n" % grandchild)
        os._exit(0)


def log_request(op, case, step):
    """Appends what was asked to $FAKE_OPS_LOG: which steps the runner sent, in order."""
    path = os.environ.get("FAKE_OPS_LOG")
    if path and op in ("begin", "exec", "end"):
        with open(path, "a") as f:
            f.write("%s %s%s\n" % (case, op, "" if step is None else " %d" % step))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hello", default="")
    parser.add_argument("--capabilities", default="AF_UNIX")
    parser.add_argument("--quirks", default="")
    args = parser.parse_args()
    quirks = [q for q in args.quirks.split(",") if q]
    out = sys.stdout
    case = ""
    background = []

    def quirk(word):
        return word in case and (not quirks or word in quirks)

    def send(message):
        out.write(json.dumps(message) + "\n")
        out.flush()

    for line in sys.stdin:
        request = json.loads(line)
        op = request.get("op")
        step = request.get("step")
        log_request(op, request.get("case", case), step)
        if op == "hello":
            if args.hello == "garbage":
                out.write("Python 3.11 driver ready!\n")
                out.flush()
                continue
            if args.hello == "exit":
                sys.stderr.write("fake: cannot start\n")
                sys.exit(2)
            if args.hello == "silent":
                time.sleep(3600)
            reply = {"op": "hello", "protocol": "sockref-driver/1", "implementation": "Fake",
                     "version": "0", "pid": os.getpid(),
                     "capabilities": [c for c in args.capabilities.split(",") if c]}
            if args.hello == "wrong-protocol":
                reply["protocol"] = "sockref-driver/0"
            if args.hello == "no-capabilities":
                del reply["capabilities"]
            send(reply)
        elif op == "begin":
            case = request["case"]
            background = []
            if quirk("orphan"):
                start_orphan()
            send({"op": "begin", "case": case})
        elif op == "exec":
            if step == 2:
                if quirk("exits"):
                    sys.stderr.write("fake: dying at step 2\n")
                    sys.stderr.flush()
                    os._exit(3)
                if quirk("garbage"):
                    out.write("Traceback (most recent call last): oops\n")
                    out.flush()
                    continue
                if quirk("hangs"):
                    time.sleep(3600)
                if quirk("wrongstep"):
                    send({"op": "exec", "step": 7, "outcome": {"value": None}, "elapsed": 0.0})
                    continue
                if quirk("protoerror"):
                    send({"op": "exec", "step": step, "error": "unknown expression"})
                    continue
                if quirk("badutf8"):
                    sys.stderr.buffer.write(b"fake: \xff\xfe not UTF-8\n")
                    sys.stderr.flush()
                    sys.stdout.buffer.write(b'{"op": "exec", "step": 2, "outcome": {"value": "\xff"}}\n')
                    sys.stdout.flush()
                    continue
                if quirk("overlong"):
                    out.write("[" + "0," * (7 << 19) + "0]\n")
                    out.flush()
                    continue
                if quirk("noop"):
                    send({"outcome": {"value": None}, "elapsed": 0.0})
                    continue
                if quirk("errorend") or quirk("errorhang"):
                    send({"op": "exec", "step": step, "error": "cannot evaluate this"})
                    continue
                if quirk("wrongvalue"):
                    send({"op": "exec", "step": step, "outcome": {"value": 7}, "elapsed": 0.001})
                    continue
                if quirk("biglist"):
                    big = base64.b64encode(b"y" * 10000).decode()
                    send({"op": "exec", "step": step,
                          "outcome": {"value": {"list": [{"bytes": big}] * 400}},
                          "elapsed": 0.001})
                    continue
            if step is not None and step > 2 and quirk("wrongvalue"):
                os._exit(5)  # the case should have stopped at its divergent step 2
                if quirk("badoutcome"):
                    send({"op": "exec", "step": step, "outcome": {"exploded": 1}, "elapsed": 0})
                    continue
            if request.get("background") is not None:
                background.append(step)
                send({"op": "exec", "step": step, "background": "started"})
                continue
            if quirk("bloats"):
                send({"op": "exec", "step": step, "outcome": {"value": {"bytes": BLOAT}},
                      "elapsed": 0.001})
                continue
            if quirk("raises"):
                outcome = {"raised": {"type": "OSError", "mro": ["OSError", "Exception"],
                                      "errno": 9, "errno_name": "EBADF",
                                      "str": "[Errno 9] Bad file descriptor"}}
            else:
                outcome = {"value": None}
            send({"op": "exec", "step": step, "outcome": outcome, "elapsed": 0.001})
        elif op == "end":
            if quirk("errorend"):
                os._exit(4)
            if quirk("errorhang"):
                time.sleep(3600)
            if quirk("unfinished"):
                results = [{"step": s, "outcome": {"unfinished": True}} for s in background]
            else:
                results = [{"step": s, "outcome": {"value": None}, "elapsed": 0.0}
                           for s in background]
            send({"op": "end", "background": results,
                  "leaked_fds": -3 if quirk("badleaks") else 2 if quirk("leaks") else 0})
        elif op == "quit":
            send({"op": "quit"})
            return 0
        else:
            send({"error": "unknown op %r" % op})
    return 0


if __name__ == "__main__":
    sys.exit(main())
