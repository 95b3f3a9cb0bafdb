"""Repository rules that make every external Bazel repository local.

Nothing here downloads: each rule copies or describes something that
Debian's packages installed (see docs/decisions/0001-offline-bazel.md).
"""

def _patched_rules_cc_impl(rctx):
    # Debian ships rules_cc 0.0.4, which expects Bazel 5's use_cpp_toolchain().
    # Bazel 4.2.3 lacks it, so copy the rules and replace the call with the
    # toolchain type it would return.
    src = rctx.attr.path
    rctx.execute(["cp", "-r", src + "/.", "."])
    for f in [
        "cc/private/rules_impl/cc_flags_supplier.bzl",
        "cc/private/rules_impl/compiler_flag.bzl",
    ]:
        res = rctx.execute([
            "sed",
            "-i",
            "-e",
            's/, "use_cpp_toolchain")/)/',
            "-e",
            's#use_cpp_toolchain()#["@bazel_tools//tools/cpp:toolchain_type"]#',
            f,
        ])
        if res.return_code != 0:
            fail("patching %s: %s" % (f, res.stderr))

patched_rules_cc = repository_rule(
    implementation = _patched_rules_cc_impl,
    attrs = {"path": attr.string(default = "/usr/share/bazel/rules/cc")},
    local = True,
)

def _coverage_stub_impl(rctx):
    # `bazel test` asks for @remote_coverage_tools even without coverage.
    rctx.file("noop.sh", "#!/bin/sh\nexit 0\n", executable = True)
    rctx.file("BUILD", """
package(default_visibility = ["//visibility:public"])
filegroup(name = "coverage_report_generator", srcs = ["noop.sh"])
filegroup(name = "lcov_merger", srcs = ["noop.sh"])
""")

coverage_stub = repository_rule(implementation = _coverage_stub_impl)

def _pkg_config_libs_impl(rctx):
    # One link-only cc_library per pkg-config module; headers live in
    # /usr/include, which the default toolchain already searches.
    build = ['package(default_visibility = ["//visibility:public"])']
    for name, modules in rctx.attr.libs.items():
        res = rctx.execute(["pkg-config", "--libs"] + modules.split(" "))
        if res.return_code != 0:
            fail("pkg-config %s: %s (run scripts/setup.sh)" % (modules, res.stderr))
        flags = res.stdout.strip().split(" ")
        build.append("cc_library(name = %r, linkopts = %r)" % (name, flags))
    for name, flags in rctx.attr.raw.items():
        build.append("cc_library(name = %r, linkopts = %r)" % (name, flags.split(" ")))
    for name, path in rctx.attr.tools.items():
        rctx.symlink(path, name)
        build.append("sh_binary(name = %r, srcs = [%r])" % (name + "_bin", name))
    rctx.file("BUILD", "\n".join(build) + "\n")

pkg_config_libs = repository_rule(
    implementation = _pkg_config_libs_impl,
    attrs = {
        "libs": attr.string_dict(),
        "raw": attr.string_dict(),
        "tools": attr.string_dict(),
    },
    local = True,
)
