"""retain_plugin: a plugin shared library built the way the host expects.

Produces `lib<name>.so` (cc_binary with linkshared, since Bazel 4 has no
cc_shared_library) compiled with -fvisibility=hidden and linked with a
version script that exports only `retain_plugin_on_load`, and `<name>_lib`,
the same code as a library, which a unit test links to run the plugin on
the fake host (plugins/sdk/retain_plugin_testing.h) through its real entry
point.
"""

def retain_plugin(name, srcs, deps = [], copts = [], visibility = None, testonly = False):
    native.cc_library(
        name = "%s_lib" % name,
        srcs = srcs,
        deps = deps + ["//plugins/sdk"],
        copts = copts + ["-fvisibility=hidden", "-fvisibility-inlines-hidden"],
        # Nothing references the entry point at link time: keep it.
        alwayslink = True,
        visibility = visibility,
        testonly = testonly,
    )
    native.cc_binary(
        name = "lib%s.so" % name,
        deps = [":%s_lib" % name],
        linkshared = True,
        additional_linker_inputs = ["//plugins:plugin.lds"],
        linkopts = ["-Wl,--version-script=$(location //plugins:plugin.lds)"],
        visibility = visibility,
        testonly = testonly,
    )
