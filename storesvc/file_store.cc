#include "storesvc/file_store.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/crc32c.h"
#include "common/durable_file.h"
#include "common/status.h"
#include "glog/logging.h"
#include "storesvc/missing_segments.h"
#include "storesvc/saved_state.h"
#include "storesvc/segment_index_reader.h"
#include "storesvc/segment_record.h"
#include "storesvc/seq_mark.h"
#include "storesvc/store_error.h"

namespace jsengine::storesvc {

using namespace file_format;  // NOLINT

struct FileStore::Segment {
  uint32_t id = 0;
  std::string path;
  int fd = -1;
  uint64_t size = 0;     // Bytes written to the file.
  uint64_t base_seq = 0;
  uint64_t max_seq = 0;  // Highest message sequence in the segment; 0: none.
  uint64_t live_bytes = 0;  // Accounted sizes (MsgSize) of its live messages.
  // What compaction would keep besides live_bytes (header, needed
  // tombstones; MsgSize vs record size), as last measured; 0 before.
  int64_t kept_bytes = 0;
  // The active segment's records so far (written out when it is sealed).
  std::unique_ptr<SegmentIndex> records;
  bool dirty = false;    // Guarded by the store's sync_mu_.
  FileIo* io = nullptr;  // Closes fd.
  ~Segment() {
    if (fd >= 0) io->Close(fd);
  }
};

// One segment as Replay() found it.
struct FileStore::Replayed {
  uint64_t file_size = 0;
  uint64_t valid_size = 0;  // Below file_size: a bad record starts there.
  absl::Status bad;         // Why valid_size < file_size.
  bool from_index = false;  // Its index file covered a prefix.
  bool index_current = false;  // ... and all of valid_size.
  bool paged = false;          // Its run in the index reads its index file.
  uint64_t base_seq = 0;
  uint64_t max_seq = 0;
  uint64_t live_bytes = 0;
  SegmentIndex records;     // Every record below valid_size; empty for a
                            // sealed segment whose index is current.
};

struct FileStore::ReplayResult {
  MsgIndex index;
  std::vector<Replayed> segments;  // Parallel to segments_.
  bool cancelled = false;
  // Set after a missing segment or a sealed one cut short: the sequences
  // from here to the next segment's base_seq were given out and are gone.
  uint64_t lost_from = 0;
  // `index` holds entries of lost messages (in a missing segment, or
  // placeholders in segment 0) that ApplyReplay takes out.
  bool lost = false;
  // The last sequence the segment files found record.
  uint64_t proven_last = 0;
};

namespace {

absl::Status IoError(absl::string_view what, absl::string_view path) {
  const bool no_space = errno == ENOSPC || errno == EDQUOT;
  return StoreError(no_space ? StoreErrc::kNoSpace : StoreErrc::kIo,
                    absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// What one read of a segment's sealed bytes fetches (FileStore::ReadWindow).
constexpr size_t kReadWindow = 64 << 10;
// The most FileStore::record_buf_ keeps between reads.
constexpr size_t kKeptRecordBuffer = 1 << 20;

absl::Status PreadFully(FileIo* io, int fd, char* buf, size_t n, uint64_t off,
                        absl::string_view path) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = io->Pread(fd, buf + done, n - done, static_cast<off_t>(off + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return IoError("read", path);
    }
    if (r == 0) return StoreError(StoreErrc::kShortRead, absl::StrCat("short read of ", path));
    done += static_cast<size_t>(r);
  }
  return absl::OkStatus();
}

absl::Status PwriteFully(FileIo* io, int fd, const char* buf, size_t n, uint64_t off,
                         absl::string_view path) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = io->Pwrite(fd, buf + done, n - done, static_cast<off_t>(off + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return IoError("write", path);
    }
    done += static_cast<size_t>(r);
  }
  return absl::OkStatus();
}

// The whole file at `path`; false if it cannot be read.
bool ReadFile(FileIo* io, const std::string& path, std::string* out) {
  int fd = io->Open(path.c_str(), O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) return false;
  struct stat st;
  bool ok = fstat(fd, &st) == 0;
  if (ok) {
    out->resize(static_cast<size_t>(st.st_size));
    ok = PreadFully(io, fd, out->data(), out->size(), 0, path).ok();
  }
  io->Close(fd);
  return ok;
}

// Writes what `fill` hands its writer, piece after piece, to `path` through
// a temporary file and a rename, without fsync: these files only speed up
// Open(), which checks them.
absl::Status ReplaceFileWith(
    FileIo* io, const std::string& path,
    const std::function<void(const std::function<bool(absl::string_view)>&)>& fill) {
  const std::string tmp = path + ".tmp";
  int fd = io->Open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("create", tmp);
  absl::Status st;
  uint64_t off = 0;
  fill([&](absl::string_view piece) {
    st = PwriteFully(io, fd, piece.data(), piece.size(), off, tmp);
    off += piece.size();
    return st.ok();
  });
  io->Close(fd);
  if (st.ok() && io->Rename(tmp.c_str(), path.c_str()) != 0) st = IoError("rename", tmp);
  if (!st.ok()) io->Unlink(tmp.c_str());
  return st;
}

absl::Status ReplaceFile(FileIo* io, const std::string& path, absl::string_view data) {
  return ReplaceFileWith(io, path, [data](const auto& write) { write(data); });
}

uint32_t TailCrc(FileIo* io, int fd, uint64_t size) {
  char tail[kTailCheckBytes];
  size_t n = static_cast<size_t>(std::min<uint64_t>(size, kTailCheckBytes));
  if (io->Pread(fd, tail, n, static_cast<off_t>(size - n)) != static_cast<ssize_t>(n)) return 0;
  return common::crc32c::Value(tail, n);
}

bool HasSuffix(const std::string& name, const char* suffix) {
  return name.size() > std::strlen(suffix) && absl::EndsWith(name, suffix);
}

}  // namespace

FileStore::FileStore(FileStoreOptions options)
    : options_(std::move(options)), io_(options_.io != nullptr ? options_.io : FileIo::Posix()) {}

FileStore::~FileStore() {
  if (!closed_) Close().IgnoreError();
  if (loader_.joinable()) {
    cancel_load_ = true;
    loader_.join();
  }
  if (dir_fd_ >= 0) io_->Close(dir_fd_);
  if (mark_fd_ >= 0) io_->Close(mark_fd_);
}

absl::StatusOr<std::unique_ptr<FileStore>> FileStore::Open(const FileStoreOptions& options) {
  absl::Status made = common::CreateDirsDurably(options.dir, options.io);
  if (!made.ok()) return StoreError(StoreErrc::kIo, made.message());
  std::unique_ptr<FileStore> store(new FileStore(options));
  store->dir_fd_ = store->io_->Open(options.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (store->dir_fd_ < 0) return IoError("open", options.dir);
  const std::string mark = absl::StrCat(options.dir, "/", kSeqMarkFile);
  store->mark_fd_ = store->io_->Open(mark.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (store->mark_fd_ < 0) return IoError("open", mark);
  JSE_RETURN_IF_ERROR(store->Recover());
  return store;
}

std::string FileStore::IndexPath(uint32_t id) const {
  return absl::StrFormat("%s/%010u%s", options_.dir, id, kIndexSuffix);
}

absl::Status FileStore::Recover() {
  std::vector<std::pair<uint32_t, std::string>> files;
  std::vector<std::pair<uint32_t, std::string>> index_files;
  for (const auto& entry : std::filesystem::directory_iterator(options_.dir)) {
    std::string name = entry.path().filename().string();
    if (HasSuffix(name, kCompactSuffix) || name == kLegacyIndexFile) {
      LOG(WARNING) << entry.path().string()
                   << (name == kLegacyIndexFile ? ": removing an index of an older format"
                                                : ": removing an unfinished compaction");
      if (io_->Unlink(entry.path().c_str()) != 0) return IoError("unlink", entry.path().string());
      continue;
    }
    const bool segment = HasSuffix(name, kSegmentSuffix);
    if (!segment && !HasSuffix(name, kIndexSuffix)) continue;
    uint32_t id = 0;
    const size_t suffix = std::strlen(segment ? kSegmentSuffix : kIndexSuffix);
    if (!absl::SimpleAtoi(name.substr(0, name.size() - suffix), &id)) continue;
    (segment ? files : index_files).emplace_back(id, entry.path().string());
  }
  std::sort(files.begin(), files.end());
  FindMissing(files, index_files);
  for (const auto& [id, path] : files) {
    auto seg = std::make_shared<Segment>();
    seg->id = id;
    seg->path = path;
    seg->io = io_;
    seg->fd = io_->Open(path.c_str(), O_RDWR | O_CLOEXEC, 0);
    if (seg->fd < 0) return IoError("open", path);
    struct stat st;
    if (fstat(seg->fd, &st) != 0) return IoError("stat", path);
    seg->size = static_cast<uint64_t>(st.st_size);
    segments_.push_back(std::move(seg));
  }
  opened_segments_ = segments_.size();
  AddMissingSegments();
  if (!segments_.empty() && missing_.segments.empty() && LoadSavedState()) {
    used_saved_state_ = true;
    loaded_ = std::make_unique<ReplayResult>();
    load_files_ = SegmentFiles();
    loader_ = std::thread([this] {
      // Lowest priority: starting up (and serving) comes first; a caller
      // that needs the index before this is done replays it itself.
      setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 19);
      Replay(true, load_files_, loaded_.get());
      load_done_ = true;
    });
    WriteMark(segments_.front()->id);
    return absl::OkStatus();
  }
  ReplayResult result;
  Replay(true, SegmentFiles(), &result);
  // After ApplyReplay(): a state.snap naming a missing segment stays the
  // evidence of what was lost until a new segment's header records it.
  JSE_RETURN_IF_ERROR(ApplyReplay(&result));
  RemoveStaleSavedState();
  // From here on, lost segments below the oldest one kept are forgotten:
  // later compactions may drop the tombstones that told which of their
  // messages were removed before the loss.
  WriteMark(segments_.front()->id);
  return absl::OkStatus();
}

void FileStore::WriteMark(uint32_t oldest_id) {
  const StoreState state = State();
  const std::string mark = EncodeSeqMark(SeqMark{oldest_id, state.first_seq, state.last_seq});
  if (PwriteFully(io_, mark_fd_, mark.data(), mark.size(), 0, kSeqMarkFile).ok()) {
    mark_failed_ = false;
  } else if (!mark_failed_) {
    mark_failed_ = true;
    LOG(WARNING) << options_.dir << ": writing " << kSeqMarkFile << ": " << std::strerror(errno)
                 << "; a lost newest or oldest segment may go unreported";
  }
}

void FileStore::RemoveStaleSavedState() {
  const std::string path = absl::StrCat(options_.dir, "/", kSavedStateFile);
  if (io_->Unlink(path.c_str()) == 0 && io_->Fsync(dir_fd_) != 0) {
    LOG(WARNING) << "removing " << path << ": " << IoError("sync", options_.dir);
  }
}

bool FileStore::LoadSavedState() {
  const std::string path = absl::StrCat(options_.dir, "/", kSavedStateFile);
  std::string buf;
  if (!ReadFile(io_, path, &buf)) return false;
  auto reject = [&](absl::string_view why) {
    LOG(WARNING) << path << ": not used (" << why << "); loading the index now";
    return false;
  };
  SavedState saved;
  if (!DecodeSavedState(buf, &saved)) return reject("damaged or of another version");
  const size_t n = saved.segments.size();
  if (n == 0 || n > segments_.size()) return reject("the segments changed");
  for (size_t i = 0; i < n; ++i) {
    const SavedState::Segment& s = saved.segments[i];
    const Segment& seg = *segments_[i];
    // Only the segment that was active may have grown since.
    const bool size_ok = i + 1 == n ? s.size <= seg.size : s.size == seg.size;
    if (s.id != seg.id || !size_ok || TailCrc(io_, seg.fd, s.size) != s.tail_crc) {
      return reject("the segments changed");
    }
  }
  for (size_t i = 0; i < n; ++i) {
    segments_[i]->base_seq = saved.segments[i].base_seq;
    segments_[i]->max_seq = saved.segments[i].max_seq;
    segments_[i]->live_bytes = saved.segments[i].live_bytes;
  }
  IndexSummary summary;
  summary.state = saved.state;
  for (auto& [subject, count] : saved.subjects) summary.subject_counts[std::move(subject)] = count;
  if (!SummarizeTail(n - 1, saved.segments.back().size, &summary)) {
    return reject("what was written after it needs the message index");
  }
  if (summary.state.last_seq < missing_.high_water) {
    return reject(absl::StrCat("sequences up to ", missing_.high_water,
                               " were given out, the segments end at ", summary.state.last_seq));
  }
  summary_ = std::move(summary);
  saved_state_current_ =
      n == segments_.size() && saved.segments.back().size == segments_.back()->size;
  return true;
}

bool FileStore::SummarizeTail(size_t first, uint64_t offset, IndexSummary* summary) {
  StoreState& state = summary->state;
  for (size_t i = first; i < segments_.size(); ++i) {
    Segment& seg = *segments_[i];
    const uint64_t start = i == first ? offset : 0;
    std::string buf(static_cast<size_t>(seg.size - start), '\0');
    if (!PreadFully(io_, seg.fd, buf.data(), buf.size(), start, seg.path).ok()) return false;
    for (size_t off = 0; off < buf.size();) {
      SegmentRecord rec;
      if (!ParseSegmentRecord(buf.data() + off, buf.size() - off, &rec).ok()) return false;
      if ((start + off == 0) != (rec.type == kSegmentHeader)) return false;
      if (rec.type == kSegmentHeader) {
        // As MsgIndex::AdvanceLast(base_seq - 1).
        seg.base_seq = rec.seq;
        if (rec.seq > 0 && rec.seq - 1 > state.last_seq) {
          if (state.msgs == 0) {
            state.first_seq = rec.seq;
          } else {
            state.num_deleted += rec.seq - 1 - state.last_seq;
          }
          state.last_seq = rec.seq - 1;
        }
      } else if (rec.type == kMessage && rec.seq > state.last_seq) {
        const uint32_t size = RecordMsgSize(rec);
        SummarizeMessage(rec.seq, rec.ts, rec.subject, size, summary);
        seg.max_seq = rec.seq;
        seg.live_bytes += size;
      } else {
        return false;
      }
      off += rec.total_size;
    }
  }
  return true;
}

std::vector<FileStore::SegmentFile> FileStore::SegmentFiles() const {
  std::vector<SegmentFile> files;
  for (const auto& seg : segments_) files.push_back(FileOf(*seg));
  return files;
}

FileStore::SegmentFile FileStore::FileOf(const Segment& seg) {
  return SegmentFile{seg.id, seg.path, seg.fd, seg.size};
}

void FileStore::Replay(bool use_index_files, const std::vector<SegmentFile>& files,
                       ReplayResult* out) const {
  MsgIndex& index = out->index;
  out->segments.resize(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    if (cancel_load_.load()) {
      out->cancelled = true;
      return;
    }
    const SegmentFile& seg = files[i];
    Replayed& r = out->segments[i];
    r.file_size = seg.size;
    auto apply = [&](RecordType type, uint64_t seq, int64_t ts, absl::string_view subject,
                     uint32_t size, uint64_t offset) {
      switch (type) {
        case kSegmentHeader:
          if (seq > 0) FillLost(seq - 1, out);
          r.base_seq = seq;
          if (seq > 0) index.AdvanceLast(seq - 1);
          break;
        case kMessage:
          index.Add(seq, ts, subject, size, MakeLoc(seg.id, offset));
          r.max_seq = seq;
          break;
        case kTombstone:
          index.Remove(seq, nullptr);
          break;
        case kPurgeBefore: {
          std::vector<uint64_t> seqs;
          index.ForEach(index.first_seq(), [&](uint64_t s, const IndexEntry&) {
            if (s >= seq) return false;
            seqs.push_back(s);
            return true;
          });
          for (uint64_t s : seqs) index.Remove(s, nullptr);
          if (seq > 0) index.AdvanceLast(seq - 1);
          break;
        }
      }
    };
    if (seg.fd < 0) {
      ReplayMissing(seg.id, apply, out);
      continue;
    }
    uint64_t start = 0;
    std::string file;
    if (use_index_files && ReadFile(io_, IndexPath(seg.id), &file)) {
      if (r.records.Decode(file, seg.id) && r.records.covered_size() <= seg.size &&
          TailCrc(io_, seg.fd, r.records.covered_size()) == r.records.tail_crc()) {
        r.from_index = true;
        start = r.records.covered_size();
        const std::vector<std::string>& subjects = r.records.subjects();
        size_t n = 0;
        for (const SegmentIndex::Record& rec : r.records.records()) {
          if (++n % 8192 == 0 && cancel_load_.load()) {
            out->cancelled = true;
            return;
          }
          apply(rec.type, rec.seq, rec.ts, rec.type == kMessage ? subjects[rec.subject] : "",
                rec.size, rec.offset);
        }
      } else {
        LOG(WARNING) << IndexPath(seg.id) << ": damaged or stale; replaying " << seg.path;
        r.records = SegmentIndex();
      }
    }
    std::string buf(static_cast<size_t>(seg.size - start), '\0');
    absl::Status read = PreadFully(io_, seg.fd, buf.data(), buf.size(), start, seg.path);
    if (!read.ok()) buf.clear();
    size_t off = 0;
    while (off < buf.size()) {
      SegmentRecord rec;
      absl::Status bad = ParseSegmentRecord(buf.data() + off, buf.size() - off, &rec);
      if (bad.ok() && (start + off == 0) != (rec.type == kSegmentHeader)) {
        bad = StoreError(StoreErrc::kBadRecord, start + off == 0
                                                    ? "segment does not start with a header"
                                                    : "segment header inside a segment");
      }
      if (bad.ok() && rec.type == kMessage && rec.seq <= index.last_seq()) {
        bad = StoreError(StoreErrc::kBadRecord,
                         absl::StrCat("message sequence ", rec.seq, " not above ", index.last_seq()));
      }
      if (!bad.ok()) {
        r.bad = bad;
        break;
      }
      const uint32_t size = rec.type == kMessage ? RecordMsgSize(rec) : 0;
      apply(rec.type, rec.seq, rec.ts, rec.subject, size, start + off);
      if (rec.type == kMessage) {
        r.records.AddMessage(rec.seq, rec.ts, rec.subject, size, start + off);
      } else if (rec.type == kSegmentHeader) {
        r.records.AddHeader(rec.seq, start + off);
      } else {
        r.records.AddSeqRecord(rec.type, rec.seq, start + off);
      }
      off += rec.total_size;
    }
    r.valid_size = start + off;
    if (!read.ok()) r.bad = read;
    if (!r.bad.ok() && i + 1 < files.size()) out->lost_from = index.last_seq() + 1;
    out->proven_last = index.last_seq();
    r.index_current = r.from_index && r.records.covered_size() == r.valid_size;
    if (i + 1 < files.size()) {
      if (r.index_current) r.records = SegmentIndex();
      r.paged = SealIndex(&index, seg, index.last_seq(), r.index_current);
    }
  }
  if (missing_.high_water > index.last_seq()) {
    out->lost_from = index.last_seq() + 1;
    FillLost(missing_.high_water, out);
  }
  index.ForEach(index.first_seq(), [&](uint64_t, const IndexEntry& e) {
    auto it = std::lower_bound(files.begin(), files.end(), LocSegment(e.loc),
                               [](const SegmentFile& s, uint32_t v) { return s.id < v; });
    if (it != files.end() && it->id == LocSegment(e.loc)) {
      out->segments[it - files.begin()].live_bytes += e.size;
    }
    return true;
  });
}

absl::Status FileStore::ApplyReplay(ReplayResult* result) {
  std::vector<std::shared_ptr<Segment>> kept;
  std::vector<std::shared_ptr<Segment>> to_page;
  scanned_segments_ = 0;
  for (size_t i = 0; i < segments_.size(); ++i) {
    std::shared_ptr<Segment>& seg = segments_[i];
    if (seg->fd < 0) continue;  // Missing: TakeLost() reports it.
    Replayed& r = result->segments[i];
    if (!r.from_index) ++scanned_segments_;
    if (r.valid_size < r.file_size) {
      ++truncated_records_;
      Touch();
      LOG(WARNING) << seg->path << ": " << StoreErrcName(StoreErrorOf(r.bad).value_or(StoreErrc::kIo))
                   << " (" << r.bad.message() << ") at offset " << r.valid_size << "; truncating "
                   << r.file_size - r.valid_size << " bytes";
      if (io_->Ftruncate(seg->fd, static_cast<off_t>(r.valid_size)) != 0) {
        return IoError("truncate", seg->path);
      }
      if (io_->Fdatasync(seg->fd) != 0) return IoError("sync", seg->path);
    }
    seg->size = r.valid_size;
    seg->base_seq = r.base_seq;
    seg->max_seq = r.max_seq;
    seg->live_bytes = r.live_bytes;
    if (seg->size == 0) {
      LOG(WARNING) << seg->path << ": no valid segment header; removing the file";
      Touch();
      io_->Unlink(seg->path.c_str());
      io_->Unlink(IndexPath(seg->id).c_str());
      continue;
    }
    const bool last = i + 1 == segments_.size();
    if (last) {
      seg->records = std::make_unique<SegmentIndex>(std::move(r.records));
    } else {
      if (!r.index_current) WriteSegmentIndex(*seg, r.records);
      if (!r.paged) to_page.push_back(seg);
    }
    kept.push_back(std::move(seg));
  }
  segments_ = std::move(kept);
  index_ = std::move(result->index);
  if (result->lost) TakeLost();
  for (const auto& seg : to_page) PageOut(&index_, FileOf(*seg), seg->max_seq);
  // Sequences up to last_seq() were given out, but only lost files said so:
  // a new segment's header records it, durably, before anything else.
  const bool unproven = index_.last_seq() > result->proven_last;
  // No segment left, or the last one was deleted and the one before it is
  // sealed: start a new active segment.
  if (segments_.empty() || segments_.back()->records == nullptr || unproven) {
    JSE_RETURN_IF_ERROR(CreateSegment(index_.last_seq() + 1));
  }
  if (unproven) {
    JSE_RETURN_IF_ERROR(WritePending());
    JSE_RETURN_IF_ERROR(Sync());
  }
  return DropOldSegments();
}

// --- Missing segments (missing_segments.h) ---------------------------------

void FileStore::FindMissing(const std::vector<std::pair<uint32_t, std::string>>& files,
                            const std::vector<std::pair<uint32_t, std::string>>& index_files) {
  std::vector<uint32_t> present;
  for (const auto& [id, path] : files) present.push_back(id);
  std::string mark_file;
  std::optional<SeqMark> mark;
  if (ReadFile(io_, absl::StrCat(options_.dir, "/", kSeqMarkFile), &mark_file)) {
    mark = DecodeSeqMark(mark_file);
    if (!mark.has_value() && !mark_file.empty()) {
      LOG(WARNING) << options_.dir << "/" << kSeqMarkFile << ": damaged; not used";
    }
  }
  std::map<uint32_t, std::optional<SegmentIndex>> orphans;
  for (const auto& [id, path] : index_files) {
    if (std::binary_search(present.begin(), present.end(), id)) continue;
    if (!present.empty() && id < present.front() && (!mark || id < mark->oldest_id)) {
      io_->Unlink(path.c_str());  // Left by the deletion of an old segment.
      continue;
    }
    std::string file;
    SegmentIndex records;
    orphans[id] = ReadFile(io_, path, &file) && records.Decode(file, id)
                      ? std::optional<SegmentIndex>(std::move(records))
                      : std::nullopt;
  }
  std::string snap;
  SavedState saved;
  const bool have_saved = ReadFile(io_, absl::StrCat(options_.dir, "/", kSavedStateFile), &snap) &&
                          DecodeSavedState(snap, &saved);
  missing_ = FindMissingSegments(present, have_saved ? &saved : nullptr, std::move(orphans),
                                 mark ? &*mark : nullptr);
  next_segment_id_ = missing_.next_id;
  constexpr size_t kLogged = 10;
  for (size_t i = 0; i < missing_.segments.size() && i < kLogged; ++i) {
    const MissingSegment& m = missing_.segments[i];
    LOG(ERROR) << absl::StrFormat("%s/%010u%s", options_.dir, m.id, kSegmentSuffix)
               << ": segment file missing"
               << (m.records   ? " (its index file lists its messages)"
                   : m.max_seq ? " (state.snap names it)"
                   : !present.empty() && m.id > present.front()
                       ? " (between the segments found)"
                       : " (seq.mark names an older segment kept)")
               << "; its messages are reported lost and their sequences never reused";
  }
  if (missing_.segments.size() > kLogged) {
    LOG(ERROR) << options_.dir << ": " << missing_.segments.size() - kLogged
               << " more segment files missing, up to id " << missing_.segments.back().id;
  }
}

void FileStore::AddMissingSegments() {
  for (const MissingSegment& m : missing_.segments) {
    auto seg = std::make_shared<Segment>();
    seg->id = m.id;
    seg->path = absl::StrFormat("%s/%010u%s", options_.dir, m.id, kSegmentSuffix);
    segments_.push_back(std::move(seg));
  }
  std::sort(segments_.begin(), segments_.end(),
            [](const std::shared_ptr<Segment>& a, const std::shared_ptr<Segment>& b) {
              return a->id < b->id;
            });
}

void FileStore::ReplayMissing(uint32_t id, const ApplyRecordFn& apply, ReplayResult* out) const {
  out->lost = true;
  auto it = std::lower_bound(missing_.segments.begin(), missing_.segments.end(), id,
                             [](const MissingSegment& m, uint32_t v) { return m.id < v; });
  if (it != missing_.segments.end() && it->id == id) {
    const MissingSegment& m = *it;
    // Sequences below min_seq were removed before the loss.
    if (m.min_seq > out->index.last_seq() + 1) out->index.AdvanceLast(m.min_seq - 1);
    if (m.records.has_value()) {
      for (const SegmentIndex::Record& rec : m.records->records()) {
        if (rec.type == kMessage && rec.seq <= out->index.last_seq()) continue;
        apply(rec.type, rec.seq, rec.ts,
              rec.type == kMessage ? m.records->subjects()[rec.subject] : "", rec.size, rec.offset);
      }
    }
    out->lost_from = out->index.last_seq() + 1;
    FillLost(m.max_seq, out);
  }
  out->lost_from = out->index.last_seq() + 1;
}

void FileStore::FillLost(uint64_t through, ReplayResult* out) const {
  if (out->lost_from == 0) return;
  MsgIndex& index = out->index;
  const uint64_t from = std::max(out->lost_from, index.last_seq() + 1);
  out->lost_from = 0;
  if (through < from) return;
  // Placeholders in segment 0 (no segment has that id), so that removal
  // records replayed later take out what was removed before the loss.
  constexpr uint64_t kMaxListed = 1 << 20;
  for (uint64_t seq = from; seq <= through && seq - from < kMaxListed; ++seq) {
    index.Add(seq, index.last_ts(), "", 0, MakeLoc(0, 0));
  }
  if (through - from >= kMaxListed) {
    LOG(ERROR) << options_.dir << ": sequences " << from << " to " << through
               << " are lost; only the first " << kMaxListed << " are listed";
  }
  index.AdvanceLast(through);
  out->lost = true;
}

void FileStore::TakeLost() {
  std::vector<uint64_t> seqs;
  index_.ForEach(index_.first_seq(), [&](uint64_t seq, const IndexEntry& e) {
    if (SegmentById(LocSegment(e.loc)) == nullptr) seqs.push_back(seq);
    return true;
  });
  uint64_t bytes = 0;
  for (uint64_t seq : seqs) {
    IndexEntry e;
    index_.Remove(seq, &e);
    bytes += e.size;
  }
  Touch();
  if (!seqs.empty()) {
    LOG(ERROR) << options_.dir << ": " << seqs.size() << " messages lost (sequences "
               << seqs.front() << " to " << seqs.back() << ", " << bytes
               << " bytes as far as known); new messages get sequences above " << index_.last_seq();
  }
  lost_.msgs.insert(lost_.msgs.end(), seqs.begin(), seqs.end());
  lost_.bytes += bytes;
}

LostData FileStore::Lost() const { return lost_; }

size_t FileStore::paged_segments() const {
  EnsureIndex();
  return index_.paged_runs();
}

size_t FileStore::index_memory_bytes() const {
  EnsureIndex();
  return index_.MemoryBytes();
}

void FileStore::EnsureIndex() const { const_cast<FileStore*>(this)->FinishLoad(); }

absl::StatusOr<uint64_t> FileStore::Append(absl::string_view subject, absl::string_view hdr,
                                           absl::string_view data, int64_t ts_ns) {
  if (closed_ || !summary_.has_value()) return IndexedStore::Append(subject, hdr, data, ts_ns);
  StoreState& state = summary_->state;
  if (segments_.back()->records == nullptr) {
    // The segments found by Open() are left as they are until the index is
    // loaded, so nothing is appended after bytes not yet validated: the
    // appends go to a new segment, which the load adds to the index.
    JSE_RETURN_IF_ERROR(CreateSegment(state.last_seq + 1));
  }
  const Segment& active = *segments_.back();
  if (active.size + pending_.size() >= options_.segment_bytes && active.max_seq != 0) {
    // Sealing it needs the index.
    return IndexedStore::Append(subject, hdr, data, ts_ns);
  }
  const uint64_t seq = state.last_seq + 1;
  const int64_t ts = std::max(ts_ns, state.last_ts);
  JSE_RETURN_IF_ERROR(WriteMessage(seq, ts, subject, hdr, data).status());
  SummarizeMessage(seq, ts, subject, MsgSize(subject, hdr, data), &*summary_);
  return seq;
}

void FileStore::SummarizeMessage(uint64_t seq, int64_t ts, absl::string_view subject, uint32_t size,
                                 IndexSummary* summary) {
  // As MsgIndex::Add().
  StoreState& state = summary->state;
  if (state.msgs == 0) {
    state.first_seq = seq;
    state.first_ts = ts;
    state.num_deleted = 0;
  } else {
    state.num_deleted += seq - state.last_seq - 1;
  }
  ++state.msgs;
  state.bytes += size;
  state.last_seq = seq;
  state.last_ts = ts;
  auto [it, added] = summary->subject_counts.try_emplace(subject, 0);
  if (added) ++state.num_subjects;
  ++it->second;
}

void FileStore::AddAppendsBeforeLoad(ReplayResult* result) {
  // Append() made exactly one segment since Open(), holding its header and
  // messages only; the segment before it is sealed now (ApplyReplay() pages
  // it out).
  Segment& active = *segments_.back();
  MsgIndex& index = result->index;
  index.AdvanceLast(active.base_seq - 1);
  index.Seal(active.base_seq - 1);
  Replayed r;
  r.file_size = r.valid_size = active.size;
  r.from_index = true;  // Not replayed from its bytes.
  r.base_seq = active.base_seq;
  r.max_seq = active.max_seq;
  r.live_bytes = active.live_bytes;
  r.records = std::move(*active.records);
  const std::vector<std::string>& subjects = r.records.subjects();
  for (const SegmentIndex::Record& rec : r.records.records()) {
    if (rec.type == kMessage) {
      index.Add(rec.seq, rec.ts, subjects[rec.subject], rec.size, MakeLoc(active.id, rec.offset));
    }
  }
  result->segments.push_back(std::move(r));
  result->proven_last = index.last_seq();
}

void FileStore::FinishLoad() {
  if (!loader_.joinable()) return;
  if (!load_done_.load()) cancel_load_ = true;
  loader_.join();
  std::unique_ptr<ReplayResult> result = std::move(loaded_);
  if (result->cancelled) {
    cancel_load_ = false;
    result = std::make_unique<ReplayResult>();
    Replay(true, load_files_, result.get());
  }
  const bool appended = segments_.size() > load_files_.size();
  // The appends made since Open() are on file before the index covers them
  // (and before a replay that disagrees with state.snap reads them).
  if (appended && !WritePending().ok()) {
    FinishLoad();  // The store reloaded itself and may be loading again.
    return;
  }
  bool match = true;
  for (const Replayed& r : result->segments) match = match && r.valid_size == r.file_size;
  if (match && appended) AddAppendsBeforeLoad(result.get());
  load_files_.clear();
  const IndexSummary summary = std::move(*summary_);
  summary_.reset();
  const MsgIndex& idx = result->index;
  const StoreState& s = summary.state;
  match = match && idx.msgs() == s.msgs && idx.bytes() == s.bytes &&
          idx.first_seq() == s.first_seq && idx.last_seq() == s.last_seq &&
          idx.last_ts() == s.last_ts && idx.num_deleted() == s.num_deleted &&
          idx.subjects().size() == summary.subject_counts.size();
  for (const auto& [subject, info] : idx.subjects()) {
    if (!match) break;
    auto it = summary.subject_counts.find(subject);
    match = it != summary.subject_counts.end() && it->second == info.count;
  }
  absl::Status st;
  if (match) {
    st = ApplyReplay(result.get());
  } else {
    LOG(WARNING) << options_.dir << ": " << kSavedStateFile
                 << " does not match the segments; replaying every segment";
    saved_state_current_ = false;
    ReplayResult fresh;
    Replay(false, SegmentFiles(), &fresh);
    st = ApplyReplay(&fresh);
    if (st.ok()) RemoveStaleSavedState();
  }
  if (!st.ok()) LOG(ERROR) << options_.dir << ": loading the index: " << st;
}

void FileStore::Touch() {
  saved_state_current_ = false;
  checkpoint_current_ = false;
}

bool FileStore::WriteSegmentIndex(const Segment& seg, const SegmentIndex& records) {
  const uint32_t tail_crc = TailCrc(io_, seg.fd, seg.size);
  absl::Status st = ReplaceFileWith(io_, IndexPath(seg.id), [&](const auto& write) {
    records.EncodeTo(seg.id, seg.size, tail_crc, write);
  });
  if (!st.ok()) LOG(WARNING) << "writing the index of " << seg.path << ": " << st;
  return st.ok();
}

namespace {

void WarnNotPaged(const std::string& index_path, bool unreadable, const std::string& seg_path) {
  LOG(WARNING) << index_path << ": " << (unreadable ? "unreadable" : "out of date")
               << "; keeping the index of " << seg_path << " in memory";
}

}  // namespace

bool FileStore::PageOut(MsgIndex* index, const SegmentFile& seg, uint64_t max_seq) const {
  if (max_seq == 0 || seg.fd < 0) return false;
  std::unique_ptr<SegmentIndexReader> reader =
      SegmentIndexReader::Open(io_, seg.id, IndexPath(seg.id), seg.path);
  const bool unreadable = reader == nullptr;
  if (!unreadable && index->PageRun(max_seq, std::move(reader))) return true;
  WarnNotPaged(IndexPath(seg.id), unreadable, seg.path);
  return false;
}

bool FileStore::SealIndex(MsgIndex* index, const SegmentFile& seg, uint64_t through,
                          bool paged) const {
  if (!paged || seg.fd < 0) {
    index->Seal(through);
    return false;
  }
  std::unique_ptr<SegmentIndexReader> reader =
      SegmentIndexReader::Open(io_, seg.id, IndexPath(seg.id), seg.path);
  const bool unreadable = reader == nullptr;
  if (index->Seal(through, std::move(reader))) return true;
  WarnNotPaged(IndexPath(seg.id), unreadable, seg.path);
  return false;
}

absl::Status FileStore::SaveState() {
  const Segment& active = *segments_.back();
  if (active.records != nullptr) WriteSegmentIndex(active, *active.records);
  return WriteSavedState();
}

void FileStore::Checkpoint() {
  if (closed_) return;
  // A finished background load is installed here, or appends made without
  // it would leave the next crash restart a growing tail to read.
  if (summary_.has_value() && load_done_.load()) FinishLoad();
  if (summary_.has_value() || saved_state_current_ || checkpoint_current_) return;
  const int64_t now = absl::GetCurrentTimeNanos();
  if (now < next_checkpoint_ns_) return;
  absl::Status st = WritePending();
  if (st.ok()) st = WriteSavedState();
  // At most a small share of the time goes to checkpoints, however many
  // subjects state.snap lists.
  const int64_t cost = absl::GetCurrentTimeNanos() - now;
  next_checkpoint_ns_ = now + std::max(options_.checkpoint_interval_ns, 50 * cost);
  if (!st.ok()) {
    LOG(WARNING) << options_.dir << ": checkpoint: " << st;
    return;
  }
  checkpoint_current_ = true;
}

absl::Status FileStore::WriteSavedState() {
  SavedState saved;
  for (const auto& seg : segments_) {
    saved.segments.push_back(SavedState::Segment{seg->id, seg->size,
                                                 TailCrc(io_, seg->fd, seg->size), seg->base_seq,
                                                 seg->max_seq, seg->live_bytes});
  }
  saved.state = State();
  for (const auto& [subject, info] : index_.subjects())
    saved.subjects.emplace_back(subject, info.count);
  return ReplaceFile(io_, absl::StrCat(options_.dir, "/", kSavedStateFile),
                     EncodeSavedState(saved));
}

absl::Status FileStore::CreateSegment(uint64_t base_seq) {
  Touch();
  if (!segments_.empty() && segments_.back()->records != nullptr) {
    // Sealed: its records are final (callers wrote pending_ to it first).
    Segment& sealed = *segments_.back();
    const bool written = WriteSegmentIndex(sealed, *sealed.records);
    sealed.records.reset();
    SealIndex(&index_, FileOf(sealed), base_seq - 1, written);
  }
  auto seg = std::make_shared<Segment>();
  seg->id = std::max(segments_.empty() ? 1 : segments_.back()->id + 1, next_segment_id_);
  seg->path = absl::StrFormat("%s/%010u%s", options_.dir, seg->id, kSegmentSuffix);
  io_->Unlink(IndexPath(seg->id).c_str());
  seg->io = io_;
  seg->fd = io_->Open(seg->path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (seg->fd < 0) return IoError("create", seg->path);
  seg->base_seq = base_seq;
  seg->records = std::make_unique<SegmentIndex>();
  seg->records->AddHeader(base_seq, 0);
  segments_.push_back(seg);
  compact_check_ = true;  // The previous segment is sealed now.
  AppendSegmentHeader(&pending_, base_seq, absl::GetCurrentTimeNanos());
  common::MutexLock lock(&sync_mu_);
  dir_dirty_ = true;
  return absl::OkStatus();
}

FileStore::Segment* FileStore::FindSegment(uint32_t id) const { return SegmentById(id).get(); }

std::shared_ptr<FileStore::Segment> FileStore::SegmentById(uint32_t id) const {
  auto it =
      std::lower_bound(segments_.begin(), segments_.end(), id,
                       [](const std::shared_ptr<Segment>& s, uint32_t v) { return s->id < v; });
  return it != segments_.end() && (*it)->id == id ? *it : nullptr;
}

absl::StatusOr<uint64_t> FileStore::WriteMessage(uint64_t seq, int64_t ts,
                                                 absl::string_view subject,
                                                 absl::string_view hdr, absl::string_view data) {
  if (subject.size() > 0xffff) return StoreError(StoreErrc::kBadRecord, "subject too long");
  Segment* active = segments_.back().get();
  if (active->size + pending_.size() >= options_.segment_bytes && active->max_seq != 0) {
    JSE_RETURN_IF_ERROR(WritePending());
    JSE_RETURN_IF_ERROR(CreateSegment(seq));
    active = segments_.back().get();
  }
  Touch();
  const uint64_t offset = active->size + pending_.size();
  const uint32_t size = MsgSize(subject, hdr, data);
  AppendMessageRecord(&pending_, seq, ts, subject, hdr, data, compress_data_);
  active->records->AddMessage(seq, ts, subject, size, offset);
  active->max_seq = seq;
  active->live_bytes += size;
  return MakeLoc(active->id, offset);
}

absl::Status FileStore::Flush() { return WritePending(); }

absl::Status FileStore::WritePending() {
  if (pending_.empty()) return absl::OkStatus();
  const std::shared_ptr<Segment>& active = segments_.back();
  absl::Status written =
      PwriteFully(io_, active->fd, pending_.data(), pending_.size(), active->size, active->path);
  if (!written.ok()) return UndoFailedWrite(std::move(written));
  active->size += pending_.size();
  pending_.clear();
  WriteMark(segments_.front()->id);
  common::MutexLock lock(&sync_mu_);
  if (!active->dirty) {
    active->dirty = true;
    dirty_.push_back(active);
  }
  return absl::OkStatus();
}

absl::Status FileStore::UndoFailedWrite(absl::Status cause) {
  const Segment& active = *segments_.back();
  LOG(ERROR) << active.path << ": " << cause << "; dropping " << pending_.size()
             << " unwritten bytes of appends and removals and reloading " << options_.dir;
  if (io_->Ftruncate(active.fd, static_cast<off_t>(active.size)) != 0) {
    LOG(ERROR) << IoError("truncate", active.path) << "; recovery cuts what was written";
  }
  absl::Status reloaded = ReloadFromDisk();
  if (!reloaded.ok()) LOG(ERROR) << options_.dir << ": reload failed: " << reloaded;
  ++write_failures_;
  last_write_failure_ = cause;
  return cause;
}

absl::Status FileStore::Reload() {
  if (closed_) return StoreError(StoreErrc::kClosed, "store is closed");
  for (const auto& seg : segments_) {
    if (seg->fd >= 0) posix_fadvise(seg->fd, 0, 0, POSIX_FADV_DONTNEED);
  }
  return ReloadFromDisk();
}

absl::Status FileStore::ReloadFromDisk() {
  if (loader_.joinable()) {
    cancel_load_ = true;
    loader_.join();
  }
  cancel_load_ = false;
  load_done_ = false;
  loaded_.reset();
  load_files_.clear();
  summary_.reset();
  index_ = MsgIndex();
  missing_ = MissingSegments();
  lost_ = LostData();
  next_segment_id_ = 1;
  segments_.clear();
  pending_.clear();
  window_ = ReadWindow();
  used_saved_state_ = false;
  opened_segments_ = 0;
  scanned_segments_ = 0;
  saved_state_current_ = false;
  checkpoint_current_ = false;
  compact_check_ = true;
  {
    common::MutexLock lock(&sync_mu_);
    dirty_.clear();
  }
  absl::Status st = Recover();
  // What was written before may not be synced yet: the next Sync() covers
  // every segment and the directory.
  common::MutexLock lock(&sync_mu_);
  for (const auto& seg : segments_) {
    if (seg->fd >= 0 && !seg->dirty) {
      seg->dirty = true;
      dirty_.push_back(seg);
    }
  }
  dir_dirty_ = true;
  return st;
}

absl::Status FileStore::Sync() {
  std::vector<std::shared_ptr<Segment>> to_sync;
  bool dir = false;
  {
    common::MutexLock lock(&sync_mu_);
    to_sync.swap(dirty_);
    for (const auto& s : to_sync) s->dirty = false;
    std::swap(dir, dir_dirty_);
  }
  for (const auto& s : to_sync) {
    if (io_->Fdatasync(s->fd) != 0) return IoError("sync", s->path);
  }
  if (dir && io_->Fsync(dir_fd_) != 0) return IoError("sync", options_.dir);
  return absl::OkStatus();
}

absl::StatusOr<absl::string_view> FileStore::ReadWindowAt(const std::shared_ptr<Segment>& seg,
                                                          uint64_t off, size_t n) {
  const bool hit = window_.segment.lock() == seg && off >= window_.offset &&
                   off + n <= window_.offset + window_.bytes.size();
  if (!hit) {
    if (off >= seg->size) {
      return StoreError(StoreErrc::kShortRead, absl::StrCat("short read of ", seg->path));
    }
    window_.segment = seg;
    window_.offset = off;
    window_.bytes.resize(static_cast<size_t>(std::min<uint64_t>(kReadWindow, seg->size - off)));
    absl::Status st =
        PreadFully(io_, seg->fd, window_.bytes.data(), window_.bytes.size(), off, seg->path);
    if (!st.ok()) {
      window_ = ReadWindow();
      return st;
    }
  }
  return absl::string_view(window_.bytes).substr(static_cast<size_t>(off - window_.offset));
}

absl::StatusOr<absl::string_view> FileStore::ReadRecordAt(const Segment& seg, uint64_t off,
                                                          size_t guess) {
  if (off >= seg.size) {
    return StoreError(StoreErrc::kShortRead, absl::StrCat("short read of ", seg.path));
  }
  size_t have = static_cast<size_t>(std::min<uint64_t>(guess, seg.size - off));
  // The buffer only grows: a resize to a smaller size and back would fill
  // it with zeros again.
  if (record_buf_.size() < have) record_buf_.resize(have);
  JSE_RETURN_IF_ERROR(PreadFully(io_, seg.fd, record_buf_.data(), have, off, seg.path));
  if (have >= kRecordHeaderSize) {
    const uint64_t need =
        kRecordHeaderSize + std::min(Fixed32(record_buf_.data() + kLengthOffset), kMaxBodySize);
    if (need > have && off + need <= seg.size) {
      if (record_buf_.size() < need) record_buf_.resize(static_cast<size_t>(need));
      JSE_RETURN_IF_ERROR(PreadFully(io_, seg.fd, record_buf_.data() + have,
                                     static_cast<size_t>(need) - have, off + have, seg.path));
      have = static_cast<size_t>(need);
    }
  }
  return absl::string_view(record_buf_.data(), have);
}

absl::StatusOr<v1::StoredMessage> FileStore::ReadMessage(uint64_t seq, const IndexEntry& entry) {
  const std::shared_ptr<Segment> seg = SegmentById(LocSegment(entry.loc));
  if (seg == nullptr) {
    return StoreError(StoreErrc::kNotFound, absl::StrCat("segment of message ", seq, " is gone"));
  }
  uint64_t off = LocOffset(entry.loc);
  absl::string_view bytes;
  if (seg == segments_.back() && off >= seg->size) {
    bytes = absl::string_view(pending_).substr(static_cast<size_t>(off - seg->size));
  } else if (entry.size >= kReadWindow) {
    // A large message: one read of the whole record, whose length the
    // index's size bounds (MsgSizeOf counts all of a record's bytes but one).
    JSE_ASSIGN_OR_RETURN(bytes, ReadRecordAt(*seg, off, entry.size + 1));
  } else {
    JSE_ASSIGN_OR_RETURN(absl::string_view head, ReadWindowAt(seg, off, kRecordHeaderSize));
    if (head.size() < kRecordHeaderSize) {
      return StoreError(StoreErrc::kShortRead, absl::StrCat("short read of ", seg->path));
    }
    const size_t size =
        kRecordHeaderSize + std::min(Fixed32(head.data() + kLengthOffset), kMaxBodySize);
    if (size <= kReadWindow) {
      JSE_ASSIGN_OR_RETURN(bytes, ReadWindowAt(seg, off, size));
      bytes = bytes.substr(0, size);
    } else {
      JSE_ASSIGN_OR_RETURN(bytes, ReadRecordAt(*seg, off, size));
    }
  }
  const char* rec = bytes.data();
  const size_t avail = bytes.size();
  SegmentRecord r;
  absl::Status st = ParseSegmentRecord(rec, avail, &r);
  if (st.ok() && (r.type != kMessage || r.seq != seq)) {
    st = StoreError(StoreErrc::kBadRecord, absl::StrCat("record at ", off, " is not message ", seq));
  }
  if (!st.ok()) {
    LOG(ERROR) << seg->path << ": reading message " << seq << ": " << st;
    return st;
  }
  v1::StoredMessage m;
  m.set_subject(std::string(r.subject));
  m.set_seq(seq);
  m.set_time_ns(r.ts);
  m.set_headers(std::string(r.hdr));
  st = RecordData(r, m.mutable_data());
  if (record_buf_.size() > kKeptRecordBuffer) std::string().swap(record_buf_);
  if (!st.ok()) {
    LOG(ERROR) << seg->path << ": reading message " << seq << ": " << st;
    return st;
  }
  return m;
}

absl::Status FileStore::OnRemoved(uint64_t seq, const IndexEntry& entry, bool record) {
  if (Segment* seg = FindSegment(LocSegment(entry.loc))) {
    seg->live_bytes -= std::min<uint64_t>(seg->live_bytes, entry.size);
  }
  compact_check_ = true;
  Touch();
  if (!record) return absl::OkStatus();
  AppendSeq(kTombstone, seq);
  return DropOldSegments();
}

absl::Status FileStore::OnErased(uint64_t seq, const IndexEntry& entry) {
  // The tombstone must be durable before the record is overwritten, or a
  // crash could resurrect the random bytes as the message. No compaction
  // here: it could move the record being overwritten.
  JSE_RETURN_IF_ERROR(WritePending());
  JSE_RETURN_IF_ERROR(Sync());
  Segment* seg = FindSegment(LocSegment(entry.loc));
  if (seg == nullptr) return absl::OkStatus();  // Its segment is already deleted.
  const uint64_t off = LocOffset(entry.loc);
  char header[kRecordHeaderSize];
  JSE_RETURN_IF_ERROR(PreadFully(io_, seg->fd, header, sizeof(header), off, seg->path));
  std::string old(kRecordHeaderSize + std::min(Fixed32(header + kLengthOffset), kMaxBodySize), '\0');
  JSE_RETURN_IF_ERROR(PreadFully(io_, seg->fd, old.data(), old.size(), off, seg->path));
  SegmentRecord rec;
  JSE_RETURN_IF_ERROR(ParseSegmentRecord(old.data(), old.size(), &rec));
  if (rec.type != kMessage || rec.seq != seq) {
    return StoreError(StoreErrc::kBadRecord, absl::StrCat("record at ", off, " is not message ", seq));
  }
  std::string noise(rec.hdr.size() + rec.data.size(), '\0');
  for (char& c : noise) c = static_cast<char>(rng_());
  std::string replacement;
  AppendMessageRecord(&replacement, seq, rec.ts, rec.subject, absl::string_view(noise).substr(0, rec.hdr.size()),
                      absl::string_view(noise).substr(rec.hdr.size()));
  window_ = ReadWindow();  // It may hold the bytes overwritten here.
  return PwriteFully(io_, seg->fd, replacement.data(), replacement.size(), off, seg->path);
}

void FileStore::AppendSeq(RecordType type, uint64_t seq) {
  Segment& active = *segments_.back();
  active.records->AddSeqRecord(type, seq, active.size + pending_.size());
  AppendSeqRecord(&pending_, type, seq);
}

absl::Status FileStore::OnPurgedBefore(uint64_t seq) {
  Touch();
  if (index_.msgs() > 0) {
    AppendSeq(kPurgeBefore, seq);
    return DropOldSegments();
  }
  // Nothing left: start a fresh segment that records the purge, make it
  // durable, then delete every older segment.
  JSE_RETURN_IF_ERROR(WritePending());
  JSE_RETURN_IF_ERROR(CreateSegment(index_.last_seq() + 1));
  AppendSeq(kPurgeBefore, seq);
  JSE_RETURN_IF_ERROR(WritePending());
  JSE_RETURN_IF_ERROR(Sync());
  return DropOldSegments();
}

absl::Status FileStore::DropOldSegments() {
  size_t drop = 0;
  while (drop + 1 < segments_.size() && segments_[drop]->max_seq < index_.first_seq()) ++drop;
  if (drop == 0) return absl::OkStatus();
  // The removals that emptied them are durable, and seq.mark no longer
  // names them, before they go: recovery must not take them as lost.
  JSE_RETURN_IF_ERROR(WritePending());
  JSE_RETURN_IF_ERROR(Sync());
  WriteMark(segments_[drop]->id);
  Touch();
  for (; drop > 0; --drop) {
    if (io_->Unlink(segments_.front()->path.c_str()) != 0)
      return IoError("unlink", segments_.front()->path);
    io_->Unlink(IndexPath(segments_.front()->id).c_str());
    segments_.erase(segments_.begin());
    common::MutexLock lock(&sync_mu_);
    dir_dirty_ = true;
  }
  return absl::OkStatus();
}

void FileStore::Compact() {
  if (summary_.has_value() || !compact_check_) return;
  compact_check_ = false;
  for (size_t i = 0; i + 1 < segments_.size(); ++i) {
    const std::shared_ptr<Segment> seg = segments_[i];  // CompactSegment() replaces it.
    const int64_t keep = static_cast<int64_t>(seg->live_bytes) + seg->kept_bytes;
    const int64_t reclaimable = static_cast<int64_t>(seg->size) - keep;
    if (seg->size < options_.compact_min_bytes ||
        reclaimable * 2 <= static_cast<int64_t>(seg->size)) {
      continue;
    }
    absl::Status st = CompactSegment(i);
    if (!st.ok()) LOG(WARNING) << seg->path << ": compaction failed: " << st;
  }
}

absl::Status FileStore::CompactSegment(size_t i) {
  const std::shared_ptr<Segment> old = segments_[i];
  std::string in(static_cast<size_t>(old->size), '\0');
  JSE_RETURN_IF_ERROR(PreadFully(io_, old->fd, in.data(), in.size(), 0, old->path));
  // Messages below the oldest segment's base_seq are no longer on disk, so
  // tombstones for them are not needed; nor are tombstones for messages of
  // this segment, which go with them. Tombstones for messages in older
  // segments stay.
  const uint64_t gone_below = segments_.front()->base_seq;
  std::string out;
  std::vector<std::pair<uint64_t, uint64_t>> moved;  // seq, new offset.
  SegmentIndex kept;
  uint64_t live_accounted = 0;
  for (size_t off = 0; off < in.size();) {
    SegmentRecord rec;
    absl::Status st = ParseSegmentRecord(in.data() + off, in.size() - off, &rec);
    if (!st.ok()) {
      old->kept_bytes = static_cast<int64_t>(old->size);  // Do not retry until reopened.
      return st;
    }
    bool keep = true;
    if (rec.type == kMessage) {
      const std::optional<IndexEntry> e = index_.Get(rec.seq);
      keep = e && e->loc == MakeLoc(old->id, off);
      if (keep) {
        moved.emplace_back(rec.seq, out.size());
        kept.AddMessage(rec.seq, rec.ts, rec.subject, e->size, out.size());
        live_accounted += e->size;
      }
    } else if (rec.type == kTombstone) {
      keep = rec.seq >= gone_below && rec.seq < old->base_seq;
      if (keep) kept.AddSeqRecord(kTombstone, rec.seq, out.size());
    } else if (rec.type == kSegmentHeader) {
      kept.AddHeader(rec.seq, out.size());
    } else {
      kept.AddSeqRecord(rec.type, rec.seq, out.size());
    }
    if (keep) out.append(in, off, rec.total_size);
    off += rec.total_size;
  }
  old->kept_bytes = static_cast<int64_t>(out.size()) - static_cast<int64_t>(live_accounted);
  if ((old->size - out.size()) * 2 <= old->size) return absl::OkStatus();

  if (!moved.empty()) {
    // A paged run is read back now, while its index file and segment are
    // the ones it was checked against (SetLoc() reads it back).
    const uint64_t first = moved.front().first;
    index_.SetLoc(first, index_.Get(first)->loc);
  }
  Touch();
  JSE_RETURN_IF_ERROR(RemoveSavedIndex(*old));
  const std::string tmp = old->path + kCompactSuffix;
  int fd = io_->Open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("create", tmp);
  absl::Status st = PwriteFully(io_, fd, out.data(), out.size(), 0, tmp);
  if (st.ok() && io_->Fdatasync(fd) != 0) st = IoError("sync", tmp);
  // Makes earlier segment deletions and the saved index's removal durable
  // before the tombstones that relied on them disappear.
  if (st.ok() && io_->Fsync(dir_fd_) != 0) st = IoError("sync", options_.dir);
  if (st.ok() && io_->Rename(tmp.c_str(), old->path.c_str()) != 0) st = IoError("rename", tmp);
  if (!st.ok()) {
    io_->Close(fd);
    io_->Unlink(tmp.c_str());
    return st;
  }
  auto seg = std::make_shared<Segment>();
  seg->id = old->id;
  seg->path = old->path;
  seg->io = io_;
  seg->fd = fd;
  seg->size = out.size();
  seg->base_seq = old->base_seq;
  seg->max_seq = old->max_seq;
  seg->live_bytes = old->live_bytes;
  seg->kept_bytes = old->kept_bytes;
  for (const auto& [seq, off] : moved) index_.SetLoc(seq, MakeLoc(seg->id, off));
  segments_[i] = std::move(seg);
  ++compactions_;
  VLOG(1) << old->path << ": compacted " << old->size << " -> " << out.size() << " bytes";
  if (io_->Fsync(dir_fd_) != 0) return IoError("sync", options_.dir);
  if (WriteSegmentIndex(*segments_[i], kept))
    PageOut(&index_, FileOf(*segments_[i]), segments_[i]->max_seq);
  return absl::OkStatus();
}

absl::Status FileStore::RemoveSavedIndex(const Segment& seg) {
  for (const std::string& path :
       {absl::StrCat(options_.dir, "/", kSavedStateFile), IndexPath(seg.id)}) {
    if (io_->Unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("unlink", path);
  }
  return absl::OkStatus();
}

uint32_t FileStore::MsgSize(absl::string_view subject, absl::string_view hdr,
                            absl::string_view data) const {
  return FileMsgSize(subject.size(), hdr.size(), data.size());
}

absl::Status FileStore::Close() {
  if (closed_) return absl::OkStatus();
  if (loader_.joinable()) {
    cancel_load_ = true;
    loader_.join();
  }
  absl::Status st;
  // With summary_ still set the index was never loaded: nothing but appends
  // changed, and the saved state on disk, with what follows it, still
  // serves Open().
  if (summary_.has_value()) {
    st = WritePending();
    if (st.ok() && options_.sync_on_close) st = Sync();
  } else {
    st = Flush();
    if (st.ok() && options_.sync_on_close) st = Sync();
    if (st.ok() && !saved_state_current_) st = SaveState();
  }
  if (loader_.joinable()) {  // A failed write above reloaded the store.
    cancel_load_ = true;
    loader_.join();
  }
  closed_ = true;
  segments_.clear();
  {
    common::MutexLock lock(&sync_mu_);
    dirty_.clear();
  }
  return st;
}

}  // namespace jsengine::storesvc
