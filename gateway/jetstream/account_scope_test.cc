#include "gateway/jetstream/account_scope.h"

#include "gtest/gtest.h"

namespace jsengine::gateway::jetstream {
namespace {

TEST(JsAccountScopeTest, GlobalAccountKeepsNames) {
  for (const char* name : {"", "$G"}) {
    JsAccountScope g(name);
    EXPECT_TRUE(g.global());
    EXPECT_EQ(g.Stream("ORDERS"), "ORDERS");
    EXPECT_EQ(g.UserStream("X~Y"), "X~Y");
    EXPECT_EQ(g.Subject("deliver.x"), "deliver.x");
    EXPECT_EQ(g.StreamSubject("$JS.ACK.S.C.1.1.1.0.0"), "$JS.ACK.S.C.1.1.1.0.0");
    EXPECT_EQ(g.UserSubject("deliver.x"), "deliver.x");
  }
}

TEST(JsAccountScopeTest, QualifiesAndUnqualifies) {
  JsAccountScope a("A");
  EXPECT_EQ(a.account(), "A");
  EXPECT_EQ(a.Stream("ORDERS"), "A~ORDERS");
  EXPECT_EQ(a.UserStream("A~ORDERS"), "ORDERS");
  EXPECT_EQ(a.UserStream("A~X~Y"), "X~Y");
  EXPECT_EQ(a.UserStream("B~ORDERS"), std::nullopt);
  EXPECT_EQ(a.UserStream("ORDERS"), std::nullopt);
  EXPECT_EQ(a.Subject("_INBOX.x"), "$JSA.A._INBOX.x");
  EXPECT_EQ(a.UserSubject("$JSA.A._INBOX.x"), "_INBOX.x");
  EXPECT_EQ(a.UserSubject("$JSA.B._INBOX.x"), std::nullopt);
  EXPECT_EQ(a.StreamSubject("$JS.ACK.S.C.1.2.3.4.5"), "$JS.ACK.A~S.C.1.2.3.4.5");
  EXPECT_EQ(a.StreamSubject("$JS.FC.S.C.xyz"), "$JS.FC.A~S.C.xyz");
  EXPECT_EQ(a.StreamSubject("other.S"), "other.S");
}

TEST(JsAccountScopeTest, EncodesAccountsWithAnyCharacters) {
  JsAccountScope odd("a.b~c %");
  const std::string stream = odd.Stream("S");
  EXPECT_EQ(stream.find('.'), std::string::npos);
  EXPECT_EQ(stream.find(' '), std::string::npos);
  EXPECT_EQ(odd.UserStream(stream), "S");
  JsAccountScope::Located located = JsAccountScope::LocateStream(stream);
  EXPECT_EQ(located.account, "a.b~c %");
  EXPECT_EQ(located.subject, "S");
  located = JsAccountScope::Locate(odd.Subject("d.x"));
  EXPECT_EQ(located.account, "a.b~c %");
  EXPECT_EQ(located.subject, "d.x");
  // Two accounts never share a qualified name.
  EXPECT_NE(JsAccountScope("A~X").Stream("Y"), JsAccountScope("A").Stream("X~Y"));
}

TEST(JsAccountScopeTest, LocatesWhatTheConsumerServicePublishes) {
  JsAccountScope::Located l = JsAccountScope::Locate("$JSA.A.deliver.x");
  EXPECT_EQ(l.account, "A");
  EXPECT_EQ(l.subject, "deliver.x");
  l = JsAccountScope::Locate("$JS.ACK.A~ORDERS.C.1.2.3.4.5");
  EXPECT_EQ(l.account, "A");
  EXPECT_EQ(l.subject, "$JS.ACK.ORDERS.C.1.2.3.4.5");
  l = JsAccountScope::Locate("$JS.FC.A~ORDERS.C.abc");
  EXPECT_EQ(l.account, "A");
  EXPECT_EQ(l.subject, "$JS.FC.ORDERS.C.abc");
  l = JsAccountScope::Locate("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.A~ORDERS.C");
  EXPECT_EQ(l.account, "A");
  EXPECT_EQ(l.subject, "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.ORDERS.C");
  l = JsAccountScope::Locate("$JS.ACK.ORDERS.C.1.2.3.4.5");
  EXPECT_EQ(l.account, "");
  EXPECT_EQ(l.subject, "$JS.ACK.ORDERS.C.1.2.3.4.5");
  l = JsAccountScope::Locate("plain.subject");
  EXPECT_EQ(l.account, "");
  EXPECT_EQ(l.subject, "plain.subject");
  // Not this scheme's encoding: global.
  EXPECT_EQ(JsAccountScope::LocateStream("a%zz~S").account, "");
}

}  // namespace
}  // namespace jsengine::gateway::jetstream
