// `triptyque guard` and `triptyque audit` run as a user runs them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "guard/audit.h"
#include "support/gold.h"
#include "support/run.h"

namespace tq {
namespace {

const std::string kTicket =
    "Bonjour, je suis Hélène Faure (née le 3 mai 1990), IBAN FR76 3000 6000 0112 3456 7890 "
    "189, tél. +33 6 12 34 56 78.\n";

TEST(GuardCli, ScanJsonGivesByteOffsetsAndExactText) {
  const auto r = test::run({test::cli_path(), "guard", "scan", "--json", "-"}, kTicket);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& e = j.at("entities");
  ASSERT_EQ(e.size(), 4U) << r.out;
  EXPECT_EQ(e[0]["type"], "PERSON");
  EXPECT_EQ(e[0]["text"], "Hélène Faure");
  EXPECT_EQ(e[0]["start"], 17);     // "Bonjour, je suis " is 17 bytes
  EXPECT_EQ(e[0]["end"], 17 + 14);  // "Hélène" has two 2-byte letters
  EXPECT_EQ(e[1]["type"], "DATE_OF_BIRTH");
  EXPECT_EQ(e[1]["text"], "3 mai 1990");
  EXPECT_EQ(e[2]["type"], "IBAN");
  EXPECT_EQ(e[2]["text"], "FR76 3000 6000 0112 3456 7890 189");
  EXPECT_EQ(e[3]["type"], "PHONE");
  EXPECT_EQ(e[3]["text"], "+33 6 12 34 56 78");
  for (const auto& x : e) {
    const size_t s = x["start"];
    const size_t n = static_cast<size_t>(x["end"]) - s;
    EXPECT_EQ(kTicket.substr(s, n), x["text"].get<std::string>());
    EXPECT_GT(x["confidence"].get<double>(), 0.5);
  }
}

TEST(GuardCli, ScanTableAndFile) {
  const auto path = test::scratch_dir("guard_cli") / "ticket.txt";
  std::ofstream(path) << kTicket;
  const auto r = test::run({test::cli_path(), "guard", "scan", path.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("IBAN"), std::string::npos);
  EXPECT_NE(r.out.find("4 entities"), std::string::npos) << r.out;
  const auto missing = test::run({test::cli_path(), "guard", "scan", "/nonexistent/x.txt"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot open /nonexistent/x.txt"), std::string::npos) << missing.err;
}

TEST(GuardCli, RedactPrintsPlaceholdersAndMapping) {
  const auto r = test::run({test::cli_path(), "guard", "redact", "-"}, kTicket);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "Bonjour, je suis <PERSON_1> (née le <DATE_OF_BIRTH_1>), IBAN <IBAN_1>, tél. "
            "<PHONE_1>.\n");
  const auto j = nlohmann::json::parse(
      test::run({test::cli_path(), "guard", "redact", "--json", "-"}, kTicket).out);
  EXPECT_EQ(j["mapping"]["<IBAN_1>"], "FR76 3000 6000 0112 3456 7890 189");
  EXPECT_EQ(j["decision"], "pseudonymise");
}

TEST(AuditCli, VerifyDetectsEditsAndCutTails) {
  const auto path = (test::scratch_dir("guard_cli") / "audit.db").string();
  std::filesystem::remove(path);
  guard::AuditHead checkpoint;
  {
    guard::AuditLog log(path);
    for (int i = 0; i < 4; ++i)
      checkpoint = log.append("decision", "r" + std::to_string(i), {{"i", i}});
  }
  auto ok = test::run({test::cli_path(), "audit", "verify", "--audit", path, "--checkpoint",
                       checkpoint.to_string(), "--json"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err << ok.out;
  EXPECT_EQ(nlohmann::json::parse(ok.out)["entries"], 4);
  const auto head = test::run({test::cli_path(), "audit", "head", "--audit", path});
  EXPECT_EQ(head.out, checkpoint.to_string() + "\n");
  // Cut the last entry off (the trigger has to go first, as an attacker would do).
  const auto cut = test::run(
      {"sqlite3", path, "DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE seq = 4;"});
  if (cut.exit_code != 0) GTEST_SKIP() << "sqlite3 shell not available: " << cut.err;
  const auto bad = test::run({test::cli_path(), "audit", "verify", "--audit", path, "--checkpoint",
                              checkpoint.to_string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("TAMPERED"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("cut off"), std::string::npos) << bad.out;
  const auto malformed =
      test::run({test::cli_path(), "audit", "verify", "--audit", path, "--checkpoint", "nope"});
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_NE(malformed.err.find("HASH:COUNT"), std::string::npos) << malformed.err;
}

}  // namespace
}  // namespace tq
