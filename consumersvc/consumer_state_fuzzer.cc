// Fuzz target: a consumer's state files as ConsumerStateStore::Open reads
// them after a crash or disk damage. The input's first byte picks what the
// rest is (bits 0-1: a stream journal, a state.snap, a meta.pb, bare state
// bytes) and whether to frame it first with valid checksums (bit 2), so the
// fuzzer gets past them: a journal then gets a valid header and the rest is
// cut into records, each [type][length, 2 bytes][body], with what is left
// appended raw (a torn tail).
//
// Decoding must succeed or fail cleanly. A journal's valid prefix must be
// exactly the header and the records read, re-encoded, and read again whole
// without damage; applying its records under every ack policy must not
// crash, and the states built must round-trip. Decoded snapshots and states
// re-encode to the input bytes; a decoded meta.pb names consumer "c" of
// stream "S" and round-trips.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/checksummed_record.h"
#include "common/framed_file.h"
#include "consumersvc/journal_record.h"
#include "consumersvc/state_encoding.h"
#include "consumersvc/state_format.h"
#include "google/protobuf/util/message_differencer.h"

namespace {

namespace cs = jsengine::consumersvc;
namespace sf = jsengine::consumersvc::state_format;

void Check(bool ok) {
  if (!ok) abort();
}

void CheckState(const cs::ConsumerState& state) {
  std::string bytes;
  cs::EncodeState(state, &bytes);
  auto back = cs::DecodeState(bytes);
  Check(back.ok() && *back == state);
}

void CheckJournal(absl::string_view file) {
  const jsengine::v1::AckPolicy policies[] = {jsengine::v1::ACK_NONE, jsengine::v1::ACK_ALL,
                                              jsengine::v1::ACK_EXPLICIT};
  cs::ConsumerState states[3];
  std::string records;
  const cs::JournalRead read = cs::ReadJournal(file, [&](const cs::JournalRecord& r) {
    cs::AppendRecord(&records, r);
    for (int i = 0; i < 3; ++i) cs::ApplyRecord(r, policies[i], &states[i]);
  });
  if (!read.has_header) {
    Check(read.valid_size == 0 && !read.damage.ok() && records.empty());
    return;
  }
  Check(read.valid_size <= file.size());
  Check(read.damage.ok() == (read.valid_size == file.size()));
  std::string again;
  cs::AppendJournalHeader(&again, read.generation);
  again += records;
  Check(again == file.substr(0, read.valid_size));
  const cs::JournalRead whole = cs::ReadJournal(again, [](const cs::JournalRecord&) {});
  Check(whole.has_header && whole.damage.ok() && whole.valid_size == again.size());
  // In pieces, the same.
  std::string pieces;
  cs::JournalReader reader([&](const cs::JournalRecord& r) { cs::AppendRecord(&pieces, r); });
  for (size_t at = 0; at < file.size() && reader.Feed(file.substr(at, 7)); at += 7) {
  }
  const cs::JournalRead in_pieces = reader.Finish();
  Check(in_pieces.has_header && in_pieces.valid_size == read.valid_size &&
        in_pieces.damage == read.damage && pieces == records);
  for (const cs::ConsumerState& state : states) CheckState(state);
}

void CheckSnapshot(absl::string_view file) {
  auto snapshot = cs::DecodeSnapshot(file);
  if (!snapshot.ok()) return;
  Check(cs::EncodeSnapshot(*snapshot) == file);
}

void CheckMeta(absl::string_view file) {
  auto info = cs::DecodeConsumerMeta(file, "S", "c");
  if (!info.ok()) return;
  Check(info->stream_name() == "S" && info->name() == "c");
  auto back = cs::DecodeConsumerMeta(cs::EncodeConsumerMeta(*info), "S", "c");
  Check(back.ok() && back->created_ns() == info->created_ns() &&
        google::protobuf::util::MessageDifferencer::Equals(back->config(), info->config()));
}

void CheckStateBytes(absl::string_view bytes) {
  auto state = cs::DecodeState(bytes);
  if (!state.ok()) return;
  std::string again;
  cs::EncodeState(*state, &again);
  Check(again == bytes);
}

std::string FramedJournal(absl::string_view rest) {
  std::string file;
  cs::AppendJournalHeader(&file, 1);
  while (rest.size() >= 3) {
    const uint8_t type = static_cast<uint8_t>(rest[0]);
    const size_t len =
        static_cast<uint8_t>(rest[1]) | static_cast<size_t>(static_cast<uint8_t>(rest[2])) << 8;
    rest.remove_prefix(3);
    const absl::string_view body = rest.substr(0, len);
    rest.remove_prefix(body.size());
    const size_t start = jsengine::common::StartRecord(&file, type);
    file.append(body.data(), body.size());
    jsengine::common::FinishRecord(&file, start);
  }
  file.append(rest.data(), rest.size());
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const absl::string_view rest = input.substr(1);
  const bool frame = input[0] & 4;
  switch (input[0] & 3) {
    case 0:
      CheckJournal(frame ? FramedJournal(rest) : std::string(rest));
      break;
    case 1:
      CheckSnapshot(
          frame ? jsengine::common::EncodeFrame(sf::kSnapshotMagic, sf::kSnapshotVersion, rest)
                : std::string(rest));
      break;
    case 2:
      CheckMeta(frame ? jsengine::common::EncodeFrame(sf::kMetaMagic, sf::kMetaVersion, rest)
                      : std::string(rest));
      break;
    case 3:
      CheckStateBytes(rest);
      break;
  }
  return 0;
}
