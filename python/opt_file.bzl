"""opt_file: one file of a target, built with -c opt whatever the command line says.

`bazel run` and `bazel test` build in fastbuild (-O0) by default, where a timing of
the extension measures the compiler's unoptimized code. The benchmark loads the
extension through this rule instead:

    opt_file(name = "opt/_sockref_socket.so", src = ":_sockref_socket.so")

The output keeps the source's base name (Python finds an extension module by it)
under the rule's own path.
"""

def _opt_transition_impl(settings, attr):
    return {"//command_line_option:compilation_mode": "opt"}

_opt_transition = transition(
    implementation = _opt_transition_impl,
    inputs = [],
    outputs = ["//command_line_option:compilation_mode"],
)

def _opt_file_impl(ctx):
    # An attribute with an outgoing transition is a list of one target.
    files = ctx.attr.src[0][DefaultInfo].files.to_list()
    if len(files) != 1:
        fail("opt_file: %s must produce exactly one file" % ctx.attr.src[0].label)
    out = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.symlink(output = out, target_file = files[0])
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out, files[0]]))]

opt_file = rule(
    implementation = _opt_file_impl,
    attrs = {
        "src": attr.label(cfg = _opt_transition, mandatory = True),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)
