// What `add`, `add-obs` and `edit` send: values from flags first; on a
// terminal, the seed article's prompts for the ones no flag gave.
//
//   jsm add                      asks Name, Subjects, Limits (msgs, bytes,
//                                age), Storage
//   jsm add S --subjects 'a.>'   asks only Limits and Storage
//   jsm add-obs                  asks Message Set Name, Durable Name, Push or
//                                Pull, Delivery Subject (push only), Deliver
//                                All? (Y|n), AckPolicy (push only: pull is
//                                always explicit), Replay Policy
//
// Without a terminal (`prompter` null) values not given take the seed's
// defaults, and a missing name, durable name or push/pull choice is an
// error saying which flag to give.
//
// Thread-safety: stateless.
#ifndef JSENGINE_TOOLS_JSM_CONFIGS_H_
#define JSENGINE_TOOLS_JSM_CONFIGS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/consumer.pb.h"
#include "proto/store.pb.h"
#include "tools/jsm/args.h"
#include "tools/jsm/prompter.h"

namespace jsengine::tools::jsm {

// The message set `jsm add [name] [flags]` creates.
absl::StatusOr<v1::StreamConfig> NewStreamConfig(const Args& args, Prompter* prompter);

// The observable `jsm add-obs [set] [durable] [flags]` creates.
absl::StatusOr<v1::CreateConsumerRequest> NewConsumerRequest(const Args& args, Prompter* prompter);

// `jsm edit`: applies --subjects, --max-msgs, --max-bytes, --max-age and
// --retention to `config`; InvalidArgument when none of them is given.
absl::Status ApplyStreamEdits(const Args& args, v1::StreamConfig* config);

}  // namespace jsengine::tools::jsm

#endif  // JSENGINE_TOOLS_JSM_CONFIGS_H_
