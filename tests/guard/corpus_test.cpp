// Precision and recall per entity type on four labelled sets: the generated corpus
// (tests/data/guard/corpus.jsonl, labelled by the generator that computed its check
// digits), a small hand-written set (handwritten.jsonl) and a second, larger hand-written
// holdout (holdout_v2.jsonl, byte offsets labelled by hand, checked by check_labels.py)
// and a small fresh one written after the recognisers were tuned (holdout_v3.jsonl).
// An entity counts as found when the scanner reports the same type and exactly the same
// text — at the same byte offsets where the label gives them.
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

// Scores the scanner on one JSONL file, prints misses and the per-type table.
std::map<std::string, Counts> evaluate(const std::string& name, int& snippets, int max_shown = 40) {
  const std::string path = std::string(TQ_SOURCE_DIR) + "/tests/data/guard/" + name;
  std::ifstream in(path);
  EXPECT_TRUE(in) << "missing " << path;
  const Scanner scanner;
  std::map<std::string, Counts> by_type;
  std::string line;
  snippets = 0;
  int shown = 0;
  while (std::getline(in, line)) {
    const auto row = nlohmann::json::parse(line);
    const std::string text = row.at("text");
    ++snippets;
    struct Label {
      std::string text;
      size_t start = std::string::npos;  // npos: the label gives no offsets
    };
    std::multimap<std::string, Label> expected;
    for (const auto& e : row.at("entities"))
      expected.emplace(e.at("type"), Label{e.at("text"), e.value("start", std::string::npos)});
    for (const Entity& e : scanner.scan(text)) {
      const std::string type(type_name(e.type));
      EXPECT_EQ(text.substr(e.start, e.end - e.start), e.text);
      bool matched = false;
      for (auto [it, end] = expected.equal_range(type); it != end; ++it)
        if (it->second.text == e.text &&
            (it->second.start == std::string::npos || it->second.start == e.start)) {
          expected.erase(it);
          matched = true;
          break;
        }
      if (matched) {
        ++by_type[type].tp;
      } else {
        ++by_type[type].fp;
        if (shown++ < max_shown)
          std::printf("  FP %s [%s] in %s\n", type.c_str(), e.text.c_str(),
                      row.at("id").get<std::string>().c_str());
      }
    }
    for (const auto& [type, label] : expected) {
      ++by_type[type].fn;
      if (shown++ < max_shown)
        std::printf("  FN %s [%s] in %s\n", type.c_str(), label.text.c_str(),
                    row.at("id").get<std::string>().c_str());
    }
  }
  std::printf("\n%s: %d snippets", name.c_str(), snippets);
  std::printf("\n%-14s %5s %5s %5s %9s %7s\n", "type", "TP", "FP", "FN", "precision", "recall");
  for (const auto& [type, c] : by_type)
    std::printf("%-14s %5d %5d %5d %9.3f %7.3f\n", type.c_str(), c.tp, c.fp, c.fn, c.precision(),
                c.recall());
  return by_type;
}

// The floors of issue 7: recall >= 0.95 and precision >= 0.90 on the validated types,
// PERSON recall >= 0.80.
void expect_issue_floors(std::map<std::string, Counts>& by_type) {
  for (const char* type : {"IBAN", "CARD", "NIR", "SIRET", "EMAIL", "PHONE"}) {
    const Counts& c = by_type[type];
    EXPECT_GT(c.tp, 10) << type;
    EXPECT_GE(c.recall(), 0.95) << type;
    EXPECT_GE(c.precision(), 0.90) << type;
  }
  EXPECT_GE(by_type["PERSON"].recall(), 0.80);
}

TEST(GuardCorpus, PrecisionRecallPerType) {
  int snippets = 0;
  auto by_type = evaluate("corpus.jsonl", snippets);
  EXPECT_GE(snippets, 300);
  expect_issue_floors(by_type);
}

// The second hand-written holdout: 258 French and English e-mails, tickets, invoices, CRM
// notes and chats, 44 of them hard negatives only (order numbers, SKUs, EANs, tracking
// numbers, prices, product names with first names or street words). Labelled by hand
// before the recognisers were tuned against it; its first score is in the commit log.
TEST(GuardCorpus, HoldoutV2) {
  int snippets = 0;
  auto by_type = evaluate("holdout_v2.jsonl", snippets, 200);
  EXPECT_GE(snippets, 200);
  expect_issue_floors(by_type);
}

// Hand-written snippets with the messiness the generator lacks (lower-case names,
// US formats, version numbers shaped like IPv4). Its misses were known when the
// recognisers were reworked, so holdout_v3 is now the better estimate; the bar here
// stays lower than on the generated corpus.
TEST(GuardCorpus, HandWrittenHoldout) {
  int snippets = 0;
  auto by_type = evaluate("handwritten.jsonl", snippets);
  EXPECT_GE(snippets, 40);
  Counts validated;
  for (const char* type : {"IBAN", "CARD", "NIR", "SIRET", "EMAIL", "PHONE"}) {
    validated.tp += by_type[type].tp;
    validated.fp += by_type[type].fp;
    validated.fn += by_type[type].fn;
  }
  EXPECT_GE(validated.precision(), 0.90);
  EXPECT_GE(validated.recall(), 0.85);
}

// Written after the recognisers were tuned on holdout_v2 and scored as it came: the
// estimate of how that tuning carries over. Too small for per-type floors (4 to 24 values
// of each validated type), so the floors apply to the validated types pooled.
TEST(GuardCorpus, HoldoutV3) {
  int snippets = 0;
  auto by_type = evaluate("holdout_v3.jsonl", snippets, 200);
  EXPECT_GE(snippets, 80);
  Counts validated;
  for (const char* type : {"IBAN", "CARD", "NIR", "SIRET", "EMAIL", "PHONE"}) {
    validated.tp += by_type[type].tp;
    validated.fp += by_type[type].fp;
    validated.fn += by_type[type].fn;
  }
  std::printf("validated types pooled: precision %.3f recall %.3f\n", validated.precision(),
              validated.recall());
  EXPECT_GE(validated.recall(), 0.95);
  EXPECT_GE(validated.precision(), 0.90);
  EXPECT_GE(by_type["PERSON"].recall(), 0.80);
}

}  // namespace
}  // namespace tq::guard
