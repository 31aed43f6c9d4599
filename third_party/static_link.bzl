"""Link options that put gRPC, protobuf, abseil, glog and gflags into a binary
statically (their .a files ship in the same Debian -dev packages as the .so).

A cc_binary's own linkopts come before those of its dependencies, so with
these the archives resolve every symbol first and `--as-needed` then drops
the shared libraries that //third_party targets name (-lgrpc++ ...). The
dynamic linker then loads 8 libraries instead of 66: the gateway starts in
~3 ms instead of ~12 ms (`perf stat gateway --help`), which is most of a
restart with a saved index. Only the C/C++ runtime, libcrypt and libunwind
(for glog) stay shared.

storesvc and consumersvc link the same way: with the shared libraries each
kept ~11 MiB of file pages resident while serving (libgrpc's code and the
symbol tables the dynamic linker searched), ~8.7 MiB linked statically
(docs/BENCHMARKS.md, "Three processes: memory ...").

`--exclude-libs,ALL` keeps the archives' symbols out of the binary's dynamic
symbol table: the shared libraries still named at link time (libgrpc++.so
...) made the linker export every symbol they refer to, 20,000 of them (2
MiB of .dynsym, .dynstr and .gnu.hash that the dynamic linker searched, and
so kept resident, for every symbol the shared libraries bind), and made
libssl.so bind to the binary's own copy of OpenSSL.

The archive list is `pkg-config --static --libs grpc++ protobuf` (sorted;
inside --start-group the order does not matter) plus grpc++_reflection, glog
and gflags.
"""

_STATIC_ARCHIVES = [
    "grpc++_reflection",
    "glog",
    "gflags",
    "grpc++",
    "grpc",
    "gpr",
    "address_sorting",
    "upb",
    "re2",
    "cares",
    "ssl",
    "crypto",
    "z",
    "protobuf",
    "atomic",
    "rt",
    "absl_bad_optional_access",
    "absl_bad_variant_access",
    "absl_base",
    "absl_city",
    "absl_civil_time",
    "absl_cord",
    "absl_cord_internal",
    "absl_cordz_functions",
    "absl_cordz_handle",
    "absl_cordz_info",
    "absl_debugging_internal",
    "absl_demangle_internal",
    "absl_exponential_biased",
    "absl_graphcycles_internal",
    "absl_hash",
    "absl_hashtablez_sampler",
    "absl_int128",
    "absl_log_severity",
    "absl_low_level_hash",
    "absl_malloc_internal",
    "absl_random_distributions",
    "absl_random_internal_platform",
    "absl_random_internal_pool_urbg",
    "absl_random_internal_randen",
    "absl_random_internal_randen_hwaes",
    "absl_random_internal_randen_hwaes_impl",
    "absl_random_internal_randen_slow",
    "absl_random_internal_seed_material",
    "absl_random_seed_gen_exception",
    "absl_random_seed_sequences",
    "absl_raw_hash_set",
    "absl_raw_logging_internal",
    "absl_spinlock_wait",
    "absl_stacktrace",
    "absl_status",
    "absl_statusor",
    "absl_str_format_internal",
    "absl_strerror",
    "absl_strings",
    "absl_strings_internal",
    "absl_symbolize",
    "absl_synchronization",
    "absl_throw_delegate",
    "absl_time",
    "absl_time_zone",
]

STATIC_DEPS_LINKOPTS = (
    ["-Wl,--exclude-libs,ALL", "-Wl,-Bstatic", "-Wl,--start-group"] +
    ["-l" + name for name in _STATIC_ARCHIVES] +
    ["-Wl,--end-group", "-Wl,-Bdynamic", "-lunwind", "-Wl,--as-needed"]
)

# storesvc and consumersvc also take the C++ runtime (libstdc++, libgcc's
# unwinder) and snappy (whose .so would load libstdc++.so again) from their
# archives: the shared libstdc++ kept ~1 MiB resident in each (its touched
# code in 64 KiB fault-around blocks, its symbol tables), what the binary
# links of it ~0.2 MiB (docs/BENCHMARKS.md, "Three processes' code pages").
# The gateway cannot: libcpp-httplib.so needs libstdc++.so, and two copies
# of the runtime in one process would each keep their own state.
STATIC_SERVICE_LINKOPTS = (
    ["-Wl,--exclude-libs,ALL", "-Wl,-Bstatic", "-Wl,--start-group"] +
    ["-l" + name for name in _STATIC_ARCHIVES + ["snappy", "stdc++"]] +
    ["-Wl,--end-group", "-Wl,-Bdynamic", "-lunwind", "-Wl,--as-needed", "-static-libgcc"]
)
