// Dense retrieval wired end to end through the CLI with the gold BERT embedding model
// (random weights: this tests the plumbing, not quality): embeddings stored per chunk at
// ingestion, the HNSW index built from them, hybrid BM25 + dense (RRF) search, and the
// index file loaded when current, rebuilt when stale (the store changed) or damaged.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "rag/dense.h"
#include "rag/sqlite_util.h"
#include "rag/store.h"
#include "support/gold.h"
#include "support/run.h"

namespace tq::rag {
namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& p, const std::string& s) {
  std::ofstream f(p, std::ios::binary);
  f << s;
}

nlohmann::json cli_search(const std::string& kb, const std::string& model, const std::string& q) {
  auto r = test::run(
      {test::cli_path(), "search", q, "--kb", kb, "--embed-model", model, "-k", "3", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out, nullptr, false);
}

TEST(Dense, EmbeddingsStoredIndexBuiltLoadedAndRebuiltWhenStaleOrDamaged) {
  const auto model = test::gold_dir() / "models" / "bert-mean-f32.gguf";
  TQ_REQUIRE_PATH(model);
  const auto dir = test::scratch_dir("rag_dense");
  const auto docs = dir / "docs";
  fs::remove_all(docs);
  fs::create_directories(docs);
  const std::string kb = (dir / "kb.sqlite").string();
  for (const char* f : {"kb.sqlite", "kb.sqlite-wal", "kb.sqlite-shm"}) fs::remove(dir / f);
  fs::remove(dense_index_path(kb, "bert-mean-f32"));
  write_file(docs / "a.txt", "Les retours sont gratuits sous trente jours.");
  write_file(docs / "b.txt", "La lampe Aurore est en laiton brossé.");
  write_file(docs / "c.txt", "Nos bureaux ouvrent à neuf heures.");
  auto ing = test::run({test::cli_path(), "ingest", docs.string(), "--collection", "c", "--kb", kb,
                        "--embed-model", model.string(), "--json"});
  ASSERT_EQ(ing.exit_code, 0) << ing.err;
  EXPECT_EQ(nlohmann::json::parse(ing.out)["embedded"], 3);
  {
    KnowledgeBase store(kb);
    Stmt s(store.db(), "SELECT count(*), min(dim) FROM embeddings WHERE model = 'bert-mean-f32'");
    ASSERT_TRUE(s.step());
    EXPECT_EQ(s.int64(0), 3);
    EXPECT_GT(s.int64(1), 0);
  }
  // The exact text of a chunk: identical embedding, so it leads the fused ranking.
  auto j = cli_search(kb, model.string(), "La lampe Aurore est en laiton brossé.");
  EXPECT_EQ(j["dense_index"], "built (no index file)");
  ASSERT_FALSE(j["hits"].empty());
  EXPECT_NE(j["hits"][0]["source"].get<std::string>().find("b.txt"), std::string::npos) << j;
  EXPECT_EQ(cli_search(kb, model.string(), "bureaux")["dense_index"], "loaded");

  // The store changes: the saved index is stale and is rebuilt, with the new chunk in it.
  write_file(docs / "d.txt", "Le service client répond par téléphone.");
  ing = test::run({test::cli_path(), "ingest", docs.string(), "--collection", "c", "--kb", kb,
                   "--embed-model", model.string(), "--json"});
  ASSERT_EQ(ing.exit_code, 0) << ing.err;
  EXPECT_EQ(nlohmann::json::parse(ing.out)["embedded"], 1);  // only the new chunk
  j = cli_search(kb, model.string(), "Le service client répond par téléphone.");
  EXPECT_EQ(j["dense_index"], "rebuilt (index stale)");
  EXPECT_NE(j["hits"][0]["source"].get<std::string>().find("d.txt"), std::string::npos) << j;

  // A damaged file (a flipped byte in the body) is detected and rebuilt, never trusted.
  const auto index = dense_index_path(kb, "bert-mean-f32");
  ASSERT_TRUE(fs::exists(index));
  {
    std::fstream f(index, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    char c = 0;
    f.read(&c, 1);
    f.seekp(100);
    c = static_cast<char>(c ^ 0x5a);
    f.write(&c, 1);
  }
  j = cli_search(kb, model.string(), "La lampe Aurore est en laiton brossé.");
  EXPECT_EQ(j["dense_index"], "rebuilt (index damaged)");
  EXPECT_NE(j["hits"][0]["source"].get<std::string>().find("b.txt"), std::string::npos) << j;
  EXPECT_EQ(cli_search(kb, model.string(), "bureaux")["dense_index"], "loaded");
}

}  // namespace
}  // namespace tq::rag
