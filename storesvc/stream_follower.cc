#include "storesvc/stream_follower.h"

#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/status.h"
#include "glog/logging.h"
#include "storesvc/nats_headers.h"
#include "storesvc/stream_config.h"
#include "storesvc/subject_filters.h"
#include "common/subject_transform.h"

namespace jsengine::storesvc {
namespace {

constexpr absl::string_view kStreamSourceHeader = "Nats-Stream-Source";
constexpr absl::string_view kHeaderLine = "NATS/1.0\r\n";

// The transforms of a mirror or source; none when it has a plain filter.
std::vector<common::SubjectTransform> Transforms(const v1::StreamSource& source) {
  std::vector<common::SubjectTransform> out;
  for (const v1::SubjectTransform& t : source.subject_transforms()) {
    absl::StatusOr<common::SubjectTransform> tr = common::SubjectTransform::Create(t.src(), t.dest());
    if (tr.ok()) out.push_back(*std::move(tr));
  }
  return out;
}

std::string TargetSubject(const std::vector<common::SubjectTransform>& transforms,
                          const std::string& subject) {
  for (const common::SubjectTransform& tr : transforms) {
    if (std::optional<std::string> to = tr.Match(subject); to.has_value()) return *to;
  }
  return subject;
}

// The first origin sequence to copy into an empty target.
uint64_t StartSeq(const v1::StreamSource& source, Stream& origin) {
  if (source.opt_start_seq() > 0) return source.opt_start_seq();
  if (source.opt_start_time_ns() > 0) return origin.SeqForTime(source.opt_start_time_ns());
  return 1;
}

absl::Status OriginMissing() {
  return common::JsErrorF(common::JsErrorId::kStreamGeneralError,
                          {{"err", "origin stream not found"}});
}

}  // namespace

std::vector<std::string> SourceFilters(const v1::StreamSource& source) {
  std::vector<std::string> filters;
  if (!source.filter_subject().empty()) filters.push_back(source.filter_subject());
  for (const v1::SubjectTransform& t : source.subject_transforms()) {
    filters.push_back(t.src().empty() ? ">" : t.src());
  }
  return filters;
}

std::string WithSourceHeader(const std::string& block, const std::string& value) {
  std::string out(kHeaderLine);
  if (absl::StartsWith(block, "NATS/1.0")) {
    std::vector<absl::string_view> lines = absl::StrSplit(block, "\r\n");
    for (size_t i = 1; i < lines.size(); ++i) {
      absl::string_view line = lines[i];
      if (line.empty()) continue;
      if (absl::StartsWith(line, absl::StrCat(kStreamSourceHeader, ":")) ||
          absl::StartsWith(line, "Nats-Expected-")) {
        continue;
      }
      absl::StrAppend(&out, line, "\r\n");
    }
  }
  absl::StrAppend(&out, kStreamSourceHeader, ": ", value, "\r\n\r\n");
  return out;
}

StreamFollower::StreamFollower(Lookup lookup) : lookup_(std::move(lookup)) {}

size_t StreamFollower::Step(Stream& target, size_t max) {
  const v1::StreamConfig config = target.config();
  if (config.has_mirror()) return StepMirror(target, config.mirror(), max);
  if (config.sources_size() == 0) return 0;
  bool known = false;
  {
    absl::MutexLock lock(&mu_);
    known = targets_.count(config.name()) > 0;
  }
  if (!known) Recover(target, config);
  size_t copied = 0;
  for (const v1::StreamSource& source : config.sources()) {
    copied += StepSource(target, source, SourceIndexName(source), max);
  }
  return copied;
}

std::vector<v1::StoredMessage> StreamFollower::ReadOrigin(const v1::StreamSource& source,
                                                          uint64_t next, size_t max,
                                                          Progress* progress) {
  std::shared_ptr<Stream> origin = lookup_(source.name());
  if (origin == nullptr) {
    progress->error = OriginMissing();
    return {};
  }
  if (next == 0) next = StartSeq(source, *origin);
  uint64_t origin_last = 0;
  absl::StatusOr<std::vector<v1::StoredMessage>> read =
      origin->Read(&next, SubjectFilters(SourceFilters(source)), max, &origin_last);
  if (!read.ok()) {
    progress->error = read.status();
    return {};
  }
  progress->active_ns = absl::GetCurrentTimeNanos();
  return *std::move(read);
}

size_t StreamFollower::StepMirror(Stream& target, const v1::StreamSource& mirror, size_t max) {
  Progress progress;
  uint64_t next = target.LastSeq() + 1;
  std::vector<v1::StoredMessage> msgs = ReadOrigin(mirror, next == 1 ? 0 : next, max, &progress);
  const std::vector<common::SubjectTransform> transforms = Transforms(mirror);
  size_t copied = 0;
  for (const v1::StoredMessage& m : msgs) {
    absl::Status st = target.AppendMirrored(m, TargetSubject(transforms, m.subject()));
    if (!st.ok()) {
      LOG_EVERY_N(WARNING, 100) << "mirror " << target.name() << ": copying " << mirror.name()
                                << " seq " << m.seq() << ": " << st;
      progress.error = st;
      break;
    }
    ++copied;
    next = m.seq() + 1;
  }
  return Finish(target, "", copied, next, progress);
}

void StreamFollower::Recover(Stream& target, const v1::StreamConfig& config) {
  std::set<std::string> missing;
  for (const v1::StreamSource& source : config.sources()) missing.insert(SourceIndexName(source));
  TargetProgress found;
  const uint64_t first = target.FirstSeq();
  for (uint64_t seq = target.LastSeq(); seq >= first && seq > 0 && !missing.empty(); --seq) {
    v1::GetMessageRequest get;
    get.set_stream(config.name());
    get.set_seq(seq);
    absl::StatusOr<v1::StoredMessage> m = target.GetMessage(get);
    if (!m.ok()) continue;
    std::optional<absl::string_view> hdr = FindHeader(m->headers(), kStreamSourceHeader);
    if (!hdr.has_value()) continue;
    // "<origin> <seq> <filters> <destinations>"
    std::vector<std::string> fields = absl::StrSplit(*hdr, ' ');
    if (fields.size() < 4) continue;
    const std::string iname = absl::StrCat(fields[0], " ", fields[2], " ", fields[3]);
    uint64_t origin_seq = 0;
    if (!absl::SimpleAtoi(fields[1], &origin_seq)) continue;
    if (missing.erase(iname) > 0) found[iname].next = origin_seq + 1;
  }
  absl::MutexLock lock(&mu_);
  targets_[config.name()] = std::move(found);
}

size_t StreamFollower::StepSource(Stream& target, const v1::StreamSource& source,
                                  const std::string& iname, size_t max) {
  uint64_t next = 0;
  {
    absl::MutexLock lock(&mu_);
    next = targets_[target.name()][iname].next;
  }
  Progress progress;
  std::vector<v1::StoredMessage> msgs = ReadOrigin(source, next, max, &progress);
  const std::vector<common::SubjectTransform> transforms = Transforms(source);
  const std::vector<std::string> iname_fields = absl::StrSplit(iname, ' ');
  size_t copied = 0;
  const int64_t now = absl::GetCurrentTimeNanos();
  for (const v1::StoredMessage& m : msgs) {
    v1::AppendRequest req;
    req.set_stream(target.name());
    req.set_subject(TargetSubject(transforms, m.subject()));
    req.set_headers(WithSourceHeader(
        m.headers(),
        absl::StrCat(iname_fields[0], " ", m.seq(), " ", iname_fields[1], " ", iname_fields[2])));
    req.set_data(m.data());
    v1::AppendResult result;
    target.Append(req, now, &result);
    if (result.has_error() &&
        result.error().err_code() == static_cast<int>(common::JsErrorId::kStreamStoreFailed)) {
      progress.error = common::FromErrorDetail(result.error());
      break;
    }
    if (result.has_error()) {
      LOG_EVERY_N(WARNING, 100) << "stream " << target.name() << ": source " << source.name()
                                << " seq " << m.seq()
                                << " refused: " << result.error().description();
    }
    ++copied;
    next = m.seq() + 1;
  }
  return Finish(target, iname, copied, next, progress);
}

size_t StreamFollower::Finish(Stream& target, const std::string& iname, size_t copied,
                              uint64_t next, Progress progress) {
  if (copied > 0) {
    absl::Status st = target.Flush();
    if (!st.ok()) progress.error = st;
  }
  progress.next = next;
  absl::MutexLock lock(&mu_);
  Progress& p = targets_[target.name()][iname];
  if (progress.active_ns < 0) progress.active_ns = p.active_ns;
  p = progress;
  return copied;
}

uint64_t StreamFollower::Lag(const v1::StreamSource& source, uint64_t next, const Lookup& lookup) {
  std::shared_ptr<Stream> origin = lookup(source.name());
  if (origin == nullptr) return 0;
  v1::FilteredStateRequest req;
  req.set_stream(source.name());
  for (std::string& f : SourceFilters(source)) req.add_filter_subjects(std::move(f));
  req.set_start_seq(next == 0 ? StartSeq(source, *origin) : next);
  absl::StatusOr<v1::FilteredStateResponse> state = origin->FilteredState(req);
  return state.ok() ? state->messages() : 0;
}

v1::StreamSourceInfo StreamFollower::SourceInfo(const v1::StreamSource& source,
                                                const Progress& progress, uint64_t next,
                                                const Lookup& lookup) {
  v1::StreamSourceInfo info;
  info.set_name(source.name());
  info.set_filter_subject(source.filter_subject());
  *info.mutable_subject_transforms() = source.subject_transforms();
  info.set_lag(Lag(source, next, lookup));
  info.set_active_ns(progress.active_ns < 0 ? -1
                                            : absl::GetCurrentTimeNanos() - progress.active_ns);
  if (!progress.error.ok()) *info.mutable_error() = common::ToErrorDetail(progress.error);
  return info;
}

void StreamFollower::FillInfo(v1::StreamInfo* info, const Lookup* lookup) {
  if (lookup == nullptr) lookup = &lookup_;
  const v1::StreamConfig& config = info->config();
  if (!config.has_mirror() && config.sources_size() == 0) return;
  TargetProgress progress;
  {
    absl::MutexLock lock(&mu_);
    auto it = targets_.find(config.name());
    if (it != targets_.end()) progress = it->second;
  }
  if (config.has_mirror()) {
    const Progress& p = progress[""];
    const uint64_t next = info->state().last_seq() > 0 ? info->state().last_seq() + 1 : 0;
    *info->mutable_mirror() = SourceInfo(config.mirror(), p, next, *lookup);
  }
  for (const v1::StreamSource& source : config.sources()) {
    const Progress& p = progress[SourceIndexName(source)];
    *info->add_sources() = SourceInfo(source, p, p.next, *lookup);
  }
}

void StreamFollower::Forget(const std::string& target) {
  absl::MutexLock lock(&mu_);
  targets_.erase(target);
}

}  // namespace jsengine::storesvc
