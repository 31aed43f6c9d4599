// The NATS nkey text encoding (github.com/nats-io/nkeys): a prefix byte naming
// the key's role, the raw Ed25519 key, and a CRC-16/XMODEM of both (little
// endian), in base32 (RFC 4648 alphabet, no padding). User public keys start
// with 'U', account public keys with 'A', seeds with 'S'. Pure functions;
// thread-safe.
//
//   absl::StatusOr<NkeyBytes> key = DecodeUserPublicKey("UDXU4RCS...");
#ifndef JSENGINE_GATEWAY_CORE_NKEY_H_
#define JSENGINE_GATEWAY_CORE_NKEY_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace jsengine::gateway::core {

constexpr uint8_t kNkeyPrefixSeed = 18 << 3;  // 'S'
constexpr uint8_t kNkeyPrefixUser = 20 << 3;  // 'U'
constexpr uint8_t kNkeyPrefixAccount = 0;     // 'A'
constexpr uint8_t kNkeyPrefixOperator = 14 << 3;  // 'O'

// A raw Ed25519 public key or seed.
using NkeyBytes = std::array<uint8_t, 32>;

// CRC-16/XMODEM (polynomial 0x1021, initial value 0), as nkeys computes it.
uint16_t NkeyCrc16(std::string_view data);

// Decodes a user public key ("U..."): InvalidArgument if it is not base32, has
// the wrong length or prefix, or fails its checksum.
absl::StatusOr<NkeyBytes> DecodeUserPublicKey(std::string_view text);
// The same for a public key of the role `prefix` (kNkeyPrefixAccount, ...).
absl::StatusOr<NkeyBytes> DecodePublicKey(std::string_view text, uint8_t prefix);

// Decodes a user seed ("SU..."), as held by clients, into its Ed25519 seed.
absl::StatusOr<NkeyBytes> DecodeUserSeed(std::string_view text);

// The text forms of a user's public key and seed.
std::string EncodeUserPublicKey(const NkeyBytes& key);
std::string EncodeUserSeed(const NkeyBytes& seed);
// The text form of a public key of the role `prefix`.
std::string EncodePublicKey(const NkeyBytes& key, uint8_t prefix);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_NKEY_H_
