// Asks the user for values no flag gave, one line each, as the seed's jsm
// did: "Name: " and the answer on the same line.
//
//   Prompter prompter(std::cin, std::cout);
//   prompter.Say("Enter the following information");
//   absl::StatusOr<std::string> name = prompter.Ask("Name");
//
// jsm makes one only when stdin is a terminal; tests feed it strings.
//
// Thread-safety: not thread-safe; `in` and `out` must outlive it.
#ifndef JSENGINE_TOOLS_JSM_PROMPTER_H_
#define JSENGINE_TOOLS_JSM_PROMPTER_H_

#include <istream>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jsengine::tools::jsm {

class Prompter {
 public:
  Prompter(std::istream& in, std::ostream& out) : in_(in), out_(out) {}

  // Prints `line` and a newline.
  void Say(absl::string_view line);

  // Prints "<question>: " and returns the next input line without its
  // surrounding white space; Cancelled when the input ends first.
  absl::StatusOr<std::string> Ask(absl::string_view question);

 private:
  std::istream& in_;
  std::ostream& out_;
};

}  // namespace jsengine::tools::jsm

#endif  // JSENGINE_TOOLS_JSM_PROMPTER_H_
