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

natsStatus JetStreamClient::AddStream(const char* name, const char* subject,
                                      jsStorageType storage) {
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  const char* subjects[] = {subject};
  config.Name = name;
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = storage;
  jsErrCode error;
  return js_AddStream(nullptr, js_, &config, nullptr, &error);
}

void JetStreamClient::Close() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (nc_ != nullptr) natsConnection_Destroy(nc_);
  js_ = nullptr;
  nc_ = nullptr;
}

}  // namespace jsengine::testing::harness
