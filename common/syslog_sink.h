// nats-server's -s/--syslog: glog's messages go to the local syslog (daemon
// facility, the program's name as ident) with the matching priority, instead
// of stderr. With -r/--remote_syslog they go to a common::RemoteSyslog
// (remote_syslog.h) the same way.
//
//   auto sink = SyslogSink::Install("gateway");  // keep it alive while logging
//
// Install() changes glog's global destinations; call it once, from main,
// before other threads log. The sink itself is thread-safe.
#ifndef JSENGINE_COMMON_SYSLOG_SINK_H_
#define JSENGINE_COMMON_SYSLOG_SINK_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "glog/logging.h"

namespace jsengine::common {

class SyslogSink : public google::LogSink {
 public:
  // Receives each message with its syslog(3) priority.
  using Writer = std::function<void(int priority, std::string_view message)>;

  // Routes glog to syslog (glog keeps only FATAL messages on stderr) until
  // the returned sink is destroyed.
  static std::unique_ptr<SyslogSink> Install(const std::string& ident);
  // Routes glog to `writer` as Install does.
  static std::unique_ptr<SyslogSink> InstallWriter(Writer writer);

  // A sink writing through `writer`, not installed (for tests).
  explicit SyslogSink(Writer writer) : writer_(std::move(writer)) {}
  ~SyslogSink() override;

  void send(google::LogSeverity severity, const char* full_filename, const char* base_filename,
            int line, const google::LogMessageTime& time, const char* message,
            size_t message_len) override;

  // syslog(3)'s priority for a glog severity.
  static int Priority(google::LogSeverity severity);

 private:
  Writer writer_;
  bool installed_ = false;
  bool opened_log_ = false;
};

}  // namespace jsengine::common

#endif  // JSENGINE_COMMON_SYSLOG_SINK_H_
