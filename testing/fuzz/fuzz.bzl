"""cc_fuzz_target: a fuzz target with its corpus replay test and libFuzzer binary."""

def cc_fuzz_target(name, deps, srcs = None, corpus = None):
    """One fuzz target (LLVMFuzzerTestOneInput), used two ways.

    Defines, in the calling package:
      <name>_fuzz_target         the target, a testonly cc_library;
      <name>_fuzzer_replay_test  `bazel test` replays the seed corpus through it;
      <name>_fuzzer              the libFuzzer binary (manual): built with
                                 --config=fuzz, run by tools/fuzz/run.sh.

    Args:
      name: what is fuzzed, e.g. "parser".
      deps: what the sources need.
      srcs: the sources defining LLVMFuzzerTestOneInput; default
        ["<name>_fuzzer.cc"].
      corpus: the seed corpus folder in the package; default
        "testdata/<name>_corpus".
    """
    target = name + "_fuzz_target"
    if srcs == None:
        srcs = [name + "_fuzzer.cc"]
    if corpus == None:
        corpus = "testdata/%s_corpus" % name
    native.cc_library(
        name = target,
        testonly = True,
        srcs = srcs,
        deps = deps,
    )
    native.cc_test(
        name = name + "_fuzzer_replay_test",
        args = [native.package_name() + "/" + corpus],
        data = native.glob([corpus + "/*"]),
        deps = [
            ":" + target,
            "//testing/fuzz:replay_main",
        ],
    )
    native.cc_binary(
        name = name + "_fuzzer",
        testonly = True,
        tags = ["manual"],
        deps = [":" + target],
    )
