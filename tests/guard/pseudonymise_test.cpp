// Pseudonymisation, policy and re-identification, including the streaming
// re-identifier with placeholders cut at every possible point.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "guard/guard.h"

namespace tq::guard {
namespace {

TEST(Pseudonymise, StablePlaceholdersAcrossMessages) {
  const Guard g;
  PseudonymMap map;
  const std::vector<std::string> first{
      "Bonjour, je suis Marie Dupont, IBAN FR76 3000 6000 0112 3456 7890 189, tél. 06 12 34 "
      "56 78."};
  const auto a = g.protect(first, {}, map);
  EXPECT_EQ(a.texts[0], "Bonjour, je suis <PERSON_1>, IBAN <IBAN_1>, tél. <PHONE_1>.");
  EXPECT_EQ(a.verdict.action, Action::Pseudonymise);
  EXPECT_TRUE(a.verdict.may_go_remote());
  // Later in the conversation the same values, written differently, keep their names.
  const std::vector<std::string> second{
      "Rappelez Marie Dupont au 0612345678 ou au 07 98 76 54 32, IBAN "
      "FR7630006000011234567890189."};
  const auto b = g.protect(second, {}, map);
  EXPECT_EQ(b.texts[0], "Rappelez <PERSON_1> au <PHONE_1> ou au <PHONE_2>, IBAN <IBAN_1>.");
  ASSERT_NE(map.original("<PHONE_1>"), nullptr);
  EXPECT_EQ(*map.original("<PHONE_1>"), "06 12 34 56 78");  // as first written
  EXPECT_EQ(map.size(), 4U);
}

TEST(Pseudonymise, ReidentifyRestoresOriginals) {
  const Guard g;
  PseudonymMap map;
  const std::vector<std::string> msg{
      "Write to jeanne.martin@orange.fr about card 4111 1111 1111 1111."};
  const auto p = g.protect(msg, {}, map);
  EXPECT_EQ(p.texts[0], "Write to <EMAIL_1> about card <CARD_1>.");
  const std::string answer = "Dear <EMAIL_1>, card <CARD_1> is blocked; <CARD_9> and <x> stay.";
  EXPECT_EQ(reidentify(answer, map),
            "Dear jeanne.martin@orange.fr, card 4111 1111 1111 1111 is blocked; <CARD_9> and <x> "
            "stay.");
}

TEST(Pseudonymise, StreamingMatchesWholeAtEverySplit) {
  PseudonymMap map;
  map.placeholder(EntityType::Person, "Élodie Moreau");
  map.placeholder(EntityType::DateOfBirth, "12 mars 1985");
  const std::string answer =
      "Bonjour <PERSON_1>, née le <DATE_OF_BIRTH_1> <<PERSON_1>> <PERSON_> <PERSON_12 < fin <";
  const std::string whole = reidentify(answer, map);
  EXPECT_EQ(
      whole,
      "Bonjour Élodie Moreau, née le 12 mars 1985 <Élodie Moreau> <PERSON_> <PERSON_12 < fin <");
  // Every way of cutting the answer into three chunks gives the same text.
  for (size_t i = 0; i <= answer.size(); ++i) {
    for (size_t j = i; j <= answer.size(); ++j) {
      StreamReidentifier s(map);
      std::string out = s.push(answer.substr(0, i));
      out += s.push(answer.substr(i, j - i));
      out += s.push(answer.substr(j));
      out += s.finish();
      ASSERT_EQ(out, whole) << "cut at " << i << "," << j;
    }
  }
  // One byte at a time, only a possible placeholder prefix is held back.
  StreamReidentifier s(map);
  std::string out;
  for (char c : std::string("Hi <PERS")) out += s.push(std::string(1, c));
  EXPECT_EQ(out, "Hi ");
  out += s.push("ON_1>!");
  EXPECT_EQ(out, "Hi Élodie Moreau!");
}

TEST(Policy, NirKeepsTheRequestLocalWithAReason) {
  const Guard g;
  PseudonymMap map;
  const std::vector<std::string> msg{"Mon numéro de sécu est 2 55 08 14 168 025 38, merci."};
  const auto p = g.protect(msg, {}, map);
  EXPECT_EQ(p.verdict.action, Action::LocalOnly);
  EXPECT_FALSE(p.verdict.may_go_remote());
  ASSERT_EQ(p.verdict.reasons.size(), 1U);
  EXPECT_EQ(p.verdict.reasons[0], "NIR found (1) → local_only");
  EXPECT_EQ(p.texts[0], "Mon numéro de sécu est <NIR_1>, merci.");
}

TEST(Policy, LabelsRaiseSensitivity) {
  const Guard g;
  PseudonymMap map;
  const std::vector<std::string> msg{"Quel est le délai de livraison ?"};
  const std::vector<std::string> public_only{"public"};
  EXPECT_EQ(g.protect(msg, public_only, map).verdict.action, Action::Allow);
  const std::vector<std::string> secret{"public", "secret"};
  const auto p = g.protect(msg, secret, map);
  EXPECT_EQ(p.verdict.action, Action::Block);
  EXPECT_EQ(p.verdict.reasons.back(), "label secret → block");
  const std::vector<std::string> unknown{"projet-x"};
  EXPECT_EQ(g.protect(msg, unknown, map).verdict.action, Action::LocalOnly);  // fail closed
}

TEST(Policy, ConfigSectionOverridesDefaults) {
  const auto table = parse_config(R"(
[guard]
min_confidence = 0.8
allow = ["support@triptyque.fr", "01 23 45 67 89"]
deny = ["Projet Orion"]
[guard.policy]
EMAIL = "allow"
IBAN = "block"
[guard.labels]
confidential = "pseudonymise"
"*" = "block"
)",
                                  "test");
  const GuardConfig cfg = guard_config_from_toml(table);
  EXPECT_EQ(cfg.scan.min_confidence, 0.8);
  const Guard g(cfg);
  PseudonymMap map;
  const std::vector<std::string> msg{
      "Le Projet Orion : écrire à support@triptyque.fr ou jean@exemple.fr, appeler le "
      "01.23.45.67.89 ou le 06 11 22 33 44."};
  const auto p = g.protect(msg, {}, map);
  EXPECT_EQ(p.texts[0],
            "Le <CUSTOM_1> : écrire à support@triptyque.fr ou jean@exemple.fr, appeler le "
            "01.23.45.67.89 ou le <PHONE_1>.");
  EXPECT_EQ(p.verdict.action, Action::Pseudonymise);
  const std::vector<std::string> iban{"IBAN FR76 3000 6000 0112 3456 7890 189"};
  EXPECT_EQ(g.protect(iban, {}, map).verdict.action, Action::Block);
  const std::vector<std::string> labels{"confidential"};
  EXPECT_EQ(g.protect(msg, labels, map).verdict.action, Action::Pseudonymise);
  const std::vector<std::string> other{"whatever"};
  EXPECT_EQ(g.protect(msg, other, map).verdict.action, Action::Block);
}

TEST(Policy, BadConfigNamesTheKey) {
  auto expect_error = [](const char* text, const char* needle) {
    try {
      guard_config_from_toml(parse_config(text, "test"));
      ADD_FAILURE() << "no error for " << text;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error("[guard.policy]\nIBAN = \"forward\"\n", "guard.policy.IBAN");
  expect_error("[guard.policy]\nPASSPORT = \"block\"\n", "guard.policy.PASSPORT");
  expect_error("[guard]\nallow = \"x\"\n", "guard.allow");
  expect_error("[guard]\nmin_confidence = 3.0\n", "guard.min_confidence");
}

TEST(FailClosed, InvalidUtf8AndHugeInputsNeverThrow) {
  const Guard g;
  PseudonymMap map;
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 131) & 0xFF));
  const std::vector<std::string> msg{junk};
  const auto p = g.protect_or_block(msg, {}, map);
  EXPECT_EQ(p.texts.size(), 1U);
}

}  // namespace
}  // namespace tq::guard
