// The energy estimate over real HTTP: instance B serves a small local model and an
// embedding model, and reaches instance A (another gateway) as its remote provider. B's
// ledger holds the measured CPU time of its local chat and embedding calls and their energy
// at B's configured watts per core; its remote call has none (NULL), and `triptyque report
// --json` carries the energy per row. Nothing here bounds a duration.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/config.h"
#include "server_fixture.h"
#include "support/run.h"

namespace tq {
namespace {

using nlohmann::json;

constexpr double kWatts = 15;

toml::table config_a(const std::filesystem::path& dir) {
  return parse_config("[server]\nport = 0\nthreads = 4\n[ledger]\npath = \"" +
                          (dir / "a-ledger.sqlite").string() +
                          "\"\n[providers.a-local]\nkind = \"local\"\nn_slots = 2\nn_ctx = 256\n"
                          "threads = 1\nmodels = { big = \"" +
                          test::gold_model("stories260K.gguf").string() + "\" }\n",
                      "instance A");
}

toml::table config_b(const std::filesystem::path& dir, const std::string& a_url) {
  return parse_config(
      "[server]\nport = 0\nthreads = 4\n[ledger]\npath = \"" + (dir / "b-ledger.sqlite").string() +
          "\"\n[providers.slm]\nkind = \"local\"\nn_slots = 2\nn_ctx = 256\nthreads = 2\n"
          "cpu_watts_per_core = " +
          std::to_string(kWatts) + "\nmodels = { story = \"" +
          test::gold_model("stories260K.gguf").string() + "\", bert = \"" +
          test::gold_model("bert-mean-q8_0.gguf").string() +
          "\" }\n[providers.a]\nkind = \"openai\"\nbase_url = \"" + a_url +
          "/v1\"\nmodels = [\"big\"]\nmax_retries = 0\n"
          "prices = { big = { input_eur_per_mtok = 0.15, output_eur_per_mtok = 0.6 } }\n",
      "instance B");
}

httplib::Result post(httplib::Client& c, const std::string& path, const json& body) {
  return c.Post(path.c_str(), body.dump(), "application/json");
}

json chat(const std::string& model) {
  return {{"model", model},
          {"messages", {{{"role", "user"}, {"content", "Once upon a time"}}}},
          {"max_tokens", 8},
          {"temperature", 0}};
}

void expect_energy_of(const LedgerRecord& r, double watts) {
  EXPECT_TRUE(r.is_local) << r.model;
  EXPECT_GT(r.cpu_ms, 0) << r.model;
  const double expected = r.cpu_ms / 1000 * watts / 3600;
  EXPECT_NEAR(r.energy_wh, expected, expected * 1e-9) << r.model;
}

TEST(Energy, LocalCallsRecordCpuTimeAndEnergyRemoteCallsNone) {
  TQ_REQUIRE_PATH(test::gold_model("stories260K.gguf"));
  TQ_REQUIRE_PATH(test::gold_model("bert-mean-q8_0.gguf"));
  const auto dir = test::scratch_dir("energy_http");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  test::RunningGateway a(config_a(dir), dir);
  test::RunningGateway b(config_b(dir, a.base_url()), dir);
  auto client = b.client("");

  auto local = post(client, "/v1/chat/completions", chat("story"));
  ASSERT_TRUE(local);
  ASSERT_EQ(local->status, 200) << local->body;
  auto remote = post(client, "/v1/chat/completions", chat("big"));
  ASSERT_TRUE(remote);
  ASSERT_EQ(remote->status, 200) << remote->body;
  auto embed = post(client, "/v1/embeddings", {{"model", "bert"}, {"input", {"a cat", "a dog"}}});
  ASSERT_TRUE(embed);
  ASSERT_EQ(embed->status, 200) << embed->body;

  const auto rows = b.ledger_rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].model, "story");
  expect_energy_of(rows[0], kWatts);
  EXPECT_EQ(rows[1].model, "big");
  EXPECT_FALSE(rows[1].is_local);
  EXPECT_EQ(rows[1].cpu_ms, 0);
  EXPECT_EQ(rows[1].energy_wh, 0);
  EXPECT_EQ(rows[2].model, "bert");
  EXPECT_EQ(rows[2].endpoint, "embeddings");
  expect_energy_of(rows[2], kWatts);
  // A measured its own local call of B's remote attempt, at its default 10 W per core.
  const auto a_rows = a.ledger_rows();
  ASSERT_EQ(a_rows.size(), 1u);
  expect_energy_of(a_rows[0], 10);

  // In the file, the remote attempt's energy is NULL: unknown, not zero.
  b.app().ledger().flush();
  const auto path = (dir / "b-ledger.sqlite").string();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT model, cpu_ms IS NULL, energy_wh IS NULL FROM attempts "
                                 "ORDER BY id",
                                 -1, &s, nullptr),
              SQLITE_OK);
    for (const char* model : {"story", "big", "bert"}) {
      ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
      const bool remote_row = std::string(model) == "big";
      EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 0))), model);
      EXPECT_EQ(sqlite3_column_int(s, 1), remote_row ? 1 : 0) << model;
      EXPECT_EQ(sqlite3_column_int(s, 2), remote_row ? 1 : 0) << model;
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
  }

  const auto rep = test::run({test::cli_path(), "report", "--ledger", path, "--json"});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  const json j = json::parse(rep.out);
  ASSERT_EQ(j["rows"].size(), 3u) << rep.out;
  double local_wh = 0;
  for (const auto& row : j["rows"]) {
    ASSERT_TRUE(row.contains("cpu_ms") && row.contains("energy_wh") && row.contains("wh_per_mtok"))
        << row.dump();
    const double wh = row["energy_wh"].get<double>();
    const auto tokens = row["prompt_tokens"].get<double>() + row["completion_tokens"].get<double>();
    if (row["local"].get<bool>()) {
      EXPECT_GT(wh, 0) << row.dump();
      EXPECT_NEAR(row["wh_per_mtok"].get<double>(), wh / tokens * 1e6, wh / tokens * 1e-3);
    } else {
      EXPECT_EQ(wh, 0) << row.dump();
      EXPECT_EQ(row["cpu_ms"].get<double>(), 0) << row.dump();
    }
    local_wh += wh;
  }
  EXPECT_NEAR(j["local_energy_wh"].get<double>(), local_wh, local_wh * 1e-9);
}

}  // namespace
}  // namespace tq
