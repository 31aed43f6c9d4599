// What the operator-mode tests share: JWT claims as nsc writes them
// (unlimited unless said otherwise: a JWT without limits allows nothing)
// and libnats connections with a creds file the test writes.
#ifndef JSENGINE_TESTING_CORE_JWT_CLIENTS_H_
#define JSENGINE_TESTING_CORE_JWT_CLIENTS_H_

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gateway/core/jwt_testing.h"
#include "nats/nats.h"
#include "nlohmann/json.hpp"

namespace jsengine::testing::core {

// An account JWT's "nats" claims: `nats` with type "account" and every
// limit nsc sets, unlimited unless `nats["limits"]` says otherwise.
inline nlohmann::json UnlimitedAccount(nlohmann::json nats) {
  nats["type"] = "account";
  nlohmann::json limits = {{"conn", -1}, {"subs", -1},    {"payload", -1}, {"data", -1},
                           {"leaf", -1}, {"imports", -1}, {"exports", -1}, {"wildcards", true}};
  if (nats.contains("limits")) limits.update(nats["limits"]);
  nats["limits"] = limits;
  return nats;
}

// An operator JWT signed by `op`, naming `system_account`.
inline std::string OperatorJwt(const gateway::core::TestNkey& op,
                               const gateway::core::TestNkey& system_account) {
  return gateway::core::SignJwt(
      {{"sub", op.public_key},
       {"nats", {{"type", "operator"}, {"system_account", system_account.public_key}}}},
      op);
}

// A user JWT's "nats" claims: type "user", unlimited subs/payload/data
// unless `nats` sets them.
inline nlohmann::json UnlimitedUser(nlohmann::json nats) {
  nats["type"] = "user";
  for (const char* limit : {"subs", "payload", "data"}) {
    if (!nats.contains(limit)) nats[limit] = -1;
  }
  return nats;
}

// Writes `user`'s creds file (JWT and seed) into `dir`; returns its path.
inline std::string WriteCreds(const std::string& dir, const std::string& jwt,
                              const gateway::core::TestNkey& user) {
  const std::string path = absl::StrCat(dir, "/", user.public_key, ".creds");
  std::ofstream(path) << gateway::core::CredsFile(jwt, user.seed);
  return path;
}

// Connects with a creds file. libnats before 3.10 (Debian's is 3.4.1)
// leaves the signature out of CONNECT when its first byte is zero (nats.c
// issue 705), for one nonce in 256: a failure is tried again (a real
// refusal fails every time).
inline natsStatus ConnectWithCreds(int port, const std::string& creds, natsConnection** nc) {
  natsStatus s = NATS_ERR;
  for (int attempt = 0; attempt < 4 && s != NATS_OK; ++attempt) {
    natsOptions* opts = LocalClientOptions(port);
    natsOptions_SetUserCredentialsFromFiles(opts, creds.c_str(), nullptr);
    s = natsConnection_Connect(nc, opts);
    natsOptions_Destroy(opts);
  }
  return s;
}

}  // namespace jsengine::testing::core

#endif  // JSENGINE_TESTING_CORE_JWT_CLIENTS_H_
