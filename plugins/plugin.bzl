"""retain_plugin: a plugin shared library built the way the host expects.

Produces `lib<name>.so` (cc_binary with linkshared, since Bazel 4 has no
cc_shared_library) compiled with -fvisibility=hidden and linked with a
version script that exports only `retain_plugin_on_load`, and `<name>_lib`,
the same code as a library, which a unit test links to run the plugin on
the fake host (plugins/sdk/retain_plugin_testing.h) through its real entry
point.

`schema`: the plugin's .proto files. They are compiled with their imports
into a FileDescriptorSet (`<name>_schema.pb`) and embedded into the library
(plugins/sdk/retain_embed_schema.sh), so the SDK hands it to the host and
the plugin's service shows in server reflection. `schema_root` is the
directory, relative to the package, that import paths start from.
"""

def retain_plugin(
        name,
        srcs,
        deps = [],
        copts = [],
        schema = [],
        schema_root = "",
        visibility = None,
        testonly = False):
    srcs = list(srcs)
    if schema:
        pkg = native.package_name()
        root = "/".join([p for p in [pkg, schema_root] if p]) or "."
        native.genrule(
            name = name + "_schema_set",
            srcs = schema,
            outs = [name + "_schema.pb"],
            tools = ["@system//:protoc_bin"],
            cmd = ("$(location @system//:protoc_bin) -I%s -I/usr/include " +
                   "--include_imports --descriptor_set_out=$@ $(SRCS)") % root,
            visibility = visibility,
            testonly = testonly,
        )
        native.genrule(
            name = name + "_schema_cc",
            srcs = [name + "_schema.pb"],
            outs = [name + "_schema.cc"],
            tools = ["//plugins/sdk:retain_embed_schema.sh"],
            cmd = "sh $(location //plugins/sdk:retain_embed_schema.sh) $< > $@",
            testonly = testonly,
        )
        srcs.append(name + "_schema.cc")
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
