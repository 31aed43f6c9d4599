#include "tools/jsm/configs.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "tools/jsm/values.h"

namespace jsengine::tools::jsm {
namespace {

// The flag's value or, when not given, the answer to `question`; NotFound
// when neither is there.
absl::StatusOr<std::string> FlagOrAnswer(const Args& args, const std::string& flag,
                                         absl::string_view question, Prompter* prompter) {
  if (args.Has(flag)) return args.Get(flag);
  if (prompter == nullptr) return absl::NotFoundError(flag);
  return prompter->Ask(question);
}

// positional[index], else the answer to `question`, else InvalidArgument
// with `missing`.
absl::StatusOr<std::string> Required(const Args& args, size_t index, absl::string_view question,
                                     Prompter* prompter, absl::string_view missing) {
  std::string value;
  if (index < args.positional.size()) {
    value = args.positional[index];
  } else if (prompter != nullptr) {
    JSE_ASSIGN_OR_RETURN(value, prompter->Ask(question));
  }
  if (value.empty()) return absl::InvalidArgumentError(missing);
  return value;
}

absl::Status ApplyLimitFlags(const Args& args, v1::StreamConfig* config) {
  if (args.Has("max-msgs")) {
    JSE_ASSIGN_OR_RETURN(int64_t msgs, ParseCount(args.Get("max-msgs")));
    config->set_max_msgs(msgs);
  }
  if (args.Has("max-bytes")) {
    JSE_ASSIGN_OR_RETURN(int64_t bytes, ParseSize(args.Get("max-bytes")));
    config->set_max_bytes(bytes);
  }
  if (args.Has("max-age")) {
    JSE_ASSIGN_OR_RETURN(absl::Duration age, ParseAge(args.Get("max-age")));
    config->set_max_age_ns(absl::ToInt64Nanoseconds(age));
  }
  return absl::OkStatus();
}

void SetSubjects(const std::vector<std::string>& subjects, v1::StreamConfig* config) {
  config->clear_subjects();
  for (const std::string& subject : subjects) config->add_subjects(subject);
}

bool HasLimitFlag(const Args& args) {
  return args.Has("max-msgs") || args.Has("max-bytes") || args.Has("max-age");
}

bool HasDeliverFlag(const Args& args) {
  return args.Has("deliver-all") || args.Has("deliver-last") || args.Has("deliver-new");
}

absl::StatusOr<v1::DeliverPolicy> AskDeliverPolicy(Prompter& prompter) {
  JSE_ASSIGN_OR_RETURN(std::string all, prompter.Ask("Deliver All? (Y|n)"));
  JSE_ASSIGN_OR_RETURN(bool deliver_all, ParseYesNo(all, true));
  if (deliver_all) return v1::DELIVER_ALL;
  JSE_ASSIGN_OR_RETURN(std::string last, prompter.Ask("Deliver Last? (y|n)"));
  JSE_ASSIGN_OR_RETURN(bool deliver_last, ParseYesNo(last, false));
  return deliver_last ? v1::DELIVER_LAST : v1::DELIVER_NEW;
}

}  // namespace

absl::StatusOr<v1::StreamConfig> NewStreamConfig(const Args& args, Prompter* prompter) {
  const bool asks = prompter != nullptr && (args.positional.empty() || !args.Has("subjects") ||
                                            !HasLimitFlag(args) || !args.Has("storage"));
  if (asks) prompter->Say("Enter the following information");

  v1::StreamConfig config;
  JSE_ASSIGN_OR_RETURN(*config.mutable_name(),
                       Required(args, 0, "Name", prompter,
                                "missing the message set's name: jsm add <name> [--subjects ...]"));

  absl::StatusOr<std::string> subjects = FlagOrAnswer(args, "subjects", "Subjects", prompter);
  if (subjects.ok()) {
    SetSubjects(ParseSubjects(*subjects), &config);
  } else if (!absl::IsNotFound(subjects.status())) {
    return subjects.status();
  }

  config.set_max_msgs(-1);
  config.set_max_bytes(-1);
  if (HasLimitFlag(args)) {
    JSE_RETURN_IF_ERROR(ApplyLimitFlags(args, &config));
  } else if (prompter != nullptr) {
    JSE_ASSIGN_OR_RETURN(std::string answer, prompter->Ask("Limits (msgs, bytes, age)"));
    JSE_ASSIGN_OR_RETURN(Limits limits, ParseLimits(answer));
    config.set_max_msgs(limits.max_msgs);
    config.set_max_bytes(limits.max_bytes);
    config.set_max_age_ns(absl::ToInt64Nanoseconds(limits.max_age));
  }

  absl::StatusOr<std::string> storage = FlagOrAnswer(args, "storage", "Storage", prompter);
  if (storage.ok()) {
    JSE_ASSIGN_OR_RETURN(v1::StorageType type, ParseStorage(*storage));
    config.set_storage(type);
  } else if (!absl::IsNotFound(storage.status())) {
    return storage.status();
  }

  JSE_ASSIGN_OR_RETURN(v1::RetentionPolicy retention, ParseRetention(args.Get("retention")));
  config.set_retention(retention);
  return config;
}

absl::StatusOr<v1::CreateConsumerRequest> NewConsumerRequest(const Args& args, Prompter* prompter) {
  const bool has_durable = args.positional.size() > 1 || args.Has("durable");
  const bool has_mode = args.Has("pull") || args.Has("deliver");
  const bool asks = prompter != nullptr && (args.positional.empty() || !has_durable || !has_mode ||
                                            !HasDeliverFlag(args) || !args.Has("replay") ||
                                            (!args.Has("pull") && !args.Has("ack")));
  if (asks) prompter->Say("Enter the following information");
  if (args.Has("pull") && args.Has("deliver")) {
    return absl::InvalidArgumentError("give either --pull or --deliver <subject>, not both");
  }

  v1::CreateConsumerRequest request;
  JSE_ASSIGN_OR_RETURN(*request.mutable_stream(),
                       Required(args, 0, "Message Set Name", prompter,
                                "missing the message set's name: jsm add-obs <set> <durable> ..."));
  v1::ConsumerConfig& config = *request.mutable_config();
  if (args.Has("durable")) {
    config.set_durable_name(args.Get("durable"));
  } else {
    JSE_ASSIGN_OR_RETURN(
        *config.mutable_durable_name(),
        Required(args, 1, "Durable Name", prompter,
                 "missing the durable name: jsm add-obs <set> <durable> (or --durable)"));
  }
  if (config.durable_name().empty()) return absl::InvalidArgumentError("empty durable name");

  bool push = args.Has("deliver");
  if (!has_mode) {
    if (prompter == nullptr) {
      return absl::InvalidArgumentError(
          "say how the observable delivers: --pull or --deliver <subject>");
    }
    JSE_ASSIGN_OR_RETURN(std::string mode, prompter->Ask("Push or Pull"));
    mode = absl::AsciiStrToLower(mode);
    if (mode != "push" && mode != "pull") {
      return absl::InvalidArgumentError(absl::StrCat("answer push or pull, not \"", mode, "\""));
    }
    push = mode == "push";
  }
  if (push) {
    absl::StatusOr<std::string> subject =
        FlagOrAnswer(args, "deliver", "Delivery Subject", prompter);
    if (!subject.ok()) return subject.status();
    if (subject->empty()) return absl::InvalidArgumentError("a push observable needs a subject");
    config.set_deliver_subject(*subject);
  }

  if (args.Has("deliver-last")) {
    config.set_deliver_policy(v1::DELIVER_LAST);
  } else if (args.Has("deliver-new")) {
    config.set_deliver_policy(v1::DELIVER_NEW);
  } else if (!args.Has("deliver-all") && prompter != nullptr) {
    JSE_ASSIGN_OR_RETURN(v1::DeliverPolicy policy, AskDeliverPolicy(*prompter));
    config.set_deliver_policy(policy);
  }

  // The seed: pull observables always ack explicitly; push ones ask.
  if (args.Has("ack")) {
    JSE_ASSIGN_OR_RETURN(v1::AckPolicy ack, ParseAckPolicy(args.Get("ack")));
    config.set_ack_policy(ack);
  } else if (!push) {
    config.set_ack_policy(v1::ACK_EXPLICIT);
  } else if (prompter != nullptr) {
    JSE_ASSIGN_OR_RETURN(std::string answer, prompter->Ask("AckPolicy (None|all|explicit)"));
    JSE_ASSIGN_OR_RETURN(v1::AckPolicy ack, ParseAckPolicy(answer));
    config.set_ack_policy(ack);
  }

  absl::StatusOr<std::string> replay =
      FlagOrAnswer(args, "replay", "Replay Policy (Instant|original)", prompter);
  if (replay.ok()) {
    JSE_ASSIGN_OR_RETURN(v1::ReplayPolicy policy, ParseReplayPolicy(*replay));
    config.set_replay_policy(policy);
  } else if (!absl::IsNotFound(replay.status())) {
    return replay.status();
  }

  if (args.Has("filter")) config.set_filter_subject(args.Get("filter"));
  return request;
}

absl::Status ApplyStreamEdits(const Args& args, v1::StreamConfig* config) {
  if (!args.Has("subjects") && !HasLimitFlag(args) && !args.Has("retention")) {
    return absl::InvalidArgumentError(
        "nothing to change: give --subjects, --max-msgs, --max-bytes, --max-age or --retention");
  }
  if (args.Has("subjects")) SetSubjects(ParseSubjects(args.Get("subjects")), config);
  if (args.Has("retention")) {
    JSE_ASSIGN_OR_RETURN(v1::RetentionPolicy retention, ParseRetention(args.Get("retention")));
    config->set_retention(retention);
  }
  return ApplyLimitFlags(args, config);
}

}  // namespace jsengine::tools::jsm
