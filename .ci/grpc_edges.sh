#!/usr/bin/env bash
# gRPC only at the edges: the only libraries that may depend on gRPC, directly
# or not, are the generated stubs (//proto:*_grpc), //common/grpc, the service
# adapters (//<svc>:<name>_service and the store's append reactor), the remote
# clients (//<svc>/client:remote_*), the gateway's composition root, the
# integration-test harness (with testing/core's backends.h, which starts
# servers through it) and the server-reflection stubs of its test. Every
# other library (the storage engine, the consumer and stream logic, the NATS
# server, the JetStream bridge) must not reach //third_party:grpc. Prints the
# offending paths; exits 1 on any.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

allowed='^//(third_party:grpc.*|proto:[a-z_]+_grpc|common/grpc:[a-z_]+|[a-z]+svc:[a-z_]+_service|storesvc:append_reactor|[a-z]+svc/client:remote_[a-z_]+|gateway:engine|testing/harness:[a-z_]+|testing/core:backends|testing/reflection:reflection_grpc)$'

reaching=$(./bazelw query --noshow_progress 'kind("cc_library", rdeps(//..., //third_party:grpc))' 2>/dev/null) || {
  echo "grpc_edges: bazel query failed" >&2
  exit 1
}
status=0
for target in $reaching; do
  [[ "$target" =~ $allowed ]] && continue
  echo "grpc_edges: $target depends on gRPC:"
  ./bazelw query --noshow_progress "somepath($target, //third_party:grpc)" 2>/dev/null | sed 's/^/  /'
  status=1
done
((status == 0)) && echo "grpc_edges: $(wc -w <<<"$reaching") libraries reach gRPC, all of them edges"
exit "$status"
