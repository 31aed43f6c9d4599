#include "testing/util/power_cut.h"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>

namespace jsengine::testing::util {
namespace {

// A file or directory: inode and its generation (or birth time where the
// file system has no generations), so that a reused inode number is another
// file.
struct Key {
  uint64_t dev = 0;
  uint64_t ino = 0;
  int64_t generation = 0;
  int64_t birth_sec = 0;
  uint32_t birth_nsec = 0;

  friend bool operator<(const Key& a, const Key& b) {
    return std::tie(a.dev, a.ino, a.generation, a.birth_sec, a.birth_nsec) <
           std::tie(b.dev, b.ino, b.generation, b.birth_sec, b.birth_nsec);
  }
};

struct Entry {
  Key key;
  bool is_dir = false;
};

struct Model {
  std::mutex mu;
  bool active = false;
  Key root;
  int syncs = 0;
  std::function<void()> hook;
  std::map<Key, std::string> files;                  // Durable bytes.
  std::map<Key, std::map<std::string, Entry>> dirs;  // Durable entries.
};

Model& TheModel() {
  static Model* model = new Model();
  return *model;
}

[[noreturn]] void Fail(const std::string& what) {
  std::perror(what.c_str());
  std::abort();
}

// The key and kind of the file open as `fd`.
bool Stat(int fd, Key* key, bool* is_dir, bool* is_file) {
  struct statx st;
  if (statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_INO | STATX_BTIME, &st) != 0) return false;
  key->dev = (uint64_t{st.stx_dev_major} << 32) | st.stx_dev_minor;
  key->ino = st.stx_ino;
  int generation = 0;
  if (ioctl(fd, FS_IOC_GETVERSION, &generation) == 0) {
    key->generation = generation;
  } else if (st.stx_mask & STATX_BTIME) {
    key->birth_sec = st.stx_btime.tv_sec;
    key->birth_nsec = st.stx_btime.tv_nsec;
  }
  *is_dir = S_ISDIR(st.stx_mode);
  *is_file = S_ISREG(st.stx_mode);
  return true;
}

// Stat of `name` in the directory open as `dirfd`; false if it is gone.
bool StatAt(int dirfd, const char* name, Key* key, bool* is_dir, bool* is_file) {
  const int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  const bool ok = Stat(fd, key, is_dir, is_file);
  close(fd);
  return ok;
}

// The bytes of the file open as `fd`, whatever its access mode (reopened
// through /proc, which works for unlinked files too).
std::string ReadAll(int fd) {
  char link[64];
  std::snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  const int rd = open(link, O_RDONLY | O_CLOEXEC);
  if (rd < 0) Fail("power_cut: reopen");
  std::string bytes;
  char buf[65536];
  for (;;) {
    const ssize_t n = read(rd, buf, sizeof(buf));
    if (n < 0) Fail("power_cut: read");
    if (n == 0) break;
    bytes.append(buf, static_cast<size_t>(n));
  }
  close(rd);
  return bytes;
}

std::map<std::string, Entry> ListDir(const std::string& path) {
  std::map<std::string, Entry> entries;
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return entries;  // Removed meanwhile.
  while (dirent* e = readdir(dir)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    Entry entry;
    bool is_file = false;
    if (StatAt(dirfd(dir), e->d_name, &entry.key, &entry.is_dir, &is_file) &&
        (entry.is_dir || is_file)) {
      entries[name] = entry;
    }
  }
  closedir(dir);
  return entries;
}

std::string PathOf(int fd) {
  char link[64];
  std::snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  char path[4096];
  const ssize_t n = readlink(link, path, sizeof(path) - 1);
  if (n < 0) Fail("power_cut: readlink");
  return std::string(path, static_cast<size_t>(n));
}

// Records fd's file or directory as durable. Called with model.mu held.
void RecordLocked(Model& model, int fd) {
  Key key;
  bool is_dir = false;
  bool is_file = false;
  if (!Stat(fd, &key, &is_dir, &is_file)) return;
  if (is_file) {
    model.files[key] = ReadAll(fd);
  } else if (is_dir) {
    model.dirs[key] = ListDir(PathOf(fd));
  }
  ++model.syncs;
}

void RecordTreeLocked(Model& model, const std::string& path, const Key& key) {
  model.dirs[key] = ListDir(path);
  for (const auto& [name, entry] : model.dirs[key]) {
    const std::string child = path + "/" + name;
    if (entry.is_dir) {
      RecordTreeLocked(model, child, entry.key);
    } else {
      const int fd = open(child.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) Fail("power_cut: open " + child);
      model.files[entry.key] = ReadAll(fd);
      close(fd);
    }
  }
}

void WriteTree(const Model& model, const Key& key, const std::string& to) {
  if (mkdir(to.c_str(), 0755) != 0) Fail("power_cut: mkdir " + to);
  auto dir = model.dirs.find(key);
  if (dir == model.dirs.end()) return;
  for (const auto& [name, entry] : dir->second) {
    const std::string child = to + "/" + name;
    if (entry.is_dir) {
      WriteTree(model, entry.key, child);
      continue;
    }
    const int fd = open(child.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) Fail("power_cut: create " + child);
    auto file = model.files.find(entry.key);
    if (file != model.files.end() && write(fd, file->second.data(), file->second.size()) !=
                                         static_cast<ssize_t>(file->second.size())) {
      Fail("power_cut: write " + child);
    }
    close(fd);
  }
}

using SyncFn = int(int);

SyncFn* Real(const char* name) {
  auto* fn = reinterpret_cast<SyncFn*>(dlsym(RTLD_NEXT, name));
  if (fn == nullptr) Fail(std::string("power_cut: no libc ") + name);
  return fn;
}

// Calls libc's `real` and records what it made durable.
int Intercept(SyncFn* real, int fd) {
  const int rc = real(fd);
  if (rc != 0) return rc;
  Model& model = TheModel();
  std::function<void()> hook;
  {
    std::lock_guard<std::mutex> lock(model.mu);
    if (!model.active) return rc;
    RecordLocked(model, fd);
    hook = model.hook;
  }
  if (hook) hook();
  return rc;
}

}  // namespace

PowerCut::PowerCut(const std::string& root) {
  Model& model = TheModel();
  std::lock_guard<std::mutex> lock(model.mu);
  if (model.active) Fail("power_cut: one PowerCut at a time");
  model.files.clear();
  model.dirs.clear();
  model.syncs = 0;
  bool is_dir = false;
  bool is_file = false;
  if (!StatAt(AT_FDCWD, root.c_str(), &model.root, &is_dir, &is_file) || !is_dir) {
    Fail("power_cut: root " + root);
  }
  RecordTreeLocked(model, root, model.root);
  model.active = true;
}

PowerCut::~PowerCut() {
  Model& model = TheModel();
  std::lock_guard<std::mutex> lock(model.mu);
  model.active = false;
  model.hook = nullptr;
}

void PowerCut::SetHook(std::function<void()> hook) {
  Model& model = TheModel();
  std::lock_guard<std::mutex> lock(model.mu);
  model.hook = std::move(hook);
}

void PowerCut::Image(const std::string& to) const {
  Model& model = TheModel();
  std::lock_guard<std::mutex> lock(model.mu);
  WriteTree(model, model.root, to);
}

int PowerCut::syncs() const {
  Model& model = TheModel();
  std::lock_guard<std::mutex> lock(model.mu);
  return model.syncs;
}

}  // namespace jsengine::testing::util

extern "C" int fsync(int fd) {
  using jsengine::testing::util::Real;
  static jsengine::testing::util::SyncFn* const real = Real("fsync");
  return jsengine::testing::util::Intercept(real, fd);
}

extern "C" int fdatasync(int fd) {
  using jsengine::testing::util::Real;
  static jsengine::testing::util::SyncFn* const real = Real("fdatasync");
  return jsengine::testing::util::Intercept(real, fd);
}
