#include "consumersvc/client/delivery_frame.h"

namespace jsengine::consumersvc::client {
namespace {

// Wire types and the tags of the fields written (all numbers below 16, so
// every tag is one byte).
constexpr int kVarint = 0;
constexpr int kFixed64 = 1;
constexpr int kLength = 2;
constexpr int kFixed32 = 5;
constexpr char Tag(int field, int wire_type) { return static_cast<char>(field << 3 | wire_type); }

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

void PutVarint(uint64_t v, std::string* out) {
  char buf[10];
  size_t n = 0;
  for (; v >= 0x80; v >>= 7) buf[n++] = static_cast<char>(v | 0x80);
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

// Proto3 leaves empty strings and zero numbers out.
size_t BytesFieldSize(std::string_view s) {
  return s.empty() ? 0 : 1 + VarintSize(s.size()) + s.size();
}
size_t VarintFieldSize(uint64_t v) { return v == 0 ? 0 : 1 + VarintSize(v); }

void PutBytes(char tag, std::string_view s, std::string* out) {
  if (s.empty()) return;
  out->push_back(tag);
  PutVarint(s.size(), out);
  out->append(s.data(), s.size());
}
void PutVarintField(char tag, uint64_t v, std::string* out) {
  if (v == 0) return;
  out->push_back(tag);
  PutVarint(v, out);
}

size_t MessageSize(const DeliveryView& d) {
  return BytesFieldSize(d.message_subject) + VarintFieldSize(d.seq) +
         VarintFieldSize(static_cast<uint64_t>(d.time_ns)) + BytesFieldSize(d.message_headers) +
         BytesFieldSize(d.data);
}

// Reads protobuf wire format in place.
class Reader {
 public:
  explicit Reader(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}

  bool done() const { return p_ == end_; }

  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64 && p_ < end_; shift += 7) {
      const uint8_t b = static_cast<uint8_t>(*p_++);
      *v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) return true;
    }
    return false;
  }
  bool Bytes(std::string_view* s) {
    uint64_t n;
    if (!Varint(&n) || n > static_cast<uint64_t>(end_ - p_)) return false;
    *s = std::string_view(p_, n);
    p_ += n;
    return true;
  }
  // Reads a field's tag: its number and wire type.
  bool Tag(int* field, int* wire_type) {
    uint64_t tag;
    if (!Varint(&tag) || tag >> 3 == 0 || tag >> 3 > 0x1fffffff) return false;
    *field = static_cast<int>(tag >> 3);
    *wire_type = static_cast<int>(tag & 7);
    return true;
  }
  // Skips a field of a number this reader does not know.
  bool Skip(int wire_type) {
    uint64_t v;
    std::string_view s;
    switch (wire_type) {
      case kVarint:
        return Varint(&v);
      case kLength:
        return Bytes(&s);
      case kFixed64:
        return Advance(8);
      case kFixed32:
        return Advance(4);
      default:
        return false;
    }
  }

 private:
  bool Advance(size_t n) {
    if (n > static_cast<size_t>(end_ - p_)) return false;
    p_ += n;
    return true;
  }

  const char* p_;
  const char* end_;
};

bool ParseMessage(std::string_view in, DeliveryView* d) {
  Reader r(in);
  while (!r.done()) {
    int field, type;
    if (!r.Tag(&field, &type)) return false;
    uint64_t v;
    bool ok;
    if (field == 1 && type == kLength) {
      ok = r.Bytes(&d->message_subject);
    } else if (field == 2 && type == kVarint) {
      ok = r.Varint(&d->seq);
    } else if (field == 3 && type == kVarint) {
      ok = r.Varint(&v);
      d->time_ns = static_cast<int64_t>(v);
    } else if (field == 4 && type == kLength) {
      ok = r.Bytes(&d->message_headers);
    } else if (field == 5 && type == kLength) {
      ok = r.Bytes(&d->data);
    } else {
      ok = r.Skip(type);
    }
    if (!ok) return false;
  }
  return true;
}

bool ParseDelivery(std::string_view in, DeliveryView* d) {
  Reader r(in);
  while (!r.done()) {
    int field, type;
    if (!r.Tag(&field, &type)) return false;
    std::string_view message;
    bool ok;
    if (field == 1 && type == kLength) {
      ok = r.Bytes(&d->subject);
    } else if (field == 2 && type == kLength) {
      ok = r.Bytes(&d->reply);
    } else if (field == 3 && type == kLength) {
      d->has_message = true;
      ok = r.Bytes(&message) && ParseMessage(message, d);
    } else if (field == 4 && type == kLength) {
      ok = r.Bytes(&d->headers);
    } else {
      ok = r.Skip(type);
    }
    if (!ok) return false;
  }
  return true;
}

bool ParseAck(std::string_view in, AckView* ack) {
  Reader r(in);
  while (!r.done()) {
    int field, type;
    if (!r.Tag(&field, &type)) return false;
    bool ok;
    if (field == 1 && type == kLength) {
      ok = r.Bytes(&ack->reply_subject);
    } else if (field == 2 && type == kLength) {
      ok = r.Bytes(&ack->body);
    } else if (field == 3 && type == kLength) {
      ok = r.Bytes(&ack->reply);
    } else {
      ok = r.Skip(type);
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace

DeliveryView DeliveryView::Stored(std::string_view subject, std::string_view reply,
                                  const v1::StoredMessage& m) {
  DeliveryView d;
  d.subject = subject;
  d.reply = reply;
  d.has_message = true;
  d.message_subject = m.subject();
  d.seq = m.seq();
  d.time_ns = m.time_ns();
  d.message_headers = m.headers();
  d.data = m.data();
  return d;
}

DeliveryView DeliveryView::Plain(std::string_view subject, std::string_view reply,
                                 std::string_view headers) {
  DeliveryView d;
  d.subject = subject;
  d.reply = reply;
  d.headers = headers;
  return d;
}

DeliveryView DeliveryView::Advisory(std::string_view subject, std::string_view json) {
  DeliveryView d;
  d.subject = subject;
  d.has_message = true;
  d.data = json;
  return d;
}

void AppendDelivery(const DeliveryView& d, std::string* packed) {
  const size_t message = d.has_message ? MessageSize(d) : 0;
  const size_t delivery = BytesFieldSize(d.subject) + BytesFieldSize(d.reply) +
                          (d.has_message ? 1 + VarintSize(message) + message : 0) +
                          BytesFieldSize(d.headers);
  packed->reserve(packed->size() + 1 + VarintSize(delivery) + delivery);
  packed->push_back(Tag(1, kLength));
  PutVarint(delivery, packed);
  PutBytes(Tag(1, kLength), d.subject, packed);
  PutBytes(Tag(2, kLength), d.reply, packed);
  if (d.has_message) {
    packed->push_back(Tag(3, kLength));
    PutVarint(message, packed);
    PutBytes(Tag(1, kLength), d.message_subject, packed);
    PutVarintField(Tag(2, kVarint), d.seq, packed);
    PutVarintField(Tag(3, kVarint), static_cast<uint64_t>(d.time_ns), packed);
    PutBytes(Tag(4, kLength), d.message_headers, packed);
    PutBytes(Tag(5, kLength), d.data, packed);
  }
  PutBytes(Tag(4, kLength), d.headers, packed);
}

namespace {

// Calls `fn` with the bytes of each Delivery in `packed`; false if
// malformed or `fn` returns false.
template <typename Fn>
bool ForEachRecord(std::string_view packed, Fn fn) {
  Reader r(packed);
  while (!r.done()) {
    int field, type;
    if (!r.Tag(&field, &type)) return false;
    if (field != 1 || type != kLength) {
      if (!r.Skip(type)) return false;
      continue;
    }
    std::string_view bytes;
    if (!r.Bytes(&bytes) || !fn(bytes)) return false;
  }
  return true;
}

}  // namespace

bool ForEachDelivery(std::string_view packed, absl::FunctionRef<void(const DeliveryView&)> fn) {
  return ForEachRecord(packed, [&](std::string_view bytes) {
    DeliveryView d;
    if (!ParseDelivery(bytes, &d)) return false;
    fn(d);
    return true;
  });
}

void AppendAck(const AckView& ack, std::string* packed) {
  const size_t size =
      BytesFieldSize(ack.reply_subject) + BytesFieldSize(ack.body) + BytesFieldSize(ack.reply);
  packed->reserve(packed->size() + 1 + VarintSize(size) + size);
  packed->push_back(Tag(1, kLength));
  PutVarint(size, packed);
  PutBytes(Tag(1, kLength), ack.reply_subject, packed);
  PutBytes(Tag(2, kLength), ack.body, packed);
  PutBytes(Tag(3, kLength), ack.reply, packed);
}

bool ForEachAck(std::string_view packed, absl::FunctionRef<void(const AckView&)> fn) {
  return ForEachRecord(packed, [&](std::string_view bytes) {
    AckView ack;
    if (!ParseAck(bytes, &ack)) return false;
    fn(ack);
    return true;
  });
}

std::vector<v1::Delivery> UnpackDeliveries(const v1::DeliveryBatch& batch) {
  std::vector<v1::Delivery> out;
  const bool ok = ForEachRecord(batch.packed_deliveries(), [&](std::string_view bytes) {
    return out.emplace_back().ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  });
  if (!ok) out.clear();
  return out;
}

}  // namespace jsengine::consumersvc::client
