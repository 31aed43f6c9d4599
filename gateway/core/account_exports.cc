#include "gateway/core/account_exports.h"

#include <algorithm>

#include "common/subject.h"

namespace jsengine::gateway::core {
namespace {

std::vector<std::string_view> Tokens(std::string_view subject) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t dot = subject.find('.', start);
    out.push_back(subject.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return out;
    start = dot + 1;
  }
}

std::string Join(const std::vector<std::string_view>& tokens, size_t from) {
  std::string out;
  for (size_t i = from; i < tokens.size(); ++i) {
    if (i > from) out.push_back('.');
    out.append(tokens[i]);
  }
  return out;
}

std::vector<std::string_view> Wildcards(std::string_view pattern) {
  std::vector<std::string_view> out;
  for (std::string_view token : Tokens(pattern)) {
    if (token == "*" || token == ">") out.push_back(token);
  }
  return out;
}

}  // namespace

const AccountExport* FindExport(const std::vector<AccountExport>& exports, std::string_view subject,
                                std::string_view importer) {
  for (const AccountExport& e : exports) {
    if (!common::SubjectIsSubsetOf(subject, e.subject)) continue;
    if (e.accounts.empty() ||
        std::find(e.accounts.begin(), e.accounts.end(), importer) != e.accounts.end()) {
      return &e;
    }
  }
  return nullptr;
}

bool ExportAllows(const std::vector<AccountExport>& exports, std::string_view subject,
                  std::string_view importer) {
  return FindExport(exports, subject, importer) != nullptr;
}

bool ImportMapping::Valid(std::string_view from, std::string_view to) {
  return common::IsValidSubject(to) && Wildcards(from) == Wildcards(to);
}

std::string ImportMapping::Map(std::string_view from, std::string_view to,
                               std::string_view subject) {
  if (from == to) return std::string(subject);
  const std::vector<std::string_view> pattern = Tokens(from);
  const std::vector<std::string_view> tokens = Tokens(subject);
  std::vector<std::string> values;
  for (size_t i = 0; i < pattern.size() && i < tokens.size(); ++i) {
    if (pattern[i] == "*") {
      values.emplace_back(tokens[i]);
    } else if (pattern[i] == ">") {
      values.push_back(Join(tokens, i));
      break;
    }
  }
  std::string out;
  size_t next = 0;
  for (std::string_view token : Tokens(to)) {
    if (!out.empty()) out.push_back('.');
    if ((token == "*" || token == ">") && next < values.size()) {
      out.append(values[next++]);
    } else {
      out.append(token);
    }
  }
  return out;
}

}  // namespace jsengine::gateway::core
