// Precision and recall per entity type on the labelled corpus (tests/data/guard/
// corpus.jsonl: French and English tickets, e-mails, invoices, forms and hard negatives,
// labelled by the generator that computed their check digits). An entity counts as found
// when the scanner reports the same type and exactly the same text.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "guard/scanner.h"

namespace tq::guard {
namespace {

struct Counts {
  int tp = 0;
  int fp = 0;
  int fn = 0;
  double precision() const { return tp + fp == 0 ? 1.0 : static_cast<double>(tp) / (tp + fp); }
  double recall() const { return tp + fn == 0 ? 1.0 : static_cast<double>(tp) / (tp + fn); }
};

TEST(GuardCorpus, PrecisionRecallPerType) {
  const std::string path = std::string(TQ_SOURCE_DIR) + "/tests/data/guard/corpus.jsonl";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing " << path;
  const Scanner scanner;
  std::map<std::string, Counts> by_type;
  std::string line;
  int snippets = 0;
  int shown = 0;
  while (std::getline(in, line)) {
    const auto row = nlohmann::json::parse(line);
    const std::string text = row.at("text");
    ++snippets;
    std::multimap<std::string, std::string> expected;
    for (const auto& e : row.at("entities")) expected.emplace(e.at("type"), e.at("text"));
    for (const Entity& e : scanner.scan(text)) {
      const std::string type(type_name(e.type));
      ASSERT_EQ(text.substr(e.start, e.end - e.start), e.text);
      bool matched = false;
      for (auto [it, end] = expected.equal_range(type); it != end; ++it)
        if (it->second == e.text) {
          expected.erase(it);
          matched = true;
          break;
        }
      if (matched) {
        ++by_type[type].tp;
      } else {
        ++by_type[type].fp;
        if (shown++ < 40)
          std::printf("  FP %s [%s] in %s\n", type.c_str(), e.text.c_str(),
                      row.at("id").get<std::string>().c_str());
      }
    }
    for (const auto& [type, t] : expected) {
      ++by_type[type].fn;
      if (shown++ < 40)
        std::printf("  FN %s [%s] in %s\n", type.c_str(), t.c_str(),
                    row.at("id").get<std::string>().c_str());
    }
  }
  EXPECT_GE(snippets, 300);
  std::printf("\n%-14s %5s %5s %5s %9s %7s\n", "type", "TP", "FP", "FN", "precision", "recall");
  for (const auto& [type, c] : by_type)
    std::printf("%-14s %5d %5d %5d %9.3f %7.3f\n", type.c_str(), c.tp, c.fp, c.fn,
                c.precision(), c.recall());
  for (const char* type : {"IBAN", "CARD", "NIR", "SIRET", "EMAIL", "PHONE"}) {
    const Counts& c = by_type[type];
    EXPECT_GT(c.tp, 10) << type;
    EXPECT_GE(c.recall(), 0.95) << type;
    EXPECT_GE(c.precision(), 0.90) << type;
  }
  EXPECT_GE(by_type["PERSON"].recall(), 0.80);
}

}  // namespace
}  // namespace tq::guard
