// Where a JetStream account's names meet the services'. The store and
// consumer services have one namespace of streams and know nothing of
// accounts; the gateway keeps each JetStream account's streams, consumers and
// subjects apart by qualifying what it sends them and unqualifying what comes
// back, here and nowhere else:
//   - the stream "ORDERS" of account "A" is "A~ORDERS" in the services (the
//     account percent-encoded, so its first '~' ends it);
//   - a subject of the account's own space that the consumer service
//     publishes to (deliver subject, pull and ack-sync replies) is
//     "$JSA.<account>.<subject>" there;
//   - subjects that name a stream ($JS.ACK.<stream>..., $JS.FC.<stream>...,
//     $JS.EVENT.ADVISORY.CONSUMER.<event>.<stream>...) carry the qualified
//     stream there and the user's in the account.
// The global account's names are used as they are (no account configured:
// everything as before accounts existed).
//
//   JsAccountScope a("A");
//   a.Stream("ORDERS") == "A~ORDERS"; a.UserStream("A~ORDERS") == "ORDERS"
//   JsAccountScope::Locate("$JS.ACK.A~ORDERS.C.1.1.1.0.0") ==
//       {"A", "$JS.ACK.ORDERS.C.1.1.1.0.0"}
//
// Immutable; thread-safe.
#ifndef JSENGINE_GATEWAY_JETSTREAM_ACCOUNT_SCOPE_H_
#define JSENGINE_GATEWAY_JETSTREAM_ACCOUNT_SCOPE_H_

#include <optional>
#include <string>
#include <string_view>

namespace jsengine::gateway::jetstream {

class JsAccountScope {
 public:
  // "" or "$G": the global account.
  explicit JsAccountScope(std::string account);

  // The account's name as the core server knows it ("" for the global one).
  const std::string& account() const { return account_; }
  bool global() const { return account_.empty(); }

  // A stream name of the account as the services know it.
  std::string Stream(std::string_view name) const;
  // The account's name of a service stream; nullopt when it is another
  // account's.
  std::optional<std::string> UserStream(std::string_view stream) const;
  // A subject of the account's space as the consumer service knows it.
  std::string Subject(std::string_view subject) const;
  // A subject naming a stream ($JS.ACK, $JS.FC) with the stream qualified.
  std::string StreamSubject(std::string_view subject) const;
  // The reverse of Subject() for this account: nullopt when `subject` is
  // another account's.
  std::optional<std::string> UserSubject(std::string_view subject) const;

  // Where a subject the consumer service publishes to (or with) belongs:
  // the account (empty: global) and the subject there. The account is a
  // candidate: a global stream may hold '~' too, so callers take it only
  // when it is one of theirs.
  struct Located {
    std::string account;
    std::string subject;
  };
  static Located Locate(std::string_view subject);
  // The account of a service stream, and the stream's name there.
  static Located LocateStream(std::string_view stream);

 private:
  std::string account_;
  std::string prefix_;          // "<encoded>~"; empty for the global account
  std::string subject_prefix_;  // "$JSA.<encoded>."; empty for the global account
};

}  // namespace jsengine::gateway::jetstream

#endif  // JSENGINE_GATEWAY_JETSTREAM_ACCOUNT_SCOPE_H_
