"""client_test: a program written with another NATS client, run against every deployment."""

load("//testing:jetstream_test.bzl", "ENGINE_BINARIES")

def client_test(name, program, args = [], data = [], timeout_s = 300, **kwargs):
    """Runs `program` once per deployment with NATS_URL set; it passes by exiting 0.

    Args:
      name: the test.
      program: an executable target or file (a built Go binary, a node script).
      args: the program's arguments.
      data: what else the program reads at run time.
      timeout_s: how long each run of the program may take.
      **kwargs: passed to the cc_test (tags, size, ...).
    """
    native.cc_test(
        name = name,
        srcs = ["//testing/clients:client_test.cc"],
        args = ["--timeout_s=%d" % timeout_s, "$(rootpath %s)" % program] + args,
        data = ENGINE_BINARIES + [program] + data,
        deps = [
            "//testing/harness",
            "//testing/harness:topology",
            "//testing/harness:topology_suite",
            "//third_party:absl_strings",
            "//third_party:absl_time",
            "//third_party:gtest",
        ],
        **kwargs
    )
