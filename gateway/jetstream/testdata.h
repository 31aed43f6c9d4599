// Golden replies captured from nats-server 2.9.10 (testdata/capture.py),
// read by the tests. Test-only.
#ifndef JSENGINE_GATEWAY_JETSTREAM_TESTDATA_H_
#define JSENGINE_GATEWAY_JETSTREAM_TESTDATA_H_

#include <string>

#include "absl/strings/string_view.h"

namespace jsengine {
namespace jetstream {

// The bytes of gateway/jetstream/testdata/<name>; aborts the test binary
// when the file is missing (a broken checkout, not a test outcome).
std::string Golden(absl::string_view name);

}  // namespace jetstream
}  // namespace jsengine

#endif  // JSENGINE_GATEWAY_JETSTREAM_TESTDATA_H_
