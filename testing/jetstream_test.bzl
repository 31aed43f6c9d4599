"""jetstream_test: an end-to-end test of the engine through the NATS C client."""

# The binaries a Topology starts.
ENGINE_BINARIES = [
    "//consumersvc",
    "//gateway",
    "//storesvc",
]

def jetstream_test(name, deps = []):
    """<name>.cc, a JSE_TOPOLOGY_SUITE run against every deployment.

    The gateway, storesvc and consumersvc binaries come as data; nats-server
    is the Debian package's.

    Args:
      name: the test, also its source's name.
      deps: what the test needs beyond the harness, gtest and the C client.
    """
    native.cc_test(
        name = name,
        size = "large",
        srcs = [name + ".cc"],
        data = ENGINE_BINARIES,
        deps = [
            "//testing/harness:topology",
            "//testing/harness:topology_suite",
            "//third_party:gtest_main",
            "//third_party:nats",
        ] + deps,
    )
