"""Tests of sockref_driver_kit: each piece alone, then whole drivers built on it.

Runs under any Python the kit supports (CPython 3.6+, PyPy 3): kit_versions_test runs this very
file under each interpreter installed. Only the standard library is used.
"""

import asyncio
import base64
import enum
import json
import os
import socket
import subprocess
import sys
import threading
import time
import unittest

KIT_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, KIT_DIR)

import sockref_driver_kit as kit  # noqa: E402  (after the path it is found on)

REPLY_TIMEOUT = 20.0  # seconds; a hung driver fails the test instead of hanging it


def lit(v):
    return {"lit": v}


def name(n):
    return {"name": n}


def attr(e, a):
    return {"attr": [e, a]}


def call(f, *args, **kwargs):
    return {"call": f, "args": list(args), "kwargs": kwargs}


def b64(data):
    return {"bytes": base64.b64encode(data).decode("ascii")}


def stmt(expr, assign=None):
    return {"assign": assign, "expr": expr}


class Flags(enum.IntFlag):
    A = 1
    B = 2
    C = 4


class Kind(enum.IntEnum):
    ONE = 1


class PlainInt(int):
    pass


# ----------------------------------------------------------------------------------------------
# values
# ----------------------------------------------------------------------------------------------

class ValueCodecTest(unittest.TestCase):
    def test_scalars_keep_their_exact_types(self):
        self.assertIsNone(kit.encode_value(None))
        self.assertIs(kit.encode_value(True), True)
        self.assertEqual(kit.encode_value(-7), -7)
        self.assertEqual(kit.encode_value(2 ** 63), {"int": str(2 ** 63)})
        self.assertEqual(kit.encode_value(-(2 ** 63)), -(2 ** 63))
        self.assertEqual(kit.encode_value(1.5), {"float": 1.5})
        self.assertEqual(kit.encode_value(float("nan")), {"float": "nan"})
        self.assertEqual(kit.encode_value(float("-inf")), {"float": "-inf"})
        self.assertEqual(kit.encode_value("h\u00e9"), "h\u00e9")

    def test_bytes_and_sequences_are_tagged(self):
        self.assertEqual(kit.encode_value(b"\x00\xff"), {"bytes": "AP8="})
        self.assertEqual(kit.encode_value(bytearray(b"ab")), {"bytearray": "YWI="})
        self.assertEqual(kit.encode_value((1, [2, b"x"])),
                         {"tuple": [1, {"list": [2, {"bytes": "eA=="}]}]})

    def test_enum_members_and_flag_combinations_are_named(self):
        self.assertEqual(kit.encode_value(socket.AF_INET),
                         {"enum": "AddressFamily", "name": "AF_INET", "value": 2})
        self.assertEqual(kit.encode_value(Kind.ONE), {"enum": "Kind", "name": "ONE", "value": 1})
        self.assertEqual(kit.encode_value(Flags.A | Flags.C),
                         {"enum": "Flags", "name": "A|C", "value": 5})

    def test_other_objects_are_named_by_type_and_repr(self):
        self.assertEqual(kit.encode_value(PlainInt(3)), {"object": "PlainInt", "repr": "3"})
        value = kit.encode_value(memoryview(b"ab"))
        self.assertEqual(value["object"], "memoryview")
        self.assertTrue(value["repr"].startswith("<memory at "), value)

    def test_lone_surrogates_never_reach_the_json_text(self):
        self.assertEqual(kit.encode_value("s\udcff"), {"object": "str", "repr": "'s\\udcff'"})

        class Weird:
            def __repr__(self):
                return "<weird s\udcff>"
        self.assertEqual(kit.encode_value(Weird())["repr"], "<weird s\\udcff>")

    def test_a_repr_that_raises_is_replaced(self):
        class Broken:
            def __repr__(self):
                raise RuntimeError("no")
        self.assertEqual(kit.encode_value(Broken())["repr"], "<repr failed: RuntimeError>")

    def test_omitted_values_carry_type_and_length(self):
        self.assertEqual(kit.omitted_value(b"x" * 10), {"omitted": "bytes", "len": 10})
        self.assertEqual(kit.omitted_value(5), {"omitted": "int", "len": None})

    def test_literals_decode_to_python_values(self):
        self.assertEqual(kit.decode_value({"int": "-123456789012345678901234567890"}),
                         -123456789012345678901234567890)
        self.assertEqual(kit.decode_value({"float": 2}), 2.0)
        self.assertTrue(kit.decode_value({"float": "inf"}) > 1e308)
        self.assertEqual(kit.decode_value({"bytearray": "YWI="}), bytearray(b"ab"))
        self.assertEqual(kit.decode_value({"tuple": [1, {"list": ["a"]}]}), (1, ["a"]))
        self.assertIs(kit.decode_value(False), False)

    def test_malformed_literals_are_protocol_errors(self):
        for bad in (1.5, [1], {"bytes": "!!"}, {"int": "12x"}, {"int": 5}, {"what": 1},
                    {"float": "huge"}, {"tuple": 1, "list": 2}):
            with self.subTest(bad=bad):
                with self.assertRaises(kit.ProtocolError):
                    kit.decode_value(bad)


# ----------------------------------------------------------------------------------------------
# exceptions and names
# ----------------------------------------------------------------------------------------------

class ExceptionCodecTest(unittest.TestCase):
    codec = kit.ExceptionCodec(socket)

    def test_builtins_are_bare_with_errno_names(self):
        raised = self.codec.encode(OSError(9, "Bad file descriptor"))
        self.assertEqual(raised, {"type": "OSError",
                                  "mro": ["OSError", "Exception", "BaseException", "object"],
                                  "errno": 9, "errno_name": "EBADF",
                                  "str": "[Errno 9] Bad file descriptor"})

    def test_the_module_s_own_classes_get_the_socket_prefix(self):
        raised = self.codec.encode(socket.gaierror(socket.EAI_NONAME, "Name unknown"))
        self.assertEqual(raised["type"], "socket.gaierror")
        self.assertEqual(raised["mro"][:2], ["socket.gaierror", "OSError"])
        self.assertEqual(raised["errno_name"], "EAI_NONAME")

    def test_herror_has_no_errno_name(self):
        raised = self.codec.encode(socket.herror(1, "Unknown host"))
        self.assertEqual((raised["type"], raised["errno"], raised["errno_name"]),
                         ("socket.herror", 1, None))

    def test_classes_the_module_does_not_export_are_qualified(self):
        raised = self.codec.encode(json.JSONDecodeError("x", "doc", 0))
        self.assertEqual(raised["type"], "json.decoder.JSONDecodeError")
        self.assertIsNone(raised["errno"])

    def test_a_str_that_raises_is_replaced(self):
        class Odd(Exception):
            def __str__(self):
                raise ValueError("no")
        self.assertEqual(self.codec.encode(Odd())["str"], "<str() failed>")

    def test_a_port_s_exported_gaierror_is_recognised(self):
        class gaierror(OSError):
            pass
        port = kit.ExportTable("port", {"gaierror": gaierror, "EAI_AGAIN": -3})
        raised = kit.ExceptionCodec(port).encode(gaierror(-3, "again"))
        self.assertEqual((raised["type"], raised["errno_name"]), ("socket.gaierror", "EAI_AGAIN"))


class NamesTest(unittest.TestCase):
    def test_variables_shadow_builtins_and_socket(self):
        names = kit.Namespace(socket)
        self.assertIs(names.lookup("socket"), socket)
        self.assertIs(names.lookup("len"), len)
        self.assertIs(names.lookup("ConnectionResetError"), ConnectionResetError)
        names.bind("len", 3)
        self.assertEqual(names.lookup("len"), 3)
        with self.assertRaises(NameError):
            names.lookup("print")

    def test_an_export_table_lacks_what_it_does_not_bind(self):
        table = kit.ExportTable("toy", {"htons": socket.htons})
        self.assertIs(table.htons, socket.htons)
        self.assertEqual(dir(table), ["htons"])
        with self.assertRaises(AttributeError) as caught:
            table.socket
        self.assertEqual(str(caught.exception), "toy has no 'socket'")


# ----------------------------------------------------------------------------------------------
# evaluation
# ----------------------------------------------------------------------------------------------

def new_case(module=socket):
    return kit.Case("test.case", kit.Namespace(module))


def run(statement, case, adapter=None, want_value=True):
    evaluator = kit.Evaluator(adapter or kit.Adapter(), kit.ExceptionCodec(case.names.module))
    return kit.run_sync(evaluator.run_statement(case, statement, want_value))


class EvaluationTest(unittest.TestCase):
    def outcome(self, expr, case=None):
        return run(stmt(expr), case or new_case())[0]

    def test_every_expression_kind(self):
        case = new_case()
        run(stmt(call(name("bytearray"), lit(b64(b"abcdef"))), ["buf"]), case)
        self.assertEqual(self.outcome({"slice": [name("buf"), lit(1), None]}, case),
                         {"value": {"bytearray": "YmNkZWY="}})
        self.assertEqual(self.outcome({"index": [name("buf"), {"neg": lit(1)}]}, case),
                         {"value": ord("f")})
        self.assertEqual(self.outcome({"binop": ["+", lit(b64(b"x")),
                                                 {"binop": ["*", lit(b64(b"y")), lit(3)]}]}),
                         {"value": b64(b"xyyy")})
        self.assertEqual(self.outcome({"tuple": [lit(1), {"list": [lit(2)]}]}),
                         {"value": {"tuple": [1, {"list": [2]}]}})
        self.assertEqual(self.outcome(call(attr(name("socket"), "htons"), lit(1))),
                         {"value": 256})

    def test_a_missing_attribute_is_unsupported(self):
        outcome = self.outcome(attr(name("socket"), "no_such_thing"))
        self.assertEqual(list(outcome), ["unsupported"])
        self.assertIn("no_such_thing", outcome["unsupported"])

    def test_exceptions_are_outcomes(self):
        outcome = self.outcome(call(attr(name("socket"), "inet_aton"), lit("1.2.3.256")))
        self.assertEqual(outcome["raised"]["str"], "illegal IP address string passed to inet_aton")
        self.assertEqual(self.outcome(name("nothing"))["raised"]["type"], "NameError")

    def test_unpacking_raises_python_s_errors(self):
        case = new_case()
        outcome, _, value, _ = run(stmt(lit({"tuple": [1, 2]}), ["a", "b"]), case)
        self.assertEqual((outcome, case.names.lookup("b")), ({"value": {"tuple": [1, 2]}}, 2))
        outcome = run(stmt(lit({"tuple": [1]}), ["a", "b"]), case)[0]
        self.assertEqual(outcome["raised"]["str"], "not enough values to unpack (expected 2, got 1)")
        outcome = run(stmt(lit({"tuple": [1, 2, 3]}), ["a", "b"]), case)[0]
        self.assertEqual(outcome["raised"]["str"], "too many values to unpack (expected 2)")

    def test_a_stop_iteration_is_reported_as_itself(self):
        def stops():
            raise StopIteration("done")
        case = new_case(kit.ExportTable("m", {"stops": stops}))
        outcome = run(stmt(call(attr(name("socket"), "stops"))), case)[0]
        self.assertEqual((outcome["raised"]["type"], outcome["raised"]["str"]),
                         ("StopIteration", "done"))

    def test_malformed_statements_are_protocol_errors(self):
        for bad in ({"bogus": 1}, {"attr": [name("socket")]}, {"binop": ["-", lit(1), lit(2)]},
                    {"slice": [name("x")]}, "text", {}):
            with self.subTest(bad=bad):
                with self.assertRaises(kit.ProtocolError):
                    run(stmt(bad), new_case())
        with self.assertRaises(kit.ProtocolError):
            run({"assign": "x", "expr": lit(1)}, new_case())

    def test_elapsed_and_started_at_bracket_the_call(self):
        before = time.monotonic()
        case = new_case(kit.ExportTable("m", {"sleep": time.sleep}))
        outcome, elapsed, _, started_at = run(stmt(call(attr(name("socket"), "sleep"),
                                                        lit({"float": 0.05}))), case)
        self.assertEqual(outcome, {"value": None})
        self.assertGreaterEqual(elapsed, 0.05)
        self.assertLessEqual(before, started_at)

    def test_call_results_with_close_are_tracked(self):
        case = new_case()
        run(stmt(call(attr(name("socket"), "socketpair")), ["a", "b"]), case)
        run(stmt(call(attr(name("socket"), "htons"), lit(1))), case)  # an int: nothing to close
        objects = case.live_objects()
        self.assertEqual(len(objects), 2)
        for obj in objects:
            obj.close()


# ----------------------------------------------------------------------------------------------
# sessions, synchronous and asynchronous
# ----------------------------------------------------------------------------------------------

def session_for(module=socket, adapter=None):
    adapter = adapter or kit.Adapter()
    return kit.Session(module, adapter, {"op": "hello"}), adapter


class SessionTest(unittest.TestCase):
    def setUp(self):
        self.session, _ = session_for()
        self.step = 0

    def request(self, message):
        return kit.run_sync(self.session.handle(message))

    def exec(self, expr, assign=None, **extra):
        self.step += 1
        message = {"op": "exec", "step": self.step, "stmt": stmt(expr, assign)}
        message.update(extra)
        return self.request(message)

    def test_background_actions_run_concurrently_and_report_at_end(self):
        self.request({"op": "begin", "case": "t"})
        self.exec(call(attr(name("socket"), "socketpair")), ["a", "b"])
        ack = self.exec(call(attr(name("b"), "send"), lit(b64(b"x"))), background={"delay": 0.05})
        self.assertEqual(ack["background"], "started")
        reply = self.exec(call(attr(name("a"), "recv"), lit(1)))
        self.assertEqual(reply["outcome"], {"value": b64(b"x")})
        self.assertGreaterEqual(reply["started_at"] - ack["started_at"] + reply["elapsed"], 0.05)
        end = self.request({"op": "end"})
        self.assertEqual(end["background"][0]["step"], 2)
        self.assertEqual(end["background"][0]["outcome"], {"value": 1})
        self.assertEqual(end["leaked_fds"], 0)

    def test_a_stuck_action_is_unfinished_and_unblocked(self):
        self.request({"op": "begin", "case": "t"})
        self.exec(call(attr(name("socket"), "socketpair")), ["a", "b"])
        self.exec(call(attr(name("a"), "recv"), lit(1)), background={"delay": 0})
        started = time.monotonic()
        end = self.request({"op": "end", "deadline": 0.1})
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(end["background"], [{"step": 2, "outcome": {"unfinished": True}}])
        # Shutting the sockets down woke the blocked recv: its thread is gone, not leaked.
        self.assertEqual([t for t in threading.enumerate() if t.name == "sockref-background"], [])

    def test_captures_bind_paths_into_the_value(self):
        self.request({"op": "begin", "case": "t"})
        self.exec(lit({"tuple": [1, {"tuple": [2, 3]}]}), capture={"x": [1, 0], "no": [5]})
        self.assertEqual(self.exec(name("x"))["outcome"], {"value": 2})
        self.assertEqual(self.exec(name("no"))["outcome"]["raised"]["type"], "NameError")

    def test_end_counts_leaked_descriptors(self):
        self.request({"op": "begin", "case": "t"})
        self.exec(call(attr(call(attr(name("socket"), "socket")), "detach")))
        self.assertEqual(self.request({"op": "end"})["leaked_fds"], 1)

    def test_begin_resets_names_and_the_default_timeout(self):
        self.request({"op": "begin", "case": "t"})
        self.exec(lit(1), ["x"])
        self.exec(call(attr(name("socket"), "setdefaulttimeout"), lit({"float": 2.5})))
        self.request({"op": "begin", "case": "u"})  # ends the open case first
        self.assertEqual(self.exec(name("x"))["outcome"]["raised"]["type"], "NameError")
        self.assertEqual(self.exec(call(attr(name("socket"), "getdefaulttimeout")))["outcome"],
                         {"value": None})
        self.request({"op": "end"})

    def test_tmpdir_is_the_case_s_own_directory_removed_at_end(self):
        self.request({"op": "begin", "case": "t"})
        path = self.exec(name("tmpdir"))["outcome"]["value"]
        self.assertTrue(os.path.isdir(path))
        self.assertEqual(self.exec(name("tmpdir"))["outcome"]["value"], path)  # one per case
        self.exec(call(attr(call(attr(name("socket"), "socket"), attr(name("socket"), "AF_UNIX")),
                            "bind"), {"binop": ["+", name("tmpdir"), lit("/s")]}))
        self.assertTrue(os.path.exists(path + "/s"))
        self.request({"op": "end"})
        self.assertFalse(os.path.exists(path))
        self.request({"op": "begin", "case": "u"})
        self.assertNotEqual(self.exec(name("tmpdir"))["outcome"]["value"], path)
        self.request({"op": "end"})

    def test_interrupt_reaches_the_blocked_step_and_its_handler_raises_or_returns(self):
        self.request({"op": "begin", "case": "t"})
        self.exec(call(attr(name("socket"), "socketpair")), ["a", "b"])
        ack = self.exec(call(name("interrupt"), name("ValueError")), background={"delay": 0.05})
        reply = self.exec(call(attr(name("a"), "recv"), lit(1)))
        self.assertEqual(reply["outcome"]["raised"]["type"], "ValueError")
        self.assertEqual(reply["outcome"]["raised"]["str"], "raised by the signal handler")
        self.assertGreaterEqual(reply["started_at"] - ack["started_at"] + reply["elapsed"], 0.05)
        # A handler that returns: recv is retried and gets what arrives later.
        self.exec(call(name("interrupt")), background={"delay": 0.05})
        self.exec(call(attr(name("b"), "send"), lit(b64(b"x"))), background={"delay": 0.1})
        reply = self.exec(call(attr(name("a"), "recv"), lit(1)))
        self.assertEqual(reply["outcome"], {"value": b64(b"x")})
        self.assertEqual(self.exec(call(name("interrupts")))["outcome"], {"value": 2})
        end = self.request({"op": "end"})
        self.assertEqual([b["outcome"] for b in end["background"]],
                         [{"value": None}, {"value": None}, {"value": 1}])
        self.request({"op": "begin", "case": "u"})
        self.assertEqual(self.exec(call(name("interrupts")))["outcome"], {"value": 0})
        bad = self.exec(call(name("interrupt"), lit(1)))["outcome"]["raised"]
        self.assertEqual((bad["type"], bad["str"]),
                         ("TypeError", "interrupt() takes an exception class, not 'int'"))
        self.request({"op": "end"})

    def test_an_interrupt_between_steps_reaches_the_next_one(self):
        self.request({"op": "begin", "case": "t"})
        self.exec(call(name("interrupt"), name("ValueError")), background={"delay": 0})
        time.sleep(0.1)
        reply = self.exec(call(name("len"), lit(b64(b"xy"))))
        self.assertEqual(reply["outcome"]["raised"]["type"], "ValueError")
        self.assertEqual(self.exec(call(name("len"), lit(b64(b"xy"))))["outcome"], {"value": 2})
        self.request({"op": "end"})

    def test_repr_is_python_s(self):
        self.request({"op": "begin", "case": "t"})
        self.assertEqual(self.exec(call(name("repr"), lit(b64(b"x"))))["outcome"],
                         {"value": "b'x'"})
        self.request({"op": "end"})

    def test_an_unwanted_value_is_omitted(self):
        self.request({"op": "begin", "case": "t"})
        reply = self.exec({"binop": ["*", lit(b64(b"x")), lit(1000)]}, want_value=False)
        self.assertEqual(reply["outcome"], {"value": {"omitted": "bytes", "len": 1000}})
        self.request({"op": "end"})

    def test_requests_out_of_place_are_protocol_errors(self):
        for bad in ({"op": "exec", "step": 1, "stmt": stmt(lit(1))}, {"op": "end"},
                    {"op": "frobnicate"}, {"op": "begin", "case": 5}):
            with self.subTest(bad=bad):
                with self.assertRaises(kit.ProtocolError):
                    self.request(bad)
        self.request({"op": "begin", "case": "t"})
        for background in ({"delay": -1}, {"delay": True}, 3):
            with self.assertRaises(kit.ProtocolError):
                self.exec(lit(1), background=background)
        with self.assertRaises(kit.ProtocolError):
            self.exec(lit(1), ["x"], background={"delay": 0})
        self.request({"op": "end"})


class AsyncioAdapter(kit.Adapter):
    """An asynchronous adapter on asyncio, the standard library's loop: proves the kit's
    coroutines really run on an event loop, with awaitable results awaited."""

    name = "asyncio"
    cancellation = (asyncio.CancelledError,)

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)  # before 3.10, asyncio.Event() binds to this one

    def run(self, main):
        try:
            return self.loop.run_until_complete(main())
        finally:
            self.loop.close()

    async def call(self, fn, args, kwargs):
        result = fn(*args, **kwargs)
        if asyncio.iscoroutine(result):
            result = await result
        return result

    def spawn_after(self, due, action):
        async def later():
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            await action()
        return self.loop.create_task(later())

    async def join(self, handles, deadline):
        if handles:
            await asyncio.wait(handles, timeout=deadline)
        return [task.done() for task in handles]

    def cancel(self, handles):
        for task in handles:
            task.cancel()


class AsyncAdapterTest(unittest.TestCase):
    def test_async_calls_are_awaited_and_background_actions_are_tasks(self):
        adapter = AsyncioAdapter()
        event = asyncio.Event()

        async def wait():
            await event.wait()
            return "woken"

        def wake():
            event.set()
            return "set"
        module = kit.ExportTable("aio", {"wait": wait, "wake": wake})
        session, _ = session_for(module, adapter)

        def exec_(step, fn, **extra):
            message = {"op": "exec", "step": step, "stmt": stmt(call(attr(name("socket"), fn)))}
            message.update(extra)
            return session.handle(message)

        async def conversation():
            await session.handle({"op": "begin", "case": "t"})
            await exec_(1, "wake", background={"delay": 0.05})
            reply = await exec_(2, "wait")
            end = await session.handle({"op": "end"})
            return reply, end
        reply, end = adapter.run(conversation)
        self.assertEqual(reply["outcome"], {"value": "woken"})
        self.assertGreaterEqual(reply["elapsed"], 0.03)
        self.assertEqual(end["background"], [{"step": 1, "outcome": {"value": "set"},
                                              "elapsed": end["background"][0]["elapsed"]}])

    def test_a_cancelled_action_is_unfinished(self):
        adapter = AsyncioAdapter()

        async def forever():
            await asyncio.sleep(3600)
        session, _ = session_for(kit.ExportTable("aio", {"forever": forever}), adapter)

        async def conversation():
            await session.handle({"op": "begin", "case": "t"})
            await session.handle({"op": "exec", "step": 1, "background": {"delay": 0},
                                  "stmt": stmt(call(attr(name("socket"), "forever")))})
            return await session.handle({"op": "end", "deadline": 0.05})
        end = adapter.run(conversation)
        self.assertEqual(end["background"], [{"step": 1, "outcome": {"unfinished": True}}])

    def test_run_sync_refuses_a_coroutine_that_suspends(self):
        async def suspends():
            await asyncio.sleep(0)
        with self.assertRaises(RuntimeError):
            kit.run_sync(suspends())


# ----------------------------------------------------------------------------------------------
# whole drivers: hello, the JSON-lines loop
# ----------------------------------------------------------------------------------------------

DRIVER_SOURCE = """
import socket, sys
sys.path.insert(0, %r)
import sockref_driver_kit as kit
noisy = kit.ExportTable("noisy", {"shout": print, "htons": socket.htons})
module = socket if sys.argv[1] == "socket" else noisy
sys.exit(kit.run_driver(module, sys.argv[1], hello={"implementation": "test"}))
""" % KIT_DIR


def converse(module, lines):
    """Runs a kit driver over `lines`; returns (replies, stderr text, exit status)."""
    proc = subprocess.Popen([sys.executable, "-c", DRIVER_SOURCE, module],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate("".join(l + "\n" for l in lines).encode(), REPLY_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("the driver did not finish within %.0f s" % REPLY_TIMEOUT)
    replies = [json.loads(line) for line in out.decode().splitlines()]
    return replies, err.decode(errors="replace"), proc.returncode


class DriverLoopTest(unittest.TestCase):
    def test_hello_reports_the_interpreter_and_the_python_version(self):
        replies, _, status = converse("socket", [json.dumps({"op": "hello"})])
        hello = replies[0]
        self.assertEqual(status, 0)
        self.assertEqual(hello["protocol"], "sockref-driver/1")
        self.assertEqual(hello["implementation"], "test")
        self.assertEqual(hello["python_version"], "%d.%d" % sys.version_info[:2])
        self.assertEqual(hello["concurrency"], "threads")
        self.assertIn("AF_UNIX", hello["capabilities"])
        self.assertIn("root" if os.geteuid() == 0 else "nonroot", hello["capabilities"])

    def test_bad_lines_get_errors_and_stray_output_goes_to_stderr(self):
        replies, err, status = converse("noisy", [
            "this is not json", "[1]", "",
            json.dumps({"op": "frobnicate", "step": 4}),
            json.dumps({"op": "begin", "case": "t"}),
            json.dumps({"op": "exec", "step": 1,
                        "stmt": stmt(call(attr(name("socket"), "shout"), lit("stray")))}),
            json.dumps({"op": "exec", "step": 2, "stmt": stmt(attr(name("socket"), "socket"))}),
            json.dumps({"op": "quit"}),
            json.dumps({"op": "hello"}),  # after quit: never answered
        ])
        self.assertEqual(status, 0)
        self.assertEqual([sorted(r) for r in replies[:3]],
                         [["error"], ["error"], ["error", "op", "step"]])
        self.assertEqual(replies[2]["step"], 4)
        self.assertEqual(replies[4]["outcome"], {"value": None})
        self.assertEqual(replies[5]["outcome"], {"unsupported": "noisy has no 'socket'"})
        self.assertEqual(replies[6:], [{"op": "quit"}])
        self.assertIn("stray", err)

    def test_end_of_input_ends_the_driver(self):
        replies, _, status = converse("socket", [json.dumps({"op": "begin", "case": "t"})])
        self.assertEqual((replies, status), ([{"op": "begin", "case": "t"}], 0))


if __name__ == "__main__":
    unittest.main(verbosity=2)
