#include "storesvc/store_resources.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include "common/status.h"

namespace jsengine::storesvc {
namespace {

constexpr int64_t kDefaultMaxMemory = int64_t{256} << 20;
constexpr int64_t kDefaultMaxStorage = int64_t{1} << 40;

int64_t DefaultMaxMemory() {
  const long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return kDefaultMaxMemory;
  return static_cast<int64_t>(pages) * page_size / 4 * 3;
}

int64_t DefaultMaxStorage(const std::string& data_dir) {
  struct statvfs fs;
  if (statvfs(data_dir.c_str(), &fs) != 0) return kDefaultMaxStorage;
  return static_cast<int64_t>(static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize / 4 * 3);
}

}  // namespace

StoreLimits ResolveStoreLimits(int64_t max_memory, int64_t max_storage,
                               const std::string& data_dir) {
  return {max_memory >= 0 ? max_memory : DefaultMaxMemory(),
          max_storage >= 0 ? max_storage : DefaultMaxStorage(data_dir)};
}

StoreResources::StoreResources(int64_t max_memory, int64_t max_storage)
    : max_{max_memory, max_storage} {}

bool StoreResources::Exceeded(v1::StorageType storage) const {
  const int64_t limit = max(storage);
  return limit >= 0 && used(storage) > limit;
}

absl::Status StoreResources::CheckReservation(v1::StorageType storage, int64_t reserved,
                                              int64_t add) const {
  const int64_t limit = max(storage);
  if (limit < 0 || (reserved <= limit && add <= limit - reserved)) return absl::OkStatus();
  return common::JsError(storage == v1::STORAGE_MEMORY
                             ? common::JsErrorId::kMemoryResourcesExceeded
                             : common::JsErrorId::kStorageResourcesExceeded);
}

}  // namespace jsengine::storesvc
