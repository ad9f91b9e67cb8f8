// Budgets over HTTP under concurrency: 50 clients at once against a paid remote model (a
// small upstream in this test, 20 ms per answer, 0.02 € per call) cannot together spend
// more than the budget plus one request's cost; the ones over it are refused with 429 and
// the reason — or, configured to downgrade, served by the local model, saying why.
#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/config.h"
#include "providers/scripted_upstream.h"
#include "server_fixture.h"

namespace tq {
namespace {

using nlohmann::json;

constexpr double kBudget = 0.3;     // € per day, global
constexpr double kCallCost = 0.02;  // 10 + 10 tokens at 1000 €/Mtok

void slow_answer(const httplib::Request&, httplib::Response& res, int) {
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  res.set_content(test::completion_json("fine", 10, 10), "application/json");
}

toml::table budget_config(const std::filesystem::path& dir, const std::string& upstream,
                          bool downgrade) {
  std::string text =
      "[server]\nport = 0\nthreads = 16\n[ledger]\npath = \"" + (dir / "ledger.sqlite").string() +
      "\"\n[providers.cloud]\nkind = \"openai\"\nbase_url = \"" + upstream +
      "\"\nmodels = [\"big\"]\nmax_retries = 0\n"
      "prices = { big = { input_eur_per_mtok = 1000.0, output_eur_per_mtok = 1000.0 } }\n";
  if (downgrade)
    text +=
        "[providers.slm]\nkind = \"local\"\nthreads = 1\nn_slots = 4\nn_ctx = 256\n"
        "models = { story = \"" +
        test::gold_model("stories260K.gguf").string() + "\" }\n";
  text += "[router]\ndefault_task = \"chat\"\n";
  if (downgrade) text += "fallbacks = [{ provider = \"slm\", model = \"story\" }]\n";
  text +=
      "[router.tasks.chat]\nmode = \"llm\"\nllm = { provider = \"cloud\", model = \"big\" }\n"
      "[router.budgets]\non_exhausted = \"" +
      std::string(downgrade ? "downgrade" : "refuse") +
      "\"\nglobal_eur_per_day = " + std::to_string(kBudget) + "\n";
  return parse_config(text, "budget test");
}

struct Answer {
  int status = 0;
  std::string reason;
  std::string served_by;
  std::string code;
};

std::vector<Answer> fifty_at_once(test::RunningGateway& gw) {
  std::vector<std::future<Answer>> futures;
  futures.reserve(50);
  for (int i = 0; i < 50; ++i)
    futures.push_back(std::async(std::launch::async, [&gw] {
      auto c = gw.client("");
      const json body = {{"model", "auto"},
                         {"messages", {{{"role", "user"}, {"content", "Hello"}}}},
                         {"max_tokens", 10}};
      Answer a;
      if (auto r = c.Post("/v1/chat/completions", body.dump(), "application/json")) {
        a.status = r->status;
        a.reason = r->get_header_value("x-triptyque-reason");
        a.served_by = r->get_header_value("x-triptyque-served-by");
        const json j = json::parse(r->body, nullptr, false);
        if (j.contains("error")) a.code = j["error"]["code"].is_string() ? j["error"]["code"] : "";
      }
      return a;
    }));
  std::vector<Answer> out;
  out.reserve(futures.size());
  for (auto& f : futures) out.push_back(f.get());
  return out;
}

double remote_spend(test::RunningGateway& gw) {
  double spent = 0;
  for (const auto& row : gw.ledger_rows())
    if (!row.is_local && row.status == "ok") spent += row.cost_eur;
  return spent;
}

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = test::scratch_dir(name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(BudgetOverHttp, FiftyParallelClientsCannotOverspendAndAreToldWhy) {
  test::ScriptedUpstream upstream(slow_answer);
  const auto dir = fresh_dir("budget_refuse");
  test::RunningGateway gw(budget_config(dir, upstream.base_url(), false), dir);
  int ok = 0;
  for (const auto& a : fifty_at_once(gw)) {
    if (a.status == 200) {
      ++ok;
      continue;
    }
    EXPECT_EQ(a.status, 429);
    EXPECT_EQ(a.code, "budget_exhausted");
    EXPECT_NE(a.reason.find("budget"), std::string::npos) << a.reason;
  }
  EXPECT_GE(ok, 1);
  const double spent = remote_spend(gw);
  EXPECT_LE(spent, kBudget + kCallCost + 1e-9) << ok << " calls served";
  EXPECT_EQ(upstream.calls(), ok);  // refused calls never reached the upstream
}

TEST(BudgetOverHttp, DowngradesToTheLocalModelWhenConfigured) {
  TQ_REQUIRE_PATH(test::gold_model("stories260K.gguf"));
  test::ScriptedUpstream upstream(slow_answer);
  const auto dir = fresh_dir("budget_downgrade");
  test::RunningGateway gw(budget_config(dir, upstream.base_url(), true), dir);
  int local = 0;
  for (const auto& a : fifty_at_once(gw)) {
    ASSERT_EQ(a.status, 200) << a.reason;
    if (a.served_by == "cloud/big") continue;
    ++local;
    EXPECT_EQ(a.served_by, "slm/story");
    EXPECT_NE(a.reason.find("budget"), std::string::npos) << a.reason;
  }
  EXPECT_GE(local, 1);
  EXPECT_LE(remote_spend(gw), kBudget + kCallCost + 1e-9);
}

}  // namespace
}  // namespace tq
