"""C++ libraries for a .proto, built with the system protoc.

Bazel's native proto rules need @com_google_protobuf, a download. This macro
runs Debian's `protoc` and `grpc_cpp_plugin` in a genrule instead and wraps the
generated sources in two cc_libraries linked against the system libraries:

    cc_protos(
        name = "store",
        src = "store.proto",
        deps = [":common"],   # other cc_protos it imports, by base name
        services = True,
    )

gives
    :store_proto   the messages (store.pb.h); depends on protobuf only
    :store_grpc    the service stubs (store.grpc.pb.h); only with services,
                   and only for service adapters, remote clients and
                   //common/grpc, so gRPC stays at the edges.

Generated headers are included by their path: #include "proto/store.pb.h".
"""

def cc_protos(name, src, deps = [], services = False, visibility = None):
    base = src[:-len(".proto")]
    pb = [base + ".pb.h", base + ".pb.cc"]
    grpc_pb = [base + ".grpc.pb.h", base + ".grpc.pb.cc"] if services else []

    # The .proto files this one and everything it imports need on protoc's path.
    native.filegroup(
        name = name + "_protos",
        srcs = [src] + [d + "_protos" for d in deps],
        visibility = visibility,
    )

    native.genrule(
        name = name + "_gen",
        srcs = [src, name + "_protos"],
        outs = pb + grpc_pb,
        cmd = " ".join([
            "protoc",
            "--proto_path=.",
            "--cpp_out=$(GENDIR)",
        ] + ([
            "--grpc_out=$(GENDIR)",
            "--plugin=protoc-gen-grpc=$$(command -v grpc_cpp_plugin)",
        ] if services else []) + [
            "$(location %s)" % src,
        ]),
        message = "protoc " + src,
    )

    native.cc_library(
        name = name + "_proto",
        srcs = [base + ".pb.cc"],
        hdrs = [base + ".pb.h"],
        deps = [d + "_proto" for d in deps] + ["//third_party:protobuf"],
        visibility = visibility,
    )

    if services:
        native.cc_library(
            name = name + "_grpc",
            srcs = [base + ".grpc.pb.cc"],
            hdrs = [base + ".grpc.pb.h"],
            deps = [
                name + "_proto",
                "//third_party:grpc",
            ],
            visibility = visibility,
        )
