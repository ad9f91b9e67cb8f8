// Faults on real sockets: every one ends in a retry, a clean ProviderError of the right
// kind, or success — within its timeouts, and with every attempt reported.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "providers/openai_provider.h"
#include "providers/scripted_upstream.h"

namespace tq {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using test::ScriptedUpstream;
using Clock = std::chrono::steady_clock;

OpenAIConfig quick_config(const std::string& base_url) {
  OpenAIConfig c;
  c.base_url = base_url;
  c.connect_timeout = milliseconds(300);
  c.first_token_timeout = milliseconds(200);
  c.total_timeout = milliseconds(1900);
  c.retry.max_retries = 2;
  c.retry.backoff_base = milliseconds(5);
  c.retry.backoff_max = milliseconds(20);
  return c;
}

struct Recorder {
  std::vector<AttemptRecord> attempts;
  ChatRequest request(const std::string& model = "m") {
    ChatRequest r;
    r.model = model;
    r.messages = {{"user", "Salut", "", nullptr, ""}};
    r.on_attempt = [this](const AttemptRecord& a) { attempts.push_back(a); };
    return r;
  }
};

ProviderErrorKind kind_of(const std::function<void()>& f, std::string* what = nullptr) {
  try {
    f();
  } catch (const ProviderError& e) {
    if (what != nullptr) *what = e.what();
    return e.kind();
  }
  ADD_FAILURE() << "no ProviderError";
  return ProviderErrorKind::Internal;
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

TEST(OpenAIFaults, ServerErrorsThenSuccessIsRetried) {
  ScriptedUpstream up([](const httplib::Request&, httplib::Response& res, int call) {
    if (call <= 2) {
      res.status = call == 1 ? 500 : 503;
      res.set_content(R"({"error":{"message":"overloaded","type":"server_error"}})",
                      "application/json");
      return;
    }
    res.set_content(test::completion_json("ok", 3, 1), "application/json");
  });
  OpenAIProvider p("remote", quick_config(up.base_url()));
  Recorder rec;
  const ChatResult out = p.chat(rec.request(), nullptr);
  EXPECT_EQ(out.text, "ok");
  EXPECT_EQ(out.attempts, 3);
  EXPECT_EQ(up.calls(), 3);
  ASSERT_EQ(rec.attempts.size(), 3u);
  EXPECT_EQ(rec.attempts[0].http_status, 500);
  EXPECT_NE(rec.attempts[0].error.find("overloaded"), std::string::npos);
  EXPECT_EQ(rec.attempts[1].http_status, 503);
  EXPECT_EQ(rec.attempts[2].http_status, 200);
  EXPECT_TRUE(rec.attempts[2].error.empty());
  EXPECT_EQ(rec.attempts[2].attempt, 3);
}

TEST(OpenAIFaults, PersistentServerErrorsGiveUpAfterMaxAttempts) {
  ScriptedUpstream up([](const httplib::Request&, httplib::Response& res, int) {
    res.status = 502;
    res.set_content("Bad Gateway", "text/plain");
  });
  OpenAIProvider p("remote", quick_config(up.base_url()));
  Recorder rec;
  std::string what;
  EXPECT_EQ(kind_of([&] { p.chat(rec.request(), nullptr); }, &what),
            ProviderErrorKind::Unavailable);
  EXPECT_NE(what.find("HTTP 502"), std::string::npos) << what;
  EXPECT_EQ(up.calls(), 3);
  EXPECT_EQ(rec.attempts.size(), 3u);
}

TEST(OpenAIFaults, BadRequestIsNotRetried) {
  ScriptedUpstream up([](const httplib::Request&, httplib::Response& res, int) {
    res.status = 400;
    res.set_content(R"({"error":{"message":"max_tokens is too large"}})", "application/json");
  });
  OpenAIProvider p("remote", quick_config(up.base_url()));
  Recorder rec;
  std::string what;
  EXPECT_EQ(kind_of([&] { p.chat(rec.request(), nullptr); }, &what), ProviderErrorKind::BadRequest);
  EXPECT_NE(what.find("max_tokens is too large"), std::string::npos);
  EXPECT_EQ(up.calls(), 1);
}

TEST(OpenAIFaults, RateLimitHonoursRetryAfterSeconds) {
  ScriptedUpstream up([](const httplib::Request&, httplib::Response& res, int call) {
    if (call == 1) {
      res.status = 429;
      res.set_header("Retry-After", "1");
      res.set_content(R"({"error":{"message":"slow down"}})", "application/json");
      return;
    }
    res.set_content(test::completion_json("enfin", 2, 1), "application/json");
  });
  OpenAIConfig c = quick_config(up.base_url());
  c.total_timeout = milliseconds(1900);
  OpenAIProvider p("remote", c);
  Recorder rec;
  const ChatResult out = p.chat(rec.request(), nullptr);
  EXPECT_EQ(out.text, "enfin");
  const auto at = up.arrivals();
  ASSERT_EQ(at.size(), 2u);
  // The server asked for one second; the backoff alone would be under 20 ms.
  EXPECT_GE(ms_between(at[0], at[1]), 950.0);
  EXPECT_EQ(rec.attempts[0].http_status, 429);
}

TEST(OpenAIFaults, RetryAfterBeyondTheDeadlineFailsFastWithTheHint) {
  ScriptedUpstream up([](const httplib::Request&, httplib::Response& res, int) {
    res.status = 429;
    res.set_header("Retry-After", "30");
    res.set_content(R"({"error":{"message":"quota"}})", "application/json");
  });
  OpenAIProvider p("remote", quick_config(up.base_url()));
  Recorder rec;
  const auto t0 = Clock::now();
  try {
    p.chat(rec.request(), nullptr);
    FAIL() << "expected RateLimited";
  } catch (const ProviderError& e) {
    EXPECT_EQ(e.kind(), ProviderErrorKind::RateLimited);
    ASSERT_TRUE(e.retry_after());
    EXPECT_EQ(e.retry_after()->count(), 30000);
  }
  EXPECT_LT(ms_between(t0, Clock::now()), 10000.0);  // did not sleep 30 s
  EXPECT_EQ(up.calls(), 1);
}

TEST(OpenAIFaults, UpstreamKilledMidStreamAfterContentIsAnErrorNotARetry) {
  ScriptedUpstream up([](const httplib::Request&, httplib::Response& res, int) {
    test::stream_events(res,
                        {test::delta_event("Le début "), test::delta_event("de la "),
                         test::delta_event("fin"), "data: [DONE]\n\n"},
                        milliseconds(5), /*cut_after=*/2);
  });
  OpenAIProvider p("remote", quick_config(up.base_url()));
  Recorder rec;
  std::string got;
  std::string what;
  EXPECT_EQ(kind_of(
                [&] {
                  p.chat(rec.request(), [&](const std::string& d) {
                    got += d;
                    return true;
                  });
                },
                &what),
            ProviderErrorKind::Unavailable);
  EXPECT_EQ(got, "Le début de la ");
  EXPECT_EQ(up.calls(), 1);  // content reached the client: never retried
  ASSERT_EQ(rec.attempts.size(), 1u);
  EXPECT_FALSE(rec.attempts[0].error.empty());
}

TEST(OpenAIFaults, UpstreamKilledBeforeAnyContentIsRetried) {
  ScriptedUpstream up([](const httplib::Request&, httplib::Response& res, int call) {
    if (call == 1) {
      test::stream_events(res, {": opening\n\n", test::delta_event("x")}, milliseconds(0), 1);
      return;
    }
    test::stream_events(res,
                        {test::delta_event("bon"), test::finish_event("stop"), "data: [DONE]\n\n"});
  });
  OpenAIProvider p("remote", quick_config(up.base_url()));
  Recorder rec;
  std::string got;
  const ChatResult out = p.chat(rec.request(), [&](const std::string& d) {
    got += d;
    return true;
  });
  EXPECT_EQ(got, "bon");
  EXPECT_EQ(out.attempts, 2);
  EXPECT_EQ(rec.attempts.size(), 2u);
}

TEST(OpenAIFaults, SlowFirstTokenTimesOutEachAttempt) {
  ScriptedUpstream up([](const httplib::Request&, httplib::Response& res, int) {
    test::stream_events(
        res, {": still thinking\n\n", test::delta_event("trop tard"), "data: [DONE]\n\n"},
        milliseconds(0), -1, /*first_delay=*/milliseconds(500));
  });
  OpenAIConfig c = quick_config(up.base_url());
  c.retry.max_retries = 1;
  OpenAIProvider p("remote", c);
  Recorder rec;
  std::string what;
  EXPECT_EQ(kind_of([&] { p.chat(rec.request(), [](const std::string&) { return true; }); }, &what),
            ProviderErrorKind::Timeout);
  EXPECT_NE(what.find("first token"), std::string::npos) << what;
  EXPECT_EQ(rec.attempts.size(), 2u);
  // Without the deadline both attempts would have succeeded at 500 ms.
}

TEST(OpenAIFaults, KeepAliveCommentsDoNotCountAsFirstToken) {
  ScriptedUpstream up([](const httplib::Request&, httplib::Response& res, int) {
    std::vector<std::string> pings(12, ": ping\n\n");
    pings.push_back(test::delta_event("x"));
    test::stream_events(res, pings, milliseconds(50));
  });
  OpenAIConfig c = quick_config(up.base_url());
  c.retry.max_retries = 0;
  OpenAIProvider p("remote", c);
  Recorder rec;
  EXPECT_EQ(kind_of([&] { p.chat(rec.request(), [](const std::string&) { return true; }); }),
            ProviderErrorKind::Timeout);
}

TEST(OpenAIFaults, TotalTimeoutBoundsASlowNonStreamedAnswer) {
  ScriptedUpstream up([](const httplib::Request&, httplib::Response& res, int) {
    std::this_thread::sleep_for(milliseconds(900));
    res.set_content(test::completion_json("late", 1, 1), "application/json");
  });
  OpenAIConfig c = quick_config(up.base_url());
  c.total_timeout = milliseconds(300);
  OpenAIProvider p("remote", c);
  Recorder rec;
  EXPECT_EQ(kind_of([&] { p.chat(rec.request(), nullptr); }), ProviderErrorKind::Timeout);
}

TEST(OpenAIFaults, ErrorObjectMidStreamSurfaces) {
  ScriptedUpstream up([](const httplib::Request&, httplib::Response& res, int) {
    test::stream_events(
        res, {test::delta_event("a"), "data: {\"error\":{\"message\":\"model crashed\"}}\n\n"});
  });
  OpenAIProvider p("remote", quick_config(up.base_url()));
  Recorder rec;
  std::string what;
  EXPECT_EQ(kind_of([&] { p.chat(rec.request(), [](const std::string&) { return true; }); }, &what),
            ProviderErrorKind::Unavailable);
  EXPECT_NE(what.find("model crashed"), std::string::npos);
  EXPECT_EQ(up.calls(), 1);
}

TEST(OpenAIFaults, ClientCancelStopsTheCall) {
  ScriptedUpstream up([](const httplib::Request&, httplib::Response& res, int) {
    std::vector<std::string> many(50, test::delta_event("mot "));
    test::stream_events(res, many, milliseconds(10));
  });
  OpenAIProvider p("remote", quick_config(up.base_url()));
  Recorder rec;
  int seen = 0;
  EXPECT_EQ(kind_of([&] { p.chat(rec.request(), [&](const std::string&) { return ++seen < 3; }); }),
            ProviderErrorKind::Cancelled);
  EXPECT_EQ(seen, 3);
  EXPECT_EQ(up.calls(), 1);
}

int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);  // bound, never listened: connecting is refused
  return ntohs(a.sin_port);
}

TEST(OpenAIFaults, ConnectionRefusedIsUnavailableAfterRetries) {
  OpenAIProvider p("remote",
                   quick_config("http://127.0.0.1:" + std::to_string(closed_port()) + "/v1"));
  Recorder rec;
  std::string what;
  EXPECT_EQ(kind_of([&] { p.chat(rec.request(), nullptr); }, &what),
            ProviderErrorKind::Unavailable);
  EXPECT_NE(what.find("cannot connect"), std::string::npos) << what;
  EXPECT_EQ(rec.attempts.size(), 3u);
}

TEST(OpenAIFaults, CircuitOpensAfterFailuresAndHalfOpensAfterCooldown) {
  std::atomic<bool> healthy{false};
  ScriptedUpstream up([&](const httplib::Request&, httplib::Response& res, int) {
    if (!healthy) {
      res.status = 500;
      return;
    }
    res.set_content(test::completion_json("revenu", 1, 1), "application/json");
  });
  OpenAIConfig c = quick_config(up.base_url());
  c.retry.max_retries = 0;
  c.breaker_threshold = 2;
  c.breaker_cooldown = milliseconds(300);
  OpenAIProvider p("remote", c);
  Recorder rec;
  EXPECT_EQ(kind_of([&] { p.chat(rec.request(), nullptr); }), ProviderErrorKind::Unavailable);
  EXPECT_EQ(kind_of([&] { p.chat(rec.request(), nullptr); }), ProviderErrorKind::Unavailable);
  EXPECT_EQ(p.breaker().state(), CircuitBreaker::State::Open);
  std::string what;
  EXPECT_EQ(kind_of([&] { p.chat(rec.request(), nullptr); }, &what),
            ProviderErrorKind::Unavailable);
  EXPECT_NE(what.find("circuit open"), std::string::npos);
  EXPECT_EQ(up.calls(), 2);            // the open circuit sent nothing
  EXPECT_EQ(rec.attempts.size(), 3u);  // but the refused attempt is still reported
  std::this_thread::sleep_for(milliseconds(350));
  EXPECT_EQ(p.breaker().state(), CircuitBreaker::State::HalfOpen);
  healthy = true;
  EXPECT_EQ(p.chat(rec.request(), nullptr).text, "revenu");
  EXPECT_EQ(p.breaker().state(), CircuitBreaker::State::Closed);
  EXPECT_EQ(up.calls(), 3);
}

TEST(OpenAIFaults, ManyThreadsShareOneProvider) {
  ScriptedUpstream up([](const httplib::Request& req, httplib::Response& res, int) {
    const json in = json::parse(req.body);
    res.set_content(test::completion_json(in["messages"][0]["content"], 1, 1), "application/json");
  });
  OpenAIProvider p("remote", quick_config(up.base_url()));
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        ChatRequest r;
        r.model = "m";
        const std::string text = "t" + std::to_string(t) + "-" + std::to_string(i);
        r.messages = {{"user", text, "", nullptr, ""}};
        if (p.chat(r, nullptr).text == text) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 80);
}

}  // namespace
}  // namespace tq
