// Certificates for TLS tests, made at run time with the openssl command line
// tool in a fresh temporary directory: a CA, a server certificate naming
// 127.0.0.1 and localhost, a client certificate, a service certificate good
// for both ends (what a service presents as a gRPC server and as a client of
// another service), and a client certificate from a second CA nobody trusts.
// EC keys: quick to generate.
//
//   TestCerts certs;
//   ASSERT_TRUE(MakeTestCerts(&certs)) << "openssl failed in " << certs.dir;
//
// Thread-compatible.
#ifndef JSENGINE_TESTING_UTIL_TEST_CERTS_H_
#define JSENGINE_TESTING_UTIL_TEST_CERTS_H_

#include <string>

namespace jsengine::testing::util {

// Paths of PEM files.
struct TestCerts {
  std::string dir;
  std::string ca, server, server_key, client, client_key;
  std::string service, service_key;
  // A client certificate from a CA the others do not trust.
  std::string stranger, stranger_key;
  std::string other_ca;
};

// False when openssl failed.
bool MakeTestCerts(TestCerts* certs);

}  // namespace jsengine::testing::util

#endif  // JSENGINE_TESTING_UTIL_TEST_CERTS_H_
