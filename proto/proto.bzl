"""Turns a .proto into a C++ + gRPC cc_library with the system protoc.

Bazel's native proto rules need @com_google_protobuf, a download. This macro
runs Debian's `protoc` and `grpc_cpp_plugin` in a genrule instead and wraps the
generated sources in a cc_library linked against the system libraries.

    cc_grpc_proto_library(
        name = "store_proto",
        src = "store.proto",
        deps = [":stream_proto"],   # other cc_grpc_proto_library targets it imports
    )

Generated headers are included by their path: #include "proto/store.pb.h".
"""

def cc_grpc_proto_library(name, src, deps = [], visibility = None):
    base = src[:-len(".proto")]
    hdrs = [base + ".pb.h", base + ".grpc.pb.h"]
    srcs = [base + ".pb.cc", base + ".grpc.pb.cc"]

    # The .proto files this one and everything it imports need on protoc's path.
    native.filegroup(
        name = name + "_protos",
        srcs = [src] + [d + "_protos" for d in deps],
        visibility = visibility,
    )

    native.genrule(
        name = name + "_gen",
        srcs = [src, name + "_protos"],
        outs = hdrs + srcs,
        cmd = " ".join([
            "protoc",
            "--proto_path=.",
            "--cpp_out=$(GENDIR)",
            "--grpc_out=$(GENDIR)",
            "--plugin=protoc-gen-grpc=$$(command -v grpc_cpp_plugin)",
            "$(location %s)" % src,
        ]),
        message = "protoc " + src,
    )

    native.cc_library(
        name = name,
        srcs = srcs,
        hdrs = hdrs,
        deps = deps + [
            "//third_party:grpc",
            "//third_party:protobuf",
        ],
        visibility = visibility,
    )
