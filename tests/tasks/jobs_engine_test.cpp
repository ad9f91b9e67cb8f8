// The tasks end to end on the local engine with a small gold model (random-ish weights:
// what is checked is the plumbing — the JSON schema reaches the grammar, answers parse and
// validate, the deterministic parts are merged — not the prose).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/gold.h"
#include "task_test_support.h"
#include "tasks/jobs/registry.h"

namespace tq::tasks {
namespace {

using nlohmann::json;

std::filesystem::path model_path() {
  return test::gold_dir() / "models" / "qwen2-gpt2-q8_0.gguf";
}

TEST(JobsEngine, TicketAnalysisOnTheLocalEngine) {
  TQ_REQUIRE_PATH(model_path());
  test::EngineProvider engine(model_path().string());
  TaskContext ctx;
  ctx.slm = &engine;
  ctx.slm_model = "qwen2-gpt2";
  const auto r = run_task("ticket_analysis",
                          json{{"ticket", "Bonjour, ma commande n° 458812 n'est pas arrivée."},
                               {"categories", {"delivery", "billing", "other"}}},
                          ctx);  // run_task validated the output against the schema
  EXPECT_GE(engine.calls.load(), 1);
  EXPECT_EQ(r.provider, "engine");
  const auto cat = r.output["category"].get<std::string>();
  EXPECT_TRUE(cat == "delivery" || cat == "billing" || cat == "other") << cat;
  EXPECT_EQ(r.output["order_refs"][0], "458812");  // the pattern's, whatever the model says
  EXPECT_GT(r.slm_tokens.prompt, 0);
  EXPECT_GT(r.slm_tokens.completion, 0);
}

TEST(JobsEngine, EmailSummaryOnTheLocalEngine) {
  TQ_REQUIRE_PATH(model_path());
  test::EngineProvider engine(model_path().string());
  TaskContext ctx;
  ctx.slm = &engine;
  const auto r = run_task("email_summary",
                          json{{"email",
                                "Date: Tue, 24 Nov 2026 09:00:00 +0100\nSubject: RDV\n\n"
                                "Can you call me tomorrow?\n"}},
                          ctx);
  EXPECT_EQ(r.output["dates_mentioned"], json({"2026-11-25"}));
  for (const auto& d : r.output["requested_dates"]) EXPECT_EQ(d.get<std::string>().size(), 10u);
}

}  // namespace
}  // namespace tq::tasks
