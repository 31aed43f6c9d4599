// PowerCut: what a directory tree would hold after a power cut, for crash
// tests of code that makes its writes durable with fsync(2).
//
// Linked into a test binary (link it statically: `linkstatic = True`), this
// library interposes fsync(2) and fdatasync(2): after each call that
// succeeds it records, as durable, the bytes of the file synced, or the
// entries of the directory synced (which file or directory each name is).
// Image() then writes the durable view of the tree: each directory holds the
// entries it had at its last fsync (a directory never synced is empty), each
// file the bytes it had at its last fsync (a file never synced is empty). So
// writes never synced are lost, and a creation, rename or removal not
// followed by an fsync of its directory is undone, as a power cut may do.
// Files and directories are told apart by inode and generation, so a reused
// inode number is a new file.
//
//   testing::util::PowerCut power_cut(dir);  // dir's contents count as durable
//   ... run the code, which writes and fsyncs under dir ...
//   power_cut.Image(copy);                   // any time, from any thread
//
// Thread-safety: thread-safe. One PowerCut may exist at a time; fsync calls
// made while none does are passed through unrecorded.
#ifndef JSENGINE_TESTING_UTIL_POWER_CUT_H_
#define JSENGINE_TESTING_UTIL_POWER_CUT_H_

#include <functional>
#include <string>

namespace jsengine::testing::util {

class PowerCut {
 public:
  // Starts recording for the existing directory `root`, whose present
  // contents count as durable.
  explicit PowerCut(const std::string& root);
  ~PowerCut();

  PowerCut(const PowerCut&) = delete;
  PowerCut& operator=(const PowerCut&) = delete;

  // Writes the durable view of `root` to `to`, which must not exist.
  void Image(const std::string& to) const;

  // How many fsync/fdatasync calls were recorded.
  int syncs() const;

  // Runs `hook` after each fsync/fdatasync recorded, on the thread that
  // made it, without PowerCut's lock (it may call Image): the durable view
  // changes only then, so images taken from the hook are every view a power
  // cut could leave.
  void SetHook(std::function<void()> hook);
};

}  // namespace jsengine::testing::util

#endif  // JSENGINE_TESTING_UTIL_POWER_CUT_H_
