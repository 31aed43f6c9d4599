#include "gateway/core/nkey.h"

#include "absl/status/status.h"

namespace jsengine::gateway::core {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr size_t kPublicKeyRawSize = 1 + 32 + 2;
constexpr size_t kSeedRawSize = 2 + 32 + 2;

std::string Base32Encode(std::string_view data) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : data) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

bool Base32Decode(std::string_view text, std::string* out) {
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= '2' && c <= '7') {
      v = c - '2' + 26;
    } else {
      return false;
    }
    buffer = (buffer << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out->push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  // Canonical text only: the bits past the last whole byte are zero.
  return bits == 0 || (buffer & ((1u << bits) - 1)) == 0;
}

// Checks size and checksum; returns the bytes before the checksum.
absl::StatusOr<std::string> DecodeChecked(std::string_view text, size_t raw_size) {
  if (text.size() != (raw_size * 8 + 4) / 5)
    return absl::InvalidArgumentError("nkey: invalid length");
  std::string raw;
  if (!Base32Decode(text, &raw)) return absl::InvalidArgumentError("nkey: invalid encoding");
  if (raw.size() != raw_size) return absl::InvalidArgumentError("nkey: invalid length");
  const std::string_view body(raw.data(), raw.size() - 2);
  const uint16_t crc = static_cast<uint8_t>(raw[raw.size() - 2]) |
                       static_cast<uint16_t>(static_cast<uint8_t>(raw[raw.size() - 1])) << 8;
  if (crc != NkeyCrc16(body)) return absl::InvalidArgumentError("nkey: invalid checksum");
  raw.resize(raw.size() - 2);
  return raw;
}

std::string EncodeChecked(std::string raw) {
  const uint16_t crc = NkeyCrc16(raw);
  raw.push_back(static_cast<char>(crc & 0xff));
  raw.push_back(static_cast<char>(crc >> 8));
  return Base32Encode(raw);
}

NkeyBytes Tail(std::string_view raw) {
  NkeyBytes key;
  for (size_t i = 0; i < key.size(); ++i) key[i] = raw[raw.size() - key.size() + i];
  return key;
}

}  // namespace

uint16_t NkeyCrc16(std::string_view data) {
  uint16_t crc = 0;
  for (unsigned char c : data) {
    crc ^= static_cast<uint16_t>(c) << 8;
    for (int i = 0; i < 8; ++i) {
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                           : static_cast<uint16_t>(crc << 1);
    }
  }
  return crc;
}

absl::StatusOr<NkeyBytes> DecodePublicKey(std::string_view text, uint8_t prefix) {
  absl::StatusOr<std::string> raw = DecodeChecked(text, kPublicKeyRawSize);
  if (!raw.ok()) return raw.status();
  if (static_cast<uint8_t>((*raw)[0]) != prefix) {
    return absl::InvalidArgumentError(prefix == kNkeyPrefixUser ? "nkey: not a user public key"
                                                                : "nkey: wrong key type");
  }
  return Tail(*raw);
}

absl::StatusOr<NkeyBytes> DecodeUserPublicKey(std::string_view text) {
  return DecodePublicKey(text, kNkeyPrefixUser);
}

absl::StatusOr<NkeyBytes> DecodeUserSeed(std::string_view text) {
  absl::StatusOr<std::string> raw = DecodeChecked(text, kSeedRawSize);
  if (!raw.ok()) return raw.status();
  const uint8_t b1 = (*raw)[0], b2 = (*raw)[1];
  if ((b1 & 0xf8) != kNkeyPrefixSeed ||
      static_cast<uint8_t>(((b1 & 7) << 5) | (b2 >> 3)) != kNkeyPrefixUser) {
    return absl::InvalidArgumentError("nkey: not a user seed");
  }
  return Tail(*raw);
}

std::string EncodeUserPublicKey(const NkeyBytes& key) {
  return EncodePublicKey(key, kNkeyPrefixUser);
}

std::string EncodePublicKey(const NkeyBytes& key, uint8_t prefix) {
  std::string raw(1, static_cast<char>(prefix));
  raw.append(key.begin(), key.end());
  return EncodeChecked(std::move(raw));
}

std::string EncodeUserSeed(const NkeyBytes& seed) {
  std::string raw;
  raw.push_back(static_cast<char>(kNkeyPrefixSeed | (kNkeyPrefixUser >> 5)));
  raw.push_back(static_cast<char>((kNkeyPrefixUser & 31) << 3));
  raw.append(seed.begin(), seed.end());
  return EncodeChecked(std::move(raw));
}

}  // namespace jsengine::gateway::core
