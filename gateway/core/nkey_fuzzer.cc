// libFuzzer target for nkey decoding (public keys come from config files and
// CONNECT). Besides crashes it checks that what decodes encodes back to the
// same text, and that signature checks of arbitrary input never pass.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gateway/core/nkey.h"
#include "gateway/core/nkey_signature.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace jsengine::gateway::core;
  absl::StatusOr<NkeyBytes> key = DecodeUserPublicKey(input);
  if (key.ok()) {
    if (EncodeUserPublicKey(*key) != input) std::abort();
    if (VerifyNkeySignature(*key, "nonce", input)) std::abort();
  }
  absl::StatusOr<NkeyBytes> seed = DecodeUserSeed(input);
  if (seed.ok() && EncodeUserSeed(*seed) != input) std::abort();
  return 0;
}
