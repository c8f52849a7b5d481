"""sockref_fuzzer: one libFuzzer target and its corpus-replay regression test.

    sockref_fuzzer(
        name = "inet_fuzzer",
        srcs = ["inet_fuzzer.cc"],
        deps = ["//impl:sockref"],
    )

defines
  :inet_fuzzer_lib              the harness (LLVMFuzzerTestOneInput), alwayslink;
  :inet_fuzzer                  the libFuzzer binary, tagged "fuzz" and "manual" so that
                                `bazel test //...` never builds it; build it with
                                `bazel build --config=fuzz //fuzz:inet_fuzzer` (clang);
  :inet_fuzzer_regression_test  a cc_test replaying corpus/inet/ and regressions/inet/
                                through the harness with replay_main.cc, with any compiler.
"""

def sockref_fuzzer(name, srcs, deps, size = "small"):
    if not name.endswith("_fuzzer"):
        fail("fuzzer names end in _fuzzer: " + name)
    corpus = name[:-len("_fuzzer")]

    native.cc_library(
        name = name + "_lib",
        testonly = True,
        srcs = srcs,
        deps = deps + [":fuzz_support"],
        # LLVMFuzzerTestOneInput is only referenced from libFuzzer's (or replay_main's)
        # main, which the linker sees after this library.
        alwayslink = True,
    )

    native.cc_binary(
        name = name,
        testonly = True,
        # libFuzzer's own main; the sanitizers and the coverage instrumentation come from
        # --config=fuzz (.bazelrc), which also selects clang.
        linkopts = ["-fsanitize=fuzzer"],
        # reason: needs clang and --config=fuzz; `bazel build //...` with gcc must skip it.
        tags = [
            "fuzz",
            "manual",
        ],
        deps = [":" + name + "_lib"],
    )

    native.cc_test(
        name = name + "_regression_test",
        size = size,
        args = [
            "fuzz/corpus/" + corpus,
            "--optional",
            "fuzz/regressions/" + corpus,
        ],
        data = native.glob([
            "corpus/%s/**" % corpus,
            "regressions/%s/**" % corpus,
        ]),
        deps = [
            ":" + name + "_lib",
            ":replay_main",
        ],
    )
