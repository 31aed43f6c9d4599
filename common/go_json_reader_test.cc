#include "common/go_json_reader.h"

#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace jsengine::common {
namespace {

TEST(GoJsonObjectTest, ReadsFieldsAndIgnoresUnknownOnes) {
  auto obj = GoJsonObject::Parse(R"({"seq":5,"name":"S","neg":-3,"ok":true,"extra":[1,{}]})");
  ASSERT_TRUE(obj.ok()) << obj.status();
  uint64_t seq = 0;
  std::string name;
  int64_t neg = 0;
  bool ok = false;
  EXPECT_TRUE(obj->GetUint64("seq", &seq).ok());
  EXPECT_TRUE(obj->GetString("name", &name).ok());
  EXPECT_TRUE(obj->GetInt64("neg", &neg).ok());
  EXPECT_TRUE(obj->GetBool("ok", &ok).ok());
  EXPECT_EQ(seq, 5u);
  EXPECT_EQ(name, "S");
  EXPECT_EQ(neg, -3);
  EXPECT_TRUE(ok);
}

TEST(GoJsonObjectTest, MatchesKeysCaseInsensitivelyAfterExactMatch) {
  auto obj = GoJsonObject::Parse(R"({"SEQ":7,"Name":"x","name":"y"})");
  ASSERT_TRUE(obj.ok());
  uint64_t seq = 0;
  std::string name;
  EXPECT_TRUE(obj->GetUint64("seq", &seq).ok());
  EXPECT_TRUE(obj->GetString("name", &name).ok());
  EXPECT_EQ(seq, 7u);
  EXPECT_EQ(name, "y");
}

TEST(GoJsonObjectTest, NullAndAbsentLeaveValuesAlone) {
  auto obj = GoJsonObject::Parse(R"({"seq":null})");
  ASSERT_TRUE(obj.ok());
  uint64_t seq = 9;
  EXPECT_TRUE(obj->GetUint64("seq", &seq).ok());
  EXPECT_TRUE(obj->GetUint64("other", &seq).ok());
  EXPECT_EQ(seq, 9u);
  EXPECT_TRUE(GoJsonObject::Parse("null").ok());
}

TEST(GoJsonObjectTest, NullInsideArraysAndMapsIsTheZeroValue) {
  auto obj = GoJsonObject::Parse(
      R"({"ints":[1,null,-3],"strs":["a",null],"map":{"k":null,"j":"v"},"nul":null})");
  ASSERT_TRUE(obj.ok());
  std::vector<int64_t> ints;
  std::vector<std::string> strs;
  std::map<std::string, std::string> map;
  EXPECT_TRUE(obj->GetInt64List("ints", &ints).ok());
  EXPECT_TRUE(obj->GetStringList("strs", &strs).ok());
  EXPECT_TRUE(obj->GetStringMap("map", &map).ok());
  EXPECT_EQ(ints, (std::vector<int64_t>{1, 0, -3}));
  EXPECT_EQ(strs, (std::vector<std::string>{"a", ""}));
  EXPECT_EQ(map, (std::map<std::string, std::string>{{"j", "v"}, {"k", ""}}));
  EXPECT_TRUE(obj->IsNull("nul"));
  EXPECT_TRUE(obj->IsNull("NUL"));
  EXPECT_FALSE(obj->IsNull("ints"));
  EXPECT_FALSE(obj->IsNull("absent"));
}

TEST(GoJsonObjectTest, Int64ListsRejectWhatInt64Rejects) {
  auto obj = GoJsonObject::Parse(
      R"({"s":"1","f":[1.5],"big":[9223372036854775808],"str":["1"],"obj":{}})");
  ASSERT_TRUE(obj.ok());
  std::vector<int64_t> list = {7};
  for (const char* key : {"s", "f", "big", "str", "obj"}) {
    EXPECT_FALSE(obj->GetInt64List(key, &list).ok()) << key;
  }
  EXPECT_EQ(list, (std::vector<int64_t>{7}));
  EXPECT_TRUE(obj->GetInt64List("absent", &list).ok());
}

TEST(GoJsonObjectTest, EnumsMatchTheirSpellingsAndRefuseNull) {
  enum class Color { kRed, kBlue };
  auto obj = GoJsonObject::Parse(R"({"a":"blue","b":"BLUE","c":null,"d":1,"e":"green"})");
  ASSERT_TRUE(obj.ok());
  const auto get = [&](const char* key, bool ignore_case, Color* out) {
    return obj->GetEnum<Color>(key, {{"red", Color::kRed}, {"blue", Color::kBlue}}, ignore_case,
                               out);
  };
  Color color = Color::kRed;
  EXPECT_TRUE(get("a", false, &color).ok());
  EXPECT_EQ(color, Color::kBlue);
  color = Color::kRed;
  EXPECT_FALSE(get("b", false, &color).ok());
  EXPECT_TRUE(get("b", true, &color).ok());
  EXPECT_EQ(color, Color::kBlue);
  for (const char* bad : {"c", "d", "e"}) EXPECT_FALSE(get(bad, true, &color).ok()) << bad;
  color = Color::kRed;
  EXPECT_TRUE(get("absent", false, &color).ok());
  EXPECT_EQ(color, Color::kRed);
}

TEST(GoJsonObjectTest, RejectsWrongTypes) {
  auto obj = GoJsonObject::Parse(
      R"({"s":1,"n":"1","f":1.5,"neg":-1,"big":9223372036854775808,"i32":2147483648,)"
      R"("list":["a",1],"map":{"k":1},"t":"yesterday","b":"true"})");
  ASSERT_TRUE(obj.ok());
  std::string s;
  int64_t i = 0;
  int32_t i32 = 0;
  uint64_t u = 0;
  bool b = false;
  std::vector<std::string> list;
  std::map<std::string, std::string> map;
  EXPECT_FALSE(obj->GetString("s", &s).ok());
  EXPECT_FALSE(obj->GetInt64("n", &i).ok());
  EXPECT_FALSE(obj->GetInt64("f", &i).ok());
  EXPECT_FALSE(obj->GetUint64("neg", &u).ok());
  EXPECT_FALSE(obj->GetInt64("big", &i).ok());
  EXPECT_TRUE(obj->GetUint64("big", &u).ok());
  EXPECT_FALSE(obj->GetInt32("i32", &i32).ok());
  EXPECT_FALSE(obj->GetStringList("list", &list).ok());
  EXPECT_FALSE(obj->GetStringMap("map", &map).ok());
  EXPECT_FALSE(obj->GetTime("t", &i).ok());
  EXPECT_FALSE(obj->GetBool("b", &b).ok());
  absl::Status status = obj->GetInt64("n", &i);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("\"n\""), absl::string_view::npos);
}

TEST(GoJsonObjectTest, RejectsMalformedOrNonObjectPayloads) {
  EXPECT_FALSE(GoJsonObject::Parse("").ok());
  EXPECT_FALSE(GoJsonObject::Parse("{\"seq\":").ok());
  EXPECT_FALSE(GoJsonObject::Parse("[1]").ok());
  EXPECT_FALSE(GoJsonObject::Parse("5").ok());
  EXPECT_FALSE(GoJsonObject::Parse("{} x").ok());
  EXPECT_FALSE(GoJsonObject::Parse(std::string(100000, '[')).ok());
  using std::string_literals::operator""s;
  EXPECT_FALSE(GoJsonObject::Parse("{\"name\":\"X\"}\0garbage"s).ok());
  EXPECT_FALSE(GoJsonObject::Parse("{\"name\":\"X\0\"}"s).ok());
}

TEST(GoJsonObjectTest, ParsesRfc3339Times) {
  auto obj = GoJsonObject::Parse(
      R"({"a":"2026-11-24T16:27:26.951038088Z","b":"2026-11-24T17:27:26+01:00"})");
  ASSERT_TRUE(obj.ok());
  int64_t a = 0, b = 0;
  EXPECT_TRUE(obj->GetTime("a", &a).ok());
  EXPECT_TRUE(obj->GetTime("b", &b).ok());
  EXPECT_EQ(a, 1795537646951038088);
  EXPECT_EQ(b, 1795537646000000000);
}

TEST(GoJsonObjectTest, ReadsNestedObjects) {
  auto obj = GoJsonObject::Parse(R"({"p":{"x":"y"},"l":[{"x":"z"},null],"bad":3})");
  ASSERT_TRUE(obj.ok());
  GoJsonObject nested;
  bool present = false;
  ASSERT_TRUE(obj->GetObject("p", &nested, &present).ok());
  ASSERT_TRUE(present);
  std::string x;
  EXPECT_TRUE(nested.GetString("x", &x).ok());
  EXPECT_EQ(x, "y");
  std::vector<GoJsonObject> list;
  ASSERT_TRUE(obj->GetObjectList("l", &list).ok());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_TRUE(list[0].GetString("x", &x).ok());
  EXPECT_EQ(x, "z");
  EXPECT_TRUE(obj->GetObject("missing", &nested, &present).ok());
  EXPECT_FALSE(present);
  EXPECT_FALSE(obj->GetObject("bad", &nested, &present).ok());
}

TEST(IsEmptyRequestTest, MatchesNatsServer) {
  EXPECT_TRUE(IsEmptyRequest(""));
  EXPECT_TRUE(IsEmptyRequest("{}"));
  EXPECT_TRUE(IsEmptyRequest(" { } "));
  EXPECT_FALSE(IsEmptyRequest("null"));
  EXPECT_FALSE(IsEmptyRequest("{\"x\":1}"));
  EXPECT_FALSE(IsEmptyRequest("{"));
}

}  // namespace
}  // namespace jsengine::common
