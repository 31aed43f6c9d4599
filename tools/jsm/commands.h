// Runs one parsed jsm command against the store and consumer services and
// prints its result: the seed's human layout (format.h), or with --json the
// service's answer as proto JSON.
//
//   Commands commands(store, consumers, endpoints, prompter, std::cout, std::cerr);
//   absl::Status done = commands.Run(*ParseArgs({"info", "devices-events"}));
//
// `get <set> --from <seq>` streams the stored messages as they are read,
// until --count, the stream's end as it was when it started, or Ctrl-C
// (interrupt.h), which ends it with OK. `purge` says on `err` how much it
// is about to remove before it asks.
//
// Stream admin goes to the store service; consumers, purges and message
// deletes go to the consumer service (a purge or a delete there moves the
// stream's consumers too). Errors come back as statuses whose message is
// one line for the user: the service's own message, or which service could
// not be reached at which address.
//
// Thread-safety: not thread-safe; the clients, prompter and stream must
// outlive it.
#ifndef JSENGINE_TOOLS_JSM_COMMANDS_H_
#define JSENGINE_TOOLS_JSM_COMMANDS_H_

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "consumersvc/client/consumer_client.h"
#include "google/protobuf/message.h"
#include "storesvc/client/store_client.h"
#include "tools/jsm/args.h"
#include "tools/jsm/prompter.h"

namespace jsengine::tools::jsm {

class Commands {
 public:
  // `prompter` is null when stdin is not a terminal. `interrupted` is
  // polled by `get --from`; null: Ctrl-C, caught from then on
  // (interrupt.h).
  Commands(storesvc::client::StoreClient& store, consumersvc::client::ConsumerClient& consumers,
           Endpoints endpoints, Prompter* prompter, std::ostream& out, std::ostream& err,
           std::function<bool()> interrupted = nullptr);

  // Messages `get --from` asks of one read: what it holds in memory at
  // most, as the read's callbacks may not wait for the terminal.
  static constexpr uint64_t kReadWindow = 1024;

  absl::Status Run(const Args& args);

 private:
  absl::Status Add(const Args& args);
  absl::Status List(const Args& args);
  absl::Status Info(const Args& args);
  absl::Status Remove(const Args& args);
  absl::Status Purge(const Args& args);
  absl::Status Get(const Args& args);
  absl::Status GetRange(const Args& args);
  absl::Status RemoveMessage(const Args& args);
  absl::Status Edit(const Args& args);
  absl::Status AddObservable(const Args& args);
  absl::Status ListObservables(const Args& args);
  absl::Status ObservableInfo(const Args& args);
  absl::Status RemoveObservable(const Args& args);

  // Every stream's info, page after page.
  absl::StatusOr<v1::ListStreamsResponse> AllStreams();

  // Fills the streams' consumer_count from the consumer service, which
  // owns the consumers (the store does not know them).
  absl::Status CountConsumers(const std::vector<v1::StreamInfo*>& streams);

  // `status` as the user reads it: unreachable and silent services named.
  absl::Status FromStore(absl::Status status) const;
  absl::Status FromConsumers(absl::Status status) const;

  // --json: `message` as JSON; else `text`.
  absl::Status Print(const Args& args, const google::protobuf::Message& message,
                     const std::string& text);

  storesvc::client::StoreClient& store_;
  consumersvc::client::ConsumerClient& consumers_;
  const Endpoints endpoints_;
  Prompter* const prompter_;
  std::ostream& out_;
  std::ostream& err_;
  const std::function<bool()> interrupted_;
};

}  // namespace jsengine::tools::jsm

#endif  // JSENGINE_TOOLS_JSM_COMMANDS_H_
