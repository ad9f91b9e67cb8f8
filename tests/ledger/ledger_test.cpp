// The ledger on real SQLite files: concurrent appends lose nothing, the report's numbers
// match values worked out by hand, the file survives reopening, a newer schema is refused.
#include "ledger/ledger.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "core/error.h"
#include "support/gold.h"

namespace tq {
namespace {

LedgerRecord record(const std::string& id, const std::string& model, bool local, double ms,
                    int64_t in, int64_t out, double cost, const std::string& status = "ok") {
  LedgerRecord r;
  r.request_id = id;
  r.key_id = "app";
  r.endpoint = "chat";
  r.route = local ? "slm" : "llm";
  r.reason = "test";
  r.provider = local ? "local" : "remote";
  r.model = model;
  r.is_local = local;
  r.prompt_tokens = in;
  r.completion_tokens = out;
  r.total_ms = ms;
  r.cost_eur = cost;
  r.status = status;
  return r;
}

TEST(Ledger, PercentileIsNearestRank) {
  std::vector<double> v = {5, 1, 4, 2, 3};
  EXPECT_EQ(percentile(v, 50), 3);
  EXPECT_EQ(percentile(v, 95), 5);
  EXPECT_EQ(percentile(v, 0), 1);
  std::vector<double> twenty;
  for (int i = 1; i <= 20; ++i) twenty.push_back(i);
  EXPECT_EQ(percentile(twenty, 95), 19);  // ceil(0.95 × 20) = 19th value
  std::vector<double> empty;
  EXPECT_EQ(percentile(empty, 50), 0);
}

TEST(Ledger, ConcurrentAppendsAreAllKept) {
  const auto path = (test::scratch_dir("ledger_concurrent") / "l.sqlite").string();
  {
    Ledger ledger(path);
    std::vector<std::thread> threads;
    threads.reserve(8);
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&ledger, t] {
        for (int i = 0; i < 100; ++i)
          ledger.append(
              record("r" + std::to_string(t) + "-" + std::to_string(i), "m", true, 1, 1, 1, 0));
      });
    for (auto& th : threads) th.join();
    EXPECT_EQ(ledger.count(), 800);
    ledger.flush();
  }
  Ledger reopened(path);
  EXPECT_EQ(reopened.count(), 800);
}

TEST(Ledger, ReportAggregatesPerRouteAndModel) {
  Ledger ledger((test::scratch_dir("ledger_report") / "l.sqlite").string());
  // Remote: 3 calls, one retried (2 attempts share a request id).
  ledger.append(record("a", "big", false, 100, 1000, 500, 0.010, "error"));
  ledger.append(record("a", "big", false, 200, 1000, 500, 0.010));
  ledger.append(record("b", "big", false, 300, 2000, 0, 0.020));
  ledger.append(record("c", "big", false, 400, 0, 1000, 0.010));
  ledger.append(record("d", "small", true, 10, 100, 100, 0.0001));
  const auto rows = ledger.report();
  ASSERT_EQ(rows.size(), 2u);
  const ReportRow& remote = rows[0].model == "big" ? rows[0] : rows[1];
  const ReportRow& local = rows[0].model == "big" ? rows[1] : rows[0];
  EXPECT_EQ(remote.calls, 3);
  EXPECT_EQ(remote.attempts, 4);
  EXPECT_EQ(remote.errors, 1);
  EXPECT_EQ(remote.prompt_tokens, 4000);
  EXPECT_EQ(remote.completion_tokens, 2000);
  EXPECT_DOUBLE_EQ(remote.cost_eur, 0.05);
  // Successful latencies 200, 300, 400: p50 = 300, p95 = 400 (nearest rank).
  EXPECT_EQ(remote.p50_ms, 300);
  EXPECT_EQ(remote.p95_ms, 400);
  EXPECT_NEAR(remote.eur_per_mtok(), 0.05 / 6000 * 1e6, 1e-9);
  EXPECT_TRUE(local.is_local);
  EXPECT_EQ(local.calls, 1);
  EXPECT_EQ(local.route, "slm");
}

TEST(Ledger, SinceFiltersByTime) {
  Ledger ledger((test::scratch_dir("ledger_since") / "l.sqlite").string());
  auto old = record("old", "m", true, 1, 1, 1, 0);
  old.time_ms = 1000;
  ledger.append(old);
  ledger.append(record("new", "m", true, 1, 1, 1, 0));
  EXPECT_EQ(ledger.attempts(0).size(), 2u);
  ASSERT_EQ(ledger.attempts(2000).size(), 1u);
  EXPECT_EQ(ledger.attempts(2000)[0].request_id, "new");
}

TEST(Ledger, CheckpointsKeepTheLatestHeadPerStore) {
  Ledger ledger((test::scratch_dir("ledger_ckpt") / "l.sqlite").string());
  EXPECT_FALSE(ledger.last_checkpoint("guard.audit"));
  ledger.checkpoint({0, "guard.audit", "aa11", 3});
  ledger.checkpoint({0, "guard.audit", "bb22", 7});
  ledger.checkpoint({0, "other", "cc33", 1});
  const auto c = ledger.last_checkpoint("guard.audit");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->head_hash, "bb22");
  EXPECT_EQ(c->entries, 7);
}

TEST(Ledger, AVersion2FileGainsTheEnergyColumns) {
  const auto dir = test::scratch_dir("ledger_v2");
  const auto path = (dir / "v2.sqlite").string();
  std::filesystem::remove(path);
  {
    // The attempts table as schema v2 wrote it, with one row of that time.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE schema_version(version INTEGER NOT NULL);"
                           "INSERT INTO schema_version VALUES (2);"
                           "CREATE TABLE attempts(id INTEGER PRIMARY KEY, request_id TEXT NOT "
                           "NULL, time_ms INTEGER NOT NULL, key_id TEXT NOT NULL, endpoint TEXT "
                           "NOT NULL, route TEXT NOT NULL, reason TEXT NOT NULL, provider TEXT "
                           "NOT NULL, model TEXT NOT NULL, task TEXT NOT NULL, is_local INTEGER "
                           "NOT NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER "
                           "NOT NULL, ttft_ms REAL NOT NULL, total_ms REAL NOT NULL, cost_eur "
                           "REAL NOT NULL, status TEXT NOT NULL, error TEXT NOT NULL, attempt "
                           "INTEGER NOT NULL, cascade_role TEXT NOT NULL, escalated INTEGER NOT "
                           "NULL);"
                           "CREATE TABLE checkpoints(id INTEGER PRIMARY KEY, time_ms INTEGER NOT "
                           "NULL, store TEXT NOT NULL, head_hash TEXT NOT NULL, entries INTEGER "
                           "NOT NULL);"
                           "CREATE TABLE call_texts(request_id TEXT PRIMARY KEY, time_ms INTEGER "
                           "NOT NULL, prompt TEXT NOT NULL, answer TEXT NOT NULL);"
                           "INSERT INTO attempts VALUES (1, 'old', 1000, 'app', 'chat', 'slm', "
                           "'t', 'local', 'story', '', 1, 10, 5, 1.0, 2.0, 0.001, 'ok', '', 1, "
                           "'', 0);",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  {
    Ledger ledger(path);
    auto fresh = record("new", "story", true, 3, 7, 3, 0.002);
    fresh.cpu_ms = 40;
    fresh.energy_wh = 40.0 / 1000 * 10 / 3600;
    ledger.append(fresh);
    const auto rows = ledger.attempts();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].request_id, "old");
    EXPECT_EQ(rows[0].prompt_tokens, 10);
    EXPECT_EQ(rows[0].cpu_ms, 0);  // not measured before v3
    EXPECT_EQ(rows[1].cpu_ms, 40);
    EXPECT_DOUBLE_EQ(rows[1].energy_wh, fresh.energy_wh);
    const auto report = ledger.report();
    ASSERT_EQ(report.size(), 1u);
    EXPECT_DOUBLE_EQ(report[0].energy_wh, fresh.energy_wh);
    EXPECT_DOUBLE_EQ(report[0].wh_per_mtok(), fresh.energy_wh / 25 * 1e6);
  }
  // The file now says v3, and the old row's energy is NULL (unknown), not a measured 0.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT (SELECT version FROM schema_version), cpu_ms IS NULL, "
                               "energy_wh IS NULL FROM attempts ORDER BY id",
                               -1, &s, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(s, 0), Ledger::kSchemaVersion);
  EXPECT_EQ(sqlite3_column_int(s, 1), 1);
  EXPECT_EQ(sqlite3_column_int(s, 2), 1);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(s, 1), 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST(Ledger, RemoteAttemptsStoreNoEnergy) {
  const auto dir = test::scratch_dir("ledger_energy");
  const auto path = (dir / "l.sqlite").string();
  std::filesystem::remove(path);
  {
    Ledger ledger(path);
    auto remote = record("r", "gpt", false, 3, 7, 3, 0.002);
    remote.cpu_ms = 5;  // whatever a caller puts there: remote machines are not measured
    remote.energy_wh = 1;
    ledger.append(remote);
    const auto rows = ledger.attempts();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].cpu_ms, 0);
    EXPECT_EQ(rows[0].energy_wh, 0);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT cpu_ms IS NULL AND energy_wh IS NULL FROM attempts", -1,
                               &s, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(s, 0), 1);
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST(Ledger, RefusesANewerSchemaAndNonLedgerFiles) {
  const auto dir = test::scratch_dir("ledger_schema");
  const auto path = (dir / "future.sqlite").string();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_exec(
        db, "CREATE TABLE schema_version(version INTEGER); INSERT INTO schema_version VALUES (99);",
        nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  try {
    Ledger l(path);
    FAIL() << "a schema from the future was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("99"), std::string::npos) << e.what();
  }
  const auto text = dir / "not-a-db.sqlite";
  {
    std::FILE* f = std::fopen(text.c_str(), "w");
    std::fputs("this is not a database, just some text that is long enough to matter......", f);
    std::fclose(f);
  }
  EXPECT_THROW(Ledger l(text.string()), InputError);
}

}  // namespace
}  // namespace tq
