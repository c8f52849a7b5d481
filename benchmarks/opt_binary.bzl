"""opt_binary: a binary built with -c opt whatever the command line says.

The gate compares instruction counts with a baseline recorded from an optimized
build. `bazel test //...` builds in fastbuild (-O0), where those counts mean
nothing, so the gate's binaries go through this rule: it builds `binary` in the
opt configuration and exposes it under its own name.

    opt_binary(name = "socket_benchmark_opt", binary = ":socket_benchmark")
"""

def _opt_transition_impl(settings, attr):
    return {"//command_line_option:compilation_mode": "opt"}

_opt_transition = transition(
    implementation = _opt_transition_impl,
    inputs = [],
    outputs = ["//command_line_option:compilation_mode"],
)

def _opt_binary_impl(ctx):
    # An attribute with an outgoing transition is a list of one target.
    target = ctx.attr.binary[0]
    src = target[DefaultInfo].files_to_run.executable
    out = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.symlink(output = out, target_file = src, is_executable = True)
    runfiles = ctx.runfiles(files = [src]).merge(target[DefaultInfo].default_runfiles)
    return [DefaultInfo(executable = out, files = depset([out]), runfiles = runfiles)]

opt_binary = rule(
    implementation = _opt_binary_impl,
    executable = True,
    attrs = {
        "binary": attr.label(cfg = _opt_transition, executable = True, mandatory = True),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)
