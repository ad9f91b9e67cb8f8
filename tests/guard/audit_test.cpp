// The audit log on a real SQLite file: appends from several threads, then tampering as
// someone with the file would do it (triggers dropped, rows edited, deleted, swapped,
// the tail cut off, the whole chain recomputed) and verify() naming the broken entry.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "guard/audit.h"
#include "guard/guard.h"
#include "support/gold.h"

namespace tq::guard {
namespace {

std::string fresh_log(const std::string& name) {
  const auto path = test::scratch_dir("guard_audit") / (name + ".db");
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
  return path.string();
}

void tamper(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const std::string all =
      "DROP TRIGGER IF EXISTS entries_no_update; DROP TRIGGER IF EXISTS entries_no_delete; " + sql;
  const int rc = sqlite3_exec(db, all.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err != nullptr ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

AuditHead fill(const std::string& path, int n) {
  AuditLog log(path);
  const Guard g;
  PseudonymMap map;
  AuditHead head;
  for (int i = 0; i < n; ++i) {
    const std::vector<std::string> msg{"Marie Dupont, IBAN FR76 3000 6000 0112 3456 7890 189"};
    const auto p = g.protect(msg, {}, map);
    head = log.record_decision("req-" + std::to_string(i), p.verdict, "remote:openai");
  }
  return head;
}

TEST(AuditLog, AppendsChainAndVerifies) {
  const std::string path = fresh_log("chain");
  const AuditHead head = fill(path, 5);
  EXPECT_EQ(head.count, 5);
  AuditLog log(path);
  EXPECT_EQ(log.head().hash, head.hash);
  const AuditHead after = log.record_erasure("email", 3);
  EXPECT_EQ(after.count, 6);
  const auto v = log.verify(head);  // an older checkpoint is still a prefix
  EXPECT_TRUE(v.ok) << v.error;
  EXPECT_EQ(v.entries, 6);
  // No raw values in the file: only types and counts.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT group_concat(detail, '|') FROM entries", -1, &s, nullptr);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  const std::string details = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  sqlite3_close(db);
  EXPECT_EQ(details.find("Dupont"), std::string::npos);
  EXPECT_EQ(details.find("3000"), std::string::npos);
  EXPECT_NE(details.find("\"IBAN\":1"), std::string::npos) << details;
  EXPECT_NE(details.find("\"subject_kind\":\"email\""), std::string::npos) << details;
}

TEST(AuditLog, ConcurrentAppendsKeepOneChain) {
  const std::string path = fresh_log("threads");
  { AuditLog create(path); }
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&path, t] {
      AuditLog log(path);  // one connection per thread, like separate processes
      for (int i = 0; i < 25; ++i) log.append("decision", "t" + std::to_string(t), {{"i", i}});
    });
  for (auto& th : threads) th.join();
  const AuditLog log(path, true);
  const auto v = log.verify();
  EXPECT_TRUE(v.ok) << v.error;
  EXPECT_EQ(v.entries, 100);
}

TEST(AuditLog, TriggersRefuseUpdates) {
  const std::string path = fresh_log("triggers");
  fill(path, 2);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "UPDATE entries SET kind='x'", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM entries", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

TEST(AuditLog, DetectsAnEditedEntry) {
  const std::string path = fresh_log("edit");
  fill(path, 5);
  tamper(path,
         "UPDATE entries SET detail = replace(detail, 'pseudonymise', 'allow') WHERE seq = 3");
  const auto v = AuditLog(path, true).verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_entry, 3);
  EXPECT_NE(v.error.find("entry 3"), std::string::npos) << v.error;
  EXPECT_NE(v.error.find("edited"), std::string::npos) << v.error;
}

TEST(AuditLog, DetectsADeletedEntry) {
  const std::string path = fresh_log("delete");
  fill(path, 5);
  tamper(path, "DELETE FROM entries WHERE seq = 2");
  const auto v = AuditLog(path, true).verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_entry, 2);
  EXPECT_NE(v.error.find("entry 2 is missing"), std::string::npos) << v.error;
}

TEST(AuditLog, DetectsDeletionWithRenumbering) {
  const std::string path = fresh_log("renumber");
  fill(path, 5);
  tamper(path, "DELETE FROM entries WHERE seq = 2; UPDATE entries SET seq = seq - 1 WHERE seq > 2");
  const auto v = AuditLog(path, true).verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_entry, 2);
}

TEST(AuditLog, DetectsReordering) {
  const std::string path = fresh_log("reorder");
  fill(path, 5);
  tamper(path,
         "UPDATE entries SET seq = 100 WHERE seq = 3; UPDATE entries SET seq = 3 WHERE seq = 4;"
         "UPDATE entries SET seq = 4 WHERE seq = 100");
  const auto v = AuditLog(path, true).verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_entry, 3);
}

TEST(AuditLog, TruncationNeedsTheCheckpoint) {
  const std::string path = fresh_log("truncate");
  const AuditHead checkpoint = fill(path, 6);
  tamper(path, "DELETE FROM entries WHERE seq > 4");
  const AuditLog log(path, true);
  EXPECT_TRUE(log.verify().ok);  // a clean prefix: only the checkpoint can tell
  const auto v = log.verify(checkpoint);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_entry, 5);
  EXPECT_NE(v.error.find("cut off"), std::string::npos) << v.error;
}

TEST(AuditLog, RecomputedChainFailsTheCheckpoint) {
  const std::string path = fresh_log("rewrite");
  const AuditHead checkpoint = fill(path, 3);
  // Edit entry 2 and recompute every hash after it, as a careful forger would.
  {
    tamper(path, "UPDATE entries SET kind = 'forged' WHERE seq = 2");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    std::string prev(64, '0');
    for (int seq = 1; seq <= 3; ++seq) {
      sqlite3_stmt* s = nullptr;
      sqlite3_prepare_v2(db, "SELECT ts, kind, request_id, detail FROM entries WHERE seq = ?", -1,
                         &s, nullptr);
      sqlite3_bind_int(s, 1, seq);
      ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
      auto col = [s](int i) {
        return std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, i)));
      };
      const std::string h = audit_entry_hash(seq, col(0), col(1), col(2), col(3), prev);
      sqlite3_finalize(s);
      std::string upd = "UPDATE entries SET prev_hash='";
      upd += prev;
      upd += "', hash='";
      upd += h;
      upd += "' WHERE seq=";
      upd += std::to_string(seq);
      ASSERT_EQ(sqlite3_exec(db, upd.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
      prev = h;
    }
    sqlite3_close(db);
  }
  const AuditLog log(path, true);
  EXPECT_TRUE(log.verify().ok);
  const auto v = log.verify(checkpoint);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.bad_entry, 3);
}

TEST(AuditLog, CheckpointParsingAndBadFiles) {
  const AuditHead h = parse_checkpoint(std::string(64, 'a') + ":12");
  EXPECT_EQ(h.count, 12);
  EXPECT_THROW(parse_checkpoint("abc:1"), InputError);
  EXPECT_THROW(parse_checkpoint(std::string(64, 'g') + ":1"), InputError);
  EXPECT_THROW(parse_checkpoint(std::string(64, 'a') + ":"), InputError);
  const auto missing = test::scratch_dir("guard_audit") / "missing.db";
  EXPECT_THROW(AuditLog(missing.string(), true), InputError);
  const auto not_db = test::scratch_dir("guard_audit") / "not_a_db.db";
  {
    FILE* f = std::fopen(not_db.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not SQLite", f);
    std::fclose(f);
  }
  EXPECT_THROW(AuditLog(not_db.string(), true), InputError);
}

}  // namespace
}  // namespace tq::guard
