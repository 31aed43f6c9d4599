#include "gateway/monitor/system_account.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "glog/logging.h"

namespace jsengine::gateway::monitor {
namespace {

ServerIdentity IdentityOf(const core::Server& server) {
  const core::ServerOptions& o = server.options();
  ServerIdentity id;
  id.id = server.server_id();
  id.name = o.server_name.empty() ? id.id : o.server_name;
  id.host = o.host;
  id.domain = o.jetstream_domain;
  id.jetstream = o.jetstream;
  return id;
}

// The monitoring path of a server request kind; empty for none.
std::string PathOf(const std::string& kind) {
  if (kind == "VARZ") return "/varz";
  if (kind == "CONNZ") return "/connz";
  if (kind == "SUBSZ") return "/subsz";
  if (kind == "JSZ") return "/jsz";
  if (kind == "ACCOUNTZ") return "/accountz";
  if (kind == "HEALTHZ") return "/healthz";
  return "";
}

OrderedJson Whole(OrderedJson data) { return data; }

}  // namespace

SystemAccount::SystemAccount(core::Server* server, Monitor* monitor)
    : server_(server),
      monitor_(monitor),
      identity_(IdentityOf(*server)),
      account_(server->system_account()) {}

SystemAccount::~SystemAccount() { Stop(); }

absl::Status SystemAccount::Start() {
  if (started_.exchange(true)) return absl::FailedPreconditionError("already started");
  const std::vector<std::string> subjects = {
      "$SYS.REQ.SERVER.PING",
      "$SYS.REQ.SERVER.PING.*",
      absl::StrCat("$SYS.REQ.SERVER.", identity_.id, ".*"),
      "$SYS.REQ.ACCOUNT.*.*",
  };
  for (const std::string& subject : subjects) {
    const uint64_t id =
        server_->SubscribeInternalIn(account_, subject, "", [this](const core::InboundMessage& m) {
          Request request{std::string(m.subject), std::string(m.reply), std::string(m.payload)};
          Enqueue([this, request = std::move(request)] { Handle(request); });
        });
    if (id == 0) return absl::InternalError("cannot subscribe to " + subject);
    subscriptions_.push_back(id);
  }
  thread_ = std::thread([this] { Run(); });
  server_->SetEventListener(this);
  return absl::OkStatus();
}

void SystemAccount::Stop() {
  if (!started_.load()) return;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  server_->SetEventListener(nullptr);
  if (thread_.joinable()) thread_.join();
  for (uint64_t id : subscriptions_) server_->UnsubscribeInternal(id);
  subscriptions_.clear();
  const std::string subject = absl::StrCat("$SYS.SERVER.", identity_.id, ".SHUTDOWN");
  if (Interest(subject)) Send(subject, ServerInfo());
}

void SystemAccount::Enqueue(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  if (!stopping_) tasks_.push_back(std::move(task));
}

void SystemAccount::Run() {
  absl::Duration statsz_interval = kFirstStatsz;
  absl::Time next_statsz = absl::Now() + statsz_interval;
  absl::Time next_conns = absl::Now() + kAccountConnsInterval;
  while (true) {
    std::deque<std::function<void()>> tasks;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !tasks_.empty(); };
      mu_.AwaitWithDeadline(absl::Condition(&ready), std::min(next_statsz, next_conns));
      if (stopping_) return;
      tasks.swap(tasks_);
    }
    for (auto& task : tasks) task();
    const absl::Time now = absl::Now();
    if (now >= next_statsz) {
      const std::string subject = absl::StrCat("$SYS.SERVER.", identity_.id, ".STATSZ");
      if (Interest(subject)) Send(subject, StatszJson());
      statsz_interval = std::min(statsz_interval * 2, kStatszInterval);
      next_statsz = now + statsz_interval;
    }
    if (now >= next_conns) {
      for (const auto& [account, conns] : ConnectionsByAccount()) {
        if (account != core::kGlobalAccount) SendAccountConns(account);
      }
      next_conns = now + kAccountConnsInterval;
    }
  }
}

void SystemAccount::Handle(const Request& request) {
  const std::vector<std::string> tokens = absl::StrSplit(request.subject, '.');
  if (tokens.size() == 4) return HandleServerRequest("STATSZ", request);  // $SYS.REQ.SERVER.PING
  if (tokens.size() != 5) return;
  if (tokens[2] == "SERVER") return HandleServerRequest(tokens[4], request);
  HandleAccountRequest(tokens[3], tokens[4], request);
}

void SystemAccount::HandleServerRequest(const std::string& kind, const Request& request) {
  absl::StatusOr<SystemRequest> parsed = ParseSystemRequest(request.payload);
  if (kind == "IDZ") {
    if (request.reply.empty()) return;
    Send(request.reply, {{"name", identity_.name}, {"host", identity_.host}, {"id", identity_.id}});
    return;
  }
  if (kind == "STATSZ") {
    // No reply: the answer goes to the broadcast subject.
    const std::string to = request.reply.empty()
                               ? absl::StrCat("$SYS.SERVER.", identity_.id, ".STATSZ")
                               : request.reply;
    if (!parsed.ok()) {
      Send(to, ApiErrorJson(ServerInfo(), 400, std::string(parsed.status().message())));
      return;
    }
    if (FilteredOut(*parsed, identity_)) return;
    Send(to, StatszJson());
    return;
  }
  const std::string path = PathOf(kind);
  if (path.empty() || request.reply.empty()) return;
  if (!parsed.ok()) {
    Send(request.reply, ApiErrorJson(ServerInfo(), 400, std::string(parsed.status().message())));
    return;
  }
  if (FilteredOut(*parsed, identity_)) return;
  AnswerEndpoint(path, RequestQuery(kind, *parsed), Whole, request.reply);
}

void SystemAccount::HandleAccountRequest(const std::string& account, const std::string& kind,
                                         const Request& request) {
  if (request.reply.empty()) return;
  absl::StatusOr<SystemRequest> parsed = ParseSystemRequest(request.payload);
  if (kind == "CONNS") {
    if (!parsed.ok()) return;
    auto acc = parsed->body.find("acc");
    if (acc != parsed->body.end() && *acc != account) return;
    if (StatOf(account).conns > 0) {
      Send(request.reply,
           AccountConnsEventJson(NewEventId(), absl::Now(), ServerInfo(), StatOf(account)));
    }
    return;
  }
  if (!parsed.ok()) {
    Send(request.reply, ApiErrorJson(ServerInfo(), 400, std::string(parsed.status().message())));
    return;
  }
  if (FilteredOut(*parsed, identity_)) return;
  if (kind == "STATZ") {
    std::vector<std::string> accounts;
    if (account != "PING") {
      accounts.push_back(account);
    } else if (auto listed = parsed->body.find("accounts");
               listed != parsed->body.end() && listed->is_array()) {
      for (const auto& a : *listed) {
        if (a.is_string()) accounts.push_back(a.get<std::string>());
      }
    }
    const bool unused = parsed->body.value("include_unused", false);
    if (accounts.empty()) {
      for (const auto& [name, conns] : ConnectionsByAccount()) accounts.push_back(name);
    }
    OrderedJson stats = OrderedJson::array();
    for (const std::string& name : accounts) {
      if (server_->FindAccount(name) == nullptr) continue;
      const AccountStat stat = StatOf(name);
      if (stat.conns > 0 || unused) stats.push_back(AccountStatJson(stat));
    }
    if (stats.empty() && !unused) return;
    OrderedJson data;
    data["server_id"] = identity_.id;
    data["now"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", absl::Now(), absl::UTCTimeZone());
    data["account_statz"] = std::move(stats);
    Send(request.reply, ApiResponseJson(ServerInfo(), std::move(data)));
    return;
  }
  if (account == "PING") return;
  QueryParams params;
  std::function<OrderedJson(OrderedJson)> select = Whole;
  std::string path;
  if (kind == "CONNZ") {
    path = "/connz";
    params = RequestQuery("CONNZ", *parsed);
    params["acc"] = account;
  } else if (kind == "SUBSZ") {
    path = "/subsz";
    params = RequestQuery("SUBSZ", *parsed);
    params["subs"] = "true";
    params["acc"] = account;
  } else if (kind == "INFO") {
    path = "/accountz";
    params["acc"] = account;
    select = [](OrderedJson data) { return data["account_detail"]; };
  } else if (kind == "JSZ") {
    path = "/jsz";
    params = RequestQuery("JSZ", *parsed);
    params["acc"] = account;
    select = [](OrderedJson data) {
      auto details = data.find("account_details");
      if (details == data.end() || !details->is_array() || details->empty()) {
        return OrderedJson();
      }
      return (*details)[0];
    };
  } else {
    return;
  }
  AnswerEndpoint(path, params, select, request.reply);
}

void SystemAccount::AnswerEndpoint(const std::string& path, const QueryParams& params,
                                   const std::function<OrderedJson(OrderedJson)>& select,
                                   const std::string& reply) {
  const MonitorResponse answer = monitor_->Answer(path, params);
  OrderedJson data = OrderedJson::parse(answer.body, nullptr, false);
  // Health is data whatever it says; other failures are errors.
  if ((answer.status != 200 && path != "/healthz") || data.is_discarded()) {
    std::string description = answer.body;
    while (!description.empty() && description.back() == '\n') description.pop_back();
    Send(reply, ApiErrorJson(ServerInfo(), 500, description));
    return;
  }
  if (path == "/healthz" && data.is_object()) {
    // nats-server 2.10 keeps the HTTP status in the answer here.
    OrderedJson health;
    health["status"] = data.value("status", "");
    health["status_code"] = answer.status;
    for (auto& [key, value] : data.items()) {
      if (key != "status") health[key] = std::move(value);
    }
    data = std::move(health);
  }
  OrderedJson selected = select(std::move(data));
  if (selected.is_null()) {
    Send(reply, ApiErrorJson(ServerInfo(), 500, "account not found"));
    return;
  }
  Send(reply, ApiResponseJson(ServerInfo(), std::move(selected)));
}

OrderedJson SystemAccount::StatszJson() {
  const OrderedJson varz = OrderedJson::parse(monitor_->Answer("/varz", {}).body, nullptr, false);
  OrderedJson s;
  for (const char* key : {"start", "mem", "cores", "cpu", "connections", "total_connections"}) {
    s[key] = varz.value(key, OrderedJson());
  }
  s["active_accounts"] = ConnectionsByAccount().size();
  s["subscriptions"] = varz.value("subscriptions", 0);
  s["sent"] = {{"msgs", varz.value("out_msgs", 0)}, {"bytes", varz.value("out_bytes", 0)}};
  s["received"] = {{"msgs", varz.value("in_msgs", 0)}, {"bytes", varz.value("in_bytes", 0)}};
  s["slow_consumers"] = varz.value("slow_consumers", 0);
  s["active_servers"] = 1;
  if (identity_.jetstream) {
    auto js = varz.find("jetstream");
    if (js != varz.end() && js->is_object() && !js->empty()) {
      OrderedJson jetstream = *js;
      if (jetstream.contains("config")) jetstream["config"].erase("store_dir");
      s["jetstream"] = std::move(jetstream);
    }
  }
  OrderedJson m;
  m["server"] = ServerInfo();
  m["statsz"] = std::move(s);
  return m;
}

std::map<std::string, int> SystemAccount::ConnectionsByAccount() const {
  std::map<std::string, int> by_account;
  for (const core::ConnectionInfo& c : server_->Connections()) ++by_account[c.account];
  return by_account;
}

AccountStat SystemAccount::StatOf(const std::string& account) {
  AccountStat stat;
  stat.account = account;
  for (const core::ConnectionInfo& c : server_->Connections()) {
    if (c.account == account) stat.counts += c.counts;
  }
  if (core::Account* a = server_->FindAccount(account)) {
    stat.conns = a->connections();
    stat.subscriptions = a->sublist().Count();
  }
  absl::MutexLock lock(&mu_);
  auto closed = closed_counts_.find(account);
  if (closed != closed_counts_.end()) stat.counts += closed->second;
  return stat;
}

void SystemAccount::SendAccountConns(const std::string& account, int conns) {
  const std::string subjects[] = {absl::StrCat("$SYS.ACCOUNT.", account, ".SERVER.CONNS"),
                                  absl::StrCat("$SYS.SERVER.ACCOUNT.", account, ".CONNS")};
  if (!Interest(subjects[0]) && !Interest(subjects[1])) return;
  AccountStat stat = StatOf(account);
  if (conns >= 0) stat.conns = conns;
  const OrderedJson event = AccountConnsEventJson(NewEventId(), absl::Now(), ServerInfo(), stat);
  for (const std::string& subject : subjects) {
    if (Interest(subject)) Send(subject, event);
  }
}

bool SystemAccount::WantsConnectEvents(const std::string& account) {
  return account != core::kGlobalAccount &&
         (Interest(absl::StrCat("$SYS.ACCOUNT.", account, ".CONNECT")) ||
          Interest(absl::StrCat("$SYS.ACCOUNT.", account, ".SERVER.CONNS")) ||
          Interest(absl::StrCat("$SYS.SERVER.ACCOUNT.", account, ".CONNS")));
}

int SystemAccount::ConnectionsOf(const std::string& account) const {
  const core::Account* a = server_->FindAccount(account);
  return a == nullptr ? 0 : a->connections();
}

void SystemAccount::OnClientConnected(const core::ConnectionInfo& info) {
  Enqueue([this, info, conns = ConnectionsOf(info.account)] {
    const std::string subject = absl::StrCat("$SYS.ACCOUNT.", info.account, ".CONNECT");
    if (Interest(subject)) {
      Send(subject, ConnectEventJson(NewEventId(), absl::Now(), ServerInfo(), info));
    }
    SendAccountConns(info.account, conns);
  });
}

void SystemAccount::OnClientClosed(const core::ConnectionInfo& info) {
  {
    absl::MutexLock lock(&mu_);
    closed_counts_[info.account] += info.counts;
  }
  if (info.account == core::kGlobalAccount ||
      (!Interest(absl::StrCat("$SYS.ACCOUNT.", info.account, ".DISCONNECT")) &&
       !WantsConnectEvents(info.account))) {
    return;
  }
  Enqueue([this, info, conns = ConnectionsOf(info.account)] {
    const std::string subject = absl::StrCat("$SYS.ACCOUNT.", info.account, ".DISCONNECT");
    if (Interest(subject)) {
      Send(subject, DisconnectEventJson(NewEventId(), info.stop, ServerInfo(), info, info.reason));
    }
    SendAccountConns(info.account, conns);
  });
}

void SystemAccount::OnAuthenticationError(const core::ConnectionInfo& info) {
  Enqueue([this, info] {
    const std::string subject = absl::StrCat("$SYS.SERVER.", identity_.id, ".CLIENT.AUTH.ERR");
    if (!Interest(subject)) return;
    Send(subject, DisconnectEventJson(NewEventId(), absl::Now(), ServerInfo(), info,
                                      "Authentication Failure"));
  });
}

void SystemAccount::OnLameDuckMode() {
  Enqueue([this] {
    const std::string subject = absl::StrCat("$SYS.SERVER.", identity_.id, ".LAMEDUCK");
    if (Interest(subject)) Send(subject, ServerInfo());
  });
}

OrderedJson SystemAccount::ServerInfo() {
  return ServerInfoJson(identity_, seq_.fetch_add(1) + 1, absl::Now());
}

bool SystemAccount::Interest(const std::string& subject) {
  return server_->HasInterestIn(account_, subject);
}

void SystemAccount::Send(const std::string& subject, const OrderedJson& json) {
  server_->PublishIn(account_, subject, "", "", json.dump());
}

}  // namespace jsengine::gateway::monitor
