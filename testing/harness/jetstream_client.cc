#include "testing/harness/jetstream_client.h"

#include "absl/strings/str_cat.h"

namespace jsengine::testing::harness {

absl::Status JetStreamClient::Connect(const std::string& url, int64_t api_wait_ms) {
  Close();
  if (natsStatus s = natsConnection_ConnectTo(&nc_, url.c_str()); s != NATS_OK) {
    nc_ = nullptr;
    return absl::UnavailableError(absl::StrCat("connecting to ", url, ": ", natsStatus_GetText(s),
                                               " ", nats_GetLastError(nullptr)));
  }
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = api_wait_ms;
  if (natsStatus s = natsConnection_JetStream(&js_, nc_, &options); s != NATS_OK) {
    js_ = nullptr;
    Close();
    return absl::InternalError(absl::StrCat("JetStream context: ", natsStatus_GetText(s)));
  }
  return absl::OkStatus();
}

natsStatus AddStream(jsCtx* js, const char* name, const char* subject,
                     const std::function<void(jsStreamConfig&)>& adjust, jsErrCode* error) {
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  const char* subjects[] = {subject};
  config.Name = name;
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  if (adjust) adjust(config);
  jsErrCode ignored;
  return js_AddStream(nullptr, js, &config, nullptr, error != nullptr ? error : &ignored);
}

natsStatus JetStreamClient::AddStream(const char* name, const char* subject,
                                      jsStorageType storage) {
  return harness::AddStream(js_, name, subject,
                            [storage](jsStreamConfig& config) { config.Storage = storage; });
}

void JetStreamClient::Close() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (nc_ != nullptr) natsConnection_Destroy(nc_);
  js_ = nullptr;
  nc_ = nullptr;
}

}  // namespace jsengine::testing::harness
