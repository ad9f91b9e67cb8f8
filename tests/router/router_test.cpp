// Each routing stage, and the reason text it gives.
#include <gtest/gtest.h>

#include "core/config.h"
#include "core/error.h"
#include "router/router.h"

namespace tq {
namespace {

const char* kConfig = R"(
[router]
default_task = "chat"
fallbacks = [{ provider = "local", model = "big" }]

[router.tasks.chat]
mode = "cascade"
slm = { provider = "local", model = "small" }
llm = { provider = "remote", model = "gpt" }
min_mean_logprob = -0.5

[router.tasks.plan]
mode = "llm"
llm = { provider = "remote", model = "gpt" }
fallbacks = [{ provider = "remote", model = "gpt-mini" }]
latency_target_ms = 1000

[router.tasks.summarise]
mode = "llm"
llm = { provider = "remote", model = "gpt" }

[router.budgets]
on_exhausted = "downgrade"
global_eur_per_day = 1.0
[router.budgets.keys.team-a]
eur_per_day = 0.01
)";

bool is_local(const std::string& p) {
  if (p == "local") return true;
  if (p == "remote") return false;
  throw InputError("unknown provider " + p);
}

struct Fixture {
  std::shared_ptr<BudgetTracker> budgets;
  std::shared_ptr<LatencyTracker> latency = std::make_shared<LatencyTracker>();
  std::unique_ptr<Router> router;
  explicit Fixture(const char* text = kConfig) {
    const RouterConfig c = RouterConfig::from_toml(parse_config(text, "t.toml"), is_local);
    budgets = std::make_shared<BudgetTracker>(c.global_budget, c.key_budgets);
    std::vector<CatalogEntry> catalog = {{"small", {"local", "small", true}},
                                         {"big", {"local", "big", true}},
                                         {"gpt", {"remote", "gpt", false}},
                                         {"gpt-mini", {"remote", "gpt-mini", false}}};
    router = std::make_unique<Router>(
        c, catalog,
        [](const Target& t) -> std::optional<Price> {
          if (t.provider == "remote") return Price{1.0, 4.0};  // € per million tokens
          return std::nullopt;
        },
        budgets, latency);
  }
};

RoutingRequest req(const std::string& model) {
  RoutingRequest r;
  r.model = model;
  r.prompt_tokens_bound = 1000;
  r.max_tokens = 250;  // worst case on "remote": 1000 × 1 + 250 × 4 = 2000 µ€ = 0.002 €
  return r;
}

TEST(Router, AutoFollowsTheDefaultTaskCascade) {
  Fixture f;
  const auto d = f.router->route(req("auto"));
  ASSERT_TRUE(d.route) << d.refusal->message;
  EXPECT_EQ(d.route->task, "chat");
  EXPECT_EQ(d.route->primary.label(), "local/small");
  ASSERT_TRUE(d.route->escalate_to);
  EXPECT_EQ(d.route->escalate_to->label(), "remote/gpt");
  EXPECT_EQ(d.route->min_mean_logprob, -0.5);
  EXPECT_EQ(d.route->name(), "cascade local/small → remote/gpt");
  EXPECT_EQ(d.route->fallbacks.size(), 1u);
  EXPECT_EQ(d.route->reason(),
            "task 'chat' (model 'auto') → cascade local/small → remote/gpt (escalates below mean "
            "log-prob -0.500 or on an invalid JSON answer); on failure: local/big");
}

TEST(Router, TaskNameAsModel) {
  Fixture f;
  const auto d = f.router->route(req("plan"));
  ASSERT_TRUE(d.route);
  EXPECT_EQ(d.route->primary.label(), "remote/gpt");
  EXPECT_FALSE(d.route->escalate_to);
  EXPECT_EQ(d.route->reasons[0], "task 'plan' → LLM remote/gpt");
  EXPECT_EQ(d.route->reasons[1], "on failure: remote/gpt-mini, local/big");
}

TEST(Router, ExplicitModelIsServedAsAskedWithoutFallbacks) {
  Fixture f;
  const auto d = f.router->route(req("gpt"));
  ASSERT_TRUE(d.route);
  EXPECT_EQ(d.route->primary.label(), "remote/gpt");
  EXPECT_TRUE(d.route->fallbacks.empty());
  EXPECT_EQ(d.route->reason(), "model 'gpt' requested explicitly → remote/gpt");
  // provider/model spelling works too.
  ASSERT_TRUE(f.router->route(req("local/big")).route);
}

TEST(Router, UnknownModelIsRefusedWithTheChoices) {
  Fixture f;
  const auto d = f.router->route(req("gpt-5"));
  ASSERT_TRUE(d.refusal);
  EXPECT_EQ(d.refusal->kind, Refusal::Kind::UnknownModel);
  EXPECT_EQ(d.refusal->http_status(), 404);
  EXPECT_NE(d.refusal->message.find("use one of: auto, chat, plan, summarise, small"),
            std::string::npos)
      << d.refusal->message;
}

TEST(Router, LocalOnlyHeaderDropsTheRemoteEscalation) {
  Fixture f;
  RoutingRequest r = req("auto");
  r.header_local_only = true;
  const auto d = f.router->route(r);
  ASSERT_TRUE(d.route);
  EXPECT_TRUE(d.route->local_only);
  EXPECT_EQ(d.route->primary.label(), "local/small");
  EXPECT_FALSE(d.route->escalate_to);
  EXPECT_EQ(d.route->reasons[0], "local-only (header x-triptyque-data: local-only)");
  EXPECT_EQ(d.route->reasons[2], "remote parts dropped (escalation to remote/gpt) → local/small");
}

TEST(Router, LocalOnlyRemoteTaskMovesToALocalFallback) {
  Fixture f;
  RoutingRequest r = req("plan");
  r.knowledge_labels = {"public", "confidential"};
  const auto d = f.router->route(r);
  ASSERT_TRUE(d.route);
  EXPECT_EQ(d.route->primary.label(), "local/big");  // the global fallback
  EXPECT_TRUE(d.route->fallbacks.empty());
  EXPECT_EQ(d.route->reasons[0], "local-only (retrieved knowledge labelled 'confidential')");
  EXPECT_EQ(d.route->reasons[2],
            "remote parts dropped (fallback remote/gpt-mini, remote/gpt) → local/big");
}

TEST(Router, LocalOnlyTaskWithoutAnyLocalTargetIsRefused) {
  Fixture f(R"(
[router]
default_task = "plan"
[router.tasks.plan]
mode = "llm"
llm = { provider = "remote", model = "gpt" }
)");
  RoutingRequest r = req("plan");
  r.header_local_only = true;
  const auto d = f.router->route(r);
  ASSERT_TRUE(d.refusal);
  EXPECT_EQ(d.refusal->kind, Refusal::Kind::LocalOnlyNoRoute);
  EXPECT_EQ(d.refusal->http_status(), 403);
  EXPECT_NE(d.refusal->message.find("neither task 'plan' nor router.fallbacks"), std::string::npos);
}

TEST(Router, LocalOnlyExplicitRemoteModelIsRefused) {
  Fixture f;
  RoutingRequest r = req("gpt");
  r.key_local_only = true;
  r.guard_findings = {"iban"};
  const auto d = f.router->route(r);
  ASSERT_TRUE(d.refusal);
  EXPECT_EQ(d.refusal->kind, Refusal::Kind::LocalOnlyNoRoute);
  EXPECT_NE(d.refusal->message.find("the API key's policy, the guard found iban"),
            std::string::npos)
      << d.refusal->message;
}

TEST(Router, GuardFindingsAndLabelsFollowTheConfig) {
  Fixture f(R"(
[router]
local_only_findings = ["health"]
local_only_labels = ["secret-défense"]
)");
  RoutingRequest r = req("auto");
  r.guard_findings = {"email"};
  r.knowledge_labels = {"confidential"};
  auto d = f.router->route(r);
  ASSERT_TRUE(d.route);
  EXPECT_FALSE(d.route->local_only);
  r.guard_findings = {"health"};
  d = f.router->route(r);
  ASSERT_TRUE(d.route);
  EXPECT_TRUE(d.route->local_only);
  EXPECT_EQ(d.route->primary.label(), "local/small");  // no rules: first local model
}

TEST(Router, LocalOnlyWithNoLocalModelFailsClosed) {
  const RouterConfig c;
  Router router(c, {{"gpt", {"remote", "gpt", false}}}, nullptr, nullptr, nullptr);
  RoutingRequest r = req("auto");
  EXPECT_TRUE(router.route(r).route);
  r.header_local_only = true;
  const auto d = router.route(r);
  ASSERT_TRUE(d.refusal);
  EXPECT_EQ(d.refusal->kind, Refusal::Kind::LocalOnlyNoRoute);
}

TEST(Router, BudgetExhaustedDowngradesToLocal) {
  Fixture f;
  RoutingRequest r = req("summarise");
  r.api_key_id = "team-a";
  f.budgets->add_spent("team-a", 0.009);  // 0.009 + 0.002 > 0.01
  const auto d = f.router->route(r);
  ASSERT_TRUE(d.route) << d.refusal->message;
  EXPECT_EQ(d.route->primary.label(), "local/big");
  EXPECT_EQ(d.route->reasons[1],
            "key 'team-a' daily budget 0.0100 € reached (spent 0.0090 €, in flight 0.0000 €, "
            "this request up to 0.0020 €) → downgraded to local local/big");
  // Another key still has the global room.
  r.api_key_id = "team-b";
  EXPECT_EQ(f.router->route(r).route->primary.label(), "remote/gpt");
}

TEST(Router, BudgetExhaustedRefusesWhenConfigured) {
  Fixture f(R"(
[router.tasks.chat]
mode = "llm"
llm = { provider = "remote", model = "gpt" }
[router.budgets]
on_exhausted = "refuse"
global_eur_per_month = 0.001
)");
  const auto d = f.router->route(req("auto"));
  ASSERT_TRUE(d.refusal);
  EXPECT_EQ(d.refusal->kind, Refusal::Kind::BudgetExhausted);
  EXPECT_EQ(d.refusal->http_status(), 429);
  EXPECT_NE(d.refusal->message.find("global monthly budget 0.0010 €"), std::string::npos);
}

TEST(Router, LatencyTargetPrefersAFasterCandidate) {
  Fixture f;
  for (int i = 0; i < 5; ++i) {
    f.latency->record("remote/gpt", 2500);
    f.latency->record("remote/gpt-mini", 400 + i);
  }
  const auto d = f.router->route(req("plan"));
  ASSERT_TRUE(d.route);
  EXPECT_EQ(d.route->primary.label(), "remote/gpt-mini");
  EXPECT_EQ(d.route->fallbacks[0].label(), "remote/gpt");
  EXPECT_EQ(d.route->reasons[1],
            "remote/gpt p50 2500 ms misses the 1000 ms target → remote/gpt-mini (p50 402 ms)");
}

TEST(Router, ConfigErrorsNameTheKey) {
  auto error_of = [](const char* text) {
    try {
      RouterConfig::from_toml(parse_config(text, "t.toml"), is_local);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("[router.tasks.x]\nmode='fast'\n").find("router.tasks.x.mode"),
            std::string::npos);
  EXPECT_NE(error_of("[router.tasks.x]\nmode='cascade'\nslm={provider='local',model='a'}\n")
                .find("needs slm and llm"),
            std::string::npos);
  EXPECT_NE(error_of("[router.tasks.chat]\nslm={provider='nowhere',model='a'}\n").find("nowhere"),
            std::string::npos);
  EXPECT_NE(
      error_of(
          "[router]\ndefault_task='x'\n[router.tasks.chat]\nslm={provider='local',model='a'}\n")
          .find("router.default_task"),
      std::string::npos);
  EXPECT_NE(error_of("[router.budgets]\non_exhausted='pray'\n").find("on_exhausted"),
            std::string::npos);
}

TEST(LatencyTracker, MedianOfTheWindow) {
  LatencyTracker t(4, 3);
  t.record("a", 10);
  t.record("a", 30);
  EXPECT_FALSE(t.p50("a"));
  t.record("a", 20);
  EXPECT_EQ(t.p50("a"), 20.0);
  t.record("a", 40);
  EXPECT_EQ(t.p50("a"), 25.0);
  t.record("a", 100);  // replaces 10: {100, 30, 20, 40}
  EXPECT_EQ(t.p50("a"), 35.0);
}

}  // namespace
}  // namespace tq
