#include "gateway/core/cert_identity.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace jsengine::gateway::core {
namespace {

// Splits an RFC 4514 string into (TYPE, value) pairs at unescaped ',', ';'
// and '+'; false if a part has no '='.
bool ParseDn(std::string_view text, std::vector<std::pair<std::string, std::string>>* out) {
  std::string part;
  auto finish = [&]() {
    const size_t eq = part.find('=');
    if (eq == std::string::npos) return false;
    std::string type(absl::StripAsciiWhitespace(part.substr(0, eq)));
    std::string value(absl::StripAsciiWhitespace(part.substr(eq + 1)));
    out->emplace_back(absl::AsciiStrToUpper(type), std::move(value));
    part.clear();
    return true;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      part.push_back(text[++i]);
    } else if (c == ',' || c == ';' || c == '+') {
      if (!finish()) return false;
    } else {
      part.push_back(c);
    }
  }
  return finish();
}

}  // namespace

bool DistinguishedNameMatches(std::string_view user, const CertIdentity& identity) {
  if (identity.subject.empty()) return false;
  std::vector<std::pair<std::string, std::string>> wanted;
  if (!ParseDn(user, &wanted)) return false;
  std::vector<std::pair<std::string, std::string>> have;
  for (const auto& [type, value] : identity.subject) {
    have.emplace_back(absl::AsciiStrToUpper(type), value);
  }
  std::sort(wanted.begin(), wanted.end());
  std::sort(have.begin(), have.end());
  return wanted == have;
}

}  // namespace jsengine::gateway::core
