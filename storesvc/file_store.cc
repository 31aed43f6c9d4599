#include "storesvc/file_store.h"

#include <fcntl.h>
#include <sys/stat.h>
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
#include "common/status.h"
#include "glog/logging.h"
#include "storesvc/crc32c.h"
#include "storesvc/segment_record.h"
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
  bool dirty = false;    // Guarded by the store's sync_mu_.
  ~Segment() {
    if (fd >= 0) close(fd);
  }
};

namespace {

absl::Status IoError(absl::string_view what, absl::string_view path) {
  return StoreError(StoreErrc::kIo, absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

absl::Status PreadFully(int fd, char* buf, size_t n, uint64_t off, absl::string_view path) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = pread(fd, buf + done, n - done, static_cast<off_t>(off + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return IoError("read", path);
    }
    if (r == 0) return StoreError(StoreErrc::kShortRead, absl::StrCat("short read of ", path));
    done += static_cast<size_t>(r);
  }
  return absl::OkStatus();
}

absl::Status PwriteFully(int fd, const char* buf, size_t n, uint64_t off, absl::string_view path) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = pwrite(fd, buf + done, n - done, static_cast<off_t>(off + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return IoError("write", path);
    }
    done += static_cast<size_t>(r);
  }
  return absl::OkStatus();
}

}  // namespace

FileStore::FileStore(FileStoreOptions options) : options_(std::move(options)) {}

FileStore::~FileStore() {
  if (!closed_) Close().IgnoreError();
  if (dir_fd_ >= 0) close(dir_fd_);
}

absl::StatusOr<std::unique_ptr<FileStore>> FileStore::Open(const FileStoreOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return StoreError(StoreErrc::kIo, absl::StrCat("mkdir ", options.dir, ": ", ec.message()));
  std::unique_ptr<FileStore> store(new FileStore(options));
  store->dir_fd_ = open(options.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (store->dir_fd_ < 0) return IoError("open", options.dir);
  JSE_RETURN_IF_ERROR(store->Recover());
  return store;
}

absl::Status FileStore::Recover() {
  std::vector<std::pair<uint32_t, std::string>> files;
  for (const auto& entry : std::filesystem::directory_iterator(options_.dir)) {
    std::string name = entry.path().filename().string();
    if (absl::EndsWith(name, kCompactSuffix)) {
      LOG(WARNING) << entry.path().string() << ": removing an unfinished compaction";
      if (unlink(entry.path().c_str()) != 0) return IoError("unlink", entry.path().string());
      continue;
    }
    if (name.size() <= std::strlen(kSegmentSuffix) ||
        name.substr(name.size() - std::strlen(kSegmentSuffix)) != kSegmentSuffix) {
      continue;
    }
    uint32_t id = 0;
    if (!absl::SimpleAtoi(name.substr(0, name.size() - std::strlen(kSegmentSuffix)), &id)) continue;
    files.emplace_back(id, entry.path().string());
  }
  std::sort(files.begin(), files.end());
  std::map<uint32_t, SavedSegment> covered;
  used_saved_index_ = LoadSavedIndex(files, &covered);
  if (!used_saved_index_) {
    covered.clear();
    index_ = MsgIndex();
  }
  for (const auto& [id, path] : files) {
    auto seg = std::make_shared<Segment>();
    seg->id = id;
    seg->path = path;
    seg->fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (seg->fd < 0) return IoError("open", path);
    uint64_t start = 0;
    if (auto it = covered.find(id); it != covered.end()) {
      start = it->second.size;
      seg->base_seq = it->second.base_seq;
      seg->max_seq = it->second.max_seq;
    }
    JSE_RETURN_IF_ERROR(RecoverSegment(seg, start));
    if (seg->size == 0) {
      LOG(WARNING) << path << ": no valid segment header; removing the file";
      unlink(path.c_str());
      continue;
    }
    segments_.push_back(std::move(seg));
  }
  if (segments_.empty()) return CreateSegment(index_.last_seq() + 1);
  index_.ForEach(index_.first_seq(), [&](uint64_t, const IndexEntry& e) {
    if (Segment* seg = FindSegment(LocSegment(e.loc))) seg->live_bytes += e.size;
    return true;
  });
  JSE_RETURN_IF_ERROR(DropOldSegments());
  return absl::OkStatus();
}

absl::Status FileStore::RecoverSegment(const std::shared_ptr<Segment>& seg, uint64_t start) {
  struct stat st;
  if (fstat(seg->fd, &st) != 0) return IoError("stat", seg->path);
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  std::string buf(static_cast<size_t>(file_size - std::min(start, file_size)), '\0');
  JSE_RETURN_IF_ERROR(PreadFully(seg->fd, buf.data(), buf.size(), start, seg->path));
  size_t off = 0;
  absl::Status bad;
  while (off < buf.size()) {
    SegmentRecord rec;
    bad = ParseSegmentRecord(buf.data() + off, buf.size() - off, &rec);
    if (bad.ok() && (start + off == 0) != (rec.type == kSegmentHeader)) {
      bad = StoreError(StoreErrc::kBadRecord, start + off == 0
                                                  ? "segment does not start with a header"
                                                  : "segment header inside a segment");
    }
    if (bad.ok() && rec.type == kMessage && rec.seq <= index_.last_seq()) {
      bad = StoreError(StoreErrc::kBadRecord,
                       absl::StrCat("message sequence ", rec.seq, " not above ", index_.last_seq()));
    }
    if (!bad.ok()) break;
    switch (rec.type) {
      case kSegmentHeader:
        seg->base_seq = rec.seq;
        if (rec.seq > 0) index_.AdvanceLast(rec.seq - 1);
        break;
      case kMessage:
        index_.Add(rec.seq, rec.ts, rec.subject, MsgSize(rec.subject, rec.hdr, rec.data),
                   MakeLoc(seg->id, start + off));
        seg->max_seq = rec.seq;
        break;
      case kTombstone:
        index_.Remove(rec.seq, nullptr);
        break;
      case kPurgeBefore: {
        std::vector<uint64_t> seqs;
        index_.ForEach(index_.first_seq(), [&](uint64_t s, const IndexEntry&) {
          if (s >= rec.seq) return false;
          seqs.push_back(s);
          return true;
        });
        for (uint64_t s : seqs) index_.Remove(s, nullptr);
        if (rec.seq > 0) index_.AdvanceLast(rec.seq - 1);
        break;
      }
    }
    off += rec.total_size;
  }
  if (off < buf.size()) {
    ++truncated_records_;
    LOG(WARNING) << seg->path << ": " << StoreErrcName(*StoreErrorOf(bad)) << " ("
                 << bad.message() << ") at offset " << start + off << "; truncating "
                 << buf.size() - off << " bytes";
    if (ftruncate(seg->fd, static_cast<off_t>(start + off)) != 0) {
      return IoError("truncate", seg->path);
    }
    if (fdatasync(seg->fd) != 0) return IoError("sync", seg->path);
  }
  seg->size = start + off;
  return absl::OkStatus();
}

namespace {

uint32_t TailCrc(int fd, uint64_t size) {
  char tail[kTailCheckBytes];
  size_t n = static_cast<size_t>(std::min<uint64_t>(size, kTailCheckBytes));
  if (pread(fd, tail, n, static_cast<off_t>(size - n)) != static_cast<ssize_t>(n)) return 0;
  return crc32c::Value(tail, n);
}

}  // namespace

bool FileStore::LoadSavedIndex(const std::vector<std::pair<uint32_t, std::string>>& files,
                               std::map<uint32_t, SavedSegment>* covered) {
  std::string path = absl::StrCat(options_.dir, "/", kIndexFile);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  std::string buf;
  bool read_ok = fstat(fd, &st) == 0;
  if (read_ok) {
    buf.resize(static_cast<size_t>(st.st_size));
    read_ok = PreadFully(fd, buf.data(), buf.size(), 0, path).ok();
  }
  close(fd);
  auto reject = [&](absl::string_view why) {
    LOG(WARNING) << path << ": not used (" << why << "); replaying all segments";
    return false;
  };
  if (!read_ok || buf.size() < 20) return reject("unreadable");
  const char* p = buf.data();
  size_t body = buf.size() - 4;
  if (crc32c::Unmask(Fixed32(p + body)) != crc32c::Value(p, body)) return reject("checksum");
  if (Fixed64(p) != kIndexMagic || Fixed32(p + 8) != kIndexVersion) return reject("version");
  uint32_t nsegs = Fixed32(p + 12);
  size_t off = 16;
  constexpr size_t kSegEntry = 32;
  if (body < off + static_cast<size_t>(nsegs) * kSegEntry) return reject("short");
  uint32_t max_id = 0;
  for (uint32_t i = 0; i < nsegs; ++i, off += kSegEntry) {
    uint32_t id = Fixed32(p + off);
    SavedSegment s{Fixed64(p + off + 4), Fixed64(p + off + 12), Fixed64(p + off + 20)};
    uint32_t tail_crc = Fixed32(p + off + 28);
    auto it = std::find_if(files.begin(), files.end(), [id](const auto& f) { return f.first == id; });
    if (it == files.end()) return reject("a segment is gone");
    int sfd = open(it->second.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat sst;
    bool same = sfd >= 0 && fstat(sfd, &sst) == 0 && static_cast<uint64_t>(sst.st_size) >= s.size &&
                TailCrc(sfd, s.size) == tail_crc;
    if (sfd >= 0) close(sfd);
    if (!same) return reject("a segment changed");
    (*covered)[id] = s;
    max_id = std::max(max_id, id);
  }
  for (const auto& [id, file] : files) {
    if (covered->count(id) == 0 && id < max_id) return reject("unknown older segment");
  }
  if (!index_.DecodeFrom(absl::string_view(p + off, body - off))) return reject("bad index");
  return true;
}

absl::Status FileStore::SaveIndex() {
  std::string out;
  PutFixed64(&out, kIndexMagic);
  PutFixed32(&out, kIndexVersion);
  PutFixed32(&out, static_cast<uint32_t>(segments_.size()));
  for (const auto& seg : segments_) {
    PutFixed32(&out, seg->id);
    PutFixed64(&out, seg->size);
    PutFixed64(&out, seg->base_seq);
    PutFixed64(&out, seg->max_seq);
    PutFixed32(&out, TailCrc(seg->fd, seg->size));
  }
  index_.EncodeTo(&out);
  PutFixed32(&out, crc32c::Mask(crc32c::Value(out.data(), out.size())));
  std::string path = absl::StrCat(options_.dir, "/", kIndexFile);
  std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("create", tmp);
  absl::Status st = PwriteFully(fd, out.data(), out.size(), 0, tmp);
  if (st.ok() && fdatasync(fd) != 0) st = IoError("sync", tmp);
  close(fd);
  JSE_RETURN_IF_ERROR(st);
  if (rename(tmp.c_str(), path.c_str()) != 0) return IoError("rename", tmp);
  if (fsync(dir_fd_) != 0) return IoError("sync", options_.dir);
  return absl::OkStatus();
}

absl::Status FileStore::CreateSegment(uint64_t base_seq) {
  auto seg = std::make_shared<Segment>();
  seg->id = segments_.empty() ? 1 : segments_.back()->id + 1;
  seg->path = absl::StrFormat("%s/%010u%s", options_.dir, seg->id, kSegmentSuffix);
  seg->fd = open(seg->path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (seg->fd < 0) return IoError("create", seg->path);
  seg->base_seq = base_seq;
  segments_.push_back(seg);
  compact_check_ = true;  // The previous segment is sealed now.
  AppendSegmentHeader(&pending_, base_seq, absl::GetCurrentTimeNanos());
  std::lock_guard<std::mutex> lock(sync_mu_);
  dir_dirty_ = true;
  return absl::OkStatus();
}

FileStore::Segment* FileStore::FindSegment(uint32_t id) const {
  auto it = std::lower_bound(segments_.begin(), segments_.end(), id,
                             [](const std::shared_ptr<Segment>& s, uint32_t v) { return s->id < v; });
  return it != segments_.end() && (*it)->id == id ? it->get() : nullptr;
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
  uint64_t loc = MakeLoc(active->id, active->size + pending_.size());
  AppendMessageRecord(&pending_, seq, ts, subject, hdr, data);
  active->max_seq = seq;
  active->live_bytes += MsgSize(subject, hdr, data);
  return loc;
}

absl::Status FileStore::Flush() {
  JSE_RETURN_IF_ERROR(WritePending());
  CompactSegments();
  return absl::OkStatus();
}

absl::Status FileStore::WritePending() {
  if (pending_.empty()) return absl::OkStatus();
  const std::shared_ptr<Segment>& active = segments_.back();
  JSE_RETURN_IF_ERROR(PwriteFully(active->fd, pending_.data(), pending_.size(), active->size,
                                  active->path));
  active->size += pending_.size();
  pending_.clear();
  std::lock_guard<std::mutex> lock(sync_mu_);
  if (!active->dirty) {
    active->dirty = true;
    dirty_.push_back(active);
  }
  return absl::OkStatus();
}

absl::Status FileStore::Sync() {
  std::vector<std::shared_ptr<Segment>> to_sync;
  bool dir = false;
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    to_sync.swap(dirty_);
    for (const auto& s : to_sync) s->dirty = false;
    std::swap(dir, dir_dirty_);
  }
  for (const auto& s : to_sync) {
    if (fdatasync(s->fd) != 0) return IoError("sync", s->path);
  }
  if (dir && fsync(dir_fd_) != 0) return IoError("sync", options_.dir);
  return absl::OkStatus();
}

absl::StatusOr<v1::StoredMessage> FileStore::ReadMessage(uint64_t seq, const IndexEntry& entry) {
  Segment* seg = FindSegment(LocSegment(entry.loc));
  if (seg == nullptr) {
    return StoreError(StoreErrc::kNotFound, absl::StrCat("segment of message ", seq, " is gone"));
  }
  uint64_t off = LocOffset(entry.loc);
  std::string buf;
  const char* rec = nullptr;
  size_t avail = 0;
  if (seg == segments_.back().get() && off >= seg->size) {
    rec = pending_.data() + (off - seg->size);
    avail = pending_.size() - (off - seg->size);
  } else {
    char header[kRecordHeaderSize];
    JSE_RETURN_IF_ERROR(PreadFully(seg->fd, header, sizeof(header), off, seg->path));
    uint32_t len = std::min(Fixed32(header + kLengthOffset), kMaxBodySize);
    buf.resize(kRecordHeaderSize + len);
    JSE_RETURN_IF_ERROR(PreadFully(seg->fd, buf.data(), buf.size(), off, seg->path));
    rec = buf.data();
    avail = buf.size();
  }
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
  m.set_data(std::string(r.data));
  return m;
}

absl::Status FileStore::OnRemoved(uint64_t seq, const IndexEntry& entry, bool record) {
  if (Segment* seg = FindSegment(LocSegment(entry.loc))) {
    seg->live_bytes -= std::min<uint64_t>(seg->live_bytes, entry.size);
  }
  compact_check_ = true;
  if (!record) return absl::OkStatus();
  AppendSeqRecord(&pending_, kTombstone, seq);
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
  JSE_RETURN_IF_ERROR(PreadFully(seg->fd, header, sizeof(header), off, seg->path));
  std::string old(kRecordHeaderSize + std::min(Fixed32(header + kLengthOffset), kMaxBodySize), '\0');
  JSE_RETURN_IF_ERROR(PreadFully(seg->fd, old.data(), old.size(), off, seg->path));
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
  return PwriteFully(seg->fd, replacement.data(), replacement.size(), off, seg->path);
}

absl::Status FileStore::OnPurgedBefore(uint64_t seq) {
  if (index_.msgs() > 0) {
    AppendSeqRecord(&pending_, kPurgeBefore, seq);
    return DropOldSegments();
  }
  // Nothing left: start a fresh segment that records the purge, make it
  // durable, then delete every older segment.
  JSE_RETURN_IF_ERROR(WritePending());
  JSE_RETURN_IF_ERROR(CreateSegment(index_.last_seq() + 1));
  AppendSeqRecord(&pending_, kPurgeBefore, seq);
  JSE_RETURN_IF_ERROR(WritePending());
  JSE_RETURN_IF_ERROR(Sync());
  return DropOldSegments();
}

absl::Status FileStore::DropOldSegments() {
  bool dropped = false;
  while (segments_.size() > 1 && segments_.front()->max_seq < index_.first_seq()) {
    if (unlink(segments_.front()->path.c_str()) != 0) return IoError("unlink", segments_.front()->path);
    segments_.erase(segments_.begin());
    dropped = true;
  }
  if (dropped) {
    std::lock_guard<std::mutex> lock(sync_mu_);
    dir_dirty_ = true;
  }
  return absl::OkStatus();
}

void FileStore::CompactSegments() {
  if (!compact_check_) return;
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
  JSE_RETURN_IF_ERROR(PreadFully(old->fd, in.data(), in.size(), 0, old->path));
  // Messages below the oldest segment's base_seq are no longer on disk, so
  // tombstones for them are not needed; nor are tombstones for messages of
  // this segment, which go with them. Tombstones for messages in older
  // segments stay.
  const uint64_t gone_below = segments_.front()->base_seq;
  std::string out;
  std::vector<std::pair<uint64_t, uint64_t>> moved;  // seq, new offset.
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
      const IndexEntry* e = index_.Get(rec.seq);
      keep = e != nullptr && e->loc == MakeLoc(old->id, off);
      if (keep) {
        moved.emplace_back(rec.seq, out.size());
        live_accounted += e->size;
      }
    } else if (rec.type == kTombstone) {
      keep = rec.seq >= gone_below && rec.seq < old->base_seq;
    }
    if (keep) out.append(in, off, rec.total_size);
    off += rec.total_size;
  }
  old->kept_bytes = static_cast<int64_t>(out.size()) - static_cast<int64_t>(live_accounted);
  if ((old->size - out.size()) * 2 <= old->size) return absl::OkStatus();

  JSE_RETURN_IF_ERROR(RemoveSavedIndex());
  const std::string tmp = old->path + kCompactSuffix;
  int fd = open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("create", tmp);
  absl::Status st = PwriteFully(fd, out.data(), out.size(), 0, tmp);
  if (st.ok() && fdatasync(fd) != 0) st = IoError("sync", tmp);
  // Makes earlier segment deletions and the saved index's removal durable
  // before the tombstones that relied on them disappear.
  if (st.ok() && fsync(dir_fd_) != 0) st = IoError("sync", options_.dir);
  if (st.ok() && rename(tmp.c_str(), old->path.c_str()) != 0) st = IoError("rename", tmp);
  if (!st.ok()) {
    close(fd);
    unlink(tmp.c_str());
    return st;
  }
  auto seg = std::make_shared<Segment>();
  seg->id = old->id;
  seg->path = old->path;
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
  if (fsync(dir_fd_) != 0) return IoError("sync", options_.dir);
  return absl::OkStatus();
}

absl::Status FileStore::RemoveSavedIndex() {
  if (saved_index_removed_) return absl::OkStatus();
  std::string path = absl::StrCat(options_.dir, "/", kIndexFile);
  if (unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("unlink", path);
  saved_index_removed_ = true;
  return absl::OkStatus();
}

uint32_t FileStore::MsgSize(absl::string_view subject, absl::string_view hdr,
                            absl::string_view data) const {
  // nats-server's fileStoreMsgSize.
  size_t n = 22 + subject.size() + data.size() + 8;
  if (!hdr.empty()) n += 4 + hdr.size();
  return static_cast<uint32_t>(n);
}

absl::Status FileStore::Close() {
  if (closed_) return absl::OkStatus();
  absl::Status st = Flush();
  if (st.ok()) st = Sync();
  if (st.ok()) st = SaveIndex();
  closed_ = true;
  segments_.clear();
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    dirty_.clear();
  }
  return st;
}

}  // namespace jsengine::storesvc
