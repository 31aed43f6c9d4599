#include "gateway/monitor/account_json.h"

#include <cstdint>
#include <vector>

namespace jsengine::gateway::monitor {
namespace {

using Json = nlohmann::ordered_json;

Json ExportJson(const core::AccountExport& e, bool service) {
  Json j;
  j["subject"] = e.subject;
  j["type"] = service ? "service" : "stream";
  if (service) {
    using Type = core::AccountExport::ResponseType;
    j["response_type"] = e.response_type == Type::kStream    ? "Stream"
                         : e.response_type == Type::kChunked ? "Chunked"
                                                             : "Singleton";
  }
  if (service && !e.latency_subject.empty()) {
    Json latency;
    if (e.latency_headers) {
      latency["sampling"] = "headers";
    } else {
      latency["sampling"] = e.latency_sampling;
    }
    latency["results"] = e.latency_subject;
    j["service_latency"] = std::move(latency);
  }
  if (!e.accounts.empty()) j["approved_accounts"] = e.accounts;
  return j;
}

Json ImportJson(const core::AccountImport& i, bool service) {
  const std::string& local = i.to.empty() ? i.subject : i.to;
  // As nats-server 2.10 (2.9.17 and later): "subject" is the exporter's,
  // "local_subject" the importer's ("to" repeats it for services).
  Json j;
  j["subject"] = i.subject;
  j["account"] = i.account;
  if (service) j["to"] = local;
  j["local_subject"] = local;
  j["type"] = service ? "service" : "stream";
  j["invalid"] = false;
  j["share"] = false;
  j["tracking"] = false;
  return j;
}

// A stream info (or consumer info) of the JetStream API as /jsz shows it:
// the fields `keep` names, in that order, those present.
Json Pick(const Json& info, const std::vector<const char*>& keep) {
  Json j = Json::object();
  for (const char* key : keep) {
    auto it = info.find(key);
    if (it != info.end()) j[key] = *it;
  }
  return j;
}

}  // namespace

Json AccountExportsJson(const core::AccountOptions& account) {
  Json list = Json::array();
  for (const core::AccountExport& e : account.stream_exports) list.push_back(ExportJson(e, false));
  for (const core::AccountExport& e : account.service_exports) list.push_back(ExportJson(e, true));
  return list;
}

Json AccountImportsJson(const core::AccountOptions& account) {
  Json list = Json::array();
  for (const core::AccountImport& i : account.stream_imports) list.push_back(ImportJson(i, false));
  for (const core::AccountImport& i : account.service_imports) list.push_back(ImportJson(i, true));
  return list;
}

Json JszAccountJson(const AccountJetStream& account, const JszDetail& detail,
                    const std::string& leader) {
  Json j;
  j["name"] = account.name;
  j["id"] = account.name;
  j["memory"] = account.usage.memory;
  j["storage"] = account.usage.storage;
  // As nats-server 2.9: the account's limits as unsigned numbers (so
  // unlimited, -1, is 2^64-1).
  j["reserved_memory"] = static_cast<uint64_t>(account.limits.max_memory);
  j["reserved_storage"] = static_cast<uint64_t>(account.limits.max_storage);
  j["accounts"] = 0;
  j["ha_assets"] = 0;
  j["api"] = {{"total", account.api.total}, {"errors", account.api.errors}};
  if (!detail.streams && !detail.consumers) return j;
  Json streams = Json::array();
  for (const AccountJetStream::Stream& s : account.streams) {
    const Json info = Json::parse(s.info, nullptr, false);
    if (info.is_discarded()) continue;
    Json stream;
    stream["name"] = info.contains("config") ? info["config"].value("name", "") : "";
    stream["created"] = info.value("created", "");
    stream["cluster"] = {{"leader", leader}};
    if (detail.config && info.contains("config")) stream["config"] = info["config"];
    if (info.contains("state")) stream["state"] = info["state"];
    if (detail.consumers && !s.consumers.empty()) {
      Json consumers = Json::array();
      for (const std::string& c : s.consumers) {
        const Json consumer = Json::parse(c, nullptr, false);
        if (consumer.is_discarded()) continue;
        std::vector<const char*> keep = {"stream_name", "name", "created"};
        if (detail.config) keep.push_back("config");
        for (const char* key : {"delivered", "ack_floor", "num_ack_pending", "num_redelivered",
                                "num_waiting", "num_pending", "push_bound", "ts"}) {
          keep.push_back(key);
        }
        consumers.push_back(Pick(consumer, keep));
      }
      stream["consumer_detail"] = std::move(consumers);
    }
    streams.push_back(std::move(stream));
  }
  if (!streams.empty()) j["stream_detail"] = std::move(streams);
  return j;
}

}  // namespace jsengine::gateway::monitor
