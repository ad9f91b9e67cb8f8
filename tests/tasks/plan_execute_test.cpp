// Plans stored in a real SQLite file and executed: parallel for_each, failures that stop
// dependents, resumption that skips done steps (also after reopening the file), the
// LLM/SLM token split, and the planner's invalid plan sent back once with its problems.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <set>
#include <thread>

#include "core/error.h"
#include "support/gold.h"
#include "task_test_support.h"
#include "tasks/plan/plan_execute.h"

namespace tq::tasks {
namespace {

using nlohmann::json;
using test::ScriptedProvider;

std::string description_for(const ChatRequest& r) {
  const auto& u = r.messages[1].content;
  const std::string sku = u.find("\"B1\"") != std::string::npos   ? "B1"
                          : u.find("\"B2\"") != std::string::npos ? "B2"
                          : u.find("\"B3\"") != std::string::npos ? "B3"
                                                                  : "B4";
  return json{{"description", "Bol " + sku + " en grès, fait main."},
              {"seo_title", "Bol " + sku + " en grès"},
              {"meta_description", "Bol " + sku + " en grès, fait main, pour la table."}}
      .dump();
}

json bowls() {
  return json::parse(R"([{"sku": "B1", "matiere": "grès"}, {"sku": "B2", "matiere": "grès"},
                         {"sku": "B3", "matiere": "grès"}, {"sku": "B4", "matiere": "grès"}])");
}

TEST(PlanExecute, ParallelStepsResumeAndReport) {
  const auto db = (test::scratch_dir("plan_execute") / "plans.sqlite").string();
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};
  std::atomic<bool> fail_b3{true};
  ScriptedProvider slm("slm", [&](const ChatRequest& r, int) {
    const int now = ++in_flight;
    int seen = max_in_flight.load();
    while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));  // overlap the calls
    --in_flight;
    if (fail_b3 && r.messages[1].content.find("\"B3\"") != std::string::npos)
      throw ProviderError(ProviderErrorKind::BadRequest, "prompt rejected");
    return description_for(r);
  });
  TaskContext ctx;
  ctx.slm = &slm;
  std::vector<TaskEvent> events;
  std::mutex events_mu;
  ctx.on_event = [&](const TaskEvent& e) {
    std::lock_guard<std::mutex> lock(events_mu);
    events.push_back(e);
  };
  const json plan = json::parse(R"({"steps": [
    {"id": "desc", "task": "product_description", "input": {"language": "fr"},
     "for_each": {"source": "records", "as": "record"}, "depends_on": []},
    {"id": "after", "task": "email_summary", "input": {"email": "Merci pour les bols."},
     "depends_on": ["desc"]}]})");
  std::string id;
  {
    PlanStore store(db);
    const auto report = plan_and_execute(json{{"goal", "décrire les bols"},
                                              {"records", bowls()},
                                              {"plan", plan},
                                              {"max_parallel", 3}},
                                         store, ctx);
    id = report["plan_id"];
    EXPECT_EQ(report["counts"]["steps"], 5);
    EXPECT_EQ(report["counts"]["done"], 3);
    EXPECT_EQ(report["counts"]["failed"], 2);  // desc[2] and, not run, "after"
    ASSERT_EQ(report["failures"].size(), 2u);
    EXPECT_EQ(report["failures"][0]["step"], "desc[2]");
    EXPECT_NE(report["failures"][1]["error"].get<std::string>().find("desc[2] failed"),
              std::string::npos);
    EXPECT_GE(max_in_flight.load(), 2);  // the for_each copies overlapped
    EXPECT_LE(max_in_flight.load(), 3);
    EXPECT_EQ(report["tokens"]["slm"]["prompt"], 300);  // 3 answers × 100 (B3's call failed)
    EXPECT_EQ(report["tokens"]["llm"]["prompt"], 0);
  }
  // A new process: reopen the file, fix the cause, resume. Done steps are not re-run.
  fail_b3 = false;
  const int calls_before = slm.calls();
  ScriptedProvider email("slm2", [](const ChatRequest&, int) {
    return json{{"summary", "Remerciements."},
                {"action_items", json::array()},
                {"requested_dates", json::array()},
                {"sentiment", "positive"}}
        .dump();
  });
  PlanStore store(db);
  {
    // The e-mail step needs another script: route by task through a small dispatcher.
    ScriptedProvider both("slm", [&](const ChatRequest& r, int) {
      if (r.json_schema["properties"].contains("sentiment")) return email.chat(r, nullptr).text;
      return slm.chat(r, nullptr).text;
    });
    ctx.slm = &both;
    const auto report = execute_plan(store, id, ctx);
    EXPECT_EQ(report["counts"]["done"], 5);
    EXPECT_EQ(report["counts"]["failed"], 0);
    EXPECT_EQ(report["counts"]["already_done"], 3);
    EXPECT_EQ(both.calls(), 2);  // desc[2] and "after" only
    EXPECT_EQ(slm.calls() - calls_before, 1);
  }
  const auto steps = store.steps(id);
  ASSERT_EQ(steps.size(), 5u);
  std::set<std::string> skus;
  for (const auto& s : steps) {
    EXPECT_EQ(s.status, "done") << s.step.id;
    if (s.step.task == "product_description") {
      EXPECT_EQ(s.output["fidelity"]["ok"], true);
      skus.insert(s.step.input["record"]["sku"].get<std::string>());
    }
  }
  EXPECT_EQ(skus, (std::set<std::string>{"B1", "B2", "B3", "B4"}));
  EXPECT_THROW(execute_plan(store, "plan-nonesuch", ctx), InputError);
  std::lock_guard<std::mutex> lock(events_mu);
  EXPECT_TRUE(std::any_of(events.begin(), events.end(),
                          [](const TaskEvent& e) { return e.kind == "step_failed"; }));
}

TEST(PlanExecute, TheLlmPlansAndAnInvalidPlanGoesBackOnce) {
  const auto db = (test::scratch_dir("plan_llm") / "plans.sqlite").string();
  ScriptedProvider llm("llm", [](const ChatRequest& r, int call) {
    EXPECT_NE(r.messages[1].content.find("product_description"), std::string::npos);
    if (call == 1)  // a cycle
      return json::parse(R"({"steps": [
        {"id": "a", "task": "email_summary", "input": {"email": "x"}, "depends_on": ["b"]},
        {"id": "b", "task": "email_summary", "input": {"email": "x"}, "depends_on": ["a"]}]})")
          .dump();
    EXPECT_NE(r.messages.back().content.find("cycle"), std::string::npos);
    return json::parse(R"({"steps": [
      {"id": "d", "task": "product_description", "input": {},
       "for_each": {"source": "records", "as": "record", "where": {"description": null}},
       "depends_on": [], "parallel_group": "g"}]})")
        .dump();
  });
  ScriptedProvider slm("slm", [](const ChatRequest& r, int) { return description_for(r); });
  TaskContext ctx;
  ctx.slm = &slm;
  ctx.llm = &llm;
  ctx.llm_price = {2.0, 10.0};
  ctx.slm_price = {0.1, 0.1};
  json records = bowls();
  records[1]["description"] = "déjà là";
  PlanStore store(db);
  const auto report = plan_and_execute(
      json{{"goal", "Écris les descriptions manquantes"}, {"records", records}}, store, ctx);
  EXPECT_EQ(llm.calls(), 2);
  EXPECT_EQ(slm.calls(), 3);
  EXPECT_EQ(report["counts"]["done"], 3);
  EXPECT_EQ(report["tokens"]["llm"]["prompt"], 200);
  EXPECT_EQ(report["tokens"]["slm"]["prompt"], 300);
  EXPECT_DOUBLE_EQ(report["cost"]["llm"].get<double>(), (200 * 2.0 + 20 * 10.0) / 1e6);
  EXPECT_DOUBLE_EQ(report["cost"]["slm"].get<double>(), (300 * 0.1 + 30 * 0.1) / 1e6);
  // Stored: the plan as the LLM wrote it.
  const auto stored = store.plan(report["plan_id"].get<std::string>());
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->plan["steps"][0]["id"], "d");

  ScriptedProvider stubborn("llm", [](const ChatRequest&, int) {
    return std::string(
        R"({"steps": [{"id": "a", "task": "translate", "input": {}, "depends_on": []}]})");
  });
  ctx.llm = &stubborn;
  try {
    plan_and_execute(json{{"goal", "x"}}, store, ctx);
    FAIL() << "accepted an invalid plan";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("translate"), std::string::npos) << e.what();
  }
}

TEST(PlanExecute, StoreRejectsAForeignFile) {
  const auto dir = test::scratch_dir("plan_foreign");
  const auto path = (dir / "not.sqlite").string();
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not a database, it is a text file that is long enough to matter", f);
    std::fclose(f);
  }
  EXPECT_THROW(PlanStore store(path), InputError);
}

}  // namespace
}  // namespace tq::tasks
