"""C++ code generation for .proto files with the system protoc.

Debian's protoc and grpc_cpp_plugin run in one genrule (Bazel 4's native
proto rules would need a protobuf repository we do not have offline); the
outputs are wrapped in a cc_library. `proto_root` is the directory, relative
to the package, that import paths start from; generated headers are included
by their import path (e.g. "retain/account/v1/account.pb.h").
"""

def retain_cc_grpc_library(
        name,
        srcs,
        proto_root = "",
        grpc = True,
        lite = False,
        extra_inputs = [],
        deps = [],
        visibility = None):
    prefix = proto_root + "/" if proto_root else ""
    for s in srcs:
        if not s.startswith(prefix):
            fail("%s is not under proto_root %s" % (s, proto_root))
    bases = [s[:-len(".proto")] for s in srcs]
    hdrs = [b + ".pb.h" for b in bases]
    cc = [b + ".pb.cc" for b in bases]
    if grpc:
        hdrs += [b + ".grpc.pb.h" for b in bases]
        cc += [b + ".grpc.pb.cc" for b in bases]
    pkg = native.package_name()
    in_root = "/".join([p for p in [pkg, proto_root] if p]) or "."
    out_root = "/".join(["$(GENDIR)"] + [p for p in [pkg, proto_root] if p])
    cmd = "$(location @system//:protoc_bin) -I%s -I/usr/include --cpp_out=%s" % (in_root, out_root)
    if grpc:
        cmd += " --grpc_out=%s --plugin=protoc-gen-grpc=$(location @system//:grpc_cpp_plugin_bin)" % out_root
    cmd += " " + " ".join(["$(location %s)" % s for s in srcs])
    native.genrule(
        name = name + "_gen",
        srcs = srcs + extra_inputs,
        outs = hdrs + cc,
        tools = ["@system//:protoc_bin", "@system//:grpc_cpp_plugin_bin"],
        cmd = cmd,
    )
    runtime = ["@system//:protobuf_lite"] if lite else ["@system//:protobuf"]
    native.cc_library(
        name = name,
        srcs = cc,
        hdrs = hdrs,
        includes = [proto_root or "."],
        deps = deps + runtime + (["@system//:grpc++"] if grpc else []),
        visibility = visibility,
    )
