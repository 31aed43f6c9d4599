// The two ends of a unary call as the service adapters and the remote clients
// make them. Statuses cross by grpc_status.h, so a JetStream error keeps its
// code and err_code.
//
//   // In a service adapter: the result, or its error, as the call's answer.
//   return Reply(store_->CreateStream(*request), response);
//
//   // In a remote client: a blocking call with kUnaryDeadline (or a deadline
//   // given as the first argument).
//   return CallUnary<v1::StreamInfo>([&](::grpc::ClientContext* c, v1::StreamInfo* r) {
//     return stub_->CreateStream(c, request, r);
//   });
//
// Thread-safety: stateless.
#ifndef JSENGINE_COMMON_GRPC_UNARY_H_
#define JSENGINE_COMMON_GRPC_UNARY_H_

#include <chrono>
#include <utility>

#include "absl/status/statusor.h"
#include "common/grpc/grpc_status.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace jsengine::common::grpc {

// How long a remote client waits for a unary call's answer.
inline constexpr std::chrono::seconds kUnaryDeadline{30};

template <typename T>
::grpc::Status Reply(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return ::grpc::Status::OK;
}

// `call(::grpc::ClientContext*, Response*)` makes the call (a stub's
// blocking method) and returns its ::grpc::Status; DEADLINE_EXCEEDED when
// no answer came within `deadline`.
template <typename Response, typename Call>
absl::StatusOr<Response> CallUnary(std::chrono::milliseconds deadline, Call&& call) {
  ::grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  Response response;
  const ::grpc::Status status = std::forward<Call>(call)(&context, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

template <typename Response, typename Call>
absl::StatusOr<Response> CallUnary(Call&& call) {
  return CallUnary<Response>(kUnaryDeadline, std::forward<Call>(call));
}

}  // namespace jsengine::common::grpc

#endif  // JSENGINE_COMMON_GRPC_UNARY_H_
