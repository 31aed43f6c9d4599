#include "storesvc/segment_index_reader.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "absl/container/flat_hash_map.h"
#include "glog/logging.h"
#include "storesvc/file_format.h"
#include "storesvc/segment_record.h"

namespace jsengine::storesvc {

using namespace file_format;  // NOLINT

namespace {

// As segment_index.cc.
constexpr size_t kFileHeaderSize = 40;
constexpr size_t kRecordSize = 32;
constexpr uint32_t kFirstSeqKind = 0xfffffffdu;  // Kinds from here up are not messages.

bool ReadAt(common::FileIo* io, int fd, char* buf, size_t n, uint64_t off) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = io->Pread(fd, buf + done, n - done, static_cast<off_t>(off + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

}  // namespace

std::unique_ptr<SegmentIndexReader> SegmentIndexReader::Open(common::FileIo* io, uint32_t segment_id,
                                                             const std::string& index_path,
                                                             const std::string& segment_path) {
  std::unique_ptr<SegmentIndexReader> r(new SegmentIndexReader(io, segment_id));
  r->index_path_ = index_path;
  r->segment_path_ = segment_path;
  r->index_fd_ = io->Open(index_path.c_str(), O_RDONLY | O_CLOEXEC, 0);
  struct stat st;
  char header[kFileHeaderSize];
  if (r->index_fd_ < 0 || fstat(r->index_fd_, &st) != 0 ||
      !ReadAt(io, r->index_fd_, header, sizeof(header), 0) ||
      Fixed64(header) != kSegmentIndexMagic || Fixed32(header + 8) != kSegmentIndexVersion ||
      Fixed32(header + 12) != segment_id) {
    return nullptr;
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  r->covered_size_ = Fixed64(header + 16);
  const uint32_t nsubjects = Fixed32(header + 28);
  r->num_records_ = Fixed64(header + 32);
  if (size < kFileHeaderSize + 4 || r->num_records_ > (size - kFileHeaderSize - 4) / kRecordSize) {
    return nullptr;
  }
  r->records_at_ = size - 4 - r->num_records_ * kRecordSize;
  std::string table(static_cast<size_t>(r->records_at_ - kFileHeaderSize), '\0');
  if (!ReadAt(io, r->index_fd_, table.data(), table.size(), kFileHeaderSize)) return nullptr;
  size_t off = 0;
  for (uint32_t i = 0; i < nsubjects; ++i) {
    if (table.size() - off < 2) return nullptr;
    const size_t len = Fixed16(table.data() + off);
    off += 2;
    if (table.size() - off < len) return nullptr;
    r->subjects_.emplace_back(table, off, len);
    off += len;
  }
  if (off != table.size()) return nullptr;
  return r;
}

SegmentIndexReader::~SegmentIndexReader() {
  if (index_fd_ >= 0) io_->Close(index_fd_);
}

size_t SegmentIndexReader::num_pages() const {
  return static_cast<size_t>((num_records_ + MsgIndex::kPageSize - 1) / MsgIndex::kPageSize);
}

void SegmentIndexReader::ReadPage(size_t p, std::vector<SealedRecord>* out) const {
  out->clear();
  const uint64_t first = static_cast<uint64_t>(p) * MsgIndex::kPageSize;
  if (first >= num_records_) return;
  const size_t n =
      static_cast<size_t>(std::min<uint64_t>(MsgIndex::kPageSize, num_records_ - first));
  std::string buf(n * kRecordSize, '\0');
  if (!ReadAt(io_, index_fd_, buf.data(), buf.size(), records_at_ + first * kRecordSize)) {
    if (!warned_) {
      LOG(WARNING) << index_path_ << ": reading records " << first << " to " << first + n
                   << " failed; reading this file's pages from " << segment_path_;
      warned_ = true;
    }
    if (!ReadPageFromSegment(p, out)) {
      LOG(ERROR) << segment_path_ << ": cannot read records " << first << " to " << first + n
                 << " from either file; their messages are not found until reopened";
    }
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    const char* rec = buf.data() + i * kRecordSize;
    const uint32_t kind = Fixed32(rec + 28);
    if (kind >= kFirstSeqKind) continue;
    out->push_back(SealedRecord{Fixed64(rec), static_cast<int64_t>(Fixed64(rec + 8)),
                                MakeLoc(segment_id_, Fixed64(rec + 16)), Fixed32(rec + 24), kind});
  }
}

bool SegmentIndexReader::ReadPageFromSegment(size_t p, std::vector<SealedRecord>* out) const {
  const int fd = io_->Open(segment_path_.c_str(), O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) return false;
  std::string buf(static_cast<size_t>(covered_size_), '\0');
  const bool read = ReadAt(io_, fd, buf.data(), buf.size(), 0);
  io_->Close(fd);
  if (!read) return false;
  // The index file lists exactly the records of the bytes it covers, so
  // record i here is its record i; subjects are numbered in order of
  // appearance, as SegmentIndex numbers them.
  absl::flat_hash_map<absl::string_view, uint32_t> numbers;
  const uint64_t first = static_cast<uint64_t>(p) * MsgIndex::kPageSize;
  uint64_t i = 0;
  for (size_t off = 0; off < buf.size() && i < first + MsgIndex::kPageSize; ++i) {
    SegmentRecord rec;
    if (!ParseSegmentRecord(buf.data() + off, buf.size() - off, &rec).ok()) return false;
    if (rec.type == kMessage) {
      const uint32_t number =
          numbers.try_emplace(rec.subject, static_cast<uint32_t>(numbers.size())).first->second;
      if (i >= first) {
        out->push_back(
            SealedRecord{rec.seq, rec.ts, MakeLoc(segment_id_, off), RecordMsgSize(rec), number});
      }
    }
    off += rec.total_size;
  }
  return true;
}

}  // namespace jsengine::storesvc
