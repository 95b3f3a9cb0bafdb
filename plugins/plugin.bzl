"""retain_plugin: a plugin shared library built the way the host expects.

Produces `lib<name>.so` (cc_binary with linkshared, since Bazel 4 has no
cc_shared_library) compiled with -fvisibility=hidden and linked with a
version script that exports only `retain_plugin_on_load`.
"""

def retain_plugin(name, srcs, deps = [], copts = [], visibility = None, testonly = False):
    native.cc_binary(
        name = "lib%s.so" % name,
        srcs = srcs,
        deps = deps + ["//plugins/sdk"],
        copts = copts + ["-fvisibility=hidden", "-fvisibility-inlines-hidden"],
        linkshared = True,
        additional_linker_inputs = ["//plugins:plugin.lds"],
        linkopts = ["-Wl,--version-script=$(location //plugins:plugin.lds)"],
        visibility = visibility,
        testonly = testonly,
    )
