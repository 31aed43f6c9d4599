// ChunkedQueue: a FIFO with random access (push_back, pop_front,
// operator[]) that stores its elements in fixed-size chunks.
//
// MsgIndex keeps one entry per sequence in it. Compared with std::deque
// (512-byte blocks) a million entries take a few hundred allocations instead
// of tens of thousands, which makes building and freeing an index of
// millions of messages (restart, shutdown) cheap. A chunk is left
// uninitialized until elements are written to it, so the memory a queue
// holds is what its elements fill, page by page: a stream with one message
// costs a page, not the whole chunk.
//
//   ChunkedQueue<IndexEntry> q;
//   q.push_back(e);
//   q[0].ts = 5;
//   q.pop_front();
//
// Thread-safety: not thread-safe; a value type (movable, not copyable).
#ifndef JSENGINE_STORESVC_CHUNKED_QUEUE_H_
#define JSENGINE_STORESVC_CHUNKED_QUEUE_H_

#include <cstddef>
#include <deque>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace jsengine::storesvc {

template <typename T, size_t kChunkBits = 12>
class ChunkedQueue {
  // Elements are copied into raw storage and never destroyed.
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  static constexpr size_t kChunk = size_t{1} << kChunkBits;

  ChunkedQueue() = default;
  ChunkedQueue(ChunkedQueue&& other) noexcept { *this = std::move(other); }
  ChunkedQueue& operator=(ChunkedQueue&& other) noexcept {
    chunks_ = std::move(other.chunks_);
    head_ = std::exchange(other.head_, 0);
    size_ = std::exchange(other.size_, 0);
    other.chunks_.clear();
    return *this;
  }

  size_t size() const { return size_; }
  // Bytes of the chunks held (allocated whole, filled page by page).
  size_t allocated_bytes() const { return chunks_.size() * kChunk * sizeof(T); }
  bool empty() const { return size_ == 0; }

  T& operator[](size_t i) { return At(head_ + i); }
  const T& operator[](size_t i) const { return const_cast<ChunkedQueue*>(this)->At(head_ + i); }
  T& front() { return (*this)[0]; }

  void push_back(const T& v) {
    const size_t slot = head_ + size_;
    if (slot == chunks_.size() * kChunk) chunks_.push_back(NewChunk());
    new (&At(slot)) T(v);
    ++size_;
  }

  void pop_front() {
    ++head_;
    --size_;
    if (head_ == kChunk) {
      chunks_.pop_front();
      head_ = 0;
    }
    if (size_ == 0) {
      chunks_.clear();
      head_ = 0;
    }
  }

 private:
  struct Free {
    void operator()(T* chunk) const { ::operator delete(chunk); }
  };
  using Chunk = std::unique_ptr<T, Free>;

  // Raw storage: nothing is written to it before push_back.
  static Chunk NewChunk() { return Chunk(static_cast<T*>(::operator new(kChunk * sizeof(T)))); }
  T& At(size_t slot) { return chunks_[slot >> kChunkBits].get()[slot & (kChunk - 1)]; }

  std::deque<Chunk> chunks_;
  size_t head_ = 0;  // Slot of element 0 in chunks_.front().
  size_t size_ = 0;
};

}  // namespace jsengine::storesvc

#endif  // JSENGINE_STORESVC_CHUNKED_QUEUE_H_
