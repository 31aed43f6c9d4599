#include "common/syslog_sink.h"

#include <syslog.h>

namespace jsengine::common {

std::unique_ptr<SyslogSink> SyslogSink::Install(const std::string& ident) {
  // openlog keeps the pointer: the string must live as long as the process.
  static std::string* const kept = new std::string(ident);
  ::openlog(kept->c_str(), LOG_PID, LOG_DAEMON);
  auto sink = InstallWriter([](int priority, std::string_view message) {
    ::syslog(priority, "%.*s", static_cast<int>(message.size()), message.data());
  });
  sink->opened_log_ = true;
  return sink;
}

std::unique_ptr<SyslogSink> SyslogSink::InstallWriter(Writer writer) {
  auto sink = std::make_unique<SyslogSink>(std::move(writer));
  FLAGS_logtostderr = false;
  FLAGS_alsologtostderr = false;
  FLAGS_stderrthreshold = google::GLOG_FATAL;
  for (google::LogSeverity s = google::GLOG_INFO; s < google::NUM_SEVERITIES; ++s) {
    google::SetLogDestination(s, "");
  }
  google::AddLogSink(sink.get());
  sink->installed_ = true;
  return sink;
}

SyslogSink::~SyslogSink() {
  if (installed_) {
    google::RemoveLogSink(this);
    if (opened_log_) ::closelog();
  }
}

int SyslogSink::Priority(google::LogSeverity severity) {
  switch (severity) {
    case google::GLOG_INFO:
      return LOG_INFO;
    case google::GLOG_WARNING:
      return LOG_WARNING;
    case google::GLOG_ERROR:
      return LOG_ERR;
    default:
      return LOG_CRIT;
  }
}

void SyslogSink::send(google::LogSeverity severity, const char*, const char* base_filename,
                      int line, const google::LogMessageTime&, const char* message,
                      size_t message_len) {
  std::string text = std::string(base_filename) + ":" + std::to_string(line) + "] ";
  text.append(message, message_len);
  writer_(Priority(severity), text);
}

}  // namespace jsengine::common
