#include "tools/jsm/prompter.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace jsengine::tools::jsm {

void Prompter::Say(absl::string_view line) { out_ << line << "\n" << std::flush; }

absl::StatusOr<std::string> Prompter::Ask(absl::string_view question) {
  out_ << question << ": " << std::flush;
  std::string line;
  if (!std::getline(in_, line)) {
    out_ << "\n" << std::flush;
    return absl::CancelledError(absl::StrCat("no answer to \"", question, "\""));
  }
  return std::string(absl::StripAsciiWhitespace(line));
}

}  // namespace jsengine::tools::jsm
