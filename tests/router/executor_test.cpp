// The executor with real providers: two OpenAI-compatible upstreams on loopback stand for
// the SLM and the LLM, answering what each test scripts.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "providers/openai_provider.h"
#include "providers/scripted_upstream.h"
#include "router/executor.h"

namespace tq {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using test::ScriptedUpstream;

std::string answer_with_logprobs(const std::string& text, std::vector<double> lps) {
  json j = json::parse(test::completion_json(text, 10, static_cast<int>(lps.size())));
  json content = json::array();
  for (double lp : lps) content.push_back({{"token", "t"}, {"logprob", lp}});
  j["choices"][0]["logprobs"] = {{"content", content}};
  return j.dump();
}

struct Pair {
  ScriptedUpstream slm_up;
  ScriptedUpstream llm_up;
  std::unique_ptr<OpenAIProvider> slm;
  std::unique_ptr<OpenAIProvider> llm;
  Pair(ScriptedUpstream::Handler s, ScriptedUpstream::Handler l)
      : slm_up(std::move(s)), llm_up(std::move(l)) {
    OpenAIConfig c;
    c.connect_timeout = milliseconds(300);
    c.first_token_timeout = milliseconds(500);
    c.total_timeout = milliseconds(1500);
    c.retry.max_retries = 0;
    c.base_url = slm_up.base_url();
    c.local = true;
    slm = std::make_unique<OpenAIProvider>("slm", c);
    c.base_url = llm_up.base_url();
    c.local = false;
    llm = std::make_unique<OpenAIProvider>("llm", c);
  }
  RouteExecutor executor(BudgetTracker* budgets = nullptr) {
    return RouteExecutor(
        [this](const std::string& n) -> Provider* {
          if (n == "slm") return slm.get();
          if (n == "llm") return llm.get();
          return nullptr;
        },
        budgets, nullptr);
  }
};

Route cascade() {
  Route r;
  r.primary = {"slm", "small", true};
  r.escalate_to = Target{"llm", "large", false};
  r.min_mean_logprob = -0.5;
  return r;
}

ChatRequest ask(json schema = nullptr) {
  ChatRequest r;
  r.messages = {{"user", "Extrais la ville : « Je vis à Lyon »", "", nullptr, ""}};
  r.json_schema = std::move(schema);
  r.max_tokens = 64;
  return r;
}

const json kCitySchema = json::parse(
    R"({"type":"object","properties":{"ville":{"type":"string"}},"required":["ville"]})");

TEST(Cascade, ConfidentValidSlmAnswerIsKeptAndTheLlmNeverCalled) {
  Pair p(
      [](const httplib::Request& req, httplib::Response& res, int) {
        EXPECT_EQ(json::parse(req.body)["logprobs"], true);  // the cascade asks for them
        res.set_content(answer_with_logprobs(R"({"ville":"Lyon"})", {-0.1, -0.2, -0.3}),
                        "application/json");
      },
      [](const httplib::Request&, httplib::Response& res, int) { res.status = 500; });
  std::string streamed;
  const auto out = p.executor().run(cascade(), ask(kCitySchema), [&](const std::string& d) {
    streamed += d;
    return true;
  });
  EXPECT_EQ(out.result.text, R"({"ville":"Lyon"})");
  EXPECT_EQ(streamed, out.result.text);
  EXPECT_FALSE(out.escalated);
  EXPECT_EQ(out.served_by.label(), "slm/small");
  EXPECT_EQ(out.cascade_reason,
            "kept the SLM's answer (mean token log-probability -0.200 ≥ -0.500, valid for the "
            "schema)");
  EXPECT_EQ(p.llm_up.calls(), 0);
  ASSERT_EQ(out.attempts.size(), 1u);
  EXPECT_EQ(out.attempts[0].role, "cascade-slm");
  EXPECT_EQ(json::parse(p.slm_up.bodies()[0])["model"], "small");
}

TEST(Cascade, InvalidJsonEscalatesAndOnlyTheLlmAnswerIsStreamed) {
  Pair p(
      [](const httplib::Request&, httplib::Response& res, int) {
        res.set_content(answer_with_logprobs(R"({"city":"Lyon"})", {-0.01}), "application/json");
      },
      [](const httplib::Request&, httplib::Response& res, int) {
        test::stream_events(
            res, {test::delta_event("{\"ville\":"), test::delta_event("\"Lyon\"}"),
                  test::finish_event("stop"), test::usage_event(20, 6), "data: [DONE]\n\n"});
      });
  std::vector<std::string> pieces;
  std::vector<std::string> roles;
  ChatRequest r = ask(kCitySchema);
  r.on_attempt = [&](const AttemptRecord& a) { roles.push_back(a.role + ":" + a.provider); };
  const auto out = p.executor().run(cascade(), r, [&](const std::string& d) {
    pieces.push_back(d);
    return true;
  });
  EXPECT_TRUE(out.escalated);
  EXPECT_EQ(out.served_by.label(), "llm/large");
  EXPECT_EQ(pieces, (std::vector<std::string>{"{\"ville\":", "\"Lyon\"}"}));
  EXPECT_EQ(out.cascade_reason,
            "escalated: the SLM's answer is not valid for the schema ((root): missing required "
            "property \"ville\")");
  EXPECT_EQ(roles, (std::vector<std::string>{"cascade-slm:slm", "cascade-llm:llm"}));
  EXPECT_EQ(out.result.usage.completion_tokens, 6);
  EXPECT_FALSE(json::parse(p.llm_up.bodies()[0]).contains("logprobs"));
}

TEST(Cascade, LowConfidenceEscalates) {
  Pair p(
      [](const httplib::Request&, httplib::Response& res, int) {
        res.set_content(answer_with_logprobs("Paris, peut-être", {-0.2, -1.9}), "application/json");
      },
      [](const httplib::Request&, httplib::Response& res, int) {
        res.set_content(test::completion_json("Lyon.", 10, 2), "application/json");
      });
  const auto out = p.executor().run(cascade(), ask(), nullptr);
  EXPECT_TRUE(out.escalated);
  EXPECT_EQ(out.result.text, "Lyon.");
  EXPECT_EQ(out.cascade_reason,
            "escalated: the SLM's mean token log-probability -1.050 is under -0.500");
}

TEST(Cascade, LlmDownKeepsAValidSlmAnswer) {
  Pair p([](const httplib::Request&, httplib::Response& res,
            int) { res.set_content(answer_with_logprobs("Lyon ?", {-2.0}), "application/json"); },
         [](const httplib::Request&, httplib::Response& res, int) { res.status = 503; });
  const auto out = p.executor().run(cascade(), ask(), nullptr);
  EXPECT_FALSE(out.escalated);
  EXPECT_EQ(out.result.text, "Lyon ?");
  EXPECT_NE(out.cascade_reason.find("the LLM failed"), std::string::npos) << out.cascade_reason;
  EXPECT_EQ(out.attempts.size(), 2u);
}

TEST(Fallback, RetryableFailureMovesToTheNextTarget) {
  Pair p([](const httplib::Request&, httplib::Response& res, int) { res.status = 503; },
         [](const httplib::Request&, httplib::Response& res, int) {
           res.set_content(test::completion_json("secours", 3, 1), "application/json");
         });
  Route r;
  r.primary = {"slm", "small", true};
  r.fallbacks = {{"llm", "large", false}};
  const auto out = p.executor().run(r, ask(), nullptr);
  EXPECT_EQ(out.result.text, "secours");
  EXPECT_EQ(out.served_by.label(), "llm/large");
  ASSERT_EQ(out.attempts.size(), 2u);
  EXPECT_EQ(out.attempts[0].role, "primary");
  EXPECT_EQ(out.attempts[0].http_status, 503);
  EXPECT_EQ(out.attempts[1].role, "fallback");
}

TEST(Fallback, BadRequestIsNotFallenBackFrom) {
  Pair p([](const httplib::Request&, httplib::Response& res, int) { res.status = 400; },
         [](const httplib::Request&, httplib::Response& res, int) {
           res.set_content(test::completion_json("x", 1, 1), "application/json");
         });
  Route r;
  r.primary = {"slm", "small", true};
  r.fallbacks = {{"llm", "large", false}};
  EXPECT_THROW(p.executor().run(r, ask(), nullptr), ProviderError);
  EXPECT_EQ(p.llm_up.calls(), 0);
}

TEST(Fallback, NoFallbackOnceTextReachedTheClient) {
  Pair p(
      [](const httplib::Request&, httplib::Response& res, int) {
        test::stream_events(res, {test::delta_event("début "), test::delta_event("suite")},
                            milliseconds(5), 1);
      },
      [](const httplib::Request&, httplib::Response& res, int) {
        res.set_content(test::completion_json("x", 1, 1), "application/json");
      });
  Route r;
  r.primary = {"slm", "small", true};
  r.fallbacks = {{"llm", "large", false}};
  std::string got;
  try {
    p.executor().run(r, ask(), [&](const std::string& d) {
      got += d;
      return true;
    });
    FAIL() << "expected a ProviderError";
  } catch (const ProviderError& e) {
    EXPECT_EQ(e.kind(), ProviderErrorKind::Unavailable);
  }
  EXPECT_EQ(got, "début ");
  EXPECT_EQ(p.llm_up.calls(), 0);
}

TEST(Budget, FiftyParallelClientsThroughRealCallsStayWithinTheLimit) {
  // Each answer costs (30 + 20) tokens × 1000 €/M = 0.05 €; each reservation is the
  // worst case (64 + 9 + 4 + 16 prompt + 20 completion) × 1000 €/M = 0.113 €; limit 2 €.
  Pair p([](const httplib::Request&, httplib::Response& res,
            int) { res.set_content(test::completion_json("x", 1, 1), "application/json"); },
         [](const httplib::Request&, httplib::Response& res, int) {
           std::this_thread::sleep_for(milliseconds(20));
           res.set_content(test::completion_json("payé", 30, 20), "application/json");
         });
  OpenAIConfig c = p.llm->config();
  c.prices.set("large", Price{1000.0, 1000.0});
  // Debian's cpp-httplib (compiled, 0.11) listens with a backlog of 5: 50 simultaneous
  // connects overflow it and the kernel drops SYNs, which the client resends after 1 s.
  c.connect_timeout = milliseconds(3000);
  c.total_timeout = milliseconds(5000);
  p.llm = std::make_unique<OpenAIProvider>("llm", c);
  BudgetTracker budgets({2.0, std::nullopt}, {});
  RouteExecutor ex = p.executor(&budgets);
  Route r;
  r.primary = {"llm", "large", false};
  std::atomic<int> served{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 50; ++i) {
    clients.emplace_back([&] {
      ChatRequest q;
      q.messages = {{"user", "Combien ?", "", nullptr, ""}};
      q.max_tokens = 20;
      try {
        ex.run(r, q, nullptr);
        ++served;
      } catch (const ProviderError& e) {
        EXPECT_EQ(e.kind(), ProviderErrorKind::RateLimited) << e.what();
        ++refused;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(served + refused, 50);
  EXPECT_LE(budgets.spent_today(""), 2.0 + 1e-9);
  EXPECT_NEAR(budgets.spent_today(""), 0.05 * served, 1e-9);
  EXPECT_GE(served.load(), 17);  // (2 − 0.113) / 0.113: refusals start within one reservation
  EXPECT_EQ(p.llm_up.calls(), served.load());  // refused requests never left
  EXPECT_GT(refused.load(), 0);
}

}  // namespace
}  // namespace tq
