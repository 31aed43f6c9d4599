#include "gateway/monitor/claims_resolver.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/durable_file.h"
#include "gateway/core/jwt.h"
#include "gateway/core/nkey.h"
#include "gateway/core/operator_config.h"
#include "glog/logging.h"
#include "nlohmann/json.hpp"

namespace jsengine::gateway::monitor {
namespace {

std::vector<std::string> OperatorSigners(const core::ServerOptions& o, bool* strict,
                                         std::string* op) {
  std::vector<std::string> keys;
  *strict = false;
  if (o.operator_mode.operators.empty()) return keys;
  const core::OperatorClaims& first = o.operator_mode.operators[0];
  *op = first.claims.subject;
  *strict = first.strict_signing_key_usage;
  if (!*strict) keys.push_back(first.claims.subject);
  keys.insert(keys.end(), first.signing_keys.begin(), first.signing_keys.end());
  return keys;
}

ServerIdentity IdentityOf(const core::Server& server) {
  ServerIdentity id;
  id.id = server.server_id();
  id.name = server.options().server_name.empty() ? id.id : server.options().server_name;
  id.host = server.options().host;
  id.domain = server.options().jetstream_domain;
  id.jetstream = server.options().jetstream;
  return id;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  return std::string(absl::StripAsciiWhitespace(ss.str()));
}

}  // namespace

ClaimsResolver::ClaimsResolver(core::Server* server, ReloadFunction reload)
    : server_(server),
      reload_(std::move(reload)),
      resolver_(server->options().operator_mode.resolver),
      operator_keys_([&] {
        bool strict;
        std::string op;
        return OperatorSigners(server->options(), &strict, &op);
      }()),
      operator_key_(server->options().operator_mode.operators.empty()
                        ? ""
                        : server->options().operator_mode.operators[0].claims.subject),
      strict_(!server->options().operator_mode.operators.empty() &&
              server->options().operator_mode.operators[0].strict_signing_key_usage),
      identity_(IdentityOf(*server)) {}

ClaimsResolver::~ClaimsResolver() { Stop(); }

std::string ClaimsResolver::PathOf(const std::string& account) const {
  return absl::StrCat(resolver_.dir, "/", account, ".jwt");
}

absl::Status ClaimsResolver::Start() {
  if (started_) return absl::FailedPreconditionError("already started");
  started_ = true;
  for (const auto& [account, jwt] : server_->options().operator_mode.preload) {
    if (absl::Status s = Save(account, jwt); !s.ok()) {
      LOG(WARNING) << "storing preloaded account " << account << ": " << s;
    }
  }
  const std::string system = server_->system_account();
  std::vector<std::string> subjects = {
      "$SYS.REQ.CLAIMS.UPDATE", "$SYS.REQ.ACCOUNT.*.CLAIMS.UPDATE", "$SYS.ACCOUNT.*.CLAIMS.UPDATE",
      "$SYS.REQ.CLAIMS.LIST",   "$SYS.REQ.CLAIMS.DELETE",
  };
  // A cache resolver asks others for JWTs; only a full one answers lookups.
  if (resolver_.type == core::ResolverOptions::Type::kFull) {
    subjects.push_back("$SYS.REQ.ACCOUNT.*.CLAIMS.LOOKUP");
  }
  for (const std::string& subject : subjects) {
    const uint64_t id =
        server_->SubscribeInternalIn(system, subject, "", [this](const core::InboundMessage& m) {
          absl::MutexLock lock(&mu_);
          requests_.push_back(
              {std::string(m.subject), std::string(m.reply), std::string(m.payload)});
        });
    if (id == 0) return absl::InternalError("cannot subscribe to " + subject);
    subscriptions_.push_back(id);
  }
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void ClaimsResolver::Stop() {
  if (!started_) return;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  for (uint64_t id : subscriptions_) server_->UnsubscribeInternal(id);
  if (thread_.joinable()) thread_.join();
}

void ClaimsResolver::Run() {
  while (true) {
    std::deque<Request> batch;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || !requests_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
      batch.swap(requests_);
    }
    for (const Request& r : batch) Handle(r);
  }
}

void ClaimsResolver::Handle(const Request& r) {
  const std::vector<std::string> t = absl::StrSplit(r.subject, '.');
  if (r.subject == "$SYS.REQ.CLAIMS.UPDATE") return HandleUpdate("", r);
  if (r.subject == "$SYS.REQ.CLAIMS.LIST") return HandleList(r);
  if (r.subject == "$SYS.REQ.CLAIMS.DELETE") return HandleDelete(r);
  if (t.size() == 6 && t[5] == "UPDATE") return HandleUpdate(t[3], r);
  if (t.size() == 5 && t[4] == "UPDATE") return HandleUpdate(t[2], r);
  if (t.size() == 6 && t[5] == "LOOKUP") return HandleLookup(t[3], r);
}

void ClaimsResolver::Respond(const std::string& reply, const std::string& account,
                             const std::string& message, const absl::Status& error) {
  if (error.ok()) {
    VLOG(1) << message << (account.empty() ? "" : " - ") << account;
  } else {
    LOG(ERROR) << message << (account.empty() ? "" : " - ") << account << " - " << error.message();
  }
  if (reply.empty()) return;
  OrderedJson m = OrderedJson::object();
  if (!account.empty()) m["account"] = account;
  OrderedJson response;
  const OrderedJson server = ServerInfoJson(identity_, 0, absl::Now());
  if (error.ok()) {
    m["code"] = 200;
    m["message"] = message;
    response = {{"server", server}, {"data", m}};
  } else {
    m["code"] = 500;
    m["description"] = absl::StrCat(message, " - ", error.message());
    response = {{"server", server}, {"error", m}};
  }
  server_->PublishIn(server_->system_account(), reply, "", "", response.dump());
}

absl::Status ClaimsResolver::Save(const std::string& account, const std::string& jwt) {
  absl::StatusOr<core::JwtClaims> fresh = core::DecodeJwt(jwt);
  if (!fresh.ok()) return fresh.status();
  const std::string path = PathOf(account);
  if (absl::StatusOr<core::JwtClaims> stored = core::DecodeJwt(ReadFile(path)); stored.ok()) {
    if (stored->id == fresh->id || stored->issued_at > fresh->issued_at) return absl::OkStatus();
  }
  return common::WriteFileAtomically(path, jwt);
}

void ClaimsResolver::Apply() {
  core::ServerOptions next = server_->reloaded_options();
  next.operator_mode.preload.clear();  // the directory holds what counts now
  if (absl::Status s = core::LoadOperatorAccounts(&next, absl::Now()); !s.ok()) {
    LOG(ERROR) << "DirResolver - reloading accounts: " << s;
    return;
  }
  // JetStream for an account added after start needs a restart (as for a
  // configuration reload): the account is served without it until then.
  const std::vector<core::AccountOptions>& at_start = server_->options().accounts;
  for (core::AccountOptions& a : next.accounts) {
    if (!a.jetstream || !server_->options().jetstream) continue;
    const bool known =
        std::any_of(at_start.begin(), at_start.end(),
                    [&a](const core::AccountOptions& s) { return s.name == a.name; });
    if (!known) {
      LOG(WARNING) << "DirResolver - account " << a.name
                   << " added after start: JetStream for it needs a restart";
      a.jetstream = false;
    }
  }
  if (absl::Status s = reload_(next); !s.ok()) {
    LOG(ERROR) << "DirResolver - applying accounts: " << s;
  }
}

void ClaimsResolver::HandleUpdate(const std::string& subject_account, const Request& r) {
  // A cache resolver says so in its answers and keeps only accounts the
  // server already has.
  const bool cache = resolver_.type == core::ResolverOptions::Type::kCache;
  const std::string failed =
      cache ? "jwt update cache resulted in error" : "jwt update resulted in error";
  absl::StatusOr<core::AccountClaims> claims = core::DecodeAccountClaims(r.payload);
  if (!claims.ok()) return Respond(r.reply, "n/a", failed, claims.status());
  const std::string& account = claims->claims.subject;
  if (!subject_account.empty() && account != subject_account) {
    return Respond(r.reply, subject_account, failed,
                   absl::InvalidArgumentError("subject does not match jwt content"));
  }
  if (strict_ && claims->claims.issuer == operator_key_) {
    return Respond(r.reply, account, failed,
                   absl::InvalidArgumentError("operator requires issuer to be a signing key"));
  }
  if (cache && server_->FindAccount(account) == nullptr) {
    return Respond(r.reply, account, "jwt update cache skipped", absl::OkStatus());
  }
  if (absl::Status s = Save(account, r.payload); !s.ok()) {
    return Respond(r.reply, account, failed, s);
  }
  Apply();
  Respond(r.reply, account, cache ? "jwt updated cache" : "jwt updated", absl::OkStatus());
}

void ClaimsResolver::HandleLookup(const std::string& account, const Request& r) {
  if (r.reply.empty()) return;
  server_->PublishIn(server_->system_account(), r.reply, "", "", ReadFile(PathOf(account)));
}

void ClaimsResolver::HandleList(const Request& r) {
  if (r.reply.empty()) return;
  std::vector<std::string> accounts;
  if (DIR* d = opendir(resolver_.dir.c_str())) {
    while (struct dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (absl::EndsWith(name, ".jwt")) accounts.push_back(name.substr(0, name.size() - 4));
    }
    closedir(d);
  }
  std::sort(accounts.begin(), accounts.end());
  OrderedJson response = {{"server", ServerInfoJson(identity_, 0, absl::Now())},
                          {"data", accounts}};
  server_->PublishIn(server_->system_account(), r.reply, "", "", response.dump());
}

void ClaimsResolver::HandleDelete(const Request& r) {
  absl::StatusOr<core::JwtClaims> request = core::DecodeJwt(r.payload);
  std::vector<std::string> accounts;
  std::string subject;
  absl::Status error = request.status();
  if (request.ok()) {
    subject = request->subject;
    const nlohmann::json data = nlohmann::json::parse(request->nats, nullptr, false);
    auto list = data.is_object() ? data.find("accounts") : data.end();
    if (!resolver_.allow_delete) {
      error = absl::FailedPreconditionError("delete must be enabled in server config");
    } else if (request->subject != request->issuer) {
      error = absl::PermissionDeniedError("not self signed");
    } else if (std::find(operator_keys_.begin(), operator_keys_.end(), request->issuer) ==
               operator_keys_.end()) {
      error = absl::PermissionDeniedError("not trusted");
    } else if (!data.is_object() || list == data.end() || !list->is_array()) {
      error = absl::InvalidArgumentError("malformed request");
    } else {
      for (const nlohmann::json& entry : *list) {
        if (!entry.is_string() ||
            !core::DecodePublicKey(entry.get<std::string>(), core::kNkeyPrefixAccount).ok()) {
          error = absl::InvalidArgumentError("malformed request");
          break;
        }
        if (entry.get<std::string>() == server_->system_account()) {
          error = absl::InvalidArgumentError("not allowed to delete system account");
          break;
        }
        accounts.push_back(entry.get<std::string>());
      }
    }
  }
  if (!error.ok()) {
    return Respond(r.reply, "", absl::StrCat("delete accounts request by ", subject, " failed"),
                   error);
  }
  std::vector<std::string> errors;
  for (const std::string& account : accounts) {
    const std::string path = PathOf(account);
    if (access(path.c_str(), F_OK) != 0) continue;
    const int rc = resolver_.hard_delete ? std::remove(path.c_str())
                                         : std::rename(path.c_str(), (path + ".deleted").c_str());
    if (rc != 0) errors.push_back(absl::StrCat("delete ", path, " failed"));
  }
  Apply();
  const int passed = static_cast<int>(accounts.size() - errors.size());
  if (errors.empty()) {
    Respond(r.reply, "", absl::StrCat("deleted ", passed, " accounts"), absl::OkStatus());
  } else {
    Respond(r.reply, "", absl::StrCat("deleted ", passed, " accounts, failed for ", errors.size()),
            absl::InternalError(absl::StrJoin(errors, "\n")));
  }
}

}  // namespace jsengine::gateway::monitor
