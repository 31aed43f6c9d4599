#include "gateway/monitor/connz_sort.h"

#include <algorithm>
#include <functional>
#include <string>

#include "absl/strings/str_cat.h"

namespace jsengine::gateway::monitor {
namespace {

using core::ConnectionInfo;

// A key sorted descending.
template <typename T>
std::function<bool(const ConnectionInfo&, const ConnectionInfo&)> Descending(
    T (*key)(const ConnectionInfo&)) {
  return [key](const ConnectionInfo& a, const ConnectionInfo& b) { return key(a) > key(b); };
}

}  // namespace

absl::Status SortConnections(std::string_view by, absl::Time now, bool closed,
                             std::vector<ConnectionInfo>* connections) {
  std::function<bool(const ConnectionInfo&, const ConnectionInfo&)> less;
  if (by.empty() || by == "cid" || by == "rtt") {
    return absl::OkStatus();  // already in cid order; every rtt is 0
  } else if (by == "start") {
    less = [](const ConnectionInfo& a, const ConnectionInfo& b) { return a.start < b.start; };
  } else if (by == "subs") {
    less = Descending(+[](const ConnectionInfo& c) { return c.subscriptions; });
  } else if (by == "pending") {
    less = Descending(+[](const ConnectionInfo& c) { return c.pending_bytes; });
  } else if (by == "msgs_to") {
    less = Descending(+[](const ConnectionInfo& c) { return c.counts.out_msgs; });
  } else if (by == "msgs_from") {
    less = Descending(+[](const ConnectionInfo& c) { return c.counts.in_msgs; });
  } else if (by == "bytes_to") {
    less = Descending(+[](const ConnectionInfo& c) { return c.counts.out_bytes; });
  } else if (by == "bytes_from") {
    less = Descending(+[](const ConnectionInfo& c) { return c.counts.in_bytes; });
  } else if (by == "last") {
    less = [](const ConnectionInfo& a, const ConnectionInfo& b) {
      return a.last_activity > b.last_activity;
    };
  } else if (by == "idle") {
    less = [now](const ConnectionInfo& a, const ConnectionInfo& b) {
      return now - a.last_activity > now - b.last_activity;
    };
  } else if (by == "uptime") {
    less = [now](const ConnectionInfo& a, const ConnectionInfo& b) {
      return now - a.start > now - b.start;
    };
  } else if (closed && by == "stop") {
    less = [](const ConnectionInfo& a, const ConnectionInfo& b) { return a.stop > b.stop; };
  } else if (closed && by == "reason") {
    less = [](const ConnectionInfo& a, const ConnectionInfo& b) { return a.reason < b.reason; };
  } else if (by == "stop" || by == "reason") {
    return absl::InvalidArgumentError(
        absl::StrCat("sort by ", std::string(by), " only valid on closed connections"));
  } else {
    return absl::InvalidArgumentError(absl::StrCat("invalid sorting option: ", std::string(by)));
  }
  std::stable_sort(connections->begin(), connections->end(), less);
  return absl::OkStatus();
}

}  // namespace jsengine::gateway::monitor
