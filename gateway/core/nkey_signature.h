// The nkey challenge of CONNECT: the server sends a random nonce in INFO, the
// client signs it with its seed (Ed25519) and returns its public key and the
// signature (base64url without padding; standard base64 is accepted too, as
// nats-server does). Uses OpenSSL. Thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_NKEY_SIGNATURE_H_
#define JSENGINE_GATEWAY_CORE_NKEY_SIGNATURE_H_

#include <string>
#include <string_view>

#include "gateway/core/nkey.h"

namespace jsengine::gateway::core {

// A fresh nonce for INFO: 11 random bytes in base64url without padding, as
// nats-server sends.
std::string NewNkeyNonce();

// True if `signature` is `public_key`'s Ed25519 signature of the nonce's text.
bool VerifyNkeySignature(const NkeyBytes& public_key, std::string_view nonce,
                         std::string_view signature);

// What a client does: the public key of a seed, and the signature of a nonce
// (base64url without padding). Empty/zero results on failure.
NkeyBytes NkeyPublicKeyFromSeed(const NkeyBytes& seed);
std::string SignNkeyNonce(const NkeyBytes& seed, std::string_view nonce);

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_NKEY_SIGNATURE_H_
