#include "consumersvc/pull_request.h"

#include <charconv>

#include "common/go_json_reader.h"
#include "common/go_text.h"
#include "common/status.h"

namespace jsengine::consumersvc {
namespace {

// strconv.Atoi: an optional sign and decimal digits that fit an int64.
bool ParseAtoi(std::string_view s, int64_t* out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

absl::StatusOr<PullRequest> ParsePullRequest(std::string_view body) {
  const std::string_view req = common::GoTrimSpace(body);
  PullRequest request;
  if (req.empty()) return request;
  if (req.front() != '{') {
    int64_t n = 0;
    if (ParseAtoi(req, &n)) request.batch = n;
    return request;
  }
  JSE_ASSIGN_OR_RETURN(common::GoJsonObject json,
                       common::GoJsonObject::Parse(absl::string_view(req.data(), req.size())));
  request.batch = 0;
  JSE_RETURN_IF_ERROR(json.GetInt64("batch", &request.batch));
  JSE_RETURN_IF_ERROR(json.GetInt64("max_bytes", &request.max_bytes));
  JSE_RETURN_IF_ERROR(json.GetInt64("expires", &request.expires_ns));
  JSE_RETURN_IF_ERROR(json.GetBool("no_wait", &request.no_wait));
  JSE_RETURN_IF_ERROR(json.GetInt64("idle_heartbeat", &request.heartbeat_ns));
  if (request.heartbeat_ns > 0 && request.heartbeat_ns * 2 > request.expires_ns) {
    return absl::InvalidArgumentError("heartbeat value too large");
  }
  if (request.expires_ns < 0) request.expires_ns = 1;
  return request;
}

}  // namespace jsengine::consumersvc
