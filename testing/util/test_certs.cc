#include "testing/util/test_certs.h"

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "testing/util/temp_dir.h"

namespace jsengine::testing::util {
namespace {

bool RunQuietly(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace

bool MakeTestCerts(TestCerts* c) {
  c->dir = MakeTempDir("tls-");
  const std::string& d = c->dir;
  auto pem = [&](const std::string& name) { return absl::StrCat(d, "/", name, ".pem"); };
  c->ca = pem("ca");
  c->other_ca = pem("other-ca");
  c->server = pem("server");
  c->server_key = pem("server-key");
  c->client = pem("client");
  c->client_key = pem("client-key");
  c->service = pem("service");
  c->service_key = pem("service-key");
  c->stranger = pem("stranger");
  c->stranger_key = pem("stranger-key");
  std::ofstream(d + "/server.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                   << "extendedKeyUsage=serverAuth\n";
  std::ofstream(d + "/client.ext") << "extendedKeyUsage=clientAuth\n";
  std::ofstream(d + "/service.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                    << "extendedKeyUsage=serverAuth,clientAuth\n";
  const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  auto ca = [&](const std::string& name) {
    return RunQuietly(absl::StrCat("openssl req -x509 ", key, " -days 2 -subj /CN=", name,
                                   " -keyout ", pem(name + "-key"), " -out ", pem(name)));
  };
  auto issue = [&](const std::string& ca_name, const std::string& name, const std::string& ext) {
    return RunQuietly(absl::StrCat("openssl req ", key, " -subj /CN=", name, " -keyout ",
                                   pem(name + "-key"), " -out ", d, "/", name, ".csr")) &&
           RunQuietly(absl::StrCat("openssl x509 -req -days 2 -in ", d, "/", name, ".csr -CA ",
                                   pem(ca_name), " -CAkey ", pem(ca_name + "-key"),
                                   " -CAcreateserial -extfile ", d, "/", ext, " -out ", pem(name)));
  };
  return ca("ca") && ca("other-ca") && issue("ca", "server", "server.ext") &&
         issue("ca", "client", "client.ext") && issue("ca", "service", "service.ext") &&
         issue("other-ca", "stranger", "client.ext");
}

}  // namespace jsengine::testing::util
