#include "common/go_json_writer.h"

#include <string>

#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

std::string Quoted(absl::string_view s) {
  std::string out;
  AppendGoJsonString(s, &out);
  return out;
}

TEST(GoJsonStringTest, EscapesAsGoDoes) {
  EXPECT_EQ(Quoted("plain"), "\"plain\"");
  EXPECT_EQ(Quoted("ship.>"), "\"ship.\\u003e\"");
  EXPECT_EQ(Quoted("a<b&c"), "\"a\\u003cb\\u0026c\"");
  EXPECT_EQ(Quoted("q\"b\\"), "\"q\\\"b\\\\\"");
  EXPECT_EQ(Quoted("n\nr\rt\t"), "\"n\\nr\\rt\\t\"");
  EXPECT_EQ(Quoted(std::string("\x01\x1f\b\f", 4)), "\"\\u0001\\u001f\\u0008\\u000c\"");
  EXPECT_EQ(Quoted("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  EXPECT_EQ(Quoted("\xe2\x80\xa8\xe2\x80\xa9"), "\"\\u2028\\u2029\"");
}

TEST(GoJsonStringTest, ReplacesInvalidUtf8) {
  EXPECT_EQ(Quoted("a\xff"
                   "b"),
            "\"a\\ufffdb\"");
  EXPECT_EQ(Quoted("\xc0\xaf"), "\"\\ufffd\\ufffd\"");             // Overlong.
  EXPECT_EQ(Quoted("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // Surrogate.
  EXPECT_EQ(Quoted("\xe2\x82"), "\"\\ufffd\\ufffd\"");             // Truncated.
}

TEST(GoTimeTest, FormatsAsRfc3339NanoInUtc) {
  EXPECT_EQ(GoTime(0), "0001-01-01T00:00:00Z");
  EXPECT_EQ(GoTime(1795537646951038088), "2026-11-24T16:27:26.951038088Z");
  EXPECT_EQ(GoTime(1795537647973959260), "2026-11-24T16:27:27.97395926Z");
  EXPECT_EQ(GoTime(1795537647000000000), "2026-11-24T16:27:27Z");
  EXPECT_EQ(GoTime(1795537647100000000), "2026-11-24T16:27:27.1Z");
  EXPECT_EQ(GoTime(1), "1970-01-01T00:00:00.000000001Z");
  EXPECT_EQ(GoTime(-1), "1969-12-31T23:59:59.999999999Z");
}

TEST(GoJsonWriterTest, WritesCompactJson) {
  std::string out;
  GoJsonWriter w(&out);
  w.BeginObject();
  w.Key("a");
  w.Int(-1);
  w.OptInt("skipped", 0);
  w.OptString("skipped_too", "");
  w.OptBool("no", false);
  w.Key("list");
  w.BeginArray();
  w.Uint(18446744073709551615ull);
  w.BeginObject();
  w.EndObject();
  w.Null();
  w.EndArray();
  w.Key("b");
  w.Bytes("hello");
  w.Key("t");
  w.Time(0);
  w.OptBool("yes", true);
  w.EndObject();
  EXPECT_EQ(out,
            "{\"a\":-1,\"list\":[18446744073709551615,{},null],\"b\":\"aGVsbG8=\","
            "\"t\":\"0001-01-01T00:00:00Z\",\"yes\":true}");
}

}  // namespace
}  // namespace jsengine::common
