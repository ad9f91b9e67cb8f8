// The store on real SQLite files: idempotent ingestion, replacement, migrations, access
// labels enforced in SQL, and a SIGKILLed ingestion that leaves the store consistent.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "core/error.h"
#include "rag/retriever.h"
#include "rag/sqlite_util.h"
#include "rag/store.h"
#include "support/gold.h"
#include "support/run.h"

namespace tq::rag {
namespace {

namespace fs = std::filesystem;

DocumentInput doc(const std::string& source, const std::string& hash,
                  std::vector<std::string> bodies) {
  DocumentInput d;
  d.source = source;
  d.content_hash = hash;
  for (auto& b : bodies) d.chunks.push_back({"titre", b, "", nlohmann::json::object()});
  return d;
}

int64_t count(KnowledgeBase& kb, const std::string& sql) {
  Stmt s(kb.db(), sql);
  s.step();
  return s.int64(0);
}

TEST(Store, IdempotentByHashAndReplacesChangedDocuments) {
  auto path = (test::scratch_dir("rag_store") / "kb.sqlite").string();
  KnowledgeBase kb(path);
  auto c = kb.ensure_collection("faq", "public", {"fr", true, false});
  EXPECT_EQ(kb.put_document(c, doc("a.md", "h1", {"les chevaux", "l'avion"})), PutOutcome::added);
  auto gen = kb.generation();
  EXPECT_EQ(kb.put_document(c, doc("a.md", "h1", {"les chevaux", "l'avion"})),
            PutOutcome::unchanged);
  EXPECT_EQ(kb.generation(), gen);
  EXPECT_EQ(count(kb, "SELECT count(*) FROM chunks"), 2);
  EXPECT_EQ(kb.put_document(c, doc("a.md", "h2", {"un bateau"})), PutOutcome::replaced);
  EXPECT_EQ(count(kb, "SELECT count(*) FROM chunks"), 1);
  // The FTS index followed: the old words are gone, the new one is found.
  std::string fts = fts_table_name(c.id);
  EXPECT_EQ(count(kb, "SELECT count(*) FROM " + fts + " WHERE " + fts + " MATCH 'cheval'"), 0);
  EXPECT_EQ(count(kb, "SELECT count(*) FROM " + fts + " WHERE " + fts + " MATCH 'bateaux'"), 1);
  EXPECT_TRUE(kb.remove_document(c, "a.md"));
  EXPECT_EQ(count(kb, "SELECT count(*) FROM " + fts + " WHERE " + fts + " MATCH 'bateau'"), 0);
  EXPECT_EQ(kb.schema_version(), static_cast<int>(schema_migrations().size()));
}

TEST(Store, MigratesAnOlderSchemaForward) {
  auto path = (test::scratch_dir("rag_migrate") / "kb.sqlite").string();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    exec(db, "CREATE TABLE schema_version(version INTEGER NOT NULL, applied_at TEXT NOT NULL);");
    exec(db, schema_migrations()[0]);
    exec(db, "INSERT INTO schema_version VALUES(1, 'then')");
    sqlite3_close(db);
  }
  KnowledgeBase kb(path);
  EXPECT_EQ(kb.schema_version(), static_cast<int>(schema_migrations().size()));
  EXPECT_EQ(count(kb, "SELECT count(*) FROM sqlite_master WHERE name = 'embeddings'"), 1);
}

TEST(Store, RefusesASchemaFromTheFuture) {
  auto path = (test::scratch_dir("rag_future") / "kb.sqlite").string();
  { KnowledgeBase kb(path); }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    exec(db, "INSERT INTO schema_version VALUES(99, 'later')");
    sqlite3_close(db);
  }
  EXPECT_THROW(KnowledgeBase kb(path), InputError);
}

TEST(Store, PublicCallerNeverSeesConfidentialChunks) {
  KnowledgeBase kb(":memory:");
  auto pub = kb.ensure_collection("faq", "public", {"fr", true, false});
  auto secret = kb.ensure_collection("rh", "confidential", {"fr", true, false});
  kb.put_document(pub, doc("faq.md", "1", {"Le salaire moyen est publié chaque année."}));
  kb.put_document(secret, doc("paie.md", "2", {"Le salaire de Marie Curie est de 5 000 €."}));
  Retriever r(kb);
  SearchOptions o;
  o.labels = {"public"};
  o.k = 10;
  auto hits = r.search("salaire", o);
  ASSERT_EQ(hits.size(), 1U);
  EXPECT_EQ(hits[0].collection, "faq");
  // Naming the confidential collection explicitly does not help.
  o.collections = {"rh"};
  EXPECT_TRUE(r.search("salaire Marie", o).empty());
  // With PRF too.
  o.collections.clear();
  o.prf.enabled = true;
  for (const auto& h : r.search("salaire Marie Curie", o)) EXPECT_EQ(h.collection, "faq");
  o.labels = {"public", "confidential"};
  o.prf.enabled = false;
  EXPECT_EQ(r.search("salaire", o).size(), 2U);
}

TEST(Store, FieldFiltersAndCitations) {
  KnowledgeBase kb(":memory:");
  auto c = kb.ensure_collection("shop", "public", {"en", true, false});
  DocumentInput d;
  d.source = "catalog.csv";
  d.content_hash = "x";
  d.chunks.push_back({"Blue shirt", "cotton shirt", "row 2 (blue)", {{"vendor", "Acme"}}});
  d.chunks.push_back({"Red shirt", "cotton shirts", "row 3 (red)", {{"vendor", "Other"}}});
  kb.put_document(c, d);
  Retriever r(kb);
  SearchOptions o;
  o.field_filters = {{"vendor", "Acme"}};
  auto hits = r.search("shirt", o);
  ASSERT_EQ(hits.size(), 1U);
  EXPECT_EQ(hits[0].title, "Blue shirt");
  EXPECT_EQ(hits[0].citation(), "catalog.csv › row 2 (blue)");
  EXPECT_NE(hits[0].snippet.find("«shirt»"), std::string::npos) << hits[0].snippet;
}

TEST(Store, ReciprocalRankFusionByHand) {
  // a: 1/(60+1) + 1/(60+2) = 0.0163934 + 0.0161290 = 0.0325224
  // b: 1/(60+2) + 1/(60+1) = the same; c: 1/(60+3) = 0.0158730; d: 0.5/(60+3) = 0.0079365
  auto fused = reciprocal_rank_fusion({{1, 2, 3}, {2, 1, 4}}, {1.0, 0.5}, 60);
  ASSERT_EQ(fused.size(), 4U);
  EXPECT_EQ(fused[0].first, 1);  // 1/61 + 0.5/62 = 0.0244580
  EXPECT_NEAR(fused[0].second, 1.0 / 61 + 0.5 / 62, 1e-12);
  EXPECT_EQ(fused[1].first, 2);  // 1/62 + 0.5/61 = 0.0243262
  EXPECT_EQ(fused[2].first, 3);  // 1/63
  EXPECT_EQ(fused[3].first, 4);  // 0.5/63
}

// Many small files, ingested by the CLI; killed with SIGKILL part-way; the re-run must
// leave exactly one copy of every file and a store that passes SQLite's checks.
TEST(Store, KilledIngestionLeavesAConsistentResumableStore) {
  auto dir = test::scratch_dir("rag_kill");
  auto docs = dir / "docs";
  fs::create_directories(docs);
  const int kFiles = 400;
  for (int i = 0; i < kFiles; ++i) {
    std::ofstream f(docs / ("doc" + std::to_string(i) + ".md"));
    f << "# Document " << i << "\n\n";
    for (int p = 0; p < 30; ++p) {
      f << "Paragraphe " << p << " du document " << i << " : la livraison des commandes et "
        << "l'échange des articles défectueux, délai de rétractation de quatorze jours.\n\n";
    }
  }
  auto kb = (dir / "kb.sqlite").string();
  std::vector<std::string> argv = {test::cli_path(),
                                   "ingest",
                                   docs.string(),
                                   "--collection",
                                   "docs",
                                   "--kb",
                                   kb,
                                   "--chunk-words",
                                   "40",
                                   "--overlap-words",
                                   "0",
                                   "--commit-every",
                                   "100"};
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execv(args[0], args.data());
    _exit(127);
  }
  // Kill it once some documents are committed (but before all are).
  int64_t seen = 0;
  for (int i = 0; i < 400 && seen < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    try {
      sqlite3* db = nullptr;
      if (sqlite3_open_v2(kb.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM documents", -1, &st, nullptr) ==
                SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW) {
          seen = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
      }
      sqlite3_close(db);
    } catch (...) {
    }
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "ingestion finished before it could be killed";
  {
    KnowledgeBase store(kb);
    int64_t docs_before = count(store, "SELECT count(*) FROM documents");
    EXPECT_GT(docs_before, 0);
    EXPECT_LT(docs_before, kFiles);
    // Every committed document is whole: all 30 paragraphs' chunks are there.
    EXPECT_EQ(count(store,
                    "SELECT count(*) FROM documents d WHERE (SELECT count(*) FROM chunks k "
                    "WHERE k.document_id = d.id) = 0"),
              0);
  }
  auto rerun = test::run(argv);
  EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
  KnowledgeBase store(kb);
  EXPECT_EQ(count(store, "SELECT count(*) FROM documents"), kFiles);
  EXPECT_EQ(count(store, "SELECT count(DISTINCT source) FROM documents"), kFiles);
  int64_t chunks = count(store, "SELECT count(*) FROM chunks");
  EXPECT_EQ(
      count(store, "SELECT count(*) FROM (SELECT document_id, ordinal FROM chunks GROUP BY 1, 2)"),
      chunks);
  std::string fts = fts_table_name(store.find_collection("docs")->id);
  // The FTS index holds exactly the chunks: SQLite's own integrity check of it.
  exec(store.db(), "INSERT INTO " + fts + "(" + fts + ", rank) VALUES('integrity-check', 1)");
  Stmt ic(store.db(), "PRAGMA integrity_check");
  ASSERT_TRUE(ic.step());
  EXPECT_EQ(ic.text(0), "ok");
  EXPECT_EQ(count(store, "SELECT count(*) FROM " + fts + " WHERE " + fts + " MATCH 'rétractation'"),
            chunks);
  // A third run changes nothing.
  auto again = test::run(argv);
  EXPECT_NE(again.out.find(std::to_string(kFiles) + " unchanged"), std::string::npos) << again.out;
}

}  // namespace
}  // namespace tq::rag
