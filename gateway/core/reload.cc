#include "gateway/core/reload.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace jsengine::gateway::core {
namespace {

std::string Describe(const std::string& s) { return s; }
std::string Describe(int n) { return std::to_string(n); }
std::string Describe(bool b) { return b ? "true" : "false"; }
std::string Describe(const TlsOptions& t) {
  if (!t.enabled) return "off";
  return absl::StrCat(t.cert_file, ",", t.key_file, ",", t.ca_file, ",", t.verify ? "verify" : "",
                      ",", absl::FormatDuration(t.timeout), ",", t.min_version, ",",
                      t.handshake_first ? "first" : "");
}

std::string DescribeExports(const std::vector<AccountExport>& exports) {
  std::string out;
  for (const AccountExport& e : exports) {
    absl::StrAppend(&out, e.subject, "[", absl::StrJoin(e.accounts, ","), "]");
  }
  return out;
}

std::string DescribeImports(const std::vector<AccountImport>& imports) {
  std::string out;
  for (const AccountImport& i : imports)
    absl::StrAppend(&out, i.account, ":", i.subject, ">", i.to, ";");
  return out;
}

std::string Describe(const std::vector<SubjectMappingOptions>& mappings) {
  std::string out;
  for (const SubjectMappingOptions& m : mappings) {
    absl::StrAppend(&out, m.source, "->");
    for (const MappingDestination& d : m.destinations) {
      absl::StrAppend(&out, d.subject, "@", d.weight, "%", d.cluster, ",");
    }
    out += ";";
  }
  return out;
}

std::string Describe(const std::vector<AccountOptions>& accounts) {
  std::string out;
  for (const AccountOptions& a : accounts) {
    absl::StrAppend(&out, a.name, "{", DescribeExports(a.stream_exports), "|",
                    DescribeExports(a.service_exports), "|", DescribeImports(a.stream_imports), "|",
                    DescribeImports(a.service_imports), "|", Describe(a.mappings), "}");
  }
  return out;
}

template <typename T>
absl::Status Same(const char* name, const T& current, const T& next) {
  const std::string old_value = Describe(current);
  const std::string new_value = Describe(next);
  if (old_value == new_value) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("config reload not supported for ", name,
                                                 ": old=", old_value, ", new=", new_value));
}

}  // namespace

absl::Status CheckReloadable(const ServerOptions& c, const ServerOptions& n) {
  for (absl::Status s : {
           Same("host", c.host, n.host),
           Same("port", c.port, n.port),
           Same("server_name", c.server_name, n.server_name),
           Same("jetstream", c.jetstream, n.jetstream),
           Same("store_dir", c.store_dir, n.store_dir),
           Same("domain", c.jetstream_domain, n.jetstream_domain),
           Same("http_host", c.http_host, n.http_host),
           Same("http_port", c.http_port, n.http_port),
           Same("https_port", c.https_port, n.https_port),
           Same("ports_file_dir", c.ports_file_dir, n.ports_file_dir),
           Same("max_control_line", static_cast<int>(c.max_control_line),
                static_cast<int>(n.max_control_line)),
           Same("tls", c.tls, n.tls),
           Same("accounts", c.accounts, n.accounts),
           Same("mappings", c.mappings, n.mappings),
           Same("system_account", c.system_account, n.system_account),
           Same("log_file", c.log_file, n.log_file),
           Same("pid_file", c.pid_file, n.pid_file),
       }) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

ServerOptions KeepCommandLineOnly(const ServerOptions& current, ServerOptions next) {
  next.event_loops = current.event_loops;
  next.config_file = current.config_file;
  return next;
}

}  // namespace jsengine::gateway::core
