#include "impl/errno_names.h"

#include <gtest/gtest.h>
#include <netdb.h>

#include <cerrno>
#include <set>

namespace sockref {
namespace {

TEST(ErrnoNameTest, NamesEachNumberOnceAsErrnoErrorcodeDoes) {
  EXPECT_EQ(ErrnoName(ECONNREFUSED), "ECONNREFUSED");
  EXPECT_EQ(ErrnoName(EWOULDBLOCK), "EAGAIN");
  EXPECT_EQ(ErrnoName(EOPNOTSUPP), "ENOTSUP");
  EXPECT_EQ(ErrnoName(EDEADLK), "EDEADLOCK");
  EXPECT_EQ(ErrnoName(0), std::nullopt);
  EXPECT_EQ(ErrnoName(4095), std::nullopt);
}

TEST(ErrnoValueTest, KnowsEveryNameAliasesIncluded) {
  EXPECT_EQ(ErrnoValue("EBADF"), EBADF);
  EXPECT_EQ(ErrnoValue("EWOULDBLOCK"), EAGAIN);
  EXPECT_EQ(ErrnoValue("EOPNOTSUPP"), ENOTSUP);
  EXPECT_EQ(ErrnoValue("EDEADLK"), EDEADLOCK);
  EXPECT_EQ(ErrnoValue("EAI_NONAME"), std::nullopt);
  EXPECT_EQ(ErrnoValue("ENOSUCHERROR"), std::nullopt);
}

TEST(CanonicalErrnoNameTest, FoldsAliasesAndLeavesEverythingElse) {
  EXPECT_EQ(CanonicalErrnoName("EWOULDBLOCK"), "EAGAIN");
  EXPECT_EQ(CanonicalErrnoName("EOPNOTSUPP"), "ENOTSUP");
  EXPECT_EQ(CanonicalErrnoName("EDEADLK"), "EDEADLOCK");
  EXPECT_EQ(CanonicalErrnoName("EBADF"), "EBADF");
  EXPECT_EQ(CanonicalErrnoName("EAI_NONAME"), "EAI_NONAME");
  EXPECT_EQ(CanonicalErrnoName("not a name"), "not a name");
}

TEST(EaiNameTest, NamesGetaddrinfoCodes) {
  EXPECT_EQ(EaiName(EAI_NONAME), "EAI_NONAME");
  EXPECT_EQ(EaiName(EAI_SYSTEM), "EAI_SYSTEM");
  EXPECT_EQ(EaiValue("EAI_AGAIN"), EAI_AGAIN);
  EXPECT_EQ(EaiName(0), std::nullopt);
  EXPECT_EQ(EaiValue("EBADF"), std::nullopt);
}

TEST(ErrnoNamesTest, EveryRowRoundTrips) {
  std::set<int> values;
  for (const NamedNumber& row : ErrnoNames()) {
    EXPECT_TRUE(values.insert(row.value).second) << row.name << " names a number twice";
    EXPECT_EQ(ErrnoName(row.value), row.name);
    EXPECT_EQ(ErrnoValue(row.name), row.value);
  }
  for (const NamedNumber& row : ErrnoAliases()) {
    EXPECT_TRUE(values.count(row.value)) << row.name << " aliases an unnamed number";
    EXPECT_EQ(ErrnoValue(row.name), row.value);
  }
  for (const NamedNumber& row : EaiNames()) {
    EXPECT_EQ(EaiName(row.value), row.name);
    EXPECT_EQ(EaiValue(row.name), row.value);
  }
}

}  // namespace
}  // namespace sockref
