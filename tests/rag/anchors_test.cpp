// Retrieval quality on the public collections of ../shared/data against the anchors of
// its README (measured there with SQLite FTS5 and Xapian): the knowledge base's default
// analysis and BM25 must do at least as well. The judgements are the collections' own.
#include <gtest/gtest.h>

#include "rag/ir_eval.h"
#include "support/gold.h"
#include "support/run.h"

namespace tq::rag::eval {
namespace {

IrCollection glasgow(const std::string& dir, const std::string& docs, const std::string& qry,
                     const std::string& rel, const std::string& format) {
  auto base = test::data_dir() / "ir" / dir;
  IrCollection c;
  c.documents = read_glasgow_documents((base / docs).string());
  c.queries = read_glasgow_queries((base / qry).string(), format == "cranfield");
  c.qrels = read_qrels((base / rel).string(), format);
  return c;
}

EvalOptions english(bool prf) {
  EvalOptions o;
  o.analysis = {"en", true, true};
  o.prf.enabled = prf;
  return o;
}

TEST(Anchors, Cranfield) {
  TQ_REQUIRE_PATH(test::data_dir() / "ir" / "cranfield" / "cranqrel");
  auto c = glasgow("cranfield", "cran.all.1400", "cran.qry", "cranqrel", "cranfield");
  auto m = evaluate(c, english(false));
  EXPECT_EQ(m.queries, 225U);
  EXPECT_GE(m.ndcg10, 0.362);  // FTS5 porter anchor
  EXPECT_GE(m.map, 0.301);
  auto f = evaluate(c, english(true));
  EXPECT_GE(f.ndcg10, 0.362);
  EXPECT_GE(f.map, 0.301);
  std::printf("Cranfield  nDCG@10 %.3f MAP %.3f R@100 %.3f MRR@10 %.3f | PRF %.3f %.3f %.3f %.3f\n",
              m.ndcg10, m.map, m.recall100, m.mrr10, f.ndcg10, f.map, f.recall100, f.mrr10);
}

TEST(Anchors, Cisi) {
  TQ_REQUIRE_PATH(test::data_dir() / "ir" / "cisi" / "CISI.REL");
  auto c = glasgow("cisi", "CISI.ALL", "CISI.QRY", "CISI.REL", "cisi");
  auto m = evaluate(c, english(false));
  EXPECT_EQ(m.queries, 76U);
  EXPECT_GE(m.ndcg10, 0.377);
  EXPECT_GE(m.map, 0.218);
  auto f = evaluate(c, english(true));
  EXPECT_GE(f.ndcg10, 0.377);
  EXPECT_GE(f.map, 0.218);
  std::printf("CISI       nDCG@10 %.3f MAP %.3f R@100 %.3f MRR@10 %.3f | PRF %.3f %.3f %.3f %.3f\n",
              m.ndcg10, m.map, m.recall100, m.mrr10, f.ndcg10, f.map, f.recall100, f.mrr10);
}

void french_case(const std::string& file, double r5, double mrr, size_t queries) {
  auto c = read_squad((test::data_dir() / "fr" / file).string(), true);
  EvalOptions stem;
  stem.analysis = {"fr", true, true};
  EvalOptions plain = stem;
  plain.analysis.stem = false;
  auto s = evaluate(c, stem);
  auto p = evaluate(c, plain);
  EXPECT_EQ(s.queries, queries);
  EXPECT_GE(s.recall5, r5);
  EXPECT_GE(s.mrr10, mrr);
  EXPECT_GE(p.recall5, r5);
  EXPECT_GE(p.mrr10, mrr);
  EXPECT_GT(s.recall5, p.recall5);  // the stemmer must help
  EXPECT_GT(s.mrr10, p.mrr10);
  std::printf("%s  stem R@5 %.3f MRR@10 %.3f | no stem R@5 %.3f MRR@10 %.3f\n", file.c_str(),
              s.recall5, s.mrr10, p.recall5, p.mrr10);
}

TEST(Anchors, PiafFrenchStemmerOnAndOff) {
  TQ_REQUIRE_PATH(test::data_dir() / "fr" / "piaf-v1.0.json");
  french_case("piaf-v1.0.json", 0.834, 0.740, 3835);
}

TEST(Anchors, CnilFaqFrenchStemmerOnAndOff) {
  TQ_REQUIRE_PATH(test::data_dir() / "fr" / "cnil-besoindaide.json");
  french_case("cnil-besoindaide.json", 0.739, 0.539, 524);
}

TEST(Anchors, EvalRetrievalCliJson) {
  auto base = test::data_dir() / "ir" / "cisi";
  TQ_REQUIRE_PATH(base / "CISI.REL");
  auto r = test::run({test::cli_path(), "eval-retrieval", "--docs", (base / "CISI.ALL").string(),
                      "--queries", (base / "CISI.QRY").string(), "--qrels",
                      (base / "CISI.REL").string(), "--qrels-format", "cisi", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  for (const char* k : {"ndcg@10", "map", "recall@100", "recall@5", "mrr@10"}) {
    ASSERT_TRUE(j.contains(k)) << k;
  }
  EXPECT_GE(j["ndcg@10"].get<double>(), 0.377);
  EXPECT_GE(j["map"].get<double>(), 0.218);
  auto bad = test::run({test::cli_path(), "eval-retrieval", "--docs", "/nonexistent"});
  EXPECT_EQ(bad.exit_code, 2);
}

}  // namespace
}  // namespace tq::rag::eval
