// Writes the Prometheus text exposition format (version 0.0.4): for each
// metric a `# HELP` and a `# TYPE` line, then its samples, one per label
// set, label values escaped.
//
//   PrometheusText out;
//   out.Metric("jsengine_connections", "gauge", "Open client connections.");
//   out.Sample({}, 3);
//   out.Metric("jsengine_stream_messages", "gauge", "Messages in the stream.");
//   out.Sample({{"stream", "ORDERS"}}, 42);
//   std::string body = out.text();
//
// Not thread-safe.
#ifndef JSENGINE_GATEWAY_MONITOR_PROMETHEUS_TEXT_H_
#define JSENGINE_GATEWAY_MONITOR_PROMETHEUS_TEXT_H_

#include <string>
#include <utility>
#include <vector>

namespace jsengine::gateway::monitor {

using PrometheusLabels = std::vector<std::pair<std::string, std::string>>;

class PrometheusText {
 public:
  // Starts a metric; its samples follow. `type`: counter, gauge, ...
  void Metric(const std::string& name, const std::string& type, const std::string& help);
  // A sample of the current metric.
  void Sample(const PrometheusLabels& labels, double value);

  const std::string& text() const { return text_; }

  // The content type of text().
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  std::string name_;
  std::string text_;
};

}  // namespace jsengine::gateway::monitor

#endif  // JSENGINE_GATEWAY_MONITOR_PROMETHEUS_TEXT_H_
