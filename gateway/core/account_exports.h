// Rules of exports and imports between accounts: whether an export lets an
// account import a subject, and how an import renames subjects (its `to` or
// `prefix`). Pure functions, thread-safe.
#ifndef JSENGINE_GATEWAY_CORE_ACCOUNT_EXPORTS_H_
#define JSENGINE_GATEWAY_CORE_ACCOUNT_EXPORTS_H_

#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/account_options.h"

namespace jsengine::gateway::core {

// True if one of `exports` covers `subject` (equal to it or wider) and is
// public or lists `importer`.
bool ExportAllows(const std::vector<AccountExport>& exports, std::string_view subject,
                  std::string_view importer);
// That export; null when none allows it.
const AccountExport* FindExport(const std::vector<AccountExport>& exports, std::string_view subject,
                                std::string_view importer);

// Maps subjects matching `from` onto `to`, whose wildcards take the values of
// `from`'s in order: with from "a.*.>" and to "x.*.y.>", "a.1.2.3" becomes
// "x.1.y.2.3".
class ImportMapping {
 public:
  // True if `to` is a subject with the same sequence of wildcards as `from`.
  static bool Valid(std::string_view from, std::string_view to);
  // `subject` must match `from`.
  static std::string Map(std::string_view from, std::string_view to, std::string_view subject);
};

}  // namespace jsengine::gateway::core

#endif  // JSENGINE_GATEWAY_CORE_ACCOUNT_EXPORTS_H_
